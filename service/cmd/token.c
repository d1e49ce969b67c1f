/* Token bootstrap command. */
#include "cmd/token.h"

#include <getopt.h>
#include <libpq-fe.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/auth.h"
#include "domain/ident.h"
#include "domain/role.h"

static int usage(void) {
  fprintf(stderr, "usage: huizongd token create --role admin|county|township "
                  "[--region CODE] --name NAME [--database-url URL]\n");
  return 2;
}

/* The actor recorded for tokens made here (admin.proto: TokenInfo.created_by
 * and AuditRecord.actor say "local" for operator commands). */
#define LOCAL_ACTOR "local"

/* Creates the token through hz_create_token, the same SQL function Admin
 * CreateToken calls, so both paths share its checks (unknown region, role
 * against the region's level, a duplicate active name) and its audit row.
 * Why not an INSERT here: a second path drifts from the first (it did). */
static int insert_token(PGconn *pg, int role, const char *region, const char *name) {
  char secret[64], hex[2 * 32 + 3], rolebuf[4];
  uint8_t hash[32];
  if (hz_token_new_secret(secret, sizeof(secret), hash)) {
    fprintf(stderr, "huizongd token: no randomness available\n");
    return 1;
  }
  hex[0] = '\\';
  hex[1] = 'x';
  for (int i = 0; i < 32; i++)
    snprintf(hex + 2 + 2 * i, 3, "%02x", hash[i]);
  snprintf(rolebuf, sizeof(rolebuf), "%d", role);
  const char *params[] = {name, rolebuf, region, hex, LOCAL_ACTOR};
  PGresult *r = PQexecParams(pg,
                             "SELECT code, message, id FROM hz_create_token($1::text, $2::smallint,"
                             " $3::text, $4::bytea, NULL::bigint, $5::text)",
                             5, NULL, params, NULL, NULL, 0);
  int rc = 1;
  if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
    fprintf(stderr, "huizongd token: %s", PQresultErrorMessage(r));
  } else if (atoi(PQgetvalue(r, 0, 0)) != 0) {
    /* The function's own refusal: already phrased for a person. */
    fprintf(stderr, "huizongd token: %s\n", PQgetvalue(r, 0, 1));
  } else {
    fprintf(stderr, "created %s token '%s'%s%s; it is shown once, store it now:\n",
            hz_role_name(role),
            name, region ? " for region " : "", region ? region : "");
    printf("hz_%s_%s\n", PQgetvalue(r, 0, 2), secret);
    rc = 0;
  }
  PQclear(r);
  OPENSSL_cleanse(secret, sizeof(secret));
  return rc;
}

int hz_cmd_token(int argc, char **argv, const char *conninfo) {
  if (argc < 2 || strcmp(argv[1], "create") != 0)
    return usage();
  static const struct option opts[] = {
      {"role", required_argument, NULL, 'r'},  {"region", required_argument, NULL, 'g'},
      {"name", required_argument, NULL, 'n'},  {"database-url", required_argument, NULL, 'd'},
      {NULL, 0, NULL, 0},
  };
  const char *role_s = NULL, *region = NULL, *name = NULL;
  int opt;
  optind = 2;
  while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (opt) {
    case 'r': role_s = optarg; break;
    case 'g': region = optarg; break;
    case 'n': name = optarg; break;
    case 'd': conninfo = optarg; break;
    default: return usage();
    }
  }
  hz_role_t role;
  if (!role_s || hz_role_parse(role_s, &role) || !name || !*name || optind != argc)
    return usage();
  if (role == HZ_ROLE_ADMIN && region) {
    fprintf(stderr, "huizongd token: an admin token has no region (it sees everything)\n");
    return 2;
  }
  if (region && hz_region_code_validate(region)) {
    fprintf(stderr, "huizongd token: --region %s is not a region code\n", region);
    return 2;
  }
  if (role != HZ_ROLE_ADMIN && !region) {
    fprintf(stderr, "huizongd token: --region is required for a %s token\n", role_s);
    return 2;
  }
  if (!conninfo) {
    fprintf(stderr, "huizongd token: set DATABASE_URL or --database-url\n");
    return 2;
  }
  PGconn *pg = PQconnectdb(conninfo);
  int rc;
  if (PQstatus(pg) != CONNECTION_OK) {
    fprintf(stderr, "huizongd token: cannot connect: %s", PQerrorMessage(pg));
    rc = 1;
  } else {
    rc = insert_token(pg, role, region, name);
  }
  PQfinish(pg);
  return rc;
}
