/* HTTP/1.1 on a connection whose first bytes were not the HTTP/2 preface
 * (conn.c decides): requests parsed by Debian's libhttp-parser, each one
 * turned into a call (stream.h) exactly as an HTTP/2 stream is, so
 * gRPC-Web handlers, deadlines, limits and statuses are the native ones;
 * responses produced from the call into conn.c's batched writes.
 *
 * One exchange at a time, answered in order: when a request is complete
 * the parser pauses and bytes of pipelined requests wait (reading stops)
 * until the answer is written; keep-alive unless the client or an error
 * says otherwise. gRPC responses use chunked transfer encoding, the
 * status in the gRPC-Web trailer frame, or Trailers-Only (status in the
 * headers, Content-Length: 0) when no message preceded it. Plain answers
 * (files, errors) carry Content-Length.
 *
 * Bounds (the HTTP/2 path's, see conn.c): the request target at most
 * HZ_HTTP1_MAX_TARGET bytes (else 414), the header block at most
 * --max-header-bytes and HZ_HTTP1_MAX_HEADERS lines (else 431), each
 * request's head within --handshake-timeout of its first byte (else the
 * connection closes), messages within --max-message-bytes
 * (RESOURCE_EXHAUSTED, then the connection closes as the rest of the body
 * is not read), output within --write-timeout, idle connections after
 * --idle-timeout. Malformed requests get 400 and the connection closes.
 *
 * Lifetimes: a hz_http1_t lives as long as its connection (created when
 * the protocol is decided, freed in hz_conn_close); the call of the
 * exchange in progress from the request's first byte until its answer is
 * written (hz_stream_gone) or the connection goes. */
#ifndef HZ_TRANSPORT_HTTP1_H
#define HZ_TRANSPORT_HTTP1_H

#include <stddef.h>
#include <stdint.h>

#define HZ_HTTP1_MAX_TARGET  8192 /* bytes of the request target (path and query) */
#define HZ_HTTP1_MAX_HEADERS 100  /* header lines per request */

struct hz_conn_s;
typedef struct hz_http1_s hz_http1_t;

/* The HTTP/1.1 side of connection c, or NULL without memory. */
hz_http1_t *hz_http1_new(struct hz_conn_s *c);
/* NULL-safe; the calls are detached by the connection first. */
void hz_http1_free(hz_http1_t *h);

/* Plaintext received. Errors are answered (400, 414, 431) here; reading
 * stops while a request is being answered. */
void hz_http1_feed(hz_http1_t *h, const uint8_t *data, size_t len);
/* Response bytes for the next write: up to cap into buf; 0 when nothing
 * is ready. */
size_t hz_http1_produce(hz_http1_t *h, uint8_t *buf, size_t cap);
/* A write completed: a fully written answer ends its exchange, and the
 * next pipelined request is parsed. */
void hz_http1_after_write(hz_http1_t *h);
/* True when the connection has nothing more to say and must close. */
int hz_http1_finished(const hz_http1_t *h);
/* No further requests (shutdown, idle): close after the current answer. */
void hz_http1_drain(hz_http1_t *h);
/* A response was cut (budget, stalled reader): close the connection. */
void hz_http1_abort(hz_http1_t *h);

#endif
