/* Listener, accept loop with a connection cap, and graceful shutdown. */
#include "transport/server.h"

#include <errno.h>
#include <malloc.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "transport/stream.h"
#include "transport/tls.h"
#include "wire/hostport.h"

static void on_server_handle_closed(uv_handle_t *h);

/* Shutdown ends in steps: connections gone, then the grace timer closed,
 * then (with the listener's close callback done) on_stopped. */
static void server_check_stopped(hz_server_t *s) {
  if (!s->shutting_down || s->stopped || s->nconns > 0)
    return;
  if (!s->grace_closed) {
    s->grace_closed = 1;
    uv_close((uv_handle_t *)&s->grace_timer, on_server_handle_closed);
    return;
  }
  if (s->open_handles > 0)
    return;
  s->stopped = 1;
  if (s->on_stopped)
    s->on_stopped(s->on_stopped_data);
}

static void on_server_handle_closed(uv_handle_t *h) {
  hz_server_t *s = h->data;
  s->open_handles--;
  server_check_stopped(s);
}

/* main.c keeps freed blocks in the heap so rollups reuse warm pages; after
 * a burst of large requests that would pin hundreds of MiB for good. Give
 * memory back once held bytes fall to a quarter of a peak of at least
 * TRIM_PEAK (or a quarter of the budget when that is smaller: what the
 * process really holds for a call, its database parameters and buffers
 * included, is a few times what is counted): steady traffic never trims, a
 * burst trims on the way down. The pad keeps the top of the heap warm for
 * the small allocations of every call. */
#define TRIM_PEAK (32u << 20)
#define TRIM_PAD  (4u << 20)

size_t hz_server_held(const hz_server_t *s) {
  return atomic_load_explicit(&s->limits->held, memory_order_relaxed);
}

/* Raises the peak to at least now; another loop may be raising it too. */
static void raise_peak(hz_server_limits_t *l, size_t now) {
  size_t peak = atomic_load_explicit(&l->held_peak, memory_order_relaxed);
  while (now > peak && !atomic_compare_exchange_weak_explicit(
                           &l->held_peak, &peak, now, memory_order_relaxed, memory_order_relaxed))
    ;
}

void hz_server_hold(hz_server_t *s, ptrdiff_t delta) {
  hz_server_limits_t *l = s->limits;
  size_t now;
  if (delta >= 0) {
    now = atomic_fetch_add_explicit(&l->held, (size_t)delta, memory_order_relaxed) + (size_t)delta;
    raise_peak(l, now);
    return;
  }
  size_t before = atomic_load_explicit(&l->held, memory_order_relaxed);
  do {
    now = (size_t)-delta > before ? 0 : before - (size_t)-delta; /* cannot wrap; never */
  } while (!atomic_compare_exchange_weak_explicit(&l->held, &before, now, memory_order_relaxed,
                                                  memory_order_relaxed));
  size_t budget = s->ctx->config->max_held_bytes;
  size_t worth = budget / 4 < TRIM_PEAK ? budget / 4 : TRIM_PEAK;
  size_t peak = atomic_load_explicit(&l->held_peak, memory_order_relaxed);
  /* malloc_trim serves the whole process: the loop that resets the peak
   * trims, the others see the lower peak and do not. */
  if (peak >= worth && now < peak / 4 &&
      atomic_compare_exchange_strong_explicit(&l->held_peak, &peak, now, memory_order_relaxed,
                                              memory_order_relaxed)) {
#ifdef __GLIBC__
    malloc_trim(TRIM_PAD);
#endif
  }
}

int hz_server_over_budget(const hz_server_t *s, size_t n) {
  return hz_server_held(s) + n > s->ctx->config->max_held_bytes;
}

void hz_server_conn_gone(hz_server_t *s) {
  s->nconns--;
  atomic_fetch_sub_explicit(&s->limits->conns, 1, memory_order_relaxed);
  server_check_stopped(s);
}

static void on_refused_closed(uv_handle_t *h) {
  free(h);
}

static void on_unaccepted_closed(uv_handle_t *h) {
  free(h->data);
}

/* Over the cap: accept and close at once, so the backlog does not fill with
 * clients that would wait forever. */
static void refuse_connection(hz_server_t *s) {
  uv_tcp_t *t = malloc(sizeof(*t));
  if (!t)
    return;
  uv_tcp_init(s->ctx->loop, t);
  if (uv_accept((uv_stream_t *)&s->listener, (uv_stream_t *)t) == 0)
    hz_log_warn(&s->ctx->log, "connection refused: %u connections open (--max-connections)",
                atomic_load_explicit(&s->limits->conns, memory_order_relaxed));
  uv_close((uv_handle_t *)t, on_refused_closed);
}

static void on_connection(uv_stream_t *listener, int status) {
  hz_server_t *s = listener->data;
  if (status < 0) {
    hz_log_warn(&s->ctx->log, "accept: %s", uv_strerror(status));
    return;
  }
  if (s->shutting_down) {
    refuse_connection(s);
    return;
  }
  /* Claim a place in the process-wide count first: two loops accepting at
   * once cannot both take the last one. */
  unsigned open = atomic_fetch_add_explicit(&s->limits->conns, 1, memory_order_relaxed);
  hz_conn_t *c = open < s->ctx->config->max_connections ? calloc(1, sizeof(*c)) : NULL;
  if (!c) {
    atomic_fetch_sub_explicit(&s->limits->conns, 1, memory_order_relaxed);
    refuse_connection(s);
    return;
  }
  c->server = s;
  uv_tcp_init(s->ctx->loop, &c->tcp);
  if (uv_accept(listener, (uv_stream_t *)&c->tcp) != 0) {
    atomic_fetch_sub_explicit(&s->limits->conns, 1, memory_order_relaxed);
    c->tcp.data = c;
    uv_close((uv_handle_t *)&c->tcp, on_unaccepted_closed);
    return;
  }
  c->next = s->conns;
  if (s->conns)
    s->conns->prev = c;
  s->conns = c;
  s->nconns++;
  s->accepted++;
  hz_conn_start(c); /* on failure it closes itself and the count follows */
}

int hz_server_init(hz_server_t *s, hz_ctx_t *ctx, hz_server_limits_t *limits, char *err,
                   size_t errlen) {
  memset(s, 0, offsetof(hz_server_t, read_buf));
  s->ctx = ctx;
  s->limits = limits;
  const hz_config_t *cfg = ctx->config;
  if (cfg->tls_cert && hz_tls_ctx_new(cfg->tls_cert, cfg->tls_key, &s->tls, err, errlen))
    return -1;
  if (nghttp2_session_callbacks_new(&s->callbacks) || nghttp2_option_new(&s->h2_options)) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  hz_stream_install_callbacks(s->callbacks);
  /* Our own SETTINGS ack bounds streams; nghttp2 enforces the number. */
  nghttp2_option_set_max_reserved_remote_streams(s->h2_options, 0);
  uv_timer_init(ctx->loop, &s->grace_timer);
  s->grace_timer.data = s;
  s->open_handles = 1;
  return 0;
}

/* --listen goes through the parser the client uses for --addr
 * (wire/hostport.h): port 0 asks the kernel for one, an IPv6 literal needs
 * its brackets, and a host name is refused since listening on a name would
 * mean resolving it and choosing among its addresses. */
static int listen_addr(const char *addr, struct sockaddr_storage *ss, char *err, size_t errlen) {
  hz_wire_hostport_t hp;
  char why[128];
  if (hz_wire_hostport_parse(addr, strlen(addr), HZ_WIRE_HP_PORT_ZERO, &hp, why, sizeof(why))) {
    snprintf(err, errlen, "listen address '%s' is not HOST:PORT: %s", addr, why);
    return -1;
  }
  int r = hp.kind == HZ_WIRE_HOST_IPV4   ? uv_ip4_addr(hp.host, hp.port, (struct sockaddr_in *)ss)
          : hp.kind == HZ_WIRE_HOST_IPV6 ? uv_ip6_addr(hp.host, hp.port, (struct sockaddr_in6 *)ss)
                                         : -1;
  if (r) {
    snprintf(err, errlen, "listen address '%s': '%s' is not an IP address", addr, hp.host);
    return -1;
  }
  return 0;
}

/* A socket bound to ss, with SO_REUSEPORT when asked (libuv 1.44 has no
 * flag for it, so the socket is made here and handed to uv_tcp_open).
 * SO_REUSEADDR and IPV6_V6ONLY off are what uv_tcp_bind sets. Returns the
 * descriptor or a negative errno. */
static int bound_socket(const struct sockaddr_storage *ss, int reuseport) {
  int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0)
    return -errno;
  int on = 1, off = 0, r = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
  if (r == 0 && reuseport)
    r = setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on));
  if (r == 0 && ss->ss_family == AF_INET6)
    r = setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
  socklen_t len =
      ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
  if (r == 0)
    r = bind(fd, (const struct sockaddr *)ss, len);
  if (r != 0) {
    r = -errno;
    close(fd);
    return r;
  }
  return fd;
}

static void set_port(struct sockaddr_storage *ss, uint16_t port) {
  if (ss->ss_family == AF_INET6)
    ((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
  else
    ((struct sockaddr_in *)ss)->sin_port = htons(port);
}

static uint16_t get_port(const struct sockaddr_storage *ss) {
  return ntohs(ss->ss_family == AF_INET6 ? ((const struct sockaddr_in6 *)ss)->sin6_port
                                         : ((const struct sockaddr_in *)ss)->sin_port);
}

/* The first of several loops: a plain bind (no SO_REUSEPORT) fails if any
 * other socket holds the address, and with port 0 picks the port; closed
 * at once, it leaves the port to the loops' sockets. */
static int claim_port(struct sockaddr_storage *ss) {
  int fd = bound_socket(ss, 0);
  if (fd < 0)
    return fd;
  socklen_t len = sizeof(*ss);
  int r = getsockname(fd, (struct sockaddr *)ss, &len) ? -errno : 0;
  close(fd);
  return r;
}

/* Binds the listener: through libuv with one loop (as ever), by hand with
 * SO_REUSEPORT with several. */
static int bind_listener(hz_server_t *s, struct sockaddr_storage *ss, int port, int reuseport) {
  if (!reuseport)
    return uv_tcp_bind(&s->listener, (struct sockaddr *)ss, 0);
  int r = port < 0 ? claim_port(ss) : 0;
  if (port >= 0)
    set_port(ss, (uint16_t)port);
  int fd = r ? r : bound_socket(ss, 1);
  if (fd < 0)
    return fd;
  r = uv_tcp_open(&s->listener, fd);
  if (r)
    close(fd);
  return r;
}

int hz_server_listen(hz_server_t *s, int port, int reuseport, char *err, size_t errlen) {
  struct sockaddr_storage ss;
  const char *addr = s->ctx->config->listen;
  if (listen_addr(addr, &ss, err, errlen))
    return -1;
  if (port >= 0 && !reuseport)
    set_port(&ss, (uint16_t)port);
  uv_tcp_init(s->ctx->loop, &s->listener);
  s->listener.data = s;
  s->listening = 1;
  s->open_handles++;
  int r = bind_listener(s, &ss, port, reuseport);
  if (r == 0)
    r = uv_listen((uv_stream_t *)&s->listener, 511, on_connection);
  if (r) {
    snprintf(err, errlen, "cannot listen on %s: %s", addr, uv_strerror(r));
    return -1;
  }
  int len = sizeof(ss);
  uv_tcp_getsockname(&s->listener, (struct sockaddr *)&ss, &len);
  s->port = get_port(&ss);
  char ip[48];
  if (ss.ss_family == AF_INET6) {
    uv_ip6_name((struct sockaddr_in6 *)&ss, ip, sizeof(ip));
    snprintf(s->bound, sizeof(s->bound), "[%s]:%d", ip, s->port);
  } else {
    uv_ip4_name((struct sockaddr_in *)&ss, ip, sizeof(ip));
    snprintf(s->bound, sizeof(s->bound), "%s:%d", ip, s->port);
  }
  return 0;
}

int hz_server_on_shutdown(hz_server_t *s, hz_server_hook_fn fn, void *data) {
  if (s->nhooks == HZ_SERVER_MAX_HOOKS)
    return -1;
  s->hooks[s->nhooks] = fn;
  s->hook_data[s->nhooks] = data;
  s->nhooks++;
  return 0;
}

static void on_grace_expired(uv_timer_t *t) {
  hz_server_t *s = t->data;
  hz_log_warn(&s->ctx->log, "shutdown grace period over: closing %u connections", s->nconns);
  while (s->conns)
    hz_conn_close(s->conns);
}

void hz_server_shutdown(hz_server_t *s, hz_server_hook_fn on_stopped, void *data) {
  if (s->shutting_down)
    return;
  s->shutting_down = 1;
  s->on_stopped = on_stopped;
  s->on_stopped_data = data;
  if (s->listening) {
    s->listening = 0;
    uv_close((uv_handle_t *)&s->listener, on_server_handle_closed);
  }
  for (int i = 0; i < s->nhooks; i++)
    s->hooks[i](s->hook_data[i]);
  for (hz_conn_t *c = s->conns, *next; c; c = next) {
    next = c->next;
    hz_conn_drain(c);
  }
  if (s->nconns > 0)
    uv_timer_start(&s->grace_timer, on_grace_expired,
                   (uint64_t)s->ctx->config->shutdown_grace_s * 1000u, 0);
  server_check_stopped(s);
}

void hz_server_free(hz_server_t *s) {
  if (!s)
    return;
  if (s->callbacks)
    nghttp2_session_callbacks_del(s->callbacks);
  if (s->h2_options)
    nghttp2_option_del(s->h2_options);
  hz_tls_ctx_free(s->tls);
  s->callbacks = NULL;
  s->h2_options = NULL;
  s->tls = NULL;
}
