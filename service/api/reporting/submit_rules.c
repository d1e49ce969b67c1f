/* The validation-rule rows of hz_submit (migration 014): RULE_ERROR and
 * RULE_WARNING problems with their rule code, and the notes a submission
 * answers with (SubmitResponse.warnings: explained warnings;
 * skipped_rules: rules that could not be evaluated). */
#include <errno.h>
#include <string.h>

#include "api/reporting/reporting.h"
#include "huizong/v1/common.pb-c.h"

void hz_submit_rule_cols(const PGresult *r, hz_submit_rule_cols_t *c) {
  *c = (hz_submit_rule_cols_t){
      .idx = hz_db_col(r, "idx"),
      .field = hz_db_col(r, "field"),
      .indicator = hz_db_col(r, "indicator"),
      .reason = hz_db_col(r, "reason"),
      .rule_code = hz_db_col(r, "rule_code"),
      .rule_name = hz_db_col(r, "rule_name"),
      .severity = hz_db_col(r, "severity"),
      .left_value = hz_db_col(r, "left_value"),
      .op = hz_db_col(r, "op"),
      .right_value = hz_db_col(r, "right_value"),
      .explanation = hz_db_col(r, "explanation"),
      .skipped = hz_db_col(r, "skipped"),
      .skip_reason = hz_db_col(r, "skip_reason"),
  };
}

/* Appends v to a response list that may hold up to max items. */
static int append(hz_arena_t *a, Huizong__V1__RuleViolation ***list, size_t *n, size_t max,
                  Huizong__V1__RuleViolation *v) {
  if (!*list && !(*list = hz_arena_alloc(a, max * sizeof(**list))))
    return -ENOMEM;
  (*list)[(*n)++] = v;
  return 0;
}

/* A note row (kind -1) as a RuleViolation of this submission. */
static Huizong__V1__RuleViolation *note(hz_submit_t *s, const PGresult *r, int row,
                                        const hz_submit_rule_cols_t *c) {
  hz_rpc_t *rpc = s->rpc;
  Huizong__V1__RuleViolation *v = hz_arena_alloc(hz_rpc_arena(rpc), sizeof(*v));
  if (!v)
    return NULL;
  huizong__v1__rule_violation__init(v);
  v->rule_code = (char *)hz_rpc_cell(rpc, r, row, c->rule_code);
  v->rule_name = (char *)hz_rpc_cell(rpc, r, row, c->rule_name);
  v->severity = (Huizong__V1__Severity)hz_rpc_cell_int(r, row, c->severity);
  v->region_code = s->req->region_code;
  v->period = s->period;
  v->left_value = (char *)hz_rpc_cell(rpc, r, row, c->left_value);
  v->op = (char *)hz_rpc_cell(rpc, r, row, c->op);
  v->right_value = (char *)hz_rpc_cell(rpc, r, row, c->right_value);
  v->indicator_code = (char *)hz_rpc_cell(rpc, r, row, c->indicator);
  v->explanation = (char *)hz_rpc_cell(rpc, r, row, c->explanation);
  v->skipped = hz_rpc_cell_bool(r, row, c->skipped);
  v->skip_reason = (char *)hz_rpc_cell(rpc, r, row, c->skip_reason);
  /* A skipped rule has no figures to fill its message with. */
  v->message = v->skipped ? "" : (char *)hz_rpc_cell(rpc, r, row, c->reason);
  return v;
}

int hz_submit_rule_row(hz_submit_t *s, const PGresult *r, int row, int kind,
                       const hz_submit_rule_cols_t *c) {
  hz_rpc_t *rpc = s->rpc;
  if (kind > 0)
    return hz_problems_add_rule(
        &s->problems, hz_rpc_cell_int(r, row, c->idx), kind, hz_rpc_cell(rpc, r, row, c->field),
        hz_rpc_cell(rpc, r, row, c->indicator), hz_rpc_cell(rpc, r, row, c->rule_code),
        hz_rpc_cell(rpc, r, row, c->reason));
  Huizong__V1__RuleViolation *v = note(s, r, row, c);
  if (!v)
    return -ENOMEM;
  hz_submit_resp_t *o = s->resp;
  size_t max = (size_t)PQntuples(r);
  hz_arena_t *a = hz_rpc_arena(rpc);
  if (v->skipped)
    return append(a, &o->skipped_rules, &o->n_skipped_rules, max, v);
  return append(a, &o->warnings, &o->n_warnings, max, v);
}
