/* Unit tests for hz_token_parse (app/auth.h): the authorization header is
 * the first thing an unauthenticated peer controls. The grammar is
 * "Bearer" (any case), spaces, "hz_", a positive decimal id of at most 18
 * digits, "_", and a secret of 16..128 bytes whose SHA-256 is returned.
 * Digests are checked against values computed by coreutils' sha256sum, not
 * by the code under test. */
#include <errno.h>

#include "api/auth.h"
#include "hz_test.h"

/* printf abcdefghijklmnop | sha256sum */
static const char *const SECRET16 = "abcdefghijklmnop";
static const uint8_t SECRET16_SHA256[32] = {
    0xf3, 0x9d, 0xac, 0x6c, 0xba, 0xba, 0x53, 0x5e, 0x2c, 0x20, 0x7c, 0xd0, 0xcd, 0x8f, 0x15, 0x49,
    0x74, 0x22, 0x3c, 0x84, 0x8f, 0x72, 0x7f, 0x98, 0xb3, 0x56, 0x4c, 0xea, 0x56, 0x9b, 0x41, 0xcf};

/* Parses header; on a refusal checks that neither output was written. */
static int parse(const char *header, int64_t *id, uint8_t hash[32]) {
  *id = -7;
  memset(hash, 0xa5, 32);
  int r = hz_token_parse(header, id, hash);
  if (r != 0) {
    uint8_t untouched[32];
    memset(untouched, 0xa5, sizeof(untouched));
    HZ_ASSERT_INT_EQ(*id, -7);
    HZ_ASSERT_MEM_EQ(hash, untouched, 32);
  }
  return r;
}

static void expect_refused(const char *header) {
  int64_t id;
  uint8_t hash[32];
  int r = parse(header, &id, hash);
  if (r != -EINVAL)
    hz_test_note_("header \"%s\"\n", header ? header : "(null)");
  HZ_ASSERT_INT_EQ(r, -EINVAL);
}

HZ_TEST(token_parse_gives_id_and_secret_hash) {
  int64_t id;
  uint8_t hash[32];
  HZ_ASSERT_INT_EQ(parse("Bearer hz_42_abcdefghijklmnop", &id, hash), 0);
  HZ_ASSERT_INT_EQ(id, 42);
  HZ_ASSERT_MEM_EQ(hash, SECRET16_SHA256, 32);
  uint8_t direct[32];
  hz_token_hash(SECRET16, direct);
  HZ_ASSERT_MEM_EQ(direct, SECRET16_SHA256, 32);
}

HZ_TEST(token_parse_scheme_any_case_and_extra_spaces) {
  const char *ok[] = {"bearer hz_1_abcdefghijklmnop", "BEARER hz_1_abcdefghijklmnop",
                      "bEaReR    hz_1_abcdefghijklmnop"};
  for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
    int64_t id;
    uint8_t hash[32];
    HZ_ASSERT_INT_EQ(parse(ok[i], &id, hash), 0);
    HZ_ASSERT_INT_EQ(id, 1);
    HZ_ASSERT_MEM_EQ(hash, SECRET16_SHA256, 32);
  }
}

HZ_TEST(token_parse_secret_may_hold_underscores) {
  /* base64url secrets contain '_': only the first one after the id splits. */
  int64_t id;
  uint8_t hash[32], want[32];
  HZ_ASSERT_INT_EQ(parse("Bearer hz_9_abc_def_ghi_jklmnop", &id, hash), 0);
  HZ_ASSERT_INT_EQ(id, 9);
  hz_token_hash("abc_def_ghi_jklmnop", want);
  HZ_ASSERT_MEM_EQ(hash, want, 32);
}

HZ_TEST(token_parse_id_bounds) {
  int64_t id;
  uint8_t hash[32];
  HZ_ASSERT_INT_EQ(parse("Bearer hz_999999999999999999_abcdefghijklmnop", &id, hash), 0);
  HZ_ASSERT_INT_EQ(id, INT64_C(999999999999999999));
  expect_refused("Bearer hz_1000000000000000000_abcdefghijklmnop"); /* 19 digits */
  expect_refused("Bearer hz_99999999999999999999999_abcdefghijklmnop");
  expect_refused("Bearer hz_0_abcdefghijklmnop");
  expect_refused("Bearer hz_000_abcdefghijklmnop");
  expect_refused("Bearer hz_-1_abcdefghijklmnop");
  expect_refused("Bearer hz_+1_abcdefghijklmnop");
  expect_refused("Bearer hz__abcdefghijklmnop");
  expect_refused("Bearer hz_1a_abcdefghijklmnop");
  expect_refused("Bearer hz_ 1_abcdefghijklmnop");
}

HZ_TEST(token_parse_secret_length_bounds) {
  char header[256];
  int64_t id;
  uint8_t hash[32];
  for (size_t n = 0; n <= 140; n++) {
    int len = snprintf(header, sizeof(header), "Bearer hz_5_");
    memset(header + len, 'x', n);
    header[len + (int)n] = '\0';
    int want = (n >= 16 && n <= 128) ? 0 : -EINVAL;
    int r = parse(header, &id, hash);
    if (r != want)
      hz_test_note_("secret of %zu bytes\n", n);
    HZ_ASSERT_INT_EQ(r, want);
  }
}

HZ_TEST(token_parse_refusals) {
  expect_refused(NULL);
  expect_refused("");
  expect_refused("Bearer");
  expect_refused("Bearer ");
  expect_refused("Bearerhz_1_abcdefghijklmnop");
  expect_refused("Basic hz_1_abcdefghijklmnop");
  expect_refused("Bearer\thz_1_abcdefghijklmnop");
  expect_refused(" Bearer hz_1_abcdefghijklmnop");
  expect_refused("Bearer HZ_1_abcdefghijklmnop");
  expect_refused("Bearer hz1_abcdefghijklmnop");
  expect_refused("Bearer hz_1abcdefghijklmnop");
  expect_refused("Bearer hz_1");
  expect_refused("Bearer hz_1_");
  expect_refused("hz_1_abcdefghijklmnop");
}

HZ_TEST(token_parse_hash_covers_the_whole_secret) {
  /* Secrets differing in their last byte must not share a hash. */
  int64_t id;
  uint8_t a[32], b[32];
  HZ_ASSERT_INT_EQ(parse("Bearer hz_3_abcdefghijklmnop", &id, a), 0);
  HZ_ASSERT_INT_EQ(parse("Bearer hz_3_abcdefghijklmnoq", &id, b), 0);
  HZ_ASSERT_FALSE(hz_token_hash_equal(a, b));
  HZ_ASSERT_TRUE(hz_token_hash_equal(a, SECRET16_SHA256));
}
