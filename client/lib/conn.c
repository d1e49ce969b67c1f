/* One HTTP/2 client connection: the nghttp2 session, its callbacks (which
 * hand stream events to stream.c) and the pump that moves bytes between
 * nghttp2 and the socket, waiting with poll() no longer than a deadline. */
#include "internal.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Read at most this much per pump so that writes get their turn. */
#define READ_CHUNK     16384
#define READS_PER_PUMP 8

static hzc_call_t *stream_call(nghttp2_session *s, int32_t stream_id) {
  return stream_id > 0 ? nghttp2_session_get_stream_user_data(s, stream_id) : NULL;
}

static int on_begin_headers(nghttp2_session *s, const nghttp2_frame *frame, void *ud) {
  (void)ud;
  hzc_call_t *call = stream_call(s, frame->hd.stream_id);
  if (call && frame->hd.type == NGHTTP2_HEADERS)
    hzc_stream_begin_headers(call, frame->headers.cat);
  return 0;
}

static int on_header(nghttp2_session *s, const nghttp2_frame *frame, const uint8_t *name,
                     size_t namelen, const uint8_t *value, size_t valuelen, uint8_t flags,
                     void *ud) {
  (void)flags;
  (void)ud;
  hzc_call_t *call = stream_call(s, frame->hd.stream_id);
  if (!call || frame->hd.type != NGHTTP2_HEADERS)
    return 0;
  if (hzc_stream_header(call, name, namelen, value, valuelen) < 0)
    return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE; /* resets the stream */
  return 0;
}

static int on_frame_recv(nghttp2_session *s, const nghttp2_frame *frame, void *ud) {
  hzc_conn_t *c = ud;
  int end = (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0;
  hzc_call_t *call;

  switch (frame->hd.type) {
  case NGHTTP2_HEADERS:
    if ((call = stream_call(s, frame->hd.stream_id)) != NULL)
      hzc_stream_headers_done(call, end);
    break;
  case NGHTTP2_DATA:
    if (end && (call = stream_call(s, frame->hd.stream_id)) != NULL)
      hzc_stream_remote_end(call);
    break;
  case NGHTTP2_GOAWAY:
    /* Streams above last_stream_id are closed by nghttp2 with
     * REFUSED_STREAM; the rest may still complete here. */
    c->goaway = 1;
    break;
  default: break;
  }
  return 0;
}

static int on_data_chunk(nghttp2_session *s, uint8_t flags, int32_t stream_id, const uint8_t *data,
                         size_t len, void *ud) {
  (void)flags;
  (void)ud;
  hzc_call_t *call = stream_call(s, stream_id);
  if (call)
    hzc_stream_data(call, data, len);
  else
    nghttp2_session_consume(s, stream_id, len);
  return 0;
}

static int on_stream_close(nghttp2_session *s, int32_t stream_id, uint32_t error_code, void *ud) {
  (void)ud;
  hzc_call_t *call = stream_call(s, stream_id);
  if (call)
    hzc_stream_closed(call, error_code); /* may free an abandoned call */
  return 0;
}

static int session_new(hzc_conn_t *c) {
  nghttp2_session_callbacks *cbs = NULL;
  nghttp2_option *opt = NULL;
  int rv = -1;

  if (nghttp2_session_callbacks_new(&cbs) != 0 || nghttp2_option_new(&opt) != 0)
    goto out;
  nghttp2_session_callbacks_set_on_begin_headers_callback(cbs, on_begin_headers);
  nghttp2_session_callbacks_set_on_header_callback(cbs, on_header);
  nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, on_frame_recv);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, on_data_chunk);
  nghttp2_session_callbacks_set_on_stream_close_callback(cbs, on_stream_close);
  /* Window updates follow what the application has read (see stream.c), so
   * a slow reader throttles the server instead of growing our memory. */
  nghttp2_option_set_no_auto_window_update(opt, 1);
  if (nghttp2_session_client_new2(&c->session, cbs, c, opt) != 0)
    goto out;

  nghttp2_settings_entry iv[] = {
      {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, HZC_STREAM_WINDOW},
      {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, HZC_MAX_HEADER_LIST},
  };
  if (nghttp2_submit_settings(c->session, NGHTTP2_FLAG_NONE, iv, sizeof(iv) / sizeof(iv[0])) != 0 ||
      nghttp2_session_set_local_window_size(c->session, NGHTTP2_FLAG_NONE, 0, HZC_CONN_WINDOW) != 0)
    goto out;
  rv = 0;
out:
  nghttp2_session_callbacks_del(cbs);
  nghttp2_option_del(opt);
  return rv;
}

hzc_conn_t *hzc_conn_open(hzc_client_t *client, int64_t deadline, hzc_status_t *st) {
  hzc_conn_t *c = calloc(1, sizeof(*c));
  if (!c) {
    hzc_status_set(st, HZ_STATUS_RESOURCE_EXHAUSTED, "out of memory");
    return NULL;
  }
  c->client = client;
  if (hzc_transport_connect(&c->tr, &client->addr, client->ssl_ctx, client->bio_method, deadline,
                            st) < 0) {
    free(c);
    return NULL;
  }
  if (session_new(c) < 0) {
    hzc_status_set(st, HZ_STATUS_INTERNAL, "cannot create an HTTP/2 session");
    hzc_conn_free(c);
    return NULL;
  }
  return c;
}

void hzc_conn_fail(hzc_conn_t *c, int code, const char *fmt, ...) {
  if (c->dead)
    return;
  char msg[400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  c->dead = 1;
  hzc_transport_close(&c->tr);
  for (hzc_call_t *call = c->calls; call; call = call->next)
    hzc_call_fail(call, code, "%s", msg);
}

/* The connection broke. A plaintext connection that dies before the
 * server said anything is most often h2c spoken to a TLS port. */
static void lost(hzc_conn_t *c, const char *why) {
  const hzc_addr_t *a = &c->client->addr;
  if (!a->tls && !c->heard_from)
    hzc_conn_fail(c, HZ_STATUS_UNAVAILABLE,
                  "connection to %s: %s before any HTTP/2 answer "
                  "(if the server uses TLS, use https://%s)",
                  a->authority, why, a->authority);
  else
    hzc_conn_fail(c, HZ_STATUS_UNAVAILABLE, "connection to %s: %s", a->authority, why);
}

/* Writes what nghttp2 has queued until done or the socket is full.
 * Returns 1 if bytes went out, 0 if none could, -1 if the connection failed. */
static int conn_write(hzc_conn_t *c) {
  int progress = 0;
  for (;;) {
    if (c->out_len == 0) {
      const uint8_t *data;
      ssize_t n = nghttp2_session_mem_send(c->session, &data);
      if (n < 0) {
        hzc_conn_fail(c, HZ_STATUS_INTERNAL, "HTTP/2 error: %s", nghttp2_strerror((int)n));
        return -1;
      }
      if (n == 0)
        return progress;
      c->out = data;
      c->out_len = (size_t)n;
    }
    ssize_t w = hzc_transport_write(&c->tr, c->out, c->out_len);
    if (w == HZC_IO_AGAIN)
      return progress;
    if (w < 0) {
      lost(c, c->tr.err);
      return -1;
    }
    c->out += w;
    c->out_len -= (size_t)w;
    progress = 1;
  }
}

/* Reads what the socket has and feeds nghttp2. Returns 0 or -1 (failed). */
static int conn_read(hzc_conn_t *c) {
  uint8_t buf[READ_CHUNK];
  for (int i = 0; i < READS_PER_PUMP; i++) {
    ssize_t n = hzc_transport_read(&c->tr, buf, sizeof(buf));
    if (n == HZC_IO_AGAIN)
      return 0;
    if (n == HZC_IO_EOF || n < 0) {
      lost(c, n == HZC_IO_EOF ? "closed by the server" : c->tr.err);
      return -1;
    }
    c->heard_from = 1;
    ssize_t used = nghttp2_session_mem_recv(c->session, buf, (size_t)n);
    if (used < 0) {
      hzc_conn_fail(c, HZ_STATUS_INTERNAL, "HTTP/2 protocol error from %s: %s",
                    c->client->addr.authority, nghttp2_strerror((int)used));
      return -1;
    }
  }
  return 0;
}

int hzc_conn_pump(hzc_conn_t *c, int64_t deadline) {
  if (c->dead)
    return HZC_PUMP_ECONN;
  int w = conn_write(c);
  if (w < 0)
    return HZC_PUMP_ECONN;
  if (w > 0)
    return 0; /* progress: let the caller look again before waiting */

  if (!hzc_transport_buffered(&c->tr)) {
    struct pollfd p = {.fd = c->tr.fd, .events = POLLIN};
    if (c->out_len > 0 || c->tr.read_wants_write)
      p.events |= POLLOUT;
    int n = poll(&p, 1, hzc_poll_timeout(deadline));
    if (n == 0)
      return deadline && hzc_clock_ms() >= deadline ? HZC_PUMP_ETIMEDOUT : 0;
    if (n < 0)
      return 0; /* EINTR: the caller re-checks its deadline */
    if (!(p.revents & (POLLIN | POLLHUP | POLLERR)) && !c->tr.read_wants_write)
      return 0; /* only writable: the next pump writes */
  }
  if (conn_read(c) < 0)
    return HZC_PUMP_ECONN;
  if (!nghttp2_session_want_read(c->session) && !nghttp2_session_want_write(c->session)) {
    hzc_conn_fail(c, HZ_STATUS_UNAVAILABLE, "connection to %s closed by the server",
                  c->client->addr.authority);
    return HZC_PUMP_ECONN;
  }
  return 0;
}

void hzc_conn_flush_nowait(hzc_conn_t *c) {
  if (c && !c->dead)
    conn_write(c);
}

void hzc_conn_free(hzc_conn_t *c) {
  if (!c)
    return;
  if (c->session)
    nghttp2_session_del(c->session);
  c->session = NULL;
  hzc_call_t *call = c->calls;
  while (call) {
    hzc_call_t *next = call->next;
    call->conn = NULL;
    call->next = NULL;
    if (call->abandoned)
      hzc_call_free(call);
    else
      hzc_call_fail(call, HZ_STATUS_CANCELLED, "the client was closed");
    call = next;
  }
  hzc_transport_close(&c->tr);
  free(c);
}
