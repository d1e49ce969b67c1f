/* hz_config_share: how a per-process budget (--db-connections, --db-queue,
 * --rollup-cache-bytes) is split across the loops of --threads. */
#include "core/config.h"
#include "hz_test.h"

static size_t sum_of_shares(size_t total, unsigned n, size_t min) {
  size_t sum = 0;
  for (unsigned i = 0; i < n; i++)
    sum += hz_config_share(total, n, i, min);
  return sum;
}

HZ_TEST(one_loop_gets_the_whole_budget) {
  HZ_ASSERT_INT_EQ((long)hz_config_share(4, 1, 0, 1), 4);
  HZ_ASSERT_INT_EQ((long)hz_config_share(16u << 20, 1, 0, 0), 16l << 20);
  HZ_ASSERT_INT_EQ((long)hz_config_share(0, 1, 0, 0), 0);
}

HZ_TEST(shares_add_up_to_the_total_remainder_first) {
  HZ_ASSERT_INT_EQ((long)hz_config_share(5, 2, 0, 1), 3);
  HZ_ASSERT_INT_EQ((long)hz_config_share(5, 2, 1, 1), 2);
  HZ_ASSERT_INT_EQ((long)sum_of_shares(5, 2, 1), 5);
  HZ_ASSERT_INT_EQ((long)sum_of_shares(1024, 3, 1), 1024);
  HZ_ASSERT_INT_EQ((long)sum_of_shares((16u << 20) + 1, 4, 0), (16l << 20) + 1);
}

HZ_TEST(every_loop_gets_at_least_the_minimum) {
  /* One connection over two loops: each pool still needs one. */
  HZ_ASSERT_INT_EQ((long)hz_config_share(1, 2, 0, 1), 1);
  HZ_ASSERT_INT_EQ((long)hz_config_share(1, 2, 1, 1), 1);
  HZ_ASSERT_INT_EQ((long)sum_of_shares(3, 8, 1), 8);
  /* A cache turned off stays off on every loop. */
  HZ_ASSERT_INT_EQ((long)sum_of_shares(0, 4, 0), 0);
}
