/* domain/figures: every rule of a rollup's figures on exact fractions,
 * rounding once. The literal cases are the defects they replace: a mean
 * of means rounded twice (1.833334 for 11/6), a ratio divided from a
 * rounded mean (599999.88 for 600000.00), growth of ratios computed from
 * rounded ratios (300.15 for 300.00). */
#include <errno.h>

#include "core/arena.h"
#include "domain/figures.h"
#include "hz_test.h"

/* One arena per test, released at its end by the test itself. */
static hz_arena_t arena_of_test(void) {
  hz_arena_t a;
  hz_arena_init(&a, 0);
  return a;
}

static hz_fig_t fig(const char *num, const char *den) {
  return (hz_fig_t){.num = num, .den = den};
}

/* The figure's wire text at scale, fixed or trimmed. */
static const char *text(hz_arena_t *a, hz_fig_t f, int scale, int fixed) {
  const char *out = NULL;
  HZ_ASSERT_INT_EQ(hz_fig_text(a, &f, scale, fixed, &out), 0);
  return out;
}

/* Folds the parts (value / n each) by how, as map_load does. */
static hz_fig_t fold_all(hz_arena_t *a, hz_fig_agg_t how, const hz_fig_t *parts, int n) {
  hz_fig_t acc = {0};
  for (int i = 0; i < n; i++)
    HZ_ASSERT_INT_EQ(hz_fig_fold(a, how, &acc, &parts[i], &acc), 0);
  return acc;
}

/* A township's average over time: its exact sum over its count. */
static hz_fig_t mean_of(hz_arena_t *a, const char *sum, long long count) {
  hz_fig_t s = hz_fig_whole(sum), out;
  HZ_ASSERT_INT_EQ(hz_fig_average(a, &s, count, &out), 0);
  return out;
}

HZ_TEST(average_of_averages_is_exact) {
  hz_arena_t a = arena_of_test();
  /* Township 1, 2, 2 (5/3) and township 2 (2/1): county mean 11/6. */
  hz_fig_t parts[] = {mean_of(&a, "5", 3), mean_of(&a, "2", 1)};
  hz_fig_t sum = fold_all(&a, HZ_FIG_AVERAGE, parts, 2), mean;
  HZ_ASSERT_INT_EQ(hz_fig_folded(&a, HZ_FIG_AVERAGE, &sum, 2, &mean), 0);
  HZ_ASSERT_STR_EQ(text(&a, mean, 6, 0), "1.833333");
  /* Rounding each mean to 6 places first gave (1.666667 + 2) / 2. */
  HZ_ASSERT_STR_EQ(text(&a, fig("3.666667", "2"), 6, 0), "1.833334");
  hz_arena_free(&a);
}

HZ_TEST(average_of_nothing_is_undefined) {
  hz_arena_t a = arena_of_test();
  hz_fig_t s = hz_fig_whole("5"), out;
  HZ_ASSERT_INT_EQ(hz_fig_average(&a, &s, 0, &out), -EDOM);
  HZ_ASSERT_INT_EQ(hz_fig_average(&a, &s, -2, &out), -EDOM);
  hz_fig_t undefined = {0};
  HZ_ASSERT_INT_EQ(hz_fig_average(&a, &undefined, 3, &out), -EINVAL);
  hz_arena_free(&a);
}

HZ_TEST(sum_of_averages_with_different_counts) {
  hz_arena_t a = arena_of_test();
  /* 5/3 + 7/4 = 41/12 = 3.41666..., and a shared count adds numerators. */
  hz_fig_t parts[] = {mean_of(&a, "5", 3), mean_of(&a, "7", 4)};
  hz_fig_t s = fold_all(&a, HZ_FIG_SUM, parts, 2);
  HZ_ASSERT_STR_EQ(text(&a, s, 6, 0), "3.416667");
  hz_fig_t same[] = {mean_of(&a, "1", 3), mean_of(&a, "1", 3)};
  hz_fig_t t = fold_all(&a, HZ_FIG_SUM, same, 2);
  HZ_ASSERT_STR_EQ(t.num, "2");
  HZ_ASSERT_STR_EQ(t.den, "3");
  /* Sums of stored values stay exact and whole. */
  hz_fig_t whole[] = {hz_fig_whole("0.000001"), hz_fig_whole("-12.5"), hz_fig_whole("4.9")};
  HZ_ASSERT_STR_EQ(text(&a, fold_all(&a, HZ_FIG_SUM, whole, 3), 6, 0), "-7.599999");
  hz_arena_free(&a);
}

HZ_TEST(min_and_max_compare_exactly) {
  hz_arena_t a = arena_of_test();
  /* 5/3 = 1.6667 < 7/4 = 1.75 < 2; and negative parts. */
  hz_fig_t parts[] = {mean_of(&a, "7", 4), mean_of(&a, "5", 3), hz_fig_whole("2")};
  hz_fig_t lo = fold_all(&a, HZ_FIG_MIN, parts, 3), hi = fold_all(&a, HZ_FIG_MAX, parts, 3);
  HZ_ASSERT_STR_EQ(lo.num, "5");
  HZ_ASSERT_STR_EQ(lo.den, "3");
  HZ_ASSERT_STR_EQ(hi.num, "2");
  hz_fig_t neg[] = {mean_of(&a, "-5", 3), mean_of(&a, "-7", 4)};
  HZ_ASSERT_STR_EQ(fold_all(&a, HZ_FIG_MIN, neg, 2).num, "-7");
  HZ_ASSERT_STR_EQ(fold_all(&a, HZ_FIG_MAX, neg, 2).num, "-5");
  /* Two fractions that differ only past the 16th digit. */
  hz_fig_t close[] = {fig("1000000000000000001", "3"), fig("333333333333333334", "1")};
  HZ_ASSERT_STR_EQ(fold_all(&a, HZ_FIG_MIN, close, 2).den, "3");
  hz_arena_free(&a);
}

HZ_TEST(none_and_undefined_parts) {
  hz_arena_t a = arena_of_test();
  hz_fig_t one[] = {hz_fig_whole("-4")};
  HZ_ASSERT_STR_EQ(fold_all(&a, HZ_FIG_NONE, one, 1).num, "-4");
  /* NONE has no value over two townships. */
  hz_fig_t two[] = {hz_fig_whole("1"), hz_fig_whole("2")};
  hz_fig_t r = fold_all(&a, HZ_FIG_NONE, two, 2);
  HZ_ASSERT_FALSE(hz_fig_defined(&r));
  hz_fig_t with_hole[] = {hz_fig_whole("1"), {0}};
  r = fold_all(&a, HZ_FIG_SUM, with_hole, 2);
  HZ_ASSERT_FALSE(hz_fig_defined(&r));
  hz_fig_t acc = hz_fig_whole("1"), out;
  HZ_ASSERT_INT_EQ(hz_fig_fold(&a, (hz_fig_agg_t)9, &acc, &acc, &out), -EINVAL);
  hz_arena_free(&a);
}

HZ_TEST(ratio_of_an_averaged_part) {
  hz_arena_t a = arena_of_test();
  /* 1000000 / mean(1, 2, 2): 600000 exactly; the rounded mean 1.666667
   * gave 599999.88. */
  hz_fig_t num = hz_fig_whole("1000000"), den = mean_of(&a, "5", 3), r;
  HZ_ASSERT_INT_EQ(hz_fig_ratio(&a, &num, &den, "", &r), 0);
  HZ_ASSERT_STR_EQ(text(&a, r, 2, 1), "600000.00");
  hz_fig_t rounded = hz_fig_whole("1.666667");
  HZ_ASSERT_INT_EQ(hz_fig_ratio(&a, &num, &rounded, NULL, &r), 0);
  HZ_ASSERT_STR_EQ(text(&a, r, 2, 1), "599999.88");
  hz_arena_free(&a);
}

HZ_TEST(ratio_of_sums_factor_sign_and_zero) {
  hz_arena_t a = arena_of_test();
  hz_fig_t n = hz_fig_whole("10"), d = hz_fig_whole("12"), r;
  HZ_ASSERT_INT_EQ(hz_fig_ratio(&a, &n, &d, "100", &r), 0);
  HZ_ASSERT_STR_EQ(text(&a, r, 2, 1), "83.33");
  HZ_ASSERT_INT_EQ(hz_fig_ratio(&a, &n, &d, "1000", &r), 0);
  HZ_ASSERT_STR_EQ(text(&a, r, 1, 1), "833.3");
  /* A negative denominator: the sign moves up, the denominator stays > 0. */
  hz_fig_t neg = hz_fig_whole("-4"), one = hz_fig_whole("1");
  HZ_ASSERT_INT_EQ(hz_fig_ratio(&a, &one, &neg, "100", &r), 0);
  HZ_ASSERT_STR_EQ(r.num, "-100");
  HZ_ASSERT_STR_EQ(r.den, "4");
  HZ_ASSERT_STR_EQ(text(&a, r, 2, 1), "-25.00");
  hz_fig_t mneg = hz_fig_whole("-1");
  HZ_ASSERT_INT_EQ(hz_fig_ratio(&a, &mneg, &neg, "", &r), 0);
  HZ_ASSERT_STR_EQ(text(&a, r, 4, 1), "0.2500");
  hz_fig_t zero = hz_fig_whole("0"), zeros = hz_fig_whole("0.000");
  HZ_ASSERT_INT_EQ(hz_fig_ratio(&a, &zero, &neg, "", &r), 0);
  HZ_ASSERT_STR_EQ(text(&a, r, 2, 1), "0.00");
  HZ_ASSERT_INT_EQ(hz_fig_ratio(&a, &one, &zero, "100", &r), -EDOM);
  HZ_ASSERT_INT_EQ(hz_fig_ratio(&a, &one, &zeros, "100", &r), -EDOM);
  hz_arena_free(&a);
}

/* The demo county's debt-resolution rate (resolved / locked x 100). */
static hz_fig_t debt_rate(hz_arena_t *a, const char *resolved, const char *locked) {
  hz_fig_t n = hz_fig_whole(resolved), d = hz_fig_whole(locked), r;
  HZ_ASSERT_INT_EQ(hz_fig_ratio(a, &n, &d, "100", &r), 0);
  return r;
}

HZ_TEST(growth_of_ratios_from_the_exact_ratios) {
  hz_arena_t a = arena_of_test();
  hz_fig_t now = debt_rate(&a, "8365.06", "31113.34");  /* 2022Q1: 26.89 */
  hz_fig_t then = debt_rate(&a, "2091.26", "31113.34"); /* 2021Q1: 6.72 */
  HZ_ASSERT_STR_EQ(text(&a, now, 2, 1), "26.89");
  HZ_ASSERT_STR_EQ(text(&a, then, 2, 1), "6.72");
  const char *pct;
  HZ_ASSERT_INT_EQ(hz_fig_growth(&a, &now, &then, &pct), 0);
  HZ_ASSERT_STR_EQ(pct, "300.00");
  /* From the rounded ratios: the defect this replaces. */
  hz_fig_t rn = hz_fig_whole("26.89"), rt = hz_fig_whole("6.72");
  HZ_ASSERT_INT_EQ(hz_fig_growth(&a, &rn, &rt, &pct), 0);
  HZ_ASSERT_STR_EQ(pct, "300.15");
  hz_arena_free(&a);
}

HZ_TEST(growth_and_change_negative_and_zero_bases) {
  hz_arena_t a = arena_of_test();
  const char *pct;
  struct {
    const char *v, *b, *want;
  } cases[] = {
      {"1.28", "1.0903", "17.40"},                           /* industrial output +17.40% */
      {"-5", "-10", "50.00"},                                /* a loss halved is up */
      {"5", "-10", "150.00"},      {"-15", "-10", "-50.00"}, /* a loss grown is down */
      {"-5", "10", "-150.00"},     {"0", "7", "-100.00"},    {"7", "7", "0.00"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    hz_fig_t v = hz_fig_whole(cases[i].v), b = hz_fig_whole(cases[i].b);
    HZ_ASSERT_INT_EQ(hz_fig_growth(&a, &v, &b, &pct), 0);
    HZ_ASSERT_STR_EQ(pct, cases[i].want);
    HZ_ASSERT_INT_EQ(hz_fig_change(&a, &v, &b, &pct), 0);
    HZ_ASSERT_STR_EQ(pct, cases[i].want);
  }
  /* Fractions with negative bases: -5/3 against -10/3 is +50%. */
  hz_fig_t v = mean_of(&a, "-5", 3), b = mean_of(&a, "-10", 3);
  HZ_ASSERT_INT_EQ(hz_fig_growth(&a, &v, &b, &pct), 0);
  HZ_ASSERT_STR_EQ(pct, "50.00");
  hz_fig_t zero = hz_fig_whole("0"), zerof = mean_of(&a, "0.00", 4), undefined = {0};
  HZ_ASSERT_INT_EQ(hz_fig_growth(&a, &v, &zero, &pct), -EDOM);
  HZ_ASSERT_TRUE(pct == NULL);
  HZ_ASSERT_INT_EQ(hz_fig_change(&a, &v, &zerof, &pct), -EDOM);
  HZ_ASSERT_INT_EQ(hz_fig_growth(&a, &v, &undefined, &pct), -EINVAL);
  HZ_ASSERT_INT_EQ(hz_fig_growth(&a, &undefined, &v, &pct), -EINVAL);
  hz_arena_free(&a);
}

HZ_TEST(rounding_at_half_both_signs) {
  hz_arena_t a = arena_of_test();
  const char *pct;
  /* 801 on 800: +0.125% -> 0.13; 799 on 800: -0.125% -> -0.13. */
  hz_fig_t b = hz_fig_whole("800"), up = hz_fig_whole("801"), down = hz_fig_whole("799");
  HZ_ASSERT_INT_EQ(hz_fig_growth(&a, &up, &b, &pct), 0);
  HZ_ASSERT_STR_EQ(pct, "0.13");
  HZ_ASSERT_INT_EQ(hz_fig_growth(&a, &down, &b, &pct), 0);
  HZ_ASSERT_STR_EQ(pct, "-0.13");
  /* The same through fractions: 801/3 on 800/3. */
  hz_fig_t up3 = mean_of(&a, "801", 3), b3 = mean_of(&a, "800", 3);
  HZ_ASSERT_INT_EQ(hz_fig_change(&a, &up3, &b3, &pct), 0);
  HZ_ASSERT_STR_EQ(pct, "0.13");
  /* Completion 1 of 800 = 0.125% and -1 of 800. */
  hz_fig_t one = hz_fig_whole("1"), mone = hz_fig_whole("-1");
  HZ_ASSERT_INT_EQ(hz_fig_completion(&a, &one, &b, &pct), 0);
  HZ_ASSERT_STR_EQ(pct, "0.13");
  HZ_ASSERT_INT_EQ(hz_fig_completion(&a, &mone, &b, &pct), 0);
  HZ_ASSERT_STR_EQ(pct, "-0.13");
  /* Plain figures at 6 places: 0.0000015 and -0.0000015. */
  HZ_ASSERT_STR_EQ(text(&a, fig("0.000003", "2"), 6, 0), "0.000002");
  HZ_ASSERT_STR_EQ(text(&a, fig("-0.000003", "2"), 6, 0), "-0.000002");
  /* Ratios at their scale: 0.005 and -0.005. */
  HZ_ASSERT_STR_EQ(text(&a, fig("1", "200"), 2, 1), "0.01");
  HZ_ASSERT_STR_EQ(text(&a, fig("-1", "200"), 2, 1), "-0.01");
  /* Just below half stays down; never "-0". */
  HZ_ASSERT_STR_EQ(text(&a, fig("-1", "300"), 2, 1), "0.00");
  HZ_ASSERT_STR_EQ(text(&a, fig("-1", "3000000"), 6, 0), "0");
  hz_arena_free(&a);
}

HZ_TEST(text_trims_plain_and_keeps_ratio_places) {
  hz_arena_t a = arena_of_test();
  HZ_ASSERT_STR_EQ(text(&a, hz_fig_whole("12.50"), 6, 0), "12.5");
  HZ_ASSERT_STR_EQ(text(&a, hz_fig_whole("7"), 6, 0), "7");
  HZ_ASSERT_STR_EQ(text(&a, hz_fig_whole("-0.5"), 6, 0), "-0.5");
  HZ_ASSERT_STR_EQ(text(&a, hz_fig_whole("-100"), 6, 0), "-100");
  HZ_ASSERT_STR_EQ(text(&a, hz_fig_whole("0.000001"), 6, 0), "0.000001");
  HZ_ASSERT_STR_EQ(text(&a, hz_fig_whole("0.0000005"), 6, 0), "0.000001");
  HZ_ASSERT_STR_EQ(text(&a, hz_fig_whole("-0.0000004"), 6, 0), "0");
  HZ_ASSERT_STR_EQ(text(&a, hz_fig_whole("007.50"), 6, 0), "7.5");
  HZ_ASSERT_STR_EQ(text(&a, hz_fig_whole("-0"), 6, 0), "0");
  HZ_ASSERT_STR_EQ(text(&a, hz_fig_whole("-0.000"), 6, 0), "0");
  HZ_ASSERT_STR_EQ(text(&a, fig("7", "4"), 6, 0), "1.75");
  HZ_ASSERT_STR_EQ(text(&a, fig("30", "1"), 2, 1), "30.00");
  HZ_ASSERT_STR_EQ(text(&a, fig("30", "1"), 0, 1), "30");
  const char *out = "x";
  hz_fig_t undefined = {0};
  HZ_ASSERT_INT_EQ(hz_fig_text(&a, &undefined, 6, 0, &out), -EINVAL);
  HZ_ASSERT_TRUE(out == NULL);
  hz_fig_t bad = fig("1e3", "1");
  HZ_ASSERT_INT_EQ(hz_fig_text(&a, &bad, 6, 0, &out), -EINVAL);
  hz_arena_free(&a);
}

HZ_TEST(completion_and_progress) {
  hz_arena_t a = arena_of_test();
  const char *pct;
  hz_fig_t tax = hz_fig_whole("848"), annual = hz_fig_whole("1550");
  HZ_ASSERT_INT_EQ(hz_fig_progress(&a, &tax, &annual, &pct), 0);
  HZ_ASSERT_STR_EQ(pct, "54.71"); /* 占全年任务1550万的55% */
  hz_fig_t fai = hz_fig_whole("6035"), half = hz_fig_whole("5500");
  HZ_ASSERT_INT_EQ(hz_fig_completion(&a, &fai, &half, &pct), 0);
  HZ_ASSERT_STR_EQ(pct, "109.73");
  /* An averaged figure against its target: 11/6 of 2 = 91.666...%. */
  hz_fig_t mean = fig("11", "6"), two = hz_fig_whole("2");
  HZ_ASSERT_INT_EQ(hz_fig_completion(&a, &mean, &two, &pct), 0);
  HZ_ASSERT_STR_EQ(pct, "91.67");
  hz_fig_t neg = hz_fig_whole("-200");
  HZ_ASSERT_INT_EQ(hz_fig_progress(&a, &tax, &neg, &pct), 0);
  HZ_ASSERT_STR_EQ(pct, "-424.00");
  hz_fig_t zero = hz_fig_whole("0");
  HZ_ASSERT_INT_EQ(hz_fig_completion(&a, &tax, &zero, &pct), -EDOM);
  HZ_ASSERT_INT_EQ(hz_fig_progress(&a, &tax, &zero, &pct), -EDOM);
  hz_arena_free(&a);
}

HZ_TEST(row_from_exact_figures) {
  hz_arena_t a = arena_of_test();
  hz_fig_row_t row;
  hz_fig_inputs_t in = {
      .value = debt_rate(&a, "8365.06", "31113.34"),
      .previous_year = debt_rate(&a, "2091.26", "31113.34"),
      .target = hz_fig_whole("25"),
      .scale = 2,
      .fixed = 1,
  };
  HZ_ASSERT_INT_EQ(hz_fig_row(&a, &in, &row), 0);
  HZ_ASSERT_STR_EQ(row.value, "26.89");
  HZ_ASSERT_STR_EQ(row.previous_year_value, "6.72");
  HZ_ASSERT_STR_EQ(row.yoy_growth_pct, "300.00");
  HZ_ASSERT_TRUE(row.previous_period_value == NULL && row.pop_change_pct == NULL);
  HZ_ASSERT_STR_EQ(row.completion_pct, "107.54"); /* 26.886.../25, not 26.89/25 = 107.56 */
  HZ_ASSERT_TRUE(row.annual_progress_pct == NULL);
  /* Nothing reported: every figure undefined, and no failure. */
  hz_fig_inputs_t none = {.scale = 6};
  HZ_ASSERT_INT_EQ(hz_fig_row(&a, &none, &row), 0);
  HZ_ASSERT_TRUE(row.value == NULL && row.yoy_growth_pct == NULL && row.completion_pct == NULL);
  hz_arena_free(&a);
}

HZ_TEST(exhausted_arena_is_the_only_failure) {
  hz_arena_t a;
  hz_arena_init(&a, 1); /* nothing fits */
  hz_fig_row_t row;
  hz_fig_inputs_t in = {.value = fig("11", "6"), .previous_year = hz_fig_whole("2"), .scale = 6};
  HZ_ASSERT_INT_EQ(hz_fig_row(&a, &in, &row), -ENOMEM);
  hz_fig_t s = hz_fig_whole("5"), out;
  HZ_ASSERT_INT_EQ(hz_fig_average(&a, &s, 3, &out), -ENOMEM);
  hz_arena_free(&a);
}

HZ_TEST(widest_parts_stay_exact) {
  hz_arena_t a = arena_of_test();
  /* A 26-digit sum over a count, a 20-digit factor: the ratio's parts are
   * far beyond 40 digits and still divide and grow exactly. */
  hz_fig_t n = fig("12345678901234567890123456.123456", "7");
  hz_fig_t d = fig("98765432109876543210987654.654321", "11");
  hz_fig_t r, r2;
  HZ_ASSERT_INT_EQ(hz_fig_ratio(&a, &n, &d, "99999999999999999999.999999", &r), 0);
  HZ_ASSERT_INT_EQ(hz_fig_ratio(&a, &d, &n, "99999999999999999999.999999", &r2), 0);
  HZ_ASSERT_STR_EQ(text(&a, r, 2, 1), "19642856963861607145.09");
  const char *pct;
  HZ_ASSERT_INT_EQ(hz_fig_growth(&a, &r, &r2, &pct), 0);
  HZ_ASSERT_STR_EQ(pct, "-96.14");
  hz_arena_free(&a);
}

HZ_TEST(folded_divides_only_averages) {
  hz_arena_t a = arena_of_test();
  hz_fig_t sum = fig("41", "12"), out;
  HZ_ASSERT_INT_EQ(hz_fig_folded(&a, HZ_FIG_SUM, &sum, 2, &out), 0);
  HZ_ASSERT_STR_EQ(text(&a, out, 6, 0), "3.416667");
  HZ_ASSERT_INT_EQ(hz_fig_folded(&a, HZ_FIG_MIN, &sum, 2, &out), 0);
  HZ_ASSERT_STR_EQ(out.den, "12");
  HZ_ASSERT_INT_EQ(hz_fig_folded(&a, HZ_FIG_AVERAGE, &sum, 2, &out), 0);
  HZ_ASSERT_STR_EQ(out.den, "24");
  HZ_ASSERT_STR_EQ(text(&a, out, 6, 0), "1.708333");
  HZ_ASSERT_INT_EQ(hz_fig_folded(&a, HZ_FIG_AVERAGE, &sum, 0, &out), -EDOM);
  hz_fig_t undefined = {0};
  HZ_ASSERT_INT_EQ(hz_fig_folded(&a, HZ_FIG_AVERAGE, &undefined, 2, &out), 0);
  HZ_ASSERT_FALSE(hz_fig_defined(&out));
  hz_arena_free(&a);
}

HZ_TEST(style_of_ratios_and_plain_figures) {
  int scale, fixed;
  hz_fig_style(0, 4, &scale, &fixed);
  HZ_ASSERT_INT_EQ(scale, HZ_FIG_VALUE_SCALE);
  HZ_ASSERT_INT_EQ(fixed, 0);
  hz_fig_style(1, 0, &scale, &fixed);
  HZ_ASSERT_INT_EQ(scale, HZ_FIG_RATIO_SCALE);
  HZ_ASSERT_INT_EQ(fixed, 1);
  hz_fig_style(1, 4, &scale, &fixed);
  HZ_ASSERT_INT_EQ(scale, 4);
}

HZ_TEST(points_are_the_exact_difference_rounded_once) {
  hz_arena_t a = arena_of_test();
  const char *pp;
  /* The demo's 九集镇 2022Q1: 31.44% against 7.86% is +23.58 points. */
  hz_fig_t now = hz_fig_whole("31.44"), before = hz_fig_whole("7.86");
  HZ_ASSERT_INT_EQ(hz_fig_points(&a, &now, &before, &pp), 0);
  HZ_ASSERT_STR_EQ(pp, "23.58");
  HZ_ASSERT_INT_EQ(hz_fig_points(&a, &before, &now, &pp), 0);
  HZ_ASSERT_STR_EQ(pp, "-23.58");
  /* From exact fractions, not rounded rates: 2/3 - 1/6 = 0.5 exactly,
   * 0.67 - 0.17 would also give 0.50 but 1/3 - 1/6 = 0.1666... -> 0.17,
   * where 0.33 - 0.17 = 0.16. */
  hz_fig_t third = fig("1", "3"), sixth = fig("1", "6");
  HZ_ASSERT_INT_EQ(hz_fig_points(&a, &third, &sixth, &pp), 0);
  HZ_ASSERT_STR_EQ(pp, "0.17");
  /* Half away from zero: 0.005 -> 0.01, -0.005 -> -0.01; no "-0.00". */
  hz_fig_t x = hz_fig_whole("1.005"), one = hz_fig_whole("1");
  HZ_ASSERT_INT_EQ(hz_fig_points(&a, &x, &one, &pp), 0);
  HZ_ASSERT_STR_EQ(pp, "0.01");
  HZ_ASSERT_INT_EQ(hz_fig_points(&a, &one, &x, &pp), 0);
  HZ_ASSERT_STR_EQ(pp, "-0.01");
  hz_fig_t tiny = hz_fig_whole("1.001");
  HZ_ASSERT_INT_EQ(hz_fig_points(&a, &one, &tiny, &pp), 0);
  HZ_ASSERT_STR_EQ(pp, "0.00");
  /* A zero base is a base: points are defined where growth is not. */
  hz_fig_t zero = hz_fig_whole("0");
  HZ_ASSERT_INT_EQ(hz_fig_points(&a, &now, &zero, &pp), 0);
  HZ_ASSERT_STR_EQ(pp, "31.44");
  hz_fig_t undef = {0};
  HZ_ASSERT_INT_EQ(hz_fig_points(&a, &now, &undef, &pp), -EINVAL);
  HZ_ASSERT_TRUE(pp == NULL);
  hz_arena_free(&a);
}

HZ_TEST(row_by_change_basis_and_coverage) {
  hz_arena_t a = arena_of_test();
  hz_fig_row_t row;
  hz_fig_inputs_t in = {
      .value = debt_rate(&a, "8365.06", "31113.34"),
      .previous_year = debt_rate(&a, "2091.26", "31113.34"),
      .previous_period = hz_fig_whole("30"),
      .target = hz_fig_whole("25"),
      .scale = 2,
      .fixed = 1,
      .basis = HZ_FIG_POINTS,
  };
  HZ_ASSERT_INT_EQ(hz_fig_row(&a, &in, &row), 0);
  /* Points from the exact rates (26.886... - 6.721... = 20.164...; the
   * rounded 26.89 - 6.72 would say 20.17), no relative growth. */
  HZ_ASSERT_STR_EQ(row.yoy_change_pp, "20.16");
  HZ_ASSERT_STR_EQ(row.pop_change_pp, "-3.11");
  HZ_ASSERT_TRUE(row.yoy_growth_pct == NULL && row.pop_change_pct == NULL);
  HZ_ASSERT_STR_EQ(row.completion_pct, "107.54");
  /* GROWTH: the relative fields only. */
  in.basis = HZ_FIG_GROWTH;
  HZ_ASSERT_INT_EQ(hz_fig_row(&a, &in, &row), 0);
  HZ_ASSERT_STR_EQ(row.yoy_growth_pct, "300.00");
  HZ_ASSERT_TRUE(row.yoy_change_pp == NULL && row.pop_change_pp == NULL);
  /* A partial period: no completion of its target; annual progress stays. */
  hz_fig_inputs_t tax = {
      .value = hz_fig_whole("848"),
      .target = hz_fig_whole("1000"),
      .annual_target = hz_fig_whole("1550"),
      .scale = 6,
      .partial = 1,
  };
  HZ_ASSERT_INT_EQ(hz_fig_row(&a, &tax, &row), 0);
  HZ_ASSERT_TRUE(row.completion_pct == NULL);
  HZ_ASSERT_STR_EQ(row.annual_progress_pct, "54.71");
  hz_arena_free(&a);
}
