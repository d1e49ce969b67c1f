/* Drives the real PostgreSQL pool (service/db/pool.c) on one connection
 * against a real database, for test_db_pool.py: the prepared-statement
 * bookkeeping has no ceiling and never sends a wrong Parse.
 *
 *   pool_names DATABASE_URL NAMES
 *
 * Round 1 prepares NAMES distinct statement names, one job each; round 2
 * runs every name again (a forgotten name would be parsed twice: 42P05).
 * Then two jobs whose Parse fails or is aborted, each followed by a job
 * that reuses the names involved. Then the same rules for a statement
 * given by table id (.id, kept in the pool's bitmap rather than its name
 * set): TOKEN_USED runs in a schema of our own where "tokens" does not
 * exist yet, so its Parse is refused twice (a remembered id would be
 * executed unprepared: 26000), aborted once by an earlier error, and after
 * CREATE TABLE it runs twice in one job with one Parse (a second Parse
 * would be 42P05). Prints one line per failure and a closing
 * "N passed, N failed" line; exits 0 only when all passed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "db/pool.h"

#define MAX_NAMES 1000
#define ID_STEPS 6 /* jobs of the by-id phase, see id_step */

typedef struct probe_s {
  hz_db_pool_t pool;        /* one connection */
  char names[MAX_NAMES][24];/* statement names; the pool keeps pointers */
  char args[MAX_NAMES][12]; /* each statement's parameter, its own index */
  int nnames;               /* names in use */
  int step;                 /* next job to submit, see submit_step */
  int passed, failed;       /* counts for the closing line */
  hz_log_t log;             /* the pool's logger */
} probe_t;

static const char *const good_sql = "SELECT $1::int";

static void submit_step(probe_t *pr);
static void on_done(void *data, const hz_db_result_t *res);

static void check(probe_t *pr, int ok, const char *what, const hz_db_result_t *res) {
  if (ok) {
    pr->passed++;
    return;
  }
  pr->failed++;
  printf("FAIL %s: ok=%d sqlstate=%s error=%s\n", what, res->ok, res->sqlstate, res->error);
}

/* Every job answers one row, the statement's own index. */
static int answered(const hz_db_result_t *res, int k, const char *arg) {
  const PGresult *r = res->results[k];
  return res->ok && r && PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), arg) == 0;
}

static int failed_with(const hz_db_result_t *res, const char *sqlstate) {
  return !res->ok && !res->unavailable && strcmp(res->sqlstate, sqlstate) == 0;
}

static void id_done(probe_t *pr, int k, const hz_db_result_t *res) {
  static const char *const what[ID_STEPS] = {
      "own schema", "refused Parse by id", "refused Parse by id, again",
      "aborted Parse by id", "create the table", "the id twice in one job"};
  int ok = k == 1 || k == 2 ? failed_with(res, "42P01")
           : k == 3         ? failed_with(res, "22012")
                            : res->ok;
  check(pr, ok, what[k], res);
}

/* Step k of the by-id phase (see the header comment). */
static int id_step(probe_t *pr, int k) {
  static const char *const one[1] = {"1"};
  hz_db_stmt_t st[2];
  memset(st, 0, sizeof(st));
  hz_db_stmt_t used = {.id = HZ_STMT_TOKEN_USED, .values = one};
  int n = 1;
  switch (k) {
  case 0:
    st[0] = (hz_db_stmt_t){.sql = "CREATE SCHEMA hz_probe"};
    st[1] = (hz_db_stmt_t){.sql = "SET search_path TO hz_probe"};
    n = 2;
    break;
  case 1:
  case 2:
    st[0] = used;
    break;
  case 3:
    st[0] = (hz_db_stmt_t){.sql = "SELECT 1/0"};
    st[1] = used;
    n = 2;
    break;
  case 4:
    st[0] = (hz_db_stmt_t){.sql = "CREATE TABLE tokens (id bigint, last_used_at timestamptz)"};
    break;
  default:
    st[0] = st[1] = used;
    n = 2;
  }
  return hz_db_pool_submit(&pr->pool, st, n, on_done, pr, NULL);
}

static void on_done(void *data, const hz_db_result_t *res) {
  probe_t *pr = data;
  int n = pr->nnames, s = pr->step - 1;
  char what[64];
  if (s >= 2 * n + 4) {
    id_done(pr, s - (2 * n + 4), res);
  } else if (s < 2 * n) {
    int i = s % n;
    snprintf(what, sizeof(what), "round %d name %s", s / n + 1, pr->names[i]);
    check(pr, answered(res, 0, pr->args[i]), what, res);
  } else if (s == 2 * n || s == 2 * n + 2) {
    /* A refused Parse (s == 2n) or an earlier failure aborting a Parse. */
    check(pr, !res->ok && !res->unavailable && strcmp(res->sqlstate, "42P05") != 0,
          "failing job", res);
  } else {
    /* The names of the failed job, used again: they must just work. */
    check(pr, answered(res, 0, pr->args[0]) && answered(res, 1, pr->args[1]),
          s == 2 * n + 1 ? "reuse after a refused Parse" : "reuse after an aborted Parse", res);
  }
  submit_step(pr);
}

static void on_closed(void *data) {
  (void)data;
}

static void submit_step(probe_t *pr) {
  int n = pr->nnames, s = pr->step++;
  hz_db_stmt_t st[2];
  memset(st, 0, sizeof(st));
  const char *v0[1] = {pr->args[0]}, *v1[1] = {pr->args[1]};
  int r;
  if (s < 2 * n) {
    const char *v[1] = {pr->args[s % n]};
    st[0] = (hz_db_stmt_t){.name = pr->names[s % n], .sql = good_sql, .nparams = 1, .values = v};
    r = hz_db_pool_submit(&pr->pool, st, 1, on_done, pr, NULL);
  } else if (s == 2 * n) {
    /* names[0] is prepared; "probe_bad" cannot be (syntax error). */
    st[0] = (hz_db_stmt_t){.name = pr->names[0], .sql = good_sql, .nparams = 1, .values = v0};
    st[1] = (hz_db_stmt_t){.name = "probe_bad", .sql = "SELEC 1", .nparams = 0};
    r = hz_db_pool_submit(&pr->pool, st, 2, on_done, pr, NULL);
  } else if (s == 2 * n + 2) {
    /* The first statement fails, so the Parse of a new name is aborted. */
    st[0] = (hz_db_stmt_t){.sql = "SELECT 1/0", .nparams = 0};
    st[1] = (hz_db_stmt_t){.name = "probe_fresh", .sql = good_sql, .nparams = 1, .values = v1};
    r = hz_db_pool_submit(&pr->pool, st, 2, on_done, pr, NULL);
  } else if (s == 2 * n + 1 || s == 2 * n + 3) {
    const char *second = s == 2 * n + 1 ? pr->names[1] : "probe_fresh";
    st[0] = (hz_db_stmt_t){.name = pr->names[0], .sql = good_sql, .nparams = 1, .values = v0};
    st[1] = (hz_db_stmt_t){.name = second, .sql = good_sql, .nparams = 1, .values = v1};
    r = hz_db_pool_submit(&pr->pool, st, 2, on_done, pr, NULL);
  } else if (s < 2 * n + 4 + ID_STEPS) {
    r = id_step(pr, s - (2 * n + 4));
  } else {
    hz_db_pool_close(&pr->pool, on_closed, pr);
    return;
  }
  if (r) {
    pr->failed++;
    printf("FAIL submit step %d: %d\n", s, r);
    hz_db_pool_close(&pr->pool, on_closed, pr);
  }
}

int main(int argc, char **argv) {
  static probe_t probe;
  probe_t *pr = &probe;
  if (argc != 3 || atoi(argv[2]) < 2 || atoi(argv[2]) > MAX_NAMES) {
    fprintf(stderr, "usage: pool_names DATABASE_URL NAMES (2..%d)\n", MAX_NAMES);
    return 2;
  }
  pr->nnames = atoi(argv[2]);
  pr->log.level = HZ_LOG_INFO;
  for (int i = 0; i < pr->nnames; i++) {
    snprintf(pr->names[i], sizeof(pr->names[i]), "probe_%d", i);
    snprintf(pr->args[i], sizeof(pr->args[i]), "%d", i);
  }
  uv_loop_t *loop = uv_default_loop();
  if (hz_db_pool_init(&pr->pool, loop, argv[1], 1, 16, 30000, &pr->log)) {
    fprintf(stderr, "pool_names: cannot create the pool\n");
    return 1;
  }
  submit_step(pr); /* waits in the queue until the connection is up */
  uv_run(loop, UV_RUN_DEFAULT);
  hz_db_pool_free(&pr->pool);
  uv_loop_close(loop);
  printf("%d passed, %d failed\n", pr->passed, pr->failed);
  return pr->failed == 0 && pr->passed == 2 * pr->nnames + 4 + ID_STEPS ? 0 : 1;
}
