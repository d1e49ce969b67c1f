/* TCP connect with a deadline and TLS (OpenSSL) with ALPN h2 and full
 * certificate verification, on a non-blocking socket. */
#include "transport.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "internal.h"

static const unsigned char alpn_h2[] = {2, 'h', '2'};

/* ---- TLS context and socket BIO ---- */

SSL_CTX *hzc_tls_ctx_new(const char *ca_file, hzc_status_t *err) {
  SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
  if (!ctx) {
    hzc_status_set(err, HZ_STATUS_INTERNAL, "cannot create a TLS context");
    return NULL;
  }
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
  /* A peer that closes without close_notify is just a closed connection. */
  SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  int ok = ca_file ? SSL_CTX_load_verify_locations(ctx, ca_file, NULL)
                   : SSL_CTX_set_default_verify_paths(ctx);
  if (ok != 1) {
    char why[160];
    ERR_error_string_n(ERR_get_error(), why, sizeof(why));
    hzc_status_set(err, HZ_STATUS_INVALID_ARGUMENT, "cannot load CA %s: %s",
                   ca_file ? ca_file : "(system store)", why);
    ERR_clear_error();
    SSL_CTX_free(ctx);
    return NULL;
  }
  return ctx;
}

static int bio_fd(BIO *b) {
  return (int)(intptr_t)BIO_get_data(b);
}

static int bio_sock_write(BIO *b, const char *buf, int len) {
  BIO_clear_retry_flags(b);
  ssize_t n = send(bio_fd(b), buf, (size_t)len, MSG_NOSIGNAL);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
      BIO_set_retry_write(b);
    return -1;
  }
  return (int)n;
}

static int bio_sock_read(BIO *b, char *buf, int len) {
  BIO_clear_retry_flags(b);
  ssize_t n = recv(bio_fd(b), buf, (size_t)len, 0);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
      BIO_set_retry_read(b);
    return -1;
  }
  return (int)n;
}

static long bio_sock_ctrl(BIO *b, int cmd, long num, void *ptr) {
  (void)b;
  (void)num;
  (void)ptr;
  /* Writes go straight to the kernel: nothing to flush, nothing else
   * supported. */
  return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

static int bio_sock_create(BIO *b) {
  BIO_set_init(b, 1);
  return 1;
}

BIO_METHOD *hzc_tls_bio_method_new(void) {
  BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "hz socket");
  if (!m)
    return NULL;
  BIO_meth_set_write(m, bio_sock_write);
  BIO_meth_set_read(m, bio_sock_read);
  BIO_meth_set_ctrl(m, bio_sock_ctrl);
  BIO_meth_set_create(m, bio_sock_create);
  return m;
}

/* ---- connecting ---- */

/* Waits for events on fd until deadline: 1 ready, 0 deadline passed. */
static int wait_fd(int fd, short events, int64_t deadline) {
  for (;;) {
    struct pollfd p = {.fd = fd, .events = events};
    int n = poll(&p, 1, hzc_poll_timeout(deadline));
    if (n > 0)
      return 1;
    if (n == 0)
      return 0;
    if (errno != EINTR)
      return 1; /* let the following I/O call report the error */
  }
}

/* Connects to one resolved address. Returns fd, or -1 with *err = errno
 * (ETIMEDOUT when the deadline passed). */
static int connect_one(const struct addrinfo *ai, int64_t deadline, int *err) {
  int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
  if (fd < 0) {
    *err = errno;
    return -1;
  }
  if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
    if (errno != EINPROGRESS) {
      *err = errno;
      close(fd);
      return -1;
    }
    if (!wait_fd(fd, POLLOUT, deadline)) {
      *err = ETIMEDOUT;
      close(fd);
      return -1;
    }
    int soerr = 0;
    socklen_t sl = sizeof(soerr);
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
      soerr = errno;
    if (soerr != 0) {
      *err = soerr;
      close(fd);
      return -1;
    }
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return fd;
}

static int tcp_connect(hzc_transport_t *t, const hzc_addr_t *addr, int64_t deadline,
                       hzc_status_t *st) {
  struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
  struct addrinfo *res = NULL;
  int gai = getaddrinfo(addr->host, addr->port, &hints, &res);
  if (gai != 0) {
    hzc_status_set(st, HZ_STATUS_UNAVAILABLE, "cannot resolve %s: %s", addr->host,
                   gai_strerror(gai));
    return -1;
  }
  int err = 0;
  for (struct addrinfo *ai = res; ai && t->fd < 0; ai = ai->ai_next) {
    t->fd = connect_one(ai, deadline, &err);
    if (err == ETIMEDOUT && deadline && hzc_clock_ms() >= deadline)
      break;
  }
  freeaddrinfo(res);
  if (t->fd >= 0)
    return 0;
  if (err == ETIMEDOUT && deadline && hzc_clock_ms() >= deadline)
    hzc_status_set(st, HZ_STATUS_DEADLINE_EXCEEDED, "deadline exceeded while connecting to %s",
                   addr->authority);
  else if (err == ECONNREFUSED)
    hzc_status_set(st, HZ_STATUS_UNAVAILABLE,
                   "cannot connect to %s: connection refused (is huizongd running there?)",
                   addr->authority);
  else
    hzc_status_set(st, HZ_STATUS_UNAVAILABLE, "cannot connect to %s: %s", addr->authority,
                   strerror(err));
  return -1;
}

/* Why the handshake failed, in words a user can act on. */
static void tls_failure(hzc_transport_t *t, const hzc_addr_t *addr, int ssl_err, hzc_status_t *st) {
  long vr = SSL_get_verify_result(t->ssl);
  unsigned long e = ERR_peek_error();
  if (vr != X509_V_OK) {
    hzc_status_set(st, HZ_STATUS_UNAVAILABLE, "TLS: cannot verify the certificate of %s: %s",
                   addr->authority, X509_verify_cert_error_string(vr));
  } else if (e != 0) {
    char why[160];
    ERR_error_string_n(e, why, sizeof(why));
    hzc_status_set(st, HZ_STATUS_UNAVAILABLE, "TLS handshake with %s failed: %s", addr->authority,
                   why);
  } else if (ssl_err == SSL_ERROR_SYSCALL && errno != 0) {
    hzc_status_set(st, HZ_STATUS_UNAVAILABLE, "TLS handshake with %s failed: %s", addr->authority,
                   strerror(errno));
  } else {
    hzc_status_set(st, HZ_STATUS_UNAVAILABLE,
                   "TLS handshake with %s failed: connection closed by the server",
                   addr->authority);
  }
  ERR_clear_error();
}

static int tls_setup(hzc_transport_t *t, const hzc_addr_t *addr, SSL_CTX *ctx,
                     BIO_METHOD *bio_method, hzc_status_t *st) {
  t->ssl = SSL_new(ctx);
  BIO *bio = t->ssl ? BIO_new(bio_method) : NULL;
  if (!bio) {
    hzc_status_set(st, HZ_STATUS_INTERNAL, "cannot create a TLS session");
    return -1;
  }
  BIO_set_data(bio, (void *)(intptr_t)t->fd);
  SSL_set_bio(t->ssl, bio, bio);
  int ok;
  if (addr->host_is_ip) {
    ok = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(t->ssl), addr->host);
  } else {
    ok =
        SSL_set_tlsext_host_name(t->ssl, addr->host) == 1 && SSL_set1_host(t->ssl, addr->host) == 1;
  }
  /* SSL_set_alpn_protos returns 0 on success, unlike its neighbours. */
  if (ok != 1 || SSL_set_alpn_protos(t->ssl, alpn_h2, sizeof(alpn_h2)) != 0) {
    hzc_status_set(st, HZ_STATUS_INTERNAL, "cannot configure the TLS session");
    return -1;
  }
  return 0;
}

static int tls_handshake(hzc_transport_t *t, const hzc_addr_t *addr, int64_t deadline,
                         hzc_status_t *st) {
  for (;;) {
    ERR_clear_error();
    errno = 0;
    int r = SSL_connect(t->ssl);
    if (r == 1)
      break;
    int e = SSL_get_error(t->ssl, r);
    short ev = e == SSL_ERROR_WANT_READ ? POLLIN : e == SSL_ERROR_WANT_WRITE ? POLLOUT : 0;
    if (!ev) {
      tls_failure(t, addr, e, st);
      return -1;
    }
    if (!wait_fd(t->fd, ev, deadline)) {
      hzc_status_set(st, HZ_STATUS_DEADLINE_EXCEEDED,
                     "deadline exceeded during the TLS handshake with %s", addr->authority);
      return -1;
    }
  }
  const unsigned char *proto = NULL;
  unsigned proto_len = 0;
  SSL_get0_alpn_selected(t->ssl, &proto, &proto_len);
  if (proto_len != 2 || memcmp(proto, "h2", 2) != 0) {
    hzc_status_set(st, HZ_STATUS_UNAVAILABLE,
                   "%s did not negotiate HTTP/2 (ALPN h2) during the TLS handshake",
                   addr->authority);
    return -1;
  }
  return 0;
}

int hzc_transport_connect(hzc_transport_t *t, const hzc_addr_t *addr, SSL_CTX *ctx,
                          BIO_METHOD *bio_method, int64_t deadline, hzc_status_t *st) {
  memset(t, 0, sizeof(*t));
  t->fd = -1;
  if (tcp_connect(t, addr, deadline, st) < 0)
    return -1;
  if (!addr->tls)
    return 0;
  if (tls_setup(t, addr, ctx, bio_method, st) < 0 || tls_handshake(t, addr, deadline, st) < 0) {
    hzc_transport_close(t);
    return -1;
  }
  return 0;
}

/* ---- I/O ---- */

static ssize_t tls_result(hzc_transport_t *t, int r, int reading) {
  int e = SSL_get_error(t->ssl, r);
  switch (e) {
  case SSL_ERROR_WANT_READ: return HZC_IO_AGAIN;
  case SSL_ERROR_WANT_WRITE:
    if (reading)
      t->read_wants_write = 1;
    return HZC_IO_AGAIN;
  case SSL_ERROR_ZERO_RETURN: return reading ? HZC_IO_EOF : HZC_IO_ERROR;
  case SSL_ERROR_SYSCALL:
    snprintf(t->err, sizeof(t->err), "%s", errno ? strerror(errno) : "connection closed");
    break;
  default: {
    char why[160];
    ERR_error_string_n(ERR_get_error(), why, sizeof(why));
    snprintf(t->err, sizeof(t->err), "TLS: %s", why);
    break;
  }
  }
  ERR_clear_error();
  return HZC_IO_ERROR;
}

ssize_t hzc_transport_read(hzc_transport_t *t, uint8_t *buf, size_t len) {
  if (t->fd < 0) {
    snprintf(t->err, sizeof(t->err), "connection closed");
    return HZC_IO_ERROR;
  }
  if (t->ssl) {
    t->read_wants_write = 0;
    ERR_clear_error();
    errno = 0;
    int r = SSL_read(t->ssl, buf, len > 0x7fffffff ? 0x7fffffff : (int)len);
    return r > 0 ? r : tls_result(t, r, 1);
  }
  ssize_t n = recv(t->fd, buf, len, 0);
  if (n >= 0)
    return n;
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
    return HZC_IO_AGAIN;
  snprintf(t->err, sizeof(t->err), "%s", strerror(errno));
  return HZC_IO_ERROR;
}

ssize_t hzc_transport_write(hzc_transport_t *t, const uint8_t *buf, size_t len) {
  if (t->fd < 0) {
    snprintf(t->err, sizeof(t->err), "connection closed");
    return HZC_IO_ERROR;
  }
  if (t->ssl) {
    ERR_clear_error();
    errno = 0;
    int r = SSL_write(t->ssl, buf, len > 0x7fffffff ? 0x7fffffff : (int)len);
    return r > 0 ? r : tls_result(t, r, 0);
  }
  ssize_t n = send(t->fd, buf, len, MSG_NOSIGNAL);
  if (n >= 0)
    return n;
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
    return HZC_IO_AGAIN;
  snprintf(t->err, sizeof(t->err), "%s", strerror(errno));
  return HZC_IO_ERROR;
}

int hzc_transport_buffered(const hzc_transport_t *t) {
  return t->ssl && t->fd >= 0 && SSL_has_pending(t->ssl);
}

void hzc_transport_close(hzc_transport_t *t) {
  if (t->ssl) {
    SSL_free(t->ssl); /* frees the BIO too */
    t->ssl = NULL;
  }
  if (t->fd >= 0) {
    close(t->fd);
    t->fd = -1;
  }
}
