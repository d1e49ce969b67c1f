/* Server address parsing: the scheme and its default port here, host and
 * port by the shared grammar of wire/hostport.h. */
#include "addr.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "wire/hostport.h"

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
    return fail(err, errlen, "'%s' is not host:port (paths and user names are not allowed)", orig);
  if (len == 0)
    return fail(err, errlen, "missing host in '%s'", orig);

  /* The host:port grammar is the one huizongd's --listen speaks too. */
  hz_wire_hostport_t hp;
  if (hz_wire_hostport_parse(s, len, HZ_WIRE_HP_PORT_OPTIONAL, &hp, err, errlen) < 0)
    return -1;
  memcpy(out->host, hp.host, sizeof(hp.host));
  out->host_is_ip = hp.kind != HZ_WIRE_HOST_NAME;
  if (!hp.has_port)
    hp.port = out->tls ? HZC_ADDR_DEFAULT_TLS_PORT : HZC_ADDR_DEFAULT_PORT;
  snprintf(out->port, sizeof(out->port), "%u", (unsigned)hp.port);
  return hz_wire_hostport_format(&hp, out->authority, sizeof(out->authority)) < 0 ? -1 : 0;
}
