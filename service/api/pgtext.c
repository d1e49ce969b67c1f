/* PostgreSQL text-format helpers. */
#include "api/pgtext.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

char *hz_pg_text_array(hz_arena_t *a, const char *const *items, size_t n) {
  size_t len = 3;
  for (size_t i = 0; i < n; i++) {
    len += 5; /* quotes, comma, or NULL */
    if (items[i])
      for (const char *p = items[i]; *p; p++)
        len += (*p == '"' || *p == '\\') ? 2 : 1;
  }
  char *out = hz_arena_alloc(a, len);
  if (!out)
    return NULL;
  char *w = out;
  *w++ = '{';
  for (size_t i = 0; i < n; i++) {
    if (i)
      *w++ = ',';
    if (!items[i]) {
      memcpy(w, "NULL", 4);
      w += 4;
      continue;
    }
    *w++ = '"';
    for (const char *p = items[i]; *p; p++) {
      if (*p == '"' || *p == '\\')
        *w++ = '\\';
      *w++ = *p;
    }
    *w++ = '"';
  }
  *w++ = '}';
  *w = '\0';
  return out;
}

char *hz_pg_bytea_hex(hz_arena_t *a, const uint8_t *data, size_t n) {
  static const char hex[] = "0123456789abcdef";
  char *out = hz_arena_alloc(a, 2 * n + 3);
  if (!out)
    return NULL;
  out[0] = '\\';
  out[1] = 'x';
  for (size_t i = 0; i < n; i++) {
    out[2 + 2 * i] = hex[data[i] >> 4];
    out[3 + 2 * i] = hex[data[i] & 15];
  }
  out[2 + 2 * n] = '\0';
  return out;
}

char *hz_pg_now_rfc3339(hz_arena_t *a) {
  struct timespec ts;
  struct tm tm;
  clock_gettime(CLOCK_REALTIME, &ts);
  gmtime_r(&ts.tv_sec, &tm);
  return hz_arena_printf(a, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900,
                         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                         ts.tv_nsec / 1000);
}

char *hz_pg_int(hz_arena_t *a, long long v) {
  return hz_arena_printf(a, "%lld", v);
}

int hz_pg_timestamp_ok(const char *s) {
  size_t n = strlen(s);
  return n == 0 || (n >= 10 && n <= 40 && strspn(s, "0123456789-T:.Z+ ") == n);
}

char *hz_page_token_encode(hz_arena_t *a, const char *ts, const char *key) {
  char *plain = hz_arena_printf(a, "%s|%s", ts, key);
  char *hex = plain ? hz_pg_bytea_hex(a, (const uint8_t *)plain, strlen(plain)) : NULL;
  return hex ? hex + 2 : NULL; /* without the \\x */
}

static int hexval(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

int hz_page_token_decode_for(hz_arena_t *a, const char *tok, int timed, hz_page_key_check_fn key_ok,
                             const char **ts, const char **key) {
  size_t n = strlen(tok);
  if (n == 0 || n % 2 || n > HZ_PAGE_TOKEN_MAX)
    return -EINVAL;
  char *plain = hz_arena_alloc(a, n / 2 + 1);
  if (!plain)
    return -ENOMEM;
  for (size_t i = 0; i < n / 2; i++) {
    int hi = hexval(tok[2 * i]), lo = hexval(tok[2 * i + 1]);
    if (hi < 0 || lo < 0)
      return -EINVAL;
    plain[i] = (char)(hi << 4 | lo);
  }
  plain[n / 2] = '\0';
  char *bar = strchr(plain, '|');
  if (!bar || bar[1] == '\0' || key_ok(bar + 1) != 0)
    return -EINVAL;
  *bar = '\0';
  if (timed ? plain[0] == '\0' || !hz_pg_timestamp_ok(plain) : plain[0] != '\0')
    return -EINVAL;
  *ts = plain;
  *key = bar + 1;
  return 0;
}

/* A UUID's or serial id's alphabet. */
static int hex_key_ok(const char *key) {
  return strspn(key, "0123456789abcdef-") == strlen(key) ? 0 : -EINVAL;
}

int hz_page_token_decode(hz_arena_t *a, const char *tok, const char **ts, const char **key) {
  return hz_page_token_decode_for(a, tok, 1, hex_key_ok, ts, key);
}
