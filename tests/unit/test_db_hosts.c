/* Unit tests for the host lists of a multi-host connection string
 * (db/hosts.h): what libpq's own parser yields for URL and key=value
 * strings, a single port applying to every host, hostaddr lists, the
 * rotation the pool uses to start past a host that hung, and the strings
 * with nothing to rotate (one host, none, unparsable). hz_db_hosts_current
 * needs a live connection and is covered by test_ha. */
#include <stdlib.h>
#include <string.h>

#include "db/hosts.h"
#include "hz_test.h"

/* The rotated list of field, or "(none)", in a buffer the test owns. */
static const char *rotated(const hz_db_hosts_t *h, const char *field, char *buf, size_t cap) {
  char *s = hz_db_hosts_rotated(h, field);
  snprintf(buf, cap, "%s", s ? s : "(none)");
  free(s);
  return buf;
}

HZ_TEST(hosts_url_with_ports_rotates) {
  hz_db_hosts_t h;
  char buf[128];
  HZ_ASSERT_INT_EQ(hz_db_hosts_parse(&h, "postgresql://u:pw@127.0.0.1:5001,127.0.0.2:5002,"
                                         "127.0.0.3:5003/db?target_session_attrs=read-write"),
                   0);
  HZ_ASSERT_INT_EQ(h.n, 3);
  HZ_ASSERT_STR_EQ(rotated(&h, "host", buf, sizeof(buf)), "127.0.0.1,127.0.0.2,127.0.0.3");
  HZ_ASSERT_STR_EQ(rotated(&h, "port", buf, sizeof(buf)), "5001,5002,5003");
  HZ_ASSERT_STR_EQ(rotated(&h, "hostaddr", buf, sizeof(buf)), "(none)");
  h.first = 1;
  HZ_ASSERT_STR_EQ(rotated(&h, "host", buf, sizeof(buf)), "127.0.0.2,127.0.0.3,127.0.0.1");
  HZ_ASSERT_STR_EQ(rotated(&h, "port", buf, sizeof(buf)), "5002,5003,5001");
  h.first = 2;
  HZ_ASSERT_STR_EQ(rotated(&h, "port", buf, sizeof(buf)), "5003,5001,5002");
  hz_db_hosts_free(&h);
  HZ_ASSERT_INT_EQ(h.n, 0);
}

HZ_TEST(hosts_keyword_string_single_port_and_hostaddr) {
  hz_db_hosts_t h;
  char buf[128];
  HZ_ASSERT_INT_EQ(hz_db_hosts_parse(&h, "host=a.example,b.example hostaddr=10.0.0.1,10.0.0.2 "
                                         "port=6432 dbname=huizong"),
                   0);
  HZ_ASSERT_INT_EQ(h.n, 2);
  h.first = 1;
  HZ_ASSERT_STR_EQ(rotated(&h, "host", buf, sizeof(buf)), "b.example,a.example");
  HZ_ASSERT_STR_EQ(rotated(&h, "hostaddr", buf, sizeof(buf)), "10.0.0.2,10.0.0.1");
  HZ_ASSERT_STR_EQ(rotated(&h, "port", buf, sizeof(buf)), "6432,6432");
  hz_db_hosts_free(&h);
}

HZ_TEST(hosts_nothing_to_rotate) {
  static const char *const strings[] = {
      "postgresql://u@127.0.0.1:5432/db", /* one host */
      "dbname=huizong",                   /* none: libpq's default */
      "host=a,b port=1,2,3",              /* three ports for two hosts: libpq refuses it */
      "postgresql://[::1",                /* unparsable: libpq says why when connecting */
  };
  for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
    hz_db_hosts_t h;
    char buf[64];
    HZ_ASSERT_INT_EQ(hz_db_hosts_parse(&h, strings[i]), 0);
    if (i == 2) {
      /* Kept, but without the port list libpq would refuse anyway. */
      HZ_ASSERT_INT_EQ(h.n, 2);
      HZ_ASSERT_STR_EQ(rotated(&h, "port", buf, sizeof(buf)), "(none)");
    } else {
      HZ_ASSERT_INT_EQ(h.n, 0);
      HZ_ASSERT_STR_EQ(rotated(&h, "host", buf, sizeof(buf)), "(none)");
    }
    hz_db_hosts_free(&h);
  }
  hz_db_hosts_free(NULL);
}
