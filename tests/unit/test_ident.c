/* Unit tests for identifier syntax (domain/ident.h): submission UUIDs in
 * either case, region codes and indicator codes at their length bounds and
 * with each kind of forbidden character. */
#include <errno.h>

#include "domain/ident.h"
#include "hz_test.h"

/* Runs check on s and reports s when the answer differs from want. */
static void expect(int (*check)(const char *), const char *s, int want) {
  int r = check(s);
  if (r != want)
    hz_test_note_("input \"%s\"\n", s ? s : "(null)");
  HZ_ASSERT_INT_EQ(r, want);
}

/* n copies of c followed by tail. */
static const char *repeat(char *buf, char c, int n, const char *tail) {
  memset(buf, c, (size_t)n);
  strcpy(buf + n, tail);
  return buf;
}

HZ_TEST(uuid_accepts_both_cases_and_any_version) {
  expect(hz_uuid_validate, "123e4567-e89b-12d3-a456-426614174000", 0);
  expect(hz_uuid_validate, "123E4567-E89B-12D3-A456-426614174000", 0);
  expect(hz_uuid_validate, "f47ac10b-58cc-4372-a567-0e02b2c3d479", 0);
  expect(hz_uuid_validate, "018f3c6a-7b2e-7c4d-9e1f-0a1b2c3d4e5f", 0);
  expect(hz_uuid_validate, "00000000-0000-0000-0000-000000000000", 0);
  expect(hz_uuid_validate, "FFFFFFFF-ffff-FFFF-ffff-FFFFFFFFFFFF", 0);
}

HZ_TEST(uuid_refusals) {
  const char *bad[] = {
      "",
      "123e4567e89b12d3a456426614174000",          /* no hyphens */
      "123e4567-e89b-12d3-a456-42661417400",       /* 35 */
      "123e4567-e89b-12d3-a456-4266141740000",     /* 37 */
      "{123e4567-e89b-12d3-a456-426614174000}",    /* braces */
      "urn:uuid:123e4567-e89b-12d3-a456-426614174000",
      "123e4567-e89b-12d3-a456_426614174000",      /* wrong separator */
      "123e4567-e89b-12d3a-456-426614174000",      /* hyphen misplaced */
      "123e4567-e89b-12d3-a456-42661417400g",      /* not hex */
      "123e4567-e89b-12d3-a456-42661417400 ",      /* space */
      " 123e4567-e89b-12d3-a456-426614174000",
      "123e4567-e89b-12d3-a456-4266141740\xc3\xa9", /* UTF-8 é */
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    expect(hz_uuid_validate, bad[i], -EINVAL);
  expect(hz_uuid_validate, NULL, -EINVAL);
}

HZ_TEST(uuid_normalize_lower_cases) {
  char out[HZ_UUID_TEXT_SIZE];
  HZ_ASSERT_INT_EQ(
      hz_uuid_normalize("123E4567-E89B-12D3-A456-42661417400F", out), 0);
  HZ_ASSERT_STR_EQ(out, "123e4567-e89b-12d3-a456-42661417400f");
  HZ_ASSERT_INT_EQ(
      hz_uuid_normalize("123e4567-e89b-12d3-a456-426614174000", out), 0);
  HZ_ASSERT_STR_EQ(out, "123e4567-e89b-12d3-a456-426614174000");
  strcpy(out, "untouched");
  HZ_ASSERT_INT_EQ(hz_uuid_normalize("not-a-uuid", out), -EINVAL);
  HZ_ASSERT_STR_EQ(out, "untouched");
}

HZ_TEST(region_codes) {
  char buf[32];
  expect(hz_region_code_validate, "42", 0);
  expect(hz_region_code_validate, "420624", 0);
  expect(hz_region_code_validate, "420624100000", 0);
  expect(hz_region_code_validate, "000000", 0);
  expect(hz_region_code_validate, repeat(buf, '1', 12, ""), 0);
  expect(hz_region_code_validate, repeat(buf, '1', 13, ""), -EINVAL);
  expect(hz_region_code_validate, "4", -EINVAL);
  expect(hz_region_code_validate, "", -EINVAL);
  expect(hz_region_code_validate, NULL, -EINVAL);
  const char *bad[] = {"42062a", "420 624", " 420624", "420624 ", "-42",
                       "+42",    "4206.24", "４２",    "420624\n", "0x42"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    expect(hz_region_code_validate, bad[i], -EINVAL);
}

HZ_TEST(indicator_codes) {
  char buf[80];
  expect(hz_indicator_code_validate, "fai", 0);
  expect(hz_indicator_code_validate, "f", 0);
  expect(hz_indicator_code_validate, "debt_resolved", 0);
  expect(hz_indicator_code_validate, "retail.sales-2", 0);
  expect(hz_indicator_code_validate, "a0_.-z", 0);
  expect(hz_indicator_code_validate, repeat(buf, 'a', 64, ""), 0);
  expect(hz_indicator_code_validate, repeat(buf, 'a', 65, ""), -EINVAL);
  expect(hz_indicator_code_validate, "", -EINVAL);
  expect(hz_indicator_code_validate, NULL, -EINVAL);
  const char *bad[] = {"Fai",  "fAi",   "1fai",  "_fai", ".fai", "-fai",
                       "fa i", "fai ",  "fai/2", "fai:", "税收", "fai\t",
                       "féi",  "fai\n", "fai+",  "fai,x"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    expect(hz_indicator_code_validate, bad[i], -EINVAL);
}
