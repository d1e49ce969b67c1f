/* Per-connection bookkeeping of prepared statements: a bitmap of table
 * rows, and the legacy growable set of caller-chosen names. */
#include "db/prepared.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define FIRST_CAP 64 /* legacy callers declared about 45 names */

int hz_db_prepared_has_id(const hz_db_prepared_t *s, hz_stmt_id_t id) {
  assert((unsigned)id < HZ_STMT__COUNT);
  return (int)((s->ids[id / 64] >> (id % 64)) & 1u);
}

void hz_db_prepared_add_id(hz_db_prepared_t *s, hz_stmt_id_t id) {
  assert((unsigned)id < HZ_STMT__COUNT);
  s->ids[id / 64] |= UINT64_C(1) << (id % 64);
}

void hz_db_prepared_forget_id(hz_db_prepared_t *s, hz_stmt_id_t id) {
  assert((unsigned)id < HZ_STMT__COUNT);
  s->ids[id / 64] &= ~(UINT64_C(1) << (id % 64));
}

static int find(const hz_db_prepared_t *s, const char *name) {
  for (int i = 0; i < s->n; i++)
    if (s->names[i] == name || strcmp(s->names[i], name) == 0)
      return i;
  return -1;
}

int hz_db_prepared_has(const hz_db_prepared_t *s, const char *name) {
  return find(s, name) >= 0;
}

int hz_db_prepared_add(hz_db_prepared_t *s, const char *name) {
  if (find(s, name) >= 0)
    return 0;
  if (s->n == s->cap) {
    int cap = s->cap ? s->cap * 2 : FIRST_CAP;
    const char **names = realloc(s->names, (size_t)cap * sizeof(*names));
    if (!names)
      return -ENOMEM;
    s->names = names;
    s->cap = cap;
  }
  s->names[s->n++] = name;
  return 0;
}

void hz_db_prepared_forget(hz_db_prepared_t *s, const char *name) {
  int i = find(s, name);
  if (i >= 0)
    s->names[i] = s->names[--s->n];
}

void hz_db_prepared_clear(hz_db_prepared_t *s) {
  memset(s->ids, 0, sizeof(s->ids));
  s->n = 0;
}

void hz_db_prepared_free(hz_db_prepared_t *s) {
  if (!s)
    return;
  free(s->names);
  s->names = NULL;
  s->n = s->cap = 0;
  memset(s->ids, 0, sizeof(s->ids));
}
