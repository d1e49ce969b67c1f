/* Unit tests for DHIS2 period codes (domain/period.h): every accepted and
 * refused form, calendar bounds, 环比 / 同比 bases across year boundaries,
 * enclosing periods, containment and children enumeration. */
#include <errno.h>

#include "domain/period.h"
#include "hz_test.h"

static hz_period_t parse_ok(const char *s) {
  hz_period_t p = {0, 0, 0};
  int r = hz_period_parse(s, &p);
  if (r != 0)
    hz_test_note_("while parsing \"%s\"\n", s);
  HZ_ASSERT_INT_EQ(r, 0);
  return p;
}

static void expect_parse(const char *s, hz_period_type_t type, int year, int index) {
  hz_period_t p = parse_ok(s);
  if (p.type != type || p.year != year || p.index != index)
    hz_test_note_("parsing \"%s\"\n", s);
  HZ_ASSERT_INT_EQ(p.type, type);
  HZ_ASSERT_INT_EQ(p.year, year);
  HZ_ASSERT_INT_EQ(p.index, index);
  /* Only one accepted spelling per period: formatting gives s back. */
  char text[HZ_PERIOD_TEXT_SIZE];
  hz_period_format(&p, text);
  HZ_ASSERT_STR_EQ(text, s);
}

static void expect_bad(const char *s) {
  hz_period_t p = {HZ_PERIOD_MONTH, 1234, 5};
  int r = hz_period_parse(s, &p);
  if (r != -EINVAL)
    hz_test_note_("\"%s\" was accepted as type %d year %d index %d\n", s, (int)p.type, p.year,
                  p.index);
  HZ_ASSERT_INT_EQ(r, -EINVAL);
  /* A refusal leaves the output alone. */
  HZ_ASSERT_INT_EQ(p.year, 1234);
}

/* Period from its fields, for tests that start from values. */
static hz_period_t per(hz_period_type_t t, int year, int index) {
  hz_period_t p = {t, year, index};
  return p;
}

static void assert_text(const hz_period_t *p, const char *want) {
  char text[HZ_PERIOD_TEXT_SIZE];
  hz_period_format(p, text);
  HZ_ASSERT_STR_EQ(text, want);
}

HZ_TEST(parse_every_form) {
  expect_parse("2022", HZ_PERIOD_YEAR, 2022, 1);
  expect_parse("2022S1", HZ_PERIOD_HALF_YEAR, 2022, 1);
  expect_parse("2022S2", HZ_PERIOD_HALF_YEAR, 2022, 2);
  expect_parse("2022Q1", HZ_PERIOD_QUARTER, 2022, 1);
  expect_parse("2022Q2", HZ_PERIOD_QUARTER, 2022, 2);
  expect_parse("2022Q3", HZ_PERIOD_QUARTER, 2022, 3);
  expect_parse("2022Q4", HZ_PERIOD_QUARTER, 2022, 4);
  expect_parse("2013S1", HZ_PERIOD_HALF_YEAR, 2013, 1);
}

HZ_TEST(parse_every_month) {
  char s[HZ_PERIOD_TEXT_SIZE];
  for (int m = 1; m <= 12; m++) {
    snprintf(s, sizeof(s), "2022%02d", m);
    expect_parse(s, HZ_PERIOD_MONTH, 2022, m);
  }
}

HZ_TEST(parse_year_bounds) {
  expect_parse("1900", HZ_PERIOD_YEAR, 1900, 1);
  expect_parse("2999", HZ_PERIOD_YEAR, 2999, 1);
  expect_parse("190001", HZ_PERIOD_MONTH, 1900, 1);
  expect_parse("2999Q4", HZ_PERIOD_QUARTER, 2999, 4);
  expect_bad("1899");
  expect_bad("3000");
  expect_bad("0000");
  expect_bad("189912");
  expect_bad("3000S1");
  expect_bad("9999");
}

HZ_TEST(parse_refuses_other_forms) {
  const char *bad[] = {
      "",          "2",           "202",       "20222",    "2022Q",    "2022S",  "2022Q5",
      "2022Q0",    "2022S0",      "2022S3",    "202200",   "202213",   "202299", "2022-01",
      "2022-Q1",   "2022M01",     "2022q1",    "2022s1",   "2022 ",    " 2022",  "2022Q1 ",
      "2022\n",    "２０２２",    "2022W1",    "2022BiW1", "2022H1",   "22Q1",   "Q12022",
      "2022/01",   "2022.1",      "20220101",  "2022Q12",  "2022Q1Q2", "-2022",  "+2022",
      "2022April", "2022AprilS1", "2022NovQ1", "abcd",     "20a2",     "2022Qx", "20220x",
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    expect_bad(bad[i]);
}

HZ_TEST(parse_n_refuses_embedded_nul_and_takes_exact_length) {
  hz_period_t p;
  HZ_ASSERT_INT_EQ(hz_period_parse_n("2022\0Q1", 7, &p), -EINVAL);
  HZ_ASSERT_INT_EQ(hz_period_parse_n("2022Q\0", 6, &p), -EINVAL);
  HZ_ASSERT_INT_EQ(hz_period_parse_n("20\0"
                                     "22Q",
                                     6, &p),
                   -EINVAL);
  /* Not NUL-terminated: only len bytes count. */
  HZ_ASSERT_INT_EQ(hz_period_parse_n("2022Q3xyz", 6, &p), 0);
  HZ_ASSERT_INT_EQ(p.type, HZ_PERIOD_QUARTER);
  HZ_ASSERT_INT_EQ(p.index, 3);
  HZ_ASSERT_INT_EQ(hz_period_parse_n("2022Q3xyz", 4, &p), 0);
  HZ_ASSERT_INT_EQ(p.type, HZ_PERIOD_YEAR);
  HZ_ASSERT_INT_EQ(hz_period_parse_n("2022Q3", 5, &p), -EINVAL);
  HZ_ASSERT_INT_EQ(hz_period_parse_n(NULL, 4, &p), -EINVAL);
  HZ_ASSERT_INT_EQ(hz_period_parse(NULL, &p), -EINVAL);
}

HZ_TEST(accepted_forms_names_each_form) {
  const char *f = hz_period_accepted_forms();
  HZ_ASSERT_TRUE(strstr(f, "2022") != NULL);
  HZ_ASSERT_TRUE(strstr(f, "2022S1") != NULL);
  HZ_ASSERT_TRUE(strstr(f, "2022Q4") != NULL);
  HZ_ASSERT_TRUE(strstr(f, "202201") != NULL);
  HZ_ASSERT_TRUE(strstr(f, "202212") != NULL);
  HZ_ASSERT_TRUE(strstr(f, "half year") != NULL);
}

HZ_TEST(format_invalid_is_empty) {
  hz_period_t bad[] = {
      per(HZ_PERIOD_MONTH, 2022, 13),    per(HZ_PERIOD_MONTH, 2022, 0),
      per(HZ_PERIOD_QUARTER, 2022, 5),   per(HZ_PERIOD_HALF_YEAR, 2022, 3),
      per(HZ_PERIOD_YEAR, 2022, 2),      per(HZ_PERIOD_YEAR, 1899, 1),
      per(HZ_PERIOD_YEAR, 3000, 1),      per((hz_period_type_t)0, 2022, 1),
      per((hz_period_type_t)5, 2022, 1),
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    HZ_ASSERT_INT_EQ(hz_period_valid(&bad[i]), -EINVAL);
    assert_text(&bad[i], "");
  }
  HZ_ASSERT_INT_EQ(hz_period_valid(NULL), -EINVAL);
}

HZ_TEST(months_and_dates) {
  hz_period_t y = parse_ok("2022"), s2 = parse_ok("2022S2"), q2 = parse_ok("2022Q2"),
              q4 = parse_ok("2022Q4"), m1 = parse_ok("202201"), m12 = parse_ok("202212");
  HZ_ASSERT_INT_EQ(hz_period_first_month(&y), 1);
  HZ_ASSERT_INT_EQ(hz_period_last_month(&y), 12);
  HZ_ASSERT_INT_EQ(hz_period_first_month(&s2), 7);
  HZ_ASSERT_INT_EQ(hz_period_last_month(&s2), 12);
  HZ_ASSERT_INT_EQ(hz_period_first_month(&q2), 4);
  HZ_ASSERT_INT_EQ(hz_period_last_month(&q2), 6);
  HZ_ASSERT_INT_EQ(hz_period_first_month(&m12), 12);
  HZ_ASSERT_INT_EQ(hz_period_last_month(&m12), 12);

  HZ_ASSERT_INT_EQ(hz_period_start_date(&y), 20220101);
  HZ_ASSERT_INT_EQ(hz_period_end_date(&y), 20230101);
  HZ_ASSERT_INT_EQ(hz_period_start_date(&s2), 20220701);
  HZ_ASSERT_INT_EQ(hz_period_end_date(&s2), 20230101);
  HZ_ASSERT_INT_EQ(hz_period_start_date(&q2), 20220401);
  HZ_ASSERT_INT_EQ(hz_period_end_date(&q2), 20220701);
  HZ_ASSERT_INT_EQ(hz_period_start_date(&q4), 20221001);
  HZ_ASSERT_INT_EQ(hz_period_end_date(&q4), 20230101);
  HZ_ASSERT_INT_EQ(hz_period_start_date(&m1), 20220101);
  HZ_ASSERT_INT_EQ(hz_period_end_date(&m1), 20220201);
  HZ_ASSERT_INT_EQ(hz_period_end_date(&m12), 20230101);

  hz_period_t last = parse_ok("2999");
  HZ_ASSERT_INT_EQ(hz_period_end_date(&last), 30000101);
  hz_period_t bad = per(HZ_PERIOD_MONTH, 2022, 13);
  HZ_ASSERT_INT_EQ(hz_period_first_month(&bad), -EINVAL);
  HZ_ASSERT_INT_EQ(hz_period_last_month(&bad), -EINVAL);
  HZ_ASSERT_INT_EQ(hz_period_start_date(&bad), -EINVAL);
  HZ_ASSERT_INT_EQ(hz_period_end_date(&bad), -EINVAL);
}

/* Consecutive periods chain: each one's end is the next one's start. */
HZ_TEST(dates_chain_without_gaps) {
  for (hz_period_type_t t = HZ_PERIOD_YEAR; t <= HZ_PERIOD_MONTH; t++) {
    hz_period_t p = per(t, 2020, 1), n;
    for (int i = 0; i < 30; i++) {
      HZ_ASSERT_INT_EQ(hz_period_next(&p, &n), 0);
      HZ_ASSERT_INT_EQ(hz_period_end_date(&p), hz_period_start_date(&n));
      HZ_ASSERT_INT_EQ(hz_period_ordinal(&n), hz_period_ordinal(&p) + 1);
      p = n;
    }
  }
}

static void expect_previous(const char *from, const char *want) {
  hz_period_t p = parse_ok(from), q;
  HZ_ASSERT_INT_EQ(hz_period_previous(&p, &q), 0);
  assert_text(&q, want);
  /* And back again. */
  HZ_ASSERT_INT_EQ(hz_period_next(&q, &q), 0);
  assert_text(&q, from);
}

HZ_TEST(previous_across_year_boundaries) {
  expect_previous("2022Q1", "2021Q4");
  expect_previous("2022Q4", "2022Q3");
  expect_previous("202201", "202112");
  expect_previous("202212", "202211");
  expect_previous("2022S1", "2021S2");
  expect_previous("2022S2", "2022S1");
  expect_previous("2022", "2021");
  expect_previous("2000Q1", "1999Q4");
}

HZ_TEST(previous_and_next_stop_at_year_range) {
  hz_period_t q;
  hz_period_t first = parse_ok("190001"), last = parse_ok("2999Q4"), y = parse_ok("1900");
  HZ_ASSERT_INT_EQ(hz_period_previous(&first, &q), -ERANGE);
  HZ_ASSERT_INT_EQ(hz_period_previous(&y, &q), -ERANGE);
  HZ_ASSERT_INT_EQ(hz_period_next(&last, &q), -ERANGE);
  HZ_ASSERT_INT_EQ(hz_period_year_earlier(&first, &q), -ERANGE);
  hz_period_t bad = per(HZ_PERIOD_QUARTER, 2022, 0);
  HZ_ASSERT_INT_EQ(hz_period_previous(&bad, &q), -EINVAL);
  HZ_ASSERT_INT_EQ(hz_period_year_earlier(&bad, &q), -EINVAL);
}

static void expect_year_earlier(const char *from, const char *want) {
  hz_period_t p = parse_ok(from), q;
  HZ_ASSERT_INT_EQ(hz_period_year_earlier(&p, &q), 0);
  assert_text(&q, want);
}

HZ_TEST(year_earlier_keeps_the_position) {
  expect_year_earlier("2022Q1", "2021Q1");
  expect_year_earlier("2022Q4", "2021Q4");
  expect_year_earlier("202201", "202101");
  expect_year_earlier("202212", "202112");
  expect_year_earlier("2013S1", "2012S1");
  expect_year_earlier("2022", "2021");
  expect_year_earlier("1901S2", "1900S2");
}

HZ_TEST(ordinal_round_trip) {
  hz_period_t p = parse_ok("202112"), q;
  int ord = hz_period_ordinal(&p);
  HZ_ASSERT_INT_EQ(ord, 2021 * 12 + 11);
  HZ_ASSERT_INT_EQ(hz_period_from_ordinal(HZ_PERIOD_MONTH, ord + 1, &q), 0);
  assert_text(&q, "202201");
  HZ_ASSERT_INT_EQ(hz_period_from_ordinal(HZ_PERIOD_QUARTER, 1900 * 4, &q), 0);
  assert_text(&q, "1900Q1");
  HZ_ASSERT_INT_EQ(hz_period_from_ordinal(HZ_PERIOD_QUARTER, 1900 * 4 - 1, &q), -ERANGE);
  HZ_ASSERT_INT_EQ(hz_period_from_ordinal(HZ_PERIOD_QUARTER, 3000 * 4, &q), -ERANGE);
  HZ_ASSERT_INT_EQ(hz_period_from_ordinal(HZ_PERIOD_MONTH, -1, &q), -ERANGE);
  HZ_ASSERT_INT_EQ(hz_period_from_ordinal((hz_period_type_t)7, 24000, &q), -EINVAL);
}

static void expect_enclosing(const char *from, hz_period_type_t t, const char *want) {
  hz_period_t p = parse_ok(from), q;
  HZ_ASSERT_INT_EQ(hz_period_enclosing(&p, t, &q), 0);
  assert_text(&q, want);
}

HZ_TEST(enclosing_and_year_of) {
  expect_enclosing("202205", HZ_PERIOD_QUARTER, "2022Q2");
  expect_enclosing("202206", HZ_PERIOD_HALF_YEAR, "2022S1");
  expect_enclosing("202207", HZ_PERIOD_HALF_YEAR, "2022S2");
  expect_enclosing("202212", HZ_PERIOD_YEAR, "2022");
  expect_enclosing("2022Q3", HZ_PERIOD_HALF_YEAR, "2022S2");
  expect_enclosing("2022Q2", HZ_PERIOD_HALF_YEAR, "2022S1");
  expect_enclosing("2022Q2", HZ_PERIOD_QUARTER, "2022Q2");
  hz_period_t p = parse_ok("2022Q3"), q;
  HZ_ASSERT_INT_EQ(hz_period_year_of(&p, &q), 0);
  assert_text(&q, "2022");
  /* A coarser period has no enclosing finer one. */
  HZ_ASSERT_INT_EQ(hz_period_enclosing(&p, HZ_PERIOD_MONTH, &q), -EINVAL);
  HZ_ASSERT_INT_EQ(hz_period_enclosing(&p, (hz_period_type_t)0, &q), -EINVAL);
}

static int contains(const char *outer, const char *inner) {
  hz_period_t o = parse_ok(outer), i = parse_ok(inner);
  return hz_period_contains(&o, &i);
}

HZ_TEST(contains_cases) {
  HZ_ASSERT_TRUE(contains("2022", "2022"));
  HZ_ASSERT_TRUE(contains("2022", "202212"));
  HZ_ASSERT_TRUE(contains("2022", "2022S2"));
  HZ_ASSERT_TRUE(contains("2022S1", "2022Q2"));
  HZ_ASSERT_TRUE(contains("2022S2", "202207"));
  HZ_ASSERT_TRUE(contains("2022Q1", "202203"));
  HZ_ASSERT_TRUE(contains("2022Q1", "2022Q1"));
  HZ_ASSERT_FALSE(contains("2022Q1", "2022Q2"));
  HZ_ASSERT_FALSE(contains("2022Q1", "202204"));
  HZ_ASSERT_FALSE(contains("2022S1", "2022Q3"));
  HZ_ASSERT_FALSE(contains("2022", "2021Q4"));
  HZ_ASSERT_FALSE(contains("2022", "202301"));
  /* Never a coarser period inside a finer one. */
  HZ_ASSERT_FALSE(contains("2022Q1", "2022"));
  HZ_ASSERT_FALSE(contains("202201", "2022Q1"));
  hz_period_t bad = per(HZ_PERIOD_MONTH, 2022, 13), y = parse_ok("2022");
  HZ_ASSERT_FALSE(hz_period_contains(&y, &bad));
  HZ_ASSERT_FALSE(hz_period_contains(&bad, &y));
}

HZ_TEST(finer_or_equal) {
  HZ_ASSERT_TRUE(hz_period_finer_or_equal(HZ_PERIOD_MONTH, HZ_PERIOD_YEAR));
  HZ_ASSERT_TRUE(hz_period_finer_or_equal(HZ_PERIOD_MONTH, HZ_PERIOD_QUARTER));
  HZ_ASSERT_TRUE(hz_period_finer_or_equal(HZ_PERIOD_QUARTER, HZ_PERIOD_HALF_YEAR));
  HZ_ASSERT_TRUE(hz_period_finer_or_equal(HZ_PERIOD_QUARTER, HZ_PERIOD_QUARTER));
  HZ_ASSERT_TRUE(hz_period_finer_or_equal(HZ_PERIOD_YEAR, HZ_PERIOD_YEAR));
  HZ_ASSERT_FALSE(hz_period_finer_or_equal(HZ_PERIOD_YEAR, HZ_PERIOD_MONTH));
  HZ_ASSERT_FALSE(hz_period_finer_or_equal(HZ_PERIOD_HALF_YEAR, HZ_PERIOD_QUARTER));
  HZ_ASSERT_FALSE(hz_period_finer_or_equal((hz_period_type_t)0, HZ_PERIOD_YEAR));
  HZ_ASSERT_FALSE(hz_period_finer_or_equal((hz_period_type_t)5, HZ_PERIOD_YEAR));
}

/* Enumerates outer by type and joins the codes with spaces. */
static void expect_children(const char *outer, hz_period_type_t t, const char *want) {
  hz_period_t o = parse_ok(outer), kids[HZ_PERIOD_MAX_CHILDREN];
  int n = hz_period_children(&o, t, kids, HZ_PERIOD_MAX_CHILDREN);
  HZ_ASSERT_TRUE(n > 0);
  char joined[128] = "";
  for (int i = 0; i < n; i++) {
    char text[HZ_PERIOD_TEXT_SIZE];
    hz_period_format(&kids[i], text);
    if (i)
      strcat(joined, " ");
    strcat(joined, text);
    HZ_ASSERT_TRUE(hz_period_contains(&o, &kids[i]));
  }
  HZ_ASSERT_STR_EQ(joined, want);
}

HZ_TEST(children_enumeration) {
  expect_children("2022", HZ_PERIOD_MONTH,
                  "202201 202202 202203 202204 202205 202206 202207 202208 "
                  "202209 202210 202211 202212");
  expect_children("2022", HZ_PERIOD_QUARTER, "2022Q1 2022Q2 2022Q3 2022Q4");
  expect_children("2022", HZ_PERIOD_HALF_YEAR, "2022S1 2022S2");
  expect_children("2022", HZ_PERIOD_YEAR, "2022");
  expect_children("2022S1", HZ_PERIOD_QUARTER, "2022Q1 2022Q2");
  expect_children("2022S2", HZ_PERIOD_QUARTER, "2022Q3 2022Q4");
  expect_children("2022S2", HZ_PERIOD_MONTH, "202207 202208 202209 202210 202211 202212");
  expect_children("2022Q3", HZ_PERIOD_MONTH, "202207 202208 202209");
  expect_children("2022Q4", HZ_PERIOD_MONTH, "202210 202211 202212");
  expect_children("202205", HZ_PERIOD_MONTH, "202205");
}

HZ_TEST(children_refusals) {
  hz_period_t q = parse_ok("2022Q1"), y = parse_ok("2022"), kids[12];
  HZ_ASSERT_INT_EQ(hz_period_children(&q, HZ_PERIOD_YEAR, kids, 12), -EINVAL);
  HZ_ASSERT_INT_EQ(hz_period_children(&q, HZ_PERIOD_HALF_YEAR, kids, 12), -EINVAL);
  HZ_ASSERT_INT_EQ(hz_period_children(&y, (hz_period_type_t)9, kids, 12), -EINVAL);
  /* Too little room writes nothing. */
  kids[0] = per(HZ_PERIOD_YEAR, 1999, 1);
  HZ_ASSERT_INT_EQ(hz_period_children(&y, HZ_PERIOD_MONTH, kids, 11), -ENOSPC);
  HZ_ASSERT_INT_EQ(kids[0].year, 1999);
  HZ_ASSERT_INT_EQ(hz_period_children(&y, HZ_PERIOD_QUARTER, kids, 4), 4);
  hz_period_t bad = per(HZ_PERIOD_QUARTER, 2022, 5);
  HZ_ASSERT_INT_EQ(hz_period_children(&bad, HZ_PERIOD_MONTH, kids, 12), -EINVAL);
}

HZ_TEST(cmp_orders_by_start_then_coarser_first) {
  const char *sorted[] = {"2021",   "2021S2", "2021Q4", "202112", "2022",   "2022S1",
                          "2022Q1", "202201", "202202", "2022Q2", "202204", "2022S2"};
  size_t n = sizeof(sorted) / sizeof(sorted[0]);
  for (size_t i = 0; i < n; i++) {
    for (size_t j = 0; j < n; j++) {
      hz_period_t a = parse_ok(sorted[i]), b = parse_ok(sorted[j]);
      int c = hz_period_cmp(&a, &b);
      int want = i < j ? -1 : i > j ? 1 : 0;
      int got = c < 0 ? -1 : c > 0 ? 1 : 0;
      if (got != want)
        hz_test_note_("%s vs %s\n", sorted[i], sorted[j]);
      HZ_ASSERT_INT_EQ(got, want);
    }
  }
}

HZ_TEST(type_names) {
  HZ_ASSERT_STR_EQ(hz_period_type_name(HZ_PERIOD_YEAR), "year");
  HZ_ASSERT_STR_EQ(hz_period_type_name(HZ_PERIOD_HALF_YEAR), "half year");
  HZ_ASSERT_STR_EQ(hz_period_type_name(HZ_PERIOD_QUARTER), "quarter");
  HZ_ASSERT_STR_EQ(hz_period_type_name(HZ_PERIOD_MONTH), "month");
  HZ_ASSERT_STR_EQ(hz_period_type_name((hz_period_type_t)0), "unknown");
  HZ_ASSERT_STR_EQ(hz_period_type_code(HZ_PERIOD_HALF_YEAR), "half_year");
  HZ_ASSERT_STR_EQ(hz_period_type_code((hz_period_type_t)5), "unknown");
}

static hz_period_type_t type_ok(const char *s) {
  hz_period_type_t t = (hz_period_type_t)0;
  int r = hz_period_type_parse(s, &t);
  if (r != 0)
    hz_test_note_("while parsing type \"%s\"\n", s);
  HZ_ASSERT_INT_EQ(r, 0);
  return t;
}

HZ_TEST(type_parse) {
  HZ_ASSERT_INT_EQ(type_ok("year"), HZ_PERIOD_YEAR);
  HZ_ASSERT_INT_EQ(type_ok("half_year"), HZ_PERIOD_HALF_YEAR);
  HZ_ASSERT_INT_EQ(type_ok("quarter"), HZ_PERIOD_QUARTER);
  HZ_ASSERT_INT_EQ(type_ok("month"), HZ_PERIOD_MONTH);
  HZ_ASSERT_INT_EQ(type_ok("MONTH"), HZ_PERIOD_MONTH);
  HZ_ASSERT_INT_EQ(type_ok("Half_Year"), HZ_PERIOD_HALF_YEAR);
  HZ_ASSERT_INT_EQ(type_ok("Quarterly"), HZ_PERIOD_QUARTER);
  HZ_ASSERT_INT_EQ(type_ok("SixMonthly"), HZ_PERIOD_HALF_YEAR);
  HZ_ASSERT_INT_EQ(type_ok("PERIOD_TYPE_YEAR"), HZ_PERIOD_YEAR);
  for (hz_period_type_t t = HZ_PERIOD_YEAR; t <= HZ_PERIOD_MONTH; t++)
    HZ_ASSERT_INT_EQ(type_ok(hz_period_type_code(t)), t);
  const char *bad[] = {"",     "years",  "half year", "half",
                       "m",    " month", "month ",    "PERIOD_TYPE_UNSPECIFIED",
                       "week", "季度"};
  hz_period_type_t t = HZ_PERIOD_MONTH;
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    int r = hz_period_type_parse(bad[i], &t);
    if (r != -EINVAL)
      hz_test_note_("type \"%s\" was accepted\n", bad[i]);
    HZ_ASSERT_INT_EQ(r, -EINVAL);
  }
  HZ_ASSERT_INT_EQ(t, HZ_PERIOD_MONTH);
  HZ_ASSERT_INT_EQ(hz_period_type_parse(NULL, &t), -EINVAL);
}

/* Every valid code of a year parses, formats back, and lies in the year. */
HZ_TEST(exhaustive_year_2022) {
  hz_period_t y = parse_ok("2022");
  int count = 0;
  for (hz_period_type_t t = HZ_PERIOD_YEAR; t <= HZ_PERIOD_MONTH; t++) {
    hz_period_t kids[HZ_PERIOD_MAX_CHILDREN];
    int n = hz_period_children(&y, t, kids, HZ_PERIOD_MAX_CHILDREN);
    for (int i = 0; i < n; i++) {
      char text[HZ_PERIOD_TEXT_SIZE];
      hz_period_format(&kids[i], text);
      hz_period_t back = parse_ok(text);
      HZ_ASSERT_INT_EQ(hz_period_cmp(&back, &kids[i]), 0);
      HZ_ASSERT_INT_EQ(back.index, kids[i].index);
      count++;
    }
  }
  HZ_ASSERT_INT_EQ(count, 1 + 2 + 4 + 12);
}
