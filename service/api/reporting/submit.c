/* One Submit request, shared by the unary Submit and each request of a
 * SubmitStream: syntax checked here, then everything that needs stored
 * state (indicators, bounds, approval, idempotency) checked by hz_submit()
 * in the same transaction that writes (statement SUBMIT), and its rows read
 * back into problems, a refusal or the summary. */
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "api/pgtext.h"
#include "api/refusal.h"
#include "api/reporting/reporting.h"
#include "domain/decimal.h"
#include "domain/ident.h"

#define MAX_VALUES    10000      /* values in one submission */
#define MAX_NARRATIVE (1u << 20) /* bytes of narrative text */
#define MAX_COMMENT   2000       /* bytes of one value's comment */

#define MALFORMED HUIZONG__V1__PROBLEM_KIND__PROBLEM_KIND_MALFORMED

/* The idempotency fingerprint: a retry with the same id must carry the
 * same content. Hashed after normalisation ("4.90" and "4.9" are one
 * content), with NUL between fields so that no two contents collide by
 * moving text from one field to the next. */
static void content_hash(const hz_submit_t *s, uint8_t out[32]) {
  EVP_MD_CTX *md = EVP_MD_CTX_new();
  const hz_submit_req_t *r = s->req;
  char count[24];
  snprintf(count, sizeof(count), "%zu", r->n_values);
  EVP_DigestInit_ex(md, EVP_sha256(), NULL);
  const char *head[] = {r->region_code, s->period, r->narrative, count};
  for (size_t i = 0; i < 4; i++)
    EVP_DigestUpdate(md, head[i], strlen(head[i]) + 1);
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

static void outcome(hz_submit_t *s, hz_status_code_t code, const char *message) {
  s->code = code;
  s->message = message;
  s->done(s);
}

static int add_problem(hz_submit_t *s, int index, int kind, const char *field, const char *ind,
                       const char *reason) {
  return hz_problems_add(&s->problems, index, 0, kind, field, ind, ind, reason);
}

/* Request-level checks that make a database round trip pointless. */
static int check_request(hz_submit_t *s) {
  const hz_submit_req_t *r = s->req;
  hz_arena_t *a = hz_rpc_arena(s->rpc);
  if (hz_wire_uuid_normalize(r->submission_id, s->uuid) != 0)
    add_problem(s, -1, MALFORMED, "submission_id", "",
                hz_arena_printf(a, "submission_id '%s' is not a UUID", r->submission_id));
  if (hz_region_code_validate(r->region_code))
    add_problem(
        s, -1, MALFORMED, "region_code", "",
        hz_arena_printf(a, "region_code '%s' is not a statistical division code", r->region_code));
  if (hz_period_parse(r->period, &s->p))
    add_problem(
        s, -1, MALFORMED, "period", "",
        hz_arena_printf(a, "period '%s' is not one of %s", r->period, hz_period_accepted_forms()));
  else
    hz_period_format(&s->p, s->period);
  if (r->n_values == 0 && r->narrative[0] == '\0')
    add_problem(s, -1, HUIZONG__V1__PROBLEM_KIND__PROBLEM_KIND_MISSING_FIELD, "values", "",
                "empty submission: no values and no narrative");
  if (r->n_values > MAX_VALUES)
    add_problem(s, -1, MALFORMED, "values", "",
                hz_arena_printf(a, "%zu values exceed the limit of %d per submission", r->n_values,
                                MAX_VALUES));
  if (strlen(r->narrative) > MAX_NARRATIVE)
    add_problem(s, -1, MALFORMED, "narrative", "", "narrative exceeds 1 MiB");
  return s->problems.total;
}

/* Per-value syntax; malformed values go to SQL as NULL so that the stored
 * state checks still report on the rest. Returns how many values are
 * malformed, or -ENOMEM. */
static int check_values(hz_submit_t *s) {
  const hz_submit_req_t *r = s->req;
  hz_arena_t *a = hz_rpc_arena(s->rpc);
  s->values = hz_arena_zalloc(a, (r->n_values + 1) * sizeof(char *));
  if (!s->values)
    return -ENOMEM;
  int bad = 0;
  for (size_t i = 0; i < r->n_values; i++) {
    const Huizong__V1__IndicatorValue *v = r->values[i];
    char why[128];
    if (hz_indicator_code_validate(v->indicator_code)) {
      add_problem(s, (int)i, MALFORMED, "indicator_code", v->indicator_code,
                  hz_arena_printf(a, "indicator code '%s' is malformed", v->indicator_code));
      bad++;
    }
    if (strlen(v->comment) > MAX_COMMENT) {
      add_problem(s, (int)i, MALFORMED, "comment", v->indicator_code,
                  hz_arena_printf(a, "comment exceeds %d bytes", MAX_COMMENT));
      bad++;
    }
    if (hz_decimal_validate(v->value, strlen(v->value), why, sizeof(why))) {
      add_problem(s, (int)i, MALFORMED, "value", v->indicator_code,
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

/* ---- reading hz_submit's rows ------------------------------------------- */

/* Where SUBMIT's columns (db/sql/reporting.def) are in one result, found
 * by name once per result. */
typedef struct submit_cols_s {
  int kind, idx, field, indicator, reason; /* a problem row: kind > 0 */
  int refusal, message;                    /* a refusal row: refusal not NULL */
  int imported, updated, unchanged, narrative_updated, replayed, received_at,
      committed_at; /* the summary row */
} submit_cols_t;

static void submit_cols(const PGresult *r, submit_cols_t *c) {
  *c = (submit_cols_t){
      .kind = hz_db_col(r, "kind"),
      .idx = hz_db_col(r, "idx"),
      .field = hz_db_col(r, "field"),
      .indicator = hz_db_col(r, "indicator"),
      .reason = hz_db_col(r, "reason"),
      .refusal = hz_db_col(r, "refusal"),
      .message = hz_db_col(r, "message"),
      .imported = hz_db_col(r, "imported"),
      .updated = hz_db_col(r, "updated"),
      .unchanged = hz_db_col(r, "unchanged"),
      .narrative_updated = hz_db_col(r, "narrative_updated"),
      .replayed = hz_db_col(r, "replayed"),
      .received_at = hz_db_col(r, "received_at"),
      .committed_at = hz_db_col(r, "committed_at"),
  };
}

/* hz_submit's refusal of the whole request, the one place that reads its
 * `refusal` and `message` columns: HZ_STATUS_OK when row refuses nothing,
 * else the status the request earns, with *message its text (in the
 * call's arena). The database names a reason (hz_refusal, migration 010);
 * api/refusal.c maps it to a status. */
static hz_status_code_t submit_refusal(hz_rpc_t *rpc, const PGresult *r, int row,
                                       const submit_cols_t *c, const char **message) {
  if (hz_rpc_cell_null(r, row, c->refusal))
    return HZ_STATUS_OK;
  *message = hz_rpc_cell(rpc, r, row, c->message);
  return hz_refusal_status_of(PQgetvalue(r, row, c->refusal));
}

static void read_summary(hz_submit_t *s, const PGresult *r, int row, const submit_cols_t *c) {
  hz_submit_resp_t *o = s->resp;
  hz_rpc_t *rpc = s->rpc;
  o->imported = hz_rpc_cell_int(r, row, c->imported);
  o->updated = hz_rpc_cell_int(r, row, c->updated);
  o->unchanged = hz_rpc_cell_int(r, row, c->unchanged);
  o->narrative_updated = hz_rpc_cell_bool(r, row, c->narrative_updated);
  o->replayed = hz_rpc_cell_bool(r, row, c->replayed);
  o->received_at = (char *)hz_rpc_cell(rpc, r, row, c->received_at);
  o->committed_at = (char *)hz_rpc_cell(rpc, r, row, c->committed_at);
  /* A replay answers as the original did: it was stored, whatever the
   * retry's dry_run says. */
  if (o->replayed || !s->req->dry_run)
    o->status = HUIZONG__V1__SUBMISSION_STATUS__SUBMISSION_STATUS_ACCEPTED;
  else
    o->status = HUIZONG__V1__SUBMISSION_STATUS__SUBMISSION_STATUS_VALIDATED;
}

void hz_submit_result(hz_submit_t *s, const hz_db_result_t *res, int i) {
  hz_rpc_t *rpc = s->rpc;
  if (!res->ok) {
    /* The submission's own outcome: Submit turns it into the call's
     * status, SubmitStream into this request's result (code 14 for a
     * retryable failure) and goes on with the next request. */
    const char *message = NULL;
    hz_status_code_t code = hz_rpc_db_status(rpc, res, &message);
    outcome(s, code, message ? message : "database error");
    return;
  }
  const PGresult *r = res->results[i];
  submit_cols_t c;
  hz_submit_rule_cols_t rc;
  submit_cols(r, &c);
  hz_submit_rule_cols(r, &rc);
  for (int row = 0; row < PQntuples(r); row++) {
    int kind = hz_rpc_cell_int(r, row, c.kind);
    if (!hz_rpc_cell_null(r, row, rc.rule_code)) {
      if (hz_submit_rule_row(s, r, row, kind, &rc)) {
        hz_rpc_oom(rpc);
        return;
      }
      continue;
    }
    if (kind > 0) {
      add_problem(s, hz_rpc_cell_int(r, row, c.idx), kind, hz_rpc_cell(rpc, r, row, c.field),
                  hz_rpc_cell(rpc, r, row, c.indicator), hz_rpc_cell(rpc, r, row, c.reason));
      continue;
    }
    const char *message = NULL;
    hz_status_code_t refused = submit_refusal(rpc, r, row, &c, &message);
    if (refused != HZ_STATUS_OK) {
      outcome(s, refused, message);
      return;
    }
    read_summary(s, r, row, &c);
  }
  if (s->problems.total > 0) {
    outcome(s, hz_problems_status(&s->problems), hz_problems_summary(&s->problems));
    return;
  }
  outcome(s, HZ_STATUS_OK, NULL);
}

/* ---- the statement --------------------------------------------------------- */

/* SUBMIT's parameters in the order of its row in db/sql/reporting.def;
 * NULL only where the row means "no limit" (the scope root). */
static const char **submit_params(hz_submit_t *s, int validate_only) {
  hz_rpc_t *rpc = s->rpc;
  hz_arena_t *a = hz_rpc_arena(rpc);
  const hz_submit_req_t *r = s->req;
  size_t n = r->n_values;
  const char **codes = hz_arena_alloc(a, (n + 1) * sizeof(char *));
  const char **comments = hz_arena_alloc(a, (n + 1) * sizeof(char *));
  const char **p = hz_arena_alloc(a, 15 * sizeof(char *));
  if (!codes || !comments || !p)
    return NULL;
  for (size_t i = 0; i < n; i++) {
    codes[i] = r->values[i]->indicator_code;
    comments[i] = r->values[i]->comment;
  }
  uint8_t hash[32];
  content_hash(s, hash);
  int start = hz_period_start_date(&s->p);
  const char *row[15] = {
      s->uuid,
      r->region_code,
      s->period,
      hz_pg_int(a, s->p.type),
      hz_arena_printf(a, "%04d-%02d-%02d", start / 10000, start / 100 % 100, start % 100),
      hz_pg_text_array(a, codes, n),
      hz_pg_text_array(a, s->values, n),
      hz_pg_text_array(a, comments, n),
      r->narrative,
      validate_only ? "t" : "f",
      hz_pg_bytea_hex(a, hash, sizeof(hash)),
      hz_pg_int(a, rpc->who.token_id),
      rpc->who.name,
      hz_rpc_scope_param(rpc),
      s->received_at};
  for (int i = 0; i < 15; i++) {
    if (!row[i] && i != 13)
      return NULL;
    p[i] = row[i];
  }
  return p;
}

static void on_submit_result(hz_rpc_t *rpc, const hz_db_result_t *res, void *tag) {
  (void)rpc;
  hz_submit_result(tag, res, 0);
}

void hz_submit_send(hz_submit_t *s) {
  hz_rpc_query(s->rpc, &s->stmt, 1, on_submit_result, s);
}

hz_submit_t *hz_submit_new(hz_rpc_t *rpc, const hz_submit_req_t *req, hz_submit_done_fn done) {
  hz_arena_t *a = hz_rpc_arena(rpc);
  hz_submit_t *s = hz_arena_zalloc(a, sizeof(*s));
  hz_submit_resp_t *o = hz_arena_alloc(a, sizeof(*o));
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

int hz_submit_prepare(hz_submit_t *s) {
  const hz_principal_t *who = &s->rpc->who;
  if (who->role == HZ_ROLE_TOWNSHIP && strcmp(s->req->region_code, who->region) != 0) {
    outcome(s, HZ_STATUS_PERMISSION_DENIED,
            hz_arena_printf(hz_rpc_arena(s->rpc),
                            "this token may submit only for region %s, not %s", who->region,
                            s->req->region_code));
    return 0;
  }
  int fatal = check_request(s);
  /* Past the limit the values are not even looked at: the request is
   * refused whole, and checking them would cost what the limit bounds. */
  int bad = s->req->n_values <= MAX_VALUES ? check_values(s) : 0;
  if (bad >= 0 && fatal) {
    /* No database round trip can help, but every syntax problem is listed. */
    outcome(s, hz_problems_status(&s->problems), hz_problems_summary(&s->problems));
    return 0;
  }
  /* Malformed values still go to hz_submit, validate-only, so that the
   * stored-state problems of the others are listed too. */
  const char **params = bad < 0 ? NULL : submit_params(s, bad > 0 || s->req->dry_run);
  if (!params) {
    hz_rpc_oom(s->rpc);
    return -1;
  }
  s->stmt = (hz_db_stmt_t){.id = HZ_STMT_SUBMIT, .values = params};
  return 1;
}

/* ---- the unary Submit -------------------------------------------------------- */

static void submit_replied(hz_submit_t *s) {
  if (s->code == HZ_STATUS_OK)
    hz_rpc_reply(s->rpc, &s->resp->base);
  else if (s->problems.total > 0)
    hz_problems_refuse(s->rpc, &s->problems);
  else
    hz_rpc_finish(s->rpc, s->code, "%s", s->message ? s->message : "refused");
}

void hz_reporting_submit(hz_rpc_t *rpc, ProtobufCMessage *msg) {
  hz_submit_t *s = hz_submit_new(rpc, (const hz_submit_req_t *)msg, submit_replied);
  if (!s) {
    hz_rpc_oom(rpc);
    return;
  }
  if (hz_submit_prepare(s) > 0)
    hz_submit_send(s);
}
