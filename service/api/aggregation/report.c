/* GetReport: one reporting township's report for one period: its values,
 * narrative, approval, submissions, deadline, open exception, and the
 * standing rule violations of its stored values (errors and warnings with
 * their explanations, the values' comments). */
#include "api/aggregation/aggregation.h"
#include "domain/approval.h"

/* The statements, in the order of their results. */
enum { Q_REGION, Q_VALUES, Q_ROW, Q_SUBMISSIONS, Q_DEADLINE, Q_VIOLATIONS, Q_N };

/* REPORT_VALUES' rows as ReportValues into out. -1: no memory. */
static int report_values(hz_rpc_t *rpc, const PGresult *r, Huizong__V1__Report *out) {
  hz_arena_t *a = hz_rpc_arena(rpc);
  int n = PQntuples(r);
  int c_code = hz_db_col(r, "code"), c_name = hz_db_col(r, "name"), c_unit = hz_db_col(r, "unit");
  int c_type = hz_db_col(r, "period_type"), c_value = hz_db_col(r, "value");
  int c_comment = hz_db_col(r, "comment"), c_sub = hz_db_col(r, "submission_id");
  int c_at = hz_db_col(r, "updated_at"), c_by = hz_db_col(r, "updated_by");
  out->values = hz_arena_alloc(a, (size_t)(n + 1) * sizeof(*out->values));
  if (!out->values)
    return -1;
  for (int i = 0; i < n; i++) {
    Huizong__V1__ReportValue *v = hz_arena_alloc(a, sizeof(*v));
    Huizong__V1__IndicatorRef *ir = hz_arena_alloc(a, sizeof(*ir));
    if (!v || !ir)
      return -1;
    huizong__v1__report_value__init(v);
    huizong__v1__indicator_ref__init(ir);
    ir->code = (char *)hz_rpc_cell(rpc, r, i, c_code);
    ir->name = (char *)hz_rpc_cell(rpc, r, i, c_name);
    ir->unit = (char *)hz_rpc_cell(rpc, r, i, c_unit);
    ir->period_type = hz_rpc_cell_int(r, i, c_type);
    v->indicator = ir;
    v->value = (char *)hz_rpc_cell(rpc, r, i, c_value);
    v->comment = (char *)hz_rpc_cell(rpc, r, i, c_comment);
    v->submission_id = (char *)hz_rpc_cell(rpc, r, i, c_sub);
    v->updated_at = (char *)hz_rpc_cell(rpc, r, i, c_at);
    v->updated_by = (char *)hz_rpc_cell(rpc, r, i, c_by);
    out->values[out->n_values++] = v;
  }
  return 0;
}

/* The approval from REPORT_ROW (none: MISSING); sets out's narrative. */
static Huizong__V1__Approval *report_approval(hz_rpc_t *rpc, const PGresult *rep,
                                              const agg_unit_query_t *uq, const char *code,
                                              Huizong__V1__Report *out) {
  Huizong__V1__Approval *ap = hz_arena_alloc(hz_rpc_arena(rpc), sizeof(*ap));
  if (!ap)
    return NULL;
  huizong__v1__approval__init(ap);
  ap->region_code = (char *)code;
  ap->period = uq->period;
  ap->state = (int)HZ_APPROVAL_MISSING; /* no report row */
  if (PQntuples(rep) != 1)
    return ap;
  out->narrative = (char *)hz_rpc_cell(rpc, rep, 0, hz_db_col(rep, "narrative"));
  ap->last_submitted_at = (char *)hz_rpc_cell(rpc, rep, 0, hz_db_col(rep, "last_submitted_at"));
  ap->approved_by = (char *)hz_rpc_cell(rpc, rep, 0, hz_db_col(rep, "approved_by"));
  ap->approved_at = (char *)hz_rpc_cell(rpc, rep, 0, hz_db_col(rep, "approved_at"));
  ap->comment = (char *)hz_rpc_cell(rpc, rep, 0, hz_db_col(rep, "approval_comment"));
  /* The state as SQL's hz_approval_state derived it (same numbers). */
  ap->state = hz_rpc_cell_int(rep, 0, hz_db_col(rep, "state"));
  return ap;
}

static void on_report(hz_rpc_t *rpc, const hz_db_result_t *res, void *tag) {
  agg_unit_query_t *uq = tag;
  if (hz_rpc_db_failed(rpc, res))
    return;
  int reporting = 0;
  Huizong__V1__RegionRef *region =
      agg_region_checked(rpc, res->results[Q_REGION], uq->region, &reporting);
  if (!region)
    return;
  if (!reporting) {
    hz_rpc_finish(rpc, HZ_STATUS_FAILED_PRECONDITION,
                  "region %s (%s) is not a reporting township; use Rollup for it", region->code,
                  region->name);
    return;
  }
  const PGresult *subs = res->results[Q_SUBMISSIONS], *dl = res->results[Q_DEADLINE];
  int ns = PQntuples(subs), c_id = hz_db_col(subs, "id");
  Huizong__V1__Report out = HUIZONG__V1__REPORT__INIT;
  out.submission_ids = hz_arena_alloc(hz_rpc_arena(rpc), (size_t)(ns + 1) * sizeof(char *));
  out.approval = report_approval(rpc, res->results[Q_ROW], uq, region->code, &out);
  if (!out.submission_ids || !out.approval || report_values(rpc, res->results[Q_VALUES], &out) ||
      agg_violations_load(rpc, res->results[Q_VIOLATIONS], uq->period, &out.violations,
                          &out.n_violations))
    return (void)hz_rpc_oom(rpc);
  for (int i = 0; i < ns; i++)
    out.submission_ids[out.n_submission_ids++] = (char *)hz_rpc_cell(rpc, subs, i, c_id);
  out.region = region;
  out.period = uq->period;
  out.deadline = (char *)hz_rpc_cell(rpc, dl, 0, hz_db_col(dl, "deadline"));
  out.exception_open = hz_rpc_cell_bool(dl, 0, hz_db_col(dl, "exception_open"));
  hz_rpc_reply(rpc, &out.base);
}

void agg_get_report(hz_rpc_t *rpc, ProtobufCMessage *msg) {
  const Huizong__V1__GetReportRequest *req = (const Huizong__V1__GetReportRequest *)msg;
  agg_unit_query_t *uq = agg_unit_query_start(rpc, req->region_code, req->period);
  if (!uq)
    return;
  hz_db_stmt_t q[Q_N] = {
      [Q_REGION] = agg_region_stmt(rpc, uq->region_params, uq->region),
      [Q_VALUES] = {.id = HZ_STMT_REPORT_VALUES, .values = uq->params},
      [Q_ROW] = {.id = HZ_STMT_REPORT_ROW, .values = uq->params},
      [Q_SUBMISSIONS] = {.id = HZ_STMT_REPORT_SUBMISSIONS, .values = uq->params},
      [Q_DEADLINE] = agg_deadline_stmt(rpc, uq),
      [Q_VIOLATIONS] = {.id = HZ_STMT_REPORT_VIOLATIONS, .values = uq->params},
  };
  if (!uq->deadline_params)
    return (void)hz_rpc_oom(rpc);
  hz_rpc_read_query(rpc, q, Q_N, on_report, uq);
}
