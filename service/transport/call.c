/* The handler-facing side of a call: response messages, the final status,
 * metadata and deadline queries. */
#include "transport/call.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "core/context.h"
#include "transport/conn.h"
#include "transport/stream.h"

hz_ctx_t *hz_call_ctx(const hz_call_t *call) {
  return call->ctx;
}

const hz_method_t *hz_call_method(const hz_call_t *call) {
  return call->method;
}

hz_arena_t *hz_call_arena(hz_call_t *call) {
  return &call->arena;
}

const char *hz_call_metadata(const hz_call_t *call, const char *name) {
  for (const hz_metadata_t *m = call->metadata; m; m = m->next)
    if (strcmp(m->name, name) == 0)
      return m->value;
  return NULL;
}

const char *hz_call_peer(const hz_call_t *call) {
  return call->conn ? call->conn->peer : "(gone)";
}

uint64_t hz_call_deadline_left_ms(const hz_call_t *call) {
  if (!call->has_deadline)
    return UINT64_MAX;
  uint64_t now = uv_now(call->ctx->loop);
  return call->deadline > now ? call->deadline - now : 0;
}

void hz_call_hold(hz_call_t *call) {
  call->depth++;
}

void hz_call_release(hz_call_t *call) {
  call->depth--;
  hz_stream_maybe_free(call);
}

void hz_call_set_data(hz_call_t *call, void *data) {
  call->data = data;
}

void *hz_call_data(const hz_call_t *call) {
  return call->data;
}

int hz_call_is_done(const hz_call_t *call) {
  return call->state == HZ_CALL_RESPONDED || !call->conn || call->cancelled;
}

/* A response message buffer with its length prefix, payload unwritten. */
static hz_outbuf_t *outbuf_new(size_t size) {
  if (size > UINT32_MAX)
    return NULL;
  hz_outbuf_t *b = malloc(sizeof(*b) + HZ_FRAME_PREFIX_LEN + size);
  if (!b)
    return NULL;
  b->next = NULL;
  b->off = 0;
  b->len = HZ_FRAME_PREFIX_LEN + size;
  hz_frame_prefix(b->data, size);
  return b;
}

int hz_call_send(hz_call_t *call, const ProtobufCMessage *msg) {
  if (hz_call_is_done(call))
    return -ECANCELED;
  size_t size = protobuf_c_message_get_packed_size(msg);
  if (size > UINT32_MAX)
    return -EMSGSIZE;
  hz_outbuf_t *b = outbuf_new(size);
  if (!b)
    return -ENOMEM;
  protobuf_c_message_pack(msg, b->data + HZ_FRAME_PREFIX_LEN);
  return hz_stream_enqueue(call, b);
}

int hz_call_send_packed(hz_call_t *call, const uint8_t *msg, size_t len) {
  if (hz_call_is_done(call))
    return -ECANCELED;
  if (len > UINT32_MAX)
    return -EMSGSIZE;
  hz_outbuf_t *b = outbuf_new(len);
  if (!b)
    return -ENOMEM;
  memcpy(b->data + HZ_FRAME_PREFIX_LEN, msg, len);
  return hz_stream_enqueue(call, b);
}

int hz_call_add_trailer(hz_call_t *call, const char *name, const void *value, size_t len) {
  hz_metadata_t *m = hz_arena_alloc(&call->arena, sizeof(*m));
  if (!m || len > (1u << 24))
    return -ENOMEM;
  size_t nlen = strlen(name);
  int binary = nlen > 4 && strcmp(name + nlen - 4, "-bin") == 0;
  char *v;
  if (binary) {
    v = hz_arena_alloc(&call->arena, 4 * ((len + 2) / 3) + 1);
    if (v)
      EVP_EncodeBlock((unsigned char *)v, value, (int)len);
  } else {
    v = hz_arena_strndup(&call->arena, value, len);
  }
  m->name = hz_arena_strdup(&call->arena, name);
  m->value = v;
  if (!m->name || !v)
    return -ENOMEM;
  m->next = call->trailers;
  call->trailers = m;
  return 0;
}

void hz_call_finish(hz_call_t *call, hz_status_code_t code, const char *fmt, ...) {
  char *msg = NULL;
  if (fmt) {
    va_list ap;
    va_start(ap, fmt);
    msg = hz_arena_vprintf(&call->arena, fmt, ap);
    va_end(ap);
  }
  hz_conn_t *c = call->conn;
  call->depth++;
  hz_stream_respond(call, (int)code, msg);
  hz_stream_set_handler(call, HZ_HANDLER_FINISHED); /* asserts: once, and ours */
  call->depth--;
  hz_stream_maybe_free(call);
  if (c)
    hz_conn_flush(c);
}
