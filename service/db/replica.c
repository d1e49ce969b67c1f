/* Read jobs on standbys, fresh at commit (db/replica.h says why): pick a
 * standby, run the job behind hz_read_fresh, wait a bounded time for a
 * standby that is behind, fall back to the primary. */
#include "db/replica.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STEP_FIRST_MS   2u
#define STEP_MS         5u
#define SQLSTATE_BEHIND "HZ001" /* hz_read_fresh: not replayed yet */

/* A read's life. Changes go through read_enter, which asserts the old state:
 *   STANDBY -> WAITING (behind) | STANDBY (another standby) | PRIMARY | DONE
 *   WAITING -> STANDBY (timer) | PRIMARY (no standby left) | DONE (cancelled)
 *   PRIMARY -> DONE */
typedef enum {
  RD_STANDBY, /* its job runs on standby `on` */
  RD_WAITING, /* the timer runs; no job */
  RD_PRIMARY, /* its job runs on the primary */
  RD_DONE,    /* answered or cancelled; its timer is closing */
} rd_state_t;

struct hz_db_read_s {
  hz_db_reads_t *reads;                /* owner */
  rd_state_t state;                    /* only read_enter writes it */
  hz_db_done_fn done;                  /* NULL once cancelled */
  void *data;                          /* passed to done */
  hz_db_stmt_t stmts[HZ_DB_MAX_STMTS]; /* the guard, then the caller's */
  int n;                               /* caller's statements + 1 */
  const char *guard_params[1];         /* -> lsn */
  char lsn[32];                        /* "16/B374D848" */
  hz_db_job_t *job;                    /* in flight, for cancel; NULL when none */
  hz_db_standby_t *on;                 /* standby of the job in flight */
  uint64_t deadline;                   /* uv_now past which it stops waiting */
  unsigned step_ms;                    /* next wait */
  uv_timer_t timer;                    /* the wait; closed when DONE */
};

#define BIT(s) (1u << (s))
static const unsigned rd_entered_from[] = {
    [RD_STANDBY] = BIT(RD_STANDBY) | BIT(RD_WAITING),
    [RD_WAITING] = BIT(RD_STANDBY),
    [RD_PRIMARY] = BIT(RD_STANDBY) | BIT(RD_WAITING),
    [RD_DONE] = BIT(RD_STANDBY) | BIT(RD_WAITING) | BIT(RD_PRIMARY),
};

static void on_timer_closed(uv_handle_t *h) {
  free(h->data);
}

static void read_enter(hz_db_read_t *rd, rd_state_t to) {
  assert(rd_entered_from[to] & BIT(rd->state));
  rd->state = to;
  if (to == RD_DONE)
    uv_close((uv_handle_t *)&rd->timer, on_timer_closed);
}

static const char *const state_words[] = {
    [HZ_STANDBY_UNKNOWN] = "not yet used",
    [HZ_STANDBY_SERVING] = "serving reads",
    [HZ_STANDBY_BEHIND] = "behind the primary: reads it has not replayed go to the primary",
    [HZ_STANDBY_DOWN] = "unavailable: reads go to the primary",
};

/* The one place a standby's state changes; logged once per change. */
static void standby_set(hz_db_reads_t *r, hz_db_standby_t *s, hz_standby_state_t to) {
  if (s->state == to)
    return;
  hz_log_level_t level = to == HZ_STANDBY_SERVING ? HZ_LOG_INFO : HZ_LOG_WARN;
  hz_log(r->log, level, "%s: %s", s->label, state_words[to]);
  s->state = to;
}

/* The next standby that has a connection up (or still on its first
 * connect), round robin; NULL when none. */
static hz_db_standby_t *pick(hz_db_reads_t *r) {
  for (int k = 0; k < r->n; k++) {
    hz_db_standby_t *s = &r->standbys[(r->next + (unsigned)k) % (unsigned)r->n];
    if (s->pool.nready > 0 || s->pool.first_attempts > 0) {
      r->next = (r->next + (unsigned)k + 1) % (unsigned)r->n;
      return s;
    }
    standby_set(r, s, HZ_STANDBY_DOWN);
  }
  return NULL;
}

static void finish(hz_db_read_t *rd, const hz_db_result_t *res) {
  hz_db_done_fn done = rd->done;
  read_enter(rd, RD_DONE);
  if (done)
    done(rd->data, res);
}

static void on_primary_done(void *data, const hz_db_result_t *res) {
  hz_db_read_t *rd = data;
  rd->job = NULL;
  rd->reads->on_primary++;
  finish(rd, res);
}

/* The job without its guard, on the primary. Returns the pool's refusal. */
static int to_primary(hz_db_read_t *rd) {
  read_enter(rd, RD_PRIMARY);
  return hz_db_pool_submit(rd->reads->primary, rd->stmts + 1, rd->n - 1, on_primary_done, rd,
                           &rd->job);
}

/* The primary refused a job later than submit: the caller hears it as a
 * database that could not be reached. */
static void to_primary_or_fail(hz_db_read_t *rd) {
  if (to_primary(rd) == 0)
    return;
  hz_db_result_t res = {.ok = 0,
                        .unavailable = 1,
                        .error = "database unavailable: no connection for a read",
                        .sqlstate = ""};
  rd->job = NULL;
  finish(rd, &res);
}

static void on_standby_done(void *data, const hz_db_result_t *res);

/* Sends the job to a standby; with none usable (or its pool refusing) to
 * the primary. Returns what to_primary returns, else 0. */
static int attempt(hz_db_read_t *rd) {
  hz_db_reads_t *r = rd->reads;
  hz_db_standby_t *s = pick(r);
  if (!s)
    return to_primary(rd);
  read_enter(rd, RD_STANDBY);
  rd->on = s;
  int err = hz_db_pool_submit(&s->pool, rd->stmts, rd->n, on_standby_done, rd, &rd->job);
  if (err == 0)
    return 0;
  if (err != -EAGAIN) /* a full queue is load, not a standby that is down */
    standby_set(r, s, HZ_STANDBY_DOWN);
  return to_primary(rd);
}

static void on_wait(uv_timer_t *t) {
  hz_db_read_t *rd = t->data;
  if (attempt(rd))
    to_primary_or_fail(rd);
}

/* The standby had not replayed the position: wait a step while there is
 * time and it was not already known to be behind, else the primary. */
static void behind(hz_db_read_t *rd, hz_db_standby_t *s) {
  hz_db_reads_t *r = rd->reads;
  uint64_t now = uv_now(r->loop);
  if (s->state != HZ_STANDBY_BEHIND && now < rd->deadline) {
    unsigned step = rd->step_ms;
    if (now + step > rd->deadline)
      step = (unsigned)(rd->deadline - now);
    rd->step_ms = STEP_MS;
    read_enter(rd, RD_WAITING);
    uv_timer_start(&rd->timer, on_wait, step, 0);
    return;
  }
  standby_set(r, s, HZ_STANDBY_BEHIND);
  to_primary_or_fail(rd);
}

static void on_standby_done(void *data, const hz_db_result_t *res) {
  hz_db_read_t *rd = data;
  hz_db_standby_t *s = rd->on;
  rd->job = NULL;
  rd->on = NULL;
  if (res->ok) {
    standby_set(rd->reads, s, HZ_STANDBY_SERVING);
    s->answered++;
    hz_db_result_t view = *res;
    view.results = res->results + 1;
    view.nresults = res->nresults - 1;
    finish(rd, &view);
    return;
  }
  if (!res->unavailable && strcmp(res->sqlstate, SQLSTATE_BEHIND) == 0) {
    behind(rd, s);
    return;
  }
  /* Down, or a failure of its own (a query cancelled by a recovery
   * conflict, say, which says nothing of the next read): the primary
   * answers, and its verdict is the one the caller sees. */
  hz_log_debug(rd->reads->log, "%s: read failed there (%s): %s", s->label,
               res->unavailable ? "unavailable" : res->sqlstate, res->error);
  if (res->unavailable)
    standby_set(rd->reads, s, HZ_STANDBY_DOWN);
  to_primary_or_fail(rd);
}

int hz_db_read_submit(hz_db_reads_t *r, const char *lsn, const hz_db_stmt_t *stmts, int n,
                      hz_db_done_fn done, void *data, hz_db_read_t **out) {
  if (n < 1 || n > HZ_DB_MAX_STMTS - 1 || !done)
    return -EINVAL;
  hz_db_read_t *rd = calloc(1, sizeof(*rd));
  if (!rd)
    return -ENOMEM;
  rd->reads = r;
  rd->done = done;
  rd->data = data;
  rd->state = RD_STANDBY; /* the state every attempt may begin from */
  snprintf(rd->lsn, sizeof(rd->lsn), "%s", lsn ? lsn : "");
  rd->guard_params[0] = rd->lsn;
  rd->stmts[0] = (hz_db_stmt_t){.id = HZ_STMT_READ_FRESH, .values = rd->guard_params};
  memcpy(rd->stmts + 1, stmts, (size_t)n * sizeof(*stmts));
  rd->n = n + 1;
  rd->step_ms = STEP_FIRST_MS;
  rd->deadline = uv_now(r->loop) + r->max_wait_ms;
  uv_timer_init(r->loop, &rd->timer);
  rd->timer.data = rd;
  if (out)
    *out = rd;
  int err = lsn && *lsn && r->n > 0 ? attempt(rd) : to_primary(rd);
  if (err) {
    rd->done = NULL;
    rd->job = NULL;
    read_enter(rd, RD_DONE);
  }
  return err;
}

void hz_db_read_cancel(hz_db_read_t *rd) {
  if (!rd || rd->state == RD_DONE)
    return;
  rd->done = NULL;
  if (rd->state == RD_WAITING) {
    uv_timer_stop(&rd->timer);
    read_enter(rd, RD_DONE);
    return;
  }
  /* In flight: the pool will not call back; the read ends here. */
  hz_db_job_cancel(rd->job);
  rd->job = NULL;
  read_enter(rd, RD_DONE);
}

int hz_db_reads_init(hz_db_reads_t *r, uv_loop_t *loop, hz_db_pool_t *primary,
                     const char *const *urls, int n, int size, int queue_max, unsigned timeout_ms,
                     unsigned max_wait_ms, const hz_log_t *log) {
  memset(r, 0, sizeof(*r));
  r->primary = primary;
  r->loop = loop;
  r->log = log;
  r->max_wait_ms = max_wait_ms;
  if (n == 0)
    return 0;
  r->standbys = calloc((size_t)n, sizeof(*r->standbys));
  if (!r->standbys)
    return -ENOMEM;
  for (int i = 0; i < n; i++) {
    hz_db_standby_t *s = &r->standbys[i];
    snprintf(s->label, sizeof(s->label), "read database %d", i + 1);
    if (hz_db_pool_init(&s->pool, loop, urls[i], size, queue_max, timeout_ms, log))
      return -ENOMEM; /* the ones made so far are closed by hz_db_reads_close */
    s->pool.label = s->label;
    r->n = i + 1;
  }
  return 0;
}

static void on_pool_closed(void *data) {
  hz_db_reads_t *r = data;
  if (--r->closing_pools == 0 && r->on_closed)
    r->on_closed(r->closed_data);
}

void hz_db_reads_close(hz_db_reads_t *r, void (*on_closed)(void *), void *data) {
  r->on_closed = on_closed;
  r->closed_data = data;
  r->closing_pools = r->n;
  for (int i = 0; i < r->n; i++)
    hz_log_debug(r->log, "%s: answered %llu reads", r->standbys[i].label,
                 (unsigned long long)r->standbys[i].answered);
  if (r->n == 0) {
    if (on_closed)
      on_closed(data);
    return;
  }
  for (int i = 0; i < r->n; i++)
    hz_db_pool_close(&r->standbys[i].pool, on_pool_closed, r);
}

void hz_db_reads_free(hz_db_reads_t *r) {
  if (!r)
    return;
  for (int i = 0; i < r->n; i++)
    hz_db_pool_free(&r->standbys[i].pool);
  free(r->standbys);
  r->standbys = NULL;
  r->n = 0;
}
