/* OpenSSL server side over memory BIOs. */
#include "transport/tls.h"

#include <openssl/err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct hz_tls_conn_s {
  SSL *ssl;  /* the TLS session */
  BIO *rbio; /* ciphertext from the network, read by OpenSSL */
  BIO *wbio; /* ciphertext produced by OpenSSL, for the network */
  int ready; /* handshake complete */
};

#define TLS12_CIPHERS                                          \
  "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:" \
  "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:" \
  "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:" \
  "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305"

/* ALPN: "h2" when offered (gRPC), else "http/1.1" (gRPC-Web and the
 * console from a browser); a client offering neither is refused. Either
 * way the first plaintext bytes decide the protocol (conn.c). */
static int alpn_pick(const unsigned char *in, unsigned int inlen, const char *want,
                     const unsigned char **out, unsigned char *outlen) {
  size_t wl = strlen(want);
  for (unsigned int i = 0; i < inlen;) {
    unsigned int n = in[i];
    if (i + 1 + n > inlen)
      break;
    if (n == wl && memcmp(in + i + 1, want, wl) == 0) {
      *out = in + i + 1;
      *outlen = (unsigned char)n;
      return 1;
    }
    i += 1 + n;
  }
  return 0;
}

static int select_alpn(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                       const unsigned char *in, unsigned int inlen, void *arg) {
  (void)ssl;
  (void)arg;
  if (alpn_pick(in, inlen, "h2", out, outlen) || alpn_pick(in, inlen, "http/1.1", out, outlen))
    return SSL_TLSEXT_ERR_OK;
  return SSL_TLSEXT_ERR_ALERT_FATAL;
}

static void ssl_error_text(char *err, size_t errlen, const char *what, const char *file) {
  unsigned long e = ERR_get_error();
  char buf[256];
  ERR_error_string_n(e, buf, sizeof(buf));
  snprintf(err, errlen, "%s %s: %s", what, file, e ? buf : "unknown error");
  ERR_clear_error();
}

int hz_tls_ctx_new(const char *cert_file, const char *key_file, SSL_CTX **out, char *err,
                   size_t errlen) {
  SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
  if (!ctx) {
    snprintf(err, errlen, "cannot create TLS context");
    return -1;
  }
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  /* RFC 7540 9.2: no renegotiation, no compression under HTTP/2. */
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                               SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
  /* TLS 1.2 suites: RFC 7540 9.2.2 and Appendix A forbid everything but
   * ephemeral key exchange with an AEAD cipher under HTTP/2, so AES-CBC,
   * static RSA and the like are not even offered. TLS 1.3 suites are all
   * AEAD with forward secrecy: OpenSSL's defaults stay. */
  if (SSL_CTX_set_cipher_list(ctx, TLS12_CIPHERS) != 1) {
    ssl_error_text(err, errlen, "cannot set the TLS 1.2 cipher list for", cert_file);
    goto fail;
  }
  if (SSL_CTX_use_certificate_chain_file(ctx, cert_file) != 1) {
    ssl_error_text(err, errlen, "cannot load certificate", cert_file);
    goto fail;
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, key_file, SSL_FILETYPE_PEM) != 1) {
    ssl_error_text(err, errlen, "cannot load private key", key_file);
    goto fail;
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    ssl_error_text(err, errlen, "private key does not match certificate", cert_file);
    goto fail;
  }
  SSL_CTX_set_alpn_select_cb(ctx, select_alpn, NULL);
  *out = ctx;
  return 0;
fail:
  SSL_CTX_free(ctx);
  return -1;
}

void hz_tls_ctx_free(SSL_CTX *ctx) {
  SSL_CTX_free(ctx);
}

hz_tls_conn_t *hz_tls_conn_new(SSL_CTX *ctx) {
  hz_tls_conn_t *t = calloc(1, sizeof(*t));
  if (!t)
    return NULL;
  t->ssl = SSL_new(ctx);
  t->rbio = BIO_new(BIO_s_mem());
  t->wbio = BIO_new(BIO_s_mem());
  if (!t->ssl || !t->rbio || !t->wbio) {
    BIO_free(t->rbio);
    BIO_free(t->wbio);
    SSL_free(t->ssl);
    free(t);
    return NULL;
  }
  SSL_set_bio(t->ssl, t->rbio, t->wbio); /* the SSL owns both BIOs now */
  SSL_set_accept_state(t->ssl);
  return t;
}

void hz_tls_conn_free(hz_tls_conn_t *t) {
  if (!t)
    return;
  SSL_free(t->ssl);
  free(t);
}

int hz_tls_conn_ready(const hz_tls_conn_t *t) {
  return t->ready;
}

static int fatal(int ssl_err) {
  return ssl_err != SSL_ERROR_WANT_READ && ssl_err != SSL_ERROR_WANT_WRITE;
}

int hz_tls_conn_feed(hz_tls_conn_t *t, const uint8_t *data, size_t len, hz_tls_plain_cb cb,
                     void *ud) {
  if (len > 0 && BIO_write(t->rbio, data, (int)len) != (int)len)
    return -1;
  if (!t->ready) {
    int r = SSL_do_handshake(t->ssl);
    if (r != 1) {
      int e = SSL_get_error(t->ssl, r);
      ERR_clear_error();
      return fatal(e) ? -1 : 0;
    }
    t->ready = 1;
  }
  uint8_t buf[16384];
  for (;;) {
    int n = SSL_read(t->ssl, buf, sizeof(buf));
    if (n > 0) {
      int r = cb(ud, buf, (size_t)n);
      if (r)
        return r; /* the consumer's own verdict, passed through */
      continue;
    }
    int e = SSL_get_error(t->ssl, n);
    ERR_clear_error();
    if (e == SSL_ERROR_ZERO_RETURN)
      return -1; /* close_notify: the peer is done */
    return fatal(e) ? -1 : 0;
  }
}

int hz_tls_conn_write(hz_tls_conn_t *t, const uint8_t *data, size_t len) {
  while (len > 0) {
    int n = SSL_write(t->ssl, data, (int)(len > 1u << 30 ? 1u << 30 : len));
    if (n <= 0) {
      ERR_clear_error();
      return -1;
    }
    data += n;
    len -= (size_t)n;
  }
  return 0;
}

size_t hz_tls_conn_pending(hz_tls_conn_t *t) {
  return BIO_ctrl_pending(t->wbio);
}

size_t hz_tls_conn_take(hz_tls_conn_t *t, uint8_t *buf, size_t cap) {
  int n = BIO_read(t->wbio, buf, (int)(cap > 1u << 30 ? 1u << 30 : cap));
  return n > 0 ? (size_t)n : 0;
}
