/* Validate: every validation-rule violation of the stored reports under a
 * region for one period, what a county checks before approving (审核):
 * ERROR first, then unexplained and explained warnings, by township and
 * rule; skipped rules on request. Set-based: one statement evaluates every
 * township that has submitted (hz_review_violations, migration 015, over
 * 014's hz_rule_violations); a second counts them. Also the reading of
 * violation rows into RuleViolations, which GetReport shares. */
#include "api/aggregation/aggregation.h"

/* The statements, in the order of their results. */
enum { Q_REGION, Q_UNITS, Q_VIOLATIONS, Q_N };

/* Where a violation's fields are in REPORT_VIOLATIONS / VALIDATE_VIOLATIONS. */
typedef struct violation_cols_s {
  int region_code, region_name, rule_code, rule_name, severity, message, left_value, op,
      right_value, indicator_code, explanation, skipped, skip_reason;
} violation_cols_t;

static violation_cols_t violation_cols(const PGresult *r) {
  return (violation_cols_t){
      .region_code = hz_db_col(r, "region_code"),
      .region_name = hz_db_col(r, "region_name"),
      .rule_code = hz_db_col(r, "rule_code"),
      .rule_name = hz_db_col(r, "rule_name"),
      .severity = hz_db_col(r, "severity"),
      .message = hz_db_col(r, "message"),
      .left_value = hz_db_col(r, "left_value"),
      .op = hz_db_col(r, "op"),
      .right_value = hz_db_col(r, "right_value"),
      .indicator_code = hz_db_col(r, "indicator_code"),
      .explanation = hz_db_col(r, "explanation"),
      .skipped = hz_db_col(r, "skipped"),
      .skip_reason = hz_db_col(r, "skip_reason"),
  };
}

static Huizong__V1__RuleViolation *violation_of(hz_rpc_t *rpc, const PGresult *r, int i,
                                                const violation_cols_t *c, char *period) {
  Huizong__V1__RuleViolation *v = hz_arena_alloc(hz_rpc_arena(rpc), sizeof(*v));
  if (!v)
    return NULL;
  huizong__v1__rule_violation__init(v);
  v->rule_code = (char *)hz_rpc_cell(rpc, r, i, c->rule_code);
  v->rule_name = (char *)hz_rpc_cell(rpc, r, i, c->rule_name);
  v->severity = hz_rpc_cell_int(r, i, c->severity);
  v->region_code = (char *)hz_rpc_cell(rpc, r, i, c->region_code);
  v->region_name = (char *)hz_rpc_cell(rpc, r, i, c->region_name);
  v->period = period;
  v->message = (char *)hz_rpc_cell(rpc, r, i, c->message);
  v->left_value = (char *)hz_rpc_cell(rpc, r, i, c->left_value);
  v->op = (char *)hz_rpc_cell(rpc, r, i, c->op);
  v->right_value = (char *)hz_rpc_cell(rpc, r, i, c->right_value);
  v->indicator_code = (char *)hz_rpc_cell(rpc, r, i, c->indicator_code);
  v->explanation = (char *)hz_rpc_cell(rpc, r, i, c->explanation);
  v->skipped = hz_rpc_cell_bool(r, i, c->skipped);
  v->skip_reason = (char *)hz_rpc_cell(rpc, r, i, c->skip_reason);
  return v;
}

int agg_violations_load(hz_rpc_t *rpc, const PGresult *r, char *period,
                        Huizong__V1__RuleViolation ***out, size_t *n) {
  int rows = PQntuples(r);
  violation_cols_t c = violation_cols(r);
  *n = 0;
  *out = hz_arena_alloc(hz_rpc_arena(rpc), (size_t)(rows + 1) * sizeof(**out));
  if (!*out)
    return -1;
  for (int i = 0; i < rows; i++)
    if (!((*out)[(*n)++] = violation_of(rpc, r, i, &c, period)))
      return -1;
  return 0;
}

/* The counts of the response from its violations. */
static void validate_counts(Huizong__V1__ValidateResponse *out) {
  for (size_t i = 0; i < out->n_violations; i++) {
    const Huizong__V1__RuleViolation *v = out->violations[i];
    if (v->skipped)
      continue;
    if (v->severity == HUIZONG__V1__SEVERITY__SEVERITY_ERROR)
      out->error_count++;
    else if (v->explanation && v->explanation[0])
      out->explained_count++;
    else
      out->warning_count++;
  }
}

static void on_validate(hz_rpc_t *rpc, const hz_db_result_t *res, void *tag) {
  agg_unit_query_t *uq = tag;
  if (hz_rpc_db_failed(rpc, res))
    return;
  Huizong__V1__RegionRef *region =
      agg_region_checked(rpc, res->results[Q_REGION], uq->region, NULL);
  if (!region)
    return;
  Huizong__V1__ValidateResponse out = HUIZONG__V1__VALIDATE_RESPONSE__INIT;
  const PGresult *units = res->results[Q_UNITS];
  out.region = region;
  out.period = uq->period;
  out.units_checked = hz_rpc_cell_int(units, 0, hz_db_col(units, "units"));
  if (agg_violations_load(rpc, res->results[Q_VIOLATIONS], uq->period, &out.violations,
                          &out.n_violations))
    return (void)hz_rpc_oom(rpc);
  validate_counts(&out);
  hz_rpc_reply(rpc, &out.base);
}

void agg_validate(hz_rpc_t *rpc, ProtobufCMessage *msg) {
  const Huizong__V1__ValidateRequest *req = (const Huizong__V1__ValidateRequest *)msg;
  agg_unit_query_t *uq = agg_unit_query_start(rpc, req->region_code, req->period);
  if (!uq)
    return;
  const char **params = hz_arena_alloc(hz_rpc_arena(rpc), 3 * sizeof(char *));
  if (!params)
    return (void)hz_rpc_oom(rpc);
  params[0] = uq->region;
  params[1] = uq->period;
  params[2] = req->include_skipped ? "t" : "f";
  /* One job: the region statement's scope check decides before any
   * violation row is read into the answer. */
  hz_db_stmt_t q[Q_N] = {
      [Q_REGION] = agg_region_stmt(rpc, uq->region_params, uq->region),
      [Q_UNITS] = {.id = HZ_STMT_VALIDATE_UNITS, .values = uq->params},
      [Q_VIOLATIONS] = {.id = HZ_STMT_VALIDATE_VIOLATIONS, .values = params},
  };
  hz_rpc_query(rpc, q, Q_N, on_validate, uq);
}
