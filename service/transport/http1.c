/* HTTP/1.1 requests into calls: libhttp-parser callbacks, the bounds on
 * the request head, pipelining (one exchange at a time, in order) and the
 * connection's lifecycle (see http1.h; responses are http1_out.c's). */
#include "transport/http1.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "core/context.h"
#include "transport/conn.h"
#include "transport/http1_internal.h"
#include "transport/route.h"
#include "transport/server.h"

#define MAX_PENDING (1u << 20) /* bytes of pipelined requests held */

#define BIT(s) (1u << (s))
/* Legal predecessors of each state (see hz_h1_state_t). */
static const unsigned h1_from[] = {
    [HZ_H1_IDLE] = BIT(HZ_H1_ANSWERING),
    [HZ_H1_REQUEST] = BIT(HZ_H1_IDLE),
    [HZ_H1_ANSWERING] = BIT(HZ_H1_REQUEST),
    [HZ_H1_CLOSING] = BIT(HZ_H1_IDLE) | BIT(HZ_H1_REQUEST) | BIT(HZ_H1_ANSWERING),
};

void hz_http1_set_state(hz_http1_t *h, hz_h1_state_t to) {
  assert(h1_from[to] & BIT(h->state));
  h->state = to;
}

static void close_after(hz_http1_t *h) {
  if (h->state != HZ_H1_CLOSING)
    hz_http1_set_state(h, HZ_H1_CLOSING);
}

static void reading(hz_http1_t *h, int on) {
  if (h->reading == (unsigned)on)
    return;
  h->reading = on ? 1 : 0;
  hz_conn_read(h->conn, on);
}

static uint32_t max_head(const hz_http1_t *h) {
  return h->conn->server->ctx->config->max_header_bytes;
}

/* ---- parser callbacks ---------------------------------------------------- */

static int on_message_begin(http_parser *p) {
  hz_http1_t *h = p->data;
  hz_http1_set_state(h, HZ_H1_REQUEST);
  h->call = hz_stream_open(h->conn, ++h->seq);
  h->head = malloc(HZ_HTTP1_MAX_TARGET + max_head(h));
  h->target_len = h->name_len = h->value_len = h->head_bytes = 0;
  h->nheaders = 0;
  h->in_value = 0;
  return h->call && h->head ? 0 : -1;
}

/* Counts n more bytes of the head; stops the parser past a bound. */
static int over(hz_http1_t *h, size_t n) {
  h->head_bytes += n;
  if (h->head_bytes > max_head(h)) { /* the buffer holds the target and one line */
    h->error_status = 431;
    return 1;
  }
  return 0;
}

static int on_url(http_parser *p, const char *at, size_t len) {
  hz_http1_t *h = p->data;
  if (h->target_len + len > HZ_HTTP1_MAX_TARGET) {
    h->error_status = 414;
    return 1;
  }
  memcpy(h->head + h->target_len, at, len);
  h->target_len += len;
  return 0;
}

/* The header line gathered so far goes to the call. */
static int commit_header(hz_http1_t *h) {
  char *name = h->head + h->target_len, *value = name + h->name_len;
  size_t vlen = h->value_len;
  while (vlen > 0 && (value[vlen - 1] == ' ' || value[vlen - 1] == '\t'))
    vlen--;
  if (++h->nheaders > HZ_HTTP1_MAX_HEADERS) {
    h->error_status = 431;
    return 1;
  }
  hz_stream_header(h->call, (const uint8_t *)name, h->name_len, (const uint8_t *)value, vlen);
  h->head_bytes += 4; /* ": " and CRLF */
  h->name_len = h->value_len = 0;
  h->in_value = 0;
  return 0;
}

static int on_header_field(http_parser *p, const char *at, size_t len) {
  hz_http1_t *h = p->data;
  if (h->in_value && commit_header(h))
    return 1;
  if (over(h, len))
    return 1;
  char *dst = h->head + h->target_len + h->name_len;
  for (size_t i = 0; i < len; i++) /* HTTP/2 and the call API use lower case */
    dst[i] = (at[i] >= 'A' && at[i] <= 'Z') ? (char)(at[i] | 0x20) : at[i];
  h->name_len += len;
  return 0;
}

static int on_header_value(http_parser *p, const char *at, size_t len) {
  hz_http1_t *h = p->data;
  if (over(h, len))
    return 1;
  h->in_value = 1;
  memcpy(h->head + h->target_len + h->name_len + h->value_len, at, len);
  h->value_len += len;
  return 0;
}

static int on_headers_complete(http_parser *p) {
  hz_http1_t *h = p->data;
  if ((h->in_value || h->name_len) && commit_header(h))
    return -1;
  const char *method = http_method_str((enum http_method)p->method);
  hz_stream_header(h->call, (const uint8_t *)":method", 7, (const uint8_t *)method, strlen(method));
  hz_stream_header(h->call, (const uint8_t *)":path", 5, (const uint8_t *)h->head, h->target_len);
  h->keep_alive = http_should_keep_alive(p) && !p->upgrade;
  free(h->head);
  h->head = NULL;
  hz_stream_headers_end(h->call);
  return 0;
}

static int on_body(http_parser *p, const char *at, size_t len) {
  hz_http1_t *h = p->data;
  hz_stream_body(h->call, (const uint8_t *)at, len);
  return 0;
}

static int on_message_complete(http_parser *p) {
  hz_http1_t *h = p->data;
  hz_http1_set_state(h, HZ_H1_ANSWERING);
  http_parser_pause(p, 1); /* the next request waits for this answer */
  hz_stream_body_end(h->call);
  return 0;
}

static const http_parser_settings parser_settings = {
    .on_message_begin = on_message_begin,
    .on_url = on_url,
    .on_header_field = on_header_field,
    .on_header_value = on_header_value,
    .on_headers_complete = on_headers_complete,
    .on_body = on_body,
    .on_message_complete = on_message_complete,
};

/* ---- feeding ------------------------------------------------------------- */

/* Holds bytes of requests that must wait for the answer in progress. */
static void keep(hz_http1_t *h, const uint8_t *data, size_t len) {
  reading(h, 0);
  if (len == 0 || h->state == HZ_H1_CLOSING || !h->keep_alive)
    return;
  uint8_t *np = h->npending + len <= MAX_PENDING ? realloc(h->pending, h->npending + len) : NULL;
  if (!np) {
    close_after(h); /* a client piling up requests it does not read answers to */
    return;
  }
  memcpy(np + h->npending, data, len);
  h->pending = np;
  h->npending += len;
}

static const char BAD_REQUEST[] = "HTTP/1.1 400 Bad Request\r\n"
                                  "content-type: text/plain; charset=utf-8\r\n"
                                  "content-length: 28\r\n"
                                  "connection: close\r\n\r\n"
                                  "malformed HTTP/1.1 request\r\n";

/* The parser stopped on an error: answer what can be answered, close. */
static void fail(hz_http1_t *h, enum http_errno e) {
  hz_call_t *call = h->call;
  reading(h, 0);
  free(h->head);
  h->head = NULL;
  if (!call) {
    if (h->state != HZ_H1_CLOSING)
      h->raw = BAD_REQUEST;
    close_after(h);
    return;
  }
  close_after(h);
  if (call->state == HZ_CALL_HEADERS) {
    const char *why = h->error_status == 414   ? "request target longer than 8192 bytes\n"
                      : h->error_status == 431 ? "request header fields too large or too many\n"
                                               : http_errno_description(e);
    hz_route_text(call, h->error_status ? h->error_status : 400, why);
  } else if (call->state != HZ_CALL_RESPONDED) {
    hz_stream_respond(call, HZ_STATUS_INVALID_ARGUMENT,
                      hz_arena_printf(&call->arena, "malformed HTTP/1.1 request body: %s",
                                      http_errno_description(e)));
  }
}

static void parse(hz_http1_t *h, const uint8_t *data, size_t len) {
  size_t n = http_parser_execute(&h->parser, &parser_settings, (const char *)data, len);
  enum http_errno e = HTTP_PARSER_ERRNO(&h->parser);
  if (e == HPE_PAUSED)
    keep(h, data + n, len - n);
  else if (e != HPE_OK)
    fail(h, e);
}

void hz_http1_feed(hz_http1_t *h, const uint8_t *data, size_t len) {
  /* Zero bytes would tell libhttp-parser the stream ended (EOF). */
  if (h->state == HZ_H1_CLOSING || len == 0)
    return;
  if (h->state == HZ_H1_ANSWERING || h->npending) {
    keep(h, data, len);
    return;
  }
  parse(h, data, len);
}

/* ---- lifecycle ----------------------------------------------------------- */

hz_http1_t *hz_http1_new(hz_conn_t *c) {
  hz_http1_t *h = calloc(1, sizeof(*h));
  if (!h)
    return NULL;
  h->conn = c;
  h->reading = 1;
  http_parser_init(&h->parser, HTTP_REQUEST);
  h->parser.data = h;
  return h;
}

void hz_http1_free(hz_http1_t *h) {
  if (!h)
    return;
  free(h->head);
  free(h->pending);
  free(h->out_head);
  free(h);
}

/* The next pipelined request, now that the previous one is answered. */
static void resume(hz_http1_t *h) {
  uint8_t *p = h->pending;
  size_t n = h->npending;
  h->pending = NULL;
  h->npending = 0;
  http_parser_pause(&h->parser, 0);
  unsigned saved = h->conn->in_recv;
  h->conn->in_recv = 1; /* handlers' flushes wait for the parse to end */
  if (n)
    parse(h, p, n);
  h->conn->in_recv = saved;
  free(p);
  if (h->state == HZ_H1_IDLE || h->state == HZ_H1_REQUEST)
    reading(h, 1);
}

void hz_http1_after_write(hz_http1_t *h) {
  hz_http1_advance(h);
}

void hz_http1_advance(hz_http1_t *h) {
  if (!h->answer_done || h->out_head)
    return;
  hz_call_t *call = h->call;
  h->call = NULL;
  h->answer_done = h->head_done = 0;
  if (!call) {
    close_after(h);
    return;
  }
  int unread = call->remote_open;
  hz_stream_gone(call);
  if (h->state == HZ_H1_CLOSING)
    return;
  /* An answer that came before the whole request (an early refusal):
   * the rest of the body is unread, so the next request cannot be found. */
  if (!h->keep_alive || unread || h->state != HZ_H1_ANSWERING || h->conn->state != HZ_CONN_ACTIVE) {
    close_after(h);
    return;
  }
  hz_http1_set_state(h, HZ_H1_IDLE);
  resume(h);
}

int hz_http1_finished(const hz_http1_t *h) {
  if (h->aborted)
    return 1;
  return h->state == HZ_H1_CLOSING && !h->raw && !h->out_head && (!h->call || h->answer_done);
}

void hz_http1_drain(hz_http1_t *h) {
  h->keep_alive = 0;
  if (h->state == HZ_H1_IDLE)
    close_after(h);
}

void hz_http1_abort(hz_http1_t *h) {
  h->aborted = 1;
  close_after(h);
}
