/* One client connection: socket, optional TLS, the protocol (decided by
 * its first plaintext bytes: the HTTP/2 client preface means the nghttp2
 * session, anything else HTTP/1.1 through http1.h), and a write pump that
 * batches output into one buffer in flight.
 *
 * Lifetime: from accept until the last handle's close callback; the
 * nghttp2 session or the HTTP/1.1 state from the protocol decision until
 * hz_conn_close. */
#ifndef HZ_TRANSPORT_CONN_H
#define HZ_TRANSPORT_CONN_H

#include <nghttp2/nghttp2.h>
#include <stdint.h>
#include <uv.h>

struct hz_server_s;
struct hz_tls_conn_s;
struct hz_call_s;
struct hz_http1_s;

/* Which protocol the connection speaks; set once, from the first bytes. */
typedef enum {
  HZ_PROTO_UNDECIDED, /* fewer bytes than tell the HTTP/2 preface apart */
  HZ_PROTO_H2,        /* the preface came: nghttp2 */
  HZ_PROTO_HTTP1,     /* anything else: HTTP/1.1 (gRPC-Web and the console) */
} hz_conn_proto_t;

#define HZ_CONN_PREFACE_LEN 24 /* "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" */

typedef enum {
  HZ_CONN_ACTIVE,   /* serving streams */
  HZ_CONN_DRAINING, /* GOAWAY sent: finishing streams in flight */
  HZ_CONN_CLOSING,  /* handles closing; freed in the last close callback */
} hz_conn_state_t;

typedef struct hz_conn_s {
  struct hz_server_s *server;         /* owner; keeps the connection list */
  struct hz_conn_s *prev, *next;      /* server's list of live connections */
  hz_conn_state_t state;              /* see hz_conn_state_t */
  uv_tcp_t tcp;                       /* the socket */
  uv_timer_t timer;                   /* this connection's deadlines: handshake,
                                  * headers, write progress, idle; also runs
                                  * flushes deferred out of handler frames */
  uint64_t timer_due;                 /* uv_now() the timer fires at; 0 = not armed */
  uint64_t started_at;                /* uv_now() at accept: handshake deadline base */
  uint64_t write_started_at;          /* uv_now() the write in flight began */
  size_t out_bytes;                   /* response bytes queued by all its calls */
  uv_write_t write_req;               /* the single write in flight */
  uint8_t *wbuf;                      /* bytes of that write, malloc */
  unsigned write_in_flight : 1;       /* wbuf is with the kernel */
  unsigned in_recv : 1;               /* inside nghttp2_session_mem_recv */
  unsigned flushing : 1;              /* inside the write pump */
  unsigned tls_failed : 1;            /* TLS broke: send the alert, then close */
  unsigned preface_done : 1;          /* a complete HTTP/2 frame arrived (so TLS
                                  * and the client preface are done) */
  int open_handles;                   /* handles whose close callback is pending */
  uint64_t last_active;               /* uv_now() of the last call start or end:
                                  * idle is measured by requests, not bytes */
  hz_conn_proto_t proto;              /* see hz_conn_proto_t */
  uint8_t sniff[HZ_CONN_PREFACE_LEN]; /* first bytes, until they decide */
  uint8_t nsniff;                     /* bytes in sniff */
  nghttp2_session *session;           /* HTTP/2 state machine; NULL unless H2 */
  struct hz_http1_s *h1;              /* HTTP/1.1 state; NULL unless HTTP1 */
  struct hz_tls_conn_s *tls;          /* NULL for h2c */
  struct hz_call_s *calls;            /* calls on this connection */
  uint32_t ncalls;                    /* length of calls; 0 arms the idle timeout */
  char peer[64];                      /* "ip:port", for logs */
} hz_conn_t;

/* Takes over an accepted socket (already in c->tcp). Returns 0 or <0. */
int hz_conn_start(hz_conn_t *c);
/* Writes whatever nghttp2 has queued, unless a write is already in flight. */
void hz_conn_flush(hz_conn_t *c);
/* Sends GOAWAY and lets streams in flight finish. */
void hz_conn_drain(hz_conn_t *c);
/* Makes the connection's timer fire no later than `due` (a uv_now() time);
 * due == now defers work (a flush) out of a handler's stack. */
void hz_conn_arm(hz_conn_t *c, uint64_t due);
/* Starts (on != 0) or stops reading the socket (HTTP/1.1 pipelining). */
void hz_conn_read(hz_conn_t *c, int on);
/* Tears the connection down now; memory goes in the close callbacks. */
void hz_conn_close(hz_conn_t *c);

#endif
