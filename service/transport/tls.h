/* TLS for huizongd with OpenSSL memory BIOs, so the socket stays in libuv's
 * hands: ciphertext in from uv_read, plaintext out to nghttp2, and back. */
#ifndef HZ_TRANSPORT_TLS_H
#define HZ_TRANSPORT_TLS_H

#include <openssl/ssl.h>
#include <stddef.h>
#include <stdint.h>

typedef struct hz_tls_conn_s hz_tls_conn_t;

/* TLS 1.2+ server context; ALPN "h2" preferred, "http/1.1" accepted. */
int hz_tls_ctx_new(const char *cert_file, const char *key_file, SSL_CTX **out, char *err,
                   size_t errlen);
void hz_tls_ctx_free(SSL_CTX *ctx);

hz_tls_conn_t *hz_tls_conn_new(SSL_CTX *ctx);
void hz_tls_conn_free(hz_tls_conn_t *t);

typedef int (*hz_tls_plain_cb)(void *ud, const uint8_t *data, size_t len);
/* Feeds ciphertext; decrypted bytes go to cb, and a non-zero return from cb
 * stops and is returned. Returns 0, or -1 on a fatal TLS error (the alert,
 * if any, is waiting in the output). */
int hz_tls_conn_feed(hz_tls_conn_t *t, const uint8_t *data, size_t len, hz_tls_plain_cb cb,
                     void *ud);
/* Encrypts plaintext into the pending output. Returns 0 or -1. */
int hz_tls_conn_write(hz_tls_conn_t *t, const uint8_t *data, size_t len);
/* Ciphertext waiting to be written. */
size_t hz_tls_conn_pending(hz_tls_conn_t *t);
/* Moves up to cap bytes of it into buf; returns how many. */
size_t hz_tls_conn_take(hz_tls_conn_t *t, uint8_t *buf, size_t cap);
int hz_tls_conn_ready(const hz_tls_conn_t *t);

#endif
