/* Unit tests for statistical windows (domain/window.h): the year to date of
 * every period type, a window a year earlier, sub-periods at every finer
 * frequency, coverage read from a mask, and the like-for-like rule
 * (partial: some sub-periods, not all, not none). */
#include <errno.h>

#include "domain/window.h"
#include "hz_test.h"

static hz_period_t P(const char *s) {
  hz_period_t p = {0, 0, 0};
  HZ_ASSERT_INT_EQ(hz_period_parse(s, &p), 0);
  return p;
}

static void expect_ytd(const char *period, const char *from) {
  hz_window_t w;
  char a[HZ_PERIOD_TEXT_SIZE], b[HZ_PERIOD_TEXT_SIZE];
  hz_period_t p = P(period);
  HZ_ASSERT_INT_EQ(hz_window_ytd(&p, &w), 0);
  hz_period_format(&w.from, a);
  hz_period_format(&w.to, b);
  HZ_ASSERT_STR_EQ(a, from);
  HZ_ASSERT_STR_EQ(b, period);
}

HZ_TEST(year_to_date_of_every_type) {
  expect_ytd("202203", "202201");
  expect_ytd("202201", "202201"); /* the first month is its own year to date */
  expect_ytd("202212", "202201");
  expect_ytd("2022Q3", "2022Q1");
  expect_ytd("2022Q1", "2022Q1");
  expect_ytd("2022S2", "2022S1");
  expect_ytd("2022S1", "2022S1");
  hz_window_t w;
  hz_period_t y = P("2022"), bad = {HZ_PERIOD_MONTH, 2022, 13};
  HZ_ASSERT_INT_EQ(hz_window_ytd(&y, &w), -EDOM); /* a year has none */
  HZ_ASSERT_INT_EQ(hz_window_ytd(&bad, &w), -EINVAL);
}

HZ_TEST(window_dates_and_a_year_earlier) {
  hz_window_t w, before;
  hz_period_t q3 = P("2022Q3");
  HZ_ASSERT_INT_EQ(hz_window_ytd(&q3, &w), 0);
  HZ_ASSERT_INT_EQ(hz_window_start_date(&w), 20220101);
  HZ_ASSERT_INT_EQ(hz_window_end_date(&w), 20221001);
  HZ_ASSERT_INT_EQ(hz_window_year_earlier(&w, &before), 0);
  HZ_ASSERT_INT_EQ(hz_window_start_date(&before), 20210101);
  HZ_ASSERT_INT_EQ(hz_window_end_date(&before), 20211001);
  hz_window_t first = {P("190001"), P("190003")};
  HZ_ASSERT_INT_EQ(hz_window_year_earlier(&first, &before), -ERANGE);
  hz_window_t backwards = {P("202203"), P("202201")}, mixed = {P("202201"), P("2022Q1")};
  HZ_ASSERT_INT_EQ(hz_window_start_date(&backwards), -EINVAL);
  HZ_ASSERT_INT_EQ(hz_window_end_date(&mixed), -EINVAL);
}

HZ_TEST(sub_periods_at_every_finer_frequency) {
  hz_period_t out[HZ_WINDOW_MAX_SUBPERIODS];
  char t[HZ_PERIOD_TEXT_SIZE];
  hz_window_t q1q3 = {P("2022Q1"), P("2022Q3")};
  /* A month indicator asked for 2022Q3 to date: 1–9月. */
  HZ_ASSERT_INT_EQ(hz_window_subperiods(&q1q3, HZ_PERIOD_MONTH, out, 12), 9);
  hz_period_format(&out[8], t);
  HZ_ASSERT_STR_EQ(t, "202209");
  HZ_ASSERT_INT_EQ(hz_window_subperiods(&q1q3, HZ_PERIOD_QUARTER, out, 12), 3);
  hz_window_t year = {P("2022"), P("2022")};
  HZ_ASSERT_INT_EQ(hz_window_subperiods(&year, HZ_PERIOD_QUARTER, out, 12), 4);
  HZ_ASSERT_INT_EQ(hz_window_subperiods(&year, HZ_PERIOD_HALF_YEAR, out, 12), 2);
  HZ_ASSERT_INT_EQ(hz_window_subperiods(&year, HZ_PERIOD_MONTH, out, 12), 12);
  HZ_ASSERT_INT_EQ(hz_window_subperiods(&year, HZ_PERIOD_YEAR, out, 12), 1);
  hz_window_t s2 = {P("2022S2"), P("2022S2")};
  HZ_ASSERT_INT_EQ(hz_window_subperiods(&s2, HZ_PERIOD_QUARTER, out, 12), 2);
  hz_period_format(&out[0], t);
  HZ_ASSERT_STR_EQ(t, "2022Q3");
  HZ_ASSERT_INT_EQ(hz_window_subperiods(&year, HZ_PERIOD_MONTH, out, 11), -ENOSPC);
  hz_window_t months = {P("202201"), P("202203")};
  HZ_ASSERT_INT_EQ(hz_window_subperiods(&months, HZ_PERIOD_QUARTER, out, 12), -EINVAL);
}

HZ_TEST(coverage_from_a_mask) {
  hz_coverage_t c;
  char t[HZ_PERIOD_TEXT_SIZE];
  hz_window_t year = {P("2022"), P("2022")};
  /* Only Q1 of a quarterly indicator: 1 of 4, partial (never against a whole year). */
  HZ_ASSERT_INT_EQ(hz_coverage_of(&year, HZ_PERIOD_QUARTER, 1u, &c), 0);
  HZ_ASSERT_INT_EQ(c.covered, 1);
  HZ_ASSERT_INT_EQ(c.total, 4);
  hz_period_format(&c.periods[0], t);
  HZ_ASSERT_STR_EQ(t, "2022Q1");
  HZ_ASSERT_TRUE(hz_coverage_partial(&c) && !hz_coverage_complete(&c));
  /* 1, 2, 3 and 4 quarters. */
  const unsigned masks[] = {1u, 3u, 7u, 15u};
  for (int k = 0; k < 4; k++) {
    HZ_ASSERT_INT_EQ(hz_coverage_of(&year, HZ_PERIOD_QUARTER, masks[k], &c), 0);
    HZ_ASSERT_INT_EQ(c.covered, k + 1);
    HZ_ASSERT_INT_EQ(hz_coverage_partial(&c), k < 3);
    HZ_ASSERT_INT_EQ(hz_coverage_complete(&c), k == 3);
  }
  /* A gap: Q1 and Q3 (mask 0b101), in order. */
  HZ_ASSERT_INT_EQ(hz_coverage_of(&year, HZ_PERIOD_QUARTER, 5u, &c), 0);
  HZ_ASSERT_INT_EQ(c.covered, 2);
  hz_period_format(&c.periods[1], t);
  HZ_ASSERT_STR_EQ(t, "2022Q3");
  HZ_ASSERT_TRUE(hz_coverage_partial(&c));
  /* Nothing covered: neither partial nor complete (no figure to compare). */
  HZ_ASSERT_INT_EQ(hz_coverage_of(&year, HZ_PERIOD_QUARTER, 0u, &c), 0);
  HZ_ASSERT_TRUE(!hz_coverage_partial(&c) && !hz_coverage_complete(&c));
  /* Bits past the window are ignored: 1–3月 with a stray bit 5. */
  hz_window_t q1 = {P("202201"), P("202203")};
  HZ_ASSERT_INT_EQ(hz_coverage_of(&q1, HZ_PERIOD_MONTH, 0x27u, &c), 0);
  HZ_ASSERT_INT_EQ(c.covered, 3);
  HZ_ASSERT_INT_EQ(c.total, 3);
  HZ_ASSERT_TRUE(hz_coverage_complete(&c));
  /* A period of the indicator's own type: 1 of 1. */
  hz_window_t m = {P("202203"), P("202203")};
  HZ_ASSERT_INT_EQ(hz_coverage_of(&m, HZ_PERIOD_MONTH, 1u, &c), 0);
  HZ_ASSERT_TRUE(hz_coverage_complete(&c));
  HZ_ASSERT_INT_EQ(hz_coverage_of(&m, HZ_PERIOD_QUARTER, 1u, &c), -EINVAL);
}
