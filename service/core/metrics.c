/* Per-loop counters: zeroing, the latency buckets, recording a call. */
#include "core/metrics.h"

#include <string.h>

/* Buckets for this service: a health check or a cached Rollup answers in
 * well under a millisecond, a Submit in a few, a county Rollup computed
 * afresh in tens to hundreds, a large export in seconds; beyond 10 s only
 * the total matters. */
static const uint64_t bounds_ns[HZ_METRICS_NBUCKETS] = {
    500000ull,     1000000ull,    2500000ull,    5000000ull,     10000000ull,
    25000000ull,   50000000ull,   100000000ull,  250000000ull,   500000000ull,
    1000000000ull, 2500000000ull, 5000000000ull, 10000000000ull,
};

const uint64_t *hz_metrics_bucket_bounds(void) {
  return bounds_ns;
}

void hz_metrics_init(hz_metrics_t *m) {
  /* Zero bytes are zero values for atomic integers on every target we
   * build for; memset avoids 4 000 atomic_init lines. */
  memset(m, 0, sizeof(*m));
}

void hz_metrics_call(hz_metrics_t *m, size_t method, int code, uint64_t ns) {
  if (!m || method >= HZ_METRICS_MAX_METHODS)
    return;
  if (code < 0 || code >= HZ_METRICS_NCODES)
    code = 2; /* UNKNOWN, as hz_status_name names it */
  size_t b = 0;
  while (b < HZ_METRICS_NBUCKETS && ns > bounds_ns[b])
    b++;
  hz_metric_add(&m->calls[method][code], 1);
  hz_metric_add(&m->latency[method][b], 1);
  hz_metric_add(&m->latency_ns[method], ns);
}
