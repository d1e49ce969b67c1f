/* The call API: start a stream, send framed requests under flow control,
 * half-close, receive decoded responses, cancel, and finish with a status.
 * Every wait pumps the shared connection and ends at the call's deadline. */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metadata.h"
#include "wire/timeout.h"

static void drop_queue(hzc_call_t *call) {
  hzc_msg_t *m = call->head;
  while (m) {
    hzc_msg_t *next = m->next;
    free(m);
    m = next;
  }
  call->head = call->tail = NULL;
  call->queued_bytes = 0;
}

static void unlink_call(hzc_call_t *call) {
  hzc_conn_t *c = call->conn;
  if (!c)
    return;
  for (hzc_call_t **p = &c->calls; *p; p = &(*p)->next) {
    if (*p == call) {
      *p = call->next;
      break;
    }
  }
  call->conn = NULL;
  call->next = NULL;
}

void hzc_call_free(hzc_call_t *call) {
  unlink_call(call);
  drop_queue(call);
  hz_frame_decoder_free(&call->dec);
  hzc_status_reset(&call->status);
  hzc_metadata_free(call->block_md);
  hzc_metadata_free(call->trailers);
  free(call->grpc_message);
  free(call->out);
  free(call->method);
  free(call);
}

/* Ends the call with a status of our own making. force replaces a status
 * the server already gave (for answers that break the call's contract). */
static void call_fail_v(hzc_call_t *call, int force, int code, const char *fmt, va_list ap) {
  if (call->done && !force)
    return;
  char msg[400];
  vsnprintf(msg, sizeof(msg), fmt, ap);
  hzc_status_set(&call->status, code, "%s", msg);
  call->done = 1;
  call->discard = 1;
  drop_queue(call);
  hzc_conn_t *c = call->conn;
  if (c && !c->dead && call->stream_id > 0 && !call->stream_closed) {
    nghttp2_submit_rst_stream(c->session, NGHTTP2_FLAG_NONE, call->stream_id, NGHTTP2_CANCEL);
    hzc_stream_consume(call);
  }
}

void hzc_call_fail(hzc_call_t *call, int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  call_fail_v(call, 0, code, fmt, ap);
  va_end(ap);
}

static void call_override(hzc_call_t *call, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void call_override(hzc_call_t *call, int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  call_fail_v(call, 1, code, fmt, ap);
  va_end(ap);
}

static void expire(hzc_call_t *call) {
  hzc_call_fail(call, HZ_STATUS_DEADLINE_EXCEEDED,
                "deadline exceeded: %s did not finish within %gs", call->method,
                (double)call->timeout_ms / 1000.0);
  hzc_conn_flush_nowait(call->conn);
}

/* Runs the connection until ready(call) holds or the call ends. */
static void call_wait(hzc_call_t *call, int (*ready)(const hzc_call_t *)) {
  while (!call->done && !(ready && ready(call))) {
    if (call->deadline && hzc_clock_ms() >= call->deadline) {
      expire(call);
      return;
    }
    int r = hzc_conn_pump(call->conn, call->deadline);
    if (r == HZC_PUMP_ETIMEDOUT) {
      expire(call);
      return;
    }
    if (r == HZC_PUMP_ECONN) {
      hzc_call_fail(call, HZ_STATUS_UNAVAILABLE, "connection lost");
      return;
    }
  }
}

static int request_drained(const hzc_call_t *call) {
  return call->out_off == call->out_len;
}

static int has_message(const hzc_call_t *call) {
  return call->head != NULL;
}

static void add_nv(nghttp2_nv *nv, size_t *n, const char *name, const char *value, uint8_t flags) {
  nv[*n].name = (uint8_t *)name;
  nv[*n].namelen = strlen(name);
  nv[*n].value = (uint8_t *)value;
  nv[*n].valuelen = strlen(value);
  nv[*n].flags = flags;
  (*n)++;
}

/* Sends the request headers; the body follows through the data provider. */
static void submit_request(hzc_call_t *call) {
  hzc_client_t *cl = call->client;
  nghttp2_nv nv[10];
  size_t n = 0;
  char timeout[16];

  add_nv(nv, &n, ":method", "POST", NGHTTP2_NV_FLAG_NONE);
  add_nv(nv, &n, ":scheme", cl->addr.tls ? "https" : "http", NGHTTP2_NV_FLAG_NONE);
  add_nv(nv, &n, ":path", call->method, NGHTTP2_NV_FLAG_NONE);
  add_nv(nv, &n, ":authority", cl->addr.authority, NGHTTP2_NV_FLAG_NONE);
  add_nv(nv, &n, "content-type", "application/grpc", NGHTTP2_NV_FLAG_NONE);
  add_nv(nv, &n, "te", "trailers", NGHTTP2_NV_FLAG_NONE);
  add_nv(nv, &n, "user-agent", cl->user_agent, NGHTTP2_NV_FLAG_NONE);
  if (call->deadline) {
    int64_t left = call->deadline - hzc_clock_ms();
    if (left <= 0) {
      expire(call);
      return;
    }
    hz_grpc_timeout_format((uint64_t)left, timeout);
    add_nv(nv, &n, "grpc-timeout", timeout, NGHTTP2_NV_FLAG_NONE);
  }
  /* Never indexed: the token must not linger in HPACK tables. */
  if (cl->authorization)
    add_nv(nv, &n, "authorization", cl->authorization, NGHTTP2_NV_FLAG_NO_INDEX);

  nghttp2_data_provider body = {.source.ptr = call, .read_callback = hzc_stream_read_request};
  int32_t id = nghttp2_submit_request(call->conn->session, NULL, nv, n, &body, call);
  if (id < 0) {
    hzc_call_fail(call, HZ_STATUS_UNAVAILABLE, "cannot start %s: %s", call->method,
                  nghttp2_strerror(id));
    return;
  }
  call->stream_id = id;
}

int hzc_call_start(hzc_client_t *client, const char *method, const hzc_call_opts_t *opts,
                   hzc_call_t **out) {
  if (!out)
    return HZC_EINVAL;
  *out = NULL;
  if (!client || !method || method[0] != '/')
    return HZC_EINVAL;
  hzc_call_t *call = calloc(1, sizeof(*call));
  if (!call)
    return HZC_ENOMEM;
  call->method = strdup(method);
  if (!call->method) {
    free(call);
    return HZC_ENOMEM;
  }
  call->client = client;
  hzc_status_init(&call->status);
  hz_frame_decoder_init(&call->dec, client->max_recv);
  call->timeout_ms = (!opts || opts->timeout_ms < 0) ? client->timeout_ms : opts->timeout_ms;
  if (call->timeout_ms > 0)
    call->deadline = hzc_clock_ms() + call->timeout_ms;
  *out = call;

  hzc_conn_t *c = hzc_client_conn(client, call->deadline, &call->status);
  if (!c) {
    call->done = 1; /* the status says why: refused, deadline, TLS ... */
    return HZC_OK;
  }
  call->conn = c;
  call->next = c->calls;
  c->calls = call;
  c->live_calls++;
  submit_request(call);
  return HZC_OK;
}

/* Room for len more bytes after what nghttp2 has not taken yet. */
static int reserve(hzc_call_t *call, size_t len) {
  if (call->out_off > 0) {
    memmove(call->out, call->out + call->out_off, call->out_len - call->out_off);
    call->out_len -= call->out_off;
    call->out_off = 0;
  }
  if (call->out_len + len <= call->out_cap)
    return 0;
  size_t cap = call->out_cap ? call->out_cap : 256;
  while (cap < call->out_len + len)
    cap *= 2;
  uint8_t *p = realloc(call->out, cap);
  if (!p)
    return -1;
  call->out = p;
  call->out_cap = cap;
  return 0;
}

static void resume_body(hzc_call_t *call) {
  if (call->send_deferred && call->conn && !call->conn->dead && !call->done) {
    call->send_deferred = 0;
    nghttp2_session_resume_data(call->conn->session, call->stream_id);
  }
}

int hzc_call_send(hzc_call_t *call, const ProtobufCMessage *msg) {
  if (!call || !msg || call->send_closed)
    return HZC_EINVAL;
  if (call->done)
    return HZC_ECALL;
  size_t size = protobuf_c_message_get_packed_size(msg);
  if (size > UINT32_MAX) {
    hzc_call_fail(call, HZ_STATUS_RESOURCE_EXHAUSTED,
                  "request message of %zu bytes is too large for gRPC", size);
    return HZC_ECALL;
  }
  if (reserve(call, HZ_FRAME_PREFIX_LEN + size) < 0)
    return HZC_ENOMEM;
  uint8_t *p = call->out + call->out_len;
  hz_frame_prefix(p, size);
  protobuf_c_message_pack(msg, p + HZ_FRAME_PREFIX_LEN);
  call->out_len += HZ_FRAME_PREFIX_LEN + size;
  resume_body(call);
  call_wait(call, request_drained);
  /* Ended before nghttp2 took the whole message: it was not sent. */
  return request_drained(call) ? HZC_OK : HZC_ECALL;
}

int hzc_call_close_send(hzc_call_t *call) {
  if (!call)
    return HZC_EINVAL;
  if (!call->send_closed) {
    call->send_closed = 1;
    resume_body(call);
  }
  return HZC_OK;
}

int hzc_call_recv(hzc_call_t *call, const ProtobufCMessageDescriptor *desc,
                  ProtobufCMessage **msg) {
  if (!msg)
    return HZC_EINVAL;
  *msg = NULL;
  if (!call || !desc)
    return HZC_EINVAL;
  call_wait(call, has_message);
  hzc_msg_t *m = call->head;
  if (!m)
    return call->status.code == HZ_STATUS_OK ? 0 : HZC_ECALL;
  call->head = m->next;
  if (!call->head)
    call->tail = NULL;
  call->queued_bytes -= m->len;
  hzc_stream_consume(call);

  ProtobufCMessage *pm = protobuf_c_message_unpack(desc, NULL, m->len, m->data);
  free(m);
  if (!pm) {
    call_override(call, HZ_STATUS_INTERNAL, "cannot parse the response of %s as %s", call->method,
                  desc->name);
    hzc_conn_flush_nowait(call->conn);
    return HZC_ECALL;
  }
  *msg = pm;
  return 1;
}

void hzc_call_cancel(hzc_call_t *call) {
  if (!call || call->done)
    return;
  hzc_call_fail(call, HZ_STATUS_CANCELLED, "%s cancelled by the client", call->method);
  hzc_conn_flush_nowait(call->conn);
}

/* Hands the call back: freed now, or when nghttp2 closes its stream. */
static void call_release(hzc_call_t *call) {
  hzc_conn_t *c = call->conn;
  hzc_client_t *client = call->client;
  if (!c) {
    hzc_call_free(call);
    return;
  }
  c->live_calls--;
  if (!c->dead && call->stream_id > 0 && !call->stream_closed) {
    call->abandoned = 1;
    hzc_conn_flush_nowait(c); /* may close the stream and free the call */
  } else {
    hzc_call_free(call);
  }
  hzc_client_conn_idle(client, c);
}

int hzc_call_finish(hzc_call_t *call, hzc_status_t *status) {
  if (!call)
    return HZC_EINVAL;
  if (!call->done) {
    call->discard = 1;
    drop_queue(call);
    hzc_call_close_send(call);
    call_wait(call, NULL);
  }
  drop_queue(call);
  call->discard = 1;
  hzc_stream_consume(call);
  int rc = call->status.code == HZ_STATUS_OK ? HZC_OK : HZC_ECALL;
  if (status)
    hzc_status_move(status, &call->status);
  call_release(call);
  return rc;
}

/* Used by hzc_client_unary: a unary answer must be exactly one message. */
void hzc_call_require_single(hzc_call_t *call, int got) {
  if (got == 0)
    call_override(call, HZ_STATUS_INTERNAL, "the server sent no response message for unary %s",
                  call->method);
  else
    call_override(call, HZ_STATUS_INTERNAL,
                  "the server sent more than one response message for unary %s", call->method);
  hzc_conn_flush_nowait(call->conn);
}
