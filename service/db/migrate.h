/* Schema migrations: numbered SQL files embedded at build time, applied in
 * order, each in its own transaction, recorded in schema_migrations. This
 * runs as the `huizongd migrate` command, not on the server's loop, so it
 * may use libpq synchronously. */
#ifndef HZ_DB_MIGRATE_H
#define HZ_DB_MIGRATE_H

#include <stddef.h>
#include <stdio.h>

typedef struct hz_migration_s {
  int version;      /* NNN of the file name */
  const char *name; /* "001_core" */
  const char *sql;  /* file contents */
} hz_migration_t;

extern const hz_migration_t hz_migrations[];
extern const size_t hz_migrations_count;

/* Applies pending migrations over conninfo, reporting progress on out.
 * Returns 0, or -1 with the failing file and SQL error on err. */
int hz_migrate(const char *conninfo, FILE *out, FILE *err);

#endif
