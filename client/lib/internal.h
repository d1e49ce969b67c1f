/* Structures shared by the files of the client library; not installed,
 * not for applications. */
#ifndef HZC_INTERNAL_H
#define HZC_INTERNAL_H

#include <stdint.h>
#include <time.h>

#include <nghttp2/nghttp2.h>
#include <openssl/ssl.h>

#include "addr.h"
#include "hzclient.h"
#include "transport.h"
#include "wire/frame.h"

/* Flow control: each stream may have this much unread data in flight ... */
#define HZC_STREAM_WINDOW   (1u << 20)
/* ... and the connection as a whole this much. */
#define HZC_CONN_WINDOW     (8u << 20)
/* Once this many decoded bytes wait for the application, stop granting the
 * server window: memory stays bounded however slowly the caller reads. */
#define HZC_RECV_HIGH_WATER (1u << 20)
/* Largest response header block accepted (names + values + 32 per field). */
#define HZC_MAX_HEADER_LIST (64u * 1024u)

/* Results of hzc_conn_pump besides 0. */
enum {
  HZC_PUMP_ETIMEDOUT = -1, /* the deadline passed with nothing to do */
  HZC_PUMP_ECONN = -2,     /* the connection is gone; its calls have failed */
};

/* One complete response message waiting to be read. */
typedef struct hzc_msg_s {
  struct hzc_msg_s *next; /* next message in arrival order */
  size_t len;             /* bytes in data */
  uint8_t data[];         /* serialized protobuf */
} hzc_msg_t;

typedef struct hzc_conn_s hzc_conn_t;

/* One HTTP/2 connection and the calls on it. */
struct hzc_conn_s {
  hzc_client_t *client;     /* owner */
  hzc_conn_t *next;         /* next on the client's retired list */
  hzc_transport_t tr;       /* socket (and TLS) */
  nghttp2_session *session; /* HTTP/2 state machine */
  const uint8_t *out;       /* bytes from nghttp2_session_mem_send not yet written */
  size_t out_len;           /* how many */
  int dead;                 /* transport gone: no more I/O, calls failed */
  int goaway;               /* GOAWAY received: no new calls here */
  int heard_from;           /* the server has sent at least one byte */
  hzc_call_t *calls;        /* calls on this connection, live and abandoned */
  size_t live_calls;        /* calls the application has not finished */
};

/* One RPC. */
struct hzc_call_s {
  hzc_client_t *client; /* owner */
  hzc_conn_t *conn;     /* connection, NULL when never connected or detached */
  hzc_call_t *next;     /* sibling on conn->calls */
  char *method;         /* "/pkg.Service/Method", for error messages */
  int32_t stream_id;    /* HTTP/2 stream, 0 until submitted */
  int64_t deadline;     /* monotonic ms, 0 = none */
  int64_t timeout_ms;   /* the deadline as configured, for messages */

  uint8_t *out;      /* framed request bytes not yet taken by nghttp2 */
  size_t out_off;    /* first byte still to hand over */
  size_t out_len;    /* end of the bytes in out */
  size_t out_cap;    /* allocated size of out */
  int send_closed;   /* the application half-closed */
  int send_deferred; /* nghttp2 parked the data provider */

  hz_frame_decoder_t dec; /* reassembles messages across DATA frames */
  hzc_msg_t *head;        /* oldest undelivered message */
  hzc_msg_t *tail;        /* newest undelivered message */
  size_t queued_bytes;    /* bytes held in the message queue */
  size_t unconsumed;      /* DATA bytes not yet returned to flow control */
  int discard;            /* drop messages: nobody will read them */

  int in_trailers;                /* the header block being received is trailers */
  int got_headers;                /* the (final) response headers arrived */
  int http_status;                /* :status, 0 until seen */
  int content_type_ok;            /* content-type is application/grpc[+...] */
  char content_type[64];          /* as received (truncated), for messages */
  int have_grpc_status;           /* grpc-status seen in headers or trailers */
  int grpc_status;                /* its value */
  int grpc_status_bad;            /* the value was not a number */
  char *grpc_message;             /* decoded grpc-message, malloc'd */
  size_t header_bytes;            /* size of the response header blocks so far */
  hzc_metadata_t *block_md;       /* custom metadata of the header block being
                              * received; kept only if it turns out to be
                              * trailers (or Trailers-Only) */
  hzc_metadata_t **block_md_tail; /* where the next entry of block_md links in */
  hzc_metadata_t *trailers;       /* the trailing metadata, handed to the status */

  int stream_closed;   /* nghttp2 closed the stream */
  int done;            /* status is final */
  int abandoned;       /* finished by the app, waiting for stream close */
  hzc_status_t status; /* the outcome once done */
};

/* A client: address, credentials, TLS context and connections. */
struct hzc_client_s {
  hzc_addr_t addr;        /* where to connect */
  char *authorization;    /* "Bearer <token>" or NULL */
  char *user_agent;       /* user-agent header value */
  int64_t timeout_ms;     /* default call deadline, 0 = none */
  size_t max_recv;        /* largest response message accepted */
  SSL_CTX *ssl_ctx;       /* for https:// addresses, else NULL */
  BIO_METHOD *bio_method; /* SIGPIPE-free socket BIO for TLS */
  hzc_conn_t *conn;       /* connection new calls go to, NULL before the first */
  hzc_conn_t *retired;    /* older connections that still carry calls */
};

static inline int64_t hzc_clock_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* poll() timeout until deadline: -1 for none, 0 when already passed. */
static inline int hzc_poll_timeout(int64_t deadline) {
  if (deadline == 0)
    return -1;
  int64_t left = deadline - hzc_clock_ms();
  if (left <= 0)
    return 0;
  return left > 0x7fffffff ? 0x7fffffff : (int)left;
}

/* status.c */
int hzc_status_from_http(int http_status);
int hzc_status_from_h2_error(uint32_t error_code);

/* conn.c */
hzc_conn_t *hzc_conn_open(hzc_client_t *client, int64_t deadline, hzc_status_t *st);
int hzc_conn_pump(hzc_conn_t *c, int64_t deadline);
void hzc_conn_flush_nowait(hzc_conn_t *c);
void hzc_conn_fail(hzc_conn_t *c, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void hzc_conn_free(hzc_conn_t *c);

/* stream.c: what nghttp2 tells a call about its stream */
ssize_t hzc_stream_read_request(nghttp2_session *s, int32_t stream_id, uint8_t *buf, size_t len,
                                uint32_t *flags, nghttp2_data_source *src, void *ud);
void hzc_stream_begin_headers(hzc_call_t *call, nghttp2_headers_category cat);
int hzc_stream_header(hzc_call_t *call, const uint8_t *name, size_t namelen, const uint8_t *value,
                      size_t valuelen);
void hzc_stream_headers_done(hzc_call_t *call, int end_stream);
void hzc_stream_data(hzc_call_t *call, const uint8_t *data, size_t len);
void hzc_stream_remote_end(hzc_call_t *call);
void hzc_stream_closed(hzc_call_t *call, uint32_t error_code);
void hzc_stream_consume(hzc_call_t *call);

/* call.c */
void hzc_call_fail(hzc_call_t *call, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void hzc_call_free(hzc_call_t *call);
void hzc_call_require_single(hzc_call_t *call, int got);

/* client.c */
hzc_conn_t *hzc_client_conn(hzc_client_t *c, int64_t deadline, hzc_status_t *st);
void hzc_client_conn_idle(hzc_client_t *c, hzc_conn_t *conn);

#endif
