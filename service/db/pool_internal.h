/* Inside the pool: the job and connection structs shared by pool.c (the
 * connection lifecycle: connect, watch, reconnect, close) and job.c (the job
 * pipeline: queue, parameters, sending, filing results). Not for callers;
 * they use db/pool.h. */
#ifndef HZ_DB_POOL_INTERNAL_H
#define HZ_DB_POOL_INTERNAL_H

#include "db/pool.h"
#include "db/prepared.h"

/* A connection's life. Every change goes through conn_set_state (pool.c),
 * which asserts the old state is a legal predecessor:
 *   WAITING    -> CONNECTING (backoff over) | WAITING (start failed)
 *                 | CLOSED
 *   CONNECTING -> IDLE (connected) | WAITING (failed) | CLOSED
 *   IDLE       -> BUSY (a job or a ping) | WAITING (lost) | CLOSED
 *   BUSY       -> IDLE (its Sync came) | WAITING (lost, timed out) | CLOSED
 *   CLOSED     -> CLOSED
 * Ready (counted in nready, on_state told) means IDLE or BUSY. */
typedef enum {
  HZ_DBC_WAITING,    /* disconnected; backoff timer pending (or not yet
                        started: the state a zeroed connection begins in) */
  HZ_DBC_CONNECTING, /* PQconnectPoll in progress under the timer */
  HZ_DBC_IDLE,       /* on the pool's idle list, no job */
  HZ_DBC_BUSY,       /* running one job (or a ping); the timer bounds it */
  HZ_DBC_CLOSED,     /* pool closing; never leaves this state */
} hz_dbc_state_t;

struct hz_db_job_s {
  hz_db_job_t *next;                   /* queue link */
  hz_db_pool_t *pool;                  /* owner, for cancel */
  hz_db_done_fn done;                  /* NULL once cancelled, and for a ping */
  void *data;                          /* passed to done */
  int nstmts;                          /* 0 for a ping (a Sync alone) */
  hz_db_stmt_t stmts[HZ_DB_MAX_STMTS]; /* shallow copies; params in `params` */
  int queued;                          /* on the pool's queue (cancel frees it
                                         there; in flight it completes) */
  int waited;                          /* found no idle connection: counted in
                                         the pool's waits when it leaves */
  uint64_t queued_at;                  /* uv_hrtime() it joined the queue */
  PGresult *results[HZ_DB_MAX_STMTS];  /* filled as they arrive */
  struct {
    short stmt;                   /* statement the entry belongs to */
    short prepare;                /* 1 = its Parse, 0 = its execution */
  } entries[2 * HZ_DB_MAX_STMTS]; /* pipeline entries sent, in order */
  int nentries;                   /* entries sent */
  int cur;                        /* entry whose results arrive now */
  const PGresult *failure;        /* first error result, in arrival order */
  PGresult *extra;                /* an error that belongs to no statement
                                         slot (a Parse's, the commit's); owned */
  void *params;                   /* copies of every parameter, one block */
};

typedef struct hz_db_poll_s {
  uv_poll_t handle;   /* watches one socket; freed when its close completes */
  hz_db_conn_t *conn; /* NULL once abandoned (the socket changed or closed) */
} hz_db_poll_t;

struct hz_db_conn_s {
  hz_db_pool_t *pool;        /* whose idle list, queue and nready it joins */
  hz_db_conn_t *next_idle;   /* idle list link, NULL unless IDLE */
  hz_dbc_state_t state;      /* see hz_dbc_state_t; only conn_set_state
                                writes it */
  PGconn *pg;                /* NULL when WAITING or CLOSED */
  hz_db_poll_t *poll;        /* watcher of PQsocket, NULL when none */
  int poll_fd;               /* socket being watched */
  uv_timer_t timer;          /* backoff, or the bound on a connect or a job */
  unsigned backoff_ms;       /* next retry delay; doubles to a cap */
  hz_db_job_t *job;          /* non-NULL exactly when BUSY */
  hz_db_prepared_t prepared; /* what this session has parsed */
  int reported_down;         /* logged this outage already */
  int first_attempt;         /* has not yet connected or failed once */
  int ever_connected;        /* connected before: the next connect is a
                                reconnect (metrics) */
  int host;                  /* index in pool->hosts of the host the
                                connect is on (its timer bounds that host),
                                -1 when unknown or a single host */
};

/* job.c, for pool.c */

/* Completes job: calls its callback (unless cancelled) and frees it. */
void hz_db_job_complete(hz_db_job_t *job, int unavailable, const char *conn_error);
/* Takes the oldest queued job off the pool's queue, or NULL. */
hz_db_job_t *hz_db_queue_pop(hz_db_pool_t *p);
/* Fails every queued job as unavailable with why. */
void hz_db_queue_fail(hz_db_pool_t *p, const char *why);
/* Queues every statement of job (with the Parses c's session lacks) and a
 * Sync into libpq's buffer. Returns 0 or -1 (see PQerrorMessage). */
int hz_db_job_send(hz_db_conn_t *c, hz_db_job_t *job);
/* Reads the results libpq has complete for c's job; returns 1 once the
 * job's Sync arrived (the job is then complete in every result), else 0. */
int hz_db_job_read(hz_db_conn_t *c);

/* pool.c, for job.c */

/* Gives queued jobs to idle connections. */
void hz_db_dispatch(hz_db_pool_t *p);

#endif
