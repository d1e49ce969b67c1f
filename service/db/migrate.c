/* The migration runner. */
#include "db/migrate.h"

#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

static int exec_ok(PGconn *pg, const char *sql, FILE *err, const char *what) {
  PGresult *r = PQexec(pg, sql);
  ExecStatusType st = PQresultStatus(r);
  int ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
  if (!ok)
    fprintf(err, "huizongd migrate: %s: %s", what, PQresultErrorMessage(r));
  PQclear(r);
  return ok ? 0 : -1;
}

static int applied(PGconn *pg, int version, int *yes, FILE *err) {
  char v[16];
  snprintf(v, sizeof(v), "%d", version);
  const char *params[] = {v};
  PGresult *r = PQexecParams(pg, "SELECT 1 FROM schema_migrations WHERE version = $1", 1, NULL,
                             params, NULL, NULL, 0);
  if (PQresultStatus(r) != PGRES_TUPLES_OK) {
    fprintf(err, "huizongd migrate: %s", PQresultErrorMessage(r));
    PQclear(r);
    return -1;
  }
  *yes = PQntuples(r) > 0;
  PQclear(r);
  return 0;
}

static int apply_one(PGconn *pg, const hz_migration_t *m, FILE *err) {
  char v[16];
  snprintf(v, sizeof(v), "%d", m->version);
  const char *params[] = {v, m->name};
  if (exec_ok(pg, "BEGIN", err, m->name))
    return -1;
  if (exec_ok(pg, m->sql, err, m->name))
    goto rollback;
  PGresult *r = PQexecParams(pg, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", 2,
                             NULL, params, NULL, NULL, 0);
  int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
  if (!ok)
    fprintf(err, "huizongd migrate: %s: %s", m->name, PQresultErrorMessage(r));
  PQclear(r);
  if (!ok)
    goto rollback;
  return exec_ok(pg, "COMMIT", err, m->name);
rollback:
  exec_ok(pg, "ROLLBACK", err, "rollback");
  return -1;
}

int hz_migrate(const char *conninfo, FILE *out, FILE *err) {
  PGconn *pg = PQconnectdb(conninfo);
  int rc = -1;
  if (PQstatus(pg) != CONNECTION_OK) {
    fprintf(err, "huizongd migrate: cannot connect: %s", PQerrorMessage(pg));
    goto done;
  }
  /* Quiet NOTICEs such as "relation already exists, skipping". */
  if (exec_ok(pg, "SET client_min_messages = warning", err, "setup") ||
      exec_ok(pg,
              "CREATE TABLE IF NOT EXISTS schema_migrations ("
              " version integer PRIMARY KEY, name text NOT NULL,"
              " applied_at timestamptz NOT NULL DEFAULT now())",
              err, "schema_migrations") ||
      /* Two deploys migrating at once take turns. */
      exec_ok(pg, "SELECT pg_advisory_lock(7205390861)", err, "lock"))
    goto done;
  int count = 0;
  for (size_t i = 0; i < hz_migrations_count; i++) {
    const hz_migration_t *m = &hz_migrations[i];
    int yes;
    if (applied(pg, m->version, &yes, err))
      goto done;
    if (yes)
      continue;
    if (apply_one(pg, m, err)) {
      fprintf(err, "huizongd migrate: %s rolled back; nothing of it was applied\n", m->name);
      goto done;
    }
    fprintf(out, "applied %s\n", m->name);
    count++;
  }
  fprintf(out, count ? "schema is current (%d applied)\n" : "schema is current (nothing to do)\n",
          count);
  rc = 0;
done:
  PQfinish(pg);
  return rc;
}
