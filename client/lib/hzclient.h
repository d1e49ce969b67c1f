/* The huizong client library: a synchronous gRPC client over HTTP/2
 * (nghttp2) on one TCP connection, plaintext h2c or TLS with ALPN "h2".
 * Both CLIs use it; any program that wants to speak to huizongd from C may.
 *
 * Calls never print. Every failure, local or remote, ends up as an
 * hz_status_t with a gRPC status code and a human-readable message, exactly
 * as a stock gRPC client would report it. The library never raises SIGPIPE.
 *
 * A client is not thread-safe; use one per thread. Several calls may be open
 * on one client at a time (they share the connection), which is how a CLI
 * reads a server stream while it still has other work to do. */
#ifndef HZ_CLIENT_H
#define HZ_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "wire/status.h"

/* Return codes of the functions below. */
enum {
  HZ_CLIENT_OK = 0,
  HZ_CLIENT_ECALL = -1,   /* the call ended with a non-OK status */
  HZ_CLIENT_EINVAL = -2,  /* bad argument or API misuse; nothing was sent */
  HZ_CLIENT_ENOMEM = -3,
};

/* Default receive limit, the same as every stock gRPC implementation. */
#define HZ_CLIENT_DEFAULT_MAX_RECV (4u * 1024u * 1024u)

/* One entry of the trailing metadata the server sent with its status
 * (for a Trailers-Only response, the metadata of its single header block).
 * The protocol's own fields (grpc-status, grpc-message, pseudo-headers) are
 * not listed. */
typedef struct hz_metadata_s {
  struct hz_metadata_s *next; /* next entry in arrival order */
  char *name;                 /* key as received (lower case), NUL-terminated */
  uint8_t *value;             /* decoded value: the raw bytes for "-bin" keys
                               * (base64 undone), the text otherwise; a NUL
                               * follows the len bytes */
  size_t len;                 /* bytes in value */
} hz_metadata_t;

/* The outcome of a call: what grpc-status/grpc-message said, or what the
 * library concluded locally (deadline, connection refused ...). */
typedef struct hz_status_s {
  int code;               /* hz_status_code_t value; HZ_STATUS_OK on success */
  char *message;          /* decoded grpc-message (malloc'd UTF-8), NULL if none */
  hz_metadata_t *trailers;/* the server's trailing metadata, NULL when none or
                           * when the status is the library's own verdict */
} hz_status_t;

void hz_status_init(hz_status_t *st);
/* Frees the message and the trailers and resets to OK. */
void hz_status_reset(hz_status_t *st);
/* Replaces st with code and a printf-formatted message; a status of the
 * library's own making carries no trailers. */
void hz_status_set(hz_status_t *st, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Moves src into dst (dst's old contents are freed; src becomes OK). */
void hz_status_move(hz_status_t *dst, hz_status_t *src);
/* The message, or "" when there is none: never NULL. */
const char *hz_status_message(const hz_status_t *st);
/* The first trailing metadata entry named name (lower case, e.g.
 * "huizong-problems-bin"), or NULL when the server sent none. */
const hz_metadata_t *hz_status_trailer(const hz_status_t *st, const char *name);

typedef struct hz_client_opts_s {
  const char *token;      /* sent as "authorization: Bearer <token>"; NULL for none */
  const char *ca_file;    /* PEM CA bundle for https:// addresses; NULL = system store */
  int64_t timeout_ms;     /* default deadline of every call (connect included); 0 = none */
  size_t max_recv_msg;    /* largest response message accepted; 0 = 4 MiB */
  const char *user_agent; /* user-agent prefix; NULL = "huizong-client" */
} hz_client_opts_t;

typedef struct hz_client_s hz_client_t;
typedef struct hz_call_s hz_call_t;

/* Per-call options; pass NULL for the client's defaults. */
typedef struct hz_call_opts_s {
  int64_t timeout_ms; /* <0: the client's default, 0: no deadline, >0: this deadline */
} hz_call_opts_t;

/* Prepares a client for addr ("host:port" for h2c with prior knowledge,
 * "https://host:port" for TLS). Connecting happens on the first call, and
 * again after the server closed the connection, so a client survives a
 * server restart. Returns 0, or HZ_CLIENT_EINVAL with err explaining (bad
 * address, unreadable CA file, token not fit for a header). err may be NULL. */
int hz_client_open(hz_client_t **out, const char *addr,
                   const hz_client_opts_t *opts, hz_status_t *err);

/* Closes the connection politely (GOAWAY) and frees the client. Calls still
 * open are failed with CANCELLED; they must still be finished. */
void hz_client_close(hz_client_t *client);

/* One unary call: sends req, waits for the single response. On success
 * returns 0 and *resp holds the message (free it with
 * protobuf_c_message_free_unpacked(*resp, NULL)). Otherwise returns
 * HZ_CLIENT_ECALL (or another negative code) with *resp NULL; status holds
 * the outcome in every case. opts may be NULL. */
int hz_client_unary(hz_client_t *client, const char *method,
                    const ProtobufCMessage *req,
                    const ProtobufCMessageDescriptor *resp_desc,
                    ProtobufCMessage **resp, hz_status_t *status);
int hz_client_unary_opts(hz_client_t *client, const char *method,
                         const hz_call_opts_t *opts,
                         const ProtobufCMessage *req,
                         const ProtobufCMessageDescriptor *resp_desc,
                         ProtobufCMessage **resp, hz_status_t *status);

/* Streaming calls. method is the full path, "/package.Service/Method".
 * hz_call_start fails only on bad arguments or memory; a call that cannot
 * even connect is still returned and reports UNAVAILABLE through
 * hz_call_recv/hz_call_finish. Every started call must be finished. */
int hz_call_start(hz_client_t *client, const char *method,
                  const hz_call_opts_t *opts, hz_call_t **out);

/* Sends one request message; blocks while HTTP/2 flow control holds it
 * back. Returns 0, or HZ_CLIENT_ECALL when the call has already ended (the
 * reason is in hz_call_finish's status). */
int hz_call_send(hz_call_t *call, const ProtobufCMessage *msg);

/* Ends the request stream (half-close). Idempotent. */
int hz_call_close_send(hz_call_t *call);

/* Waits for the next response message. Returns 1 with *msg set (free it
 * with protobuf_c_message_free_unpacked), 0 at the end of a successful
 * response stream, or HZ_CLIENT_ECALL when the call ended with an error
 * (see hz_call_finish). Messages that arrived before an error status are
 * still delivered first. */
int hz_call_recv(hz_call_t *call, const ProtobufCMessageDescriptor *desc,
                 ProtobufCMessage **msg);

/* Abandons the call: the server sees RST_STREAM(CANCEL) and the call's
 * status becomes CANCELLED unless it had already ended. */
void hz_call_cancel(hz_call_t *call);

/* Half-closes if needed, waits for the server's status (discarding unread
 * messages) within the deadline, stores it in status (may be NULL) and frees
 * the call. Returns 0 when the status is OK, HZ_CLIENT_ECALL otherwise. */
int hz_call_finish(hz_call_t *call, hz_status_t *status);

#endif
