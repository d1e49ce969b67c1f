/* The PostgreSQL pool's connections on the loop: connect with
 * PQconnectPoll, watch the socket, run one job at a time, notice a lost or
 * frozen server, reconnect with backoff, close. Each connection is a state
 * machine (hz_dbc_state_t, db/pool_internal.h) changed only by
 * conn_set_state. The jobs themselves are job.c's. */
#include "db/pool.h"

#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/pool_internal.h"

#define BACKOFF_MIN_MS 100u
#define BACKOFF_MAX_MS 5000u

static void conn_start(hz_db_conn_t *c);
static void end_first_attempt(hz_db_conn_t *c);
static void conn_broken(hz_db_conn_t *c, const char *why);
static void on_timer(uv_timer_t *t);
static void connect_track_host(hz_db_conn_t *c);
static void connect_timed_out(hz_db_conn_t *c);

/* ---- poll handles ------------------------------------------------------ */

static void on_poll_closed(uv_handle_t *h) {
  free(h->data);
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

/* ---- connection state ------------------------------------------------- */

static void set_ready(hz_db_conn_t *c, int ready) {
  hz_db_pool_t *p = c->pool;
  int before = p->nready;
  p->nready += ready ? 1 : -1;
  assert(p->nready >= 0 && p->nready <= p->size);
  if (p->on_state && (before == 0) != (p->nready == 0))
    p->on_state(p->state_data, p->nready > 0);
}

static void idle_remove(hz_db_conn_t *c) {
  hz_db_conn_t **pp = &c->pool->idle;
  while (*pp && *pp != c)
    pp = &(*pp)->next_idle;
  assert(*pp == c); /* an IDLE connection is on the list */
  *pp = c->next_idle;
  c->next_idle = NULL;
}

#define BIT(s) (1u << (s))
/* Legal predecessors of each state (see hz_dbc_state_t). */
static const unsigned legal_from[] = {
    [HZ_DBC_WAITING] =
        BIT(HZ_DBC_WAITING) | BIT(HZ_DBC_CONNECTING) | BIT(HZ_DBC_IDLE) | BIT(HZ_DBC_BUSY),
    [HZ_DBC_CONNECTING] = BIT(HZ_DBC_WAITING),
    [HZ_DBC_IDLE] = BIT(HZ_DBC_CONNECTING) | BIT(HZ_DBC_BUSY),
    [HZ_DBC_BUSY] = BIT(HZ_DBC_IDLE),
    [HZ_DBC_CLOSED] = BIT(HZ_DBC_WAITING) | BIT(HZ_DBC_CONNECTING) | BIT(HZ_DBC_IDLE) |
                      BIT(HZ_DBC_BUSY) | BIT(HZ_DBC_CLOSED),
};

static int is_ready(hz_dbc_state_t s) {
  return s == HZ_DBC_IDLE || s == HZ_DBC_BUSY;
}

/* The one place a connection changes state: keeps the idle list and the
 * ready count in step with it, and checks what each state promises. */
static void conn_set_state(hz_db_conn_t *c, hz_dbc_state_t to) {
  hz_dbc_state_t from = c->state;
  assert(legal_from[to] & BIT(from));
  if (from == HZ_DBC_IDLE)
    idle_remove(c);
  c->state = to;
  if (to == HZ_DBC_IDLE) {
    c->next_idle = c->pool->idle;
    c->pool->idle = c;
  }
  /* A job belongs to a BUSY connection only; a session to a live one. */
  assert((to == HZ_DBC_BUSY) == (c->job != NULL));
  assert((to == HZ_DBC_WAITING || to == HZ_DBC_CLOSED) == (c->pg == NULL));
  if (is_ready(from) != is_ready(to))
    set_ready(c, is_ready(to));
  c->pool->nbusy += (to == HZ_DBC_BUSY) - (from == HZ_DBC_BUSY);
  if (c->pool->metrics) {
    hz_metric_set(&c->pool->metrics->pool_ready, (uint64_t)c->pool->nready);
    hz_metric_set(&c->pool->metrics->pool_busy, (uint64_t)c->pool->nbusy);
  }
}

/* ---- running jobs -------------------------------------------------------- */

static void flush_and_watch(hz_db_conn_t *c) {
  int r = PQflush(c->pg);
  if (r < 0) {
    conn_broken(c, PQerrorMessage(c->pg));
    return;
  }
  if (poll_watch(c, UV_READABLE | (r == 1 ? UV_WRITABLE : 0)))
    conn_broken(c, "cannot watch the database socket");
}

static void run_job(hz_db_conn_t *c, hz_db_job_t *job) {
  c->job = job;
  conn_set_state(c, HZ_DBC_BUSY);
  uv_timer_start(&c->timer, on_timer, c->pool->timeout_ms, 0);
  if (hz_db_job_send(c, job)) {
    conn_broken(c, PQerrorMessage(c->pg));
    return;
  }
  flush_and_watch(c);
}

void hz_db_dispatch(hz_db_pool_t *p) {
  while (p->idle && p->queue_head)
    run_job(p->idle, hz_db_queue_pop(p));
}

/* Whether the job was refused because the session cannot write
 * (SQLSTATE 25006, read_only_sql_transaction): its server is a standby or
 * a primary fenced with default_transaction_read_only. */
static int refused_read_only(const hz_db_job_t *job) {
  const char *state = job->failure ? PQresultErrorField(job->failure, PG_DIAG_SQLSTATE) : NULL;
  return state && !strcmp(state, "25006");
}

/* The job's Sync came: the connection is free before the callback runs,
 * so a job the callback submits can take it. A session that refused to
 * write is not kept: it would refuse every write until it is closed, and
 * only a new connection lets libpq find the host that takes writes now
 * (target_session_attrs=read-write picks it among the URL's hosts). Its
 * job fails as unavailable, which it is: nothing was written. */
static void job_done(hz_db_conn_t *c) {
  hz_db_job_t *job = c->job;
  if (refused_read_only(job)) {
    conn_broken(c, "the database refused to write (read-only: a standby, or a primary fenced "
                   "read-only); reconnecting");
    return;
  }
  uv_timer_stop(&c->timer);
  c->job = NULL;
  conn_set_state(c, HZ_DBC_IDLE);
  hz_db_job_complete(job, 0, NULL);
  hz_db_dispatch(c->pool);
}

static void read_results(hz_db_conn_t *c) {
  if (hz_db_job_read(c))
    job_done(c);
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
    connect_track_host(c);
    if (poll_watch(c, UV_READABLE))
      conn_broken(c, "cannot watch the database socket");
    return;
  case PGRES_POLLING_WRITING:
    connect_track_host(c);
    if (poll_watch(c, UV_WRITABLE))
      conn_broken(c, "cannot watch the database socket");
    return;
  case PGRES_POLLING_OK: break;
  default: conn_broken(c, PQerrorMessage(c->pg)); return;
  }
  uv_timer_stop(&c->timer);
  end_first_attempt(c);
  if (PQsetnonblocking(c->pg, 1) || !PQenterPipelineMode(c->pg)) {
    conn_broken(c, "cannot enter pipeline mode");
    return;
  }
  if (c->ever_connected && c->pool->metrics)
    hz_metric_add(&c->pool->metrics->db_reconnects, 1);
  c->ever_connected = 1;
  if (c->reported_down)
    hz_log_info(c->pool->log, "%s connection restored", c->pool->label);
  c->reported_down = 0;
  c->backoff_ms = BACKOFF_MIN_MS;
  hz_db_prepared_clear(&c->prepared);
  conn_set_state(c, HZ_DBC_IDLE);
  if (poll_watch(c, UV_READABLE)) {
    conn_broken(c, "cannot watch the database socket");
    return;
  }
  hz_db_dispatch(c->pool);
}

/* libuv reports an error on the socket (POLLERR: a refused connect, a
 * reset) as UV_EBADF, which says nothing about the database. libpq reads
 * the socket's error and what the server sent before it (its FATAL
 * message), so it is asked first; uv's text is the last resort. */
static void poll_error(hz_db_conn_t *c, int status) {
  if (c->state == HZ_DBC_CONNECTING) {
    connect_step(c);
    return;
  }
  if (!PQconsumeInput(c->pg)) {
    conn_broken(c, PQerrorMessage(c->pg));
    return;
  }
  if (c->state == HZ_DBC_BUSY)
    read_results(c);
  if (c->state == HZ_DBC_BUSY || c->state == HZ_DBC_IDLE)
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
  case HZ_DBC_CONNECTING: connect_step(c); return;
  case HZ_DBC_BUSY:
    if (events & UV_WRITABLE) {
      flush_and_watch(c);
      if (c->state != HZ_DBC_BUSY)
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
  case HZ_DBC_IDLE:
    /* An idle connection only becomes readable when the server closes it
     * (restart, admin terminate) or sends a notice. */
    if (!PQconsumeInput(c->pg) || PQstatus(c->pg) != CONNECTION_OK) {
      conn_broken(c, PQerrorMessage(c->pg));
      return;
    }
    drain_idle_input(c);
    return;
  default: return;
  }
}

/* Asks an idle connection for one round trip (a Sync alone) under the
 * pool's timeout: a ping job has no statements and no callback. */
static void ping(hz_db_conn_t *c) {
  hz_db_job_t *job = calloc(1, sizeof(*job));
  if (!job)
    return; /* it will be tested by its next job instead */
  job->pool = c->pool;
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
    if (p->conns[i].state == HZ_DBC_IDLE)
      ping(&p->conns[i]);
}

static void on_timer(uv_timer_t *t) {
  hz_db_conn_t *c = t->data;
  if (c->state == HZ_DBC_WAITING)
    conn_start(c);
  else if (c->state == HZ_DBC_CONNECTING)
    connect_timed_out(c);
  else if (c->state == HZ_DBC_BUSY)
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
  hz_log(c->pool->log, level, "%s %s: %.*s%s%s%s", c->pool->label, sev, len, msg, state ? " (" : "",
         state ? state : "", state ? ")" : "");
}

/* Connection parameters the pool adds before the operator's string, so
 * the string may override them: keepalives find a peer that vanished from
 * the network, tcp_user_timeout one that stops acknowledging. A frozen
 * server's kernel still acknowledges, which only the timers catch. With
 * several hosts, their lists come after the string, rotated to start at
 * pool->hosts.first (db/hosts.h). */
static PGconn *connect_start(hz_db_pool_t *p) {
  char idle[16], interval[16], user_timeout[16];
  unsigned s = p->timeout_ms / 1000u ? p->timeout_ms / 1000u : 1u;
  snprintf(idle, sizeof(idle), "%u", s);
  snprintf(interval, sizeof(interval), "%u", s / 3u ? s / 3u : 1u);
  snprintf(user_timeout, sizeof(user_timeout), "%u", p->timeout_ms);
  char *host = hz_db_hosts_rotated(&p->hosts, "host");
  char *hostaddr = hz_db_hosts_rotated(&p->hosts, "hostaddr");
  char *port = hz_db_hosts_rotated(&p->hosts, "port");
  const char *const keys[] = {"keepalives",
                              "keepalives_idle",
                              "keepalives_interval",
                              "keepalives_count",
                              "tcp_user_timeout",
                              "dbname",
                              "host",
                              "hostaddr",
                              "port",
                              NULL};
  const char *const values[] = {"1",         idle, interval, "3",  user_timeout,
                                p->conninfo, host, hostaddr, port, NULL};
  PGconn *pg = PQconnectStartParams(keys, values, 1);
  free(host);
  free(hostaddr);
  free(port);
  return pg;
}

/* A connect moved on to another host: that host gets the whole timeout. */
static void connect_track_host(hz_db_conn_t *c) {
  if (c->pool->hosts.n < 2)
    return;
  int host = hz_db_hosts_current(&c->pool->hosts, c->pg);
  if (host == c->host)
    return;
  c->host = host;
  uv_timer_start(&c->timer, on_timer, c->pool->timeout_ms, 0);
}

/* A connect used up its time on one host: the next connects start at the
 * host after it, so a host that hangs cannot keep the pool from the
 * others (libpq would start every attempt at it again). */
static void connect_timed_out(hz_db_conn_t *c) {
  hz_db_hosts_t *h = &c->pool->hosts;
  if (h->n >= 2 && c->host >= 0) {
    hz_log_warn(c->pool->log,
                "database host %s:%s did not answer in %u ms; connecting to the "
                "next host first",
                PQhost(c->pg), PQport(c->pg), c->pool->timeout_ms);
    h->first = (c->host + 1) % h->n;
  }
  conn_broken(c, "database not responding (timed out connecting)");
}

static void conn_start(hz_db_conn_t *c) {
  c->pg = connect_start(c->pool);
  if (!c->pg || PQstatus(c->pg) == CONNECTION_BAD) {
    conn_broken(c, c->pg ? PQerrorMessage(c->pg) : "out of memory");
    return;
  }
  PQsetNoticeReceiver(c->pg, on_notice, c);
  conn_set_state(c, HZ_DBC_CONNECTING);
  c->host = -1;
  uv_timer_start(&c->timer, on_timer, c->pool->timeout_ms, 0);
  connect_track_host(c);
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
  char reason[256];
  snprintf(reason, sizeof(reason), "%s unavailable: %s", p->label,
           why && *why ? why : "connection lost");
  char *nl = strchr(reason, '\n');
  if (nl)
    *nl = '\0';
  poll_stop(c);
  uv_timer_stop(&c->timer);
  hz_db_job_t *job = c->job;
  c->job = NULL;
  if (c->pg) {
    PQfinish(c->pg);
    c->pg = NULL;
  }
  conn_set_state(c, p->closing ? HZ_DBC_CLOSED : HZ_DBC_WAITING);
  if (!c->reported_down) {
    hz_log_warn(p->log, "%s", reason);
    c->reported_down = 1;
  }
  if (!p->closing) {
    uv_timer_start(&c->timer, on_timer, c->backoff_ms, 0);
    c->backoff_ms = c->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : c->backoff_ms * 2;
  }
  /* The job's commit status is unknown: callers answer UNAVAILABLE and
   * clients retry with the same idempotency key. */
  if (job)
    hz_db_job_complete(job, 1, reason);
  int was_first = c->first_attempt;
  end_first_attempt(c);
  if (p->nready == 0 && p->first_attempts == 0) {
    hz_db_queue_fail(p, reason);
    if (was_first && p->on_state)
      p->on_state(p->state_data, 0); /* never came up: not serving */
  }
}

/* ---- public ------------------------------------------------------------ */

int hz_db_pool_init(hz_db_pool_t *p, uv_loop_t *loop, const char *conninfo, int size, int queue_max,
                    unsigned timeout_ms, const hz_log_t *log) {
  memset(p, 0, sizeof(*p));
  p->loop = loop;
  p->timeout_ms = timeout_ms ? timeout_ms : HZ_DB_DEFAULT_TIMEOUT_MS;
  p->conninfo = conninfo;
  p->log = log;
  p->label = "database";
  p->size = size;
  p->queue_max = queue_max;
  if (hz_db_hosts_parse(&p->hosts, conninfo))
    return -ENOMEM;
  p->conns = calloc((size_t)size, sizeof(*p->conns));
  if (!p->conns) {
    hz_db_hosts_free(&p->hosts);
    return -ENOMEM;
  }
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

static void on_timer_closed(uv_handle_t *h) {
  hz_db_conn_t *c = h->data;
  hz_db_pool_t *p = c->pool;
  if (--p->open_handles == 0 && p->on_closed)
    p->on_closed(p->closed_data);
}

void hz_db_pool_set_metrics(hz_db_pool_t *p, hz_metrics_t *m) {
  p->metrics = m;
  if (!m)
    return;
  hz_metric_set(&m->pool_size, (uint64_t)p->size);
  hz_metric_set(&m->pool_ready, (uint64_t)p->nready);
  hz_metric_set(&m->pool_busy, (uint64_t)p->nbusy);
  hz_metric_set(&m->pool_queued, (uint64_t)p->queued);
}

void hz_db_pool_close(hz_db_pool_t *p, void (*on_closed)(void *), void *data) {
  p->closing = 1;
  p->on_closed = on_closed;
  p->closed_data = data;
  hz_db_queue_fail(p, "server is shutting down");
  for (int i = 0; i < p->size; i++) {
    hz_db_conn_t *c = &p->conns[i];
    if (c->state == HZ_DBC_IDLE || c->state == HZ_DBC_BUSY || c->state == HZ_DBC_CONNECTING)
      conn_broken(c, "server is shutting down");
    else
      conn_set_state(c, HZ_DBC_CLOSED);
    uv_close((uv_handle_t *)&c->timer, on_timer_closed);
  }
}

void hz_db_pool_free(hz_db_pool_t *p) {
  if (!p)
    return;
  free(p->conns);
  p->conns = NULL;
  hz_db_hosts_free(&p->hosts);
}
