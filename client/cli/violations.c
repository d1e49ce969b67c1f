/* Validation-rule violations as rows (violations.h). */
#include "violations.h"

#include <string.h>

#include "output.h"
#include "present.h"

/* Every column; a command shows a subset (region and skip reason are
 * optional), in this order. */
enum {
  C_SEVERITY,
  C_REGION,
  C_NAME,
  C_RULE,
  C_INDICATOR,
  C_MESSAGE,
  C_LEFT,
  C_OP,
  C_RIGHT,
  C_EXPLANATION,
  C_SKIP,
  C_N
};

static const char *const all_cols[C_N] = {
    "severity", "region", "name",  "rule",        "indicator",   "message",
    "left",     "op",     "right", "explanation", "skip_reason",
};

const char *hz_violation_severity(const Huizong__V1__RuleViolation *v) {
  if (v->skipped)
    return "skipped";
  switch (v->severity) {
  case HUIZONG__V1__SEVERITY__SEVERITY_ERROR: return "error";
  case HUIZONG__V1__SEVERITY__SEVERITY_WARNING: return "warning";
  default: return "unknown";
  }
}

static void all_cells(const Huizong__V1__RuleViolation *v, const char *cells[C_N]) {
  cells[C_SEVERITY] = hz_violation_severity(v);
  cells[C_REGION] = v->region_code;
  cells[C_NAME] = v->region_name;
  cells[C_RULE] = v->rule_code;
  cells[C_INDICATOR] = hz_cell_opt(v->indicator_code);
  cells[C_MESSAGE] = hz_cell_opt(v->message);
  cells[C_LEFT] = hz_cell_opt(v->left_value);
  cells[C_OP] = hz_cell_opt(v->op);
  cells[C_RIGHT] = hz_cell_opt(v->right_value);
  cells[C_EXPLANATION] = hz_cell_opt(v->explanation);
  cells[C_SKIP] = hz_cell_opt(v->skip_reason);
}

/* The columns shown: indexes into all_cols; returns how many. */
static size_t shown_cols(int with_region, int with_skip, int idx[C_N]) {
  size_t n = 0;
  for (int c = 0; c < C_N; c++) {
    if ((c == C_REGION || c == C_NAME) && !with_region)
      continue;
    if (c == C_SKIP && !with_skip)
      continue;
    idx[n++] = c;
  }
  return n;
}

int hz_violations_write(hz_cli_t *cli, Huizong__V1__RuleViolation *const *v, size_t n,
                        int with_region, int with_skip) {
  int idx[C_N];
  size_t nc = shown_cols(with_region, with_skip, idx);
  const char *headers[C_N] = {0};
  for (size_t c = 0; c < nc; c++)
    headers[c] = all_cols[idx[c]];
  hz_table_t t;
  if (hz_table_init(&t, nc, headers) < 0)
    return hz_cli_error(cli, "out of memory");
  for (size_t c = 0; c < nc; c++) /* codes and figures as written, not re-aligned */
    hz_table_set_align(&t, c,
                       idx[c] == C_LEFT || idx[c] == C_RIGHT ? HZ_ALIGN_RIGHT : HZ_ALIGN_LEFT);
  int rc = HZ_EXIT_OK;
  for (size_t i = 0; i < n && rc == HZ_EXIT_OK; i++) {
    const char *all[C_N], *cells[C_N];
    all_cells(v[i], all);
    for (size_t c = 0; c < nc; c++)
      cells[c] = all[idx[c]];
    if (hz_table_add_row(&t, cells) < 0)
      rc = hz_cli_error(cli, "out of memory");
  }
  if (rc == HZ_EXIT_OK)
    rc = hz_write_table(cli, &t);
  hz_table_free(&t);
  return rc;
}

json_t *hz_violations_json(Huizong__V1__RuleViolation *const *v, size_t n) {
  json_t *list = json_array();
  for (size_t i = 0; list && i < n; i++) {
    const char *cells[C_N];
    all_cells(v[i], cells);
    json_array_append_new(list, hz_json_object(C_N, all_cols, cells));
  }
  return list;
}
