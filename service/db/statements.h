/* The statement table: every statement huizongd runs, declared once, with
 * its parameter count and the names of its result columns. The pool runs
 * nothing else: a job statement is a row id plus values (db/pool.h).
 *
 * Rows live in db/sql/<area>.def, one file per service area, as
 *   HZ_SQL(ID, NPARAMS, "col1 col2 ...", "SQL text with $1..$NPARAMS")
 * and become the enum hz_stmt_id_t (HZ_STMT_ID) and the array behind
 * hz_stmt_def(). Why a table:
 *   - a statement is declared once, so two copies cannot drift (a
 *     connection prepares a name once and would run whichever copy it saw
 *     first); a duplicate ID is a compile error;
 *   - the pool's per-connection bookkeeping is a bitmap sized by
 *     HZ_STMT__COUNT at compile time (db/prepared.h): the set of prepared
 *     statements cannot outgrow it, so there is no limit to hit by accident
 *     and nothing to allocate;
 *   - hz_stmt_table_check() (run at start-up and by test_statements)
 *     proves each row's $n parameters match NPARAMS; test_db_pool prepares
 *     every row on one connection and compares PostgreSQL's description
 *     (parameters, column names) with the row (StatementTableTest), has the
 *     pool itself Parse every row once on one connection (PoolParsesTest),
 *     and reaches every row through the RPCs of a one-connection server
 *     (EveryStatementOnOneConnectionTest).
 * Readers find result columns by name (hz_db_col), never by position. */
#ifndef HZ_DB_STATEMENTS_H
#define HZ_DB_STATEMENTS_H

#include <stddef.h>

typedef enum {
#define HZ_SQL(id, nparams, cols, sql) HZ_STMT_##id,
#include "db/sql/scaffold.def"
#include "db/sql/reporting.def"
#include "db/sql/aggregation.def"
#include "db/sql/admin.def"
#include "db/sql/review.def"
#undef HZ_SQL
  HZ_STMT__COUNT
} hz_stmt_id_t;

typedef struct hz_stmt_def_s {
  const char *name;    /* prepared-statement name: the row's ID spelling,
                          unique because the enum is */
  const char *sql;     /* the text PostgreSQL parses once per connection */
  int nparams;         /* highest $n in sql */
  const char *columns; /* result column names, space-separated, in order;
                          "" for a statement that returns no rows */
} hz_stmt_def_t;

/* The row of id; id must be < HZ_STMT__COUNT. */
const hz_stmt_def_t *hz_stmt_def(hz_stmt_id_t id);

/* 0 when every row is well-formed: non-empty SQL whose highest $n is
 * nparams (and every $1..$n appears), columns without doubled or edge
 * spaces. Otherwise -EINVAL with the first bad row described in err. */
int hz_stmt_table_check(char *err, size_t errlen);

#endif
