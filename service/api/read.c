/* Reads that may run on a standby and stay fresh at commit (api/rpc.h's
 * hz_rpc_read_query; db/replica.h says why the position makes it so). */
#include <string.h>

#include "api/rpc.h"

/* A read waiting for the call's WAL position; stmts copied to the arena. */
typedef struct read_wait_s {
  hz_db_stmt_t *stmts; /* the caller's, copied (its array may be on the stack) */
  int n;               /* their number */
  hz_rpc_db_fn cb;     /* the caller's continuation */
  void *tag;           /* and its state */
} read_wait_t;

hz_db_stmt_t hz_rpc_position_stmt(void) {
  return (hz_db_stmt_t){.id = HZ_STMT_WAL_POSITION};
}

int hz_rpc_read_position(hz_rpc_t *rpc, const PGresult *r) {
  const char *lsn = hz_rpc_cell(rpc, r, 0, hz_db_col(r, "lsn"));
  if (!lsn) {
    hz_rpc_oom(rpc);
    return -1;
  }
  rpc->read_lsn = lsn;
  return 0;
}

static int has_reads(const hz_rpc_t *rpc) {
  return rpc->app->reads && rpc->app->reads->n > 0;
}

/* The job itself, at the call's position. */
static int read_at_position(hz_rpc_t *rpc, const hz_db_stmt_t *stmts, int n, hz_rpc_db_fn cb,
                            void *tag) {
  hz_rpc_job_t *j = hz_rpc_job_link(rpc, cb, tag);
  if (!j) {
    hz_rpc_oom(rpc);
    return -1;
  }
  int r = hz_db_read_submit(rpc->app->reads, rpc->read_lsn, stmts, n, hz_rpc_job_done, j, &j->read);
  return hz_rpc_job_submitted(rpc, j, r);
}

static void on_position(hz_rpc_t *rpc, const hz_db_result_t *res, void *tag) {
  read_wait_t *w = tag;
  if (hz_rpc_db_failed(rpc, res) || hz_rpc_read_position(rpc, res->results[0]))
    return;
  read_at_position(rpc, w->stmts, w->n, w->cb, w->tag);
}

int hz_rpc_read_query(hz_rpc_t *rpc, const hz_db_stmt_t *stmts, int n, hz_rpc_db_fn cb, void *tag) {
  /* A call authenticated from the cache confirms its token on the primary
   * first (hz_rpc_query's live check): the position job does that. */
  if (!has_reads(rpc) || !rpc->app->db)
    return hz_rpc_query(rpc, stmts, n, cb, tag);
  if (n < 1 || n > HZ_RPC_MAX_STMTS)
    return hz_rpc_query(rpc, stmts, n, cb, tag); /* refuses the same way */
  if (rpc->read_lsn && !rpc->live_unchecked)
    return read_at_position(rpc, stmts, n, cb, tag);
  hz_arena_t *a = hz_rpc_arena(rpc);
  read_wait_t *w = hz_arena_alloc(a, sizeof(*w));
  hz_db_stmt_t *copy = hz_arena_alloc(a, (size_t)n * sizeof(*copy));
  if (!w || !copy) {
    hz_rpc_oom(rpc);
    return -1;
  }
  memcpy(copy, stmts, (size_t)n * sizeof(*copy));
  *w = (read_wait_t){.stmts = copy, .n = n, .cb = cb, .tag = tag};
  const hz_db_stmt_t position = hz_rpc_position_stmt();
  return hz_rpc_query(rpc, &position, 1, on_position, w);
}
