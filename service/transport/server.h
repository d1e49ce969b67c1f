/* The listening socket and the set of live connections: accept with a
 * connection cap, graceful shutdown (stop accepting, GOAWAY, drain, force
 * after the grace period). */
#ifndef HZ_TRANSPORT_SERVER_H
#define HZ_TRANSPORT_SERVER_H

#include <nghttp2/nghttp2.h>
#include <stdatomic.h>
#include <openssl/ssl.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "core/context.h"
#include "transport/conn.h"

#define HZ_SERVER_MAX_HOOKS 8
#define HZ_SERVER_READ_BUF  65536

typedef void (*hz_server_hook_fn)(void *data);

/* What the loops of one process count together, so that --max-connections
 * and --max-held-bytes bound the process whatever loop a connection lands
 * on (why: core/config.h). The only state loops share; relaxed atomics,
 * since a limit overshot by one concurrent accept or message is fine. */
typedef struct hz_server_limits_s {
  atomic_uint conns;       /* connections open on every loop */
  atomic_size_t held;      /* bytes held by calls on every loop */
  atomic_size_t held_peak; /* highest held since memory was last given back */
} hz_server_limits_t;

typedef struct hz_server_s {
  hz_ctx_t *ctx;                                /* owning context */
  uv_tcp_t listener;                            /* accepting socket */
  uv_timer_t grace_timer;                       /* forces close after the grace period */
  SSL_CTX *tls;                                 /* NULL for plaintext h2c */
  nghttp2_session_callbacks *callbacks;         /* shared by every session */
  nghttp2_option *h2_options;                   /* shared session options */
  hz_conn_t *conns;                             /* live connections */
  hz_server_limits_t *limits;                   /* process-wide counts, shared by loops */
  uint32_t nconns;                              /* length of conns (this loop's share
                                                 * of limits->conns) */
  uint64_t accepted;                            /* connections this loop accepted */
  uint16_t port;                                /* port actually bound */
  unsigned listening : 1;                       /* listener handle is open */
  unsigned shutting_down : 1;                   /* SIGTERM received */
  unsigned stopped : 1;                         /* on_stopped already delivered */
  unsigned grace_closed : 1;                    /* grace timer's close requested */
  int open_handles;                             /* listener and timer not yet closed */
  hz_server_hook_fn hooks[HZ_SERVER_MAX_HOOKS]; /* run when shutdown starts */
  void *hook_data[HZ_SERVER_MAX_HOOKS];         /* their arguments */
  int nhooks;                                   /* hooks registered */
  hz_server_hook_fn on_stopped;                 /* everything closed */
  void *on_stopped_data;                        /* passed to on_stopped */
  char bound[64];                               /* "ip:port" actually bound */
  uint8_t read_buf[HZ_SERVER_READ_BUF];         /* reads are consumed synchronously */
} hz_server_t;

/* limits is shared by every server of the process (one per loop) and
 * outlives them; zero it before the first init. */
int hz_server_init(hz_server_t *s, hz_ctx_t *ctx, hz_server_limits_t *limits, char *err,
                   size_t errlen);
/* Listens on --listen. port >= 0 replaces its port: the loops after the
 * first bind the port the first one got (which matters with port 0).
 * reuseport sets SO_REUSEPORT, so that the loops' sockets share the
 * address and the kernel spreads connections among them; before binding
 * them, the first loop checks with a plain bind that no other process
 * holds the address (with SO_REUSEPORT it would silently share it). */
int hz_server_listen(hz_server_t *s, int port, int reuseport, char *err, size_t errlen);
/* Registers fn to run when shutdown begins (health flips to NOT_SERVING). */
int hz_server_on_shutdown(hz_server_t *s, hz_server_hook_fn fn, void *data);
/* Begins graceful shutdown; on_stopped runs once all handles are closed. */
void hz_server_shutdown(hz_server_t *s, hz_server_hook_fn on_stopped, void *data);
/* Releases what init allocated; call after on_stopped (or if listen failed
 * and the loop has run the close callbacks). NULL is fine. */
void hz_server_free(hz_server_t *s);
/* Bytes held by calls on every loop now. */
size_t hz_server_held(const hz_server_t *s);
/* Moves the process-wide count of bytes held by calls by delta (request
 * messages and buffers, queued responses). After a burst, when the count
 * has fallen well below its peak, freed memory goes back to the kernel. */
void hz_server_hold(hz_server_t *s, ptrdiff_t delta);
/* True when holding n more bytes would pass --max-held-bytes. */
int hz_server_over_budget(const hz_server_t *s, size_t n);
/* Called by conn.c when a connection has been freed. */
void hz_server_conn_gone(hz_server_t *s);

#endif
