/* Roles of a bearer token, the one mapping of number and name in the
 * service. Numbers are huizong.v1.Role (api/refusal.c asserts that at
 * compile time) and the tokens.role column; names are what people type
 * (`huizongd token create --role`) and read (messages, audit detail) and
 * what SQL's hz_role_name (migration 002) returns, which
 * tests/integration/test_migrate.py compares with this table. */
#ifndef HZ_DOMAIN_ROLE_H
#define HZ_DOMAIN_ROLE_H

typedef enum {
  HZ_ROLE_TOWNSHIP = 1, /* submits and reads for its own region */
  HZ_ROLE_COUNTY = 2,   /* reads and approves within its region's subtree */
  HZ_ROLE_ADMIN = 3,    /* everything, everywhere */
} hz_role_t;

#define HZ_ROLE_FIRST HZ_ROLE_TOWNSHIP
#define HZ_ROLE_LAST  HZ_ROLE_ADMIN

/* "township", "county", "admin"; "unknown" for any other number, as SQL's
 * hz_role_name answers, so a caller can print any stored value. */
const char *hz_role_name(int role);

/* The role named name (exact, lower case). Returns 0 or -EINVAL. */
int hz_role_parse(const char *name, hz_role_t *role);

#endif
