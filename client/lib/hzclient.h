/* The huizong client library: a synchronous gRPC client over HTTP/2
 * (nghttp2) on one TCP connection, plaintext h2c or TLS with ALPN "h2".
 * Both CLIs use it; any program that wants to speak to huizongd from C may.
 *
 * Calls never print. Every failure, local or remote, ends up as an
 * hzc_status_t with a gRPC status code and a human-readable message, exactly
 * as a stock gRPC client would report it. The library never raises SIGPIPE.
 *
 * A client is not thread-safe; use one per thread. Several calls may be open
 * on one client at a time (they share the connection), which is how a CLI
 * reads a server stream while it still has other work to do.
 *
 * Everything the library defines is prefixed hzc_ (HZC_ for constants):
 * huizongd has its own calls, connections and metadata under hz_, with
 * other meanings, and a reader (or a program linking both) must never
 * confuse the two. What both sides share, the gRPC wire runtime
 * (framing, status codes, UUIDs, host:port, UTF-8, content-type), lives in
 * proto/wire/ under hz_ and hz_wire_. */
#ifndef HZC_H
#define HZC_H

#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "wire/status.h"

/* Return codes of the functions below. */
enum {
  HZC_OK = 0,
  HZC_ECALL = -1,  /* the call ended with a non-OK status */
  HZC_EINVAL = -2, /* bad argument or API misuse; nothing was sent */
  HZC_ENOMEM = -3,
};

/* Default receive limit, the same as every stock gRPC implementation. */
#define HZC_DEFAULT_MAX_RECV (4u * 1024u * 1024u)

/* One entry of the trailing metadata the server sent with its status
 * (for a Trailers-Only response, the metadata of its single header block).
 * The protocol's own fields (grpc-status, grpc-message, pseudo-headers) are
 * not listed. */
typedef struct hzc_metadata_s {
  struct hzc_metadata_s *next; /* next entry in arrival order */
  char *name;                  /* key as received (lower case), NUL-terminated */
  uint8_t *value;              /* decoded value: the raw bytes for "-bin" keys
                                * (base64 undone), the text otherwise; a NUL
                                * follows the len bytes */
  size_t len;                  /* bytes in value */
} hzc_metadata_t;

/* The outcome of a call: what grpc-status/grpc-message said, or what the
 * library concluded locally (deadline, connection refused ...). */
typedef struct hzc_status_s {
  int code;                 /* hz_status_code_t value; HZ_STATUS_OK on success */
  char *message;            /* decoded grpc-message (malloc'd UTF-8), NULL if none */
  hzc_metadata_t *trailers; /* the server's trailing metadata, NULL when none or
                             * when the status is the library's own verdict */
} hzc_status_t;

void hzc_status_init(hzc_status_t *st);
/* Frees the message and the trailers and resets to OK. */
void hzc_status_reset(hzc_status_t *st);
/* Replaces st with code and a printf-formatted message; a status of the
 * library's own making carries no trailers. */
void hzc_status_set(hzc_status_t *st, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Moves src into dst (dst's old contents are freed; src becomes OK). */
void hzc_status_move(hzc_status_t *dst, hzc_status_t *src);
/* The message, or "" when there is none: never NULL. */
const char *hzc_status_message(const hzc_status_t *st);
/* The first trailing metadata entry named name (lower case, e.g.
 * "huizong-problems-bin"), or NULL when the server sent none. */
const hzc_metadata_t *hzc_status_trailer(const hzc_status_t *st, const char *name);

typedef struct hzc_client_opts_s {
  const char *token;      /* sent as "authorization: Bearer <token>"; NULL for none */
  const char *ca_file;    /* PEM CA bundle for https:// addresses; NULL = system store */
  int64_t timeout_ms;     /* default deadline of every call (connect included); 0 = none */
  size_t max_recv_msg;    /* largest response message accepted; 0 = 4 MiB */
  const char *user_agent; /* user-agent prefix; NULL = "huizong-client" */
} hzc_client_opts_t;

typedef struct hzc_client_s hzc_client_t;
typedef struct hzc_call_s hzc_call_t;

/* Per-call options; pass NULL for the client's defaults. */
typedef struct hzc_call_opts_s {
  int64_t timeout_ms; /* <0: the client's default, 0: no deadline, >0: this deadline */
} hzc_call_opts_t;

/* Prepares a client for addr ("host:port" for h2c with prior knowledge,
 * "https://host:port" for TLS). Connecting happens on the first call, and
 * again after the server closed the connection, so a client survives a
 * server restart. Returns 0, or HZC_EINVAL with err explaining (bad
 * address, unreadable CA file, token not fit for a header). err may be NULL. */
int hzc_client_open(hzc_client_t **out, const char *addr, const hzc_client_opts_t *opts,
                    hzc_status_t *err);

/* Closes the connection politely (GOAWAY) and frees the client. Calls still
 * open are failed with CANCELLED; they must still be finished. */
void hzc_client_close(hzc_client_t *client);

/* One unary call: sends req, waits for the single response. On success
 * returns 0 and *resp holds the message (free it with
 * protobuf_c_message_free_unpacked(*resp, NULL)). Otherwise returns
 * HZC_ECALL (or another negative code) with *resp NULL; status holds
 * the outcome in every case. opts may be NULL. */
int hzc_client_unary(hzc_client_t *client, const char *method, const ProtobufCMessage *req,
                     const ProtobufCMessageDescriptor *resp_desc, ProtobufCMessage **resp,
                     hzc_status_t *status);
int hzc_client_unary_opts(hzc_client_t *client, const char *method, const hzc_call_opts_t *opts,
                          const ProtobufCMessage *req, const ProtobufCMessageDescriptor *resp_desc,
                          ProtobufCMessage **resp, hzc_status_t *status);

/* Streaming calls. method is the full path, "/package.Service/Method".
 * hzc_call_start fails only on bad arguments or memory; a call that cannot
 * even connect is still returned and reports UNAVAILABLE through
 * hzc_call_recv/hzc_call_finish. Every started call must be finished. */
int hzc_call_start(hzc_client_t *client, const char *method, const hzc_call_opts_t *opts,
                   hzc_call_t **out);

/* Sends one request message; blocks while HTTP/2 flow control holds it
 * back. Returns 0, or HZC_ECALL when the call has already ended (the
 * reason is in hzc_call_finish's status). */
int hzc_call_send(hzc_call_t *call, const ProtobufCMessage *msg);

/* Ends the request stream (half-close). Idempotent. */
int hzc_call_close_send(hzc_call_t *call);

/* Waits for the next response message. Returns 1 with *msg set (free it
 * with protobuf_c_message_free_unpacked), 0 at the end of a successful
 * response stream, or HZC_ECALL when the call ended with an error
 * (see hzc_call_finish). Messages that arrived before an error status are
 * still delivered first. */
int hzc_call_recv(hzc_call_t *call, const ProtobufCMessageDescriptor *desc, ProtobufCMessage **msg);

/* Abandons the call: the server sees RST_STREAM(CANCEL) and the call's
 * status becomes CANCELLED unless it had already ended. */
void hzc_call_cancel(hzc_call_t *call);

/* Half-closes if needed, waits for the server's status (discarding unread
 * messages) within the deadline, stores it in status (may be NULL) and frees
 * the call. Returns 0 when the status is OK, HZC_ECALL otherwise. */
int hzc_call_finish(hzc_call_t *call, hzc_status_t *status);

#endif
