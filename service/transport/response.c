/* The response side of a call: the send queue (fed to nghttp2 here, taken
 * by http1.c on HTTP/1.1), the final status as HTTP/2 trailers, as the
 * gRPC-Web trailer frame, or Trailers-Only; plain answers on HTTP/2;
 * on_drain, and the budgets that cut a client which does not read
 * (--max-output-bytes, the server's --max-held-bytes, --write-timeout).
 * The request side is stream.c. */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/context.h"
#include "transport/conn.h"
#include "transport/cors.h"
#include "transport/http1.h"
#include "transport/server.h"
#include "transport/stream.h"
#include "transport/web.h"

#define OUT_LOW_WATER  (256u * 1024u) /* on_drain once the queue is below */
#define OUT_HIGH_WATER (1u << 20)     /* backpressure above this many queued bytes */

static void abort_stream(hz_call_t *call, uint32_t h2_error);

#define NV(n, v, vl) \
  { (uint8_t *)(n), (uint8_t *)(v), sizeof(n) - 1, (vl), NGHTTP2_NV_FLAG_NONE }

void hz_stream_free_output(hz_call_t *call) {
  if (call->conn)
    call->conn->out_bytes -= call->out_bytes;
  hz_outbuf_t *b = call->out_head;
  while (b) {
    hz_outbuf_t *next = b->next;
    free(b);
    b = next;
  }
  call->out_head = call->out_tail = NULL;
  call->out_bytes = 0;
}

/* ---- responses ---------------------------------------------------------- */

static const char *response_content_type(const hz_call_t *call, size_t *len) {
  const char *ct = hz_web_content_type(call);
  *len = strlen(ct);
  return ct;
}

/* The CORS response headers of call (none unless its origin is allowed). */
static size_t cors_nv(const hz_call_t *call, nghttp2_nv *nv) {
  hz_header_t h[HZ_CORS_MAX_HEADERS];
  size_t n = hz_cors_response_headers(call, h);
  for (size_t i = 0; i < n; i++)
    nv[i] = (nghttp2_nv){(uint8_t *)h[i].name, (uint8_t *)h[i].value, strlen(h[i].name),
                         strlen(h[i].value), NGHTTP2_NV_FLAG_NONE};
  return n;
}

#define MAX_TRAILERS 8

/* grpc-status, grpc-message and the handler's trailers after `base`. */
static size_t fill_status_nv(hz_call_t *call, nghttp2_nv *nv, size_t base, char code[12]) {
  int n = snprintf(code, 12, "%d", call->status);
  size_t i = base;
  nv[i++] = (nghttp2_nv)NV("grpc-status", code, (size_t)n);
  if (call->status_message && *call->status_message)
    nv[i++] = (nghttp2_nv)NV("grpc-message", call->status_message, strlen(call->status_message));
  for (hz_metadata_t *m = call->trailers; m && i < base + 2 + MAX_TRAILERS; m = m->next)
    nv[i++] = (nghttp2_nv){(uint8_t *)m->name, (uint8_t *)m->value, strlen(m->name),
                           strlen(m->value), NGHTTP2_NV_FLAG_NONE};
  return i;
}

static int submit_trailers(nghttp2_session *s, hz_call_t *call) {
  char code[12];
  nghttp2_nv nv[2 + MAX_TRAILERS];
  size_t nvlen = fill_status_nv(call, nv, 0, code);
  return nghttp2_submit_trailer(s, call->stream_id, nv, nvlen);
}

static ssize_t read_response(nghttp2_session *s, int32_t stream_id, uint8_t *buf, size_t length,
                             uint32_t *flags, nghttp2_data_source *src, void *ud) {
  (void)stream_id;
  (void)ud;
  hz_call_t *call = src->ptr;
  size_t n = 0;
  while (n < length && call->out_head) {
    hz_outbuf_t *b = call->out_head;
    size_t take = b->len - b->off;
    if (take > length - n)
      take = length - n;
    memcpy(buf + n, b->data + b->off, take);
    b->off += take;
    n += take;
    call->out_bytes -= take;
    call->conn->out_bytes -= take;
    call->out_since = uv_now(call->ctx->loop);
    if (b->off == b->len) {
      call->out_head = b->next;
      if (!call->out_head)
        call->out_tail = NULL;
      free(b);
    }
  }
  if (n > 0) {
    hz_stream_account(call);
    return (ssize_t)n;
  }
  if (call->aborted)
    return NGHTTP2_ERR_DEFERRED; /* its RST_STREAM is on the way */
  if (call->state == HZ_CALL_RESPONDED && call->framing != HZ_FRAMING_GRPC) {
    *flags |= NGHTTP2_DATA_FLAG_EOF; /* gRPC-Web: the trailer frame was the last */
    return 0;
  }
  if (call->state == HZ_CALL_RESPONDED) {
    *flags |= NGHTTP2_DATA_FLAG_EOF | NGHTTP2_DATA_FLAG_NO_END_STREAM;
    if (submit_trailers(s, call))
      return NGHTTP2_ERR_CALLBACK_FAILURE;
    return 0;
  }
  return NGHTTP2_ERR_DEFERRED;
}

int hz_stream_start_response(hz_call_t *call) {
  if (call->headers_sent)
    return 0;
  size_t ctlen;
  const char *ct = response_content_type(call, &ctlen);
  nghttp2_nv nv[3 + HZ_CORS_MAX_HEADERS] = {
      NV(":status", "200", 3),
      NV("content-type", ct, ctlen),
      NV("grpc-accept-encoding", "identity", 8),
  };
  size_t nvlen = 3 + cors_nv(call, nv + 3);
  nghttp2_data_provider prd = {.source = {.ptr = call}, .read_callback = read_response};
  int r = nghttp2_submit_response(call->conn->session, call->stream_id, nv, nvlen, &prd);
  if (r == 0)
    call->headers_sent = 1;
  return r;
}

/* An answer with no messages: one HEADERS frame ending the stream. */
static int submit_trailers_only(hz_call_t *call) {
  char code[12], http[4];
  int hn =
      snprintf(http, sizeof(http), "%d", call->early_http_status ? call->early_http_status : 200);
  size_t ctlen;
  const char *ct = response_content_type(call, &ctlen);
  nghttp2_nv nv[3 + HZ_CORS_MAX_HEADERS + 2 + MAX_TRAILERS] = {
      NV(":status", http, (size_t)hn),
      NV("content-type", ct, ctlen),
      NV("grpc-accept-encoding", "identity", 8),
  };
  size_t base = 3 + cors_nv(call, nv + 3);
  size_t nvlen = fill_status_nv(call, nv, base, code);
  call->headers_sent = 1;
  return nghttp2_submit_response(call->conn->session, call->stream_id, nv, nvlen, NULL);
}

/* Queues b (already framed) behind the call's pending output and lets the
 * carrier send it: nghttp2 is told here, http1.c pulls on its flush. */
static int queue_output(hz_call_t *call, hz_outbuf_t *b) {
  int admitted = hz_stream_admit_output(call, b->len);
  if (admitted < 0) {
    free(b);
    return admitted;
  }
  hz_conn_t *c = call->conn;
  if (call->out_bytes == 0) {
    call->out_since = uv_now(call->ctx->loop);
    hz_conn_arm(c, call->out_since + (uint64_t)call->ctx->config->write_timeout_s * 1000u);
  }
  c->out_bytes += b->len;
  if (call->out_tail)
    call->out_tail->next = b;
  else
    call->out_head = b;
  call->out_tail = b;
  call->out_bytes += b->len;
  hz_stream_account(call);
  if (c->h1)
    return 0;
  int r = call->headers_sent ? nghttp2_session_resume_data(c->session, call->stream_id)
                             : hz_stream_start_response(call);
  return r != 0 && r != NGHTTP2_ERR_INVALID_ARGUMENT ? -ENOMEM : 0;
}

int hz_stream_enqueue(hz_call_t *call, hz_outbuf_t *b) {
  b = hz_web_encode(call, b);
  if (!b)
    return -ENOMEM;
  call->sent_message = 1;
  int r = queue_output(call, b);
  if (r)
    return r;
  hz_conn_flush(call->conn);
  if (call->out_bytes > OUT_HIGH_WATER) {
    call->want_drain = 1;
    return 1;
  }
  return 0;
}

/* ---- plain HTTP answers on HTTP/2 ---------------------------------------- */

static ssize_t read_plain(nghttp2_session *s, int32_t stream_id, uint8_t *buf, size_t length,
                          uint32_t *flags, nghttp2_data_source *src, void *ud) {
  (void)s;
  (void)stream_id;
  (void)ud;
  hz_plain_t *p = src->ptr;
  size_t n = p->len - p->off < length ? p->len - p->off : length;
  memcpy(buf, p->body + p->off, n);
  p->off += n;
  if (p->off == p->len)
    *flags |= NGHTTP2_DATA_FLAG_EOF;
  return (ssize_t)n;
}

void hz_stream_respond_plain(hz_call_t *call) {
  if (call->state == HZ_CALL_RESPONDED)
    return;
  assert(call->plain && call->stream_open && call->conn);
  hz_stream_set_state(call, HZ_CALL_RESPONDED);
  if (call->conn->h1) {
    hz_conn_flush(call->conn); /* http1.c writes it */
    return;
  }
  hz_plain_t *p = call->plain;
  char status[4], clen[24];
  int sn = snprintf(status, sizeof(status), "%d", p->status);
  int cn = snprintf(clen, sizeof(clen), "%zu", p->len);
  nghttp2_nv nv[2 + HZ_PLAIN_MAX_HEADERS] = {NV(":status", status, (size_t)sn),
                                             NV("content-length", clen, (size_t)cn)};
  size_t nvlen = 2;
  for (size_t i = 0; i < p->nheaders; i++)
    nv[nvlen++] =
        (nghttp2_nv){(uint8_t *)p->headers[i].name, (uint8_t *)p->headers[i].value,
                     strlen(p->headers[i].name), strlen(p->headers[i].value), NGHTTP2_NV_FLAG_NONE};
  nghttp2_data_provider prd = {.source = {.ptr = p}, .read_callback = read_plain};
  int body = !p->no_body && p->len > 0;
  call->headers_sent = 1;
  if (nghttp2_submit_response(call->conn->session, call->stream_id, nv, nvlen, body ? &prd : NULL))
    nghttp2_submit_rst_stream(call->conn->session, NGHTTP2_FLAG_NONE, call->stream_id,
                              NGHTTP2_INTERNAL_ERROR);
}

#define MAX_STATUS_MESSAGE 1024 /* bytes of grpc-message before encoding */

/* Cuts at a UTF-8 boundary so the percent-decoded text stays valid. Why
 * not hz_wire_utf8_decode: stepping back over continuation bytes from the
 * cut is O(1) and also cuts text that is not well-formed (a message may
 * echo bad input) without losing more than the broken sequence. */
static size_t utf8_prefix(const char *s, size_t max) {
  size_t n = strlen(s);
  if (n <= max)
    return n;
  while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
    max--;
  return max;
}

void hz_stream_respond(hz_call_t *call, int code, const char *message) {
  if (call->state == HZ_CALL_RESPONDED)
    return; /* the first ending wins: a refusal, the deadline, the handler */
  /* Not yet RESPONDED means the stream is still there (stream_gone and
   * an abort both end the exchange). */
  assert(call->stream_open && call->conn);
  call->status = code; /* before the state: observe.c counts it there */
  hz_stream_set_state(call, HZ_CALL_RESPONDED);
  /* Clients cap header blocks (grpcio: 8 KiB), and messages may echo input. */
  if (message && *message)
    call->status_message = hz_pct_encode(message, utf8_prefix(message, MAX_STATUS_MESSAGE), NULL);
  /* gRPC-Web: Trailers-Only (status in the headers) for what the
   * transport refuses before a handler runs; once a handler has the call,
   * its status goes in the trailer frame, as after messages. */
  if (call->framing != HZ_FRAMING_GRPC &&
      (call->sent_message || call->handler != HZ_HANDLER_NONE)) {
    call->status_in_body = 1;
    hz_outbuf_t *t = hz_web_trailer_frame(call);
    if (!t || queue_output(call, t)) {
      abort_stream(call, NGHTTP2_INTERNAL_ERROR);
      return;
    }
  }
  if (call->conn->h1) {
    hz_conn_flush(call->conn); /* http1.c takes the status from the call */
    return;
  }
  int r;
  if (!call->headers_sent)
    r = submit_trailers_only(call);
  else
    r = nghttp2_session_resume_data(call->conn->session, call->stream_id);
  if (r != 0 && r != NGHTTP2_ERR_INVALID_ARGUMENT)
    nghttp2_submit_rst_stream(call->conn->session, NGHTTP2_FLAG_NONE, call->stream_id,
                              NGHTTP2_INTERNAL_ERROR);
}

void hz_stream_notify_drained(hz_conn_t *c) {
  /* Defer flushing so no stream closes (and frees) under the walk. */
  int saved = c->in_recv;
  c->in_recv = 1;
  hz_call_t *call = c->calls;
  while (call) {
    hz_call_t *next = call->next;
    if (call->want_drain && call->out_bytes < OUT_LOW_WATER && call->state != HZ_CALL_RESPONDED &&
        call->handler == HZ_HANDLER_ACTIVE) {
      call->want_drain = 0;
      call->depth++;
      if (call->method->on_drain)
        call->method->on_drain(call);
      call->depth--;
      hz_stream_maybe_free(call);
    }
    call = next;
  }
  c->in_recv = saved;
}

/* ---- budgets and per-stream deadlines ----------------------------------- */

void hz_stream_account(hz_call_t *call) {
  size_t now = call->arena.used + call->decoder.buf_cap + call->out_bytes;
  hz_server_hold(call->server, (ptrdiff_t)now - (ptrdiff_t)call->held);
  call->held = now;
}

/* Resets the stream and drops what it holds; the handler hears on_cancel
 * when nghttp2 closes the stream, never from inside its own send. On
 * HTTP/1.1 a response cannot be cut short but by closing the connection. */
static void abort_stream(hz_call_t *call, uint32_t h2_error) {
  hz_conn_t *c = call->conn;
  if (call->aborted || !c || !call->stream_open)
    return;
  call->aborted = 1;
  if (call->state != HZ_CALL_RESPONDED) {
    call->status = HZ_STATUS_CANCELLED; /* reset: the client sees no status */
    hz_stream_set_state(call, HZ_CALL_RESPONDED);
  }
  hz_stream_free_output(call);
  hz_frame_decoder_free(&call->decoder);
  hz_stream_account(call);
  if (c->h1)
    hz_http1_abort(c->h1);
  else
    nghttp2_submit_rst_stream(c->session, NGHTTP2_FLAG_NONE, call->stream_id, h2_error);
  hz_conn_arm(c, uv_now(call->ctx->loop)); /* flush (or close) outside this frame */
}

int hz_stream_admit_output(hz_call_t *call, size_t len) {
  hz_conn_t *c = call->conn;
  const hz_config_t *cfg = call->ctx->config;
  if (call->out_bytes == 0)
    return 0;
  if (c->out_bytes + len > 4 * cfg->max_output_bytes) {
    /* Many streams piling up for one peer: the connection is the abuser. */
    hz_log_warn(&call->ctx->log,
                "%s: %zu response bytes queued for a client that is not "
                "reading (4 x --max-output-bytes); closing the connection",
                c->peer, c->out_bytes);
    for (hz_call_t *o = c->calls; o; o = o->next)
      abort_stream(o, NGHTTP2_ENHANCE_YOUR_CALM);
    if (c->session)
      nghttp2_session_terminate_session(c->session, NGHTTP2_ENHANCE_YOUR_CALM);
    return -ENOBUFS;
  }
  if (call->out_bytes + len > cfg->max_output_bytes || hz_server_over_budget(call->server, len)) {
    hz_log_debug(&call->ctx->log, "%s: stream %d has %zu response bytes queued; reset", c->peer,
                 call->stream_id, call->out_bytes);
    abort_stream(call, NGHTTP2_ENHANCE_YOUR_CALM);
    return -ENOBUFS;
  }
  return 0;
}

int hz_stream_check_deadlines(hz_conn_t *c, uint64_t now, uint64_t *next) {
  const hz_config_t *cfg = c->server->ctx->config;
  uint64_t hs = (uint64_t)cfg->handshake_timeout_s * 1000u;
  uint64_t wt = (uint64_t)cfg->write_timeout_s * 1000u;
  for (hz_call_t *call = c->calls, *n; call; call = n) {
    n = call->next;
    if (call->state == HZ_CALL_HEADERS) {
      if (now >= call->begun_at + hs)
        return 1;
      if (call->begun_at + hs < *next)
        *next = call->begun_at + hs;
    }
    if (call->out_bytes > 0 && !call->aborted) {
      if (now >= call->out_since + wt)
        abort_stream(call, NGHTTP2_CANCEL);
      else if (call->out_since + wt < *next)
        *next = call->out_since + wt;
    }
  }
  return 0;
}
