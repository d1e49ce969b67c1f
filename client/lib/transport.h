/* The byte pipe under HTTP/2: a non-blocking TCP socket, optionally wrapped
 * in TLS. Waiting is done by the caller with poll(); every function here
 * returns at once. */
#ifndef HZC_TRANSPORT_H
#define HZC_TRANSPORT_H

#include <stdint.h>
#include <sys/types.h>

#include <openssl/ssl.h>

#include "addr.h"
#include "hzclient.h"

/* Non-positive results of hzc_transport_read/write. */
enum {
  HZC_IO_EOF = 0,    /* read: the peer closed the connection */
  HZC_IO_AGAIN = -1, /* would block: poll and retry */
  HZC_IO_ERROR = -2, /* failed; t->err says why */
};

typedef struct hzc_transport_s {
  int fd;               /* connected socket, -1 once closed */
  SSL *ssl;             /* TLS session, NULL for plaintext h2c */
  int read_wants_write; /* TLS read stalled until the socket is writable */
  char err[192];        /* reason of the last HZC_IO_ERROR */
} hzc_transport_t;

/* Loads the trust store (ca_file, or the system's when NULL) into a TLS
 * 1.2+ client context that verifies peers. NULL with err set on failure. */
SSL_CTX *hzc_tls_ctx_new(const char *ca_file, hzc_status_t *err);

/* A BIO method doing socket I/O with MSG_NOSIGNAL, so that a server that
 * disappears never kills the client process with SIGPIPE. */
BIO_METHOD *hzc_tls_bio_method_new(void);

/* Resolves and connects to addr (trying every resolved address), then runs
 * the TLS handshake with ALPN "h2" and certificate plus host name checks
 * when addr->tls. Waits at most until deadline (monotonic ms, 0 = none).
 * Returns 0, or -1 with st set to UNAVAILABLE or DEADLINE_EXCEEDED. */
int hzc_transport_connect(hzc_transport_t *t, const hzc_addr_t *addr, SSL_CTX *ctx,
                          BIO_METHOD *bio_method, int64_t deadline, hzc_status_t *st);

ssize_t hzc_transport_read(hzc_transport_t *t, uint8_t *buf, size_t len);
ssize_t hzc_transport_write(hzc_transport_t *t, const uint8_t *buf, size_t len);

/* True when decrypted bytes wait inside TLS, invisible to poll(). */
int hzc_transport_buffered(const hzc_transport_t *t);

void hzc_transport_close(hzc_transport_t *t);

#endif
