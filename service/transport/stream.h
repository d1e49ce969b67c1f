/* One exchange carrying one call: an HTTP/2 stream, or one request and
 * its response on an HTTP/1.1 connection (http1.c). Its state, request
 * headers and message decoding (stream.c), the response queue, trailers
 * and budgets (response.c), gRPC-Web framing (web.c), plain HTTP answers
 * such as the console's files (route.c, static.c, cors.c). Internal to the
 * transport; handlers use call.h and never see which carrier or framing
 * the call came in on.
 *
 * Lifetime: created when a request begins (HTTP/2 HEADERS, or the first
 * byte of an HTTP/1.1 request), gone from the carrier with
 * hz_stream_gone (HTTP/2 stream closed, HTTP/1.1 response fully written,
 * or the connection lost), freed by hz_stream_maybe_free once no handler
 * and no frame on the stack uses it. */
#ifndef HZ_TRANSPORT_STREAM_H
#define HZ_TRANSPORT_STREAM_H

#include <nghttp2/nghttp2.h>
#include <uv.h>

#include "core/arena.h"
#include "transport/call.h"
#include "wire/frame.h"

struct hz_conn_s;

/* Where the stream's exchange is. Every change goes through
 * hz_stream_set_state, which asserts the old state is a legal predecessor:
 *   HEADERS   -> RECEIVING (dispatched) | RESPONDED (refused before)
 *   RECEIVING -> HANDLING (client half-closed) | RESPONDED
 *   HANDLING  -> RESPONDED
 * RESPONDED is final: the status is queued or sent, or the stream is gone
 * or aborted; entering it stops the deadline timer. Whether the memory may
 * go is separate: see hz_stream_maybe_free. */
typedef enum {
  HZ_CALL_HEADERS,   /* receiving request headers */
  HZ_CALL_RECEIVING, /* dispatched; request messages arriving */
  HZ_CALL_HANDLING,  /* client half-closed; the handler owns the answer */
  HZ_CALL_RESPONDED, /* final status queued or sent; nothing more to say */
} hz_call_state_t;

/* Where the handler is with the call. Changed only by hz_stream_set_handler,
 * which asserts NONE -> ACTIVE -> FINISHED (ACTIVE -> ACTIVE for each
 * further message of a streaming request): a handler finishes a call
 * exactly once, and never one it was not given. */
typedef enum {
  HZ_HANDLER_NONE,     /* not invoked (refused before dispatch, or waiting
                          for the request to end) */
  HZ_HANDLER_ACTIVE,   /* invoked; owes exactly one hz_call_finish */
  HZ_HANDLER_FINISHED, /* hz_call_finish done; the call is the transport's */
} hz_handler_state_t;

/* How messages are framed on the wire; one handler path for all. */
typedef enum {
  HZ_FRAMING_GRPC,     /* application/grpc: status in HTTP/2 trailers */
  HZ_FRAMING_WEB,      /* application/grpc-web: status in a 0x80 body frame */
  HZ_FRAMING_WEB_TEXT, /* application/grpc-web-text: the same, base64 */
} hz_framing_t;

/* The request method, as far as routing cares. */
typedef enum {
  HZ_VERB_NONE,    /* not seen (yet) */
  HZ_VERB_POST,    /* gRPC and gRPC-Web calls */
  HZ_VERB_GET,     /* the console's files */
  HZ_VERB_HEAD,    /* the same without a body */
  HZ_VERB_OPTIONS, /* CORS preflight */
  HZ_VERB_OTHER,   /* anything else: 405 */
} hz_verb_t;

/* One response header of a plain HTTP answer; lower-case name. */
typedef struct hz_header_s {
  const char *name;  /* static, or the call's arena */
  const char *value; /* static, or the call's arena */
} hz_header_t;

#define HZ_PLAIN_MAX_HEADERS 16

/* A response that is not a gRPC call: a file, a 404, a preflight. Built in
 * the call's arena by route.c, sent by the carrier (response.c for HTTP/2,
 * http1.c for HTTP/1.1). */
typedef struct hz_plain_s {
  int status;                                /* HTTP status */
  hz_header_t headers[HZ_PLAIN_MAX_HEADERS]; /* besides content-length */
  size_t nheaders;                           /* used entries of headers */
  const uint8_t *body;                       /* embedded asset, arena copy or static text */
  size_t len;                                /* bytes of body (content-length) */
  size_t off;                                /* bytes of body already handed on */
  unsigned no_body : 1;                      /* HEAD or 304: length stated, nothing follows */
} hz_plain_t;

typedef struct hz_metadata_s {
  struct hz_metadata_s *next; /* older entry */
  const char *name;           /* lower-case header name, arena */
  const char *value;          /* header value, arena */
} hz_metadata_t;

typedef struct hz_outbuf_s {
  struct hz_outbuf_s *next; /* queued after this one */
  size_t len;               /* bytes in data (prefix + message) */
  size_t off;               /* bytes already handed to nghttp2 */
  uint8_t data[];
} hz_outbuf_t;

struct hz_call_s {
  struct hz_ctx_s *ctx;          /* the loop's context */
  struct hz_server_s *server;    /* whose --max-held-bytes this call counts
                                   against; outlives the connection */
  struct hz_conn_s *conn;        /* NULL once the stream is gone */
  struct hz_call_s *prev, *next; /* the connection's list of calls */
  int32_t stream_id;             /* HTTP/2 stream id */
  hz_call_state_t state;         /* written by hz_stream_set_state only */
  hz_handler_state_t handler;    /* written by hz_stream_set_handler only */
  unsigned stream_open : 1;      /* nghttp2 still knows this stream */
  unsigned remote_open : 1;      /* client has not sent END_STREAM */
  unsigned cancelled : 1;        /* on_cancel delivered */
  unsigned headers_sent : 1;     /* response HEADERS submitted */
  unsigned want_drain : 1;       /* on_drain owed once the queue empties */
  unsigned timer_started : 1;    /* deadline timer initialised */
  unsigned proto_subtype : 1;    /* request said application/grpc+proto */
  unsigned content_type_ok : 1;  /* an application/grpc content-type was seen */
  unsigned has_deadline : 1;     /* grpc-timeout given; deadline is valid */
  unsigned aborted : 1;          /* reset by the transport (output budget or
                                 * stalled reader); no trailers will follow */
  unsigned sent_message : 1;     /* a response message was queued: the status
                                 * can no longer go in the response headers */
  unsigned status_in_body : 1;   /* gRPC-Web: the status went in a trailer frame */
  unsigned observed : 1;         /* counted as started (observe.h); its end
                                 * is still to be counted and logged */
  unsigned framing : 2;          /* hz_framing_t of the request */
  unsigned verb : 3;             /* hz_verb_t of the request */
  unsigned ct_kind : 3;          /* hz_wire_ct_kind_t of its content-type */
  uint8_t b64_have;              /* grpc-web-text: base64 characters carried */
  char b64_carry[4];             /* over a body chunk boundary */
  hz_plain_t *plain;             /* a plain HTTP answer instead of a call */
  const char *cors_origin;       /* the Origin allowed by --cors-origin, to
                                 * echo in the response; NULL otherwise */
  int depth;                     /* nesting of transport frames using the call */
  const hz_method_t *method;     /* dispatched method, NULL before */
  hz_arena_t arena;              /* everything of this call's lifetime */
  hz_frame_decoder_t decoder;    /* request message reassembly */
  ProtobufCMessage *request;     /* unary input waiting for END_STREAM */
  uint32_t messages_in;          /* request messages decoded */
  hz_metadata_t *metadata;       /* custom request headers */
  hz_metadata_t *trailers;       /* custom trailing metadata, values encoded */
  const char *path;              /* :path, arena */
  size_t header_bytes;           /* request header list size so far */
  uint64_t deadline;             /* uv_now() ms when it expires */
  uv_timer_t timer;              /* fires at the deadline */
  int early_http_status;         /* non-200 for a rejected request */
  int early_code;                /* status for a request refused pre-dispatch */
  const char *early_message;     /* its message, arena */
  hz_outbuf_t *out_head;         /* response messages not yet framed */
  hz_outbuf_t *out_tail;         /* last queued */
  size_t out_bytes;              /* bytes queued, for backpressure */
  uint64_t begun_at;             /* uv_now() at its first HEADERS frame */
  uint64_t out_since;            /* uv_now() the queue last moved (or filled) */
  size_t held;                   /* bytes of this call in the server's
                                 * held_bytes: arena, decoder, queued output */
  int status;                    /* final grpc-status */
  uint64_t started_ns;           /* uv_hrtime() at dispatch, for latency */
  const char *request_id;        /* the client's x-request-id or ours; arena */
  const char *trace_id;          /* traceparent's trace id, or NULL; arena */
  char *status_message;          /* percent-encoded grpc-message, malloc */
  void *data;                    /* handler state */
};

/* Carrier-neutral request side: http1.c and the nghttp2 callbacks below
 * both feed a call through these. */
hz_call_t *hz_stream_open(struct hz_conn_s *c, int32_t id);
/* One request header (lower-case name; ":method" and ":path" as pseudo
 * headers); counts against --max-header-bytes. */
void hz_stream_header(hz_call_t *call, const uint8_t *name, size_t nlen, const uint8_t *value,
                      size_t vlen);
/* The header block is complete: route (plain answer) or dispatch. */
void hz_stream_headers_end(hz_call_t *call);
/* Request body bytes (gRPC frames, base64 for grpc-web-text). */
void hz_stream_body(hz_call_t *call, const uint8_t *data, size_t len);
/* The request is complete. */
void hz_stream_body_end(hz_call_t *call);
/* Refuses a request before dispatch (gRPC-shaped: Trailers-Only with
 * http_status); the first reason wins. */
void hz_stream_reject(hz_call_t *call, int http_status, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The carrier is done with the call (see the lifetime above). */
void hz_stream_gone(hz_call_t *call);
/* Answers call with its plain response (call->plain); RESPONDED after. */
void hz_stream_respond_plain(hz_call_t *call);
/* Response bytes of call framed for its framing (web text: base64), and
 * appended to its queue; used by call.c and for the gRPC-Web trailer. */
int hz_stream_enqueue(hz_call_t *call, hz_outbuf_t *b);

/* The transition functions (see the enums above); each asserts its rule. */
void hz_stream_set_state(hz_call_t *call, hz_call_state_t to);
void hz_stream_set_handler(hz_call_t *call, hz_handler_state_t to);

/* Drops the queued response bytes (and their count on the connection). */
void hz_stream_free_output(hz_call_t *call);

/* nghttp2 callbacks for a server session; conn.c installs them. */
void hz_stream_install_callbacks(nghttp2_session_callbacks *cbs);

/* The connection is going away: detach every call, cancel handlers. */
void hz_stream_detach_all(struct hz_conn_s *conn);

/* After a write completed: let streaming handlers produce more. */
void hz_stream_notify_drained(struct hz_conn_s *conn);

/* Submits the response or trailers for call's final status; used by
 * hz_call_finish and by transport-initiated endings. */
void hz_stream_respond(hz_call_t *call, int code, const char *message);

/* Frees the call when neither the stream nor a handler needs it. */
void hz_stream_maybe_free(hz_call_t *call);

/* Admits len more response bytes for call, or resets what is over budget
 * and returns -ENOBUFS: more than --max-output-bytes queued on the call, 4x
 * that on its connection, or the server over --max-held-bytes. A message
 * sent with nothing queued always passes, so no response is too big to
 * send; only a pile-up for a client that does not read is cut. */
int hz_stream_admit_output(hz_call_t *call, size_t len);

/* Brings the server's held-bytes count up to date with call's memory. */
void hz_stream_account(hz_call_t *call);

/* Per-stream deadlines of c at now: resets streams whose output has not
 * moved for --write-timeout; returns 1 when a request's header block is
 * older than --handshake-timeout (the connection must go, since nothing
 * else may be sent on it until the block ends). Lowers *next to the
 * earliest deadline still pending. */
int hz_stream_check_deadlines(struct hz_conn_s *c, uint64_t now, uint64_t *next);

/* Submits call's response HEADERS (with a data provider) if not yet sent. */
int hz_stream_start_response(hz_call_t *call);

#endif
