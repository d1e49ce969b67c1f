/* What happens on one call's HTTP/2 stream: the request body handed to
 * nghttp2, response headers and trailers interpreted as the gRPC protocol
 * says (Trailers-Only, grpc-status/grpc-message, HTTP status and
 * RST_STREAM mappings), response messages reassembled and queued, and flow
 * control credit returned as the application reads. */
#include "internal.h"
#include "metadata.h"

#include <stdlib.h>
#include <string.h>

#include "wire/content_type.h"

static int name_is(const uint8_t *name, size_t len, const char *lit) {
  size_t n = strlen(lit);
  return len == n && memcmp(name, lit, n) == 0;
}

ssize_t hzc_stream_read_request(nghttp2_session *s, int32_t stream_id, uint8_t *buf, size_t len,
                                uint32_t *flags, nghttp2_data_source *src, void *ud) {
  (void)src;
  (void)ud;
  /* Looked up by stream, not src->ptr: an abandoned call is gone. */
  hzc_call_t *call = nghttp2_session_get_stream_user_data(s, stream_id);
  if (!call || call->done) {
    *flags |= NGHTTP2_DATA_FLAG_EOF;
    return 0;
  }
  size_t avail = call->out_len - call->out_off;
  if (avail == 0) {
    if (call->send_closed) {
      *flags |= NGHTTP2_DATA_FLAG_EOF;
      return 0;
    }
    call->send_deferred = 1;
    return NGHTTP2_ERR_DEFERRED;
  }
  size_t n = avail < len ? avail : len;
  memcpy(buf, call->out + call->out_off, n);
  call->out_off += n;
  if (call->out_off == call->out_len) {
    call->out_off = call->out_len = 0;
    if (call->send_closed)
      *flags |= NGHTTP2_DATA_FLAG_EOF;
  }
  return (ssize_t)n;
}

void hzc_stream_begin_headers(hzc_call_t *call, nghttp2_headers_category cat) {
  call->in_trailers = cat == NGHTTP2_HCAT_HEADERS;
  hzc_metadata_free(call->block_md);
  call->block_md = NULL;
  call->block_md_tail = &call->block_md;
}

/* Fields of the protocol itself, which the status already represents. */
static int is_protocol_field(const uint8_t *name, size_t len) {
  return (len > 0 && name[0] == ':') || name_is(name, len, "grpc-status") ||
         name_is(name, len, "grpc-message") || name_is(name, len, "content-type");
}

static void keep_metadata(hzc_call_t *call, const uint8_t *name, size_t namelen,
                          const uint8_t *value, size_t valuelen) {
  if (is_protocol_field(name, namelen) || !call->block_md_tail)
    return;
  hzc_metadata_t *m = hzc_metadata_new(name, namelen, value, valuelen);
  if (!m)
    return; /* undecodable "-bin" value or no memory: the entry is dropped */
  *call->block_md_tail = m;
  call->block_md_tail = &m->next;
}

/* At the end of a header block: trailers (or a Trailers-Only response)
 * become the call's trailing metadata; initial metadata is not kept. */
static void settle_block_metadata(hzc_call_t *call, int end_stream) {
  if (call->in_trailers || end_stream) {
    hzc_metadata_t **tail = &call->trailers;
    while (*tail)
      tail = &(*tail)->next;
    *tail = call->block_md;
  } else {
    hzc_metadata_free(call->block_md);
  }
  call->block_md = NULL;
  call->block_md_tail = NULL;
}

static void take_content_type(hzc_call_t *call, const uint8_t *v, size_t len) {
  /* Any codec is gRPC (a mismatch shows when the message fails to parse);
   * gRPC-Web is not what we asked for. */
  call->content_type_ok = hz_wire_content_type((const char *)v, len, NULL) == HZ_WIRE_CT_GRPC;
  size_t keep = len < sizeof(call->content_type) - 1 ? len : sizeof(call->content_type) - 1;
  memcpy(call->content_type, v, keep);
  call->content_type[keep] = '\0';
}

static void take_grpc_status(hzc_call_t *call, const uint8_t *v, size_t len) {
  int code = 0;
  int ok = len > 0 && len <= 4;
  for (size_t i = 0; ok && i < len; i++) {
    if (v[i] < '0' || v[i] > '9')
      ok = 0;
    else
      code = code * 10 + (v[i] - '0');
  }
  call->have_grpc_status = 1;
  call->grpc_status_bad = !ok;
  call->grpc_status = ok ? code : HZ_STATUS_UNKNOWN;
}

int hzc_stream_header(hzc_call_t *call, const uint8_t *name, size_t namelen, const uint8_t *value,
                      size_t valuelen) {
  call->header_bytes += namelen + valuelen + 32;
  if (call->header_bytes > HZC_MAX_HEADER_LIST) {
    hzc_call_fail(call, HZ_STATUS_INTERNAL, "response headers of %s exceed %u bytes", call->method,
                  HZC_MAX_HEADER_LIST);
    return -1;
  }
  if (!call->in_trailers && name_is(name, namelen, ":status")) {
    int code = 0;
    for (size_t i = 0; i < valuelen && i < 3; i++)
      code = code * 10 + (value[i] - '0');
    call->http_status = code;
  } else if (!call->in_trailers && name_is(name, namelen, "content-type")) {
    take_content_type(call, value, valuelen);
  } else if (name_is(name, namelen, "grpc-status")) {
    take_grpc_status(call, value, valuelen);
  } else if (name_is(name, namelen, "grpc-message")) {
    free(call->grpc_message);
    call->grpc_message = hz_pct_decode((const char *)value, valuelen, NULL);
  }
  keep_metadata(call, name, namelen, value, valuelen);
  return 0;
}

static void set_server_status(hzc_call_t *call, int code, const char *msg) {
  hzc_status_t *st = &call->status;
  hzc_status_reset(st);
  st->code = code;
  if (msg && *msg)
    st->message = strdup(msg);
  st->trailers = call->trailers;
  call->trailers = NULL;
}

/* The server's final word on the call, from what its headers and trailers
 * said; used when the response stream ended normally (END_STREAM). */
static void finish_from_headers(hzc_call_t *call) {
  hzc_status_t *st = &call->status;

  if (call->have_grpc_status && call->grpc_status_bad) {
    hzc_status_set(st, HZ_STATUS_UNKNOWN, "invalid grpc-status from the server");
  } else if (call->have_grpc_status) {
    if (call->grpc_status == HZ_STATUS_OK && !hz_frame_decoder_idle(&call->dec))
      hzc_status_set(st, HZ_STATUS_INTERNAL, "the response of %s ended in the middle of a message",
                     call->method);
    else
      set_server_status(call, call->grpc_status, call->grpc_message);
  } else if (!call->got_headers) {
    hzc_status_set(st, HZ_STATUS_INTERNAL, "the server ended %s without response headers",
                   call->method);
  } else if (call->http_status != 200) {
    hzc_status_set(st, hzc_status_from_http(call->http_status),
                   "HTTP status %d from the server, not a gRPC response (%s)", call->http_status,
                   call->method);
  } else if (!call->content_type_ok) {
    hzc_status_set(st, HZ_STATUS_UNKNOWN,
                   "the server answered with content-type '%s', not application/grpc",
                   call->content_type);
  } else {
    hzc_status_set(st, HZ_STATUS_UNKNOWN, "the server ended %s without a grpc-status",
                   call->method);
  }
  call->done = 1;
  /* The server is done even if we were still sending: stop the stream so
   * nghttp2 stops asking for request data. */
  if (call->conn && !call->stream_closed &&
      !nghttp2_session_get_stream_local_close(call->conn->session, call->stream_id))
    nghttp2_submit_rst_stream(call->conn->session, NGHTTP2_FLAG_NONE, call->stream_id,
                              NGHTTP2_NO_ERROR);
}

void hzc_stream_headers_done(hzc_call_t *call, int end_stream) {
  if (!call->in_trailers) {
    if (call->http_status >= 100 && call->http_status < 200 && !end_stream) {
      settle_block_metadata(call, 0);
      return; /* informational: the real response follows */
    }
    call->got_headers = 1;
  }
  settle_block_metadata(call, end_stream);
  if (end_stream && !call->done)
    finish_from_headers(call);
}

void hzc_stream_remote_end(hzc_call_t *call) {
  if (!call->done)
    finish_from_headers(call);
}

void hzc_stream_closed(hzc_call_t *call, uint32_t error_code) {
  call->stream_closed = 1;
  if (call->abandoned) {
    hzc_call_free(call);
    return;
  }
  if (call->done)
    return;
  /* Closed without END_STREAM from the server: a reset. */
  if (error_code == NGHTTP2_REFUSED_STREAM && call->conn && call->conn->goaway)
    hzc_call_fail(call, HZ_STATUS_UNAVAILABLE,
                  "the server is going away (GOAWAY) and did not process %s; retry", call->method);
  else
    hzc_call_fail(call, hzc_status_from_h2_error(error_code),
                  "the server reset the stream of %s (%s)", call->method,
                  nghttp2_http2_strerror(error_code));
}

void hzc_stream_consume(hzc_call_t *call) {
  if (call->unconsumed == 0 || !call->conn || call->conn->dead)
    return;
  if (call->queued_bytes >= HZC_RECV_HIGH_WATER && !call->done && !call->discard)
    return;
  nghttp2_session_consume(call->conn->session, call->stream_id, call->unconsumed);
  call->unconsumed = 0;
}

static int enqueue_message(void *ud, const uint8_t *data, size_t len) {
  hzc_call_t *call = ud;
  if (call->discard)
    return 0;
  hzc_msg_t *m = malloc(sizeof(*m) + len);
  if (!m)
    return 1;
  m->next = NULL;
  m->len = len;
  /* An empty message (an empty list page) comes with data NULL, which
   * memcpy may not be given even for 0 bytes. */
  if (len)
    memcpy(m->data, data, len);
  if (call->tail)
    call->tail->next = m;
  else
    call->head = m;
  call->tail = m;
  call->queued_bytes += len;
  return 0;
}

static void fail_decode(hzc_call_t *call, int err) {
  switch (err) {
  case HZ_FRAME_ETOOBIG:
    hzc_call_fail(call, HZ_STATUS_RESOURCE_EXHAUSTED,
                  "received message larger than max (%zu vs. %zu)", call->dec.declared_len,
                  call->dec.max_len);
    break;
  case HZ_FRAME_ECOMPRESSED:
    hzc_call_fail(call, HZ_STATUS_INTERNAL,
                  "the server sent a compressed message, but no compression was negotiated");
    break;
  case HZ_FRAME_EFLAG:
    hzc_call_fail(call, HZ_STATUS_INTERNAL, "invalid gRPC message flag from the server");
    break;
  default:
    hzc_call_fail(call, HZ_STATUS_RESOURCE_EXHAUSTED, "out of memory reading the response of %s",
                  call->method);
    break;
  }
}

void hzc_stream_data(hzc_call_t *call, const uint8_t *data, size_t len) {
  call->unconsumed += len;
  /* Data after our verdict, or in a response that is not gRPC at all (an
   * HTML error page), is only flow-control credit. */
  int not_grpc = call->http_status != 200 || !call->content_type_ok;
  if (!call->done && !not_grpc) {
    int r = hz_frame_decoder_feed(&call->dec, data, len, enqueue_message, call);
    if (r < 0)
      fail_decode(call, r);
  }
  hzc_stream_consume(call);
}
