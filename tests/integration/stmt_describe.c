/* stmt_describe DATABASE_URL [--list]: prepares every row of the statement
 * table (db/statements.h) on one connection to a migrated database and
 * compares PostgreSQL's description with the row: parameter count and
 * result column names. --list prints the names only. Exit 0 when every row
 * matches. A test program (blocking libpq), never part of huizongd. */
#include <libpq-fe.h>
#include <stdio.h>
#include <string.h>

#include "db/statements.h"

/* The n-th space-separated word of cols into out; 0 when there is none. */
static int column_word(const char *cols, int n, char *out, size_t outlen) {
  const char *p = cols;
  for (int i = 0; *p; i++) {
    const char *end = strchr(p, ' ');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    if (i == n) {
      if (len >= outlen)
        return 0;
      memcpy(out, p, len);
      out[len] = '\0';
      return 1;
    }
    if (!end)
      break;
    p = end + 1;
  }
  return 0;
}

static int check_row(PGconn *pg, const hz_stmt_def_t *d) {
  PGresult *r = PQprepare(pg, d->name, d->sql, d->nparams, NULL);
  if (PQresultStatus(r) != PGRES_COMMAND_OK) {
    printf("FAIL %s: prepare: %s", d->name, PQerrorMessage(pg));
    PQclear(r);
    return 0;
  }
  PQclear(r);
  r = PQdescribePrepared(pg, d->name);
  int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
  if (ok && PQnparams(r) != d->nparams) {
    printf("FAIL %s: PostgreSQL sees %d parameters, the row declares %d\n", d->name, PQnparams(r),
           d->nparams);
    ok = 0;
  }
  char want[128];
  int n = PQnfields(r);
  for (int i = 0; ok && i < n; i++) {
    if (!column_word(d->columns, i, want, sizeof(want)) || strcmp(want, PQfname(r, i))) {
      printf("FAIL %s: column %d is \"%s\", the row declares \"%s\"\n", d->name, i, PQfname(r, i),
             column_word(d->columns, i, want, sizeof(want)) ? want : "(none)");
      ok = 0;
    }
  }
  if (ok && column_word(d->columns, n, want, sizeof(want))) {
    printf("FAIL %s: the row declares column \"%s\" beyond the %d returned\n", d->name, want, n);
    ok = 0;
  }
  PQclear(r);
  return ok;
}

int main(int argc, char **argv) {
  if (argc == 3 && !strcmp(argv[2], "--list")) {
    for (int i = 0; i < HZ_STMT__COUNT; i++)
      printf("%s\n", hz_stmt_def((hz_stmt_id_t)i)->name);
    return 0;
  }
  if (argc != 2) {
    fprintf(stderr, "usage: stmt_describe DATABASE_URL [--list]\n");
    return 2;
  }
  PGconn *pg = PQconnectdb(argv[1]);
  if (PQstatus(pg) != CONNECTION_OK) {
    fprintf(stderr, "stmt_describe: %s", PQerrorMessage(pg));
    PQfinish(pg);
    return 1;
  }
  int passed = 0, failed = 0;
  for (int i = 0; i < HZ_STMT__COUNT; i++) {
    if (check_row(pg, hz_stmt_def((hz_stmt_id_t)i)))
      passed++;
    else
      failed++;
  }
  PQfinish(pg);
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
