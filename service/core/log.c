/* Line-oriented stderr logging with a level filter. */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const level_names[] = {"error", "warn", "info", "debug"};

int hz_log_level_parse(const char *s, hz_log_level_t *out) {
  for (int i = 0; i <= HZ_LOG_DEBUG; i++) {
    if (strcmp(s, level_names[i]) == 0) {
      *out = (hz_log_level_t)i;
      return 0;
    }
  }
  return -1;
}

void hz_log(const hz_log_t *log, hz_log_level_t level, const char *fmt, ...) {
  if (log && level > log->level)
    return;
  char line[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof(line), fmt, ap);
  va_end(ap);
  /* One fprintf per line keeps concurrent writers (loops on other
   * threads) from interleaving: stdio locks the stream per call. The tag
   * goes last so that lines keep their "huizongd: LEVEL: text" start. */
  if (log && log->loop)
    fprintf(stderr, "huizongd: %s: %s (loop %u)\n", level_names[level], line, log->loop);
  else
    fprintf(stderr, "huizongd: %s: %s\n", level_names[level], line);
}
