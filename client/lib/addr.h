/* Parsing of the server addresses the CLIs accept (--addr, HUIZONG_ADDR):
 * "host:port" for h2c with prior knowledge, "https://host:port" for TLS.
 * The scheme, the trailing "/" and the default ports are the client's;
 * host and port follow the grammar shared with huizongd (wire/hostport.h). */
#ifndef HZC_ADDR_H
#define HZC_ADDR_H

#include <stddef.h>

#include "wire/hostport.h"

#define HZC_ADDR_DEFAULT_PORT     50051
#define HZC_ADDR_DEFAULT_TLS_PORT 443

/* A parsed address; every string is NUL-terminated. */
typedef struct hzc_addr_s {
  int tls;                         /* 1 for https://, 0 for plaintext h2c */
  int host_is_ip;                  /* an IPv4/IPv6 literal: no SNI, verify by IP */
  char host[HZ_WIRE_HOST_MAX + 1]; /* name or IP literal, without IPv6 brackets */
  char port[6];                    /* 1..65535 in decimal, as getaddrinfo wants it */
  char authority[266];             /* host:port as :authority wants it ([v6]:port) */
} hzc_addr_t;

/* Accepted forms: "host:port", "host" (port 50051), "[v6]:port",
 * "http://host:port" (plaintext), "https://host[:port]" (TLS, port 443 by
 * default), each optionally followed by a single "/". Returns 0, or -1 with
 * a one-line reason in err (errlen bytes, may be 0). */
int hzc_addr_parse(const char *s, hzc_addr_t *out, char *err, size_t errlen);

#endif
