/* gRPC calls, the request side, for every carrier: the call's state
 * machines and lifetime, request header validation, dispatch through the
 * method table, the deadline, message reassembly and decoding; and the
 * nghttp2 callbacks that feed it from HTTP/2 streams (http1.c feeds it
 * from HTTP/1.1). Plain HTTP answers are route.c's; responses, trailers
 * and budgets response.c's; gRPC-Web framing web.c's. */
#include "transport/stream.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/context.h"
#include "transport/conn.h"
#include "transport/route.h"
#include "transport/server.h"
#include "transport/web.h"
#include "wire/content_type.h"
#include "wire/pbtext.h"
#include "wire/timeout.h"

static const hz_config_t *call_config(const hz_call_t *call) {
  return call->ctx->config;
}

/* ---- state machines ------------------------------------------------------ */

#define BIT(s) (1u << (s))
/* Legal predecessors of each state (see hz_call_state_t). */
static const unsigned call_from[] = {
    [HZ_CALL_HEADERS] = 0,
    [HZ_CALL_RECEIVING] = BIT(HZ_CALL_HEADERS),
    [HZ_CALL_HANDLING] = BIT(HZ_CALL_RECEIVING),
    [HZ_CALL_RESPONDED] = BIT(HZ_CALL_HEADERS) | BIT(HZ_CALL_RECEIVING) | BIT(HZ_CALL_HANDLING),
};

void hz_stream_set_state(hz_call_t *call, hz_call_state_t to) {
  assert(call_from[to] & BIT(call->state));
  /* Only a dispatched call has a method, and only a live stream moves on
   * before RESPONDED (stream_gone ends the exchange first). */
  assert(to != HZ_CALL_RECEIVING || call->method);
  assert(to == HZ_CALL_RESPONDED || call->stream_open);
  call->state = to;
  if (to == HZ_CALL_RESPONDED && call->timer_started)
    uv_timer_stop(&call->timer); /* nothing left for a deadline to end */
}

static const unsigned handler_from[] = {
    [HZ_HANDLER_NONE] = 0,
    [HZ_HANDLER_ACTIVE] = BIT(HZ_HANDLER_NONE) | BIT(HZ_HANDLER_ACTIVE),
    [HZ_HANDLER_FINISHED] = BIT(HZ_HANDLER_ACTIVE),
};

void hz_stream_set_handler(hz_call_t *call, hz_handler_state_t to) {
  assert(handler_from[to] & BIT(call->handler));
  assert(call->method);
  call->handler = to;
}

/* ---- lifetime ---------------------------------------------------------- */

static void on_timer_closed(uv_handle_t *h) {
  free(h->data);
}

static void call_destroy(hz_call_t *call) {
  /* Nothing may still reach the call: no frame on the stack, no stream in
   * nghttp2, no connection list, no handler owing its finish. */
  assert(call->depth == 0 && !call->stream_open && !call->conn);
  assert(call->state == HZ_CALL_RESPONDED && call->handler != HZ_HANDLER_ACTIVE);
  hz_frame_decoder_free(&call->decoder);
  hz_stream_free_output(call);
  free(call->status_message);
  hz_arena_free(&call->arena);
  hz_server_hold(call->server, -(ptrdiff_t)call->held);
  if (call->timer_started) {
    call->timer.data = call;
    uv_close((uv_handle_t *)&call->timer, on_timer_closed);
    return;
  }
  free(call);
}

void hz_stream_maybe_free(hz_call_t *call) {
  assert(call->depth >= 0);
  if (call->depth > 0 || call->stream_open || call->handler == HZ_HANDLER_ACTIVE)
    return;
  call_destroy(call);
}

hz_call_t *hz_stream_open(hz_conn_t *c, int32_t stream_id) {
  hz_call_t *call = calloc(1, sizeof(*call));
  if (!call)
    return NULL;
  const hz_config_t *cfg = c->server->ctx->config;
  call->ctx = c->server->ctx;
  call->server = c->server;
  call->conn = c;
  call->stream_id = stream_id;
  call->stream_open = 1;
  call->remote_open = 1;
  hz_arena_init(&call->arena, cfg->max_call_bytes);
  hz_frame_decoder_init(&call->decoder, cfg->max_message_bytes);
  call->next = c->calls;
  if (c->calls)
    c->calls->prev = call;
  c->calls = call;
  c->ncalls++;
  call->begun_at = uv_now(call->ctx->loop);
  c->last_active = call->begun_at;
  hz_conn_arm(c, call->begun_at + (uint64_t)cfg->handshake_timeout_s * 1000u);
  hz_stream_account(call);
  return call;
}

static void unlink_from_conn(hz_call_t *call) {
  hz_conn_t *c = call->conn;
  if (!c)
    return;
  if (call->prev)
    call->prev->next = call->next;
  else
    c->calls = call->next;
  if (call->next)
    call->next->prev = call->prev;
  call->prev = call->next = NULL;
  c->ncalls--;
  c->last_active = uv_now(call->ctx->loop);
  call->conn = NULL;
  if (c->ncalls == 0)
    hz_conn_arm(c, c->last_active + (uint64_t)call->ctx->config->idle_timeout_s * 1000u);
}

static void cancel_handler(hz_call_t *call) {
  if (call->handler != HZ_HANDLER_ACTIVE || call->cancelled)
    return;
  call->cancelled = 1;
  if (call->method->on_cancel)
    call->method->on_cancel(call);
}

/* The exchange is gone from its carrier (HTTP/2 stream closed or reset,
 * HTTP/1.1 response written, or the connection lost). */
void hz_stream_gone(hz_call_t *call) {
  assert(call->stream_open); /* nghttp2 closes a stream once */
  call->depth++;
  if (call->state != HZ_CALL_RESPONDED)
    hz_stream_set_state(call, HZ_CALL_RESPONDED);
  call->stream_open = 0;
  call->remote_open = 0;
  hz_stream_free_output(call); /* while the connection's count still includes them */
  unlink_from_conn(call);
  hz_stream_account(call);
  cancel_handler(call);
  call->depth--;
  hz_stream_maybe_free(call);
}

void hz_stream_detach_all(hz_conn_t *c) {
  while (c->calls)
    hz_stream_gone(c->calls);
}

void hz_stream_reject(hz_call_t *call, int http_status, int code, const char *fmt, ...) {
  if (call->early_code)
    return;
  va_list ap;
  va_start(ap, fmt);
  call->early_message = hz_arena_vprintf(&call->arena, fmt, ap);
  va_end(ap);
  call->early_http_status = http_status;
  call->early_code = code;
}

/* ---- requests ------------------------------------------------------------ */

static int header_is(const uint8_t *name, size_t len, const char *lit) {
  size_t n = strlen(lit);
  return len == n && memcmp(name, lit, n) == 0;
}

/* One classifier for client and server (wire/content_type.h): media types
 * are case-insensitive, so "Application/GRPC" is gRPC. A gRPC codec other
 * than protobuf still gets a gRPC status; gRPC-Web picks its framing (one
 * handler path: web.c translates); anything else is not a call, and
 * route.c answers it (HTTP 415 for a POST). */
static void check_content_type(hz_call_t *call, const uint8_t *v, size_t len) {
  hz_wire_codec_t codec;
  hz_wire_ct_kind_t kind = hz_wire_content_type((const char *)v, len, &codec);
  call->ct_kind = kind;
  if (kind == HZ_WIRE_CT_OTHER)
    return;
  call->framing = kind == HZ_WIRE_CT_GRPC_WEB_TEXT ? HZ_FRAMING_WEB_TEXT
                  : kind == HZ_WIRE_CT_GRPC_WEB    ? HZ_FRAMING_WEB
                                                   : HZ_FRAMING_GRPC;
  call->content_type_ok = 1;
  if (codec == HZ_WIRE_CODEC_OTHER) {
    hz_stream_reject(call, 200, HZ_STATUS_UNIMPLEMENTED,
                     "content-type '%.*s' is not supported; use application/grpc+proto", (int)len,
                     (const char *)v);
    return;
  }
  call->proto_subtype = codec == HZ_WIRE_CODEC_PROTO;
}

static void store_metadata(hz_call_t *call, const uint8_t *name, size_t nlen, const uint8_t *value,
                           size_t vlen) {
  hz_metadata_t *m = hz_arena_alloc(&call->arena, sizeof(*m));
  if (!m)
    return;
  m->name = hz_arena_strndup(&call->arena, (const char *)name, nlen);
  m->value = hz_arena_strndup(&call->arena, (const char *)value, vlen);
  if (!m->name || !m->value)
    return;
  m->next = call->metadata;
  call->metadata = m;
}

static void take_header(hz_call_t *call, const uint8_t *name, size_t nlen, const uint8_t *value,
                        size_t vlen) {
  if (header_is(name, nlen, ":path")) {
    call->path = hz_arena_strndup(&call->arena, (const char *)value, vlen);
  } else if (header_is(name, nlen, ":method")) {
    call->verb = hz_route_verb((const char *)value, vlen);
  } else if (header_is(name, nlen, "content-type")) {
    check_content_type(call, value, vlen);
  } else if (header_is(name, nlen, "grpc-encoding")) {
    if (vlen != 8 || memcmp(value, "identity", 8) != 0)
      hz_stream_reject(call, 200, HZ_STATUS_UNIMPLEMENTED,
                       "grpc-encoding '%.*s' is not supported; this server accepts identity",
                       (int)vlen, (const char *)value);
  } else if (header_is(name, nlen, "grpc-timeout")) {
    uint64_t ms;
    if (hz_grpc_timeout_parse((const char *)value, vlen, &ms)) {
      hz_stream_reject(call, 200, HZ_STATUS_INVALID_ARGUMENT, "malformed grpc-timeout '%.*s'",
                       (int)vlen, (const char *)value);
    } else {
      call->deadline = uv_now(call->ctx->loop) + ms;
      call->has_deadline = 1;
    }
  } else if (nlen > 0 && name[0] != ':' && !header_is(name, nlen, "te")) {
    store_metadata(call, name, nlen, value, vlen);
  }
}

static int on_begin_headers(nghttp2_session *s, const nghttp2_frame *frame, void *ud) {
  hz_conn_t *c = ud;
  if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST)
    return 0;
  hz_call_t *call = hz_stream_open(c, frame->hd.stream_id);
  if (!call)
    return nghttp2_submit_rst_stream(s, NGHTTP2_FLAG_NONE, frame->hd.stream_id,
                                     NGHTTP2_INTERNAL_ERROR);
  nghttp2_session_set_stream_user_data(s, frame->hd.stream_id, call);
  return 0;
}

static int on_header(nghttp2_session *s, const nghttp2_frame *frame, const uint8_t *name,
                     size_t nlen, const uint8_t *value, size_t vlen, uint8_t flags, void *ud) {
  (void)flags;
  (void)ud;
  if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST)
    return 0; /* trailers from a client carry nothing gRPC defines */
  hz_call_t *call = nghttp2_session_get_stream_user_data(s, frame->hd.stream_id);
  if (call)
    hz_stream_header(call, name, nlen, value, vlen);
  return 0;
}

void hz_stream_header(hz_call_t *call, const uint8_t *name, size_t nlen, const uint8_t *value,
                      size_t vlen) {
  /* After a refusal only routing still matters (:method, :path: HTTP/1.1
   * gives them last). */
  if (call->early_code && !(nlen > 0 && name[0] == ':'))
    return;
  call->header_bytes += nlen + vlen + 32; /* RFC 7541 4.1 entry size */
  if (call->header_bytes > call_config(call)->max_header_bytes) {
    hz_stream_reject(call, 431, HZ_STATUS_RESOURCE_EXHAUSTED, "request headers exceed %u bytes",
                     call_config(call)->max_header_bytes);
    return;
  }
  take_header(call, name, nlen, value, vlen);
}

static void on_deadline(uv_timer_t *t) {
  hz_call_t *call = t->data;
  hz_conn_t *c = call->conn;
  call->depth++;
  hz_stream_respond(call, HZ_STATUS_DEADLINE_EXCEEDED, "deadline exceeded");
  cancel_handler(call);
  call->depth--;
  hz_stream_maybe_free(call);
  if (c)
    hz_conn_flush(c);
}

static void start_deadline(hz_call_t *call) {
  if (!call->has_deadline)
    return;
  uint64_t now = uv_now(call->ctx->loop);
  uv_timer_init(call->ctx->loop, &call->timer);
  call->timer.data = call;
  call->timer_started = 1;
  uv_timer_start(&call->timer, on_deadline, call->deadline > now ? call->deadline - now : 0, 0);
}

/* gRPC-Web carries one request message per call: a browser cannot stream
 * a request body, so a method that reads a stream is refused up front. */
static int web_cannot_carry(hz_call_t *call) {
  hz_rpc_kind_t k = call->method->kind;
  if (call->framing == HZ_FRAMING_GRPC || k == HZ_RPC_UNARY || k == HZ_RPC_SERVER_STREAM)
    return 0;
  hz_stream_respond(call, HZ_STATUS_UNIMPLEMENTED,
                    hz_arena_printf(&call->arena,
                                    "%s streams its requests, which gRPC-Web cannot carry; call "
                                    "it with native gRPC over HTTP/2 (e.g. the huizong CLI)",
                                    call->method->path));
  return 1;
}

void hz_stream_headers_end(hz_call_t *call) {
  if (hz_route_request(call))
    return; /* answered as plain HTTP (a file, a preflight, an error) */
  if (call->early_code) {
    hz_stream_respond(call, call->early_code, call->early_message);
    return;
  }
  const char *path = call->path ? call->path : "";
  call->method = hz_registry_find(&call->ctx->registry, path, strlen(path));
  if (!call->method) {
    char *msg = hz_arena_printf(&call->arena, "unknown method %s", path);
    hz_stream_respond(call, HZ_STATUS_UNIMPLEMENTED, msg);
    return;
  }
  if (web_cannot_carry(call))
    return;
  hz_stream_set_state(call, HZ_CALL_RECEIVING);
  start_deadline(call);
}

static void invoke_message(hz_call_t *call, ProtobufCMessage *msg) {
  hz_stream_set_handler(call, HZ_HANDLER_ACTIVE);
  call->method->on_message(call, msg);
}

static int on_request_message(void *ud, const uint8_t *data, size_t len) {
  hz_call_t *call = ud;
  const ProtobufCMessageDescriptor *in = call->method->input;
  /* Every string field UTF-8 without NUL, checked on the bytes: unpacked,
   * a NUL would cut the text silently (wire/pbtext.h). */
  hz_pb_text_error_t bad;
  int tr = hz_pb_text_check(in, data, len, &bad);
  if (tr > 0) {
    hz_stream_respond(call, HZ_STATUS_INVALID_ARGUMENT,
                      hz_arena_printf(&call->arena,
                                      "%s: %s at byte %zu; send text as UTF-8 "
                                      "without NUL bytes",
                                      bad.path, bad.why, bad.offset));
    return 1;
  }
  ProtobufCMessage *msg = tr ? NULL : protobuf_c_message_unpack(in, &call->arena.pb, len, data);
  if (!msg) {
    hz_arena_t *a = &call->arena;
    if (a->limit && a->used + len > a->limit)
      hz_stream_respond(call, HZ_STATUS_RESOURCE_EXHAUSTED, HZ_CALL_OOM_MESSAGE);
    else
      hz_stream_respond(call, HZ_STATUS_INVALID_ARGUMENT,
                        hz_arena_printf(a, "request is not a valid %s message", in->name));
    return 1;
  }
  call->messages_in++;
  switch (call->method->kind) {
  case HZ_RPC_UNARY:
  case HZ_RPC_SERVER_STREAM:
    if (call->request) {
      hz_stream_respond(call, HZ_STATUS_INVALID_ARGUMENT,
                        "this method takes exactly one request message");
      return 1;
    }
    call->request = msg;
    return 0;
  case HZ_RPC_CLIENT_STREAM:
  case HZ_RPC_BIDI: invoke_message(call, msg); return call->state == HZ_CALL_RECEIVING ? 0 : 1;
  }
  return 0;
}

static void frame_error(hz_call_t *call, int r) {
  const hz_frame_decoder_t *d = &call->decoder;
  switch (r) {
  case HZ_FRAME_ETOOBIG:
    hz_stream_respond(call, HZ_STATUS_RESOURCE_EXHAUSTED,
                      hz_arena_printf(&call->arena,
                                      "request message of %zu bytes exceeds the limit of %zu bytes",
                                      d->declared_len, d->max_len));
    break;
  case HZ_FRAME_ECOMPRESSED:
    hz_stream_respond(call, HZ_STATUS_UNIMPLEMENTED,
                      "compressed messages are not supported; grpc-accept-encoding is identity");
    break;
  case HZ_FRAME_EFLAG:
    hz_stream_respond(call, HZ_STATUS_INVALID_ARGUMENT, "invalid message flag byte");
    break;
  case HZ_FRAME_ENOMEM:
    hz_stream_respond(call, HZ_STATUS_RESOURCE_EXHAUSTED, "out of memory");
    break;
  case HZ_WEB_EBASE64:
    hz_stream_respond(call, HZ_STATUS_INVALID_ARGUMENT,
                      "application/grpc-web-text request body is not base64 (RFC 4648 section 4, "
                      "with padding); encode each frame as base64");
    break;
  default: break; /* ECALLBACK: the message handler already answered */
  }
}

/* The one message of a unary call is decoded into the arena: its receive
 * buffer would only sit there until the handler is done. */
#define DECODER_KEEP (64u * 1024u)

static void refuse_over_budget(hz_call_t *call) {
  const hz_server_t *s = call->server;
  hz_stream_respond(call, HZ_STATUS_RESOURCE_EXHAUSTED,
                    hz_arena_printf(&call->arena,
                                    "server memory for calls in progress is used up (%zu of "
                                    "--max-held-bytes %zu); retry later with backoff or send "
                                    "smaller messages",
                                    hz_server_held(s), call_config(call)->max_held_bytes));
  cancel_handler(call);
  hz_frame_decoder_free(&call->decoder);
}

/* After request bytes arrived: count them, and refuse the call that made
 * the server pass its budget (the others keep what they hold). */
static void held_after_data(hz_call_t *call) {
  size_t before = call->held;
  int single = call->method &&
               (call->method->kind == HZ_RPC_UNARY || call->method->kind == HZ_RPC_SERVER_STREAM);
  if ((single || call->state != HZ_CALL_RECEIVING) && hz_frame_decoder_idle(&call->decoder) &&
      call->decoder.buf_cap > DECODER_KEEP)
    hz_frame_decoder_free(&call->decoder);
  hz_stream_account(call);
  if (call->held > before && call->state == HZ_CALL_RECEIVING &&
      hz_server_over_budget(call->server, 0)) {
    refuse_over_budget(call);
    hz_stream_account(call);
  }
}

static int on_data_chunk(nghttp2_session *s, uint8_t flags, int32_t stream_id, const uint8_t *data,
                         size_t len, void *ud) {
  (void)flags;
  (void)ud;
  hz_call_t *call = nghttp2_session_get_stream_user_data(s, stream_id);
  if (call)
    hz_stream_body(call, data, len);
  return 0;
}

void hz_stream_body(hz_call_t *call, const uint8_t *data, size_t len) {
  if (call->state != HZ_CALL_RECEIVING)
    return;
  call->depth++;
  int r = call->framing == HZ_FRAMING_WEB_TEXT
              ? hz_web_text_feed(call, data, len, on_request_message)
              : hz_frame_decoder_feed(&call->decoder, data, len, on_request_message, call);
  if (r < 0)
    frame_error(call, r);
  held_after_data(call);
  call->depth--;
  hz_stream_maybe_free(call);
}

void hz_stream_body_end(hz_call_t *call) {
  call->remote_open = 0;
  if (call->state != HZ_CALL_RECEIVING)
    return;
  if (call->b64_have) {
    hz_stream_respond(call, HZ_STATUS_INVALID_ARGUMENT,
                      "application/grpc-web-text request body ends inside a base64 group of 4");
    return;
  }
  if (!hz_frame_decoder_idle(&call->decoder)) {
    hz_stream_respond(call, HZ_STATUS_INVALID_ARGUMENT, "request ended inside a message");
    return;
  }
  hz_stream_set_state(call, HZ_CALL_HANDLING);
  switch (call->method->kind) {
  case HZ_RPC_UNARY:
  case HZ_RPC_SERVER_STREAM:
    if (!call->request) {
      hz_stream_respond(call, HZ_STATUS_INVALID_ARGUMENT, "request ended without a message");
      return;
    }
    invoke_message(call, call->request);
    break;
  case HZ_RPC_CLIENT_STREAM:
  case HZ_RPC_BIDI:
    hz_stream_set_handler(call, HZ_HANDLER_ACTIVE);
    if (call->method->on_half_close)
      call->method->on_half_close(call);
    break;
  }
}

static int on_frame_recv(nghttp2_session *s, const nghttp2_frame *frame, void *ud) {
  ((hz_conn_t *)ud)->preface_done = 1; /* nghttp2 checked the preface first */
  if (frame->hd.type != NGHTTP2_HEADERS && frame->hd.type != NGHTTP2_DATA)
    return 0;
  hz_call_t *call = nghttp2_session_get_stream_user_data(s, frame->hd.stream_id);
  if (!call)
    return 0;
  call->depth++;
  if (frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_REQUEST)
    hz_stream_headers_end(call);
  if (frame->hd.flags & NGHTTP2_FLAG_END_STREAM)
    hz_stream_body_end(call);
  call->depth--;
  hz_stream_maybe_free(call);
  return 0;
}

static int on_frame_send(nghttp2_session *s, const nghttp2_frame *frame, void *ud) {
  (void)ud;
  if (frame->hd.type != NGHTTP2_HEADERS || !(frame->hd.flags & NGHTTP2_FLAG_END_STREAM))
    return 0;
  hz_call_t *call = nghttp2_session_get_stream_user_data(s, frame->hd.stream_id);
  /* The answer is complete: tell a client still sending that we stopped
   * reading (RFC 7540 8.1), rather than absorb the rest of its upload. */
  if (call && call->remote_open)
    nghttp2_submit_rst_stream(s, NGHTTP2_FLAG_NONE, frame->hd.stream_id, NGHTTP2_NO_ERROR);
  return 0;
}

/* A response nghttp2 could not send (e.g. a header block too large) must
 * still end the stream, or the client waits until its deadline. */
static int on_frame_not_send(nghttp2_session *s, const nghttp2_frame *frame, int lib_error,
                             void *ud) {
  (void)lib_error;
  (void)ud;
  if (frame->hd.type == NGHTTP2_HEADERS)
    nghttp2_submit_rst_stream(s, NGHTTP2_FLAG_NONE, frame->hd.stream_id, NGHTTP2_INTERNAL_ERROR);
  return 0;
}

static int on_stream_close(nghttp2_session *s, int32_t stream_id, uint32_t error_code, void *ud) {
  (void)error_code;
  (void)ud;
  hz_call_t *call = nghttp2_session_get_stream_user_data(s, stream_id);
  if (call)
    hz_stream_gone(call);
  return 0;
}

void hz_stream_install_callbacks(nghttp2_session_callbacks *cbs) {
  nghttp2_session_callbacks_set_on_begin_headers_callback(cbs, on_begin_headers);
  nghttp2_session_callbacks_set_on_header_callback(cbs, on_header);
  nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, on_frame_recv);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, on_data_chunk);
  nghttp2_session_callbacks_set_on_frame_send_callback(cbs, on_frame_send);
  nghttp2_session_callbacks_set_on_stream_close_callback(cbs, on_stream_close);
  nghttp2_session_callbacks_set_on_frame_not_send_callback(cbs, on_frame_not_send);
}
