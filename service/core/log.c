/* Line-oriented stderr logging with a level filter, as text or as JSON
 * objects built by jansson (see log.h). */
#include "core/log.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

int hz_log_format_parse(const char *s, hz_log_format_t *out) {
  if (strcmp(s, "text") == 0 || strcmp(s, "json") == 0) {
    *out = s[0] == 'j' ? HZ_LOG_JSON : HZ_LOG_TEXT;
    return 0;
  }
  return -1;
}

int hz_log_enabled(const hz_log_t *log, hz_log_level_t level) {
  return !log || level <= log->level;
}

/* A JSON string of s; bytes that are not UTF-8 (a peer's header echoed in
 * a message) become '?', since jansson refuses them and the line must
 * still be written. */
static json_t *json_text(const char *s) {
  json_t *j = json_string(s);
  if (j)
    return j;
  char *copy = strdup(s);
  if (!copy)
    return NULL;
  for (char *p = copy; *p; p++)
    if ((unsigned char)*p >= 0x80 || (unsigned char)*p < 0x20)
      *p = '?';
  j = json_string(copy);
  free(copy);
  return j;
}

static void rfc3339_now(char *buf, size_t len) {
  struct timespec ts;
  struct tm tm;
  clock_gettime(CLOCK_REALTIME, &ts);
  gmtime_r(&ts.tv_sec, &tm);
  size_t n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(buf + n, len - n, ".%03ldZ", ts.tv_nsec / 1000000);
}

static void write_json(const hz_log_t *log, hz_log_level_t level, const char *msg,
                       const hz_log_field_t *fields, size_t n) {
  char now[40];
  rfc3339_now(now, sizeof(now));
  json_t *o = json_object();
  if (!o)
    return;
  json_object_set_new(o, "time", json_string(now));
  json_object_set_new(o, "level", json_string(level_names[level]));
  json_object_set_new(o, "msg", json_text(msg));
  if (log && log->loop)
    json_object_set_new(o, "loop", json_integer(log->loop));
  for (size_t i = 0; i < n; i++)
    json_object_set_new(o, fields[i].key,
                        fields[i].str ? json_text(fields[i].str) : json_real(fields[i].num));
  char *line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
  json_decref(o);
  if (!line)
    return;
  /* One fprintf per line keeps concurrent writers (loops on other
   * threads) from interleaving: stdio locks the stream per call. */
  fprintf(stderr, "%s\n", line);
  free(line);
}

static void write_text(const hz_log_t *log, hz_log_level_t level, const char *msg,
                       const hz_log_field_t *fields, size_t n) {
  char tail[768];
  size_t used = 0;
  tail[0] = '\0';
  for (size_t i = 0; i < n && used < sizeof(tail); i++) {
    int w =
        fields[i].str
            ? snprintf(tail + used, sizeof(tail) - used, " %s=%s", fields[i].key, fields[i].str)
            : snprintf(tail + used, sizeof(tail) - used, " %s=%g", fields[i].key, fields[i].num);
    used += w > 0 ? (size_t)w : 0;
  }
  /* The loop tag goes last so that lines keep their "huizongd: LEVEL:
   * text" start; one fprintf per line, as above. */
  if (log && log->loop)
    fprintf(stderr, "huizongd: %s: %s%s (loop %u)\n", level_names[level], msg, tail, log->loop);
  else
    fprintf(stderr, "huizongd: %s: %s%s\n", level_names[level], msg, tail);
}

static void vlog(const hz_log_t *log, hz_log_level_t level, const hz_log_field_t *fields, size_t n,
                 const char *fmt, va_list ap) {
  if (!hz_log_enabled(log, level))
    return;
  char line[1024];
  vsnprintf(line, sizeof(line), fmt, ap);
  if (log && log->format == HZ_LOG_JSON)
    write_json(log, level, line, fields, n);
  else
    write_text(log, level, line, fields, n);
}

void hz_log(const hz_log_t *log, hz_log_level_t level, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vlog(log, level, NULL, 0, fmt, ap);
  va_end(ap);
}

void hz_log_fields(const hz_log_t *log, hz_log_level_t level, const hz_log_field_t *fields,
                   size_t nfields, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vlog(log, level, fields, nfields, fmt, ap);
  va_end(ap);
}
