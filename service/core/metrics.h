/* What one event loop counts for the operator (issue 16 item 5): calls by
 * method and status, call latency, connections, the database pool and the
 * Rollup answer cache. Rendered as Prometheus text by metrics_text.c.
 *
 * Ownership and threads: each loop owns one hz_metrics_t (its context
 * points at it). Only that loop writes it, with relaxed atomic loads and
 * stores (one writer, so no read-modify-write instruction is needed);
 * a scrape, which may run on another loop or thread, reads every loop's
 * struct with relaxed loads and sums them. Nothing mutable is shared
 * between loops and nothing takes a lock. A scrape may see one counter
 * moved and its neighbour not yet: each value is exact, the set is not a
 * snapshot (as with any Prometheus exporter).
 *
 * Counters only grow; gauges (queue depth, busy connections, cache bytes)
 * are the owner's current value. Values a loop derives (calls in flight,
 * open connections) are differences of two counters, so no gauge is ever
 * moved by two loops. */
#ifndef HZ_CORE_METRICS_H
#define HZ_CORE_METRICS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "core/registry.h"

/* Methods a registry may hold (indexed by position); start-up refuses more. */
#define HZ_METRICS_MAX_METHODS 128
/* gRPC status codes 0..16. */
#define HZ_METRICS_NCODES      17
/* Latency bucket upper bounds (see hz_metrics_bucket_bounds); one more
 * slot counts what is slower than the last bound. */
#define HZ_METRICS_NBUCKETS    14

typedef _Atomic uint64_t hz_metric_t;

/* Why a job of the database pool failed. */
typedef enum {
  HZ_DB_ERR_STATEMENT = 0, /* the database answered with an error */
  HZ_DB_ERR_UNAVAILABLE,   /* no answer: connection lost, timeout, down */
  HZ_DB_ERR_KINDS,
} hz_db_err_kind_t;

typedef struct hz_metrics_s {
  /* Finished calls by method (registry position) and gRPC status. */
  hz_metric_t calls[HZ_METRICS_MAX_METHODS][HZ_METRICS_NCODES];
  /* Finished calls by method and latency bucket, not cumulative: slot i
   * counts calls slower than bound i-1 and no slower than bound i. */
  hz_metric_t latency[HZ_METRICS_MAX_METHODS][HZ_METRICS_NBUCKETS + 1];
  hz_metric_t latency_ns[HZ_METRICS_MAX_METHODS]; /* summed latency, ns */
  hz_metric_t calls_started;                      /* dispatched to a method; in flight = this
                                  minus the sum of calls */
  hz_metric_t conns_accepted;                     /* sockets taken on by the gRPC server */
  hz_metric_t conns_refused;                      /* closed at accept: over --max-connections
                                  or shutting down */
  hz_metric_t conns_closed;                       /* taken-on sockets freed again */
  hz_metric_t conns_h2;                           /* connections that turned out HTTP/2 */
  hz_metric_t conns_h1;                           /* ... HTTP/1.1 (gRPC-Web, the console) */
  hz_metric_t conns_h2_closed;                    /* HTTP/2 connections freed */
  hz_metric_t conns_h1_closed;                    /* HTTP/1.1 connections freed */
  hz_metric_t pool_size;                          /* gauge: --db-connections (0: no database) */
  hz_metric_t pool_ready;                         /* gauge: connections up (idle or busy) */
  hz_metric_t pool_busy;                          /* gauge: connections running a job */
  hz_metric_t pool_queued;                        /* gauge: jobs waiting for a connection */
  hz_metric_t pool_waits;                         /* jobs that found no idle connection */
  hz_metric_t pool_wait_ns;                       /* time those jobs waited in the queue */
  hz_metric_t db_errors[HZ_DB_ERR_KINDS];         /* failed jobs by kind */
  hz_metric_t db_reconnects;                      /* connections re-established after one
                                  was lost or failed */
  hz_metric_t cache_hits;                         /* Rollup answers served from the cache */
  hz_metric_t cache_misses;                       /* Rollup lookups computed afresh */
  hz_metric_t cache_bytes;                        /* gauge: bytes the cache holds */
  hz_metric_t cache_evictions;                    /* entries dropped to stay within the limit */
} hz_metrics_t;

/* Zeroes every value. */
void hz_metrics_init(hz_metrics_t *m);

/* The latency bucket bounds in nanoseconds (HZ_METRICS_NBUCKETS of them,
 * increasing: 0.5 ms .. 10 s). */
const uint64_t *hz_metrics_bucket_bounds(void);

/* Adds n to a value this loop owns; sets a gauge; reads any loop's value.
 * Writers check their metrics pointer (NULL when running without one, as
 * in unit tests and huizongd migrate). */
static inline void hz_metric_add(hz_metric_t *v, uint64_t n) {
  atomic_store_explicit(v, atomic_load_explicit(v, memory_order_relaxed) + n, memory_order_relaxed);
}
static inline void hz_metric_set(hz_metric_t *v, uint64_t x) {
  atomic_store_explicit(v, x, memory_order_relaxed);
}
static inline uint64_t hz_metric_get(const hz_metric_t *v) {
  return atomic_load_explicit(v, memory_order_relaxed);
}

/* A finished call of method (registry position; ignored when out of
 * range) with gRPC status code after ns nanoseconds. NULL-safe. */
void hz_metrics_call(hz_metrics_t *m, size_t method, int code, uint64_t ns);

/* What a scrape renders: the loops' structs (N = --threads), the method
 * names (every loop registers the same methods in the same order, so one
 * registry names them all), and the process's constants. */
typedef struct hz_metrics_view_s {
  const hz_metrics_t *const *loops; /* one per event loop */
  size_t nloops;                    /* entries of loops */
  const hz_registry_t *registry;    /* names of the method positions */
  const char *version;              /* build_info label: meson version */
  const char *commit;               /* build_info label: git describe */
  double start_time;                /* process start, Unix seconds */
} hz_metrics_view_t;

/* Writes the Prometheus text exposition (format 0.0.4) of view into a
 * malloc'd string at *out (length *len). Returns 0 or -ENOMEM. */
int hz_metrics_render(const hz_metrics_view_t *view, char **out, size_t *len);

#endif
