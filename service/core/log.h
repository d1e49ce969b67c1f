/* Logging at the edges: library code returns errors, the loop's top-level
 * callbacks log them once. Writes single lines to stderr (journald adds the
 * time). The level lives in the logger, which the context owns; with
 * several loops each has its own logger, tagged with its loop. */
#ifndef HZ_CORE_LOG_H
#define HZ_CORE_LOG_H

typedef enum { HZ_LOG_ERROR = 0, HZ_LOG_WARN, HZ_LOG_INFO, HZ_LOG_DEBUG } hz_log_level_t;

typedef struct hz_log_s {
  hz_log_level_t level; /* messages above this level are dropped */
  unsigned loop;        /* 1-based event loop shown as " (loop N)" at the end
                         * of each line; 0 (the process, or the only loop
                         * with --threads 1) adds nothing */
} hz_log_t;

int hz_log_level_parse(const char *s, hz_log_level_t *out);
void hz_log(const hz_log_t *log, hz_log_level_t level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define hz_log_error(l, ...) hz_log((l), HZ_LOG_ERROR, __VA_ARGS__)
#define hz_log_warn(l, ...)  hz_log((l), HZ_LOG_WARN, __VA_ARGS__)
#define hz_log_info(l, ...)  hz_log((l), HZ_LOG_INFO, __VA_ARGS__)
#define hz_log_debug(l, ...) hz_log((l), HZ_LOG_DEBUG, __VA_ARGS__)

#endif
