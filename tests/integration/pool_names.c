/* Drives the real PostgreSQL pool (service/db/pool.c) against a real
 * database, one connection at a time, for test_db_pool.py's PoolParsesTest:
 * each connection sends a statement's Parse exactly when its session lacks
 * it, for every row of the statement table.
 *
 *   pool_names DATABASE_URL      (a migrated database)
 *
 * Rules phase: a pool whose session has search_path = hz_probe, a schema
 * this program makes (through a side connection) where "tokens" does not
 * exist yet:
 *   1. TOKEN_USED: its Parse is refused (42P01);
 *   2. TOKEN_USED again: the Parse is re-sent, refused again (a remembered
 *      row would be executed unprepared: 26000);
 *      the side connection then creates hz_probe.tokens;
 *   3. TOKEN_USED with a value that is not a number, then TOKEN_BY_ID: the
 *      first fails (22P02), which aborts TOKEN_BY_ID's Parse;
 *   4. TOKEN_BY_ID twice, then TOKEN_USED: succeeds, so TOKEN_BY_ID's
 *      aborted Parse was re-sent exactly once for two uses in one job (a
 *      second Parse would be 42P05) and TOKEN_USED was not parsed again.
 * Every-row phase: a second pool on the migrated schema runs every row of
 * the table twice, one job per row, every parameter NULL. What a statement
 * does with NULLs does not matter (some refuse them); no job may fail
 * with 42P05 (a Parse sent twice on one connection) or 26000 (a row
 * executed without its Parse), or be unavailable. This pool logs at debug,
 * so each Parse it sends is a "database: preparing ROW" line on stderr:
 * the Python test checks that every row appears there exactly once.
 *
 * Prints one line per failure and a closing "N passed, N failed" line;
 * exits 0 only when all 4 + 2 * rows checks passed. */
#include <errno.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "db/pool.h"

#define RULE_STEPS 4 /* jobs of the rules phase, see rule_submit */

typedef struct probe_s {
  const char *url;      /* the migrated database, for the every-row pool */
  char probe_url[1024]; /* url with search_path = hz_probe */
  PGconn *side;         /* blocking connection that makes hz_probe */
  hz_db_pool_t rules;   /* one connection in hz_probe */
  hz_db_pool_t rows;    /* one connection in the migrated schema */
  hz_log_t rules_log;   /* info: the rules pool's Parses are not counted */
  hz_log_t rows_log;    /* debug: every Parse of the rows pool is logged */
  int step;             /* next job of the current phase */
  int passed, failed;   /* counts for the closing line */
} probe_t;

static void rule_done(void *data, const hz_db_result_t *res);
static void row_done(void *data, const hz_db_result_t *res);

static void check(probe_t *pr, int ok, const char *what, const hz_db_result_t *res) {
  if (ok) {
    pr->passed++;
    return;
  }
  pr->failed++;
  printf("FAIL %s: ok=%d unavailable=%d sqlstate=%s error=%s\n", what, res->ok, res->unavailable,
         res->sqlstate, res->error);
}

static int failed_with(const hz_db_result_t *res, const char *sqlstate) {
  return !res->ok && !res->unavailable && strcmp(res->sqlstate, sqlstate) == 0;
}

/* Runs sql on the side connection; 0 or -1 (reported). */
static int side_exec(probe_t *pr, const char *sql) {
  PGresult *r = PQexec(pr->side, sql);
  int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
  if (!ok) {
    pr->failed++;
    printf("FAIL side connection: %s: %s", sql, PQerrorMessage(pr->side));
  }
  PQclear(r);
  return ok ? 0 : -1;
}

/* The URL of the same database whose sessions see only schema hz_probe
 * (and pg_catalog): a libpq URI gets a query parameter, a key=value string
 * one more pair. */
static int make_probe_url(probe_t *pr) {
  const char *url = pr->url;
  int n;
  if (strstr(url, "://"))
    n = snprintf(pr->probe_url, sizeof(pr->probe_url), "%s%soptions=-csearch_path%%3Dhz_probe", url,
                 strchr(url, '?') ? "&" : "?");
  else
    n = snprintf(pr->probe_url, sizeof(pr->probe_url), "%s options='-csearch_path=hz_probe'", url);
  return n > 0 && (size_t)n < sizeof(pr->probe_url) ? 0 : -1;
}

static void on_closed(void *data) {
  (void)data;
}

static void fail_submit(probe_t *pr, hz_db_pool_t *pool, int r) {
  pr->failed++;
  printf("FAIL submit step %d: %d\n", pr->step, r);
  hz_db_pool_close(pool, on_closed, pr);
}

/* ---- every-row phase ---------------------------------------------------- */

/* Parameters a row may have here; hz_stmt_table_check caps $n below 100. */
#define MAX_PARAMS 100

/* Job k of the every-row phase: row k % rows, in round k / rows + 1. */
static void row_submit(probe_t *pr) {
  static const char *const nulls[MAX_PARAMS]; /* every parameter SQL NULL */
  int k = pr->step;
  if (k >= 2 * HZ_STMT__COUNT) {
    hz_db_pool_close(&pr->rows, on_closed, pr);
    return;
  }
  hz_stmt_id_t id = (hz_stmt_id_t)(k % HZ_STMT__COUNT);
  hz_db_stmt_t st = {.id = id, .values = nulls};
  int r = hz_stmt_def(id)->nparams <= MAX_PARAMS
              ? hz_db_pool_submit(&pr->rows, &st, 1, row_done, pr, NULL)
              : -E2BIG;
  if (r)
    fail_submit(pr, &pr->rows, r);
}

static void row_done(void *data, const hz_db_result_t *res) {
  probe_t *pr = data;
  int k = pr->step++;
  char what[96];
  snprintf(what, sizeof(what), "round %d row %s", k / HZ_STMT__COUNT + 1,
           hz_stmt_def((hz_stmt_id_t)(k % HZ_STMT__COUNT))->name);
  check(pr,
        !res->unavailable && strcmp(res->sqlstate, "42P05") != 0 &&
            strcmp(res->sqlstate, "26000") != 0,
        what, res);
  row_submit(pr);
}

/* The rules pool is closed: the every-row pool starts on the plain URL. */
static void rules_closed(void *data) {
  probe_t *pr = data;
  pr->step = 0;
  if (hz_db_pool_init(&pr->rows, uv_default_loop(), pr->url, 1, 16, 30000, &pr->rows_log)) {
    pr->failed++;
    printf("FAIL cannot create the every-row pool\n");
    return;
  }
  row_submit(pr); /* waits in the queue until the connection is up */
}

/* ---- rules phase ------------------------------------------------------- */

/* Job k of the rules phase (see the header comment). */
static void rule_submit(probe_t *pr) {
  static const char *const one[1] = {"1"}, *const nan[1] = {"x"};
  hz_db_stmt_t used = {.id = HZ_STMT_TOKEN_USED, .values = one};
  hz_db_stmt_t by_id = {.id = HZ_STMT_TOKEN_BY_ID, .values = one};
  hz_db_stmt_t st[3] = {used};
  int n = 1;
  switch (pr->step) {
  case 0:
  case 1: break;
  case 2:
    st[0] = (hz_db_stmt_t){.id = HZ_STMT_TOKEN_USED, .values = nan};
    st[1] = by_id;
    n = 2;
    break;
  case 3:
    st[0] = st[1] = by_id;
    st[2] = used;
    n = 3;
    break;
  default: hz_db_pool_close(&pr->rules, rules_closed, pr); return;
  }
  int r = hz_db_pool_submit(&pr->rules, st, n, rule_done, pr, NULL);
  if (r)
    fail_submit(pr, &pr->rules, r);
}

static void rule_done(void *data, const hz_db_result_t *res) {
  static const char *const what[RULE_STEPS] = {
      "refused Parse", "refused Parse is re-sent", "failure aborts a Parse",
      "aborted Parse is re-sent once for two uses, a parsed row is not"};
  probe_t *pr = data;
  int k = pr->step++;
  int ok = k <= 1 ? failed_with(res, "42P01") : k == 2 ? failed_with(res, "22P02") : res->ok;
  if (k == 3 && ok)
    ok = res->results[0] && PQntuples(res->results[0]) == 0 && res->results[1] &&
         PQntuples(res->results[1]) == 0;
  check(pr, ok, what[k], res);
  if (k == 1 && side_exec(pr, "CREATE TABLE hz_probe.tokens (LIKE public.tokens)")) {
    hz_db_pool_close(&pr->rules, on_closed, pr);
    return;
  }
  rule_submit(pr);
}

/* ---- main -------------------------------------------------------------- */

static int start(probe_t *pr) {
  pr->side = PQconnectdb(pr->url);
  if (PQstatus(pr->side) != CONNECTION_OK) {
    fprintf(stderr, "pool_names: %s", PQerrorMessage(pr->side));
    return -1;
  }
  if (side_exec(pr, "DROP SCHEMA IF EXISTS hz_probe CASCADE") ||
      side_exec(pr, "CREATE SCHEMA hz_probe"))
    return -1;
  if (make_probe_url(pr) ||
      hz_db_pool_init(&pr->rules, uv_default_loop(), pr->probe_url, 1, 16, 30000, &pr->rules_log)) {
    fprintf(stderr, "pool_names: cannot create the rules pool\n");
    return -1;
  }
  rule_submit(pr); /* waits in the queue until the connection is up */
  return 0;
}

int main(int argc, char **argv) {
  static probe_t probe;
  probe_t *pr = &probe;
  if (argc != 2) {
    fprintf(stderr, "usage: pool_names DATABASE_URL\n");
    return 2;
  }
  pr->url = argv[1];
  pr->rules_log.level = HZ_LOG_INFO;
  pr->rows_log.level = HZ_LOG_DEBUG;
  uv_loop_t *loop = uv_default_loop();
  int r = start(pr);
  if (r == 0)
    uv_run(loop, UV_RUN_DEFAULT);
  hz_db_pool_free(&pr->rules);
  hz_db_pool_free(&pr->rows);
  PQfinish(pr->side);
  uv_loop_close(loop);
  printf("%d passed, %d failed\n", pr->passed, pr->failed);
  return r == 0 && pr->failed == 0 && pr->passed == RULE_STEPS + 2 * HZ_STMT__COUNT ? 0 : 1;
}
