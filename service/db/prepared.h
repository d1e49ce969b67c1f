/* What one PostgreSQL connection has prepared: a bitmap of the statement
 * table's rows (db/statements.h), sized by HZ_STMT__COUNT at compile time.
 *
 * Contract: a row is marked from the moment its Parse is queued (a second
 * use in the same job must not Parse again) until the connection is lost
 * or PostgreSQL refuses or aborts that Parse (it must be sent again). A
 * missing mark would send Parse a second time, which PostgreSQL refuses
 * (42P05) and which breaks every later call on that connection; a stale
 * mark would execute a name the session lacks (26000). Why a bitmap: every
 * statement the service runs is a table row, so the set is bounded at
 * compile time; there is nothing to allocate, no cap to hit and no
 * failure to handle. */
#ifndef HZ_DB_PREPARED_H
#define HZ_DB_PREPARED_H

#include <stdint.h>

#include "db/statements.h"

#define HZ_DB_PREPARED_WORDS ((HZ_STMT__COUNT + 63) / 64)

typedef struct hz_db_prepared_s {
  uint64_t ids[HZ_DB_PREPARED_WORDS]; /* bit id set: that row's Parse was
                                         queued and not refused or aborted */
} hz_db_prepared_t;

_Static_assert(HZ_DB_PREPARED_WORDS * 64 >= HZ_STMT__COUNT,
               "the bitmap holds every row of the statement table");

/* 1 when row id is marked, else 0. id must be < HZ_STMT__COUNT. */
int hz_db_prepared_has(const hz_db_prepared_t *s, hz_stmt_id_t id);
/* Marks id: its Parse is being queued. */
void hz_db_prepared_add(hz_db_prepared_t *s, hz_stmt_id_t id);
/* Unmarks id: its Parse failed or was aborted. */
void hz_db_prepared_forget(hz_db_prepared_t *s, hz_stmt_id_t id);
/* Unmarks everything (a new session has prepared nothing). */
void hz_db_prepared_clear(hz_db_prepared_t *s);

#endif
