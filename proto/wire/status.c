/* Status names and grpc-message percent-encoding. */
#include "wire/status.h"

#include <stdlib.h>

static const char *const status_names[] = {
    "OK",
    "CANCELLED",
    "UNKNOWN",
    "INVALID_ARGUMENT",
    "DEADLINE_EXCEEDED",
    "NOT_FOUND",
    "ALREADY_EXISTS",
    "PERMISSION_DENIED",
    "RESOURCE_EXHAUSTED",
    "FAILED_PRECONDITION",
    "ABORTED",
    "OUT_OF_RANGE",
    "UNIMPLEMENTED",
    "INTERNAL",
    "UNAVAILABLE",
    "DATA_LOSS",
    "UNAUTHENTICATED",
};

const char *hz_status_name(int code) {
  if (code < 0 || code > HZ_STATUS_UNAUTHENTICATED)
    return "UNKNOWN";
  return status_names[code];
}

static int needs_escape(unsigned char c) {
  return c < 0x20 || c > 0x7e || c == '%';
}

char *hz_pct_encode(const char *s, size_t len, size_t *out_len) {
  static const char hex[] = "0123456789ABCDEF";
  size_t n = 0;
  for (size_t i = 0; i < len; i++)
    n += needs_escape((unsigned char)s[i]) ? 3 : 1;
  char *out = malloc(n + 1);
  if (!out)
    return NULL;
  char *p = out;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (needs_escape(c)) {
      *p++ = '%';
      *p++ = hex[c >> 4];
      *p++ = hex[c & 15];
    } else {
      *p++ = (char)c;
    }
  }
  *p = '\0';
  if (out_len)
    *out_len = n;
  return out;
}

static int hexval(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

char *hz_pct_decode(const char *s, size_t len, size_t *out_len) {
  char *out = malloc(len + 1);
  if (!out)
    return NULL;
  size_t n = 0;
  for (size_t i = 0; i < len; i++) {
    int hi, lo;
    if (s[i] == '%' && i + 2 < len && (hi = hexval(s[i + 1])) >= 0 &&
        (lo = hexval(s[i + 2])) >= 0) {
      out[n++] = (char)((hi << 4) | lo);
      i += 2;
    } else {
      out[n++] = s[i];
    }
  }
  out[n] = '\0';
  if (out_len)
    *out_len = n;
  return out;
}
