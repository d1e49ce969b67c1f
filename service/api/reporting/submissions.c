/* GetSubmission and ListSubmissions: stored submissions read back
 * (statements GET_SUBMISSION and LIST_SUBMISSIONS), within the caller's
 * scope. Both show a submission the same way (submission_from_row). */
#include <string.h>

#include "api/pgtext.h"
#include "api/reporting/reporting.h"
#include "domain/ident.h"

/* Where the submission record's columns (HZ_SQL_SUBMISSION_COLUMNS in
 * db/sql/reporting.def) are in one result, found by name once. */
typedef struct submission_cols_s {
  int id, region_code, region_name, region_level, period;
  int imported, updated, unchanged, narrative, submitted_by;
  int received_at, committed_at, value_count;
} submission_cols_t;

static void submission_cols(const PGresult *r, submission_cols_t *c) {
  *c = (submission_cols_t){
      .id = hz_db_col(r, "submission_id"),
      .region_code = hz_db_col(r, "region_code"),
      .region_name = hz_db_col(r, "region_name"),
      .region_level = hz_db_col(r, "region_level"),
      .period = hz_db_col(r, "period"),
      .imported = hz_db_col(r, "imported"),
      .updated = hz_db_col(r, "updated"),
      .unchanged = hz_db_col(r, "unchanged"),
      .narrative = hz_db_col(r, "narrative"),
      .submitted_by = hz_db_col(r, "submitted_by"),
      .received_at = hz_db_col(r, "received_at"),
      .committed_at = hz_db_col(r, "committed_at"),
      .value_count = hz_db_col(r, "value_count"),
  };
}

static Huizong__V1__Submission *submission_from_row(hz_rpc_t *rpc, const PGresult *r, int row,
                                                    const submission_cols_t *c) {
  hz_arena_t *a = hz_rpc_arena(rpc);
  Huizong__V1__Submission *s = hz_arena_alloc(a, sizeof(*s));
  Huizong__V1__RegionRef *reg = hz_arena_alloc(a, sizeof(*reg));
  if (!s || !reg)
    return NULL;
  huizong__v1__submission__init(s);
  huizong__v1__region_ref__init(reg);
  s->submission_id = (char *)hz_rpc_cell(rpc, r, row, c->id);
  reg->code = (char *)hz_rpc_cell(rpc, r, row, c->region_code);
  reg->name = (char *)hz_rpc_cell(rpc, r, row, c->region_name);
  reg->level = hz_rpc_cell_int(r, row, c->region_level);
  s->region = reg;
  s->period = (char *)hz_rpc_cell(rpc, r, row, c->period);
  /* Only stored submissions have a record: a dry run or a refusal
   * leaves none. */
  s->status = HUIZONG__V1__SUBMISSION_STATUS__SUBMISSION_STATUS_ACCEPTED;
  s->imported = hz_rpc_cell_int(r, row, c->imported);
  s->updated = hz_rpc_cell_int(r, row, c->updated);
  s->unchanged = hz_rpc_cell_int(r, row, c->unchanged);
  s->narrative = (char *)hz_rpc_cell(rpc, r, row, c->narrative);
  s->submitted_by = (char *)hz_rpc_cell(rpc, r, row, c->submitted_by);
  s->received_at = (char *)hz_rpc_cell(rpc, r, row, c->received_at);
  s->committed_at = (char *)hz_rpc_cell(rpc, r, row, c->committed_at);
  s->value_count = hz_rpc_cell_int(r, row, c->value_count);
  return s;
}

/* ---- GetSubmission ---------------------------------------------------------- */

/* The submission's values, one per row in submission order; a submission
 * with none has one row whose indicator_code is NULL. Returns 0 or -1
 * after finishing the call (out of memory). */
static int read_values(hz_rpc_t *rpc, const PGresult *r, Huizong__V1__Submission *s) {
  int rows = PQntuples(r);
  int code = hz_db_col(r, "indicator_code"), value = hz_db_col(r, "value"),
      comment = hz_db_col(r, "comment");
  hz_arena_t *a = hz_rpc_arena(rpc);
  Huizong__V1__IndicatorValue **vals = hz_arena_alloc(a, (size_t)(rows + 1) * sizeof(*vals));
  if (!vals)
    return hz_rpc_oom(rpc), -1;
  size_t n = 0;
  for (int row = 0; row < rows; row++) {
    if (hz_rpc_cell_null(r, row, code))
      continue;
    Huizong__V1__IndicatorValue *v = hz_arena_alloc(a, sizeof(*v));
    if (!v)
      return hz_rpc_oom(rpc), -1;
    huizong__v1__indicator_value__init(v);
    v->indicator_code = (char *)hz_rpc_cell(rpc, r, row, code);
    v->value = (char *)hz_rpc_cell(rpc, r, row, value);
    v->comment = (char *)hz_rpc_cell(rpc, r, row, comment);
    vals[n++] = v;
  }
  s->values = vals;
  s->n_values = n;
  return 0;
}

static void on_get_submission(hz_rpc_t *rpc, const hz_db_result_t *res, void *tag) {
  const char *id = tag;
  if (hz_rpc_db_failed(rpc, res))
    return;
  const PGresult *r = res->results[0];
  if (PQntuples(r) == 0) {
    hz_rpc_finish(rpc, HZ_STATUS_NOT_FOUND, "submission %s not found", id);
    return;
  }
  submission_cols_t c;
  submission_cols(r, &c);
  if (!hz_rpc_cell_bool(r, 0, hz_db_col(r, "in_scope"))) {
    hz_rpc_finish(rpc, HZ_STATUS_PERMISSION_DENIED,
                  "submission %s belongs to region %s, outside this token's scope", id,
                  hz_rpc_cell(rpc, r, 0, c.region_code));
    return;
  }
  Huizong__V1__Submission *s = submission_from_row(rpc, r, 0, &c);
  if (!s) {
    hz_rpc_oom(rpc);
    return;
  }
  if (read_values(rpc, r, s) < 0)
    return;
  hz_rpc_reply(rpc, &s->base);
}

void hz_reporting_get_submission(hz_rpc_t *rpc, ProtobufCMessage *msg) {
  const Huizong__V1__GetSubmissionRequest *req = (const Huizong__V1__GetSubmissionRequest *)msg;
  hz_arena_t *a = hz_rpc_arena(rpc);
  char *id = hz_arena_alloc(a, HZ_WIRE_UUID_TEXT_SIZE);
  const char **params = hz_arena_alloc(a, 2 * sizeof(char *));
  if (!id || !params) {
    hz_rpc_oom(rpc);
    return;
  }
  if (hz_wire_uuid_normalize(req->submission_id, id) != 0) {
    hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "submission_id '%s' is not a UUID",
                  req->submission_id);
    return;
  }
  params[0] = id;
  params[1] = hz_rpc_scope_param(rpc);
  hz_db_stmt_t q = {.id = HZ_STMT_GET_SUBMISSION, .values = params};
  hz_rpc_query(rpc, &q, 1, on_get_submission, id);
}

/* ---- ListSubmissions -------------------------------------------------------- */

/* What on_list needs of the request (in the call's arena). */
typedef struct list_state_s {
  int page_size;    /* rows shown; one more is asked for to learn whether
                       a next page exists */
  int checked_root; /* the job starts with the scope check of root, whose
                       verdict is read before the list */
  const char *root; /* the region filter, or the caller's scope root */
} list_state_t;

static void on_list(hz_rpc_t *rpc, const hz_db_result_t *res, void *tag) {
  list_state_t *ls = tag;
  if (hz_rpc_filter_failed(rpc, res))
    return;
  if (ls->checked_root && hz_rpc_scope_verdict(rpc, res->results[0], "region_code", ls->root))
    return;
  const PGresult *r = res->results[res->nresults - 1];
  int rows = PQntuples(r);
  Huizong__V1__ListSubmissionsResponse out = HUIZONG__V1__LIST_SUBMISSIONS_RESPONSE__INIT;
  out.submissions = hz_arena_alloc(hz_rpc_arena(rpc), (size_t)(rows + 1) * sizeof(void *));
  if (!out.submissions) {
    hz_rpc_oom(rpc);
    return;
  }
  submission_cols_t c;
  submission_cols(r, &c);
  int shown = rows > ls->page_size ? ls->page_size : rows;
  for (int row = 0; row < shown; row++) {
    if (!(out.submissions[row] = submission_from_row(rpc, r, row, &c))) {
      hz_rpc_oom(rpc);
      return;
    }
  }
  out.n_submissions = (size_t)shown;
  if (rows > ls->page_size)
    out.next_page_token =
        hz_page_token_encode(hz_rpc_arena(rpc), hz_rpc_cell(rpc, r, shown - 1, c.received_at),
                             hz_rpc_cell(rpc, r, shown - 1, c.id));
  hz_rpc_reply(rpc, &out.base);
}

/* The filters' syntax, and the page token decoded into *after_ts and
 * *after_id. Returns 0, or -1 after finishing the call. */
static int list_validate(hz_rpc_t *rpc, const Huizong__V1__ListSubmissionsRequest *req,
                         const char **after_ts, const char **after_id) {
  hz_period_t p;
  if (req->period[0] && hz_period_parse(req->period, &p))
    return hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "period '%s' is not one of %s",
                         req->period, hz_period_accepted_forms()),
           -1;
  if (!hz_pg_timestamp_ok(req->received_after) || !hz_pg_timestamp_ok(req->received_before))
    return hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT,
                         "received_after/received_before must be RFC 3339 timestamps"),
           -1;
  /* The token's id goes to SQL as a uuid: a forged one is refused here
   * rather than as a database error. */
  if (req->page_token[0] &&
      (hz_page_token_decode(hz_rpc_arena(rpc), req->page_token, after_ts, after_id) ||
       hz_wire_uuid_check(*after_id) != 0))
    return hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "malformed page_token"), -1;
  if (req->region_code[0] && hz_region_code_validate(req->region_code))
    return hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "region_code '%s' is malformed",
                         req->region_code),
           -1;
  return 0;
}

/* An empty filter is no filter: SQL NULL. */
static const char *or_null(const char *s) {
  return s[0] ? s : NULL;
}

void hz_reporting_list_submissions(hz_rpc_t *rpc, ProtobufCMessage *msg) {
  const Huizong__V1__ListSubmissionsRequest *req = (const Huizong__V1__ListSubmissionsRequest *)msg;
  hz_arena_t *a = hz_rpc_arena(rpc);
  list_state_t *ls = hz_arena_zalloc(a, sizeof(*ls));
  const char **params = hz_arena_zalloc(a, 8 * sizeof(char *));
  const char **check = hz_arena_zalloc(a, 2 * sizeof(char *));
  if (!ls || !params || !check) {
    hz_rpc_oom(rpc);
    return;
  }
  if ((ls->page_size =
           hz_rpc_page_size(rpc, req->page_size, HZ_RPC_PAGE_DEFAULT, HZ_RPC_PAGE_MAX)) < 0)
    return;
  const char *after_ts = NULL, *after_id = NULL;
  if (list_validate(rpc, req, &after_ts, &after_id) < 0)
    return;
  ls->root = req->region_code[0] ? req->region_code : hz_rpc_scope_param(rpc);
  const char *row[8] = {ls->root,
                        or_null(req->period),
                        or_null(req->submitted_by),
                        or_null(req->received_after),
                        or_null(req->received_before),
                        after_ts,
                        after_id,
                        hz_pg_int(a, ls->page_size + 1)};
  if (!row[7]) {
    hz_rpc_oom(rpc);
    return;
  }
  memcpy(params, row, sizeof(row));
  hz_db_stmt_t q[2];
  int n = 0;
  /* A named region must exist and lie in the caller's scope; without
   * one, the scope root itself limits the list. */
  if (req->region_code[0]) {
    ls->checked_root = 1;
    q[n++] = hz_rpc_scope_stmt(rpc, check, req->region_code);
  }
  q[n++] = (hz_db_stmt_t){.id = HZ_STMT_LIST_SUBMISSIONS, .values = params};
  hz_rpc_query(rpc, q, n, on_list, ls);
}
