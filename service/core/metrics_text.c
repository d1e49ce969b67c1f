/* The Prometheus text exposition (format 0.0.4) of every loop's metrics:
 * one # HELP and # TYPE per family, label values escaped as the format
 * requires (backslash, double quote, newline), histogram buckets made
 * cumulative here and their +Inf bucket equal to the count by
 * construction. Sums over loops use relaxed loads (see metrics.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/metrics.h"
#include "wire/status.h"

typedef struct render_s {
  FILE *f;                    /* the memstream being written */
  const hz_metrics_view_t *v; /* what is rendered */
} render_t;

/* The sum over loops of the value at the same place as `first` (a field of
 * loop 0's struct) in every loop's struct. */
static uint64_t total(const render_t *r, const hz_metric_t *first) {
  size_t off = (size_t)((const char *)first - (const char *)r->v->loops[0]);
  uint64_t n = 0;
  for (size_t i = 0; i < r->v->nloops; i++)
    n += hz_metric_get((const hz_metric_t *)((const char *)r->v->loops[i] + off));
  return n;
}

static void family(const render_t *r, const char *name, const char *type, const char *help) {
  fprintf(r->f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value between double quotes, escaped. */
static void label_value(FILE *f, const char *s, size_t len) {
  fputc('"', f);
  for (size_t i = 0; i < len; i++) {
    if (s[i] == '\\' || s[i] == '"')
      fputc('\\', f);
    if (s[i] == '\n') {
      fputs("\\n", f);
      continue;
    }
    fputc(s[i], f);
  }
  fputc('"', f);
}

/* service="huizong.v1.Aggregation",method="Rollup" from the method path
 * "/huizong.v1.Aggregation/Rollup" (a path without the shape is all
 * method). */
static void method_labels(FILE *f, const char *path) {
  const char *slash = strrchr(path, '/');
  const char *svc = path[0] == '/' ? path + 1 : path;
  size_t svc_len = slash && slash >= svc ? (size_t)(slash - svc) : 0;
  const char *m = slash ? slash + 1 : path;
  fputs("service=", f);
  label_value(f, svc, svc_len);
  fputs(",method=", f);
  label_value(f, m, strlen(m));
}

static void scalar(const render_t *r, const char *name, const char *labels, uint64_t v) {
  fprintf(r->f, "%s%s%s%s %llu\n", name, labels ? "{" : "", labels ? labels : "", labels ? "}" : "",
          (unsigned long long)v);
}

static size_t nmethods(const render_t *r) {
  size_t n = r->v->registry ? r->v->registry->len : 0;
  return n < HZ_METRICS_MAX_METHODS ? n : HZ_METRICS_MAX_METHODS;
}

static void calls_total(const render_t *r) {
  const hz_metrics_t *m0 = r->v->loops[0];
  family(r, "huizong_grpc_calls_total", "counter",
         "Finished gRPC calls by service, method and gRPC status code.");
  for (size_t i = 0; i < nmethods(r); i++) {
    for (int code = 0; code < HZ_METRICS_NCODES; code++) {
      uint64_t n = total(r, &m0->calls[i][code]);
      if (n == 0)
        continue; /* absent means zero; 17 codes x every method would drown the page */
      fputs("huizong_grpc_calls_total{", r->f);
      method_labels(r->f, r->v->registry->methods[i].path);
      fprintf(r->f, ",code=\"%s\"} %llu\n", hz_status_name(code), (unsigned long long)n);
    }
  }
}

static void histogram_one(const render_t *r, size_t i) {
  const hz_metrics_t *m0 = r->v->loops[0];
  const uint64_t *bounds = hz_metrics_bucket_bounds();
  const char *path = r->v->registry->methods[i].path;
  uint64_t cum = 0;
  for (int b = 0; b <= HZ_METRICS_NBUCKETS; b++) {
    cum += total(r, &m0->latency[i][b]);
    fputs("huizong_grpc_call_duration_seconds_bucket{", r->f);
    method_labels(r->f, path);
    if (b < HZ_METRICS_NBUCKETS)
      fprintf(r->f, ",le=\"%g\"} %llu\n", (double)bounds[b] / 1e9, (unsigned long long)cum);
    else
      fprintf(r->f, ",le=\"+Inf\"} %llu\n", (unsigned long long)cum);
  }
  fputs("huizong_grpc_call_duration_seconds_sum{", r->f);
  method_labels(r->f, path);
  fprintf(r->f, "} %.9f\n", (double)total(r, &m0->latency_ns[i]) / 1e9);
  fputs("huizong_grpc_call_duration_seconds_count{", r->f);
  method_labels(r->f, path);
  fprintf(r->f, "} %llu\n", (unsigned long long)cum);
}

/* Returns the calls finished, for the in-flight gauge. */
static uint64_t latency(const render_t *r) {
  const hz_metrics_t *m0 = r->v->loops[0];
  uint64_t finished = 0;
  family(r, "huizong_grpc_call_duration_seconds", "histogram",
         "Time from a call's request headers to its status, by service and method.");
  for (size_t i = 0; i < nmethods(r); i++) {
    uint64_t n = 0;
    for (int b = 0; b <= HZ_METRICS_NBUCKETS; b++)
      n += total(r, &m0->latency[i][b]);
    finished += n;
    if (n > 0)
      histogram_one(r, i);
  }
  return finished;
}

static void calls(const render_t *r) {
  calls_total(r);
  uint64_t finished = latency(r);
  uint64_t started = total(r, &r->v->loops[0]->calls_started);
  family(r, "huizong_grpc_calls_in_flight", "gauge",
         "Calls dispatched to a method and not yet answered.");
  scalar(r, "huizong_grpc_calls_in_flight", NULL, started > finished ? started - finished : 0);
}

static void connections(const render_t *r) {
  const hz_metrics_t *m = r->v->loops[0];
  uint64_t acc = total(r, &m->conns_accepted), closed = total(r, &m->conns_closed);
  uint64_t h2 = total(r, &m->conns_h2) - total(r, &m->conns_h2_closed);
  uint64_t h1 = total(r, &m->conns_h1) - total(r, &m->conns_h1_closed);
  uint64_t open = acc > closed ? acc - closed : 0;
  family(r, "huizong_connections_open", "gauge",
         "Client connections open, by protocol (undecided: too few bytes yet).");
  scalar(r, "huizong_connections_open", "protocol=\"h2\"", h2);
  scalar(r, "huizong_connections_open", "protocol=\"http1\"", h1);
  scalar(r, "huizong_connections_open", "protocol=\"undecided\"",
         open > h2 + h1 ? open - h2 - h1 : 0);
  family(r, "huizong_connections_accepted_total", "counter", "Client connections taken on.");
  scalar(r, "huizong_connections_accepted_total", NULL, acc);
  family(r, "huizong_connections_refused_total", "counter",
         "Client connections closed at accept (--max-connections reached, or shutting down).");
  scalar(r, "huizong_connections_refused_total", NULL, total(r, &m->conns_refused));
}

static void pool(const render_t *r) {
  const hz_metrics_t *m = r->v->loops[0];
  family(r, "huizong_db_pool_connections", "gauge", "PostgreSQL pool size (--db-connections).");
  scalar(r, "huizong_db_pool_connections", NULL, total(r, &m->pool_size));
  family(r, "huizong_db_pool_connections_ready", "gauge", "Pool connections up (idle or busy).");
  scalar(r, "huizong_db_pool_connections_ready", NULL, total(r, &m->pool_ready));
  family(r, "huizong_db_pool_connections_busy", "gauge", "Pool connections running a job.");
  scalar(r, "huizong_db_pool_connections_busy", NULL, total(r, &m->pool_busy));
  family(r, "huizong_db_pool_queue_depth", "gauge", "Database jobs waiting for a connection.");
  scalar(r, "huizong_db_pool_queue_depth", NULL, total(r, &m->pool_queued));
  family(r, "huizong_db_pool_waits_total", "counter",
         "Database jobs that found no idle connection and waited in the queue.");
  scalar(r, "huizong_db_pool_waits_total", NULL, total(r, &m->pool_waits));
  family(r, "huizong_db_pool_wait_seconds_total", "counter",
         "Time database jobs spent waiting for a connection.");
  fprintf(r->f, "huizong_db_pool_wait_seconds_total %.9f\n",
          (double)total(r, &m->pool_wait_ns) / 1e9);
  family(r, "huizong_db_errors_total", "counter",
         "Failed database jobs: statement (the database refused) or unavailable (no answer).");
  scalar(r, "huizong_db_errors_total", "kind=\"statement\"",
         total(r, &m->db_errors[HZ_DB_ERR_STATEMENT]));
  scalar(r, "huizong_db_errors_total", "kind=\"unavailable\"",
         total(r, &m->db_errors[HZ_DB_ERR_UNAVAILABLE]));
  family(r, "huizong_db_reconnects_total", "counter",
         "Database connections re-established after one was lost or failed.");
  scalar(r, "huizong_db_reconnects_total", NULL, total(r, &m->db_reconnects));
}

static void cache(const render_t *r) {
  const hz_metrics_t *m = r->v->loops[0];
  family(r, "huizong_rollup_cache_hits_total", "counter", "Rollup answers served from the cache.");
  scalar(r, "huizong_rollup_cache_hits_total", NULL, total(r, &m->cache_hits));
  family(r, "huizong_rollup_cache_misses_total", "counter",
         "Rollup lookups that computed the answer afresh.");
  scalar(r, "huizong_rollup_cache_misses_total", NULL, total(r, &m->cache_misses));
  family(r, "huizong_rollup_cache_bytes", "gauge", "Bytes the Rollup answer cache holds.");
  scalar(r, "huizong_rollup_cache_bytes", NULL, total(r, &m->cache_bytes));
  family(r, "huizong_rollup_cache_evictions_total", "counter",
         "Rollup answers dropped to stay within --rollup-cache-bytes.");
  scalar(r, "huizong_rollup_cache_evictions_total", NULL, total(r, &m->cache_evictions));
}

static void process(const render_t *r) {
  family(r, "huizong_build_info", "gauge", "The running build: version and git commit.");
  fputs("huizong_build_info{version=", r->f);
  label_value(r->f, r->v->version, strlen(r->v->version));
  fputs(",commit=", r->f);
  label_value(r->f, r->v->commit, strlen(r->v->commit));
  fputs("} 1\n", r->f);
  family(r, "huizong_process_start_time_seconds", "gauge",
         "Start time of the process since the Unix epoch, in seconds.");
  fprintf(r->f, "huizong_process_start_time_seconds %.3f\n", r->v->start_time);
  family(r, "huizong_event_loops", "gauge", "Event loops serving calls (--threads).");
  scalar(r, "huizong_event_loops", NULL, r->v->nloops);
}

int hz_metrics_render(const hz_metrics_view_t *view, char **out, size_t *len) {
  *out = NULL;
  *len = 0;
  FILE *f = open_memstream(out, len);
  if (!f)
    return -ENOMEM;
  render_t r = {f, view};
  process(&r);
  if (view->nloops > 0) {
    calls(&r);
    connections(&r);
    pool(&r);
    cache(&r);
  }
  if (fclose(f) != 0) {
    free(*out);
    *out = NULL;
    return -ENOMEM;
  }
  return 0;
}
