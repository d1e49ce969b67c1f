/* Token bootstrap command. */
#include "cmd/token.h"

#include <assert.h>
#include <getopt.h>
#include <libpq-fe.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

#include "api/auth.h"
#include "api/pgtext.h"
#include "core/arena.h"
#include "db/statements.h"
#include "domain/ident.h"
#include "domain/refusal.h"
#include "domain/role.h"

static int usage(void) {
  fprintf(stderr, "usage: huizongd token create --role admin|county|township "
                  "[--region CODE] --name NAME [--database-url URL]\n");
  return 2;
}

/* The actor recorded for tokens made here (admin.proto: TokenInfo.created_by
 * and AuditRecord.actor say "local" for operator commands). */
#define LOCAL_ACTOR "local"

/* Prints the outcome of the ADMIN_CREATE_TOKEN row r and returns the exit
 * code: 0 with the token on stdout, 1 when the database refused (its
 * sentence, already phrased for a person) or failed. Columns are found by
 * name, as the statement table declares them. */
static int report_created(const PGresult *r, hz_role_t role, const char *region, const char *name,
                          const char *secret) {
  if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
    fprintf(stderr, "huizongd token: %s", PQresultErrorMessage(r));
    return 1;
  }
  int refusal = PQfnumber(r, "refusal"), message = PQfnumber(r, "message");
  int id = PQfnumber(r, "id");
  if (refusal < 0 || message < 0 || id < 0) {
    /* libpq reads a missing column as NULL: a refusal would pass as a success. */
    fprintf(stderr, "huizongd token: the statement's result lacks refusal, message or id\n");
    return 1;
  }
  if (!PQgetisnull(r, 0, refusal)) {
    /* The reason is checked against this build's list, as the server's
     * hz_rpc_refuse does; the status it maps to means nothing here, where
     * every refusal is exit code 1 (DESIGN.md: the server said no). */
    hz_refusal_t why;
    if (hz_refusal_parse(PQgetvalue(r, 0, refusal), &why))
      fprintf(stderr,
              "huizongd token: the database refused with reason '%s', unknown to this "
              "build: %s\n",
              PQgetvalue(r, 0, refusal), PQgetvalue(r, 0, message));
    else
      fprintf(stderr, "huizongd token: %s\n", PQgetvalue(r, 0, message));
    return 1;
  }
  fprintf(stderr, "created %s token '%s'%s%s; it is shown once, store it now:\n",
          hz_role_name(role), name, region ? " for region " : "", region ? region : "");
  printf("hz_%s_%s\n", PQgetvalue(r, 0, id), secret);
  return 0;
}

/* Creates the token with the statement table's ADMIN_CREATE_TOKEN row,
 * the statement Admin CreateToken runs, with the same parameters (actor
 * "local", no acting token), so both paths share hz_create_token's checks
 * (unknown region, role against the region's level, a duplicate active
 * name) and its audit row. Why not an INSERT or SQL of its own here: a
 * second path drifts from the first (it did). Blocking libpq is right in
 * a one-shot command run without a server; the pool is not started. */
static int create_token(PGconn *pg, hz_role_t role, const char *region, const char *name) {
  char secret[64];
  uint8_t hash[32];
  if (hz_token_new_secret(secret, sizeof(secret), hash)) {
    fprintf(stderr, "huizongd token: no randomness available\n");
    return 1;
  }
  hz_arena_t a;
  hz_arena_init(&a, 0);
  const char *params[] = {name,   hz_pg_int(&a, role),
                          region, hz_pg_bytea_hex(&a, hash, sizeof(hash)),
                          NULL,   LOCAL_ACTOR};
  int rc = 1;
  if (!params[1] || !params[3]) {
    fprintf(stderr, "huizongd token: out of memory\n");
  } else {
    const hz_stmt_def_t *def = hz_stmt_def(HZ_STMT_ADMIN_CREATE_TOKEN);
    assert(def->nparams == (int)(sizeof(params) / sizeof(params[0])));
    PGresult *r = PQexecParams(pg, def->sql, def->nparams, NULL, params, NULL, NULL, 0);
    rc = report_created(r, role, region, name, secret);
    PQclear(r);
  }
  hz_arena_free(&a);
  OPENSSL_cleanse(secret, sizeof(secret));
  return rc;
}

int hz_cmd_token(int argc, char **argv, const char *conninfo) {
  if (argc < 2 || strcmp(argv[1], "create") != 0)
    return usage();
  static const struct option opts[] = {
      {"role", required_argument, NULL, 'r'},
      {"region", required_argument, NULL, 'g'},
      {"name", required_argument, NULL, 'n'},
      {"database-url", required_argument, NULL, 'd'},
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
    rc = create_token(pg, role, region, name);
  }
  PQfinish(pg);
  return rc;
}
