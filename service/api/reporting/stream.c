/* SubmitStream: many Submit requests in one call, one result per request.
 *
 * A stream's requests are committed in arrival order: the answer (which
 * value is stored, the counts, replays and reuse of an id) must be the one
 * the same requests sent as sequential Submits would get, and requests of
 * one stream in parallel would race each other for the same rows (wrong
 * counts, the wrong version stored, deadlocks). Parallelism comes from
 * several streams.
 *
 * Group commit. While the stream's job is in the database the requests
 * behind it are validated and wait; when the job returns, every waiting
 * request (up to BATCH_MAX_REQUESTS / BATCH_MAX_VALUES) goes as ONE job:
 * one SUBMIT statement each, in order, one implicit transaction. Each
 * statement sees the ones before it, exactly as sequential Submits would,
 * and each request is answered only after the batch committed. Why: a
 * transaction per submission costs a commit (a WAL flush waited for), a
 * round trip, and a KEY SHARE lock with its WAL record on every indicator
 * row the foreign key of each value checks; a batch pays those once.
 * Measured on 500 submissions of 200 values: 10 per transaction -15 % of
 * the backend's CPU, 50 per transaction -22 % (tests/bench/README.md).
 * Nothing waits to fill a batch: a request that finds the database free
 * for its stream goes at once, alone.
 *
 * A batch is all or nothing. When its job fails (one request's database
 * error, a deadlock with another stream, a lost connection) nothing of it
 * was stored, unless the commit itself was lost in transit, in which case
 * resending finds the stored submissions and answers as replays. Its
 * requests are then sent again one per job, in order, before anything
 * behind them, so each gets the outcome it would have had alone: a
 * refusal or a database error (code 14 UNAVAILABLE for a transient one,
 * retryable with the same id) rejects that request and the stream goes
 * on. Only the server's own state (out of memory, no pool) ends the call. */
#include <string.h>

#include "api/reporting/reporting.h"

#define MAX_STREAM_REQUESTS 100000           /* requests on one SubmitStream */
#define BATCH_MAX_REQUESTS  HZ_RPC_MAX_STMTS /* statements of one job */
/* Values of one batch (a first request bigger than this goes alone):
 * bounds the transaction's locks and the job's time under the pool's
 * timeout. */
#define BATCH_MAX_VALUES    20000

/* Requests that go to the database as one job, in arrival order. */
typedef struct stream_batch_s {
  hz_submit_t *items[BATCH_MAX_REQUESTS];
  int n;         /* requests in items */
  size_t values; /* their values, summed */
} stream_batch_t;

/* The call's state (rpc->state), in its arena. */
typedef struct stream_s {
  int pumping;          /* inside stream_pump: completions only change state */
  hz_submit_t **items;  /* every request so far, arrival order; grows by
                           doubling in the arena */
  size_t n;             /* requests received */
  size_t cap;           /* room in items */
  size_t next;          /* first request not yet validated */
  size_t done;          /* requests whose outcome is known */
  stream_batch_t wait;  /* validated, need the database, wait for in_db */
  stream_batch_t in_db; /* the stream's one job in the pool (n == 0: none) */
  stream_batch_t redo;  /* a failed batch: sent again one request per job */
  int redo_next;        /* first of redo not yet sent again */
} stream_t;

static void stream_pump(hz_rpc_t *rpc);

/* A request's outcome becomes its result. A rejected request stored
 * nothing, so its counts are zero whatever rows hz_submit sent. */
static void stream_collected(hz_submit_t *s) {
  hz_rpc_t *rpc = s->rpc;
  stream_t *st = rpc->state;
  hz_submit_resp_t *o = s->resp;
  o->code = (int32_t)s->code;
  if (s->code != HZ_STATUS_OK) {
    o->status = HUIZONG__V1__SUBMISSION_STATUS__SUBMISSION_STATUS_REJECTED;
    o->message = (char *)(s->message ? s->message : "");
    o->problems = s->problems.items;
    o->n_problems = s->problems.n;
    o->problem_count = s->problems.total;
    o->imported = o->updated = o->unchanged = 0;
    o->narrative_updated = 0;
  }
  st->done++;
  stream_pump(rpc);
}

static void stream_reply(hz_rpc_t *rpc) {
  stream_t *st = rpc->state;
  Huizong__V1__SubmitStreamResponse out = HUIZONG__V1__SUBMIT_STREAM_RESPONSE__INIT;
  out.results = hz_arena_alloc(hz_rpc_arena(rpc), (st->n + 1) * sizeof(hz_submit_resp_t *));
  if (!out.results) {
    hz_rpc_oom(rpc);
    return;
  }
  for (size_t i = 0; i < st->n; i++) {
    const hz_submit_t *s = st->items[i];
    out.results[i] = s->resp;
    /* A dry run that passed (VALIDATED) is neither accepted nor rejected. */
    if (s->code == HZ_STATUS_OK &&
        s->resp->status == HUIZONG__V1__SUBMISSION_STATUS__SUBMISSION_STATUS_ACCEPTED)
      out.accepted++;
    else if (s->code != HZ_STATUS_OK)
      out.rejected++;
  }
  out.n_results = st->n;
  hz_rpc_reply(rpc, &out.base);
}

/* The job of a batch answered. A batch of one, or one that committed,
 * gives each request its own result; a failed batch of several is sent
 * again one request per job (see the top of the file). */
static void on_batch_result(hz_rpc_t *rpc, const hz_db_result_t *res, void *tag) {
  stream_t *st = tag;
  stream_batch_t *b = &st->in_db;
  if (!res->ok && b->n > 1) {
    st->redo = *b;
    st->redo_next = 0;
    b->n = 0;
    stream_pump(rpc);
    return;
  }
  /* Every result is read before the next job is sent: each completion
   * calls stream_pump, which does nothing while pumping is set. (A pool
   * failing inside stream_send answers from within a pump: then the pump
   * running below picks up the state.) */
  int outer = st->pumping;
  st->pumping = 1;
  for (int i = 0; i < b->n && !hz_rpc_finished(rpc); i++)
    hz_submit_result(b->items[i], res, i);
  b->n = 0;
  st->pumping = outer;
  stream_pump(rpc);
}

/* Sends batch `from` as the stream's job; `from` is emptied. */
static void stream_send(hz_rpc_t *rpc, stream_t *st, stream_batch_t *from) {
  hz_db_stmt_t stmts[BATCH_MAX_REQUESTS];
  st->in_db = *from;
  from->n = 0;
  from->values = 0;
  for (int i = 0; i < st->in_db.n; i++)
    stmts[i] = st->in_db.items[i]->stmt;
  /* A pool that cannot take the job finishes the call (the server's
   * state, not a request's): nothing more happens on this stream. */
  hz_rpc_query(rpc, stmts, st->in_db.n, on_batch_result, st);
}

/* Whether s may join the waiting batch. */
static int batch_has_room(const stream_batch_t *b, const hz_submit_t *s) {
  return b->n < BATCH_MAX_REQUESTS &&
         (b->n == 0 || b->values + s->req->n_values <= BATCH_MAX_VALUES);
}

/* One scheduling step: when the stream has no job in the database, send
 * the next request of a failed batch, else the waiting batch; otherwise
 * validate the next request if the waiting batch can take it. Returns 0
 * when nothing can happen until a request arrives or the database
 * answers. */
static int stream_step(hz_rpc_t *rpc, stream_t *st) {
  if (st->in_db.n == 0 && st->redo_next < st->redo.n) {
    stream_batch_t one = {.items = {st->redo.items[st->redo_next++]}, .n = 1};
    stream_send(rpc, st, &one);
    return 1;
  }
  if (st->in_db.n == 0 && st->wait.n > 0) {
    stream_send(rpc, st, &st->wait);
    return 1;
  }
  if (st->next < st->n && batch_has_room(&st->wait, st->items[st->next])) {
    hz_submit_t *s = st->items[st->next++];
    if (hz_submit_prepare(s) > 0) {
      st->wait.items[st->wait.n++] = s;
      st->wait.values += s->req->n_values;
    }
    return 1;
  }
  return 0;
}

/* Runs every step that can run now, then replies once all requests are
 * in and answered. Completions that happen inside a step (refusals, a
 * failing pool) call back here; they only change state and the loop
 * picks it up, which keeps the stack flat however long the stream. */
static void stream_pump(hz_rpc_t *rpc) {
  stream_t *st = rpc->state;
  if (st->pumping)
    return;
  st->pumping = 1;
  while (!hz_rpc_finished(rpc) && stream_step(rpc, st))
    ;
  st->pumping = 0;
  if (!hz_rpc_finished(rpc) && rpc->half_closed && st->done == st->n)
    stream_reply(rpc);
}

static stream_t *stream_state(hz_rpc_t *rpc) {
  if (!rpc->state)
    rpc->state = hz_arena_zalloc(hz_rpc_arena(rpc), sizeof(stream_t));
  return rpc->state;
}

/* Room for one more request; -1 after finishing the call. */
static int stream_reserve(hz_rpc_t *rpc, stream_t *st) {
  if (st->n >= MAX_STREAM_REQUESTS) {
    hz_rpc_finish(rpc, HZ_STATUS_RESOURCE_EXHAUSTED,
                  "more than %d requests on one SubmitStream; split the load", MAX_STREAM_REQUESTS);
    return -1;
  }
  if (st->n < st->cap)
    return 0;
  size_t cap = st->cap ? st->cap * 2 : 64;
  hz_submit_t **items = hz_arena_alloc(hz_rpc_arena(rpc), cap * sizeof(*items));
  if (!items) {
    hz_rpc_oom(rpc);
    return -1;
  }
  if (st->n)
    memcpy(items, st->items, st->n * sizeof(*items));
  st->items = items;
  st->cap = cap;
  return 0;
}

void hz_reporting_stream_message(hz_rpc_t *rpc, ProtobufCMessage *msg) {
  stream_t *st = stream_state(rpc);
  if (!st) {
    hz_rpc_oom(rpc);
    return;
  }
  if (stream_reserve(rpc, st) < 0)
    return;
  hz_submit_t *s = hz_submit_new(rpc, (const hz_submit_req_t *)msg, stream_collected);
  if (!s) {
    hz_rpc_oom(rpc);
    return;
  }
  st->items[st->n++] = s;
  stream_pump(rpc);
}

void hz_reporting_stream_half_close(hz_rpc_t *rpc) {
  if (!stream_state(rpc)) {
    hz_rpc_oom(rpc);
    return;
  }
  stream_pump(rpc);
}
