/* Rollup answers kept for repeated requests. An entry is the packed
 * RollupResponse of one request, tagged with the stamp (hz_rollup_stamp,
 * migration 006) of the region's subtree read before the answer was
 * computed. The caller serves an entry only after reading the same stamp
 * again from the database in the same call, so any committed change under
 * the region makes the next call compute afresh. Bounded in bytes; the
 * least recently used entries go first. Pure memory, no I/O. */
#ifndef HZ_APP_ROLLUP_CACHE_H
#define HZ_APP_ROLLUP_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "core/metrics.h"

typedef struct hz_rcache_entry_s hz_rcache_entry_t;

typedef struct hz_rcache_s {
  hz_rcache_entry_t **buckets; /* chains by key hash; NULL until first put */
  size_t nbuckets;             /* a power of two */
  hz_rcache_entry_t *newest;   /* recency list, most recently used first */
  hz_rcache_entry_t *oldest;   /* ... and its other end, evicted first */
  size_t count;                /* entries held */
  size_t bytes;                /* their keys, stamps and answers */
  size_t limit;                /* bytes allowed; 0 disables the cache */
  uint64_t hits, misses;       /* lookups, for the log */
  hz_metrics_t *metrics;       /* the loop's counters (hits, misses, bytes,
                                  evictions), or NULL */
} hz_rcache_t;

void hz_rcache_init(hz_rcache_t *c, size_t limit);
/* Frees every entry; accepts a zeroed or already freed cache. */
void hz_rcache_free(hz_rcache_t *c);

/* The answer stored for key when its stamp equals stamp (and marks it
 * recently used), else NULL. The pointer is valid until the next put. */
const uint8_t *hz_rcache_get(hz_rcache_t *c, const char *key, const char *stamp, size_t *len);

/* Stores a copy of the answer, replacing any entry for key and evicting
 * the least recently used ones to stay within the limit. An answer larger
 * than a quarter of the limit is not kept. Returns 0, -E2BIG (not kept)
 * or -ENOMEM. */
int hz_rcache_put(hz_rcache_t *c, const char *key, const char *stamp, const uint8_t *answer,
                  size_t len);

#endif
