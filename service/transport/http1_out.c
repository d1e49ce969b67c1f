/* HTTP/1.1 responses from calls: the head (status line and headers, with
 * the gRPC status in it for Trailers-Only), chunked gRPC-Web bodies taken
 * from the call's queue, plain bodies with Content-Length; all into the
 * connection's batched write (see http1.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/context.h"
#include "transport/conn.h"
#include "transport/cors.h"
#include "transport/http1_internal.h"
#include "transport/web.h"

#define CHUNK_OVERHEAD 12 /* "%zx\r\n" of at most 8 digits, and "\r\n" */

static void line(FILE *f, const char *name, const char *value) {
  fprintf(f, "%s: %s\r\n", name, value);
}

static void end_head(hz_http1_t *h, FILE *f) {
  if (!h->keep_alive || h->state == HZ_H1_CLOSING || h->state == HZ_H1_REQUEST)
    line(f, "connection", "close"); /* REQUEST: the rest of the body stays unread */
  fputs("\r\n", f);
}

static void plain_head(hz_http1_t *h, const hz_call_t *call, FILE *f) {
  const hz_plain_t *p = call->plain;
  fprintf(f, "HTTP/1.1 %d %s\r\n", p->status, http_status_str((enum http_status)p->status));
  for (size_t i = 0; i < p->nheaders; i++)
    line(f, p->headers[i].name, p->headers[i].value);
  if (p->status != 204 && p->status != 304)
    fprintf(f, "content-length: %zu\r\n", p->len);
  end_head(h, f);
}

static void grpc_head(hz_http1_t *h, const hz_call_t *call, int trailers_only, FILE *f) {
  int status = trailers_only && call->early_http_status ? call->early_http_status : 200;
  fprintf(f, "HTTP/1.1 %d %s\r\n", status, http_status_str((enum http_status)status));
  line(f, "content-type", hz_web_content_type(call));
  hz_header_t cors[HZ_CORS_MAX_HEADERS];
  size_t nc = hz_cors_response_headers(call, cors);
  for (size_t i = 0; i < nc; i++)
    line(f, cors[i].name, cors[i].value);
  if (trailers_only) {
    fprintf(f, "grpc-status: %d\r\n", call->status);
    if (call->status_message && *call->status_message)
      line(f, "grpc-message", call->status_message);
    for (const hz_metadata_t *m = call->trailers; m; m = m->next)
      line(f, m->name, m->value);
    line(f, "content-length", "0");
  } else {
    line(f, "transfer-encoding", "chunked");
  }
  end_head(h, f);
}

/* Builds the head once the call has something to say. Returns 0, 1 when
 * not yet, -1 without memory. */
static int build_head(hz_http1_t *h, hz_call_t *call) {
  int responded = call->state == HZ_CALL_RESPONDED;
  if (call->plain ? !responded : !(call->out_head || responded))
    return 1;
  FILE *f = open_memstream(&h->out_head, &h->out_head_len);
  if (!f)
    return -1;
  int trailers_only = !call->plain && responded && !call->sent_message && !call->status_in_body;
  if (call->plain)
    plain_head(h, call, f);
  else
    grpc_head(h, call, trailers_only, f);
  if (fclose(f) != 0) {
    free(h->out_head);
    h->out_head = NULL;
    return -1;
  }
  h->out_head_off = 0;
  h->head_done = 1;
  if (trailers_only || (call->plain && (call->plain->no_body || call->plain->len == 0)))
    h->answer_done = 1;
  return 0;
}

static size_t copy_head(hz_http1_t *h, uint8_t *buf, size_t cap) {
  size_t n = h->out_head_len - h->out_head_off;
  if (n > cap)
    n = cap;
  memcpy(buf, h->out_head + h->out_head_off, n);
  h->out_head_off += n;
  if (h->out_head_off == h->out_head_len) {
    free(h->out_head);
    h->out_head = NULL;
  }
  return n;
}

static size_t plain_body(hz_http1_t *h, hz_plain_t *p, uint8_t *buf, size_t cap) {
  size_t n = p->len - p->off < cap ? p->len - p->off : cap;
  memcpy(buf, p->body + p->off, n);
  p->off += n;
  if (p->off == p->len)
    h->answer_done = 1;
  return n;
}

/* Queued frames as chunks; the last chunk once the status is out. */
static size_t grpc_body(hz_http1_t *h, hz_call_t *call, uint8_t *buf, size_t cap) {
  size_t n = 0;
  while (call->out_head && cap - n > CHUNK_OVERHEAD) {
    hz_outbuf_t *b = call->out_head;
    size_t take = b->len - b->off;
    if (take > cap - n - CHUNK_OVERHEAD)
      take = cap - n - CHUNK_OVERHEAD;
    n += (size_t)sprintf((char *)buf + n, "%zx\r\n", take);
    memcpy(buf + n, b->data + b->off, take);
    memcpy(buf + n + take, "\r\n", 2);
    n += take + 2;
    b->off += take;
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
  if (n > 0)
    hz_stream_account(call);
  if (!call->out_head && call->state == HZ_CALL_RESPONDED && cap - n >= 5) {
    memcpy(buf + n, "0\r\n\r\n", 5);
    n += 5;
    h->answer_done = 1;
  }
  return n;
}

static size_t produce_one(hz_http1_t *h, uint8_t *buf, size_t cap) {
  if (h->aborted)
    return 0;
  if (h->raw) {
    size_t n = strlen(h->raw) < cap ? strlen(h->raw) : cap;
    memcpy(buf, h->raw, n);
    h->raw = NULL;
    h->answer_done = 1;
    return n;
  }
  hz_call_t *call = h->call;
  if (!call || call->aborted || (h->answer_done && !h->out_head))
    return 0;
  int r = h->head_done ? 0 : build_head(h, call);
  if (r < 0)
    h->aborted = 1; /* no memory for a head: the connection goes */
  if (r != 0)
    return 0;
  size_t n = h->out_head ? copy_head(h, buf, cap) : 0;
  if (h->out_head || h->answer_done)
    return n;
  if (call->plain)
    return n + plain_body(h, call->plain, buf + n, cap - n);
  return n + grpc_body(h, call, buf + n, cap - n);
}

/* Pipelined requests waiting behind a complete answer are taken up here,
 * so their answers go out in the same write (in order) instead of one
 * write each. Handlers then run inside the flush, whose own flushes wait
 * (conn.c's flushing bit) as they do inside a read. */
size_t hz_http1_produce(hz_http1_t *h, uint8_t *buf, size_t cap) {
  size_t n = produce_one(h, buf, cap);
  while (n < cap && h->answer_done && !h->out_head && h->call && h->npending &&
         h->state == HZ_H1_ANSWERING && h->keep_alive && !h->aborted) {
    hz_http1_advance(h);
    n += produce_one(h, buf + n, cap - n);
  }
  return n;
}
