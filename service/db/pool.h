/* Asynchronous PostgreSQL pool on the loop: PQconnectStart/PQconnectPoll,
 * pipeline mode with one Sync per job (so a job's statements are one
 * implicit transaction), uv_poll on PQsocket, a bounded queue, and
 * reconnection with backoff. The loop never waits on the database. */
#ifndef HZ_DB_POOL_H
#define HZ_DB_POOL_H

#include <libpq-fe.h>
#include <uv.h>

#include "core/log.h"

#define HZ_DB_MAX_STMTS 16     /* statements in one job */
#define HZ_DB_MAX_PREPARED 64  /* named statements remembered per connection */

/* One statement of a job. Parameters are sent in text unless formats say
 * otherwise. The pool copies parameter values when the job is submitted,
 * so a job may outlive the call that made it; name and sql must be static. */
typedef struct hz_db_stmt_s {
  const char *name;           /* prepared once per connection if set */
  const char *sql;            /* the statement text */
  int nparams;                /* number of $n parameters */
  const char *const *values;  /* parameter values (NULL entry = SQL NULL) */
  const int *lengths;         /* binary lengths, or NULL */
  const int *formats;         /* 1 = binary per parameter, or NULL */
} hz_db_stmt_t;

/* What a job's callback receives. Results are freed after it returns. */
typedef struct hz_db_result_s {
  int ok;                  /* every statement succeeded; committed */
  int unavailable;         /* the database could not be reached */
  const char *error;       /* first error message when !ok */
  const char *sqlstate;    /* its SQLSTATE, or "" */
  PGresult **results;      /* one per statement (NULL if not run) */
  int nresults;            /* number of statements */
} hz_db_result_t;

typedef void (*hz_db_done_fn)(void *data, const hz_db_result_t *res);

typedef struct hz_db_job_s hz_db_job_t;
typedef struct hz_db_conn_s hz_db_conn_t;

typedef struct hz_db_pool_s {
  uv_loop_t *loop;             /* owning loop */
  const char *conninfo;        /* libpq connection string */
  const hz_log_t *log;         /* for connection state changes */
  hz_db_conn_t *conns;         /* all connections, array of size */
  int size;                    /* pool size */
  hz_db_conn_t *idle;          /* connections ready for a job */
  int nready;                  /* connected (idle or busy) */
  int first_attempts;          /* connections still on their first connect */
  hz_db_job_t *queue_head;     /* jobs waiting for a connection */
  hz_db_job_t *queue_tail;     /* last waiting job */
  int queued;                  /* jobs waiting */
  int queue_max;               /* bound; submit fails beyond it */
  int closing;                 /* hz_db_pool_close called */
  int open_handles;            /* uv handles not yet closed */
  void (*on_state)(void *data, int up); /* database reachable or not */
  void *state_data;            /* its argument */
  void (*on_closed)(void *data);/* all handles closed */
  void *closed_data;           /* its argument */
} hz_db_pool_t;

int hz_db_pool_init(hz_db_pool_t *p, uv_loop_t *loop, const char *conninfo, int size,
                    int queue_max, const hz_log_t *log);
/* Queues a job of n statements. Returns 0, -EAGAIN when the queue is full,
 * -ENOTCONN when no connection is up, -EINVAL for bad arguments. When
 * job_out is set the job can be cancelled until its callback runs. */
int hz_db_pool_submit(hz_db_pool_t *p, const hz_db_stmt_t *stmts, int n, hz_db_done_fn done,
                      void *data, hz_db_job_t **job_out);
/* The callback will not run. A job already sent still completes (and
 * commits) in the database: cancelling only drops the answer. */
void hz_db_job_cancel(hz_db_job_t *job);
/* Fails queued jobs, closes connections; on_closed runs when done. */
void hz_db_pool_close(hz_db_pool_t *p, void (*on_closed)(void *), void *data);
void hz_db_pool_free(hz_db_pool_t *p);

#endif
