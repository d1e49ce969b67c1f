/* The statement table's rows, gathered from db/sql/<area>.def, and the check
 * that each row says what its SQL does. */
#include "db/statements.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

static const hz_stmt_def_t table[HZ_STMT__COUNT] = {
#define HZ_SQL(id, np, cols, text) [HZ_STMT_##id] = {#id, text, np, cols},
#include "db/sql/scaffold.def"
#include "db/sql/reporting.def"
#include "db/sql/aggregation.def"
#include "db/sql/admin.def"
#include "db/sql/review.def"
#undef HZ_SQL
};

const hz_stmt_def_t *hz_stmt_def(hz_stmt_id_t id) {
  return &table[id];
}

/* Highest $n in sql and whether every $1..$n occurs; string literals and
 * quoted identifiers are skipped so a '$1' inside quotes is not counted. */
static int max_param(const char *sql, int *all_present) {
  unsigned char seen[100] = {0};
  int max = 0;
  char quote = 0;
  for (const char *p = sql; *p; p++) {
    if (quote) {
      if (*p == quote)
        quote = 0;
      continue;
    }
    if (*p == '\'' || *p == '"') {
      quote = *p;
      continue;
    }
    if (*p != '$' || !isdigit((unsigned char)p[1]))
      continue;
    int n = 0;
    while (isdigit((unsigned char)p[1]) && n < 1000)
      n = n * 10 + (*++p - '0');
    if (n > 0 && n < (int)sizeof(seen)) {
      seen[n] = 1;
      if (n > max)
        max = n;
    }
  }
  *all_present = 1;
  for (int i = 1; i <= max; i++)
    if (!seen[i])
      *all_present = 0;
  return max;
}

static int columns_ok(const char *cols) {
  size_t n = strlen(cols);
  if (n == 0)
    return 1;
  if (cols[0] == ' ' || cols[n - 1] == ' ' || strstr(cols, "  "))
    return 0;
  return 1;
}

int hz_stmt_table_check(char *err, size_t errlen) {
  for (int i = 0; i < HZ_STMT__COUNT; i++) {
    const hz_stmt_def_t *d = &table[i];
    int all = 0;
    if (!d->sql || !d->sql[0]) {
      snprintf(err, errlen, "statement %s has no SQL", d->name ? d->name : "(unnamed)");
      return -EINVAL;
    }
    int max = max_param(d->sql, &all);
    if (max != d->nparams || !all) {
      snprintf(err, errlen, "statement %s declares %d parameters but its SQL uses $1..$%d%s",
               d->name, d->nparams, max, all ? "" : " with gaps");
      return -EINVAL;
    }
    if (!columns_ok(d->columns)) {
      snprintf(err, errlen, "statement %s: columns \"%s\" are not single-space separated", d->name,
               d->columns);
      return -EINVAL;
    }
  }
  return 0;
}
