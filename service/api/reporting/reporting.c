/* huizong.v1.Reporting: Submit, SubmitStream, GetSubmission,
 * ListSubmissions. Syntax is checked here; everything that needs stored
 * state (indicators, bounds, approval, idempotency) is checked by
 * hz_submit() in the same transaction that writes. */
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/pgtext.h"
#include "api/problems.h"
#include "api/refusal.h"
#include "api/rpc.h"
#include "domain/decimal.h"
#include "domain/ident.h"
#include "domain/period.h"
#include "huizong/v1/reporting.pb-c.h"

#define MAX_VALUES 10000           /* values in one submission */
#define MAX_NARRATIVE (1u << 20)   /* bytes of narrative text */
#define MAX_COMMENT 2000           /* bytes of one value's comment */
#define MAX_STREAM_REQUESTS 100000 /* requests on one SubmitStream */

typedef Huizong__V1__SubmitRequest submit_req_t;
typedef Huizong__V1__SubmitResponse submit_resp_t;

/* ---- one submission ------------------------------------------------------ */

typedef struct submit_s submit_t;
typedef void (*submit_done_fn)(submit_t *s);

struct submit_s {
  hz_rpc_t *rpc;              /* the call it belongs to */
  const submit_req_t *req;    /* request, in the call's arena */
  submit_resp_t *resp;        /* summary being built */
  hz_problems_t problems;     /* everything wrong with it */
  hz_status_code_t code;      /* outcome */
  const char *message;        /* outcome text when code != OK */
  submit_done_fn done;        /* continuation: reply or collect */
  int index;                  /* position in a SubmitStream */
  char uuid[HZ_UUID_TEXT_SIZE]; /* normalised submission id */
  char period[HZ_PERIOD_TEXT_SIZE]; /* canonical period code */
  hz_period_t p;              /* parsed period */
  const char **values;        /* normalised values; NULL where malformed */
  const char *received_at;    /* RFC 3339, taken when the request arrived (a
                               * stream's request may wait for its turn) */
  hz_db_stmt_t stmt;          /* the hz_submit call, built by submit_prepare
                               * and sent when its turn comes */
};

static void content_hash(const submit_t *s, uint8_t out[32]) {
  EVP_MD_CTX *md = EVP_MD_CTX_new();
  const submit_req_t *r = s->req;
  char count[24];
  snprintf(count, sizeof(count), "%zu", r->n_values);
  EVP_DigestInit_ex(md, EVP_sha256(), NULL);
  const char *head[] = {r->region_code, s->period, r->narrative, count};
  for (size_t i = 0; i < 4; i++)
    EVP_DigestUpdate(md, head[i], strlen(head[i]) + 1); /* NUL separates fields */
  for (size_t i = 0; i < r->n_values; i++) {
    const Huizong__V1__IndicatorValue *v = r->values[i];
    const char *val = s->values[i] ? s->values[i] : v->value;
    EVP_DigestUpdate(md, v->indicator_code, strlen(v->indicator_code) + 1);
    EVP_DigestUpdate(md, val, strlen(val) + 1);
    EVP_DigestUpdate(md, v->comment, strlen(v->comment) + 1);
  }
  EVP_DigestFinal_ex(md, out, NULL);
  EVP_MD_CTX_free(md);
}

static void outcome(submit_t *s, hz_status_code_t code, const char *message) {
  s->code = code;
  s->message = message;
  s->done(s);
}

static int add_problem(submit_t *s, int index, int kind, const char *field, const char *ind,
                       const char *reason) {
  return hz_problems_add(&s->problems, index, 0, kind, field, ind, ind, reason);
}

/* Request-level checks that make a database round trip pointless. */
static int check_request(submit_t *s) {
  const submit_req_t *r = s->req;
  hz_arena_t *a = hz_rpc_arena(s->rpc);
  if (hz_uuid_normalize(r->submission_id, s->uuid))
    add_problem(s, -1, HUIZONG__V1__PROBLEM_KIND__PROBLEM_KIND_MALFORMED, "submission_id", "",
                hz_arena_printf(a, "submission_id '%s' is not a UUID", r->submission_id));
  if (hz_region_code_validate(r->region_code))
    add_problem(s, -1, HUIZONG__V1__PROBLEM_KIND__PROBLEM_KIND_MALFORMED, "region_code", "",
                hz_arena_printf(a, "region_code '%s' is not a statistical division code",
                                r->region_code));
  if (hz_period_parse(r->period, &s->p))
    add_problem(s, -1, HUIZONG__V1__PROBLEM_KIND__PROBLEM_KIND_MALFORMED, "period", "",
                hz_arena_printf(a, "period '%s' is not one of %s", r->period,
                                hz_period_accepted_forms()));
  else
    hz_period_format(&s->p, s->period);
  if (r->n_values == 0 && r->narrative[0] == '\0')
    add_problem(s, -1, HUIZONG__V1__PROBLEM_KIND__PROBLEM_KIND_MISSING_FIELD, "values", "",
                "empty submission: no values and no narrative");
  if (r->n_values > MAX_VALUES)
    add_problem(s, -1, HUIZONG__V1__PROBLEM_KIND__PROBLEM_KIND_MALFORMED, "values", "",
                hz_arena_printf(a, "%zu values exceed the limit of %d per submission",
                                r->n_values, MAX_VALUES));
  if (strlen(r->narrative) > MAX_NARRATIVE)
    add_problem(s, -1, HUIZONG__V1__PROBLEM_KIND__PROBLEM_KIND_MALFORMED, "narrative", "",
                "narrative exceeds 1 MiB");
  return s->problems.total;
}

/* Per-value syntax; malformed values go to SQL as NULL so that the stored
 * state checks still report on the rest. */
static int check_values(submit_t *s) {
  const submit_req_t *r = s->req;
  hz_arena_t *a = hz_rpc_arena(s->rpc);
  s->values = hz_arena_zalloc(a, (r->n_values + 1) * sizeof(char *));
  if (!s->values)
    return -ENOMEM;
  int bad = 0;
  for (size_t i = 0; i < r->n_values; i++) {
    const Huizong__V1__IndicatorValue *v = r->values[i];
    char why[128];
    if (hz_indicator_code_validate(v->indicator_code)) {
      add_problem(s, (int)i, HUIZONG__V1__PROBLEM_KIND__PROBLEM_KIND_MALFORMED, "indicator_code",
                  v->indicator_code,
                  hz_arena_printf(a, "indicator code '%s' is malformed", v->indicator_code));
      bad++;
    }
    if (strlen(v->comment) > MAX_COMMENT) {
      add_problem(s, (int)i, HUIZONG__V1__PROBLEM_KIND__PROBLEM_KIND_MALFORMED, "comment",
                  v->indicator_code, "comment exceeds 2000 bytes");
      bad++;
    }
    if (hz_decimal_validate(v->value, strlen(v->value), why, sizeof(why))) {
      add_problem(s, (int)i, HUIZONG__V1__PROBLEM_KIND__PROBLEM_KIND_MALFORMED, "value",
                  v->indicator_code,
                  hz_arena_printf(a, "value \"%s\" of %s: %s", v->value, v->indicator_code, why));
      bad++;
      continue;
    }
    char *norm = hz_arena_alloc(a, HZ_DECIMAL_BUFSIZE);
    if (!norm || hz_decimal_normalize(v->value, strlen(v->value), norm, HZ_DECIMAL_BUFSIZE))
      return -ENOMEM;
    s->values[i] = norm;
  }
  return bad;
}

static void read_summary(submit_t *s, const PGresult *r, int row) {
  submit_resp_t *o = s->resp;
  hz_rpc_t *rpc = s->rpc;
  o->imported = hz_rpc_cell_int(r, row, 7);
  o->updated = hz_rpc_cell_int(r, row, 8);
  o->unchanged = hz_rpc_cell_int(r, row, 9);
  o->narrative_updated = hz_rpc_cell_bool(r, row, 10);
  o->replayed = hz_rpc_cell_bool(r, row, 11);
  o->received_at = (char *)hz_rpc_cell(rpc, r, row, 12);
  o->committed_at = (char *)hz_rpc_cell(rpc, r, row, 13);
  if (o->replayed)
    o->status = HUIZONG__V1__SUBMISSION_STATUS__SUBMISSION_STATUS_ACCEPTED;
  else
    o->status = s->req->dry_run ? HUIZONG__V1__SUBMISSION_STATUS__SUBMISSION_STATUS_VALIDATED
                                : HUIZONG__V1__SUBMISSION_STATUS__SUBMISSION_STATUS_ACCEPTED;
}

static void on_submit_result(hz_rpc_t *rpc, const hz_db_result_t *res, void *tag) {
  submit_t *s = tag;
  if (!res->ok) {
    /* The submission's own outcome: Submit turns it into the call's
     * status, SubmitStream into this request's result (code 14 for a
     * retryable failure) and goes on with the next request. */
    const char *message = NULL;
    hz_status_code_t code = hz_rpc_db_status(rpc, res, &message);
    outcome(s, code, message ? message : "database error");
    return;
  }
  const PGresult *r = res->results[0];
  for (int row = 0; row < PQntuples(r); row++) {
    int kind = hz_rpc_cell_int(r, row, 0);
    if (kind > 0) {
      add_problem(s, hz_rpc_cell_int(r, row, 1), kind, hz_rpc_cell(rpc, r, row, 2),
                  hz_rpc_cell(rpc, r, row, 3), hz_rpc_cell(rpc, r, row, 4));
      continue;
    }
    if (!hz_rpc_cell_null(r, row, 5)) { /* column refusal (migration 010) */
      outcome(s, hz_refusal_status_of(PQgetvalue(r, row, 5)), hz_rpc_cell(rpc, r, row, 6));
      return;
    }
    read_summary(s, r, row);
  }
  if (s->problems.total > 0) {
    hz_problems_sort(&s->problems);
    outcome(s, hz_problems_status(&s->problems), hz_problems_summary(&s->problems));
    return;
  }
  outcome(s, HZ_STATUS_OK, NULL);
}

static const char *const submit_sql =
    "SELECT * FROM hz_submit($1::uuid, $2, $3, $4::smallint, $5::date, $6::text[], $7::text[],"
    " $8::text[], $9, $10::boolean, $11::bytea, $12::bigint, $13, $14, $15::timestamptz)";

/* Builds s->stmt; the pool copies the parameters when it is sent. */
static int build_submit(submit_t *s, int validate_only) {
  hz_rpc_t *rpc = s->rpc;
  hz_arena_t *a = hz_rpc_arena(rpc);
  const submit_req_t *r = s->req;
  size_t n = r->n_values;
  const char **codes = hz_arena_alloc(a, (n + 1) * sizeof(char *));
  const char **comments = hz_arena_alloc(a, (n + 1) * sizeof(char *));
  const char **params = hz_arena_alloc(a, 15 * sizeof(char *));
  if (!codes || !comments || !params)
    return -ENOMEM;
  for (size_t i = 0; i < n; i++) {
    codes[i] = r->values[i]->indicator_code;
    comments[i] = r->values[i]->comment;
  }
  uint8_t hash[32];
  content_hash(s, hash);
  int start = hz_period_start_date(&s->p);
  params[0] = s->uuid;
  params[1] = r->region_code;
  params[2] = s->period;
  params[3] = hz_pg_int(a, s->p.type);
  params[4] = hz_arena_printf(a, "%04d-%02d-%02d", start / 10000, start / 100 % 100, start % 100);
  params[5] = hz_pg_text_array(a, codes, n);
  params[6] = hz_pg_text_array(a, s->values, n);
  params[7] = hz_pg_text_array(a, comments, n);
  params[8] = r->narrative;
  params[9] = validate_only ? "t" : "f";
  params[10] = hz_pg_bytea_hex(a, hash, sizeof(hash));
  params[11] = hz_pg_int(a, rpc->who.token_id);
  params[12] = rpc->who.name;
  params[13] = hz_rpc_scope_param(rpc);
  params[14] = s->received_at;
  for (int i = 0; i < 15; i++)
    if (!params[i] && i != 13)
      return -ENOMEM;
  s->stmt = (hz_db_stmt_t){.name = "hz_submit", .sql = submit_sql, .nparams = 15, .values = params};
  return 0;
}

/* Runs the statement built by submit_prepare; on_submit_result continues.
 * A pool that cannot take the job (no connection, queue full) ends the
 * call: that is the server's state, not this request's. */
static void submit_send(submit_t *s) {
  hz_rpc_query(s->rpc, &s->stmt, 1, on_submit_result, s);
}

static submit_t *submit_new(hz_rpc_t *rpc, const submit_req_t *req, submit_done_fn done) {
  hz_arena_t *a = hz_rpc_arena(rpc);
  submit_t *s = hz_arena_zalloc(a, sizeof(*s));
  submit_resp_t *o = hz_arena_alloc(a, sizeof(*o));
  if (!s || !o)
    return NULL;
  huizong__v1__submit_response__init(o);
  o->submission_id = req->submission_id;
  o->region_code = req->region_code;
  o->period = req->period;
  o->dry_run = req->dry_run;
  if (!(s->received_at = hz_pg_now_rfc3339(a)))
    return NULL;
  s->rpc = rpc;
  s->req = req;
  s->resp = o;
  s->done = done;
  hz_problems_init(&s->problems, a);
  return s;
}

/* Everything that needs no stored state. Returns 1 when the request needs
 * the database (s->stmt built), 0 when it was refused here (its outcome
 * has run), -1 when the call was finished (out of memory). Refusals here
 * depend on the request alone, so deciding them before earlier requests
 * of a stream are committed gives the answer sequential calls would. */
static int submit_prepare(submit_t *s) {
  const hz_principal_t *who = &s->rpc->who;
  if (who->role == HZ_ROLE_TOWNSHIP && strcmp(s->req->region_code, who->region) != 0) {
    outcome(s, HZ_STATUS_PERMISSION_DENIED,
            hz_arena_printf(hz_rpc_arena(s->rpc), "this token may submit only for region %s, not %s",
                            who->region, s->req->region_code));
    return 0;
  }
  int fatal = check_request(s);
  int bad = s->req->n_values <= MAX_VALUES ? check_values(s) : 0;
  if (bad >= 0 && fatal) {
    /* No database round trip can help, but every syntax problem is listed. */
    hz_problems_sort(&s->problems);
    outcome(s, hz_problems_status(&s->problems), hz_problems_summary(&s->problems));
    return 0;
  }
  if (bad < 0 || build_submit(s, bad > 0 || s->req->dry_run) < 0) {
    hz_rpc_oom(s->rpc);
    return -1;
  }
  return 1;
}

/* ---- Submit --------------------------------------------------------------- */

static void submit_replied(submit_t *s) {
  if (s->code == HZ_STATUS_OK)
    hz_rpc_reply(s->rpc, &s->resp->base);
  else if (s->problems.total > 0)
    hz_problems_refuse(s->rpc, &s->problems);
  else
    hz_rpc_finish(s->rpc, s->code, "%s", s->message ? s->message : "refused");
}

static void submit(hz_rpc_t *rpc, ProtobufCMessage *msg) {
  submit_t *s = submit_new(rpc, (const submit_req_t *)msg, submit_replied);
  if (!s) {
    hz_rpc_oom(rpc);
    return;
  }
  if (submit_prepare(s) > 0)
    submit_send(s);
}

/* ---- SubmitStream --------------------------------------------------------- */

/* A stream's requests are committed one after another, in arrival order:
 * the answer (which value is stored, the counts, replays and reuse of an
 * id) must be the one the same requests sent as sequential Submits would
 * get, and requests of one stream in parallel would race each other for
 * the same rows (wrong counts, the wrong version stored, deadlocks).
 * Parallelism comes from several streams. While one request is in the
 * database the next is validated and its statement built, so its job can
 * be sent the moment the database answers. */
typedef struct stream_s {
  int pumping;            /* inside stream_pump: completions only change state */
  submit_t **items;       /* every request, arrival order */
  size_t n;               /* received */
  size_t cap;             /* allocated */
  size_t next;            /* first not yet validated */
  size_t done;            /* finished */
  submit_t *ready;        /* validated, needs the database, waits for in_db */
  submit_t *in_db;        /* the one request whose job is in the pool */
} stream_t;

static void stream_pump(hz_rpc_t *rpc);

static void stream_collected(submit_t *s) {
  hz_rpc_t *rpc = s->rpc;
  stream_t *st = rpc->state;
  submit_resp_t *o = s->resp;
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
  out.results = hz_arena_alloc(hz_rpc_arena(rpc), (st->n + 1) * sizeof(submit_resp_t *));
  if (!out.results) {
    hz_rpc_oom(rpc);
    return;
  }
  for (size_t i = 0; i < st->n; i++) {
    out.results[i] = st->items[i]->resp;
    if (st->items[i]->code == HZ_STATUS_OK &&
        st->items[i]->resp->status == HUIZONG__V1__SUBMISSION_STATUS__SUBMISSION_STATUS_ACCEPTED)
      out.accepted++;
    else if (st->items[i]->code != HZ_STATUS_OK)
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
    submit_t *s = st->ready;
    st->ready = NULL;
    st->in_db = s; /* before sending: a failing pool completes it at once */
    submit_send(s);
    return 1;
  }
  if (!st->ready && st->next < st->n) {
    submit_t *s = st->items[st->next++];
    if (submit_prepare(s) > 0)
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

static void stream_message(hz_rpc_t *rpc, ProtobufCMessage *msg) {
  stream_t *st = stream_state(rpc);
  if (!st) {
    hz_rpc_oom(rpc);
    return;
  }
  if (st->n >= MAX_STREAM_REQUESTS) {
    hz_rpc_finish(rpc, HZ_STATUS_RESOURCE_EXHAUSTED,
                  "more than %d requests on one SubmitStream; split the load", MAX_STREAM_REQUESTS);
    return;
  }
  if (st->n == st->cap) {
    size_t cap = st->cap ? st->cap * 2 : 64;
    submit_t **ni = hz_arena_alloc(hz_rpc_arena(rpc), cap * sizeof(*ni));
    if (!ni) {
      hz_rpc_oom(rpc);
      return;
    }
    if (st->n)
      memcpy(ni, st->items, st->n * sizeof(*ni));
    st->items = ni;
    st->cap = cap;
  }
  submit_t *s = submit_new(rpc, (const submit_req_t *)msg, stream_collected);
  if (!s) {
    hz_rpc_oom(rpc);
    return;
  }
  s->index = (int)st->n;
  st->items[st->n++] = s;
  stream_pump(rpc);
}

static void stream_half_close(hz_rpc_t *rpc) {
  if (!stream_state(rpc)) {
    hz_rpc_oom(rpc);
    return;
  }
  stream_pump(rpc);
}

/* ---- GetSubmission -------------------------------------------------------- */

static Huizong__V1__Submission *submission_from_row(hz_rpc_t *rpc, const PGresult *r, int row) {
  hz_arena_t *a = hz_rpc_arena(rpc);
  Huizong__V1__Submission *s = hz_arena_alloc(a, sizeof(*s));
  Huizong__V1__RegionRef *reg = hz_arena_alloc(a, sizeof(*reg));
  if (!s || !reg)
    return NULL;
  huizong__v1__submission__init(s);
  huizong__v1__region_ref__init(reg);
  s->submission_id = (char *)hz_rpc_cell(rpc, r, row, 0);
  reg->code = (char *)hz_rpc_cell(rpc, r, row, 1);
  reg->name = (char *)hz_rpc_cell(rpc, r, row, 2);
  reg->level = hz_rpc_cell_int(r, row, 3);
  s->region = reg;
  s->period = (char *)hz_rpc_cell(rpc, r, row, 4);
  s->status = HUIZONG__V1__SUBMISSION_STATUS__SUBMISSION_STATUS_ACCEPTED;
  s->imported = hz_rpc_cell_int(r, row, 5);
  s->updated = hz_rpc_cell_int(r, row, 6);
  s->unchanged = hz_rpc_cell_int(r, row, 7);
  s->narrative = (char *)hz_rpc_cell(rpc, r, row, 8);
  s->submitted_by = (char *)hz_rpc_cell(rpc, r, row, 9);
  s->received_at = (char *)hz_rpc_cell(rpc, r, row, 10);
  s->committed_at = (char *)hz_rpc_cell(rpc, r, row, 11);
  s->value_count = hz_rpc_cell_int(r, row, 12);
  return s;
}

#define SUBMISSION_COLUMNS                                                                  \
  "s.id, s.region_code, r.name, r.level, s.period, s.imported, s.updated, s.unchanged,"     \
  " s.narrative, s.submitted_by, hz_ts(s.received_at), hz_ts(s.committed_at), s.value_count"

static void on_get_submission(hz_rpc_t *rpc, const hz_db_result_t *res, void *tag) {
  const char *id = tag;
  if (hz_rpc_db_failed(rpc, res))
    return;
  const PGresult *r = res->results[0];
  int rows = PQntuples(r);
  if (rows == 0) {
    hz_rpc_finish(rpc, HZ_STATUS_NOT_FOUND, "submission %s not found", id);
    return;
  }
  if (!hz_rpc_cell_bool(r, 0, 13)) {
    hz_rpc_finish(rpc, HZ_STATUS_PERMISSION_DENIED,
                  "submission %s belongs to region %s, outside this token's scope", id,
                  PQgetvalue(r, 0, 1));
    return;
  }
  Huizong__V1__Submission *s = submission_from_row(rpc, r, 0);
  Huizong__V1__IndicatorValue **vals =
      hz_arena_alloc(hz_rpc_arena(rpc), (size_t)(rows + 1) * sizeof(*vals));
  if (!s || !vals) {
    hz_rpc_oom(rpc);
    return;
  }
  size_t n = 0;
  for (int row = 0; row < rows; row++) {
    if (hz_rpc_cell_null(r, row, 14))
      continue;
    Huizong__V1__IndicatorValue *v = hz_arena_alloc(hz_rpc_arena(rpc), sizeof(*v));
    if (!v) {
      hz_rpc_oom(rpc);
      return;
    }
    huizong__v1__indicator_value__init(v);
    v->indicator_code = (char *)hz_rpc_cell(rpc, r, row, 14);
    v->value = (char *)hz_rpc_cell(rpc, r, row, 15);
    v->comment = (char *)hz_rpc_cell(rpc, r, row, 16);
    vals[n++] = v;
  }
  s->values = vals;
  s->n_values = n;
  hz_rpc_reply(rpc, &s->base);
}

static void get_submission(hz_rpc_t *rpc, ProtobufCMessage *msg) {
  const Huizong__V1__GetSubmissionRequest *req = (const Huizong__V1__GetSubmissionRequest *)msg;
  hz_arena_t *a = hz_rpc_arena(rpc);
  char *id = hz_arena_alloc(a, HZ_UUID_TEXT_SIZE);
  const char **params = hz_arena_alloc(a, 2 * sizeof(char *));
  if (!id || !params) {
    hz_rpc_oom(rpc);
    return;
  }
  if (hz_uuid_normalize(req->submission_id, id)) {
    hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "submission_id '%s' is not a UUID",
                  req->submission_id);
    return;
  }
  params[0] = id;
  params[1] = hz_rpc_scope_param(rpc);
  hz_db_stmt_t q = {
      .name = "hz_get_submission",
      .sql = "SELECT " SUBMISSION_COLUMNS ","
             " ($2::text IS NULL OR EXISTS (SELECT 1 FROM region_paths p"
             "   WHERE p.ancestor = $2 AND p.descendant = s.region_code)),"
             " v.c, v.v, v.m"
             " FROM submissions s JOIN regions r ON r.code = s.region_code"
             " LEFT JOIN LATERAL unnest(s.codes, s.values_text, s.comments)"
             "   WITH ORDINALITY AS v(c, v, m, o) ON true"
             " WHERE s.id = $1::uuid ORDER BY v.o",
      .nparams = 2,
      .values = params,
  };
  hz_rpc_query(rpc, &q, 1, on_get_submission, id);
}

/* ---- ListSubmissions ------------------------------------------------------- */


typedef struct list_state_s {
  int page_size;      /* rows wanted */
  int checked_root;   /* the first statement checks the region filter */
  const char *root;   /* region filter */
} list_state_t;

static void on_list(hz_rpc_t *rpc, const hz_db_result_t *res, void *tag) {
  list_state_t *ls = tag;
  if (hz_rpc_filter_failed(rpc, res))
    return;
  if (ls->checked_root && hz_rpc_scope_verdict(rpc, res->results[0], ls->root))
    return;
  const PGresult *r = res->results[res->nresults - 1];
  int rows = PQntuples(r);
  Huizong__V1__ListSubmissionsResponse out = HUIZONG__V1__LIST_SUBMISSIONS_RESPONSE__INIT;
  out.submissions = hz_arena_alloc(hz_rpc_arena(rpc), (size_t)(rows + 1) * sizeof(void *));
  if (!out.submissions) {
    hz_rpc_oom(rpc);
    return;
  }
  int shown = rows > ls->page_size ? ls->page_size : rows;
  for (int row = 0; row < shown; row++) {
    if (!(out.submissions[row] = submission_from_row(rpc, r, row))) {
      hz_rpc_oom(rpc);
      return;
    }
  }
  out.n_submissions = (size_t)shown;
  if (rows > ls->page_size)
    out.next_page_token = hz_page_token_encode(hz_rpc_arena(rpc), PQgetvalue(r, shown - 1, 10),
                                            PQgetvalue(r, shown - 1, 0));
  hz_rpc_reply(rpc, &out.base);
}

static void list_submissions(hz_rpc_t *rpc, ProtobufCMessage *msg) {
  const Huizong__V1__ListSubmissionsRequest *req =
      (const Huizong__V1__ListSubmissionsRequest *)msg;
  hz_arena_t *a = hz_rpc_arena(rpc);
  list_state_t *ls = hz_arena_zalloc(a, sizeof(*ls));
  const char **params = hz_arena_zalloc(a, 8 * sizeof(char *));
  const char **check = hz_arena_zalloc(a, 2 * sizeof(char *));
  if (!ls || !params || !check) {
    hz_rpc_oom(rpc);
    return;
  }
  if ((ls->page_size = hz_rpc_page_size(rpc, req->page_size, HZ_RPC_PAGE_DEFAULT,
                                              HZ_RPC_PAGE_MAX)) < 0)
    return;
  hz_period_t p;
  if (req->period[0] && hz_period_parse(req->period, &p)) {
    hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "period '%s' is not one of %s", req->period,
                  hz_period_accepted_forms());
    return;
  }
  if (!hz_pg_timestamp_ok(req->received_after) || !hz_pg_timestamp_ok(req->received_before)) {
    hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT,
                  "received_after/received_before must be RFC 3339 timestamps");
    return;
  }
  const char *after_ts = NULL, *after_id = NULL;
  if (req->page_token[0] && (hz_page_token_decode(a, req->page_token, &after_ts, &after_id) ||
                             hz_uuid_validate(after_id))) {
    hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "malformed page_token");
    return;
  }
  if (req->region_code[0] && hz_region_code_validate(req->region_code)) {
    hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "region_code '%s' is malformed",
                  req->region_code);
    return;
  }
  ls->root = req->region_code[0] ? req->region_code : hz_rpc_scope_param(rpc);
  params[0] = ls->root;
  params[1] = req->period[0] ? req->period : NULL;
  params[2] = req->submitted_by[0] ? req->submitted_by : NULL;
  params[3] = req->received_after[0] ? req->received_after : NULL;
  params[4] = req->received_before[0] ? req->received_before : NULL;
  params[5] = after_ts;
  params[6] = after_id;
  params[7] = hz_pg_int(a, ls->page_size + 1);
  hz_db_stmt_t q[2];
  int n = 0;
  if (req->region_code[0]) {
    ls->checked_root = 1;
    q[n++] = hz_rpc_scope_stmt(rpc, check, req->region_code);
  }
  q[n++] = (hz_db_stmt_t){
      .name = "hz_list_submissions",
      .sql = "SELECT " SUBMISSION_COLUMNS
             " FROM submissions s JOIN regions r ON r.code = s.region_code"
             " WHERE ($1::text IS NULL OR s.region_code IN"
             "   (SELECT descendant FROM region_paths WHERE ancestor = $1))"
             " AND ($2::text IS NULL OR s.period = $2)"
             " AND ($3::text IS NULL OR s.submitted_by = $3)"
             " AND ($4::timestamptz IS NULL OR s.received_at >= $4::timestamptz)"
             " AND ($5::timestamptz IS NULL OR s.received_at < $5::timestamptz)"
             " AND ($6::timestamptz IS NULL OR (s.received_at, s.id) < ($6::timestamptz, $7::uuid))"
             " ORDER BY s.received_at DESC, s.id DESC LIMIT $8::integer",
      .nparams = 8,
      .values = params,
  };
  hz_rpc_query(rpc, q, n, on_list, ls);
}

/* ---- registration ---------------------------------------------------------- */

static const hz_rpc_def_t reporting_methods[] = {
    {"/huizong.v1.Reporting/Submit", HZ_RPC_UNARY, &huizong__v1__submit_request__descriptor,
     HZ_ROLE_BIT(HZ_ROLE_TOWNSHIP) | HZ_ROLE_BIT(HZ_ROLE_ADMIN), submit, NULL, NULL},
    {"/huizong.v1.Reporting/SubmitStream", HZ_RPC_CLIENT_STREAM,
     &huizong__v1__submit_request__descriptor,
     HZ_ROLE_BIT(HZ_ROLE_TOWNSHIP) | HZ_ROLE_BIT(HZ_ROLE_ADMIN), stream_message,
     stream_half_close, NULL},
    {"/huizong.v1.Reporting/GetSubmission", HZ_RPC_UNARY,
     &huizong__v1__get_submission_request__descriptor, HZ_ROLES_ALL, get_submission, NULL, NULL},
    {"/huizong.v1.Reporting/ListSubmissions", HZ_RPC_UNARY,
     &huizong__v1__list_submissions_request__descriptor, HZ_ROLES_ALL, list_submissions, NULL, NULL},
};

int hz_reporting_register(hz_app_t *app) {
  return hz_rpc_register(app, reporting_methods,
                         sizeof(reporting_methods) / sizeof(reporting_methods[0]));
}
