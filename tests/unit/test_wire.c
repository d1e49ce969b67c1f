/* Unit tests for the wire runtime shared by client and server
 * (proto/wire/): UUID syntax, host:port, UTF-8 validation and decoding,
 * and the gRPC content-type classification. Each case names the rule of
 * the module's grammar it pins down. */
#include <errno.h>
#include <string.h>

#include "hz_test.h"
#include "wire/content_type.h"
#include "wire/hostport.h"
#include "wire/utf8.h"
#include "wire/uuid.h"

/* ---- UUID ---- */

HZ_TEST(uuid_accepts_either_case_and_any_version) {
  HZ_ASSERT_INT_EQ(hz_wire_uuid_check("123e4567-e89b-12d3-a456-426614174000"), 0);
  HZ_ASSERT_INT_EQ(hz_wire_uuid_check("123E4567-E89B-42D3-A456-426614174000"), 0);
  HZ_ASSERT_INT_EQ(hz_wire_uuid_check("00000000-0000-0000-0000-000000000000"), 0);
}

HZ_TEST(uuid_refuses_other_forms) {
  HZ_ASSERT_INT_EQ(hz_wire_uuid_check(NULL), -EINVAL);
  HZ_ASSERT_INT_EQ(hz_wire_uuid_check(""), -EINVAL);
  HZ_ASSERT_INT_EQ(hz_wire_uuid_check("123e4567e89b12d3a456426614174000"), -EINVAL);
  HZ_ASSERT_INT_EQ(hz_wire_uuid_check("{123e4567-e89b-12d3-a456-426614174000}"), -EINVAL);
  HZ_ASSERT_INT_EQ(hz_wire_uuid_check("urn:uuid:123e4567-e89b-12d3-a456-426614174000"), -EINVAL);
  HZ_ASSERT_INT_EQ(hz_wire_uuid_check("123e4567-e89b-12d3-a456-42661417400"), -EINVAL);
  HZ_ASSERT_INT_EQ(hz_wire_uuid_check("123e4567-e89b-12d3-a456-4266141740000"), -EINVAL);
  HZ_ASSERT_INT_EQ(hz_wire_uuid_check("123e4567-e89b-12d3-a456-42661417400g"), -EINVAL);
  HZ_ASSERT_INT_EQ(hz_wire_uuid_check("123e4567+e89b-12d3-a456-426614174000"), -EINVAL);
  HZ_ASSERT_INT_EQ(hz_wire_uuid_check(" 23e4567-e89b-12d3-a456-426614174000"), -EINVAL);
}

HZ_TEST(uuid_normalize_lowers_and_refuses) {
  char out[HZ_WIRE_UUID_TEXT_SIZE] = "untouched";
  HZ_ASSERT_INT_EQ(hz_wire_uuid_normalize("123E4567-E89B-42D3-A456-42661417400F", out), 0);
  HZ_ASSERT_STR_EQ(out, "123e4567-e89b-42d3-a456-42661417400f");
  char keep[HZ_WIRE_UUID_TEXT_SIZE] = "untouched";
  HZ_ASSERT_INT_EQ(hz_wire_uuid_normalize("not-a-uuid", keep), -EINVAL);
  HZ_ASSERT_STR_EQ(keep, "untouched");
}

/* The forms huizongd's own copy of the check pinned before the server
 * switched to this one: a mixed-case and a version 7 id pass, a separator
 * other than '-', a hyphen one place off, blanks at either end and a
 * non-ASCII digit do not, and a lower-case id is its own normal form. */
HZ_TEST(uuid_forms_the_server_relies_on) {
  HZ_ASSERT_INT_EQ(hz_wire_uuid_check("FFFFFFFF-ffff-FFFF-ffff-FFFFFFFFFFFF"), 0);
  HZ_ASSERT_INT_EQ(hz_wire_uuid_check("018f3c6a-7b2e-7c4d-9e1f-0a1b2c3d4e5f"), 0);
  const char *bad[] = {
      "123e4567-e89b-12d3-a456_426614174000",
      "123e4567-e89b-12d3a-456-426614174000",
      "123e4567-e89b-12d3-a456-42661417400 ",
      "123e4567-e89b-12d3-a456-4266141740\xc3\xa9",
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    HZ_ASSERT_INT_EQ(hz_wire_uuid_check(bad[i]), -EINVAL);
  char out[HZ_WIRE_UUID_TEXT_SIZE];
  HZ_ASSERT_INT_EQ(hz_wire_uuid_normalize("123e4567-e89b-12d3-a456-426614174000", out), 0);
  HZ_ASSERT_STR_EQ(out, "123e4567-e89b-12d3-a456-426614174000");
}

/* ---- host:port ---- */

static void expect_hp(const char *in, unsigned flags, const char *host, hz_wire_host_kind_t kind,
                      int has_port, unsigned port) {
  hz_wire_hostport_t hp;
  char err[160] = "";
  int rc = hz_wire_hostport_parse(in, strlen(in), flags, &hp, err, sizeof(err));
  if (rc != 0)
    hz_test_note_("parsing '%s' failed: %s\n", in, err);
  HZ_ASSERT_INT_EQ(rc, 0);
  HZ_ASSERT_STR_EQ(hp.host, host);
  HZ_ASSERT_INT_EQ(hp.kind, kind);
  HZ_ASSERT_INT_EQ(hp.has_port, has_port);
  HZ_ASSERT_UINT_EQ(hp.port, port);
}

/* Refused with -EINVAL, a reason mentioning want, and nothing left in out. */
static void expect_hp_refused(const char *in, unsigned flags, const char *want) {
  hz_wire_hostport_t hp;
  char err[160] = "";
  HZ_ASSERT_INT_EQ(hz_wire_hostport_parse(in, strlen(in), flags, &hp, err, sizeof(err)), -EINVAL);
  if (!strstr(err, want))
    hz_test_note_("input '%s': reason '%s' lacks '%s'\n", in, err, want);
  HZ_ASSERT_TRUE(strstr(err, want) != NULL);
  HZ_ASSERT_STR_EQ(hp.host, "");
  HZ_ASSERT_UINT_EQ(hp.port, 0);
}

HZ_TEST(hostport_names_and_ipv4) {
  expect_hp("localhost:50051", 0, "localhost", HZ_WIRE_HOST_NAME, 1, 50051);
  expect_hp("127.0.0.1:1", 0, "127.0.0.1", HZ_WIRE_HOST_IPV4, 1, 1);
  expect_hp("stats.county-42.example:65535", 0, "stats.county-42.example", HZ_WIRE_HOST_NAME, 1,
            65535);
  expect_hp("1.2.3:80", 0, "1.2.3", HZ_WIRE_HOST_NAME, 1, 80);
}

HZ_TEST(hostport_ipv6_in_brackets) {
  expect_hp("[::1]:50051", 0, "::1", HZ_WIRE_HOST_IPV6, 1, 50051);
  expect_hp("[2001:db8::5]:443", 0, "2001:db8::5", HZ_WIRE_HOST_IPV6, 1, 443);
  expect_hp("[fe80::1]", HZ_WIRE_HP_PORT_OPTIONAL, "fe80::1", HZ_WIRE_HOST_IPV6, 0, 0);
  expect_hp_refused("::1:50051", 0, "brackets");
  expect_hp_refused("[::1", 0, "missing ']'");
  expect_hp_refused("[::1]x", 0, "after ']'");
  expect_hp_refused("[]:1", 0, "invalid IPv6");
  expect_hp_refused("[zz::q]:1", 0, "invalid IPv6");
  expect_hp_refused("[127.0.0.1]:1", 0, "invalid IPv6");
}

HZ_TEST(hostport_port_range_and_presence) {
  expect_hp_refused("host:0", 0, "invalid port");
  expect_hp("0.0.0.0:0", HZ_WIRE_HP_PORT_ZERO, "0.0.0.0", HZ_WIRE_HOST_IPV4, 1, 0);
  expect_hp_refused("host:65536", 0, "invalid port");
  expect_hp_refused("host:65536", HZ_WIRE_HP_PORT_ZERO, "invalid port");
  expect_hp_refused("host:123456", 0, "invalid port");
  expect_hp_refused("host:-1", 0, "invalid port");
  expect_hp_refused("host:+80", 0, "invalid port");
  expect_hp_refused("host: 80", 0, "invalid port");
  expect_hp_refused("host:80 ", 0, "invalid port");
  expect_hp_refused("host:http", 0, "invalid port");
  expect_hp_refused("host:", 0, "missing port");
  expect_hp_refused("host:", HZ_WIRE_HP_PORT_OPTIONAL, "missing port");
  expect_hp_refused("[::1]:", 0, "missing port");
  expect_hp_refused("host", 0, "missing port");
  expect_hp_refused("[::1]", 0, "missing port");
  expect_hp("host", HZ_WIRE_HP_PORT_OPTIONAL, "host", HZ_WIRE_HOST_NAME, 0, 0);
  expect_hp("h:00080", 0, "h", HZ_WIRE_HOST_NAME, 1, 80);
}

HZ_TEST(hostport_bad_hosts) {
  expect_hp_refused("", 0, "missing host");
  expect_hp_refused(":50051", 0, "invalid host");
  expect_hp_refused("-bad:1", 0, "invalid host");
  expect_hp_refused(".bad:1", 0, "invalid host");
  expect_hp_refused("a..b:1", 0, "invalid host");
  expect_hp_refused("h st:1", 0, "invalid host");
  expect_hp_refused("user@h:1", 0, "invalid host");
  expect_hp_refused("h/path:1", 0, "invalid host");
  expect_hp_refused("\xe5\x8d\x97\xe6\xbc\xb3:1", 0, "invalid host");
  char long_name[300];
  memset(long_name, 'a', 254);
  strcpy(long_name + 254, ":1");
  expect_hp_refused(long_name, 0, "invalid host");
  long_name[253] = '\0';
  expect_hp(long_name, HZ_WIRE_HP_PORT_OPTIONAL, long_name, HZ_WIRE_HOST_NAME, 0, 0);
}

HZ_TEST(hostport_reads_only_len_bytes_and_tolerates_no_err_buffer) {
  hz_wire_hostport_t hp;
  HZ_ASSERT_INT_EQ(hz_wire_hostport_parse("h:80garbage", 4, 0, &hp, NULL, 0), 0);
  HZ_ASSERT_UINT_EQ(hp.port, 80);
  HZ_ASSERT_INT_EQ(hz_wire_hostport_parse(NULL, 0, 0, &hp, NULL, 0), -EINVAL);
  char tiny[4] = "zzz";
  HZ_ASSERT_INT_EQ(hz_wire_hostport_parse("h:0", 3, 0, &hp, tiny, sizeof(tiny)), -EINVAL);
  HZ_ASSERT_UINT_EQ(strlen(tiny), 3);
}

HZ_TEST(hostport_format_is_the_authority_form) {
  hz_wire_hostport_t hp;
  char buf[300];
  HZ_ASSERT_INT_EQ(hz_wire_hostport_parse("[::1]:50051", 11, 0, &hp, NULL, 0), 0);
  HZ_ASSERT_INT_EQ(hz_wire_hostport_format(&hp, buf, sizeof(buf)), 0);
  HZ_ASSERT_STR_EQ(buf, "[::1]:50051");
  HZ_ASSERT_INT_EQ(hz_wire_hostport_parse("example.org:443", 15, 0, &hp, NULL, 0), 0);
  HZ_ASSERT_INT_EQ(hz_wire_hostport_format(&hp, buf, sizeof(buf)), 0);
  HZ_ASSERT_STR_EQ(buf, "example.org:443");
  HZ_ASSERT_INT_EQ(hz_wire_hostport_format(&hp, buf, 15), -ENOSPC);
}

/* ---- UTF-8 ---- */

/* hz_wire_utf8_check on a literal, with the offset it blames. */
static int check_at(const char *s, size_t len, size_t *bad) {
  return hz_wire_utf8_check(s, len, bad);
}

HZ_TEST(utf8_accepts_well_formed_text) {
  size_t bad = 99;
  const char *zh = "\xe5\x8d\x97\xe6\xbc\xb3\xe5\x8e\xbf 4.9\xe4\xba\xbf";
  HZ_ASSERT_INT_EQ(check_at(zh, strlen(zh), &bad), 0);
  HZ_ASSERT_UINT_EQ(bad, strlen(zh));
  HZ_ASSERT_INT_EQ(check_at("", 0, NULL), 0);
  /* Boundaries: U+007F, U+0080, U+07FF, U+0800, U+D7FF, U+E000, U+FFFF,
   * U+10000, U+10FFFF, and U+FFFD itself. */
  static const char *edges[] = {
      "\x7f",         "\xc2\x80",     "\xdf\xbf",         "\xe0\xa0\x80",     "\xed\x9f\xbf",
      "\xee\x80\x80", "\xef\xbf\xbf", "\xf0\x90\x80\x80", "\xf4\x8f\xbf\xbf", "\xef\xbf\xbd"};
  for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++)
    HZ_ASSERT_INT_EQ(check_at(edges[i], strlen(edges[i]), NULL), 0);
}

HZ_TEST(utf8_refuses_overlongs) {
  size_t bad;
  HZ_ASSERT_INT_EQ(check_at("a\xc0\xaf", 3, &bad), -EINVAL); /* '/' in two bytes */
  HZ_ASSERT_UINT_EQ(bad, 1);
  HZ_ASSERT_INT_EQ(check_at("\xc1\xbf", 2, NULL), -EINVAL);
  HZ_ASSERT_INT_EQ(check_at("\xe0\x80\xaf", 3, NULL), -EINVAL);
  HZ_ASSERT_INT_EQ(check_at("\xe0\x9f\xbf", 3, NULL), -EINVAL);
  HZ_ASSERT_INT_EQ(check_at("\xf0\x80\x80\xaf", 4, NULL), -EINVAL);
  HZ_ASSERT_INT_EQ(check_at("\xf0\x8f\xbf\xbf", 4, NULL), -EINVAL);
}

HZ_TEST(utf8_refuses_surrogates_and_beyond_u10ffff) {
  size_t bad;
  HZ_ASSERT_INT_EQ(check_at("ok\xed\xa0\x80", 5, &bad), -EINVAL); /* lone U+D800 */
  HZ_ASSERT_UINT_EQ(bad, 2);
  HZ_ASSERT_INT_EQ(check_at("\xed\xbf\xbf", 3, NULL), -EINVAL);             /* U+DFFF */
  HZ_ASSERT_INT_EQ(check_at("\xed\xa0\xbd\xed\xb2\xa9", 6, NULL), -EINVAL); /* CESU pair */
  HZ_ASSERT_INT_EQ(check_at("\xf4\x90\x80\x80", 4, NULL), -EINVAL);         /* U+110000 */
  HZ_ASSERT_INT_EQ(check_at("\xf5\x80\x80\x80", 4, NULL), -EINVAL);
  HZ_ASSERT_INT_EQ(check_at("\xff", 1, NULL), -EINVAL);
}

HZ_TEST(utf8_refuses_truncation_stray_continuations_and_nul) {
  size_t bad;
  HZ_ASSERT_INT_EQ(check_at("ab\xe5\x8d", 4, &bad), -EINVAL);
  HZ_ASSERT_UINT_EQ(bad, 2);
  /* The length bounds the read: a full sequence cut by len is truncated. */
  HZ_ASSERT_INT_EQ(check_at("\xe5\x8d\x97", 2, NULL), -EINVAL);
  HZ_ASSERT_INT_EQ(check_at("\x80", 1, NULL), -EINVAL);
  HZ_ASSERT_INT_EQ(check_at("\xe5\x41\x97", 3, NULL), -EINVAL);
  HZ_ASSERT_INT_EQ(check_at("abc\0def", 7, &bad), -EINVAL);
  HZ_ASSERT_UINT_EQ(bad, 3);
  HZ_ASSERT_INT_EQ(check_at("\0", 1, &bad), -EINVAL);
  HZ_ASSERT_UINT_EQ(bad, 0);
}

HZ_TEST(utf8_decode_gives_code_points_and_zero_for_invalid) {
  uint32_t cp = 7;
  HZ_ASSERT_UINT_EQ(hz_wire_utf8_decode((const uint8_t *)"\xe5\x8d\x97", 3, &cp), 3);
  HZ_ASSERT_UINT_EQ(cp, 0x5357);
  HZ_ASSERT_UINT_EQ(hz_wire_utf8_decode((const uint8_t *)"\xf0\x9f\x90\x96", 4, &cp), 4);
  HZ_ASSERT_UINT_EQ(cp, 0x1F416);
  HZ_ASSERT_UINT_EQ(hz_wire_utf8_decode((const uint8_t *)"\0", 1, &cp), 1);
  HZ_ASSERT_UINT_EQ(cp, 0);
  cp = 7;
  HZ_ASSERT_UINT_EQ(hz_wire_utf8_decode((const uint8_t *)"\xed\xa0\x80", 3, &cp), 0);
  HZ_ASSERT_UINT_EQ(hz_wire_utf8_decode((const uint8_t *)"\xc0\x80", 2, &cp), 0);
  HZ_ASSERT_UINT_EQ(hz_wire_utf8_decode((const uint8_t *)"a", 0, &cp), 0);
  HZ_ASSERT_UINT_EQ(cp, 7);
}

/* ---- content-type ---- */

static void expect_ct(const char *v, hz_wire_ct_kind_t kind, hz_wire_codec_t codec) {
  hz_wire_codec_t got = (hz_wire_codec_t)99;
  hz_wire_ct_kind_t k = hz_wire_content_type(v, strlen(v), &got);
  if (k != kind || got != codec)
    hz_test_note_("content-type '%s': kind %d codec %d\n", v, (int)k, (int)got);
  HZ_ASSERT_INT_EQ(k, kind);
  HZ_ASSERT_INT_EQ(got, codec);
}

HZ_TEST(content_type_grpc_and_its_codecs) {
  expect_ct("application/grpc", HZ_WIRE_CT_GRPC, HZ_WIRE_CODEC_IMPLIED);
  expect_ct("application/grpc+proto", HZ_WIRE_CT_GRPC, HZ_WIRE_CODEC_PROTO);
  expect_ct("application/grpc+json", HZ_WIRE_CT_GRPC, HZ_WIRE_CODEC_OTHER);
  expect_ct("application/grpc+", HZ_WIRE_CT_GRPC, HZ_WIRE_CODEC_OTHER);
  expect_ct("application/grpc+protobuf", HZ_WIRE_CT_GRPC, HZ_WIRE_CODEC_OTHER);
}

HZ_TEST(content_type_is_case_insensitive) {
  expect_ct("APPLICATION/GRPC", HZ_WIRE_CT_GRPC, HZ_WIRE_CODEC_IMPLIED);
  expect_ct("Application/gRPC+Proto", HZ_WIRE_CT_GRPC, HZ_WIRE_CODEC_PROTO);
  expect_ct("application/GRPC-WEB-TEXT", HZ_WIRE_CT_GRPC_WEB_TEXT, HZ_WIRE_CODEC_IMPLIED);
}

HZ_TEST(content_type_parameters_are_ignored) {
  expect_ct("application/grpc;charset=utf-8", HZ_WIRE_CT_GRPC, HZ_WIRE_CODEC_IMPLIED);
  expect_ct("application/grpc+proto; charset=utf-8", HZ_WIRE_CT_GRPC, HZ_WIRE_CODEC_PROTO);
  expect_ct("application/grpc ;x=y;z", HZ_WIRE_CT_GRPC, HZ_WIRE_CODEC_IMPLIED);
  expect_ct("application/grpc \t", HZ_WIRE_CT_GRPC, HZ_WIRE_CODEC_IMPLIED);
  expect_ct("application/grpc;", HZ_WIRE_CT_GRPC, HZ_WIRE_CODEC_IMPLIED);
}

HZ_TEST(content_type_grpc_web_is_its_own_kind) {
  expect_ct("application/grpc-web", HZ_WIRE_CT_GRPC_WEB, HZ_WIRE_CODEC_IMPLIED);
  expect_ct("application/grpc-web+proto", HZ_WIRE_CT_GRPC_WEB, HZ_WIRE_CODEC_PROTO);
  expect_ct("application/grpc-web-text", HZ_WIRE_CT_GRPC_WEB_TEXT, HZ_WIRE_CODEC_IMPLIED);
  expect_ct("application/grpc-web-text+proto", HZ_WIRE_CT_GRPC_WEB_TEXT, HZ_WIRE_CODEC_PROTO);
  expect_ct("application/grpc-web;charset=utf-8", HZ_WIRE_CT_GRPC_WEB, HZ_WIRE_CODEC_IMPLIED);
}

HZ_TEST(content_type_other_media_types) {
  expect_ct("", HZ_WIRE_CT_OTHER, HZ_WIRE_CODEC_IMPLIED);
  expect_ct("application/json", HZ_WIRE_CT_OTHER, HZ_WIRE_CODEC_IMPLIED);
  expect_ct("application/grp", HZ_WIRE_CT_OTHER, HZ_WIRE_CODEC_IMPLIED);
  expect_ct("application/grpcx", HZ_WIRE_CT_OTHER, HZ_WIRE_CODEC_IMPLIED);
  expect_ct("application/grpc-webby", HZ_WIRE_CT_OTHER, HZ_WIRE_CODEC_IMPLIED);
  expect_ct("application/grpc-", HZ_WIRE_CT_OTHER, HZ_WIRE_CODEC_IMPLIED);
  expect_ct("application/grpc x", HZ_WIRE_CT_OTHER, HZ_WIRE_CODEC_IMPLIED);
  expect_ct(" application/grpc", HZ_WIRE_CT_OTHER, HZ_WIRE_CODEC_IMPLIED);
  expect_ct("text/application/grpc", HZ_WIRE_CT_OTHER, HZ_WIRE_CODEC_IMPLIED);
  HZ_ASSERT_INT_EQ(hz_wire_content_type(NULL, 0, NULL), HZ_WIRE_CT_OTHER);
  /* The length bounds the read: a prefix of a gRPC type is not one. */
  HZ_ASSERT_INT_EQ(hz_wire_content_type("application/grpc", 15, NULL), HZ_WIRE_CT_OTHER);
  HZ_ASSERT_INT_EQ(hz_wire_content_type("application/grpcX", 16, NULL), HZ_WIRE_CT_GRPC);
}
