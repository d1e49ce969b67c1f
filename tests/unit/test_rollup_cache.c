/* The Rollup answer cache: stamps, recency, the byte bound. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "api/aggregation/cache.h"
#include "hz_test.h"

static const uint8_t *get(hz_rcache_t *c, const char *key, const char *stamp, size_t *len) {
  *len = 0;
  return hz_rcache_get(c, key, stamp, len);
}

HZ_TEST(answer_served_only_at_its_stamp) {
  hz_rcache_t c;
  hz_rcache_init(&c, 1 << 20);
  const uint8_t answer[] = {1, 2, 3, 0, 5};
  size_t len;
  HZ_ASSERT_TRUE(get(&c, "420624|2022Q1", "7", &len) == NULL);
  HZ_ASSERT_INT_EQ(hz_rcache_put(&c, "420624|2022Q1", "7", answer, sizeof(answer)), 0);
  const uint8_t *got = get(&c, "420624|2022Q1", "7", &len);
  HZ_ASSERT_TRUE(got != NULL);
  HZ_ASSERT_INT_EQ((long)len, (long)sizeof(answer));
  HZ_ASSERT_TRUE(memcmp(got, answer, len) == 0);
  /* A change under the region moved the stamp: not served. */
  HZ_ASSERT_TRUE(get(&c, "420624|2022Q1", "8", &len) == NULL);
  HZ_ASSERT_TRUE(get(&c, "420624|2022Q2", "7", &len) == NULL);
  HZ_ASSERT_INT_EQ((long)c.hits, 1);
  HZ_ASSERT_INT_EQ((long)c.misses, 3);
  hz_rcache_free(&c);
}

HZ_TEST(put_replaces_the_entry_of_a_key) {
  hz_rcache_t c;
  hz_rcache_init(&c, 1 << 20);
  const uint8_t a[] = "old answer", b[] = "new";
  size_t len;
  HZ_ASSERT_INT_EQ(hz_rcache_put(&c, "k", "1", a, sizeof(a)), 0);
  HZ_ASSERT_INT_EQ(hz_rcache_put(&c, "k", "2", b, sizeof(b)), 0);
  HZ_ASSERT_INT_EQ((long)c.count, 1);
  HZ_ASSERT_TRUE(get(&c, "k", "1", &len) == NULL);
  const uint8_t *got = get(&c, "k", "2", &len);
  HZ_ASSERT_TRUE(got != NULL);
  HZ_ASSERT_STR_EQ((const char *)got, "new");
  hz_rcache_free(&c);
}

HZ_TEST(least_recently_used_evicted_within_the_limit) {
  hz_rcache_t c;
  hz_rcache_init(&c, 64 * 1024);
  uint8_t answer[1000];
  memset(answer, 'x', sizeof(answer));
  char key[32];
  size_t len;
  for (int i = 0; i < 200; i++) {
    snprintf(key, sizeof(key), "key-%d", i);
    HZ_ASSERT_INT_EQ(hz_rcache_put(&c, key, "1", answer, sizeof(answer)), 0);
    HZ_ASSERT_TRUE(c.bytes <= c.limit);
    /* key-0 is read after every put: always the most recent. */
    HZ_ASSERT_TRUE(get(&c, "key-0", "1", &len) != NULL);
  }
  HZ_ASSERT_TRUE(c.count < 200);
  HZ_ASSERT_TRUE(c.count > 40);
  HZ_ASSERT_TRUE(get(&c, "key-1", "1", &len) == NULL);   /* evicted */
  HZ_ASSERT_TRUE(get(&c, "key-199", "1", &len) != NULL); /* newest kept */
  hz_rcache_free(&c);
  HZ_ASSERT_INT_EQ((long)c.count, 0);
  HZ_ASSERT_INT_EQ((long)c.bytes, 0);
}

HZ_TEST(oversized_answers_and_a_disabled_cache_keep_nothing) {
  hz_rcache_t c;
  static uint8_t big[40000];
  size_t len;
  hz_rcache_init(&c, 100000);
  HZ_ASSERT_INT_EQ(hz_rcache_put(&c, "big", "1", big, sizeof(big)), -E2BIG);
  HZ_ASSERT_INT_EQ((long)c.count, 0);
  hz_rcache_free(&c);
  hz_rcache_init(&c, 0);
  HZ_ASSERT_INT_EQ(hz_rcache_put(&c, "k", "1", big, 10), -E2BIG);
  HZ_ASSERT_TRUE(get(&c, "k", "1", &len) == NULL);
  hz_rcache_free(&c);
  hz_rcache_free(NULL);
}
