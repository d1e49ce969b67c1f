/* host:port parsing (see hostport.h for the grammar). */
#include "wire/hostport.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...) {
  if (err && errlen > 0) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
  }
  return -EINVAL;
}

/* Letters, digits, '-', '_' and dots between non-empty labels. */
static int valid_name(const char *h, size_t len) {
  if (len == 0 || len > HZ_WIRE_HOST_MAX || h[0] == '.' || h[0] == '-')
    return 0;
  for (size_t i = 0; i < len; i++) {
    char c = h[i];
    int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '-' || c == '_' || c == '.';
    if (!ok || (c == '.' && i + 1 < len && h[i + 1] == '.'))
      return 0;
  }
  return 1;
}

/* "[v6]" at the start of s: the literal goes to out->host, *rest after ']'. */
static int take_ipv6(const char *s, size_t len, hz_wire_hostport_t *out, const char **rest,
                     char *err, size_t errlen) {
  const char *close = memchr(s, ']', len);
  if (!close)
    return fail(err, errlen, "missing ']' after IPv6 address");
  size_t hl = (size_t)(close - s - 1);
  *rest = close + 1;
  if (*rest < s + len && **rest != ':')
    return fail(err, errlen, "unexpected text after ']'");
  struct in6_addr a6;
  if (hl == 0 || hl >= 64)
    return fail(err, errlen, "invalid IPv6 address");
  memcpy(out->host, s + 1, hl);
  out->host[hl] = '\0';
  if (inet_pton(AF_INET6, out->host, &a6) != 1)
    return fail(err, errlen, "invalid IPv6 address '%s'", out->host);
  out->kind = HZ_WIRE_HOST_IPV6;
  return 0;
}

/* A name or dotted quad up to the ':' (or the end): *rest at the ':'. */
static int take_name(const char *s, size_t len, hz_wire_hostport_t *out, const char **rest,
                     char *err, size_t errlen) {
  const char *colon = memchr(s, ':', len);
  if (colon && memchr(colon + 1, ':', (size_t)(s + len - colon - 1)))
    return fail(err, errlen, "IPv6 addresses need brackets: [addr]:port");
  size_t hl = colon ? (size_t)(colon - s) : len;
  *rest = s + hl;
  if (!valid_name(s, hl))
    return fail(err, errlen, "invalid host name '%.*s'", (int)hl, s);
  memcpy(out->host, s, hl);
  out->host[hl] = '\0';
  struct in_addr a4;
  out->kind = inet_pton(AF_INET, out->host, &a4) == 1 ? HZ_WIRE_HOST_IPV4 : HZ_WIRE_HOST_NAME;
  return 0;
}

/* Decimal digits only, at most five, within the allowed range. */
static int take_port(const char *p, size_t len, unsigned flags, hz_wire_hostport_t *out, char *err,
                     size_t errlen) {
  unsigned lo = (flags & HZ_WIRE_HP_PORT_ZERO) ? 0 : 1;
  unsigned v = 0;
  int ok = len >= 1 && len <= 5;
  for (size_t i = 0; ok && i < len; i++) {
    ok = p[i] >= '0' && p[i] <= '9';
    v = v * 10 + (unsigned)(p[i] - '0');
  }
  if (!ok || v < lo || v > 65535)
    return fail(err, errlen, "invalid port '%.*s' (%u..65535)", (int)len, p, lo);
  out->has_port = 1;
  out->port = (uint16_t)v;
  return 0;
}

int hz_wire_hostport_parse(const char *s, size_t len, unsigned flags, hz_wire_hostport_t *out,
                           char *err, size_t errlen) {
  memset(out, 0, sizeof(*out));
  if (!s || len == 0)
    return fail(err, errlen, "missing host");
  const char *rest = s;
  int r = s[0] == '[' ? take_ipv6(s, len, out, &rest, err, errlen)
                      : take_name(s, len, out, &rest, err, errlen);
  if (r == 0 && rest == s + len && !(flags & HZ_WIRE_HP_PORT_OPTIONAL))
    r = fail(err, errlen, "missing port (host:port)");
  else if (r == 0 && rest < s + len && rest + 1 == s + len)
    r = fail(err, errlen, "missing port after ':'");
  else if (r == 0 && rest < s + len)
    r = take_port(rest + 1, (size_t)(s + len - rest - 1), flags, out, err, errlen);
  if (r != 0)
    memset(out, 0, sizeof(*out));
  return r;
}

int hz_wire_hostport_format(const hz_wire_hostport_t *hp, char *buf, size_t len) {
  int n = snprintf(buf, len, hp->kind == HZ_WIRE_HOST_IPV6 ? "[%s]:%u" : "%s:%u", hp->host,
                   (unsigned)hp->port);
  return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}
