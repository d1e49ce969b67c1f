/* libFuzzer target for keyset page tokens (api/pgtext.h): a client sends
 * back any next_page_token it likes, and what the decoder accepts goes into
 * SQL as a timestamp and a key. Acceptance must agree with an independent
 * reading of the format (lower-case hex, even length 2-256, of
 * "<timestamp>|<key>", the text ending at a NUL byte if it has one; the
 * timestamp 10-40 of [0-9-T:.Z+ ], the key non-empty [0-9a-f-]); what is
 * accepted must encode and decode back to itself; a refusal must leave the
 * outputs alone. The same holds for the untimed lists' decoder
 * (hz_page_token_decode_for, timestamp empty) with a key grammar of its
 * own (here: [a-z0-9/], which includes the separator's neighbours). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/pgtext.h"

static int nibble(uint8_t c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

static int all_of(const uint8_t *s, size_t n, const char *set) {
  for (size_t i = 0; i < n; i++)
    if (s[i] == 0 || !strchr(set, s[i]))
      return 0;
  return 1;
}

/* 1 when tok (n bytes, no NUL) is hex of text (into plain_buf) with a '|'
 * before any NUL; then the lengths of the parts before and after it. */
static int reference_split(const uint8_t *tok, size_t n, uint8_t plain_buf[128], size_t *ts_len,
                           size_t *key_len) {
  if (n == 0 || n % 2 || n > 256)
    return 0;
  size_t m = n / 2, end = m;
  for (size_t i = 0; i < m; i++) {
    int hi = nibble(tok[2 * i]), lo = nibble(tok[2 * i + 1]);
    if (hi < 0 || lo < 0)
      return 0;
    plain_buf[i] = (uint8_t)(hi << 4 | lo);
    if (plain_buf[i] == 0 && end == m)
      end = i;
  }
  const uint8_t *bar = memchr(plain_buf, '|', end);
  if (!bar)
    return 0;
  *ts_len = (size_t)(bar - plain_buf);
  *key_len = end - *ts_len - 1;
  return 1;
}

/* 1 when tok is a token of a timed list keyed [0-9a-f-]. */
static int reference_accepts(const uint8_t *tok, size_t n, size_t *ts_len, size_t *key_len) {
  uint8_t plain_buf[128];
  if (!reference_split(tok, n, plain_buf, ts_len, key_len))
    return 0;
  return *ts_len >= 10 && *ts_len <= 40 && all_of(plain_buf, *ts_len, "0123456789-T:.Z+ ") &&
         *key_len > 0 && all_of(plain_buf + *ts_len + 1, *key_len, "0123456789abcdef-");
}

/* The untimed reading: "|<key>" with key non-empty [a-z0-9/]. */
static int reference_untimed(const uint8_t *tok, size_t n, size_t *key_len) {
  uint8_t plain[128];
  size_t ts_len;
  if (!reference_split(tok, n, plain, &ts_len, key_len))
    return 0;
  return ts_len == 0 && *key_len > 0 &&
         all_of(plain + 1, *key_len, "abcdefghijklmnopqrstuvwxyz0123456789/");
}

static int untimed_key_ok(const char *key) {
  return strspn(key, "abcdefghijklmnopqrstuvwxyz0123456789/") == strlen(key) ? 0 : -EINVAL;
}

static void check_untimed(const char *tok, size_t n) {
  hz_arena_t a;
  hz_arena_init(&a, 0);
  const char *ts = "-", *key = "-";
  size_t key_len = 0;
  int r = hz_page_token_decode_for(&a, tok, 0, untimed_key_ok, &ts, &key);
  int want = reference_untimed((const uint8_t *)tok, n, &key_len);
  if ((r == 0) != want || (r != 0 && r != -EINVAL))
    abort();
  if (r != 0 && (strcmp(ts, "-") != 0 || strcmp(key, "-") != 0))
    abort();
  if (r == 0) {
    const char *ts2 = NULL, *key2 = NULL;
    char *again = hz_page_token_encode(&a, "", key);
    if (ts[0] || strlen(key) != key_len || !again ||
        hz_page_token_decode_for(&a, again, 0, untimed_key_ok, &ts2, &key2) != 0 ||
        strcmp(key, key2) != 0)
      abort();
  }
  hz_arena_free(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const uint8_t *nul = memchr(data, 0, size);
  size_t n = nul ? (size_t)(nul - data) : size;
  char *tok = malloc(n + 1);
  if (!tok)
    return 0;
  memcpy(tok, data, n);
  tok[n] = '\0';
  hz_arena_t a;
  hz_arena_init(&a, 0);
  const char *ts = "-", *key = "-";
  size_t ts_len = 0, key_len = 0;
  int r = hz_page_token_decode(&a, tok, &ts, &key);
  int want = reference_accepts((const uint8_t *)tok, n, &ts_len, &key_len);
  if ((r == 0) != want || (r != 0 && r != -EINVAL))
    abort();
  if (r != 0) {
    if (strcmp(ts, "-") != 0 || strcmp(key, "-") != 0)
      abort();
  } else {
    if (strlen(ts) != ts_len || strlen(key) != key_len)
      abort();
    const char *ts2 = NULL, *key2 = NULL;
    char *again = hz_page_token_encode(&a, ts, key);
    if (!again || hz_page_token_decode(&a, again, &ts2, &key2) != 0 || strcmp(ts, ts2) != 0 ||
        strcmp(key, key2) != 0)
      abort();
  }
  hz_arena_free(&a);
  check_untimed(tok, n);
  free(tok);
  return 0;
}
