/* huizongd: the gRPC server. Parses configuration, builds the context,
 * registers services, and runs the loop until SIGTERM/SIGINT has drained
 * every connection. */
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "api/api.h"
#include "cmd/token.h"
#include "core/config.h"
#include "core/context.h"
#include "db/migrate.h"
#include "db/pool.h"
#include "db/replica.h"
#include "db/statements.h"
#include "builtin/health.h"
#include "builtin/reflection.h"
#include "transport/server.h"

typedef struct hz_daemon_s {
  hz_ctx_t ctx;               /* what every callback reaches */
  hz_config_t config;         /* parsed flags and environment */
  hz_server_t server;         /* listener and connections */
  hz_health_t health;         /* health service */
  hz_reflection_t reflection; /* reflection service */
  hz_db_pool_t pool;          /* PostgreSQL, when configured */
  int pool_started;           /* pool initialised */
  hz_db_reads_t reads;        /* read servers beside the pool (db/replica.h) */
  hz_app_t app;               /* huizong.v1 services */
  uv_signal_t sigterm;        /* graceful stop */
  uv_signal_t sigint;         /* same, from a terminal */
  int exit_code;              /* what main returns */
} hz_daemon_t;

static void on_pool_closed(void *data) {
  hz_daemon_t *d = data;
  hz_log_info(&d->ctx.log, "stopped");
}

/* The read servers are closed: the primary's pool goes last. */
static void on_reads_closed(void *data) {
  hz_daemon_t *d = data;
  if (d->pool_started)
    hz_db_pool_close(&d->pool, on_pool_closed, d);
  else
    on_pool_closed(d);
}

/* Calls have drained: the databases go last, then the signal handles. */
static void on_server_stopped(void *data) {
  hz_daemon_t *d = data;
  uv_close((uv_handle_t *)&d->sigterm, NULL);
  uv_close((uv_handle_t *)&d->sigint, NULL);
  hz_db_reads_close(&d->reads, on_reads_closed, d);
}

/* A pool per --read-database-url beside the primary's (none: reads stay
 * on the primary). 0, or -1 after logging. */
static int start_reads(hz_daemon_t *d) {
  const hz_config_t *c = &d->config;
  if (hz_db_reads_init(&d->reads, d->ctx.loop, &d->pool, c->read_urls, (int)c->nread_urls,
                       (int)c->db_connections, (int)c->db_queue, c->db_timeout_s * 1000u,
                       c->read_max_wait_ms, &d->ctx.log)) {
    hz_log_error(&d->ctx.log, "cannot create the read database pools");
    return -1;
  }
  if (c->nread_urls)
    hz_log_info(&d->ctx.log, "%u read database(s); a read waits up to %u ms for one to catch up",
                c->nread_urls, c->read_max_wait_ms);
  return 0;
}

static void on_db_state(void *data, int up) {
  hz_daemon_t *d = data;
  hz_health_set_serving(&d->health, up);
}

static void on_signal(uv_signal_t *sig, int signum) {
  hz_daemon_t *d = sig->data;
  hz_log_info(&d->ctx.log, "%s: draining %u connections", signum == SIGTERM ? "SIGTERM" : "SIGINT",
              d->server.nconns);
  hz_server_shutdown(&d->server, on_server_stopped, d);
}

static int register_services(hz_daemon_t *d) {
  int r = hz_health_register(&d->health, &d->ctx);
  if (r == 0)
    r = hz_server_on_shutdown(&d->server, hz_health_shutdown, &d->health);
  if (r == 0)
    r = hz_app_register(&d->app, &d->ctx, d->pool_started ? &d->pool : NULL);
  if (r == 0 && d->pool_started)
    d->app.reads = &d->reads;
  /* Reflection lists the method table, so it registers last. */
  if (r == 0)
    r = hz_reflection_register(&d->reflection, &d->ctx);
  return r;
}

static int serve(hz_daemon_t *d) {
  char err[512];
  /* A malformed statement row would fail every call that runs it; refuse
   * to start instead (test_statements checks the same in CI). */
  if (hz_stmt_table_check(err, sizeof(err))) {
    hz_log_error(&d->ctx.log, "statement table: %s", err);
    return 1;
  }
  if (hz_server_init(&d->server, &d->ctx, err, sizeof(err))) {
    hz_log_error(&d->ctx.log, "%s", err);
    return 1;
  }
  if (d->config.database_url) {
    if (hz_db_pool_init(&d->pool, d->ctx.loop, d->config.database_url,
                        (int)d->config.db_connections, (int)d->config.db_queue,
                        d->config.db_timeout_s * 1000u, &d->ctx.log)) {
      hz_log_error(&d->ctx.log, "cannot create the database pool");
      return 1;
    }
    d->pool_started = 1;
    d->pool.on_state = on_db_state;
    d->pool.state_data = d;
    if (start_reads(d))
      return 1;
  } else {
    hz_log_warn(&d->ctx.log, "no DATABASE_URL: huizong.v1 calls will answer UNAVAILABLE");
  }
  if (register_services(d)) {
    hz_log_error(&d->ctx.log, "cannot register services");
    return 1;
  }
  if (hz_server_listen(&d->server, err, sizeof(err))) {
    hz_log_error(&d->ctx.log, "%s", err);
    hz_server_shutdown(&d->server, NULL, NULL);
    hz_db_reads_close(&d->reads, on_reads_closed, d);
    uv_run(d->ctx.loop, UV_RUN_DEFAULT);
    return 1;
  }
  uv_signal_init(d->ctx.loop, &d->sigterm);
  uv_signal_init(d->ctx.loop, &d->sigint);
  d->sigterm.data = d->sigint.data = d;
  uv_signal_start(&d->sigterm, on_signal, SIGTERM);
  uv_signal_start(&d->sigint, on_signal, SIGINT);
  hz_log_info(&d->ctx.log, "listening on %s (%s)", d->server.bound, d->server.tls ? "tls" : "h2c");
  /* The line above is how scripts learn the port when --listen asks for 0. */
  uv_run(d->ctx.loop, UV_RUN_DEFAULT);
  return 0;
}

static void daemon_free(hz_daemon_t *d) {
  hz_reflection_free(&d->reflection);
  hz_app_free(&d->app);
  hz_db_reads_free(&d->reads);
  hz_db_pool_free(&d->pool);
  hz_server_free(&d->server);
  hz_registry_free(&d->ctx.registry);
  if (uv_loop_close(d->ctx.loop) != 0)
    hz_log_warn(&d->ctx.log, "loop closed with handles still open");
}

/* A large rollup builds a few megabytes per call (query results, the
 * arena, the packed reply) and frees them at the end. With glibc's defaults
 * those blocks come from mmap or are trimmed back to the kernel, and every
 * call pays page faults to zero them again; keeping them in the heap makes
 * the next call reuse warm pages. */
static void tune_malloc(void) {
  mallopt(M_MMAP_THRESHOLD, 8 << 20);
  mallopt(M_TRIM_THRESHOLD, 32 << 20);
}

int main(int argc, char **argv) {
  static hz_daemon_t daemon; /* large (read buffer); lives for the process */
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
  d->ctx.loop = uv_default_loop();
  d->ctx.config = &d->config;
  d->ctx.log.level = d->config.log_level;
  hz_registry_init(&d->ctx.registry);
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
