/* Unit tests for identifier syntax (domain/ident.h): region codes and
 * indicator codes at their length bounds and with each kind of forbidden
 * character. Submission UUIDs are wire/uuid.h's: test_wire. */
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
  const char *bad[] = {"42062a", "420 624", " 420624", "420624 ",  "-42",
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
  const char *bad[] = {"Fai",   "fAi",  "1fai", "_fai",  ".fai", "-fai",  "fa i", "fai ",
                       "fai/2", "fai:", "税收", "fai\t", "féi",  "fai\n", "fai+", "fai,x"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    expect(hz_indicator_code_validate, bad[i], -EINVAL);
}
