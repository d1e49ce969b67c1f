/* domain/rates: 报送率 and 及时率 from exact counts, rounded once to 2
 * places; nothing expected is no rate; counts that cannot be are refused;
 * and the coarse-period state rule (domain/approval.h) of Completeness. */
#include <errno.h>

#include "core/arena.h"
#include "domain/approval.h"
#include "domain/rates.h"
#include "hz_test.h"

static const char *pct_of(hz_arena_t *a, long long count, long long expected) {
  const char *out = "unset";
  HZ_ASSERT_INT_EQ(hz_rate_pct(a, count, expected, &out), 0);
  return out;
}

HZ_TEST(rates_are_exact_percentages_with_two_places) {
  hz_arena_t a;
  hz_arena_init(&a, 0);
  HZ_ASSERT_STR_EQ(pct_of(&a, 12, 12), "100.00");
  HZ_ASSERT_STR_EQ(pct_of(&a, 0, 12), "0.00");
  HZ_ASSERT_STR_EQ(pct_of(&a, 3, 4), "75.00");
  HZ_ASSERT_STR_EQ(pct_of(&a, 1, 4), "25.00");
  HZ_ASSERT_STR_EQ(pct_of(&a, 11, 12), "91.67");
  hz_arena_free(&a);
}

HZ_TEST(rates_round_once_half_away_from_zero) {
  hz_arena_t a;
  hz_arena_init(&a, 0);
  /* 1/3 = 33.333..., 2/3 = 66.666...: one rounding of the exact quotient. */
  HZ_ASSERT_STR_EQ(pct_of(&a, 1, 3), "33.33");
  HZ_ASSERT_STR_EQ(pct_of(&a, 2, 3), "66.67");
  /* 1/8 = 12.5 exactly; 1/16 = 6.25; 1/400 = 0.25; 1/800 = 0.125 -> 0.13
   * (half away from zero, not to even). */
  HZ_ASSERT_STR_EQ(pct_of(&a, 1, 8), "12.50");
  HZ_ASSERT_STR_EQ(pct_of(&a, 1, 800), "0.13");
  HZ_ASSERT_STR_EQ(pct_of(&a, 3, 800), "0.38");
  /* 41,000 townships × 12 months: 491,999 of 492,000 is 99.9997... -> 100.00,
   * and one report of them 0.0002 -> 0.00. */
  HZ_ASSERT_STR_EQ(pct_of(&a, 491999, 492000), "100.00");
  HZ_ASSERT_STR_EQ(pct_of(&a, 1, 492000), "0.00");
  HZ_ASSERT_STR_EQ(pct_of(&a, 2999, 3000), "99.97");
  hz_arena_free(&a);
}

HZ_TEST(nothing_expected_is_no_rate) {
  hz_arena_t a;
  hz_arena_init(&a, 0);
  const char *out = "unset";
  HZ_ASSERT_INT_EQ(hz_rate_pct(&a, 0, 0, &out), -EDOM);
  HZ_ASSERT_TRUE(out == NULL);
  hz_rates_t none = {0};
  hz_rates_pct_t p = {"x", "y"};
  HZ_ASSERT_INT_EQ(hz_rates_pct(&a, &none, &p), 0);
  HZ_ASSERT_TRUE(p.reporting == NULL);
  HZ_ASSERT_TRUE(p.on_time == NULL);
  hz_arena_free(&a);
}

HZ_TEST(impossible_counts_are_refused) {
  hz_arena_t a;
  hz_arena_init(&a, 0);
  const char *out;
  HZ_ASSERT_INT_EQ(hz_rate_pct(&a, 5, 4, &out), -EINVAL);
  HZ_ASSERT_INT_EQ(hz_rate_pct(&a, -1, 4, &out), -EINVAL);
  hz_rates_pct_t p;
  hz_rates_t more_in_than_expected = {.expected = 2, .reported = 3, .on_time = 3};
  HZ_ASSERT_INT_EQ(hz_rates_pct(&a, &more_in_than_expected, &p), -EINVAL);
  hz_rates_t split_wrong = {.expected = 4, .reported = 3, .on_time = 1, .late = 1};
  HZ_ASSERT_INT_EQ(hz_rates_pct(&a, &split_wrong, &p), -EINVAL);
  HZ_ASSERT_INT_EQ(hz_rates_valid(&split_wrong), -EINVAL);
  hz_arena_free(&a);
}

HZ_TEST(both_rates_of_a_region_from_its_townships) {
  hz_arena_t a;
  hz_arena_init(&a, 0);
  /* Township 1: 12 of 12 months, one late; township 2: 3 of 12, on time;
   * township 3: nothing (12 expected). */
  hz_rates_t towns[] = {{12, 12, 11, 1}, {12, 3, 3, 0}, {12, 0, 0, 0}};
  hz_rates_t sum = {0};
  for (int i = 0; i < 3; i++) {
    HZ_ASSERT_INT_EQ(hz_rates_valid(&towns[i]), 0);
    hz_rates_add(&sum, &towns[i]);
  }
  HZ_ASSERT_INT_EQ(sum.expected, 36);
  HZ_ASSERT_INT_EQ(sum.reported, 15);
  HZ_ASSERT_INT_EQ(sum.on_time, 14);
  HZ_ASSERT_INT_EQ(sum.late, 1);
  hz_rates_pct_t p;
  HZ_ASSERT_INT_EQ(hz_rates_pct(&a, &sum, &p), 0);
  HZ_ASSERT_STR_EQ(p.reporting, "41.67"); /* 15/36 = 41.666... */
  HZ_ASSERT_STR_EQ(p.on_time, "38.89");   /* 14/36 = 38.888... */
  /* A region's rate is its counts' quotient, never the mean of its
   * townships' rates: 1 of 1 and 0 of 3 is 1 of 4 = 25.00, not 50. */
  hz_rates_t uneven = {0}, one = {1, 1, 1, 0}, three = {3, 0, 0, 0};
  hz_rates_add(&uneven, &one);
  hz_rates_add(&uneven, &three);
  HZ_ASSERT_INT_EQ(hz_rates_pct(&a, &uneven, &p), 0);
  HZ_ASSERT_STR_EQ(p.reporting, "25.00");
  hz_arena_free(&a);
}

HZ_TEST(state_over_several_reports) {
  HZ_ASSERT_INT_EQ(hz_reporting_state(4, 0, 0), HZ_APPROVAL_MISSING);
  HZ_ASSERT_INT_EQ(hz_reporting_state(0, 0, 0), HZ_APPROVAL_MISSING);
  HZ_ASSERT_INT_EQ(hz_reporting_state(4, 1, 0), HZ_APPROVAL_PARTIAL);
  HZ_ASSERT_INT_EQ(hz_reporting_state(4, 3, 3), HZ_APPROVAL_PARTIAL);
  HZ_ASSERT_INT_EQ(hz_reporting_state(4, 4, 3), HZ_APPROVAL_SUBMITTED);
  HZ_ASSERT_INT_EQ(hz_reporting_state(4, 4, 4), HZ_APPROVAL_APPROVED);
  HZ_ASSERT_INT_EQ(hz_reporting_state(12, 12, 0), HZ_APPROVAL_SUBMITTED);
}
