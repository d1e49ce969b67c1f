/* PostgreSQL connection pool driven by libuv. */
#include "db/pool.h"

#include "db/prepared.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#define BACKOFF_MIN_MS 100u
#define BACKOFF_MAX_MS 5000u

typedef enum {
  DBC_WAITING,    /* disconnected; backoff timer pending */
  DBC_CONNECTING, /* PQconnectPoll in progress */
  DBC_IDLE,       /* on the pool's idle list */
  DBC_BUSY,       /* running one job (or a ping); the timer bounds it */
  DBC_CLOSED,     /* pool closing */
} dbc_state_t;

struct hz_db_job_s {
  hz_db_job_t *next;                  /* queue link */
  hz_db_pool_t *pool;                 /* owner */
  hz_db_done_fn done;                 /* NULL once cancelled, and for a ping */
  void *data;                         /* callback argument */
  int nstmts;                         /* statements; 0 for a ping (a Sync alone) */
  hz_db_stmt_t stmts[HZ_DB_MAX_STMTS];/* shallow copies */
  int queued;                         /* still on the queue */
  PGresult *results[HZ_DB_MAX_STMTS]; /* filled as they arrive */
  struct {
    short stmt;                       /* statement the entry belongs to */
    short prepare;                    /* 1 = its Parse, 0 = its execution */
  } entries[2 * HZ_DB_MAX_STMTS];     /* pipeline entries sent, in order */
  int nentries;                       /* entries sent */
  int cur;                            /* entry whose results arrive now */
  const PGresult *failure;            /* first error result, in arrival order */
  PGresult *extra;                    /* an error that belongs to no statement
                                         slot (a Parse's, the commit's); owned */
  void *params;                       /* copies of every parameter, one block */
};

typedef struct hz_db_poll_s {
  uv_poll_t handle;  /* watches one socket */
  hz_db_conn_t *conn;/* NULL once abandoned */
} hz_db_poll_t;

struct hz_db_conn_s {
  hz_db_pool_t *pool;        /* owner */
  hz_db_conn_t *next_idle;   /* idle list link */
  dbc_state_t state;         /* which list / phase, see dbc_state_t */
  PGconn *pg;                /* libpq connection */
  hz_db_poll_t *poll;        /* watcher of PQsocket, NULL when none */
  int poll_fd;               /* socket being watched */
  uv_timer_t timer;          /* backoff, or the bound on a connect or a job */
  unsigned backoff_ms;       /* next retry delay */
  hz_db_job_t *job;          /* job in flight when BUSY */
  hz_db_prepared_t prepared; /* statement names this session has parsed */
  int reported_down;         /* logged this outage already */
  int first_attempt;         /* has not yet connected or failed once */
};

static void conn_start(hz_db_conn_t *c);
static void end_first_attempt(hz_db_conn_t *c);
static void conn_broken(hz_db_conn_t *c, const char *why);
static void dispatch(hz_db_pool_t *p);

/* ---- poll handles ------------------------------------------------------ */

static void on_poll_closed(uv_handle_t *h) {
  hz_db_poll_t *w = h->data;
  hz_db_pool_t *p = w->conn ? w->conn->pool : NULL;
  (void)p;
  free(w);
}

static void poll_stop(hz_db_conn_t *c) {
  if (!c->poll)
    return;
  c->poll->conn = NULL;
  uv_close((uv_handle_t *)&c->poll->handle, on_poll_closed);
  c->poll = NULL;
  c->poll_fd = -1;
}

static void on_poll(uv_poll_t *h, int status, int events);

/* Watches PQsocket for events; a new socket (libpq may switch during
 * connect) gets a new handle. */
static int poll_watch(hz_db_conn_t *c, int events) {
  int fd = PQsocket(c->pg);
  if (fd < 0)
    return -1;
  if (c->poll && c->poll_fd != fd)
    poll_stop(c);
  if (!c->poll) {
    hz_db_poll_t *w = malloc(sizeof(*w));
    if (!w)
      return -1;
    w->conn = c;
    w->handle.data = w;
    if (uv_poll_init(c->pool->loop, &w->handle, fd)) {
      free(w);
      return -1;
    }
    c->poll = w;
    c->poll_fd = fd;
  }
  return uv_poll_start(&c->poll->handle, events, on_poll) ? -1 : 0;
}

/* ---- pool state ------------------------------------------------------- */

static void set_ready(hz_db_conn_t *c, int ready) {
  hz_db_pool_t *p = c->pool;
  int before = p->nready;
  p->nready += ready ? 1 : -1;
  if (p->on_state && (before == 0) != (p->nready == 0))
    p->on_state(p->state_data, p->nready > 0);
}

static void idle_push(hz_db_conn_t *c) {
  c->state = DBC_IDLE;
  c->next_idle = c->pool->idle;
  c->pool->idle = c;
}

static void idle_remove(hz_db_conn_t *c) {
  hz_db_conn_t **pp = &c->pool->idle;
  while (*pp && *pp != c)
    pp = &(*pp)->next_idle;
  if (*pp)
    *pp = c->next_idle;
  c->next_idle = NULL;
}

/* ---- jobs ---------------------------------------------------------------- */

static void job_free(hz_db_job_t *job) {
  for (int i = 0; i < job->nstmts; i++)
    PQclear(job->results[i]);
  PQclear(job->extra);
  free(job->params);
  free(job);
}

static size_t param_len(const hz_db_stmt_t *s, int i) {
  if (!s->values[i])
    return 0;
  if (s->formats && s->formats[i] && s->lengths)
    return (size_t)s->lengths[i];
  return strlen(s->values[i]) + 1;
}

/* Copies the statements' parameters into one block the job owns, so the
 * caller's memory may go away before the job is sent. */
static int copy_params(hz_db_job_t *job) {
  size_t total = 0;
  for (int k = 0; k < job->nstmts; k++) {
    const hz_db_stmt_t *s = &job->stmts[k];
    total += (size_t)s->nparams * (sizeof(char *) + 2 * sizeof(int)) + sizeof(char *);
    for (int i = 0; i < s->nparams; i++)
      total += param_len(s, i);
  }
  if (total == 0)
    return 0;
  char *mem = malloc(total);
  if (!mem)
    return -ENOMEM;
  job->params = mem;
  /* Pointer arrays first (aligned), then the int arrays, then the bytes. */
  for (int k = 0; k < job->nstmts; k++) {
    hz_db_stmt_t *s = &job->stmts[k];
    size_t misalign = (uintptr_t)mem % sizeof(char *);
    if (misalign)
      mem += sizeof(char *) - misalign; /* the padding counted in total */
    const char **values = (const char **)(void *)mem;
    mem += (size_t)s->nparams * sizeof(char *);
    int *lengths = NULL, *formats = NULL;
    if (s->lengths) {
      lengths = (int *)(void *)mem;
      memcpy(lengths, s->lengths, (size_t)s->nparams * sizeof(int));
    }
    mem += (size_t)s->nparams * sizeof(int);
    if (s->formats) {
      formats = (int *)(void *)mem;
      memcpy(formats, s->formats, (size_t)s->nparams * sizeof(int));
    }
    mem += (size_t)s->nparams * sizeof(int);
    for (int i = 0; i < s->nparams; i++) {
      size_t n = param_len(s, i);
      values[i] = s->values[i] ? memcpy(mem, s->values[i], n) : NULL;
      mem += n;
    }
    s->values = values;
    s->lengths = lengths;
    s->formats = formats;
  }
  return 0;
}

static int result_ok(const PGresult *r) {
  ExecStatusType st = PQresultStatus(r);
  return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

/* The job's outcome: the first error in arrival order decides, wherever it
 * came from (after it, PostgreSQL aborts the rest of the pipeline up to the
 * Sync, so the later results say nothing more). Without one, every
 * statement must have its successful result and the Sync must have come. */
static void job_complete(hz_db_job_t *job, int unavailable, const char *conn_error) {
  hz_db_result_t res = {.ok = 1, .error = "", .sqlstate = "", .results = job->results,
                        .nresults = job->nstmts};
  if (unavailable) {
    res.ok = 0;
    res.unavailable = 1;
    res.error = conn_error;
  } else if (job->failure) {
    res.ok = 0;
    res.error = PQresultErrorMessage(job->failure);
    const char *state = PQresultErrorField(job->failure, PG_DIAG_SQLSTATE);
    res.sqlstate = state ? state : "";
  }
  for (int i = 0; res.ok && i < job->nstmts; i++) {
    if (job->results[i] && result_ok(job->results[i]))
      continue;
    res.ok = 0;
    res.error = "statement was not run";
  }
  if (job->done)
    job->done(job->data, &res);
  job_free(job);
}

static void queue_push(hz_db_pool_t *p, hz_db_job_t *job) {
  job->next = NULL;
  job->queued = 1;
  if (p->queue_tail)
    p->queue_tail->next = job;
  else
    p->queue_head = job;
  p->queue_tail = job;
  p->queued++;
}

static hz_db_job_t *queue_pop(hz_db_pool_t *p) {
  hz_db_job_t *job = p->queue_head;
  if (!job)
    return NULL;
  p->queue_head = job->next;
  if (!p->queue_head)
    p->queue_tail = NULL;
  p->queued--;
  job->queued = 0;
  job->next = NULL;
  return job;
}

static void fail_queue(hz_db_pool_t *p, const char *why) {
  hz_db_job_t *job;
  while ((job = queue_pop(p)))
    job_complete(job, 1, why);
}

/* Queues a named statement, preceded by its Parse the first time this
 * session sees the name. The name is remembered from the moment its Parse
 * is queued (a second use in the same job must not Parse again) until that
 * Parse is refused (read_results forgets it). */
static int send_named(hz_db_conn_t *c, hz_db_job_t *job, int i) {
  const hz_db_stmt_t *s = &job->stmts[i];
  if (!hz_db_prepared_has(&c->prepared, s->name)) {
    if (hz_db_prepared_add(&c->prepared, s->name))
      /* Cannot remember it: run it unnamed rather than Parse it twice. */
      return PQsendQueryParams(c->pg, s->sql, s->nparams, NULL, s->values, s->lengths,
                               s->formats, 0);
    if (!PQsendPrepare(c->pg, s->name, s->sql, s->nparams, NULL))
      return 0;
    hz_log_debug(c->pool->log, "database: preparing %s", s->name);
    job->entries[job->nentries].stmt = (short)i;
    job->entries[job->nentries++].prepare = 1;
  }
  return PQsendQueryPrepared(c->pg, s->name, s->nparams, s->values, s->lengths, s->formats, 0);
}

/* Queues every statement of the job and a Sync into libpq's buffer. */
static int send_job(hz_db_conn_t *c, hz_db_job_t *job) {
  job->nentries = 0;
  job->cur = 0;
  for (int i = 0; i < job->nstmts; i++) {
    const hz_db_stmt_t *s = &job->stmts[i];
    int ok = s->name ? send_named(c, job, i)
                     : PQsendQueryParams(c->pg, s->sql, s->nparams, NULL, s->values, s->lengths,
                                         s->formats, 0);
    if (!ok)
      return -1;
    job->entries[job->nentries].stmt = (short)i;
    job->entries[job->nentries++].prepare = 0;
  }
  return PQpipelineSync(c->pg) ? 0 : -1;
}

static void flush_and_watch(hz_db_conn_t *c) {
  int r = PQflush(c->pg);
  if (r < 0) {
    conn_broken(c, PQerrorMessage(c->pg));
    return;
  }
  if (poll_watch(c, UV_READABLE | (r == 1 ? UV_WRITABLE : 0)))
    conn_broken(c, "cannot watch the database socket");
}

static void on_timer(uv_timer_t *t);

static void run_job(hz_db_conn_t *c, hz_db_job_t *job) {
  c->state = DBC_BUSY;
  c->job = job;
  uv_timer_start(&c->timer, on_timer, c->pool->timeout_ms, 0);
  if (send_job(c, job)) {
    conn_broken(c, PQerrorMessage(c->pg));
    return;
  }
  flush_and_watch(c);
}

static void dispatch(hz_db_pool_t *p) {
  while (p->idle && p->queue_head) {
    hz_db_conn_t *c = p->idle;
    p->idle = c->next_idle;
    c->next_idle = NULL;
    run_job(c, queue_pop(p));
  }
}

/* Files one result of the job. A statement's first result goes to its
 * slot; anything else (a Parse's result, the error the Sync brings when
 * the implicit COMMIT fails) is kept only if it is the job's first error.
 * A Parse that did not succeed is forgotten, so the next job sends it
 * again instead of executing a name this session does not have. */
static void file_result(hz_db_conn_t *c, hz_db_job_t *job, PGresult *r) {
  int in_entry = job->cur < job->nentries;
  int stmt = in_entry ? job->entries[job->cur].stmt : -1;
  int prepare = in_entry && job->entries[job->cur].prepare;
  ExecStatusType st = PQresultStatus(r);
  int failed = !result_ok(r) && st != PGRES_PIPELINE_ABORTED;
  if (prepare && st != PGRES_COMMAND_OK)
    hz_db_prepared_forget(&c->prepared, job->stmts[stmt].name);
  if (in_entry && !prepare && !job->results[stmt]) {
    job->results[stmt] = r;
    if (failed && !job->failure)
      job->failure = r;
    return;
  }
  if (failed && !job->failure) {
    job->extra = r;
    job->failure = r;
    return;
  }
  PQclear(r);
}

/* Reads whatever results are complete; finishes the job at its Sync. */
static void read_results(hz_db_conn_t *c) {
  hz_db_job_t *job = c->job;
  while (job && !PQisBusy(c->pg)) {
    PGresult *r = PQgetResult(c->pg);
    if (!r) {
      job->cur++; /* end of one pipeline entry's results */
      continue;
    }
    if (PQresultStatus(r) == PGRES_PIPELINE_SYNC) {
      PQclear(r);
      uv_timer_stop(&c->timer);
      c->job = NULL;
      idle_push(c);
      job_complete(job, 0, NULL);
      dispatch(c->pool);
      return;
    }
    file_result(c, job, r);
  }
}

static void drain_idle_input(hz_db_conn_t *c) {
  PGnotify *n;
  while ((n = PQnotifies(c->pg)))
    PQfreemem(n);
}

/* ---- connection life ------------------------------------------------- */

static void connect_step(hz_db_conn_t *c) {
  switch (PQconnectPoll(c->pg)) {
  case PGRES_POLLING_READING:
    if (poll_watch(c, UV_READABLE))
      conn_broken(c, "cannot watch the database socket");
    return;
  case PGRES_POLLING_WRITING:
    if (poll_watch(c, UV_WRITABLE))
      conn_broken(c, "cannot watch the database socket");
    return;
  case PGRES_POLLING_OK:
    break;
  default:
    conn_broken(c, PQerrorMessage(c->pg));
    return;
  }
  uv_timer_stop(&c->timer);
  end_first_attempt(c);
  if (PQsetnonblocking(c->pg, 1) || !PQenterPipelineMode(c->pg)) {
    conn_broken(c, "cannot enter pipeline mode");
    return;
  }
  if (c->reported_down)
    hz_log_info(c->pool->log, "database connection restored");
  c->reported_down = 0;
  c->backoff_ms = BACKOFF_MIN_MS;
  hz_db_prepared_clear(&c->prepared);
  idle_push(c);
  set_ready(c, 1);
  if (poll_watch(c, UV_READABLE)) {
    conn_broken(c, "cannot watch the database socket");
    return;
  }
  dispatch(c->pool);
}

/* libuv reports an error on the socket (POLLERR: a refused connect, a
 * reset) as UV_EBADF, which says nothing about the database. libpq reads
 * the socket's error and what the server sent before it (its FATAL
 * message), so it is asked first; uv's text is the last resort. */
static void poll_error(hz_db_conn_t *c, int status) {
  if (c->state == DBC_CONNECTING) {
    connect_step(c);
    return;
  }
  if (!PQconsumeInput(c->pg)) {
    conn_broken(c, PQerrorMessage(c->pg));
    return;
  }
  if (c->state == DBC_BUSY)
    read_results(c);
  if (c->state == DBC_BUSY || c->state == DBC_IDLE)
    conn_broken(c, status == UV_EBADF ? "connection closed by the database" : uv_strerror(status));
}

static void on_poll(uv_poll_t *h, int status, int events) {
  hz_db_poll_t *w = h->data;
  hz_db_conn_t *c = w->conn;
  if (!c)
    return;
  if (status < 0) {
    poll_error(c, status);
    return;
  }
  switch (c->state) {
  case DBC_CONNECTING:
    connect_step(c);
    return;
  case DBC_BUSY:
    if (events & UV_WRITABLE) {
      flush_and_watch(c);
      if (c->state != DBC_BUSY)
        return;
    }
    if (events & UV_READABLE) {
      if (!PQconsumeInput(c->pg)) {
        conn_broken(c, PQerrorMessage(c->pg));
        return;
      }
      read_results(c);
    }
    return;
  case DBC_IDLE:
    /* An idle connection only becomes readable when the server closes it
     * (restart, admin terminate) or sends a notice. */
    if (!PQconsumeInput(c->pg) || PQstatus(c->pg) != CONNECTION_OK) {
      conn_broken(c, PQerrorMessage(c->pg));
      return;
    }
    drain_idle_input(c);
    return;
  default:
    return;
  }
}

/* Asks an idle connection for one round trip (a Sync alone) under the
 * pool's timeout: a ping job has no statements and no callback. */
static void ping(hz_db_conn_t *c) {
  hz_db_job_t *job = calloc(1, sizeof(*job));
  if (!job)
    return; /* it will be tested by its next job instead */
  job->pool = c->pool;
  idle_remove(c);
  run_job(c, job);
}

/* A job got no answer in time. Its connection is dropped without a cancel
 * request (PQcancel blocks, and a frozen server would not act on it): the
 * backend's transaction rolls back when it notices the closed socket, or
 * commits if it was already committing, which is why the job's caller
 * answers UNAVAILABLE (retry with the same idempotency key). The idle
 * connections share the same server: each is pinged, so a frozen database
 * leaves no connection counted as ready after one more timeout. */
static void conn_unresponsive(hz_db_conn_t *c) {
  hz_db_pool_t *p = c->pool;
  char why[96];
  snprintf(why, sizeof(why), "database not responding (no answer in %u ms)", p->timeout_ms);
  conn_broken(c, why);
  for (int i = 0; i < p->size; i++)
    if (p->conns[i].state == DBC_IDLE)
      ping(&p->conns[i]);
}

static void on_timer(uv_timer_t *t) {
  hz_db_conn_t *c = t->data;
  if (c->state == DBC_WAITING)
    conn_start(c);
  else if (c->state == DBC_CONNECTING)
    conn_broken(c, "database not responding (timed out connecting)");
  else if (c->state == DBC_BUSY)
    conn_unresponsive(c);
}

/* libpq's notices (and the FATAL a server sends before closing an idle
 * session) go to the log with a level from their severity. */
static void on_notice(void *arg, const PGresult *r) {
  hz_db_conn_t *c = arg;
  const char *sev = PQresultErrorField(r, PG_DIAG_SEVERITY_NONLOCALIZED);
  const char *msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
  const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
  hz_log_level_t level = HZ_LOG_DEBUG;
  if (!sev)
    sev = "NOTICE";
  if (!strcmp(sev, "PANIC") || !strcmp(sev, "FATAL") || !strcmp(sev, "ERROR") ||
      !strcmp(sev, "WARNING"))
    level = HZ_LOG_WARN;
  else if (!strcmp(sev, "NOTICE"))
    level = HZ_LOG_INFO;
  if (!msg) {
    msg = PQresultErrorMessage(r);
    state = NULL;
  }
  int len = (int)strcspn(msg, "\n");
  hz_log(c->pool->log, level, "database %s: %.*s%s%s%s", sev, len, msg, state ? " (" : "",
         state ? state : "", state ? ")" : "");
}

/* Connection parameters the pool adds before the operator's string, so
 * the string may override them: keepalives find a peer that vanished from
 * the network, tcp_user_timeout one that stops acknowledging. A frozen
 * server's kernel still acknowledges, which only the job timer catches. */
static PGconn *connect_start(hz_db_pool_t *p) {
  char idle[16], interval[16], user_timeout[16];
  unsigned s = p->timeout_ms / 1000u ? p->timeout_ms / 1000u : 1u;
  snprintf(idle, sizeof(idle), "%u", s);
  snprintf(interval, sizeof(interval), "%u", s / 3u ? s / 3u : 1u);
  snprintf(user_timeout, sizeof(user_timeout), "%u", p->timeout_ms);
  const char *const keys[] = {"keepalives", "keepalives_idle", "keepalives_interval",
                              "keepalives_count", "tcp_user_timeout", "dbname", NULL};
  const char *const values[] = {"1", idle, interval, "3", user_timeout, p->conninfo, NULL};
  return PQconnectStartParams(keys, values, 1);
}

static void conn_start(hz_db_conn_t *c) {
  c->pg = connect_start(c->pool);
  if (!c->pg || PQstatus(c->pg) == CONNECTION_BAD) {
    conn_broken(c, c->pg ? PQerrorMessage(c->pg) : "out of memory");
    return;
  }
  PQsetNoticeReceiver(c->pg, on_notice, c);
  c->state = DBC_CONNECTING;
  uv_timer_start(&c->timer, on_timer, c->pool->timeout_ms, 0);
  if (poll_watch(c, UV_WRITABLE))
    conn_broken(c, "cannot watch the database socket");
}

/* Until every connection has tried once, jobs wait instead of failing:
 * a server that has just started is not a server whose database is down. */
static void end_first_attempt(hz_db_conn_t *c) {
  if (!c->first_attempt)
    return;
  c->first_attempt = 0;
  c->pool->first_attempts--;
}

/* Drops the connection, fails its job, and schedules a reconnect. */
static void conn_broken(hz_db_conn_t *c, const char *why) {
  hz_db_pool_t *p = c->pool;
  dbc_state_t was = c->state;
  char reason[256];
  snprintf(reason, sizeof(reason), "database unavailable: %s", why && *why ? why : "connection lost");
  char *nl = strchr(reason, '\n');
  if (nl)
    *nl = '\0';
  poll_stop(c);
  uv_timer_stop(&c->timer);
  if (was == DBC_IDLE)
    idle_remove(c);
  if (was == DBC_IDLE || was == DBC_BUSY)
    set_ready(c, 0);
  hz_db_job_t *job = c->job;
  c->job = NULL;
  if (c->pg) {
    PQfinish(c->pg);
    c->pg = NULL;
  }
  if (!c->reported_down) {
    hz_log_warn(p->log, "%s", reason);
    c->reported_down = 1;
  }
  if (p->closing) {
    c->state = DBC_CLOSED;
  } else {
    c->state = DBC_WAITING;
    uv_timer_start(&c->timer, on_timer, c->backoff_ms, 0);
    c->backoff_ms = c->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : c->backoff_ms * 2;
  }
  /* The job's commit status is unknown: callers answer UNAVAILABLE and
   * clients retry with the same idempotency key. */
  if (job)
    job_complete(job, 1, reason);
  int was_first = c->first_attempt;
  end_first_attempt(c);
  if (p->nready == 0 && p->first_attempts == 0) {
    fail_queue(p, reason);
    if (was_first && p->on_state)
      p->on_state(p->state_data, 0); /* never came up: not serving */
  }
}

/* ---- public ------------------------------------------------------------ */

int hz_db_pool_init(hz_db_pool_t *p, uv_loop_t *loop, const char *conninfo, int size,
                    int queue_max, unsigned timeout_ms, const hz_log_t *log) {
  memset(p, 0, sizeof(*p));
  p->loop = loop;
  p->timeout_ms = timeout_ms ? timeout_ms : HZ_DB_DEFAULT_TIMEOUT_MS;
  p->conninfo = conninfo;
  p->log = log;
  p->size = size;
  p->queue_max = queue_max;
  p->conns = calloc((size_t)size, sizeof(*p->conns));
  if (!p->conns)
    return -ENOMEM;
  for (int i = 0; i < size; i++) {
    hz_db_conn_t *c = &p->conns[i];
    c->pool = p;
    c->poll_fd = -1;
    c->backoff_ms = BACKOFF_MIN_MS;
    c->first_attempt = 1;
    p->first_attempts++;
    uv_timer_init(loop, &c->timer);
    c->timer.data = c;
    p->open_handles++;
  }
  for (int i = 0; i < size; i++)
    conn_start(&p->conns[i]);
  return 0;
}

/* Statements given by table id take their name, text and parameter count
 * from the statement table (db/statements.h). */
static void resolve_ids(hz_db_job_t *job) {
  for (int i = 0; i < job->nstmts; i++) {
    hz_db_stmt_t *s = &job->stmts[i];
    if (s->sql)
      continue;
    const hz_stmt_def_t *d = hz_stmt_def(s->id);
    s->name = d->name;
    s->sql = d->sql;
    s->nparams = d->nparams;
  }
}

int hz_db_pool_submit(hz_db_pool_t *p, const hz_db_stmt_t *stmts, int n, hz_db_done_fn done,
                      void *data, hz_db_job_t **job_out) {
  if (n < 1 || n > HZ_DB_MAX_STMTS || !done)
    return -EINVAL;
  if (p->closing || (p->nready == 0 && p->first_attempts == 0))
    return -ENOTCONN;
  if (p->queued >= p->queue_max)
    return -EAGAIN;
  hz_db_job_t *job = calloc(1, sizeof(*job));
  if (!job)
    return -ENOMEM;
  job->pool = p;
  job->done = done;
  job->data = data;
  job->nstmts = n;
  memcpy(job->stmts, stmts, (size_t)n * sizeof(*stmts));
  resolve_ids(job);
  if (copy_params(job)) {
    free(job);
    return -ENOMEM;
  }
  if (job_out)
    *job_out = job;
  queue_push(p, job);
  dispatch(p);
  return 0;
}

void hz_db_job_cancel(hz_db_job_t *job) {
  if (!job)
    return;
  job->done = NULL;
  if (!job->queued)
    return; /* in flight: completes silently */
  hz_db_pool_t *p = job->pool;
  hz_db_job_t **pp = &p->queue_head, *prev = NULL;
  while (*pp && *pp != job) {
    prev = *pp;
    pp = &(*pp)->next;
  }
  if (!*pp)
    return;
  *pp = job->next;
  if (p->queue_tail == job)
    p->queue_tail = prev;
  p->queued--;
  job_free(job);
}

static void on_timer_closed(uv_handle_t *h) {
  hz_db_conn_t *c = h->data;
  hz_db_pool_t *p = c->pool;
  if (--p->open_handles == 0 && p->on_closed)
    p->on_closed(p->closed_data);
}

void hz_db_pool_close(hz_db_pool_t *p, void (*on_closed)(void *), void *data) {
  p->closing = 1;
  p->on_closed = on_closed;
  p->closed_data = data;
  fail_queue(p, "server is shutting down");
  for (int i = 0; i < p->size; i++) {
    hz_db_conn_t *c = &p->conns[i];
    if (c->state == DBC_IDLE || c->state == DBC_BUSY || c->state == DBC_CONNECTING)
      conn_broken(c, "server is shutting down");
    c->state = DBC_CLOSED;
    uv_close((uv_handle_t *)&c->timer, on_timer_closed);
  }
}

void hz_db_pool_free(hz_db_pool_t *p) {
  if (!p)
    return;
  for (int i = 0; p->conns && i < p->size; i++)
    hz_db_prepared_free(&p->conns[i].prepared);
  free(p->conns);
  p->conns = NULL;
}
