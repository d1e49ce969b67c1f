/* The pool's job pipeline: the bounded queue, parameter copies, sending a
 * job's statements (with the Parses the session lacks) and a Sync, and
 * filing each result in its slot. The connection it runs on belongs to
 * pool.c. */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "db/pool_internal.h"

static void job_free(hz_db_job_t *job) {
  for (int i = 0; i < job->nstmts; i++)
    PQclear(job->results[i]);
  PQclear(job->extra);
  free(job->params);
  free(job);
}

static int nparams(const hz_db_stmt_t *s) {
  return hz_stmt_def(s->id)->nparams;
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
    int np = nparams(s);
    total += (size_t)np * (sizeof(char *) + 2 * sizeof(int)) + sizeof(char *);
    for (int i = 0; i < np; i++)
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
    int np = nparams(s);
    size_t misalign = (uintptr_t)mem % sizeof(char *);
    if (misalign)
      mem += sizeof(char *) - misalign; /* the padding counted in total */
    const char **values = (const char **)(void *)mem;
    mem += (size_t)np * sizeof(char *);
    int *lengths = NULL, *formats = NULL;
    if (s->lengths) {
      lengths = (int *)(void *)mem;
      memcpy(lengths, s->lengths, (size_t)np * sizeof(int));
    }
    mem += (size_t)np * sizeof(int);
    if (s->formats) {
      formats = (int *)(void *)mem;
      memcpy(formats, s->formats, (size_t)np * sizeof(int));
    }
    mem += (size_t)np * sizeof(int);
    for (int i = 0; i < np; i++) {
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
void hz_db_job_complete(hz_db_job_t *job, int unavailable, const char *conn_error) {
  hz_db_result_t res = {
      .ok = 1, .error = "", .sqlstate = "", .results = job->results, .nresults = job->nstmts};
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
  hz_metrics_t *m = job->pool->metrics;
  if (m && !res.ok && job->nstmts > 0)
    hz_metric_add(&m->db_errors[unavailable ? HZ_DB_ERR_UNAVAILABLE : HZ_DB_ERR_STATEMENT], 1);
  if (job->done)
    job->done(job->data, &res);
  job_free(job);
}

/* The queue depth gauge follows every change of p->queued. */
static void publish_queue(hz_db_pool_t *p) {
  if (p->metrics)
    hz_metric_set(&p->metrics->pool_queued, (uint64_t)p->queued);
}

static void queue_push(hz_db_pool_t *p, hz_db_job_t *job) {
  job->next = NULL;
  job->queued = 1;
  job->waited = p->idle == NULL || p->queue_head != NULL;
  job->queued_at = job->waited && p->metrics ? uv_hrtime() : 0;
  if (p->queue_tail)
    p->queue_tail->next = job;
  else
    p->queue_head = job;
  p->queue_tail = job;
  p->queued++;
  publish_queue(p);
}

hz_db_job_t *hz_db_queue_pop(hz_db_pool_t *p) {
  hz_db_job_t *job = p->queue_head;
  if (!job)
    return NULL;
  p->queue_head = job->next;
  if (!p->queue_head)
    p->queue_tail = NULL;
  p->queued--;
  publish_queue(p);
  job->queued = 0;
  job->next = NULL;
  if (job->waited && p->metrics) { /* a ping is never queued (pool.c sends it) */
    hz_metric_add(&p->metrics->pool_waits, 1);
    hz_metric_add(&p->metrics->pool_wait_ns, uv_hrtime() - job->queued_at);
  }
  return job;
}

void hz_db_queue_fail(hz_db_pool_t *p, const char *why) {
  hz_db_job_t *job;
  while ((job = hz_db_queue_pop(p)))
    hz_db_job_complete(job, 1, why);
}

/* Queues statement i, preceded by its Parse the first time this session
 * runs its row. The row is marked from the moment its Parse is queued (a
 * second use in the same job must not Parse again) until that Parse is
 * refused or aborted (file_result unmarks it). The prepared name is the
 * row's ID spelling, unique by construction (db/statements.h). */
static int send_stmt(hz_db_conn_t *c, hz_db_job_t *job, int i) {
  const hz_db_stmt_t *s = &job->stmts[i];
  const hz_stmt_def_t *d = hz_stmt_def(s->id);
  if (!hz_db_prepared_has(&c->prepared, s->id)) {
    if (!PQsendPrepare(c->pg, d->name, d->sql, d->nparams, NULL))
      return 0;
    hz_db_prepared_add(&c->prepared, s->id);
    hz_log_debug(c->pool->log, "%s: preparing %s", c->pool->label, d->name);
    job->entries[job->nentries].stmt = (short)i;
    job->entries[job->nentries++].prepare = 1;
  }
  return PQsendQueryPrepared(c->pg, d->name, d->nparams, s->values, s->lengths, s->formats, 0);
}

int hz_db_job_send(hz_db_conn_t *c, hz_db_job_t *job) {
  assert(c->job == job && job->nentries == 0);
  job->cur = 0;
  for (int i = 0; i < job->nstmts; i++) {
    if (!send_stmt(c, job, i))
      return -1;
    job->entries[job->nentries].stmt = (short)i;
    job->entries[job->nentries++].prepare = 0;
  }
  return PQpipelineSync(c->pg) ? 0 : -1;
}

/* Files one result of the job. A statement's first result goes to its
 * slot; anything else (a Parse's result, the error the Sync brings when
 * the implicit COMMIT fails) is kept only if it is the job's first error. */
static void file_result(hz_db_conn_t *c, hz_db_job_t *job, PGresult *r) {
  int in_entry = job->cur < job->nentries;
  int stmt = in_entry ? job->entries[job->cur].stmt : -1;
  int prepare = in_entry && job->entries[job->cur].prepare;
  ExecStatusType st = PQresultStatus(r);
  int failed = !result_ok(r) && st != PGRES_PIPELINE_ABORTED;
  /* A Parse that did not succeed (refused, or aborted by an earlier error)
   * is forgotten, so the next job sends it again instead of executing a
   * name this session does not have. */
  if (prepare && st != PGRES_COMMAND_OK)
    hz_db_prepared_forget(&c->prepared, job->stmts[stmt].id);
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

int hz_db_job_read(hz_db_conn_t *c) {
  hz_db_job_t *job = c->job;
  assert(job);
  while (!PQisBusy(c->pg)) {
    PGresult *r = PQgetResult(c->pg);
    if (!r) {
      job->cur++; /* end of one pipeline entry's results */
      continue;
    }
    if (PQresultStatus(r) == PGRES_PIPELINE_SYNC) {
      PQclear(r);
      assert(job->cur >= job->nentries); /* every entry answered */
      return 1;
    }
    file_result(c, job, r);
  }
  return 0;
}

/* A statement the pool cannot send: a row outside the table, or a row with
 * parameters and no values (libpq would read through a NULL array). */
static int stmts_valid(const hz_db_stmt_t *stmts, int n) {
  for (int i = 0; i < n; i++) {
    if ((unsigned)stmts[i].id >= HZ_STMT__COUNT)
      return 0;
    if (!stmts[i].values && nparams(&stmts[i]) > 0)
      return 0;
  }
  return 1;
}

int hz_db_pool_submit(hz_db_pool_t *p, const hz_db_stmt_t *stmts, int n, hz_db_done_fn done,
                      void *data, hz_db_job_t **job_out) {
  if (n < 1 || n > HZ_DB_MAX_STMTS || !done || !stmts_valid(stmts, n))
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
  if (copy_params(job)) {
    free(job);
    return -ENOMEM;
  }
  if (job_out)
    *job_out = job;
  queue_push(p, job);
  hz_db_dispatch(p);
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
  publish_queue(p);
  job_free(job);
}
