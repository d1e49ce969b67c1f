/* Unit tests for gRPC status names and the grpc-message percent-encoding
 * (wire/status.h): round trips of UTF-8 text and every byte value, and
 * malformed escapes kept literally on decode. */
#include "hz_test.h"
#include "wire/status.h"

/* Encodes a NUL-terminated string and checks the result and its length. */
static void expect_encode(const char *in, const char *want) {
  size_t n = 12345;
  char *got = hz_pct_encode(in, strlen(in), &n);
  HZ_ASSERT_TRUE(got != NULL);
  HZ_ASSERT_STR_EQ(got, want);
  HZ_ASSERT_UINT_EQ(n, strlen(want));
  free(got);
}

static void expect_decode(const char *in, const char *want) {
  size_t n = 12345;
  char *got = hz_pct_decode(in, strlen(in), &n);
  HZ_ASSERT_TRUE(got != NULL);
  HZ_ASSERT_STR_EQ(got, want);
  HZ_ASSERT_UINT_EQ(n, strlen(want));
  free(got);
}

/* decode(encode(x)) == x, and the encoded form is printable ASCII. */
static void expect_round_trip(const char *in, size_t len) {
  size_t elen = 0, dlen = 0;
  char *enc = hz_pct_encode(in, len, &elen);
  HZ_ASSERT_TRUE(enc != NULL);
  HZ_ASSERT_UINT_EQ(strlen(enc), elen);
  for (size_t i = 0; i < elen; i++)
    HZ_ASSERT_TRUE(enc[i] >= 0x20 && enc[i] <= 0x7e);
  char *dec = hz_pct_decode(enc, elen, &dlen);
  HZ_ASSERT_TRUE(dec != NULL);
  HZ_ASSERT_UINT_EQ(dlen, len);
  HZ_ASSERT_MEM_EQ(dec, in, len);
  HZ_ASSERT_INT_EQ(dec[dlen], '\0');
  free(enc);
  free(dec);
}

HZ_TEST(status_names) {
  static const char *const want[] = {"OK",
                                     "CANCELLED",
                                     "UNKNOWN",
                                     "INVALID_ARGUMENT",
                                     "DEADLINE_EXCEEDED",
                                     "NOT_FOUND",
                                     "ALREADY_EXISTS",
                                     "PERMISSION_DENIED",
                                     "RESOURCE_EXHAUSTED",
                                     "FAILED_PRECONDITION",
                                     "ABORTED",
                                     "OUT_OF_RANGE",
                                     "UNIMPLEMENTED",
                                     "INTERNAL",
                                     "UNAVAILABLE",
                                     "DATA_LOSS",
                                     "UNAUTHENTICATED"};
  for (int code = 0; code <= 16; code++)
    HZ_ASSERT_STR_EQ(hz_status_name(code), want[code]);
  HZ_ASSERT_STR_EQ(hz_status_name(HZ_STATUS_NOT_FOUND), "NOT_FOUND");
  HZ_ASSERT_STR_EQ(hz_status_name(-1), "UNKNOWN");
  HZ_ASSERT_STR_EQ(hz_status_name(17), "UNKNOWN");
  HZ_ASSERT_STR_EQ(hz_status_name(1000000), "UNKNOWN");
}

HZ_TEST(status_codes_match_grpc) {
  HZ_ASSERT_INT_EQ(HZ_STATUS_DEADLINE_EXCEEDED, 4);
  HZ_ASSERT_INT_EQ(HZ_STATUS_RESOURCE_EXHAUSTED, 8);
  HZ_ASSERT_INT_EQ(HZ_STATUS_UNIMPLEMENTED, 12);
  HZ_ASSERT_INT_EQ(HZ_STATUS_INTERNAL, 13);
  HZ_ASSERT_INT_EQ(HZ_STATUS_UNAUTHENTICATED, 16);
}

HZ_TEST(encode_leaves_printable_ascii_alone) {
  expect_encode("", "");
  expect_encode("hello world", "hello world");
  expect_encode(" !\"#$&'()*+,-./0123456789:;<=>?@AZ[\\]^_`az{|}~",
                " !\"#$&'()*+,-./0123456789:;<=>?@AZ[\\]^_`az{|}~");
}

HZ_TEST(encode_escapes_percent) {
  expect_encode("%", "%25");
  expect_encode("100%", "100%25");
  expect_encode("%25", "%2525");
}

HZ_TEST(encode_escapes_controls_and_high_bytes) {
  expect_encode("a\nb\tc\r", "a%0Ab%09c%0D");
  expect_encode("\x1f\x7f\x80\xff", "%1F%7F%80%FF");
  /* An embedded NUL counts by length, not by terminator. */
  size_t n = 0;
  char *got = hz_pct_encode("a\0b", 3, &n);
  HZ_ASSERT_STR_EQ(got, "a%00b");
  HZ_ASSERT_UINT_EQ(n, 5);
  free(got);
}

HZ_TEST(encode_utf8_chinese) {
  /* 汇总 is E6 B1 87 E6 80 BB in UTF-8. */
  expect_encode("汇总", "%E6%B1%87%E6%80%BB");
  expect_encode("南漳县: not found", "%E5%8D%97%E6%BC%B3%E5%8E%BF: not found");
}

HZ_TEST(encode_accepts_null_out_len) {
  char *got = hz_pct_encode("x%", 2, NULL);
  HZ_ASSERT_STR_EQ(got, "x%25");
  free(got);
  got = hz_pct_decode("x%25", 4, NULL);
  HZ_ASSERT_STR_EQ(got, "x%");
  free(got);
}

HZ_TEST(decode_valid_sequences) {
  expect_decode("", "");
  expect_decode("plain", "plain");
  expect_decode("%25", "%");
  expect_decode("%E6%B1%87%E6%80%BB", "汇总");
  expect_decode("%e6%b1%87%e6%80%bb", "汇总");
  expect_decode("%41", "A");
  expect_decode("x%41", "xA");
  expect_decode("%41x", "Ax");
  /* Only %XX is special: '+' is not a space in grpc-message. */
  expect_decode("a+b", "a+b");
}

HZ_TEST(decode_keeps_malformed_sequences_literally) {
  expect_decode("%", "%");
  expect_decode("%4", "%4");
  expect_decode("abc%", "abc%");
  expect_decode("100%", "100%");
  expect_decode("%G1", "%G1");
  expect_decode("%4G", "%4G");
  expect_decode("% 41", "% 41");
  expect_decode("%%41", "%A");
  expect_decode("%%%", "%%%");
  expect_decode("50% off, %zz and %E6%B1", "50% off, %zz and \xE6\xB1");
}

HZ_TEST(decode_embedded_nul) {
  size_t n = 0;
  char *got = hz_pct_decode("a%00b", 5, &n);
  HZ_ASSERT_UINT_EQ(n, 3);
  HZ_ASSERT_MEM_EQ(got, "a\0b", 4);
  free(got);
}

HZ_TEST(decode_respects_length) {
  size_t n = 0;
  /* The length ends inside an escape: the rest must not be read. */
  char *got = hz_pct_decode("ab%41", 4, &n);
  HZ_ASSERT_STR_EQ(got, "ab%4");
  HZ_ASSERT_UINT_EQ(n, 4);
  free(got);
}

HZ_TEST(round_trip_chinese_text_and_percent) {
  const char *texts[] = {
      "南漳县 2022Q1: 固定资产投资 4.9亿元, 同比增长 28%",
      "占全年任务1550万的55%",
      "%%%",
      "%E6 is not an escape here",
      "emoji 😀 and tab\t",
  };
  for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
    expect_round_trip(texts[i], strlen(texts[i]));
}

HZ_TEST(round_trip_every_byte_value) {
  char all[256];
  for (int i = 0; i < 256; i++)
    all[i] = (char)i;
  expect_round_trip(all, sizeof(all));
  for (int i = 0; i < 256; i++)
    expect_round_trip(all + i, 1);
}
