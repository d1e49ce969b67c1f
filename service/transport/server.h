/* The listening socket and the set of live connections: accept with a
 * connection cap, graceful shutdown (stop accepting, GOAWAY, drain, force
 * after the grace period). */
#ifndef HZ_TRANSPORT_SERVER_H
#define HZ_TRANSPORT_SERVER_H

#include <nghttp2/nghttp2.h>
#include <openssl/ssl.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "core/context.h"
#include "transport/conn.h"

#define HZ_SERVER_MAX_HOOKS 8
#define HZ_SERVER_READ_BUF  65536

typedef void (*hz_server_hook_fn)(void *data);
/* Writes a page (e.g. the metrics exposition) into a malloc'd string;
 * returns 0 or -ENOMEM. */
typedef int (*hz_server_page_fn)(void *data, char **out, size_t *len);

typedef struct hz_server_s {
  hz_ctx_t *ctx;                                /* owning context */
  uv_tcp_t listener;                            /* accepting socket */
  uv_timer_t grace_timer;                       /* forces close after the grace period */
  SSL_CTX *tls;                                 /* NULL for plaintext h2c */
  nghttp2_session_callbacks *callbacks;         /* shared by every session */
  nghttp2_option *h2_options;                   /* shared session options */
  hz_conn_t *conns;                             /* live connections */
  uint32_t nconns;                              /* length of conns, against --max-connections */
  unsigned listening : 1;                       /* listener handle is open */
  unsigned shutting_down : 1;                   /* SIGTERM received */
  unsigned stopped : 1;                         /* on_stopped already delivered */
  unsigned grace_closed : 1;                    /* grace timer's close requested */
  int open_handles;                             /* listener and timer not yet closed */
  size_t held_bytes;                            /* bytes all calls hold now (see
                                           * hz_server_hold); --max-held-bytes */
  size_t held_peak;                             /* highest held_bytes since memory
                                           * was last given back */
  hz_server_hook_fn hooks[HZ_SERVER_MAX_HOOKS]; /* run when shutdown starts */
  void *hook_data[HZ_SERVER_MAX_HOOKS];         /* their arguments */
  int nhooks;                                   /* hooks registered */
  hz_server_hook_fn on_stopped;                 /* everything closed */
  void *on_stopped_data;                        /* passed to on_stopped */
  const char *addr;                             /* host:port to bind: --listen, or
                                           * --metrics-listen for a page server */
  hz_server_page_fn page;                       /* non-NULL: a metrics server that
                                           * answers GET /metrics with it and
                                           * nothing else (metrics_page.c) */
  void *page_data;                              /* passed to page */
  char bound[64];                               /* "ip:port" actually bound */
  uint8_t read_buf[HZ_SERVER_READ_BUF];         /* reads are consumed synchronously */
} hz_server_t;

int hz_server_init(hz_server_t *s, hz_ctx_t *ctx, char *err, size_t errlen);
/* A plain-HTTP server on addr (no TLS, not counted in the metrics) that
 * answers GET /metrics with page(data) and 404/405 to anything else. */
int hz_server_init_page(hz_server_t *s, hz_ctx_t *ctx, const char *addr, hz_server_page_fn page,
                        void *data, char *err, size_t errlen);
int hz_server_listen(hz_server_t *s, char *err, size_t errlen);
/* Registers fn to run when shutdown begins (health flips to NOT_SERVING). */
int hz_server_on_shutdown(hz_server_t *s, hz_server_hook_fn fn, void *data);
/* Begins graceful shutdown; on_stopped runs once all handles are closed. */
void hz_server_shutdown(hz_server_t *s, hz_server_hook_fn on_stopped, void *data);
/* Releases what init allocated; call after on_stopped (or if listen failed
 * and the loop has run the close callbacks). NULL is fine. */
void hz_server_free(hz_server_t *s);
/* Moves the server-wide count of bytes held by calls by delta (request
 * messages and buffers, queued responses). After a burst, when the count
 * has fallen well below its peak, freed memory goes back to the kernel. */
void hz_server_hold(hz_server_t *s, ptrdiff_t delta);
/* True when holding n more bytes would pass --max-held-bytes. */
int hz_server_over_budget(const hz_server_t *s, size_t n);
/* Called by conn.c when a connection has been freed. */
void hz_server_conn_gone(hz_server_t *s);

#endif
