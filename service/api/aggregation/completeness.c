/* Completeness: who under a region has reported a period (报送), who was
 * approved, and the period's deadline (及时). */
#include "api/aggregation/aggregation.h"
#include "domain/approval.h"

/* The statements, in the order of their results. */
enum { Q_REGION, Q_UNITS, Q_DEADLINE, Q_N };

/* Where AGG_COMPLETENESS' columns are, found once per result. */
typedef struct unit_cols_s {
  agg_region_cols_t region;
  int state, submitted_at, submission_id, submitted_by, value_count, approved_by, approved_at,
      exception_open;
} unit_cols_t;

static unit_cols_t unit_cols(const PGresult *r) {
  return (unit_cols_t){
      .region = agg_region_cols(r),
      .state = hz_db_col(r, "state"),
      .submitted_at = hz_db_col(r, "last_submitted_at"),
      .submission_id = hz_db_col(r, "last_submission_id"),
      .submitted_by = hz_db_col(r, "submitted_by"),
      .value_count = hz_db_col(r, "value_count"),
      .approved_by = hz_db_col(r, "approved_by"),
      .approved_at = hz_db_col(r, "approved_at"),
      .exception_open = hz_db_col(r, "exception_open"),
  };
}

/* One unit's status; counts it into out. NULL: no memory. */
static Huizong__V1__UnitStatus *unit_status(hz_rpc_t *rpc, const PGresult *r, int i,
                                            const unit_cols_t *c,
                                            Huizong__V1__CompletenessResponse *out) {
  Huizong__V1__UnitStatus *u = hz_arena_alloc(hz_rpc_arena(rpc), sizeof(*u));
  Huizong__V1__RegionRef *ref = agg_region_ref(rpc, r, i, &c->region);
  if (!u || !ref)
    return NULL;
  huizong__v1__unit_status__init(u);
  u->region = ref;
  u->last_submitted_at = (char *)hz_rpc_cell(rpc, r, i, c->submitted_at);
  u->last_submission_id = (char *)hz_rpc_cell(rpc, r, i, c->submission_id);
  u->last_submitted_by = (char *)hz_rpc_cell(rpc, r, i, c->submitted_by);
  u->value_count = hz_rpc_cell_int(r, i, c->value_count);
  u->approved_by = (char *)hz_rpc_cell(rpc, r, i, c->approved_by);
  u->approved_at = (char *)hz_rpc_cell(rpc, r, i, c->approved_at);
  u->exception_open = hz_rpc_cell_bool(r, i, c->exception_open);
  /* The state as SQL's hz_approval_state derived it (domain/approval.h
   * names the same numbers); APPROVED counts as reported too. */
  u->state = hz_rpc_cell_int(r, i, c->state);
  switch (u->state) {
  case HZ_APPROVAL_APPROVED:
    out->approved_count++;
    out->reported_count++;
    break;
  case HZ_APPROVAL_SUBMITTED: out->reported_count++; break;
  default:
    out->missing_region_codes[out->n_missing_region_codes++] = ref->code;
    out->missing_count++;
    break;
  }
  return u;
}

static void on_completeness(hz_rpc_t *rpc, const hz_db_result_t *res, void *tag) {
  agg_unit_query_t *uq = tag;
  if (hz_rpc_db_failed(rpc, res))
    return;
  Huizong__V1__RegionRef *region =
      agg_region_checked(rpc, res->results[Q_REGION], uq->region, NULL);
  if (!region)
    return;
  const PGresult *r = res->results[Q_UNITS], *dl = res->results[Q_DEADLINE];
  int rows = PQntuples(r);
  hz_arena_t *a = hz_rpc_arena(rpc);
  Huizong__V1__CompletenessResponse out = HUIZONG__V1__COMPLETENESS_RESPONSE__INIT;
  out.units = hz_arena_alloc(a, (size_t)(rows + 1) * sizeof(*out.units));
  out.missing_region_codes = hz_arena_alloc(a, (size_t)(rows + 1) * sizeof(char *));
  if (!out.units || !out.missing_region_codes)
    return (void)hz_rpc_oom(rpc);
  const unit_cols_t cols = unit_cols(r);
  for (int i = 0; i < rows; i++) {
    Huizong__V1__UnitStatus *u = unit_status(rpc, r, i, &cols, &out);
    if (!u)
      return (void)hz_rpc_oom(rpc);
    out.units[out.n_units++] = u;
  }
  out.region = region;
  out.period = uq->period;
  out.expected_count = rows;
  out.deadline = (char *)hz_rpc_cell(rpc, dl, 0, hz_db_col(dl, "deadline"));
  hz_rpc_reply(rpc, &out.base);
}

void agg_completeness(hz_rpc_t *rpc, ProtobufCMessage *msg) {
  const Huizong__V1__CompletenessRequest *req = (const Huizong__V1__CompletenessRequest *)msg;
  agg_unit_query_t *uq = agg_unit_query_start(rpc, req->region_code, req->period);
  if (!uq)
    return;
  hz_db_stmt_t q[Q_N] = {
      [Q_REGION] = agg_region_stmt(rpc, uq->region_params, uq->region),
      [Q_UNITS] = {.id = HZ_STMT_AGG_COMPLETENESS, .values = uq->params},
      [Q_DEADLINE] = agg_deadline_stmt(rpc, uq),
  };
  if (!uq->deadline_params)
    return (void)hz_rpc_oom(rpc);
  hz_rpc_query(rpc, q, Q_N, on_completeness, uq);
}
