/* One event loop: set-up, drain on request, teardown. */
#include "worker.h"

#include <stdio.h>
#include <string.h>
#include <sys/random.h>

static void on_pool_closed(void *data) {
  hz_worker_t *w = data;
  /* With several loops each says how much it served: proof that the
   * kernel spread the connections, and the figure an operator compares. */
  if (w->ctx.nloops > 1)
    hz_log_info(&w->ctx.log, "loop stopped after accepting %llu connections",
                (unsigned long long)w->server.accepted);
  if (w->on_stopped)
    w->on_stopped(w);
}

/* The read servers' pools are closed: the primary's goes last. */
static void on_reads_closed(void *data) {
  hz_worker_t *w = data;
  if (w->pool_started)
    hz_db_pool_close(&w->pool, on_pool_closed, w);
  else
    on_pool_closed(w);
}

/* Calls have drained: the databases go last. */
static void on_server_stopped(void *data) {
  hz_worker_t *w = data;
  uv_close((uv_handle_t *)&w->stop, NULL);
  hz_db_reads_close(&w->reads, on_reads_closed, w);
}

static void on_stop(uv_async_t *a) {
  hz_worker_t *w = a->data;
  if (w->server.shutting_down)
    return;
  if (w->ctx.nloops > 1)
    hz_log_info(&w->ctx.log, "draining %u connections", w->server.nconns);
  hz_server_shutdown(&w->server, on_server_stopped, w);
}

static void on_db_state(void *data, int up) {
  hz_worker_t *w = data;
  hz_health_set_serving(&w->health, up);
}

static int register_services(hz_worker_t *w) {
  int r = hz_health_register(&w->health, &w->ctx);
  if (r == 0)
    r = hz_server_on_shutdown(&w->server, hz_health_shutdown, &w->health);
  if (r == 0)
    r = hz_app_register(&w->app, &w->ctx, w->pool_started ? &w->pool : NULL);
  /* Reflection lists the method table, so it registers last. */
  if (r == 0)
    r = hz_reflection_register(&w->reflection, &w->ctx);
  return r;
}

static int start_pool(hz_worker_t *w) {
  const hz_config_t *cfg = w->ctx.config;
  unsigned n = w->ctx.nloops, i = w->ctx.loop_index;
  int size = (int)hz_config_share(cfg->db_connections, n, i, 1);
  int queue = (int)hz_config_share(cfg->db_queue, n, i, 1);
  if (hz_db_pool_init(&w->pool, w->ctx.loop, cfg->database_url, size, queue,
                      cfg->db_timeout_s * 1000u, &w->ctx.log))
    return -1;
  w->pool_started = 1;
  w->pool.on_state = on_db_state;
  w->pool.state_data = w;
  hz_db_pool_set_metrics(&w->pool, &w->metrics);
  return 0;
}

/* The loop's metrics, and the salt that makes its request ids unlike any
 * other loop's or process's. */
static void observe_init(hz_worker_t *w) {
  hz_metrics_init(&w->metrics);
  w->ctx.metrics = &w->metrics;
  if (getrandom(&w->ctx.request_salt, sizeof(w->ctx.request_salt), 0) !=
      (ssize_t)sizeof(w->ctx.request_salt))
    w->ctx.request_salt = uv_hrtime() ^ ((uint64_t)uv_os_getpid() << 32) ^ w->ctx.loop_index;
}

/* This loop's pool of each read server, sized as its primary pool; none
 * without --read-database-url. 0 or -1. */
static int start_reads(hz_worker_t *w) {
  const hz_config_t *cfg = w->ctx.config;
  if (hz_db_reads_init(&w->reads, w->ctx.loop, &w->pool, cfg->read_urls, (int)cfg->nread_urls,
                       w->pool.size, w->pool.queue_max, cfg->db_timeout_s * 1000u,
                       cfg->read_max_wait_ms, &w->ctx.log))
    return -1;
  w->app.reads = &w->reads;
  if (cfg->nread_urls && w->ctx.loop_index == 0)
    hz_log_info(&w->ctx.log, "%u read database(s); a read waits up to %u ms for one to catch up",
                cfg->nread_urls, cfg->read_max_wait_ms);
  return 0;
}

int hz_worker_init(hz_worker_t *w, const hz_config_t *cfg, hz_server_limits_t *limits,
                   unsigned index, unsigned n, uv_loop_t *loop) {
  char err[512];
  memset(w, 0, sizeof(*w));
  if (!loop) {
    int r = uv_loop_init(&w->own_loop);
    if (r) {
      hz_log_error(NULL, "cannot create event loop %u: %s", index + 1, uv_strerror(r));
      return -1;
    }
    loop = &w->own_loop;
  }
  w->ctx.loop = loop;
  w->ctx.config = cfg;
  w->ctx.log.level = cfg->log_level;
  w->ctx.log.format = cfg->log_format;
  w->ctx.log.loop = n > 1 ? index + 1 : 0;
  w->ctx.loop_index = index;
  w->ctx.nloops = n;
  hz_registry_init(&w->ctx.registry);
  observe_init(w);
  uv_async_init(loop, &w->stop, on_stop);
  w->stop.data = w;
  if (hz_server_init(&w->server, &w->ctx, limits, err, sizeof(err))) {
    hz_log_error(&w->ctx.log, "%s", err);
    return -1;
  }
  w->server_started = 1;
  if (cfg->database_url && start_pool(w)) {
    hz_log_error(&w->ctx.log, "cannot create the database pool");
    return -1;
  }
  if (register_services(w)) {
    hz_log_error(&w->ctx.log, "cannot register services");
    return -1;
  }
  if (w->pool_started && start_reads(w)) {
    hz_log_error(&w->ctx.log, "cannot create the read database pools");
    return -1;
  }
  return 0;
}

int hz_worker_listen(hz_worker_t *w, int port, int reuseport) {
  char err[512];
  if (hz_server_listen(&w->server, port, reuseport, err, sizeof(err))) {
    hz_log_error(&w->ctx.log, "%s", err);
    return -1;
  }
  return 0;
}

static void worker_run(void *arg) {
  hz_worker_t *w = arg;
  uv_run(w->ctx.loop, UV_RUN_DEFAULT);
}

int hz_worker_start(hz_worker_t *w) {
  if (uv_thread_create(&w->thread, worker_run, w))
    return -1;
  w->thread_started = 1;
  return 0;
}

void hz_worker_stop(hz_worker_t *w) {
  uv_async_send(&w->stop);
}

void hz_worker_abort(hz_worker_t *w) {
  if (!w->ctx.loop)
    return;
  if (!uv_is_closing((uv_handle_t *)&w->stop))
    uv_close((uv_handle_t *)&w->stop, NULL);
  if (w->server_started)
    hz_server_shutdown(&w->server, NULL, NULL);
  hz_db_reads_close(&w->reads, NULL, NULL);
  if (w->pool_started)
    hz_db_pool_close(&w->pool, NULL, NULL);
  uv_run(w->ctx.loop, UV_RUN_DEFAULT);
}

void hz_worker_free(hz_worker_t *w) {
  if (!w || !w->ctx.loop)
    return;
  if (w->thread_started)
    uv_thread_join(&w->thread);
  hz_reflection_free(&w->reflection);
  hz_app_free(&w->app);
  hz_db_reads_free(&w->reads);
  hz_db_pool_free(&w->pool);
  hz_server_free(&w->server);
  hz_registry_free(&w->ctx.registry);
  if (uv_loop_close(w->ctx.loop) != 0)
    hz_log_warn(&w->ctx.log, "loop closed with handles still open");
  w->ctx.loop = NULL;
}
