/* Unit tests for the request text check (wire/pbtext.h) and the UTF-8 rule
 * under it (wire/utf8.h): strings at any depth, the field path with
 * repeated indexes, NUL and each kind of ill-formed UTF-8, fields the check
 * must leave alone, and encodings it must call malformed.
 *
 * Messages are packed by protobuf-c with placeholder text, then the
 * placeholder's bytes are overwritten in place (same length), which is how
 * a client sends what protobuf-c itself would never produce. */
#include <errno.h>

#include "hz_test.h"
#include "huizong/v1/reporting.pb-c.h"
#include "wire/pbtext.h"
#include "wire/utf8.h"

#define BUF_MAX 4096

typedef Huizong__V1__SubmitRequest submit_t;
typedef Huizong__V1__IndicatorValue value_t;

/* A packed SubmitRequest with three values; texts given per field. */
typedef struct packed_s {
  uint8_t buf[BUF_MAX]; /* the encoding */
  size_t len;           /* its length */
} packed_t;

static void pack_submit(packed_t *out, const char *narrative, const char *codes[3],
                        const char *comments[3]) {
  submit_t req = HUIZONG__V1__SUBMIT_REQUEST__INIT;
  value_t v[3];
  value_t *vp[3];
  for (int i = 0; i < 3; i++) {
    huizong__v1__indicator_value__init(&v[i]);
    v[i].indicator_code = (char *)codes[i];
    v[i].value = "1.5";
    v[i].comment = (char *)comments[i];
    vp[i] = &v[i];
  }
  req.submission_id = "6f1c2e7a-0000-4000-8000-000000000001";
  req.region_code = "420624101";
  req.period = "2022Q1";
  req.values = vp;
  req.n_values = 3;
  req.narrative = (char *)narrative;
  HZ_ASSERT_TRUE(huizong__v1__submit_request__get_packed_size(&req) <= BUF_MAX);
  out->len = huizong__v1__submit_request__pack(&req, out->buf);
}

/* Overwrites the only occurrence of placeholder with bytes (same length). */
static void patch(packed_t *p, const char *placeholder, const char *bytes, size_t n) {
  HZ_ASSERT_UINT_EQ(strlen(placeholder), n);
  uint8_t *hit = NULL;
  for (size_t i = 0; i + n <= p->len; i++)
    if (!memcmp(p->buf + i, placeholder, n)) {
      HZ_ASSERT_TRUE(hit == NULL);
      hit = p->buf + i;
    }
  HZ_ASSERT_TRUE(hit != NULL);
  memcpy(hit, bytes, n);
}

static int check(const packed_t *p, hz_pb_text_error_t *err) {
  return hz_pb_text_check(&huizong__v1__submit_request__descriptor, p->buf, p->len, err);
}

static const char *codes_ok[3] = {"fai", "tax", "pigs"};
static const char *comments_ok[3] = {"", "估计", "PLACEHOLDER2"};

HZ_TEST(pbtext_valid_text_passes) {
  packed_t p;
  hz_pb_text_error_t err;
  pack_submit(&p, "南漳县 工作总结 \xF0\x9F\x98\x80 ok", codes_ok, comments_ok);
  HZ_ASSERT_INT_EQ(check(&p, &err), 0);
  HZ_ASSERT_INT_EQ(hz_pb_text_check(&huizong__v1__submit_request__descriptor, p.buf, 0, &err), 0);
}

HZ_TEST(pbtext_nul_in_narrative) {
  packed_t p;
  hz_pb_text_error_t err;
  pack_submit(&p, "abcXdef", codes_ok, comments_ok);
  patch(&p, "abcXdef", "abc\0def", 7);
  HZ_ASSERT_INT_EQ(check(&p, &err), 1);
  HZ_ASSERT_STR_EQ(err.path, "narrative");
  HZ_ASSERT_STR_EQ(err.why, "contains a NUL byte");
  HZ_ASSERT_UINT_EQ(err.offset, 3);
}

HZ_TEST(pbtext_repeated_message_index_in_path) {
  packed_t p;
  hz_pb_text_error_t err;
  pack_submit(&p, "", codes_ok, comments_ok);
  patch(&p, "PLACEHOLDER2", "bad \xFF\xFE here", 12);
  HZ_ASSERT_INT_EQ(check(&p, &err), 1);
  HZ_ASSERT_STR_EQ(err.path, "values[2].comment");
  HZ_ASSERT_STR_EQ(err.why, "is not valid UTF-8");
  HZ_ASSERT_UINT_EQ(err.offset, 4);
}

HZ_TEST(pbtext_nul_in_first_code) {
  const char *codes[3] = {"aXb", "tax", "pigs"};
  packed_t p;
  hz_pb_text_error_t err;
  pack_submit(&p, "", codes, comments_ok);
  patch(&p, "aXb", "a\0b", 3);
  HZ_ASSERT_INT_EQ(check(&p, &err), 1);
  HZ_ASSERT_STR_EQ(err.path, "values[0].indicator_code");
}

HZ_TEST(pbtext_every_kind_of_bad_utf8) {
  /* Each 4 bytes, placed in the narrative "..WXYZ..". */
  static const char *bad[] = {
      "\xC0\x80xx",       /* overlong NUL */
      "\xE0\x80\xAFx",    /* overlong '/' */
      "\xED\xA0\x80x",    /* UTF-16 surrogate */
      "\xF4\x90\x80\x80", /* above U+10FFFF */
      "\x80xxx",          /* stray continuation */
      "xx\xE5\x8D",       /* cut short at the end */
      "\xF5\x80\x80\x80", /* never a lead byte */
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    packed_t p;
    hz_pb_text_error_t err;
    pack_submit(&p, "WXYZ", codes_ok, comments_ok);
    patch(&p, "WXYZ", bad[i], 4);
    HZ_ASSERT_INT_EQ(check(&p, &err), 1);
    HZ_ASSERT_STR_EQ(err.path, "narrative");
    HZ_ASSERT_STR_EQ(err.why, "is not valid UTF-8");
  }
}

HZ_TEST(pbtext_first_problem_in_byte_order) {
  packed_t p;
  hz_pb_text_error_t err;
  pack_submit(&p, "aXbYc", codes_ok, comments_ok);
  patch(&p, "aXbYc",
        "a\xFF"
        "b\0c",
        5);
  HZ_ASSERT_INT_EQ(check(&p, &err), 1);
  HZ_ASSERT_STR_EQ(err.why, "is not valid UTF-8");
  HZ_ASSERT_UINT_EQ(err.offset, 1);
}

HZ_TEST(pbtext_unknown_fields_and_scalars_left_alone) {
  /* field 15, wire type 2, invalid bytes: unknown, kept as bytes by
   * protobuf-c; field 6 (dry_run) varint; field 14 fixed32 and 13 fixed64. */
  static const uint8_t msg[] = {0x7A, 0x03, 0xFF, 0x00, 0xFE, 0x30, 0x01, 0x75, 1, 2, 3,
                                4,    0x69, 1,    2,    3,    4,    5,    6,    7, 8};
  hz_pb_text_error_t err;
  HZ_ASSERT_INT_EQ(
      hz_pb_text_check(&huizong__v1__submit_request__descriptor, msg, sizeof(msg), &err), 0);
}

HZ_TEST(pbtext_malformed_encodings) {
  static const struct {
    const char *what;
    uint8_t bytes[12];
    size_t len;
  } cases[] = {
      {"length past the end", {0x2A, 0x05, 'a', 'b'}, 4},
      {"cut inside a varint", {0x30, 0x80}, 2},
      {"tag of 6 bytes", {0xAA, 0x80, 0x80, 0x80, 0x80, 0x00, 0x00}, 7},
      {"start group", {0x2B, 0x2C}, 2},
      {"wire type 7", {0x2F, 0x00}, 2},
      {"fixed64 cut short", {0x69, 1, 2, 3}, 4},
      {"varint of 11 bytes",
       {0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01},
       12},
      {"bad inside a value", {0x22, 0x02, 0x0A, 0x05}, 4},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    hz_pb_text_error_t err;
    int r = hz_pb_text_check(&huizong__v1__submit_request__descriptor, cases[i].bytes, cases[i].len,
                             &err);
    if (r != -EBADMSG)
      fprintf(stderr, "# case: %s\n", cases[i].what);
    HZ_ASSERT_INT_EQ(r, -EBADMSG);
    /* protobuf-c refuses each of them too. */
    HZ_ASSERT_TRUE(protobuf_c_message_unpack(&huizong__v1__submit_request__descriptor, NULL,
                                             cases[i].len, cases[i].bytes) == NULL);
  }
}

HZ_TEST(utf8_check_offsets) {
  size_t bad;
  HZ_ASSERT_INT_EQ(hz_wire_utf8_check("", 0, &bad), 0);
  HZ_ASSERT_INT_EQ(hz_wire_utf8_check("a\0b", 3, &bad), -EINVAL);
  HZ_ASSERT_UINT_EQ(bad, 1);
  HZ_ASSERT_INT_EQ(hz_wire_utf8_check("汇总", 6, &bad), 0);
  HZ_ASSERT_INT_EQ(hz_wire_utf8_check("汇总", 5, &bad), -EINVAL);
  HZ_ASSERT_UINT_EQ(bad, 3);
  HZ_ASSERT_INT_EQ(hz_wire_utf8_check("ab\xC0\x80", 4, &bad), -EINVAL);
  HZ_ASSERT_UINT_EQ(bad, 2);
}
