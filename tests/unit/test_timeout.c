/* Unit tests for the grpc-timeout header (wire/timeout.h): every unit,
 * rounding of sub-millisecond values, malformed forms, and formatting that
 * never exceeds eight digits nor lengthens a deadline. */
#include "hz_test.h"
#include "wire/timeout.h"

static uint64_t parse_ok(const char *s) {
  uint64_t ms = 0;
  int r = hz_grpc_timeout_parse(s, strlen(s), &ms);
  if (r != 0)
    hz_test_note_("while parsing \"%s\"\n", s);
  HZ_ASSERT_INT_EQ(r, 0);
  return ms;
}

static void expect_bad(const char *s, size_t len) {
  uint64_t ms = 0;
  int r = hz_grpc_timeout_parse(s, len, &ms);
  if (r != -1)
    hz_test_note_("\"%.*s\" (%zu bytes) was accepted as %" PRIu64 " ms\n", (int)len, s, len, ms);
  HZ_ASSERT_INT_EQ(r, -1);
}

HZ_TEST(every_unit) {
  HZ_ASSERT_UINT_EQ(parse_ok("1H"), 3600000);
  HZ_ASSERT_UINT_EQ(parse_ok("2M"), 120000);
  HZ_ASSERT_UINT_EQ(parse_ok("3S"), 3000);
  HZ_ASSERT_UINT_EQ(parse_ok("4m"), 4);
  HZ_ASSERT_UINT_EQ(parse_ok("5000u"), 5);
  HZ_ASSERT_UINT_EQ(parse_ok("6000000n"), 6);
}

HZ_TEST(zero_and_leading_zeros) {
  HZ_ASSERT_UINT_EQ(parse_ok("0m"), 0);
  HZ_ASSERT_UINT_EQ(parse_ok("0H"), 0);
  HZ_ASSERT_UINT_EQ(parse_ok("0n"), 0);
  HZ_ASSERT_UINT_EQ(parse_ok("00000010S"), 10000);
}

/* A tiny positive timeout must still expire, so it rounds up to 1 ms. */
HZ_TEST(sub_millisecond_rounds_up) {
  HZ_ASSERT_UINT_EQ(parse_ok("1u"), 1);
  HZ_ASSERT_UINT_EQ(parse_ok("999u"), 1);
  HZ_ASSERT_UINT_EQ(parse_ok("1000u"), 1);
  HZ_ASSERT_UINT_EQ(parse_ok("1001u"), 2);
  HZ_ASSERT_UINT_EQ(parse_ok("1n"), 1);
  HZ_ASSERT_UINT_EQ(parse_ok("999999n"), 1);
  HZ_ASSERT_UINT_EQ(parse_ok("1000000n"), 1);
  HZ_ASSERT_UINT_EQ(parse_ok("1000001n"), 2);
}

HZ_TEST(eight_digits_is_the_maximum) {
  HZ_ASSERT_UINT_EQ(parse_ok("99999999m"), 99999999u);
  HZ_ASSERT_UINT_EQ(parse_ok("99999999S"), 99999999000u);
  HZ_ASSERT_UINT_EQ(parse_ok("99999999H"), UINT64_C(359999996400000));
  HZ_ASSERT_UINT_EQ(parse_ok("99999999n"), 100);
  HZ_ASSERT_UINT_EQ(parse_ok("12345678u"), 12346);
  expect_bad("123456789S", 10);
  expect_bad("000000000m", 10);
  expect_bad("99999999999999999999H", 21);
}

HZ_TEST(bad_forms) {
  expect_bad("", 0);
  expect_bad("S", 1);
  expect_bad("m", 1);
  expect_bad("7", 1);
  expect_bad("100", 3); /* no unit */
  expect_bad("1x", 2);  /* unknown unit */
  expect_bad("1h", 2);  /* units are case-sensitive: h is not H */
  expect_bad("1s", 2);
  expect_bad("1U", 2);
  expect_bad("1N", 2);
  expect_bad("abc", 3);
  expect_bad("1a0m", 4); /* letters among the digits */
  expect_bad("1.5S", 4);
  expect_bad("-1S", 3);
  expect_bad("+1S", 3);
  expect_bad(" 1S", 3);
  expect_bad("1S ", 3);
  expect_bad("1 S", 3);
  expect_bad("1SS", 3);
  expect_bad("1\0S", 3);
  expect_bad("0x10m", 5);
}

HZ_TEST(parse_stops_at_length) {
  uint64_t ms = 0;
  HZ_ASSERT_INT_EQ(hz_grpc_timeout_parse("250mXYZ", 4, &ms), 0);
  HZ_ASSERT_UINT_EQ(ms, 250);
  HZ_ASSERT_INT_EQ(hz_grpc_timeout_parse("25S", 2, &ms), -1);
}

static void expect_format(uint64_t ms, const char *want) {
  char out[16];
  memset(out, 'z', sizeof(out));
  hz_grpc_timeout_format(ms, out);
  HZ_ASSERT_STR_EQ(out, want);
}

HZ_TEST(format_values) {
  expect_format(0, "0m");
  expect_format(1, "1m");
  expect_format(1500, "1500m");
  expect_format(99999999u, "99999999m");
  expect_format(100000000u, "100000S");
  expect_format(UINT64_C(99999999000), "99999999S");
  expect_format(UINT64_C(99999999999), "99999999S");
  expect_format(UINT64_C(100000000000), "1666666M");
  expect_format(UINT64_MAX, "99999999M");
}

/* Whatever we send must parse back, and never as a longer deadline than
 * asked (a coarser unit truncates). */
static void check_format_round_trip(uint64_t ms) {
  char out[16];
  uint64_t back = 0;
  hz_grpc_timeout_format(ms, out);
  size_t len = strlen(out);
  HZ_ASSERT_TRUE(len >= 2 && len <= 9);
  if (hz_grpc_timeout_parse(out, len, &back) != 0)
    hz_test_note_("%" PRIu64 " ms formatted as \"%s\"\n", ms, out);
  HZ_ASSERT_INT_EQ(hz_grpc_timeout_parse(out, len, &back), 0);
  HZ_ASSERT_TRUE(back <= ms);
  if (ms <= 99999999u)
    HZ_ASSERT_UINT_EQ(back, ms);
  else if (ms < UINT64_C(99999999) * 60000u)
    HZ_ASSERT_TRUE(ms - back < 60000u);
}

HZ_TEST(format_round_trip) {
  uint64_t ms = 0;
  for (int i = 0; i < 64; i++) {
    check_format_round_trip(ms);
    check_format_round_trip(ms + 1);
    check_format_round_trip(ms * 3 + 7);
    ms = ms * 2 + 1;
  }
  check_format_round_trip(UINT64_MAX);
}
