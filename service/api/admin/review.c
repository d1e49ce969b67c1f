/* The review workflow of huizong.v1.Admin: approval and reopening of a
 * township's period, approving all submitted at once, submission windows
 * and the future periods they open early, deadline exceptions. The rules
 * and their audit rows live in migrations 004, 010, 013 and 015 (an ERROR
 * rule standing refuses an approval) so each call is one transaction; a
 * refusal comes back as a reason (api/refusal.h) and its statements are
 * db/sql/review.def. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/pgtext.h"
#include "api/refusal.h"
#include "api/rpc.h"
#include "domain/approval.h"
#include "domain/ident.h"
#include "domain/period.h"
#include "huizong/v1/admin.pb-c.h"

#define MAX_NOTE 2000 /* bytes of a comment or reason */

static const unsigned REVIEWERS = HZ_ROLE_BIT(HZ_ROLE_COUNTY) | HZ_ROLE_BIT(HZ_ROLE_ADMIN);

/* Checks region and period; writes the canonical period. 0 or finished. */
static int township_period(hz_rpc_t *rpc, const char *region, const char *period, char *out) {
  hz_period_t p;
  if (hz_region_code_validate(region)) {
    hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "region_code '%s' is malformed", region);
    return -1;
  }
  if (hz_period_parse(period, &p)) {
    hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "period '%s' is not one of %s", period,
                  hz_period_accepted_forms());
    return -1;
  }
  hz_period_format(&p, out);
  return 0;
}

static int note_ok(hz_rpc_t *rpc, const char *field, const char *note) {
  if (strlen(note) <= MAX_NOTE)
    return 1;
  hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "%s exceeds %d bytes", field, MAX_NOTE);
  return 0;
}

/* Where an approval's times are in a SET_APPROVAL or APPROVE_ALL result,
 * found by name once per result. */
typedef struct approval_cols_s {
  int submitted_at, approved_by, approved_at;
} approval_cols_t;

static approval_cols_t approval_cols(const PGresult *r) {
  return (approval_cols_t){hz_db_col(r, "last_submitted_at"), hz_db_col(r, "approved_by"),
                           hz_db_col(r, "approved_at")};
}

/* An Approval of row; state and comment are the caller's. */
static Huizong__V1__Approval *approval_of(hz_rpc_t *rpc, const char *region, const char *period,
                                          const PGresult *r, const approval_cols_t *c, int row) {
  Huizong__V1__Approval *ap = hz_arena_alloc(hz_rpc_arena(rpc), sizeof(*ap));
  if (!ap)
    return NULL;
  huizong__v1__approval__init(ap);
  ap->region_code = (char *)region;
  ap->period = (char *)period;
  ap->last_submitted_at = (char *)hz_rpc_cell(rpc, r, row, c->submitted_at);
  ap->approved_by = (char *)hz_rpc_cell(rpc, r, row, c->approved_by);
  ap->approved_at = (char *)hz_rpc_cell(rpc, r, row, c->approved_at);
  return ap;
}

/* ---- Approve / Reopen ----------------------------------------------------- */

typedef struct approval_call_s {
  const char *region;               /* township, echoed in the reply (the row does not carry it) */
  char *comment;                    /* approver's comment, echoed */
  char period[HZ_PERIOD_TEXT_SIZE]; /* canonical period */
} approval_call_t;

static void on_set_approval(hz_rpc_t *rpc, const hz_db_result_t *res, void *tag) {
  approval_call_t *ac = tag;
  if (hz_rpc_db_failed(rpc, res))
    return;
  const PGresult *r = res->results[0];
  if (hz_rpc_refused_rows(rpc, r, ac->region, ac->period))
    return;
  Huizong__V1__ApprovalResponse out = HUIZONG__V1__APPROVAL_RESPONSE__INIT;
  out.changed = hz_rpc_cell_bool(r, 0, hz_db_col(r, "changed"));
  approval_cols_t cols = approval_cols(r);
  out.approval = approval_of(rpc, ac->region, ac->period, r, &cols, 0);
  if (!out.approval)
    return (void)hz_rpc_oom(rpc);
  /* The state as SQL's hz_approval_state derived it (same numbers). */
  out.approval->state = hz_rpc_cell_int(r, 0, hz_db_col(r, "state"));
  out.approval->comment = (char *)hz_rpc_cell(rpc, r, 0, hz_db_col(r, "comment"));
  hz_rpc_reply(rpc, &out.base);
}

static void set_approval(hz_rpc_t *rpc, const char *region, const char *period, int approve,
                         const char *note) {
  hz_arena_t *a = hz_rpc_arena(rpc);
  approval_call_t *ac = hz_arena_zalloc(a, sizeof(*ac));
  const char **params = hz_arena_alloc(a, 7 * sizeof(char *));
  if (!ac || !params)
    return (void)hz_rpc_oom(rpc);
  if (township_period(rpc, region, period, ac->period) || !note_ok(rpc, "comment", note))
    return;
  ac->region = region;
  params[0] = region;
  params[1] = ac->period;
  params[2] = approve ? "t" : "f";
  params[3] = note;
  params[4] = rpc->who.name;
  params[5] = hz_pg_int(a, rpc->who.token_id);
  params[6] = hz_rpc_scope_param(rpc);
  hz_db_stmt_t q = {.id = HZ_STMT_SET_APPROVAL, .values = params};
  hz_rpc_query(rpc, &q, 1, on_set_approval, ac);
}

static void approve(hz_rpc_t *rpc, ProtobufCMessage *msg) {
  const Huizong__V1__ApproveRequest *req = (const Huizong__V1__ApproveRequest *)msg;
  set_approval(rpc, req->region_code, req->period, 1, req->comment);
}

static void reopen(hz_rpc_t *rpc, ProtobufCMessage *msg) {
  const Huizong__V1__ReopenRequest *req = (const Huizong__V1__ReopenRequest *)msg;
  set_approval(rpc, req->region_code, req->period, 0, req->reason);
}

/* ---- ApproveAllSubmitted ----------------------------------------------------- */

/* A 'blocked' row of APPROVE_ALL as a RULE_ERROR problem, as Approve
 * would refuse it (key region/indicator/period). NULL: no memory. */
static Huizong__V1__Problem *blocked_problem(hz_rpc_t *rpc, const PGresult *r, int row,
                                             const char *code, const char *period) {
  hz_arena_t *a = hz_rpc_arena(rpc);
  Huizong__V1__Problem *pr = hz_arena_alloc(a, sizeof(*pr));
  if (!pr)
    return NULL;
  huizong__v1__problem__init(pr);
  pr->index = -1;
  pr->kind = HUIZONG__V1__PROBLEM_KIND__PROBLEM_KIND_RULE_ERROR;
  pr->field = "value";
  pr->indicator_code = (char *)hz_rpc_cell(rpc, r, row, hz_db_col(r, "indicator_code"));
  pr->rule_code = (char *)hz_rpc_cell(rpc, r, row, hz_db_col(r, "rule_code"));
  pr->reason = (char *)hz_rpc_cell(rpc, r, row, hz_db_col(r, "message"));
  pr->key =
      hz_arena_printf(a, "%s/%s/%s", code, pr->indicator_code ? pr->indicator_code : "", period);
  return pr->key ? pr : NULL;
}

static void on_approve_all(hz_rpc_t *rpc, const hz_db_result_t *res, void *tag) {
  approval_call_t *ac = tag;
  if (hz_rpc_db_failed(rpc, res))
    return;
  const PGresult *r = res->results[0];
  int rows = PQntuples(r);
  if (rows == 1 && hz_rpc_refused(rpc, r, 0))
    return;
  int kind_col = hz_db_col(r, "kind"), region_col = hz_db_col(r, "region_code");
  approval_cols_t cols = approval_cols(r);
  hz_arena_t *a = hz_rpc_arena(rpc);
  Huizong__V1__ApproveAllSubmittedResponse out = HUIZONG__V1__APPROVE_ALL_SUBMITTED_RESPONSE__INIT;
  out.approved = hz_arena_alloc(a, (size_t)(rows + 1) * sizeof(*out.approved));
  out.missing_region_codes = hz_arena_alloc(a, (size_t)(rows + 1) * sizeof(char *));
  out.blocked = hz_arena_alloc(a, (size_t)(rows + 1) * sizeof(*out.blocked));
  if (!out.approved || !out.missing_region_codes || !out.blocked)
    return (void)hz_rpc_oom(rpc);
  for (int i = 0; i < rows; i++) {
    const char *kind = PQgetvalue(r, i, kind_col);
    const char *code = hz_rpc_cell(rpc, r, i, region_col);
    if (!strcmp(kind, "already")) {
      out.already_approved_count++;
    } else if (!strcmp(kind, "missing")) {
      out.missing_region_codes[out.n_missing_region_codes++] = (char *)code;
    } else if (!strcmp(kind, "blocked")) {
      if (!(out.blocked[out.n_blocked++] = blocked_problem(rpc, r, i, code, ac->period)))
        return (void)hz_rpc_oom(rpc);
    } else {
      Huizong__V1__Approval *ap = approval_of(rpc, code, ac->period, r, &cols, i);
      if (!ap)
        return (void)hz_rpc_oom(rpc);
      ap->state = (int)hz_approval_state(1, 1); /* kind 'approved': just approved */
      ap->comment = ac->comment;
      out.approved[out.n_approved++] = ap;
    }
  }
  hz_rpc_reply(rpc, &out.base);
}

static void approve_all(hz_rpc_t *rpc, ProtobufCMessage *msg) {
  const Huizong__V1__ApproveAllSubmittedRequest *req =
      (const Huizong__V1__ApproveAllSubmittedRequest *)msg;
  hz_arena_t *a = hz_rpc_arena(rpc);
  approval_call_t *ac = hz_arena_zalloc(a, sizeof(*ac));
  const char **params = hz_arena_alloc(a, 6 * sizeof(char *));
  if (!ac || !params)
    return (void)hz_rpc_oom(rpc);
  if (township_period(rpc, req->region_code, req->period, ac->period) ||
      !note_ok(rpc, "comment", req->comment))
    return;
  ac->comment = req->comment;
  params[0] = req->region_code;
  params[1] = ac->period;
  params[2] = req->comment;
  params[3] = rpc->who.name;
  params[4] = hz_pg_int(a, rpc->who.token_id);
  params[5] = hz_rpc_scope_param(rpc);
  hz_db_stmt_t q = {.id = HZ_STMT_APPROVE_ALL, .values = params};
  hz_rpc_query(rpc, &q, 1, on_approve_all, ac);
}

/* ---- submission windows --------------------------------------------------------- */

/* Where a window's fields are in a LIST_WINDOWS or GET_WINDOW result. */
typedef struct window_cols_s {
  int period_type, days_after_end, updated_at, updated_by, open_future_periods;
} window_cols_t;

static window_cols_t window_cols(const PGresult *r) {
  return (window_cols_t){hz_db_col(r, "period_type"), hz_db_col(r, "days_after_end"),
                         hz_db_col(r, "updated_at"), hz_db_col(r, "updated_by"),
                         hz_db_col(r, "open_future_periods")};
}

static Huizong__V1__SubmissionWindow *window_of(hz_rpc_t *rpc, const PGresult *r,
                                                const window_cols_t *c, int row) {
  Huizong__V1__SubmissionWindow *w = hz_arena_alloc(hz_rpc_arena(rpc), sizeof(*w));
  if (!w)
    return NULL;
  huizong__v1__submission_window__init(w);
  w->period_type = hz_rpc_cell_int(r, row, c->period_type);
  w->days_after_end = hz_rpc_cell_int(r, row, c->days_after_end);
  w->updated_at = (char *)hz_rpc_cell(rpc, r, row, c->updated_at);
  w->updated_by = (char *)hz_rpc_cell(rpc, r, row, c->updated_by);
  w->open_future_periods = hz_rpc_cell_int(r, row, c->open_future_periods);
  return w;
}

static void on_list_windows(hz_rpc_t *rpc, const hz_db_result_t *res, void *tag) {
  (void)tag;
  if (hz_rpc_db_failed(rpc, res))
    return;
  const PGresult *r = res->results[0];
  Huizong__V1__ListSubmissionWindowsResponse out =
      HUIZONG__V1__LIST_SUBMISSION_WINDOWS_RESPONSE__INIT;
  out.windows = hz_arena_alloc(hz_rpc_arena(rpc), (size_t)(PQntuples(r) + 1) * sizeof(void *));
  if (!out.windows)
    return (void)hz_rpc_oom(rpc);
  window_cols_t cols = window_cols(r);
  for (int i = 0; i < PQntuples(r); i++)
    if (!(out.windows[out.n_windows++] = window_of(rpc, r, &cols, i)))
      return (void)hz_rpc_oom(rpc);
  hz_rpc_reply(rpc, &out.base);
}

static void list_windows(hz_rpc_t *rpc, ProtobufCMessage *msg) {
  (void)msg;
  hz_db_stmt_t q = {.id = HZ_STMT_LIST_WINDOWS};
  hz_rpc_query(rpc, &q, 1, on_list_windows, NULL);
}

static void on_set_window(hz_rpc_t *rpc, const hz_db_result_t *res, void *tag) {
  (void)tag;
  if (hz_rpc_db_failed(rpc, res))
    return;
  window_cols_t cols = window_cols(res->results[1]);
  Huizong__V1__SubmissionWindow *w = window_of(rpc, res->results[1], &cols, 0);
  if (!w)
    return (void)hz_rpc_oom(rpc);
  hz_rpc_reply(rpc, &w->base);
}

static void set_window(hz_rpc_t *rpc, ProtobufCMessage *msg) {
  const Huizong__V1__SetSubmissionWindowRequest *req =
      (const Huizong__V1__SetSubmissionWindowRequest *)msg;
  hz_arena_t *a = hz_rpc_arena(rpc);
  if (!hz_period_type_valid(req->period_type)) {
    hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT,
                  "period_type must be YEAR, HALF_YEAR, "
                  "QUARTER or MONTH");
    return;
  }
  if (req->days_after_end < 0 || req->days_after_end > 3660) {
    hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "days_after_end must be 0..3660, not %d",
                  req->days_after_end);
    return;
  }
  const char **params = hz_arena_alloc(a, 4 * sizeof(char *));
  if (!params)
    return (void)hz_rpc_oom(rpc);
  params[0] = hz_pg_int(a, req->period_type);
  params[1] = hz_pg_int(a, req->days_after_end);
  params[2] = rpc->who.name;
  params[3] = hz_pg_int(a, rpc->who.token_id);
  hz_db_stmt_t q[2] = {
      {.id = HZ_STMT_SET_WINDOW, .values = params},
      {.id = HZ_STMT_GET_WINDOW, .values = params},
  };
  hz_rpc_query(rpc, q, 2, on_set_window, NULL);
  /* The second statement reads the first one's write: same transaction. */
}

/* DHIS2's "open future periods": how many periods after the current one
 * (China Standard Time) a township may submit for. The rule itself is
 * hz_submit_gate's (migration 013); this only stores the number. Why 12 at
 * most: a year of months ahead covers every planning need the offices
 * have, and a typo cannot open the next century. */
#define MAX_OPEN_FUTURE 12

static void set_open_future(hz_rpc_t *rpc, ProtobufCMessage *msg) {
  const Huizong__V1__SetOpenFuturePeriodsRequest *req =
      (const Huizong__V1__SetOpenFuturePeriodsRequest *)msg;
  hz_arena_t *a = hz_rpc_arena(rpc);
  if (!hz_period_type_valid(req->period_type)) {
    hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT,
                  "period_type must be YEAR, HALF_YEAR, QUARTER or MONTH");
    return;
  }
  if (req->count < 0 || req->count > MAX_OPEN_FUTURE) {
    hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT,
                  "count must be 0..%d periods after the current one, not %d", MAX_OPEN_FUTURE,
                  req->count);
    return;
  }
  const char **params = hz_arena_alloc(a, 4 * sizeof(char *));
  if (!params)
    return (void)hz_rpc_oom(rpc);
  params[0] = hz_pg_int(a, req->period_type);
  params[1] = hz_pg_int(a, req->count);
  params[2] = rpc->who.name;
  params[3] = hz_pg_int(a, rpc->who.token_id);
  hz_db_stmt_t q[2] = {
      {.id = HZ_STMT_SET_OPEN_FUTURE, .values = params},
      {.id = HZ_STMT_GET_WINDOW, .values = params},
  };
  hz_rpc_query(rpc, q, 2, on_set_window, NULL);
}

/* ---- deadline exceptions ----------------------------------------------------------- */

/* Where an exception's fields are in a REOPEN_PERIOD or LIST_EXCEPTIONS
 * result (the latter adds id, the page key's tie-breaker). */
typedef struct exception_cols_s {
  int region_code, period, reason, granted_by, granted_at, expires_at;
} exception_cols_t;

static exception_cols_t exception_cols(const PGresult *r) {
  return (exception_cols_t){hz_db_col(r, "region_code"), hz_db_col(r, "period"),
                            hz_db_col(r, "reason"),      hz_db_col(r, "granted_by"),
                            hz_db_col(r, "granted_at"),  hz_db_col(r, "expires_at")};
}

static Huizong__V1__PeriodException *exception_of(hz_rpc_t *rpc, const PGresult *r,
                                                  const exception_cols_t *c, int row) {
  Huizong__V1__PeriodException *e = hz_arena_alloc(hz_rpc_arena(rpc), sizeof(*e));
  if (!e)
    return NULL;
  huizong__v1__period_exception__init(e);
  e->region_code = (char *)hz_rpc_cell(rpc, r, row, c->region_code);
  e->period = (char *)hz_rpc_cell(rpc, r, row, c->period);
  e->reason = (char *)hz_rpc_cell(rpc, r, row, c->reason);
  e->granted_by = (char *)hz_rpc_cell(rpc, r, row, c->granted_by);
  e->granted_at = (char *)hz_rpc_cell(rpc, r, row, c->granted_at);
  e->expires_at = (char *)hz_rpc_cell(rpc, r, row, c->expires_at);
  return e;
}

static void on_reopen_period(hz_rpc_t *rpc, const hz_db_result_t *res, void *tag) {
  (void)tag;
  if (!res->ok) {
    if (!strncmp(res->sqlstate, "22", 2))
      hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "malformed expires_at");
    else
      hz_rpc_fail_db(rpc, res);
    return;
  }
  const PGresult *check = res->results[0];
  if (PQntuples(check) > 0 && hz_rpc_refused(rpc, check, 0))
    return;
  exception_cols_t cols = exception_cols(res->results[1]);
  Huizong__V1__PeriodException *e = exception_of(rpc, res->results[1], &cols, 0);
  if (!e)
    return (void)hz_rpc_oom(rpc);
  hz_rpc_reply(rpc, &e->base);
}

static void reopen_period(hz_rpc_t *rpc, ProtobufCMessage *msg) {
  const Huizong__V1__ReopenPeriodRequest *req = (const Huizong__V1__ReopenPeriodRequest *)msg;
  hz_arena_t *a = hz_rpc_arena(rpc);
  char *period = hz_arena_alloc(a, HZ_PERIOD_TEXT_SIZE);
  const char **params = hz_arena_alloc(a, 6 * sizeof(char *));
  if (!period || !params)
    return (void)hz_rpc_oom(rpc);
  if (township_period(rpc, req->region_code, req->period, period) ||
      !note_ok(rpc, "reason", req->reason))
    return;
  if (!req->reason[0]) {
    hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "reason is required for a deadline exception");
    return;
  }
  if (!hz_pg_timestamp_ok(req->expires_at)) {
    hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "expires_at '%s' is not an RFC 3339 timestamp",
                  req->expires_at);
    return;
  }
  params[0] = req->region_code;
  params[1] = period;
  params[2] = req->reason;
  params[3] = rpc->who.name;
  params[4] = req->expires_at[0] ? req->expires_at : NULL;
  params[5] = hz_pg_int(a, rpc->who.token_id);
  /* The insert is guarded by the check, so a refused call writes nothing. */
  hz_db_stmt_t q[2] = {
      {.id = HZ_STMT_REOPEN_CHECK, .values = params},
      {.id = HZ_STMT_REOPEN_PERIOD, .values = params},
  };
  hz_rpc_query(rpc, q, 2, on_reopen_period, NULL);
}

typedef struct list_exc_s {
  int page_size;    /* rows shown; one more is fetched to tell whether a page follows */
  const char *root; /* region filter, checked */
  int checked;      /* first statement is the scope check */
} list_exc_t;

static void on_list_exceptions(hz_rpc_t *rpc, const hz_db_result_t *res, void *tag) {
  list_exc_t *le = tag;
  if (hz_rpc_db_failed(rpc, res))
    return;
  if (le->checked && hz_rpc_scope_verdict(rpc, res->results[0], "region_code", le->root))
    return;
  const PGresult *r = res->results[res->nresults - 1];
  int rows = PQntuples(r), shown = rows > le->page_size ? le->page_size : rows;
  Huizong__V1__ListPeriodExceptionsResponse out =
      HUIZONG__V1__LIST_PERIOD_EXCEPTIONS_RESPONSE__INIT;
  out.exceptions = hz_arena_alloc(hz_rpc_arena(rpc), (size_t)(rows + 1) * sizeof(void *));
  if (!out.exceptions)
    return (void)hz_rpc_oom(rpc);
  exception_cols_t cols = exception_cols(r);
  for (int i = 0; i < shown; i++)
    if (!(out.exceptions[out.n_exceptions++] = exception_of(rpc, r, &cols, i)))
      return (void)hz_rpc_oom(rpc);
  if (rows > shown)
    out.next_page_token =
        hz_page_token_encode(hz_rpc_arena(rpc), PQgetvalue(r, shown - 1, cols.granted_at),
                             PQgetvalue(r, shown - 1, hz_db_col(r, "id")));
  hz_rpc_reply(rpc, &out.base);
}

static void list_exceptions(hz_rpc_t *rpc, ProtobufCMessage *msg) {
  const Huizong__V1__ListPeriodExceptionsRequest *req =
      (const Huizong__V1__ListPeriodExceptionsRequest *)msg;
  hz_arena_t *a = hz_rpc_arena(rpc);
  list_exc_t *le = hz_arena_zalloc(a, sizeof(*le));
  const char **check = hz_arena_alloc(a, 2 * sizeof(char *));
  const char **params = hz_arena_zalloc(a, 5 * sizeof(char *));
  if (!le || !check || !params)
    return (void)hz_rpc_oom(rpc);
  if ((le->page_size =
           hz_rpc_page_size(rpc, req->page_size, HZ_RPC_PAGE_DEFAULT, HZ_RPC_PAGE_MAX)) < 0)
    return;
  hz_period_t p;
  if (req->period[0] && hz_period_parse(req->period, &p)) {
    hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "period '%s' is not one of %s", req->period,
                  hz_period_accepted_forms());
    return;
  }
  const char *after_ts = NULL, *after_id = NULL;
  if (req->page_token[0] && hz_page_token_decode(a, req->page_token, &after_ts, &after_id)) {
    hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "malformed page_token");
    return;
  }
  le->root = req->region_code[0] ? req->region_code : hz_rpc_scope_param(rpc);
  params[0] = le->root;
  params[1] = req->period[0] ? req->period : NULL;
  params[2] = after_ts;
  params[3] = after_id;
  params[4] = hz_pg_int(a, le->page_size + 1);
  hz_db_stmt_t q[2];
  int n = 0;
  if (req->region_code[0]) {
    le->checked = 1;
    q[n++] = hz_rpc_scope_stmt(rpc, check, req->region_code);
  }
  q[n++] = (hz_db_stmt_t){.id = HZ_STMT_LIST_EXCEPTIONS, .values = params};
  hz_rpc_query(rpc, q, n, on_list_exceptions, le);
}

/* ---- registration ------------------------------------------------------------------- */

static const hz_rpc_def_t review_methods[] = {
    {"/huizong.v1.Admin/Approve", HZ_RPC_UNARY, &huizong__v1__approve_request__descriptor,
     REVIEWERS, approve, NULL, NULL},
    {"/huizong.v1.Admin/Reopen", HZ_RPC_UNARY, &huizong__v1__reopen_request__descriptor, REVIEWERS,
     reopen, NULL, NULL},
    {"/huizong.v1.Admin/ApproveAllSubmitted", HZ_RPC_UNARY,
     &huizong__v1__approve_all_submitted_request__descriptor, REVIEWERS, approve_all, NULL, NULL},
    {"/huizong.v1.Admin/ListSubmissionWindows", HZ_RPC_UNARY,
     &huizong__v1__list_submission_windows_request__descriptor, HZ_ROLES_ALL, list_windows, NULL,
     NULL},
    {"/huizong.v1.Admin/SetSubmissionWindow", HZ_RPC_UNARY,
     &huizong__v1__set_submission_window_request__descriptor, HZ_ROLE_BIT(HZ_ROLE_ADMIN),
     set_window, NULL, NULL},
    {"/huizong.v1.Admin/SetOpenFuturePeriods", HZ_RPC_UNARY,
     &huizong__v1__set_open_future_periods_request__descriptor, HZ_ROLE_BIT(HZ_ROLE_ADMIN),
     set_open_future, NULL, NULL},
    {"/huizong.v1.Admin/ReopenPeriod", HZ_RPC_UNARY,
     &huizong__v1__reopen_period_request__descriptor, HZ_ROLE_BIT(HZ_ROLE_ADMIN), reopen_period,
     NULL, NULL},
    {"/huizong.v1.Admin/ListPeriodExceptions", HZ_RPC_UNARY,
     &huizong__v1__list_period_exceptions_request__descriptor, REVIEWERS, list_exceptions, NULL,
     NULL},
};

int hz_review_register(hz_app_t *app) {
  return hz_rpc_register(app, review_methods, sizeof(review_methods) / sizeof(review_methods[0]));
}
