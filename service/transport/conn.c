/* Connection lifecycle: read → (TLS) → the protocol decision → nghttp2 or
 * HTTP/1.1 (http1.c), and back → (TLS) → one batched write at a time; one
 * timer per connection for its deadlines (handshake and the first request
 * bytes, request headers, write progress, idle); drain and close. */
#include "transport/conn.h"

#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "transport/http1.h"
#include "transport/server.h"
#include "transport/stream.h"
#include "transport/tls.h"

#define WRITE_BATCH (64u * 1024u) /* plaintext gathered per write */

static hz_log_t *conn_log(hz_conn_t *c) {
  return &c->server->ctx->log;
}

static void on_handle_closed(uv_handle_t *h) {
  hz_conn_t *c = h->data;
  if (--c->open_handles > 0)
    return;
  hz_server_t *s = c->server;
  hz_metrics_t *m = s->page ? NULL : s->ctx->metrics;
  if (m && c->proto != HZ_PROTO_UNDECIDED)
    hz_metric_add(c->proto == HZ_PROTO_H2 ? &m->conns_h2_closed : &m->conns_h1_closed, 1);
  free(c->wbuf);
  hz_tls_conn_free(c->tls);
  free(c);
  hz_server_conn_gone(s);
}

static void unlink_from_server(hz_conn_t *c) {
  hz_server_t *s = c->server;
  if (c->prev)
    c->prev->next = c->next;
  else
    s->conns = c->next;
  if (c->next)
    c->next->prev = c->prev;
  c->prev = c->next = NULL;
}

void hz_conn_close(hz_conn_t *c) {
  if (c->state == HZ_CONN_CLOSING)
    return;
  c->state = HZ_CONN_CLOSING;
  unlink_from_server(c);
  hz_stream_detach_all(c);
  nghttp2_session_del(c->session);
  c->session = NULL;
  hz_http1_free(c->h1);
  c->h1 = NULL;
  uv_close((uv_handle_t *)&c->tcp, on_handle_closed);
  uv_close((uv_handle_t *)&c->timer, on_handle_closed);
}

/* HTTP/1.1 output: one batch from http1.c (encrypted under TLS). */
static uint8_t *gather_http1(hz_conn_t *c, size_t *len, int *failed) {
  uint8_t *buf = malloc(WRITE_BATCH);
  *len = 0;
  if (!buf) {
    *failed = 1;
    return NULL;
  }
  size_t n = hz_http1_produce(c->h1, buf, WRITE_BATCH);
  if (!c->tls) {
    *len = n;
    return buf;
  }
  int bad = n > 0 && hz_tls_conn_write(c->tls, buf, n);
  free(buf);
  size_t pending = bad ? 0 : hz_tls_conn_pending(c->tls);
  buf = pending ? malloc(pending) : NULL;
  if (bad || (pending && !buf)) {
    *failed = 1;
    return NULL;
  }
  if (buf)
    *len = hz_tls_conn_take(c->tls, buf, pending);
  return buf;
}

/* Gathers output into one buffer (encrypting it under TLS). */
static size_t gather_output(hz_conn_t *c, uint8_t **out, int *failed) {
  size_t cap = WRITE_BATCH + 1024, len = 0;
  uint8_t *buf = NULL;
  *failed = 0;
  if (c->h1) {
    *out = gather_http1(c, &len, failed);
    return len;
  }
  /* Until the handshake is done OpenSSL cannot take application data;
   * until the first bytes decide there is no session. */
  int h2_ready = c->session && (!c->tls || (hz_tls_conn_ready(c->tls) && !c->tls_failed));
  while (h2_ready) {
    const uint8_t *data;
    ssize_t n = nghttp2_session_mem_send(c->session, &data);
    if (n < 0) {
      *failed = 1;
      break;
    }
    if (n == 0)
      break;
    if (c->tls) {
      if (hz_tls_conn_write(c->tls, data, (size_t)n)) {
        *failed = 1;
        break;
      }
      if (hz_tls_conn_pending(c->tls) >= WRITE_BATCH)
        break;
      continue;
    }
    if (!buf || len + (size_t)n > cap) {
      size_t ncap = len + (size_t)n > cap ? len + (size_t)n : cap;
      uint8_t *nb = realloc(buf, ncap);
      if (!nb) {
        *failed = 1;
        break;
      }
      buf = nb;
      cap = ncap;
    }
    memcpy(buf + len, data, (size_t)n);
    len += (size_t)n;
    if (len >= WRITE_BATCH)
      break;
  }
  if (c->tls && !*failed) {
    size_t pending = hz_tls_conn_pending(c->tls);
    if (pending > 0) {
      buf = malloc(pending);
      if (!buf) {
        *failed = 1;
        return 0;
      }
      len = hz_tls_conn_take(c->tls, buf, pending);
    }
  }
  if (*failed) {
    free(buf);
    return 0;
  }
  *out = buf;
  return len;
}

static void on_write_done(uv_write_t *req, int status) {
  hz_conn_t *c = req->data;
  free(c->wbuf);
  c->wbuf = NULL;
  c->write_in_flight = 0;
  if (c->state == HZ_CONN_CLOSING)
    return;
  if (status < 0) {
    hz_log_debug(conn_log(c), "%s: write failed: %s", c->peer, uv_strerror(status));
    hz_conn_close(c);
    return;
  }
  if (c->h1)
    hz_http1_after_write(c->h1);
  hz_stream_notify_drained(c);
  hz_conn_flush(c);
}

/* Nothing more will be said on c: it may close once its output is out. */
static int conn_done(hz_conn_t *c) {
  if (c->tls_failed)
    return 1;
  if (c->h1)
    return hz_http1_finished(c->h1);
  if (!c->session)
    return 0;
  return !nghttp2_session_want_read(c->session) && !nghttp2_session_want_write(c->session);
}

void hz_conn_flush(hz_conn_t *c) {
  if (c->state == HZ_CONN_CLOSING || c->in_recv || c->write_in_flight || c->flushing)
    return;
  c->flushing = 1;
  uint8_t *buf = NULL;
  int failed;
  size_t len = gather_output(c, &buf, &failed);
  c->flushing = 0;
  if (failed) {
    hz_conn_close(c);
    return;
  }
  if (len == 0) {
    free(buf);
    if (conn_done(c))
      hz_conn_close(c);
    return;
  }
  c->wbuf = buf;
  uv_buf_t b = uv_buf_init((char *)buf, (unsigned)len);
  c->write_req.data = c;
  int r = uv_write(&c->write_req, (uv_stream_t *)&c->tcp, &b, 1, on_write_done);
  if (r < 0) {
    free(c->wbuf);
    c->wbuf = NULL;
    hz_conn_close(c);
    return;
  }
  c->write_in_flight = 1;
  c->write_started_at = uv_now(c->tcp.loop);
  hz_conn_arm(c, c->write_started_at + (uint64_t)c->server->ctx->config->write_timeout_s * 1000u);
}

static int submit_settings(hz_conn_t *c);

/* The first bytes are the HTTP/2 preface: the nghttp2 session from now. */
static int start_h2(hz_conn_t *c) {
  hz_server_t *s = c->server;
  c->proto = HZ_PROTO_H2;
  if (s->ctx->metrics && !s->page)
    hz_metric_add(&s->ctx->metrics->conns_h2, 1);
  if (nghttp2_session_server_new2(&c->session, s->callbacks, c, s->h2_options) ||
      submit_settings(c))
    return -1;
  return 0;
}

static int feed_h2(hz_conn_t *c, const uint8_t *data, size_t len);

/* Bytes until the first HZ_CONN_PREFACE_LEN decide the protocol: the
 * HTTP/2 client preface (RFC 9113 3.4, also what ALPN "h2" clients send
 * first) or HTTP/1.1. A prefix of the preface waits for more. */
static int sniff(hz_conn_t *c, const uint8_t *data, size_t len) {
  static const char preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
  size_t room = (size_t)HZ_CONN_PREFACE_LEN - c->nsniff;
  size_t take = room < len ? room : len;
  memcpy(c->sniff + c->nsniff, data, take);
  c->nsniff += (uint8_t)take;
  int h2 = memcmp(c->sniff, preface, c->nsniff) == 0;
  if (h2 && c->nsniff < HZ_CONN_PREFACE_LEN)
    return 0;
  if (h2) {
    if (start_h2(c))
      return -2;
    int r = feed_h2(c, c->sniff, c->nsniff);
    return r ? r : feed_h2(c, data + take, len - take);
  }
  c->proto = HZ_PROTO_HTTP1;
  if (c->server->ctx->metrics && !c->server->page)
    hz_metric_add(&c->server->ctx->metrics->conns_h1, 1);
  c->preface_done = 1; /* an HTTP/1.1 request's own head has its deadline */
  if (!(c->h1 = hz_http1_new(c)))
    return -2;
  c->in_recv = 1;
  hz_http1_feed(c->h1, c->sniff, c->nsniff);
  hz_http1_feed(c->h1, data + take, len - take);
  c->in_recv = 0;
  return 0;
}

/* Returns 0, 1 when HTTP/2 itself failed (nghttp2 queued a GOAWAY), -2
 * when out of memory. */
static int feed_plain(void *ud, const uint8_t *data, size_t len) {
  hz_conn_t *c = ud;
  if (c->proto == HZ_PROTO_UNDECIDED)
    return sniff(c, data, len);
  if (c->h1) {
    c->in_recv = 1;
    hz_http1_feed(c->h1, data, len);
    c->in_recv = 0;
    return 0;
  }
  return feed_h2(c, data, len);
}

static int feed_h2(hz_conn_t *c, const uint8_t *data, size_t len) {
  if (len == 0)
    return 0;
  c->in_recv = 1;
  ssize_t r = nghttp2_session_mem_recv(c->session, data, len);
  c->in_recv = 0;
  if (r < 0) {
    hz_log_debug(conn_log(c), "%s: HTTP/2 error: %s", c->peer, nghttp2_strerror((int)r));
    return 1;
  }
  return 0;
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
  (void)suggested;
  hz_conn_t *c = h->data;
  /* Reads are consumed before the callback returns: one buffer serves all. */
  *buf = uv_buf_init((char *)c->server->read_buf, HZ_SERVER_READ_BUF);
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf) {
  hz_conn_t *c = stream->data;
  if (nread == 0 || c->state == HZ_CONN_CLOSING)
    return;
  if (nread < 0) {
    hz_conn_close(c);
    return;
  }
  int r;
  if (c->tls)
    r = hz_tls_conn_feed(c->tls, (const uint8_t *)buf->base, (size_t)nread, feed_plain, c);
  else
    r = feed_plain(c, (const uint8_t *)buf->base, (size_t)nread);
  if (c->state == HZ_CONN_CLOSING)
    return;
  if (r == -2) {
    hz_conn_close(c); /* no memory for the protocol's state */
    return;
  }
  if (r < 0) {
    /* TLS is broken: only its alert can still go out. */
    uv_read_stop(stream);
    c->tls_failed = 1;
  } else if (r > 0) {
    /* Send what nghttp2 queued (GOAWAY with the reason), then close. */
    uv_read_stop(stream);
    nghttp2_session_terminate_session(c->session, NGHTTP2_PROTOCOL_ERROR);
  }
  hz_conn_flush(c);
}

static uint64_t secs(uint32_t s) {
  return (uint64_t)s * 1000u;
}

static uint64_t earliest(uint64_t a, uint64_t b) {
  return a < b ? a : b;
}

/* Why the connection must go now, or NULL. Each rule bounds what a peer
 * can hold without making progress: a socket slot (handshake), a header
 * block nghttp2 is gathering (headers), our output (writes). */
static const char *conn_expired(hz_conn_t *c, uint64_t now, uint64_t *next) {
  const hz_config_t *cfg = c->server->ctx->config;
  uint64_t hs = secs(cfg->handshake_timeout_s);
  uint64_t wt = secs(cfg->write_timeout_s);
  if (!c->preface_done) {
    if (now >= c->started_at + hs)
      return c->tls ? "no TLS handshake and first request" : "no HTTP/2 preface or request";
    *next = earliest(*next, c->started_at + hs);
  }
  if (c->write_in_flight) {
    if (now >= c->write_started_at + wt)
      return "peer read none of our output";
    *next = earliest(*next, c->write_started_at + wt);
  }
  if (hz_stream_check_deadlines(c, now, next))
    return "request headers unfinished";
  if (c->ncalls == 0 && c->preface_done && c->state == HZ_CONN_ACTIVE)
    *next = earliest(*next, c->last_active + secs(cfg->idle_timeout_s));
  return NULL;
}

static void on_conn_timer(uv_timer_t *t) {
  hz_conn_t *c = t->data;
  uint64_t now = uv_now(t->loop), next = UINT64_MAX;
  c->timer_due = 0;
  const char *why = conn_expired(c, now, &next);
  if (why) {
    hz_log_debug(conn_log(c), "%s: %s in time, closing", c->peer, why);
    hz_conn_close(c);
    return;
  }
  if (c->state == HZ_CONN_ACTIVE && c->ncalls == 0 && c->preface_done &&
      now >= c->last_active + secs(c->server->ctx->config->idle_timeout_s)) {
    hz_log_debug(conn_log(c), "%s: no calls for %llu ms, closing", c->peer,
                 (unsigned long long)(now - c->last_active));
    hz_conn_drain(c);
    return;
  }
  hz_conn_flush(c); /* whatever a handler queued while flushing was unsafe */
  if (c->state != HZ_CONN_CLOSING && next != UINT64_MAX)
    hz_conn_arm(c, next);
}

void hz_conn_arm(hz_conn_t *c, uint64_t due) {
  if (c->state == HZ_CONN_CLOSING || (c->timer_due && c->timer_due <= due))
    return;
  uint64_t now = uv_now(c->tcp.loop);
  c->timer_due = due ? due : 1;
  uv_timer_start(&c->timer, on_conn_timer, due > now ? due - now : 0, 0);
}

static void describe_peer(hz_conn_t *c) {
  struct sockaddr_storage ss;
  int len = sizeof(ss);
  char ip[48] = "?";
  int port = 0;
  if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&ss, &len) == 0) {
    if (ss.ss_family == AF_INET) {
      uv_ip4_name((struct sockaddr_in *)&ss, ip, sizeof(ip));
      port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
    } else if (ss.ss_family == AF_INET6) {
      uv_ip6_name((struct sockaddr_in6 *)&ss, ip, sizeof(ip));
      port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    }
  }
  snprintf(c->peer, sizeof(c->peer), "%s:%d", ip, port);
}

static int submit_settings(hz_conn_t *c) {
  const hz_config_t *cfg = c->server->ctx->config;
  nghttp2_settings_entry iv[] = {
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, cfg->max_streams},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 1u << 20},
      {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, cfg->max_header_bytes},
  };
  int r = nghttp2_submit_settings(c->session, NGHTTP2_FLAG_NONE, iv, sizeof(iv) / sizeof(iv[0]));
  if (r == 0) /* bulk uploads need more than the 64 KiB connection window */
    r = nghttp2_session_set_local_window_size(c->session, NGHTTP2_FLAG_NONE, 0, 16u << 20);
  return r;
}

int hz_conn_start(hz_conn_t *c) {
  hz_server_t *s = c->server;
  c->tcp.data = c;
  c->timer.data = c;
  c->open_handles = 2;
  c->state = HZ_CONN_ACTIVE;
  c->started_at = c->last_active = uv_now(s->ctx->loop);
  uv_timer_init(s->ctx->loop, &c->timer);
  describe_peer(c);
  uv_tcp_nodelay(&c->tcp, 1);
  if (s->tls && !(c->tls = hz_tls_conn_new(s->tls)))
    goto fail;
  /* No SETTINGS before the client's first bytes: they decide whether this
   * is HTTP/2 at all (a server may send its preface after the client's). */
  if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read))
    goto fail;
  hz_conn_arm(c, c->started_at + secs(s->ctx->config->handshake_timeout_s));
  return 0;
fail:
  hz_conn_close(c);
  return -1;
}

void hz_conn_read(hz_conn_t *c, int on) {
  if (c->state == HZ_CONN_CLOSING)
    return;
  if (on)
    uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
  else
    uv_read_stop((uv_stream_t *)&c->tcp);
}

void hz_conn_drain(hz_conn_t *c) {
  if (c->state != HZ_CONN_ACTIVE)
    return;
  c->state = HZ_CONN_DRAINING;
  if (!c->session) {
    if (!c->h1) {
      hz_conn_close(c); /* undecided: no request to finish */
      return;
    }
    hz_http1_drain(c->h1);
    hz_conn_flush(c);
    return;
  }
  nghttp2_submit_goaway(c->session, NGHTTP2_FLAG_NONE,
                        nghttp2_session_get_last_proc_stream_id(c->session), NGHTTP2_NO_ERROR, NULL,
                        0);
  hz_conn_flush(c);
}
