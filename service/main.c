/* huizongd: the gRPC server. Parses configuration, sets up one worker per
 * event loop (--threads; worker.h), runs them, one on the main thread and
 * the others on threads of their own, until SIGTERM/SIGINT has drained
 * every connection of every loop. */
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "cmd/token.h"
#include "core/config.h"
#include "db/migrate.h"
#include "db/statements.h"
#include "version.h"
#include "worker.h"

/* The process: configuration, the workers (one event loop each, see
 * worker.h), the signals, the exit code. */
typedef struct hz_daemon_s {
  hz_config_t config;                /* parsed flags and environment; read-only
                              * once the workers exist */
  hz_log_t log;                      /* process-wide lines (no loop tag) */
  hz_server_limits_t limits;         /* --max-connections, --max-held-bytes over
                              * every loop */
  hz_worker_t *workers;              /* config.threads of them; the first runs on
                              * the main thread's default loop */
  unsigned nworkers;                 /* workers set up (to free) */
  unsigned nlive;                    /* the first nlive workers have a running loop */
  atomic_uint running;               /* workers not yet stopped */
  int stopping;                      /* the workers were told to stop (loop 0) */
  uv_async_t all_stopped;            /* the last worker to stop wakes loop 0 */
  uv_signal_t sigterm;               /* graceful stop, on loop 0 */
  uv_signal_t sigint;                /* same, from a terminal */
  hz_server_t metrics;               /* --metrics-listen: GET /metrics, on loop 0 */
  hz_server_limits_t metrics_limits; /* its own connection count */
  int metrics_started;               /* metrics initialised */
  double start_time;                 /* Unix seconds at start, for the metrics */
  int exit_code;                     /* what main returns */
} hz_daemon_t;

/* On loop 0, once every loop has drained: the signal handles go last, so
 * that a second SIGTERM during the drain is ignored rather than fatal. */
static void on_all_stopped(uv_async_t *a) {
  hz_daemon_t *d = a->data;
  uv_close((uv_handle_t *)&d->sigterm, NULL);
  uv_close((uv_handle_t *)&d->sigint, NULL);
  uv_close((uv_handle_t *)&d->all_stopped, NULL);
}

/* On each worker's own loop, when it has stopped. */
static void on_worker_stopped(hz_worker_t *w) {
  hz_daemon_t *d = w->data;
  if (atomic_fetch_sub(&d->running, 1) == 1)
    uv_async_send(&d->all_stopped);
}

/* Handled once, on loop 0; every loop drains on its own. */
static void on_signal(uv_signal_t *sig, int signum) {
  hz_daemon_t *d = sig->data;
  hz_log_info(&d->log, "%s: draining %u connections", signum == SIGTERM ? "SIGTERM" : "SIGINT",
              atomic_load(&d->limits.conns));
  /* Once: a worker that has already stopped has closed its async handle. */
  if (d->stopping)
    return;
  d->stopping = 1;
  for (unsigned i = 0; i < d->nlive; i++)
    hz_worker_stop(&d->workers[i]);
  /* Scrapes end with the calls: the last figures are in the log of the
   * drain, not worth keeping a port open for. */
  if (d->metrics_started)
    hz_server_shutdown(&d->metrics, NULL, NULL);
}

/* The exposition of every loop's metrics: each worker's struct, summed by
 * the renderer with relaxed loads (core/metrics.h), on loop 0. */
static int metrics_page(void *data, char **out, size_t *len) {
  hz_daemon_t *d = data;
  const hz_metrics_t **loops = malloc(d->nworkers * sizeof(*loops));
  if (!loops)
    return -ENOMEM;
  for (unsigned i = 0; i < d->nworkers; i++)
    loops[i] = &d->workers[i].metrics;
  hz_metrics_view_t view = {
      .loops = loops,
      .nloops = d->nworkers,
      .registry = &d->workers[0].ctx.registry,
      .version = HZ_BUILD_VERSION,
      .commit = HZ_BUILD_COMMIT,
      .start_time = d->start_time,
  };
  int r = hz_metrics_render(&view, out, len);
  free(loops);
  return r;
}

/* --metrics-listen: a plain-HTTP server on loop 0 beside worker 0's. */
static int metrics_listen(hz_daemon_t *d) {
  char err[512];
  hz_ctx_t *ctx = &d->workers[0].ctx;
  if (!d->config.metrics_listen)
    return 0;
  if (ctx->registry.len > HZ_METRICS_MAX_METHODS) {
    hz_log_error(&d->log, "%zu methods registered; metrics count at most %d", ctx->registry.len,
                 HZ_METRICS_MAX_METHODS);
    return -1;
  }
  if (hz_server_init_page(&d->metrics, ctx, &d->metrics_limits, d->config.metrics_listen,
                          metrics_page, d, err, sizeof(err)) == 0) {
    d->metrics_started = 1;
    if (hz_server_listen(&d->metrics, -1, 0, err, sizeof(err)) == 0) {
      hz_log_info(&d->log, "metrics on %s (http)", d->metrics.bound);
      return 0;
    }
  }
  hz_log_error(&d->log, "--metrics-listen: %s", err);
  return -1;
}

/* Sets up every worker on the main thread, before any loop runs: the first
 * listener picks the port (--listen host:0), the others bind the same. */
static int setup_workers(hz_daemon_t *d) {
  unsigned n = d->config.threads;
  for (unsigned i = 0; i < n; i++) {
    hz_worker_t *w = &d->workers[i];
    d->nworkers = i + 1;
    if (hz_worker_init(w, &d->config, &d->limits, i, n, i == 0 ? uv_default_loop() : NULL))
      return -1;
    w->on_stopped = on_worker_stopped;
    w->data = d;
    if (hz_worker_listen(w, i == 0 ? -1 : d->workers[0].server.port, n > 1))
      return -1;
  }
  return 0;
}

static void start_signals(hz_daemon_t *d) {
  uv_loop_t *loop = d->workers[0].ctx.loop;
  uv_async_init(loop, &d->all_stopped, on_all_stopped);
  uv_signal_init(loop, &d->sigterm);
  uv_signal_init(loop, &d->sigint);
  d->all_stopped.data = d->sigterm.data = d->sigint.data = d;
  uv_signal_start(&d->sigterm, on_signal, SIGTERM);
  uv_signal_start(&d->sigint, on_signal, SIGINT);
}

static int serve(hz_daemon_t *d) {
  char err[512];
  /* A malformed statement row would fail every call that runs it; refuse
   * to start instead (test_statements checks the same in CI). */
  if (hz_stmt_table_check(err, sizeof(err))) {
    hz_log_error(&d->log, "statement table: %s", err);
    return 1;
  }
  if (!d->config.database_url)
    hz_log_warn(&d->log, "no DATABASE_URL: huizong.v1 calls will answer UNAVAILABLE");
  d->workers = calloc(d->config.threads, sizeof(*d->workers));
  if (!d->workers) {
    hz_log_error(&d->log, "out of memory for %u loops", d->config.threads);
    return 1;
  }
  if (setup_workers(d) || metrics_listen(d)) {
    if (d->metrics_started)
      hz_server_shutdown(&d->metrics, NULL, NULL); /* closes on loop 0 below */
    for (unsigned i = 0; i < d->nworkers; i++)
      hz_worker_abort(&d->workers[i]);
    hz_server_free(&d->metrics); /* NULL-safe on a zeroed server */
    return 1;
  }
  atomic_store(&d->running, d->nworkers);
  d->nlive = d->nworkers;
  start_signals(d);
  for (unsigned i = 1; i < d->nworkers; i++) {
    if (hz_worker_start(&d->workers[i]) == 0)
      continue;
    hz_log_error(&d->log, "cannot start the thread of loop %u", i + 1);
    d->exit_code = 1;
    d->nlive = i;
    /* The loops without a thread close here; the running ones drain. */
    for (unsigned j = i; j < d->nworkers; j++) {
      hz_worker_abort(&d->workers[j]);
      atomic_fetch_sub(&d->running, 1);
    }
    on_signal(&d->sigterm, SIGTERM);
    break;
  }
  /* Once for the process, every loop listening: this line is how scripts
   * learn the port when --listen asks for 0. */
  if (d->exit_code == 0)
    hz_log_info(&d->log, "listening on %s (%s)", d->workers[0].server.bound,
                d->workers[0].server.tls ? "tls" : "h2c");
  uv_run(d->workers[0].ctx.loop, UV_RUN_DEFAULT);
  hz_server_free(&d->metrics);
  for (unsigned i = 1; i < d->nworkers; i++)
    hz_worker_free(&d->workers[i]); /* joins its thread first */
  hz_log_info(&d->log, "stopped");
  return d->exit_code;
}

static void daemon_free(hz_daemon_t *d) {
  /* Worker 0 last: its loop is the default loop the others never touch. */
  for (unsigned i = d->nworkers; i-- > 0;)
    hz_worker_free(&d->workers[i]);
  free(d->workers);
  d->workers = NULL;
}

/* A large rollup builds a few megabytes per call (query results, the
 * arena, the packed reply) and frees them at the end. With glibc's defaults
 * those blocks come from mmap or are trimmed back to the kernel, and every
 * call pays page faults to zero them again; keeping them in the heap makes
 * the next call reuse warm pages. */
static void tune_malloc(void) {
  mallopt(M_MMAP_THRESHOLD, 8 << 20);
  mallopt(M_TRIM_THRESHOLD, 32 << 20);
  /* One arena for every loop (--threads): malloc_trim gives back the top
   * of the main arena only, so a burst served by a loop on its own thread
   * (an arena of its own) stayed resident (test_memory). The loops then
   * share the arena's lock for what their per-thread caches do not hold. */
  mallopt(M_ARENA_MAX, 1);
}

int main(int argc, char **argv) {
  static hz_daemon_t daemon; /* lives for the process */
  hz_daemon_t *d = &daemon;
  const char *cmd = "serve";
  if (argc > 1 && argv[1][0] != '-') {
    cmd = argv[1];
    argv++;
    argc--;
  }
  signal(SIGPIPE, SIG_IGN);
  tune_malloc();
  if (strcmp(cmd, "token") == 0)
    return hz_cmd_token(argc, argv, getenv("DATABASE_URL"));
  hz_config_defaults(&d->config);
  const char *env_err = NULL;
  if (hz_config_from_env(&d->config, &env_err)) {
    fprintf(stderr, "huizongd: invalid environment: %s\n", env_err);
    return 2;
  }
  char err[256];
  int r = hz_config_from_args(&d->config, argc, argv, err, sizeof(err));
  if (r == 1) {
    hz_config_usage("huizongd");
    return 0;
  }
  if (r < 0) {
    fprintf(stderr, "huizongd: %s\n", err);
    hz_config_usage("huizongd");
    return 2;
  }
  d->log.level = d->config.log_level;
  d->log.format = d->config.log_format;
  uv_timeval64_t tv;
  if (uv_gettimeofday(&tv) == 0)
    d->start_time = (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
  if (strcmp(cmd, "serve") == 0) {
    d->exit_code = serve(d);
  } else if (strcmp(cmd, "migrate") == 0) {
    if (!d->config.database_url) {
      fprintf(stderr, "huizongd migrate: set DATABASE_URL or --database-url\n");
      d->exit_code = 2;
    } else {
      d->exit_code = hz_migrate(d->config.database_url, stdout, stderr) ? 1 : 0;
    }
  } else {
    fprintf(stderr, "huizongd: unknown command '%s'\n", cmd);
    hz_config_usage("huizongd");
    d->exit_code = 2;
  }
  daemon_free(d);
  return d->exit_code;
}
