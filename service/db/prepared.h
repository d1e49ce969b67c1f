/* What one PostgreSQL connection has prepared: the statement table's rows
 * by id (a bitmap sized by HZ_STMT__COUNT at compile time), and during the
 * transition the legacy statements that callers still declare by a name of
 * their own (a growable set of names).
 *
 * Contract: a statement is marked from the moment its Parse is queued (a
 * second use in the same job must not Parse again) until the connection is
 * lost or PostgreSQL refuses that Parse (it must be sent again). A mark
 * that were missing would send Parse a second time, which PostgreSQL
 * refuses (42P05) and which breaks every later call on that connection; so
 * there is no cap. The id bitmap cannot fail; the name set can run out of
 * memory, and hz_db_prepared_add says so (the caller then runs the
 * statement unnamed).
 *
 * Why the ids and names live apart: a table row's prepared name is its ID
 * spelling and is checked at compile time for uniqueness; a legacy name is
 * whatever its caller typed. The legacy half goes when the last caller
 * moves to .id (hz_db_prepared_add/has/forget and names/n/cap). */
#ifndef HZ_DB_PREPARED_H
#define HZ_DB_PREPARED_H

#include <stdint.h>

#include "db/statements.h"

#define HZ_DB_PREPARED_WORDS ((HZ_STMT__COUNT + 63) / 64)

typedef struct hz_db_prepared_s {
  uint64_t ids[HZ_DB_PREPARED_WORDS]; /* bit id set: that table row is parsed */
  const char **names; /* legacy names, static strings owned by the callers */
  int n;              /* legacy names in use, names[0..n) */
  int cap;            /* allocated slots of names; doubles when full */
} hz_db_prepared_t;

/* 1 when the table row id is marked, else 0. */
int hz_db_prepared_has_id(const hz_db_prepared_t *s, hz_stmt_id_t id);
/* Marks id: its Parse is being queued. */
void hz_db_prepared_add_id(hz_db_prepared_t *s, hz_stmt_id_t id);
/* Unmarks id: its Parse failed or was aborted. */
void hz_db_prepared_forget_id(hz_db_prepared_t *s, hz_stmt_id_t id);

/* Legacy: 1 when name is in the set (compared by content: two callers may
 * spell the same statement in two places), else 0. */
int hz_db_prepared_has(const hz_db_prepared_t *s, const char *name);
/* Legacy: adds name (must outlive the set). Returns 0, or -ENOMEM when the
 * set cannot grow; the set is unchanged then. */
int hz_db_prepared_add(hz_db_prepared_t *s, const char *name);
/* Legacy: removes name if present: its Parse failed. */
void hz_db_prepared_forget(hz_db_prepared_t *s, const char *name);

/* Unmarks everything, keeping memory (a new session has prepared nothing). */
void hz_db_prepared_clear(hz_db_prepared_t *s);
/* Frees the memory; NULL-safe. The set is empty and usable afterwards. */
void hz_db_prepared_free(hz_db_prepared_t *s);

#endif
