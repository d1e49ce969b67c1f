/* The names of the statements prepared on one PostgreSQL connection.
 *
 * Contract: a name is in the set from the moment its Parse is queued until
 * the connection is lost or PostgreSQL refuses that Parse. The set grows as
 * needed; when it cannot grow (out of memory) hz_db_prepared_add says so and
 * the caller runs the statement unnamed instead. There is no cap: a name
 * that is not remembered would be sent to Parse a second time, which
 * PostgreSQL refuses (42P05) and which would break every later call on
 * that connection.
 *
 * Why a set of names and not a bitmap: statements are declared by their
 * callers today (a static name and SQL each). Once every statement is
 * declared in one table with an enum id, this becomes a bitmap sized by the
 * table's count, indexed by id, and no allocation is left. */
#ifndef HZ_DB_PREPARED_H
#define HZ_DB_PREPARED_H

typedef struct hz_db_prepared_s {
  const char **names; /* static strings owned by the statements' callers */
  int n;              /* names in use, names[0..n) */
  int cap;            /* allocated slots; doubles when full */
} hz_db_prepared_t;

/* 1 when name is in the set (compared by content: two callers may spell
 * the same statement in two places), else 0. */
int hz_db_prepared_has(const hz_db_prepared_t *s, const char *name);
/* Adds name (must outlive the set). Returns 0, or -ENOMEM when the set
 * cannot grow; the set is unchanged then. */
int hz_db_prepared_add(hz_db_prepared_t *s, const char *name);
/* Removes name if present: its Parse failed and must be sent again. */
void hz_db_prepared_forget(hz_db_prepared_t *s, const char *name);
/* Empties the set, keeping its memory (a new session has prepared nothing). */
void hz_db_prepared_clear(hz_db_prepared_t *s);
/* Frees the memory; NULL-safe. The set is empty and usable afterwards. */
void hz_db_prepared_free(hz_db_prepared_t *s);

#endif
