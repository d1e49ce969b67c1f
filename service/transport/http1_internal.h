/* The HTTP/1.1 connection's state, shared by http1.c (requests, the
 * connection's lifecycle) and http1_out.c (response bytes). Internal to
 * the transport: conn.c uses http1.h. */
#ifndef HZ_TRANSPORT_HTTP1_INTERNAL_H
#define HZ_TRANSPORT_HTTP1_INTERNAL_H

#include <http_parser.h>

#include "transport/http1.h"
#include "transport/stream.h"

/* Where the connection is. Every change goes through hz_http1_set_state,
 * which asserts the old state is a legal predecessor:
 *   IDLE      -> REQUEST (a request's first byte) | CLOSING
 *   REQUEST   -> ANSWERING (request complete) | CLOSING
 *   ANSWERING -> IDLE (answer written, keep-alive) | CLOSING
 * CLOSING is final: no further request is read; the answer in progress
 * (if any) is written, then the connection closes. */
typedef enum {
  HZ_H1_IDLE,      /* between requests: no byte of the next one yet */
  HZ_H1_REQUEST,   /* a request's head or body is arriving */
  HZ_H1_ANSWERING, /* the request is complete; its answer is going out */
  HZ_H1_CLOSING,   /* no more requests; close once the output is out */
} hz_h1_state_t;

struct hz_http1_s {
  struct hz_conn_s *conn;   /* owner */
  http_parser parser;       /* libhttp-parser state (HTTP_REQUEST) */
  hz_h1_state_t state;      /* written by hz_http1_set_state only */
  hz_call_t *call;          /* the exchange in progress; NULL between */
  int32_t seq;              /* requests begun, numbering their calls */
  char *head;               /* request target, then the header line being
                             * gathered (name, value); malloc, freed when
                             * the head is complete */
  size_t target_len;        /* bytes of the target at the start of head */
  size_t name_len;          /* bytes of the current header name after it */
  size_t value_len;         /* bytes of its value after the name */
  size_t head_bytes;        /* target and all header lines so far */
  unsigned nheaders;        /* header lines so far */
  int error_status;         /* 414 / 431 set by a callback that stopped
                             * the parser; 0 otherwise */
  uint8_t *pending;         /* bytes after a complete request, parsed once
                             * it is answered; malloc */
  size_t npending;          /* bytes in pending */
  char *out_head;           /* response head being written; malloc */
  size_t out_head_len;      /* bytes of out_head */
  size_t out_head_off;      /* bytes of it already produced */
  const char *raw;          /* an answer without a call (400 for bytes that
                             * never began a request); static text */
  unsigned in_value : 1;    /* the parser is inside a header value */
  unsigned keep_alive : 1;  /* the client allows another request */
  unsigned head_done : 1;   /* the answer's head was built */
  unsigned answer_done : 1; /* every byte of the answer was produced */
  unsigned aborted : 1;     /* a response was cut: close now */
  unsigned reading : 1;     /* the socket is being read */
};

void hz_http1_set_state(hz_http1_t *h, hz_h1_state_t to);
/* Once every byte of the answer is produced: ends the exchange and parses
 * the next pipelined request (its handler may answer at once). */
void hz_http1_advance(hz_http1_t *h);

#endif
