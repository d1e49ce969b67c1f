/* Byte-bounded LRU map from request key to (stamp, packed answer). */
#include "api/aggregation/cache.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct hz_rcache_entry_s {
  hz_rcache_entry_t *chain;         /* next in the bucket */
  hz_rcache_entry_t *newer, *older; /* recency list */
  uint64_t hash;                    /* of key */
  size_t size;                      /* bytes charged to the limit */
  char *key;                        /* request key (points into this block) */
  char *stamp;                      /* stamp the answer was computed at */
  size_t len;                       /* answer length */
  uint8_t answer[];                 /* packed RollupResponse, then key, stamp */
};

#define RCACHE_MIN_BUCKETS 64u

static uint64_t key_hash(const char *key) {
  uint64_t h = 1469598103934665603ull;
  for (const char *p = key; *p; p++)
    h = (h ^ (uint8_t)*p) * 1099511628211ull;
  return h;
}

void hz_rcache_init(hz_rcache_t *c, size_t limit) {
  memset(c, 0, sizeof(*c));
  c->limit = limit;
}

void hz_rcache_free(hz_rcache_t *c) {
  if (!c)
    return;
  hz_rcache_entry_t *e = c->newest;
  while (e) {
    hz_rcache_entry_t *next = e->older;
    free(e);
    e = next;
  }
  free(c->buckets);
  size_t limit = c->limit;
  hz_metrics_t *m = c->metrics;
  memset(c, 0, sizeof(*c));
  c->limit = limit;
  c->metrics = m;
  if (m)
    hz_metric_set(&m->cache_bytes, 0);
}

static hz_rcache_entry_t **slot_of(hz_rcache_t *c, const char *key, uint64_t h) {
  hz_rcache_entry_t **s = &c->buckets[h & (c->nbuckets - 1)];
  while (*s && ((*s)->hash != h || strcmp((*s)->key, key) != 0))
    s = &(*s)->chain;
  return s;
}

static void list_unlink(hz_rcache_t *c, hz_rcache_entry_t *e) {
  if (e->newer)
    e->newer->older = e->older;
  else
    c->newest = e->older;
  if (e->older)
    e->older->newer = e->newer;
  else
    c->oldest = e->newer;
  e->newer = e->older = NULL;
}

static void list_push_newest(hz_rcache_t *c, hz_rcache_entry_t *e) {
  e->older = c->newest;
  e->newer = NULL;
  if (c->newest)
    c->newest->newer = e;
  c->newest = e;
  if (!c->oldest)
    c->oldest = e;
}

static void drop(hz_rcache_t *c, hz_rcache_entry_t *e) {
  hz_rcache_entry_t **s = slot_of(c, e->key, e->hash);
  *s = e->chain;
  list_unlink(c, e);
  c->count--;
  c->bytes -= e->size;
  free(e);
  if (c->metrics)
    hz_metric_set(&c->metrics->cache_bytes, c->bytes);
}

/* Keeps the chains short: doubles the table when entries outnumber it. */
static int grow(hz_rcache_t *c) {
  size_t nb = c->nbuckets ? c->nbuckets * 2 : RCACHE_MIN_BUCKETS;
  hz_rcache_entry_t **b = calloc(nb, sizeof(*b));
  if (!b)
    return -ENOMEM;
  for (hz_rcache_entry_t *e = c->newest; e; e = e->older) {
    size_t i = e->hash & (nb - 1);
    e->chain = b[i];
    b[i] = e;
  }
  free(c->buckets);
  c->buckets = b;
  c->nbuckets = nb;
  return 0;
}

const uint8_t *hz_rcache_get(hz_rcache_t *c, const char *key, const char *stamp, size_t *len) {
  hz_rcache_entry_t *e = c->buckets ? *slot_of(c, key, key_hash(key)) : NULL;
  if (!e || strcmp(e->stamp, stamp) != 0) {
    c->misses++;
    if (c->metrics)
      hz_metric_add(&c->metrics->cache_misses, 1);
    return NULL;
  }
  list_unlink(c, e);
  list_push_newest(c, e);
  c->hits++;
  if (c->metrics)
    hz_metric_add(&c->metrics->cache_hits, 1);
  *len = e->len;
  return e->answer;
}

int hz_rcache_put(hz_rcache_t *c, const char *key, const char *stamp, const uint8_t *answer,
                  size_t len) {
  size_t klen = strlen(key) + 1, slen = strlen(stamp) + 1;
  size_t size = sizeof(hz_rcache_entry_t) + len + klen + slen;
  if (c->limit == 0 || size > c->limit / 4)
    return -E2BIG;
  if (c->count >= c->nbuckets && grow(c))
    return -ENOMEM;
  uint64_t h = key_hash(key);
  hz_rcache_entry_t *old = *slot_of(c, key, h);
  if (old)
    drop(c, old);
  while (c->oldest && c->bytes + size > c->limit) {
    drop(c, c->oldest);
    if (c->metrics)
      hz_metric_add(&c->metrics->cache_evictions, 1);
  }
  hz_rcache_entry_t *e = malloc(size);
  if (!e)
    return -ENOMEM;
  memcpy(e->answer, answer, len);
  e->len = len;
  e->key = (char *)e->answer + len;
  memcpy(e->key, key, klen);
  e->stamp = e->key + klen;
  memcpy(e->stamp, stamp, slen);
  e->hash = h;
  e->size = size;
  hz_rcache_entry_t **s = slot_of(c, key, h);
  e->chain = *s;
  *s = e;
  list_push_newest(c, e);
  c->count++;
  c->bytes += size;
  if (c->metrics)
    hz_metric_set(&c->metrics->cache_bytes, c->bytes);
  return 0;
}
