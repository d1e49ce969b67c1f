/* Asynchronous PostgreSQL pool on the loop: PQconnectStart/PQconnectPoll,
 * pipeline mode with one Sync per job (so a job's statements are one
 * implicit transaction), uv_poll on PQsocket, a bounded queue, and
 * reconnection with backoff. The loop never waits on the database. Every
 * statement is a row of the statement table (db/statements.h), prepared
 * once per connection by its id.
 *
 * A job succeeds only when every result it produced succeeded, including
 * the one the Sync produces: an error there is the implicit COMMIT failing
 * (a deferred constraint, a serialization failure), and nothing was stored.
 *
 * A database that does not answer is a database that is down: a connect or
 * a job that gets no answer within the pool's timeout drops its connection
 * (the job fails as unavailable), the idle connections are asked for a
 * round trip under the same bound, and the pool reports itself down once no
 * connection is left; reconnection brings it back by itself. libpq's
 * notices and connection errors go to the pool's logger.
 *
 * A primary that moves (a Patroni switchover or failover) is followed the
 * same way: the connection string may name several hosts with
 * target_session_attrs=read-write, a lost connection reconnects through
 * libpq, which keeps the host that takes writes. A job refused because its
 * session cannot write (SQLSTATE 25006: a standby, or a primary fenced
 * read-only) fails as unavailable and its connection is dropped, so no
 * session to a host that stopped taking writes is ever kept. */
#ifndef HZ_DB_POOL_H
#define HZ_DB_POOL_H

#include <libpq-fe.h>
#include <uv.h>

#include "core/log.h"
#include "core/metrics.h"
#include "db/hosts.h"
#include "db/statements.h"

/* Statements in one job; SubmitStream's batches are HZ_RPC_MAX_STMTS
 * requests (one slot stays for the token's live check). */
#define HZ_DB_MAX_STMTS 32

/* One statement of a job: a row of the statement table and its parameter
 * values. The row supplies the SQL, the parameter count and the prepared
 * name; each connection Parses a row once, the first time a job runs it
 * there (db/prepared.h). Parameters are sent in text unless formats say
 * otherwise. The pool copies them when the job is submitted, so a job may
 * outlive the call that made it. */
typedef struct hz_db_stmt_s {
  hz_stmt_id_t id;           /* the statement table's row */
  const char *const *values; /* hz_stmt_def(id)->nparams values, NULL entry
                                 = SQL NULL; may be NULL for a row without
                                 parameters */
  const int *lengths;        /* byte lengths of binary values, or NULL */
  const int *formats;        /* 1 = binary per parameter, or NULL (text) */
} hz_db_stmt_t;

/* What a job's callback receives. Results are freed after it returns. */
typedef struct hz_db_result_s {
  int ok;               /* every statement and the commit succeeded */
  int unavailable;      /* the database could not be reached */
  const char *error;    /* first error message when !ok (a statement's,
                              a Prepare's or the commit's) */
  const char *sqlstate; /* its SQLSTATE, or "" */
  PGresult **results;   /* one per statement (NULL if not run); may be
                              complete even when the commit failed */
  int nresults;         /* = the job's statements, one slot each */
} hz_db_result_t;

/* The index of result column name in r, or -1 when r has no such column
 * (a statement table row out of step with its SQL: test_db_pool catches
 * that). Readers use this instead of positions. */
static inline int hz_db_col(const PGresult *r, const char *name) {
  return PQfnumber(r, name);
}

typedef void (*hz_db_done_fn)(void *data, const hz_db_result_t *res);

typedef struct hz_db_job_s hz_db_job_t;
typedef struct hz_db_conn_s hz_db_conn_t;

typedef struct hz_db_pool_s {
  uv_loop_t *loop;                      /* owning loop */
  const char *conninfo;                 /* libpq connection string */
  const hz_log_t *log;                  /* for connection state changes */
  const char *label;                    /* what log lines call it: "database",
                                           or a read server's "read database N" */
  hz_db_conn_t *conns;                  /* all connections, array of size */
  int size;                             /* connections in conns, fixed at init */
  hz_db_conn_t *idle;                   /* connections ready for a job */
  unsigned timeout_ms;                  /* longest wait for a connect or a job's answer */
  int nready;                           /* connected (idle or busy) */
  int nbusy;                            /* running a job or a ping */
  hz_metrics_t *metrics;                /* the loop's counters, or NULL */
  int first_attempts;                   /* connections still on their first connect */
  hz_db_job_t *queue_head;              /* jobs waiting for a connection */
  hz_db_job_t *queue_tail;              /* last waiting job */
  int queued;                           /* jobs waiting */
  int queue_max;                        /* bound; submit fails beyond it */
  int closing;                          /* hz_db_pool_close called */
  int open_handles;                     /* uv handles not yet closed */
  void (*on_state)(void *data, int up); /* database reachable or not */
  void *state_data;                     /* passed to on_state */
  void (*on_closed)(void *data);        /* all handles closed */
  void *closed_data;                    /* passed to on_closed */
  hz_db_hosts_t hosts;                  /* conninfo's hosts when several: each
                                           bounded on its own, the next connect
                                           starting past one that hung */
} hz_db_pool_t;

/* timeout_ms bounds each connect and each job once sent (see above); it
 * also sets TCP keepalives and tcp_user_timeout, which the connection
 * string may override. 0 picks HZ_DB_DEFAULT_TIMEOUT_MS. With several
 * hosts it bounds each host a connect tries, and a host that used it up is
 * tried last by the next connects (db/hosts.h says why). */
#define HZ_DB_DEFAULT_TIMEOUT_MS 15000u
int hz_db_pool_init(hz_db_pool_t *p, uv_loop_t *loop, const char *conninfo, int size, int queue_max,
                    unsigned timeout_ms, const hz_log_t *log);
/* Queues a job of n statements. Returns 0, -EAGAIN when the queue is full,
 * -ENOTCONN when no connection is up, -EINVAL for bad arguments (n out of
 * 1..HZ_DB_MAX_STMTS, no callback, an id outside the table, a row with
 * parameters but no values). When job_out is set the job can be cancelled
 * until its callback runs. */
int hz_db_pool_submit(hz_db_pool_t *p, const hz_db_stmt_t *stmts, int n, hz_db_done_fn done,
                      void *data, hz_db_job_t **job_out);
/* The callback will not run. A job already sent still completes (and
 * commits) in the database: cancelling only drops the answer. */
void hz_db_job_cancel(hz_db_job_t *job);
/* Fails queued jobs, closes connections; on_closed runs when done. */
/* Reports into m (the owning loop's) from now on: size, ready and busy
 * connections, queue depth and waits, failed jobs, reconnects. */
void hz_db_pool_set_metrics(hz_db_pool_t *p, hz_metrics_t *m);
void hz_db_pool_close(hz_db_pool_t *p, void (*on_closed)(void *), void *data);
void hz_db_pool_free(hz_db_pool_t *p);

#endif
