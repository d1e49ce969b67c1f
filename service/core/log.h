/* Logging at the edges: library code returns errors, the loop's top-level
 * callbacks log them once. One line per message on stderr, in one of two
 * formats (--log-format):
 *   text  "huizongd: LEVEL: message key=value ..." (journald adds the time);
 *   json  one JSON object per line (jansson writes it, so every string is
 *         escaped and valid UTF-8): "time" (RFC 3339 UTC, milliseconds),
 *         "level", "msg", then the fields in the order given.
 * The level and the format live in the logger, which the context owns;
 * with several loops each has its own logger, tagged with its loop (text:
 * " (loop N)" at the end of the line; json: a "loop" field). */
#ifndef HZ_CORE_LOG_H
#define HZ_CORE_LOG_H

#include <stddef.h>

typedef enum { HZ_LOG_ERROR = 0, HZ_LOG_WARN, HZ_LOG_INFO, HZ_LOG_DEBUG } hz_log_level_t;

typedef enum {
  HZ_LOG_TEXT = 0, /* human-readable lines, as before issue 16 */
  HZ_LOG_JSON,     /* one JSON object per line, for a log collector */
} hz_log_format_t;

typedef struct hz_log_s {
  hz_log_level_t level;   /* messages above this level are dropped */
  hz_log_format_t format; /* how a line is written */
  unsigned loop;          /* 1-based event loop shown as " (loop N)" at the end
                           * of each line; 0 (the process, or the only loop
                           * with --threads 1) adds nothing */
} hz_log_t;

/* One key/value of a structured line. A string value (str != NULL) or,
 * with str NULL, the number num (JSON number; text prints it %g). */
typedef struct hz_log_field_s {
  const char *key; /* lower-case identifier, e.g. "request_id" */
  const char *str; /* value, or NULL for num; may be any bytes */
  double num;      /* value when str is NULL */
} hz_log_field_t;

int hz_log_level_parse(const char *s, hz_log_level_t *out);
/* "text" or "json"; returns 0 or -1. */
int hz_log_format_parse(const char *s, hz_log_format_t *out);
/* True when a message at level would be written (saves building fields). */
int hz_log_enabled(const hz_log_t *log, hz_log_level_t level);
void hz_log(const hz_log_t *log, hz_log_level_t level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A message with nfields fields after it. */
void hz_log_fields(const hz_log_t *log, hz_log_level_t level, const hz_log_field_t *fields,
                   size_t nfields, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#define hz_log_error(l, ...) hz_log((l), HZ_LOG_ERROR, __VA_ARGS__)
#define hz_log_warn(l, ...)  hz_log((l), HZ_LOG_WARN, __VA_ARGS__)
#define hz_log_info(l, ...)  hz_log((l), HZ_LOG_INFO, __VA_ARGS__)
#define hz_log_debug(l, ...) hz_log((l), HZ_LOG_DEBUG, __VA_ARGS__)

#endif
