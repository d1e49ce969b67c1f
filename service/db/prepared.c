/* Per-connection bookkeeping of prepared statements: one bit per row of
 * the statement table. */
#include "db/prepared.h"

#include <assert.h>
#include <string.h>

int hz_db_prepared_has(const hz_db_prepared_t *s, hz_stmt_id_t id) {
  assert((unsigned)id < HZ_STMT__COUNT);
  return (int)((s->ids[id / 64] >> (id % 64)) & 1u);
}

void hz_db_prepared_add(hz_db_prepared_t *s, hz_stmt_id_t id) {
  assert((unsigned)id < HZ_STMT__COUNT);
  s->ids[id / 64] |= UINT64_C(1) << (id % 64);
}

void hz_db_prepared_forget(hz_db_prepared_t *s, hz_stmt_id_t id) {
  assert((unsigned)id < HZ_STMT__COUNT);
  s->ids[id / 64] &= ~(UINT64_C(1) << (id % 64));
}

void hz_db_prepared_clear(hz_db_prepared_t *s) {
  memset(s->ids, 0, sizeof(s->ids));
}
