/* Unit tests for server address parsing (client/lib/addr.h): the h2c and
 * https forms the CLIs accept, default ports, IPv6 brackets, and the
 * refusals with their reasons. */
#include "hz_test.h"
#include "addr.h"

static void expect_addr(const char *in, int tls, const char *host, const char *port,
                        const char *authority, int is_ip) {
  hzc_addr_t a;
  char err[160] = "";
  int rc = hzc_addr_parse(in, &a, err, sizeof(err));
  if (rc != 0)
    hz_test_note_("parsing '%s' failed: %s\n", in, err);
  HZ_ASSERT_INT_EQ(rc, 0);
  HZ_ASSERT_INT_EQ(a.tls, tls);
  HZ_ASSERT_STR_EQ(a.host, host);
  HZ_ASSERT_STR_EQ(a.port, port);
  HZ_ASSERT_STR_EQ(a.authority, authority);
  HZ_ASSERT_INT_EQ(a.host_is_ip, is_ip);
}

/* Refused, with a reason that mentions want_in_reason. */
static void expect_refused(const char *in, const char *want_in_reason) {
  hzc_addr_t a;
  char err[160] = "";
  HZ_ASSERT_INT_EQ(hzc_addr_parse(in, &a, err, sizeof(err)), -1);
  if (!strstr(err, want_in_reason))
    hz_test_note_("input '%s': reason '%s' lacks '%s'\n", in, err, want_in_reason);
  HZ_ASSERT_TRUE(strstr(err, want_in_reason) != NULL);
}

HZ_TEST(plain_host_port_is_h2c) {
  expect_addr("127.0.0.1:50051", 0, "127.0.0.1", "50051", "127.0.0.1:50051", 1);
  expect_addr("localhost:8080", 0, "localhost", "8080", "localhost:8080", 0);
  expect_addr("stats.county-42.example:1", 0, "stats.county-42.example", "1",
              "stats.county-42.example:1", 0);
  expect_addr("h:65535", 0, "h", "65535", "h:65535", 0);
  /* The port is a number: leading zeros do not reach :authority. */
  expect_addr("h:00080", 0, "h", "80", "h:80", 0);
}

HZ_TEST(http_scheme_is_h2c_too) {
  expect_addr("http://10.0.0.7:9000", 0, "10.0.0.7", "9000", "10.0.0.7:9000", 1);
  expect_addr("http://10.0.0.7:9000/", 0, "10.0.0.7", "9000", "10.0.0.7:9000", 1);
}

HZ_TEST(https_scheme_is_tls) {
  expect_addr("https://huizong.example.org:8443", 1, "huizong.example.org", "8443",
              "huizong.example.org:8443", 0);
  expect_addr("https://127.0.0.1:50051/", 1, "127.0.0.1", "50051", "127.0.0.1:50051", 1);
}

HZ_TEST(default_ports) {
  expect_addr("localhost", 0, "localhost", "50051", "localhost:50051", 0);
  expect_addr("https://huizong.example.org", 1, "huizong.example.org", "443",
              "huizong.example.org:443", 0);
  expect_addr("https://huizong.example.org/", 1, "huizong.example.org", "443",
              "huizong.example.org:443", 0);
}

HZ_TEST(ipv6_needs_brackets) {
  expect_addr("[::1]:50051", 0, "::1", "50051", "[::1]:50051", 1);
  expect_addr("https://[2001:db8::5]:443", 1, "2001:db8::5", "443", "[2001:db8::5]:443", 1);
  expect_addr("[fe80::1]", 0, "fe80::1", "50051", "[fe80::1]:50051", 1);
  expect_refused("::1:50051", "brackets");
  expect_refused("[::1", "missing ']'");
  expect_refused("[zz::q]:1", "invalid IPv6");
  expect_refused("[::1]x", "after ']'");
  expect_refused("[]:1", "invalid IPv6");
}

HZ_TEST(bad_ports_are_refused) {
  expect_refused("host:0", "invalid port");
  expect_refused("host:65536", "invalid port");
  expect_refused("host:123456", "invalid port");
  expect_refused("host:", "missing port");
  expect_refused("host:http", "invalid port");
  expect_refused("host:-1", "invalid port");
  expect_refused("host: 80", "invalid port");
}

HZ_TEST(bad_hosts_and_urls_are_refused) {
  expect_refused("", "empty");
  expect_refused(":50051", "invalid host");
  expect_refused("https://", "missing host");
  expect_refused("ftp://h:1", "unsupported scheme 'ftp'");
  expect_refused("dns:///h:1", "unsupported scheme");
  expect_refused("https://h:1/path", "paths");
  expect_refused("user@h:1", "user");
  expect_refused("-bad:1", "invalid host");
  expect_refused("a..b:1", "invalid host");
  expect_refused("h st:1", "invalid host");
  expect_refused("南漳:1", "invalid host");
}

HZ_TEST(null_and_tiny_error_buffers_are_safe) {
  hzc_addr_t a;
  char err[4] = "zzz";
  HZ_ASSERT_INT_EQ(hzc_addr_parse(NULL, &a, err, sizeof(err)), -1);
  HZ_ASSERT_UINT_EQ(strlen(err), 3);
  HZ_ASSERT_INT_EQ(hzc_addr_parse("host:0", &a, NULL, 0), -1);
}
