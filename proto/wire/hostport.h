/* host:port as both sides write it: the address a client dials (--addr,
 * HUIZONG_ADDR, after its scheme is taken off) and the address huizongd
 * listens on (--listen). One strict parser, so an address is either
 * understood the same way everywhere or refused with a reason.
 *
 * Grammar:
 *   hostport = host [ ":" port ]
 *   host     = "[" IPv6address "]" / IPv4address / name
 *   name     = 1*253( ALPHA / DIGIT / "-" / "_" / "." ), not starting with
 *              "." or "-", no empty label ("..")
 *   port     = 1*5DIGIT, value 1..65535 (0 only with HZ_WIRE_HP_PORT_ZERO)
 * An IPv6 literal needs its brackets: "::1:50051" is ambiguous and is
 * refused rather than guessed at. Nothing else is allowed: no blanks, no
 * sign, no user@, no path.
 *
 * Errors: 0, or -EINVAL with a one-line reason in err (errlen bytes; err
 * may be NULL when errlen is 0). Why a reason and not only -EINVAL: the
 * address comes from a person (an option or environment variable), who
 * needs to hear which part is wrong.
 *
 * No I/O (IP literals are recognised with inet_pton), no allocation. */
#ifndef HZ_WIRE_HOSTPORT_H
#define HZ_WIRE_HOSTPORT_H

#include <stddef.h>
#include <stdint.h>

/* Flags of hz_wire_hostport_parse. */
enum {
  HZ_WIRE_HP_PORT_OPTIONAL = 1 << 0, /* "host" alone is fine (has_port 0) */
  HZ_WIRE_HP_PORT_ZERO = 1 << 1,     /* port 0 is fine: a listener asking
                                      * the kernel for an ephemeral port */
};

typedef enum {
  HZ_WIRE_HOST_NAME = 0, /* a DNS name: resolve it, send it as SNI */
  HZ_WIRE_HOST_IPV4,     /* dotted quad */
  HZ_WIRE_HOST_IPV6,     /* was in brackets; host holds it without them */
} hz_wire_host_kind_t;

/* Longest host kept: a DNS name is at most 253 characters. */
#define HZ_WIRE_HOST_MAX 253

typedef struct hz_wire_hostport_s {
  char host[HZ_WIRE_HOST_MAX + 1]; /* NUL-terminated, IPv6 without brackets */
  hz_wire_host_kind_t kind;        /* decides resolution, SNI, bracketing */
  int has_port;                    /* 0 only under HZ_WIRE_HP_PORT_OPTIONAL */
  uint16_t port;                   /* 0 when absent or an ephemeral request */
} hz_wire_hostport_t;

/* Parses the len bytes at s (no NUL needed) into out. out is cleared
 * first, so on error it holds no half result. */
int hz_wire_hostport_parse(const char *s, size_t len, unsigned flags, hz_wire_hostport_t *out,
                           char *err, size_t errlen);

/* Writes "host:port", or "[v6]:port" for IPv6 (the :authority form), into
 * buf. Returns 0, or -ENOSPC when it does not fit. */
int hz_wire_hostport_format(const hz_wire_hostport_t *hp, char *buf, size_t len);

#endif
