/* SubmitStream: many Submit requests in one call, one result per request.
 *
 * A stream's requests are committed one after another, in arrival order:
 * the answer (which value is stored, the counts, replays and reuse of an
 * id) must be the one the same requests sent as sequential Submits would
 * get, and requests of one stream in parallel would race each other for
 * the same rows (wrong counts, the wrong version stored, deadlocks).
 * Parallelism comes from several streams. While one request is in the
 * database the next is validated and its statement built, so its job can
 * be sent the moment the database answers.
 *
 * Each request's outcome is its own result: a refusal or a database error
 * (code 14 UNAVAILABLE for a transient one, retryable with the same id)
 * rejects that request and the stream goes on. Only the server's own
 * state (out of memory, no pool) ends the call. */
#include <string.h>

#include "api/reporting/reporting.h"

#define MAX_STREAM_REQUESTS 100000 /* requests on one SubmitStream */

/* The call's state (rpc->state), in its arena. */
typedef struct stream_s {
  int pumping;         /* inside stream_pump: completions only change state */
  hz_submit_t **items; /* every request so far, arrival order; grows by
                           doubling in the arena */
  size_t n;            /* requests received */
  size_t cap;          /* room in items */
  size_t next;         /* first request not yet validated */
  size_t done;         /* requests whose outcome is known */
  hz_submit_t *ready;  /* validated, needs the database, waits for in_db */
  hz_submit_t *in_db;  /* the one request whose job is in the pool */
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
  if (st->in_db == s)
    st->in_db = NULL;
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

/* One scheduling step: send the ready request when the database is free
 * for this stream, else validate the next one. Returns 0 when nothing can
 * happen until a request arrives or the database answers. */
static int stream_step(stream_t *st) {
  if (st->ready && !st->in_db) {
    hz_submit_t *s = st->ready;
    st->ready = NULL;
    st->in_db = s; /* before sending: a failing pool completes it at once */
    hz_submit_send(s);
    return 1;
  }
  if (!st->ready && st->next < st->n) {
    hz_submit_t *s = st->items[st->next++];
    if (hz_submit_prepare(s) > 0)
      st->ready = s;
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
  while (!hz_rpc_finished(rpc) && stream_step(st))
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
