/* Server address parsing: scheme, host (name, IPv4, bracketed IPv6), port. */
#include "addr.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...) {
  if (errlen > 0) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
  }
  return -1;
}

/* Strips a known scheme; anything else that looks like a URL is refused
 * rather than misread as a host name. */
static int take_scheme(const char **s, int *tls, char *err, size_t errlen) {
  if (strncmp(*s, "https://", 8) == 0) {
    *tls = 1;
    *s += 8;
    return 0;
  }
  if (strncmp(*s, "http://", 7) == 0) {
    *tls = 0;
    *s += 7;
    return 0;
  }
  const char *sep = strstr(*s, "://");
  if (sep)
    return fail(err, errlen, "unsupported scheme '%.*s' (use host:port or https://host:port)",
                (int)(sep - *s), *s);
  *tls = 0;
  return 0;
}

static int valid_port(const char *p, size_t len) {
  if (len == 0 || len > 5)
    return 0;
  unsigned v = 0;
  for (size_t i = 0; i < len; i++) {
    if (p[i] < '0' || p[i] > '9')
      return 0;
    v = v * 10 + (unsigned)(p[i] - '0');
  }
  return v >= 1 && v <= 65535;
}

/* Letters, digits, '-', '_' and dots between non-empty labels. */
static int valid_hostname(const char *h, size_t len) {
  if (len == 0 || len > 253 || h[0] == '.' || h[0] == '-')
    return 0;
  for (size_t i = 0; i < len; i++) {
    char c = h[i];
    int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
             (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    if (!ok || (c == '.' && i + 1 < len && h[i + 1] == '.'))
      return 0;
  }
  return 1;
}

/* Splits "host:port" / "[v6]:port" / "host" into out->host and port text. */
static int split_host_port(const char *s, size_t len, hzc_addr_t *out,
                           const char **port, size_t *port_len, char *err,
                           size_t errlen) {
  const char *host = s;
  size_t host_len;
  const char *rest;

  if (len > 0 && s[0] == '[') {
    const char *close = memchr(s, ']', len);
    if (!close)
      return fail(err, errlen, "missing ']' after IPv6 address");
    host = s + 1;
    host_len = (size_t)(close - host);
    rest = close + 1;
    if (rest < s + len && *rest != ':')
      return fail(err, errlen, "unexpected text after ']'");
    char tmp[64];
    struct in6_addr a6;
    if (host_len == 0 || host_len >= sizeof(tmp))
      return fail(err, errlen, "invalid IPv6 address");
    memcpy(tmp, host, host_len);
    tmp[host_len] = '\0';
    if (inet_pton(AF_INET6, tmp, &a6) != 1)
      return fail(err, errlen, "invalid IPv6 address '%s'", tmp);
    out->host_is_ip = 1;
  } else {
    const char *colon = memchr(s, ':', len);
    if (colon && memchr(colon + 1, ':', (size_t)(s + len - colon - 1)))
      return fail(err, errlen, "IPv6 addresses need brackets: [addr]:port");
    host_len = colon ? (size_t)(colon - s) : len;
    rest = colon ? colon : s + len;
    if (!valid_hostname(host, host_len))
      return fail(err, errlen, "invalid host name '%.*s'", (int)host_len, host);
  }
  if (host_len >= sizeof(out->host))
    return fail(err, errlen, "host name too long");
  memcpy(out->host, host, host_len);
  out->host[host_len] = '\0';
  if (!out->host_is_ip) {
    struct in_addr a4;
    out->host_is_ip = inet_pton(AF_INET, out->host, &a4) == 1;
  }
  if (rest < s + len) { /* rest points at ':' */
    *port = rest + 1;
    *port_len = (size_t)(s + len - rest - 1);
    if (*port_len == 0)
      return fail(err, errlen, "missing port after ':'");
  } else {
    *port = NULL;
    *port_len = 0;
  }
  return 0;
}

int hzc_addr_parse(const char *s, hzc_addr_t *out, char *err, size_t errlen) {
  memset(out, 0, sizeof(*out));
  if (!s || !*s)
    return fail(err, errlen, "empty address");
  const char *orig = s;
  if (take_scheme(&s, &out->tls, err, errlen) < 0)
    return -1;
  size_t len = strlen(s);
  if (len > 0 && s[len - 1] == '/')
    len--;
  if (memchr(s, '/', len) || memchr(s, '?', len) || memchr(s, '@', len))
    return fail(err, errlen, "'%s' is not host:port (paths and user names are not allowed)",
                orig);
  if (len == 0)
    return fail(err, errlen, "missing host in '%s'", orig);

  const char *port = NULL;
  size_t port_len = 0;
  if (split_host_port(s, len, out, &port, &port_len, err, errlen) < 0)
    return -1;
  if (port) {
    if (!valid_port(port, port_len))
      return fail(err, errlen, "invalid port '%.*s' (1..65535)", (int)port_len, port);
    memcpy(out->port, port, port_len);
    out->port[port_len] = '\0';
  } else {
    strcpy(out->port, out->tls ? HZC_ADDR_DEFAULT_TLS_PORT : HZC_ADDR_DEFAULT_PORT);
  }
  int is_v6 = strchr(out->host, ':') != NULL;
  snprintf(out->authority, sizeof(out->authority), is_v6 ? "[%s]:%s" : "%s:%s",
           out->host, out->port);
  return 0;
}
