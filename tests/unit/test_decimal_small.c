/* Unit tests for the machine-word fast path of decimal.h
 * (domain/decimal_small.h): every public function answers the same text
 * and the same error whether its operands take the fast path or the digit
 * arrays. An operand of more than HZ_SMALL_DIGITS digits as written takes
 * the digit arrays, so each case is computed twice: as written, and with
 * its fraction padded by zeros to 40 digits (the same values). Then edge
 * cases with known answers: 28+ digit values, negatives, carries, rounding
 * half away from zero at .5, and results past 128 bits (the fast path
 * gives up and the digit arrays answer). */
#include <errno.h>

#include "domain/decimal.h"
#include "domain/decimal_small.h"
#include "hz_test.h"

enum { BUF = HZ_DECIMAL_WIDE_BUFSIZE, PADDED = 40 };

/* s with its fraction padded by zeros to PADDED digits: the same value,
 * too long for the fast path. */
static const char *pad(const char *s, char *out, size_t outlen) {
  const char *dot = strchr(s, '.');
  int have = dot ? (int)strlen(dot + 1) : 0;
  snprintf(out, outlen, "%s%s%.*s", s, dot ? "" : ".", PADDED - have,
           "0000000000000000000000000000000000000000");
  return out;
}

/* A deterministic generator: the same cases on every run. */
static uint64_t next_rand(uint64_t *state) {
  *state = *state * 6364136223846793005ull + 1442695040888963407ull;
  return *state >> 33;
}

/* A random operand: sign, 1..int_max integer digits, 0..6 fraction
 * digits; zeros and ones often (the cases with their own shortcuts). */
static const char *random_operand(uint64_t *st, int int_max, char *out) {
  uint64_t r = next_rand(st);
  if (r % 17 == 0)
    return strcpy(out, r % 2 ? "0" : "-0.00");
  if (r % 19 == 0)
    return strcpy(out, "1");
  size_t o = 0;
  if (next_rand(st) % 3 == 0)
    out[o++] = '-';
  int idigits = 1 + (int)(next_rand(st) % (uint64_t)int_max);
  int fdigits = (int)(next_rand(st) % 7);
  for (int k = 0; k < idigits; k++)
    out[o++] = (char)('0' + (int)(next_rand(st) % 10));
  if (fdigits) {
    out[o++] = '.';
    for (int k = 0; k < fdigits; k++)
      out[o++] = (char)('0' + (int)(next_rand(st) % 10));
  }
  out[o] = '\0';
  return out;
}

/* One case both ways: the same return code and, on success, text. */
static void expect_same(const char *what, int rc_fast, const char *fast, int rc_slow,
                        const char *slow) {
  if (rc_fast != rc_slow || (rc_fast == 0 && strcmp(fast, slow) != 0))
    hz_test_note_("%s: fast %d \"%s\", digit arrays %d \"%s\"\n", what, rc_fast,
                  rc_fast ? "" : fast, rc_slow, rc_slow ? "" : slow);
  HZ_ASSERT_INT_EQ(rc_fast, rc_slow);
  if (rc_fast == 0)
    HZ_ASSERT_STR_EQ(fast, slow);
}

/* Every two-operand function on (a, b), both ways. */
static void compare_pair(const char *a, const char *b, int scale) {
  char pa[128], pb[128], f[BUF], s[BUF], what[256];
  pad(a, pa, sizeof(pa));
  pad(b, pb, sizeof(pb));
  snprintf(what, sizeof(what), "%s ? %s (scale %d)", a, b, scale);
  expect_same(what, hz_decimal_add(a, b, f, BUF), f, hz_decimal_add(pa, pb, s, BUF), s);
  expect_same(what, hz_decimal_sub(a, b, f, BUF), f, hz_decimal_sub(pa, pb, s, BUF), s);
  expect_same(what, hz_decimal_mul(a, b, f, BUF), f, hz_decimal_mul(pa, pb, s, BUF), s);
  expect_same(what, hz_decimal_div_round(a, b, scale, f, BUF), f,
              hz_decimal_div_round(pa, pb, scale, s, BUF), s);
  expect_same(what, hz_decimal_pct(a, b, f, BUF), f, hz_decimal_pct(pa, pb, s, BUF), s);
  expect_same(what, hz_decimal_growth_pct(a, b, f, BUF), f, hz_decimal_growth_pct(pa, pb, s, BUF),
              s);
  expect_same(what, hz_decimal_round(a, scale, f, BUF), f, hz_decimal_round(pa, scale, s, BUF), s);
  HZ_ASSERT_INT_EQ(hz_decimal_cmp(a, b), hz_decimal_cmp(pa, pb));
}

/* Every fraction function on (an/ad, bn/bd), both ways. */
static void compare_fractions(const char *an, const char *ad, const char *bn, const char *bd,
                              int scale) {
  char p[4][128], f[BUF], s[BUF], what[256];
  pad(an, p[0], sizeof(p[0]));
  pad(ad, p[1], sizeof(p[1]));
  pad(bn, p[2], sizeof(p[2]));
  pad(bd, p[3], sizeof(p[3]));
  snprintf(what, sizeof(what), "%s/%s ? %s/%s (scale %d)", an, ad, bn, bd, scale);
  int cf = 7, cs = 7;
  expect_same(what, hz_decimal_q_cmp(an, ad, bn, bd, &cf), "",
              hz_decimal_q_cmp(p[0], p[1], p[2], p[3], &cs), "");
  HZ_ASSERT_INT_EQ(cf, cs);
  expect_same(what, hz_decimal_q_pct(an, ad, bn, bd, f, BUF), f,
              hz_decimal_q_pct(p[0], p[1], p[2], p[3], s, BUF), s);
  expect_same(what, hz_decimal_q_growth_pct(an, ad, bn, bd, f, BUF), f,
              hz_decimal_q_growth_pct(p[0], p[1], p[2], p[3], s, BUF), s);
  expect_same(what, hz_decimal_q_diff(an, ad, bn, bd, scale, f, BUF), f,
              hz_decimal_q_diff(p[0], p[1], p[2], p[3], scale, s, BUF), s);
}

/* Everyday figures: up to 12 integer digits (a county's sums). */
HZ_TEST(small_matches_digit_arrays_everyday) {
  uint64_t st = 15;
  char a[64], b[64], c[64], d[64];
  for (int i = 0; i < 20000; i++) {
    int scale = (int)(next_rand(&st) % 7);
    compare_pair(random_operand(&st, 12, a), random_operand(&st, 12, b), scale);
    compare_fractions(random_operand(&st, 12, a), random_operand(&st, 3, b),
                      random_operand(&st, 12, c), random_operand(&st, 3, d), scale);
  }
}

/* Wide operands (up to 30 digits): products and shifts pass 128 bits,
 * the fast path gives up part-way, the answers still agree. */
HZ_TEST(small_matches_digit_arrays_wide) {
  uint64_t st = 28;
  char a[64], b[64], c[64], d[64];
  for (int i = 0; i < 5000; i++) {
    int scale = (int)(next_rand(&st) % 7);
    compare_pair(random_operand(&st, 30, a), random_operand(&st, 30, b), scale);
    compare_fractions(random_operand(&st, 30, a), random_operand(&st, 20, b),
                      random_operand(&st, 30, c), random_operand(&st, 20, d), scale);
  }
}

/* The fast path itself: what it takes and where it gives up. */
HZ_TEST(small_takes_and_gives_up) {
  char out[BUF];
  HZ_ASSERT_INT_EQ(hz_small_add("12.5", "-0.5", 0, out, BUF), 0);
  HZ_ASSERT_STR_EQ(out, "12");
  /* 36 digits are taken, 37 are not (even as leading zeros). */
  HZ_ASSERT_INT_EQ(hz_small_add("123456789012345678901234567890123456", "1", 0, out, BUF), 0);
  HZ_ASSERT_STR_EQ(out, "123456789012345678901234567890123457");
  HZ_ASSERT_INT_EQ(hz_small_add("0123456789012345678901234567890123456", "1", 0, out, BUF),
                   -ERANGE);
  /* (10^36 - 1)^2 passes 2^127: the digit arrays answer. */
  const char *n36 = "999999999999999999999999999999999999";
  HZ_ASSERT_INT_EQ(hz_small_mul(n36, n36, out, BUF), -ERANGE);
  HZ_ASSERT_INT_EQ(hz_decimal_mul(n36, n36, out, BUF), 0);
  HZ_ASSERT_STR_EQ(out, "999999999999999999999999999999999998"
                        "000000000000000000000000000000000001");
  /* Not an operand: the digit arrays say -EINVAL. */
  static const char *const bad[] = {"", "-", "1.", ".5", "1e5", "+1", "1.2.3", " 1", "1,000"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    HZ_ASSERT_INT_EQ(hz_small_add(bad[i], "1", 0, out, BUF), -ERANGE);
    HZ_ASSERT_INT_EQ(hz_decimal_add(bad[i], "1", out, BUF), -EINVAL);
    HZ_ASSERT_INT_EQ(hz_decimal_div_round("1", bad[i], 2, out, BUF), -EINVAL);
  }
  HZ_ASSERT_INT_EQ(hz_small_add(NULL, "1", 0, out, BUF), -ERANGE);
}

/* Known answers through the public functions on the fast path. */
HZ_TEST(small_edge_cases) {
  char out[BUF];
  /* 28+ digit values, exact. */
  HZ_ASSERT_INT_EQ(hz_decimal_add("1234567890123456789012345678.9", "0.1", out, BUF), 0);
  HZ_ASSERT_STR_EQ(out, "1234567890123456789012345679");
  HZ_ASSERT_INT_EQ(hz_decimal_div_round("1234567890123456789012345678", "3", 2, out, BUF), 0);
  HZ_ASSERT_STR_EQ(out, "411522630041152263004115226.00");
  /* Carries and borrows through every digit. */
  HZ_ASSERT_INT_EQ(hz_decimal_add("999999999999.999999", "0.000001", out, BUF), 0);
  HZ_ASSERT_STR_EQ(out, "1000000000000");
  HZ_ASSERT_INT_EQ(hz_decimal_sub("1000000000000", "0.000001", out, BUF), 0);
  HZ_ASSERT_STR_EQ(out, "999999999999.999999");
  HZ_ASSERT_INT_EQ(hz_decimal_sub("-0.5", "-0.5", out, BUF), 0);
  HZ_ASSERT_STR_EQ(out, "0");
  /* Half away from zero at .5, both signs; never "-0". */
  HZ_ASSERT_INT_EQ(hz_decimal_div_round("1", "8", 2, out, BUF), 0);
  HZ_ASSERT_STR_EQ(out, "0.13");
  HZ_ASSERT_INT_EQ(hz_decimal_div_round("-1", "8", 2, out, BUF), 0);
  HZ_ASSERT_STR_EQ(out, "-0.13");
  HZ_ASSERT_INT_EQ(hz_decimal_div_round("5", "-2", 0, out, BUF), 0);
  HZ_ASSERT_STR_EQ(out, "-3");
  HZ_ASSERT_INT_EQ(hz_decimal_div_round("-1", "3", 0, out, BUF), 0);
  HZ_ASSERT_STR_EQ(out, "0");
  HZ_ASSERT_INT_EQ(hz_decimal_round("2.4999995", 6, out, BUF), 0);
  HZ_ASSERT_STR_EQ(out, "2.500000");
  HZ_ASSERT_INT_EQ(hz_decimal_round("-0.0000004", 6, out, BUF), 0);
  HZ_ASSERT_STR_EQ(out, "0.000000");
  /* Percentages: 0.125 % rounds up, a negative base keeps "up" up. */
  HZ_ASSERT_INT_EQ(hz_decimal_pct("1", "800", out, BUF), 0);
  HZ_ASSERT_STR_EQ(out, "0.13");
  HZ_ASSERT_INT_EQ(hz_decimal_growth_pct("-5", "-10", out, BUF), 0);
  HZ_ASSERT_STR_EQ(out, "50.00");
  HZ_ASSERT_INT_EQ(hz_decimal_q_growth_pct("11", "6", "1.5", "1", out, BUF), 0);
  HZ_ASSERT_STR_EQ(out, "22.22");
  HZ_ASSERT_INT_EQ(hz_decimal_q_diff("3144", "100", "786", "100", 2, out, BUF), 0);
  HZ_ASSERT_STR_EQ(out, "23.58");
  /* Errors as the digit arrays give them. */
  HZ_ASSERT_INT_EQ(hz_decimal_div_round("1", "0.000", 2, out, BUF), -EDOM);
  HZ_ASSERT_INT_EQ(hz_decimal_div_round("1", "3", 7, out, BUF), -EINVAL);
  HZ_ASSERT_INT_EQ(hz_decimal_growth_pct("1", "-0", out, BUF), -EDOM);
  HZ_ASSERT_INT_EQ(hz_decimal_q_pct("1", "1", "0", "3", out, BUF), -EDOM);
  HZ_ASSERT_INT_EQ(hz_decimal_add("12345", "1", out, 5), -ENOSPC);
  HZ_ASSERT_INT_EQ(hz_decimal_add("12345", "1", out, 6), 0);
  HZ_ASSERT_INT_EQ(hz_decimal_cmp("-0", "0.000"), 0);
  HZ_ASSERT_INT_EQ(hz_decimal_cmp("-0.1", "0"), -1);
}
