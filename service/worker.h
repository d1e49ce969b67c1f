/* One event loop of huizongd and everything that lives on it: its context
 * (loop, logger, method table), listener and connections, database pool,
 * services and their caches, health. A worker shares nothing mutable with
 * the others but the process-wide limits (hz_server_limits_t); the
 * configuration and the statement table are read-only. main.c owns the
 * process part: signals, threads, the exit code.
 *
 * Life: hz_worker_init and hz_worker_listen on the main thread, before any
 * loop runs; then hz_worker_start (a thread of its own) or uv_run on the
 * main thread (the first worker, which also carries the signal handles);
 * hz_worker_stop from any thread drains it; on_stopped runs on the
 * worker's loop once its connections and pool are closed, and the loop
 * then ends; hz_worker_free after that (or after hz_worker_abort). */
#ifndef HZ_WORKER_H
#define HZ_WORKER_H

#include <uv.h>

#include "api/api.h"
#include "builtin/health.h"
#include "builtin/reflection.h"
#include "core/context.h"
#include "db/pool.h"
#include "db/replica.h"
#include "transport/server.h"

typedef struct hz_worker_s hz_worker_t;
typedef void (*hz_worker_stopped_fn)(hz_worker_t *w);

struct hz_worker_s {
  hz_ctx_t ctx;                    /* what every callback on this loop reaches */
  uv_loop_t own_loop;              /* the loop of every worker but the first,
                                    * which runs uv_default_loop() (signals) */
  hz_server_t server;              /* listener and connections */
  int server_started;              /* server initialised */
  hz_health_t health;              /* this loop's health: its own pool decides */
  hz_reflection_t reflection;      /* reflection service */
  hz_db_pool_t pool;               /* this loop's share of --db-connections */
  int pool_started;                /* pool initialised */
  hz_db_reads_t reads;             /* this loop's pools of the read servers
                                    * (--read-database-url, db/replica.h) */
  hz_app_t app;                    /* huizong.v1 services and their caches */
  hz_metrics_t metrics;            /* this loop's counters (ctx.metrics); written
                                    * only here, read by the scrape on loop 0 */
  uv_async_t stop;                 /* how another thread asks for a drain */
  uv_thread_t thread;              /* runs the loop, for every worker but the first */
  int thread_started;              /* thread must be joined */
  hz_worker_stopped_fn on_stopped; /* the process's hook, on this loop */
  void *data;                      /* for on_stopped */
};

/* Sets up worker index of n on loop (NULL: a loop of its own): context,
 * server, pool (its share of the process's connections and queue) and
 * services. On failure logs why once and returns -1; hz_worker_abort then
 * closes what was opened. */
int hz_worker_init(hz_worker_t *w, const hz_config_t *cfg, hz_server_limits_t *limits,
                   unsigned index, unsigned n, uv_loop_t *loop);
/* Starts listening; port and reuseport as hz_server_listen. Logs once and
 * returns -1 on failure. */
int hz_worker_listen(hz_worker_t *w, int port, int reuseport);
/* Runs the worker's loop on a new thread. */
int hz_worker_start(hz_worker_t *w);
/* Thread-safe: begins the graceful drain on the worker's own loop. */
void hz_worker_stop(hz_worker_t *w);
/* Start-up failed before any loop ran: closes everything on the worker's
 * loop and runs it until the close callbacks are done. */
void hz_worker_abort(hz_worker_t *w);
/* Joins the thread (if any) and frees; NULL-safe. */
void hz_worker_free(hz_worker_t *w);

#endif
