/* Unit tests for keyset page tokens (api/pgtext.h): clients send back
 * whatever next_page_token they like, so hz_page_token_decode must accept
 * exactly what hz_page_token_encode makes of a valid position and refuse
 * the rest (odd or overlong hex, upper-case or non-hex digits, no
 * separator, a timestamp PostgreSQL could not parse, a key outside
 * [0-9a-f-]) with -EINVAL, leaving its outputs alone, so that a forged
 * token is INVALID_ARGUMENT and never reaches SQL. Lists ordered by a key
 * alone (the Admin lists) use the same format with no timestamp and their
 * own key grammar (hz_page_token_decode_for). Expected tokens are
 * hex-encoded here, independently of the encoder. */
#include <errno.h>
#include <string.h>

#include "api/pgtext.h"
#include "hz_test.h"

#define TS  "2022-04-05T08:30:00.123456Z"
#define KEY "123e4567-e89b-12d3-a456-426614174000"

/* Lower-case hex of s, the token form; out holds 2 * strlen(s) + 1. */
static char *hex_of(const char *s, char *out) {
  static const char digits[] = "0123456789abcdef";
  size_t i = 0;
  for (; s[i]; i++) {
    out[2 * i] = digits[(unsigned char)s[i] >> 4];
    out[2 * i + 1] = digits[(unsigned char)s[i] & 15];
  }
  out[2 * i] = '\0';
  return out;
}

/* tok must be refused; plain (or NULL) names it in the failure text. */
static void expect_refused_as(const char *tok, const char *plain) {
  hz_arena_t a;
  hz_arena_init(&a, 0);
  const char *ts = "untouched", *key = "untouched";
  int r = hz_page_token_decode(&a, tok, &ts, &key);
  if (r != -EINVAL)
    hz_test_note_("token \"%s\" (plain \"%s\")\n", tok, plain ? plain : "?");
  hz_arena_free(&a);
  HZ_ASSERT_INT_EQ(r, -EINVAL);
  HZ_ASSERT_STR_EQ(ts, "untouched");
  HZ_ASSERT_STR_EQ(key, "untouched");
}

static void expect_refused_token(const char *tok) {
  expect_refused_as(tok, NULL);
}

/* The token made of plain text "ts|key" must be refused. */
static void expect_refused_plain(const char *plain) {
  char tok[1024];
  HZ_ASSERT_TRUE(strlen(plain) * 2 < sizeof(tok));
  expect_refused_as(hex_of(plain, tok), plain);
}

HZ_TEST(page_token_round_trip) {
  hz_arena_t a;
  hz_arena_init(&a, 0);
  char want[256];
  char *tok = hz_page_token_encode(&a, TS, KEY);
  HZ_ASSERT_STR_EQ(tok, hex_of(TS "|" KEY, want));
  const char *ts = NULL, *key = NULL;
  HZ_ASSERT_INT_EQ(hz_page_token_decode(&a, tok, &ts, &key), 0);
  HZ_ASSERT_STR_EQ(ts, TS);
  HZ_ASSERT_STR_EQ(key, KEY);
  hz_arena_free(&a);
}

HZ_TEST(page_token_accepts_timestamp_shapes_postgres_prints) {
  const char *stamps[] = {"2022-04-05", "2022-04-05 08:30:00+08", "2022-04-05T08:30:00Z",
                          "2022-04-05 08:30:00.123456+00:00"};
  for (size_t i = 0; i < sizeof(stamps) / sizeof(stamps[0]); i++) {
    hz_arena_t a;
    hz_arena_init(&a, 0);
    char plain[128], tok[256];
    snprintf(plain, sizeof(plain), "%s|%s", stamps[i], "42");
    const char *ts = NULL, *key = NULL;
    int r = hz_page_token_decode(&a, hex_of(plain, tok), &ts, &key);
    if (r != 0)
      hz_test_note_("plain \"%s\"\n", plain);
    HZ_ASSERT_INT_EQ(r, 0);
    HZ_ASSERT_STR_EQ(ts, stamps[i]);
    HZ_ASSERT_STR_EQ(key, "42");
    hz_arena_free(&a);
  }
}

HZ_TEST(page_token_length_bounds) {
  /* 256 hex digits (128 bytes of plain text) is the longest accepted. */
  char plain[129], tok[600];
  memset(plain, 0, sizeof(plain));
  strcpy(plain, TS "|");
  size_t n = strlen(plain);
  memset(plain + n, 'a', 128 - n);
  plain[128] = '\0';
  hz_arena_t a;
  hz_arena_init(&a, 0);
  const char *ts = NULL, *key = NULL;
  HZ_ASSERT_INT_EQ(hz_page_token_decode(&a, hex_of(plain, tok), &ts, &key), 0);
  HZ_ASSERT_STR_EQ(ts, TS);
  HZ_ASSERT_UINT_EQ(strlen(key), 128 - n);
  hz_arena_free(&a);
  char longer[130];
  memcpy(longer, plain, 128);
  longer[128] = 'a';
  longer[129] = '\0';
  expect_refused_token(hex_of(longer, tok)); /* 258 digits */
  hex_of(TS "|abc", tok);
  tok[strlen(tok) - 1] = '\0';
  expect_refused_token(tok); /* odd */
  expect_refused_token("");
}

HZ_TEST(page_token_hex_digits) {
  char tok[256];
  hex_of(TS "|" KEY, tok);
  for (size_t i = 0; tok[i]; i++) /* upper case is not what encode makes */
    if (tok[i] >= 'a' && tok[i] <= 'f')
      tok[i] = (char)(tok[i] - 'a' + 'A');
  expect_refused_token(tok);
  hex_of(TS "|" KEY, tok);
  tok[4] = 'g';
  expect_refused_token(tok);
  hex_of(TS "|" KEY, tok);
  tok[7] = ' ';
  expect_refused_token(tok);
  expect_refused_token("zz");
}

HZ_TEST(page_token_structure_refusals) {
  expect_refused_plain(TS);            /* no separator */
  expect_refused_plain(TS "|");        /* empty key */
  expect_refused_plain("|" KEY);       /* empty timestamp */
  expect_refused_plain("2022-04|abc"); /* timestamp too short */
  expect_refused_plain("2022-04-05T08:30:00.123456789012345678901234Z|abc"); /* > 40 */
  expect_refused_plain(TS "|ABC");                                           /* key upper case */
  expect_refused_plain(TS "|ab'c");                                          /* key quote */
  expect_refused_plain(TS "|ab|c");                                          /* second separator */
  expect_refused_plain(TS "|ab c");
  expect_refused_plain("2022-04-05'; DROP TABLE reports; --|abc");
  expect_refused_plain("now()------|abc");
  expect_refused_plain("2022-04-05x08:30|abc");
}

HZ_TEST(page_token_nul_before_separator_refused) {
  char tok[256];
  hex_of("2022-04-05T08:30:00Z", tok);
  strcat(tok, "00");
  char rest[64];
  strcat(tok, hex_of("|abc", rest));
  expect_refused_token(tok);
}

HZ_TEST(page_token_out_of_memory) {
  hz_arena_t a;
  hz_arena_init(&a, 1); /* no chunk fits */
  char tok[256];
  const char *ts = "untouched", *key = "untouched";
  HZ_ASSERT_INT_EQ(hz_page_token_decode(&a, hex_of(TS "|" KEY, tok), &ts, &key), -ENOMEM);
  HZ_ASSERT_STR_EQ(ts, "untouched");
  HZ_ASSERT_STR_EQ(key, "untouched");
  hz_arena_free(&a);
}

/* A key grammar for the untimed tests: "region/indicator"-like, lower-case
 * letters, digits and one '/' inside. */
static int slash_key_ok(const char *key) {
  const char *slash = strchr(key, '/');
  if (!slash || slash == key || !slash[1] || strchr(slash + 1, '/'))
    return -EINVAL;
  return strspn(key, "abcdefghijklmnopqrstuvwxyz0123456789/") == strlen(key) ? 0 : -EINVAL;
}

/* decode_for must refuse plain text "ts|key" and leave its outputs alone. */
static void expect_refused_for(const char *plain, int timed) {
  char tok[512];
  hz_arena_t a;
  hz_arena_init(&a, 0);
  const char *ts = "untouched", *key = "untouched";
  int r = hz_page_token_decode_for(&a, hex_of(plain, tok), timed, slash_key_ok, &ts, &key);
  if (r != -EINVAL)
    hz_test_note_("plain \"%s\" timed %d\n", plain, timed);
  hz_arena_free(&a);
  HZ_ASSERT_INT_EQ(r, -EINVAL);
  HZ_ASSERT_STR_EQ(ts, "untouched");
  HZ_ASSERT_STR_EQ(key, "untouched");
}

HZ_TEST(page_token_untimed_round_trip) {
  hz_arena_t a;
  hz_arena_init(&a, 0);
  char want[256];
  char *tok = hz_page_token_encode(&a, "", "420624/fai");
  HZ_ASSERT_STR_EQ(tok, hex_of("|420624/fai", want));
  const char *ts = NULL, *key = NULL;
  HZ_ASSERT_INT_EQ(hz_page_token_decode_for(&a, tok, 0, slash_key_ok, &ts, &key), 0);
  HZ_ASSERT_STR_EQ(ts, "");
  HZ_ASSERT_STR_EQ(key, "420624/fai");
  hz_arena_free(&a);
}

HZ_TEST(page_token_for_refuses_what_the_list_does_not_make) {
  expect_refused_for("|420624", 0); /* the list's key grammar */
  expect_refused_for("|420624/Fai", 0);
  expect_refused_for("|a/b/c", 0);
  expect_refused_for("|", 0);              /* empty key */
  expect_refused_for(TS "|420624/fai", 0); /* a timestamp in an untimed list */
  expect_refused_for("|420624/fai", 1);    /* none in a timed one */
  expect_refused_for("420624/fai", 0);     /* no separator */
  expect_refused_for("2022-04|420624/fai", 1);
}

HZ_TEST(page_token_for_timed_with_own_key) {
  hz_arena_t a;
  hz_arena_init(&a, 0);
  char tok[256];
  const char *ts = NULL, *key = NULL;
  HZ_ASSERT_INT_EQ(
      hz_page_token_decode_for(&a, hex_of(TS "|ab/c9", tok), 1, slash_key_ok, &ts, &key), 0);
  HZ_ASSERT_STR_EQ(ts, TS);
  HZ_ASSERT_STR_EQ(key, "ab/c9");
  /* hz_page_token_decode's grammar ([0-9a-f-]) is not this list's. */
  ts = key = "untouched";
  HZ_ASSERT_INT_EQ(hz_page_token_decode(&a, tok, &ts, &key), -EINVAL);
  HZ_ASSERT_STR_EQ(key, "untouched");
  hz_arena_free(&a);
}
