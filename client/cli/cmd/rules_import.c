/* "rules import FILE.csv": creates or updates validation rules (审核公式,
 * Admin/ImportRules) from rows
 *   code,name,left,op,right,severity,period_types,tolerance,message,description
 * severity: error|错误 or warning|警告; period_types: names separated by
 * ',', ';' or spaces (empty: every type); tolerance empty: exact. The
 * expressions and the message are the server's to check: its problems
 * come back with the CSV line of their row. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calls.h"
#include "commands.h"
#include "huizong/v1/admin.pb-c.h"
#include "import.h"
#include "names.h"

#define IMPORT_RULES_METHOD "/huizong.v1.Admin/ImportRules"
#define MAX_TYPES           4

enum {
  COL_CODE,
  COL_NAME,
  COL_LEFT,
  COL_OP,
  COL_RIGHT,
  COL_SEVERITY,
  COL_TYPES,
  COL_TOL,
  COL_MSG,
  COL_DESC,
  NCOLS
};

static const hz_csv_column_t rule_columns[] = {
    [COL_CODE] = {"code|rule", 1},
    [COL_NAME] = {"name", 1},
    [COL_LEFT] = {"left", 1},
    [COL_OP] = {"op|operator", 1},
    [COL_RIGHT] = {"right", 1},
    [COL_SEVERITY] = {"severity", 1},
    [COL_TYPES] = {"period_types|period_type", 0},
    [COL_TOL] = {"tolerance", 0},
    [COL_MSG] = {"message", 1},
    [COL_DESC] = {"description", 0},
};

/* Severity: 强制性审核 errors refuse, 核实性审核 warnings need a comment. */
static const hz_name_t severities[] = {
    {"error", 1}, {"错误", 1}, {"warning", 2}, {"警告", 2}, {NULL, 0},
};

static const hz_cli_opt_t rules_import_opts[] = {
    {"dry-run", NULL, "validate only: the server stores nothing"},
    {NULL, NULL, NULL},
};

/* Storage of the request, one slot per data record. */
typedef struct rows_s {
  Huizong__V1__RuleRow *rows;        /* the rows */
  Huizong__V1__RuleRow **ptrs;       /* the repeated field */
  Huizong__V1__ValidationRule *rule; /* each row's rule */
  Huizong__V1__Decimal *tol;         /* tolerances, used when given */
  Huizong__V1__PeriodType *types;    /* MAX_TYPES per row */
} rows_t;

static void rows_free(rows_t *r) {
  free(r->rows);
  free(r->ptrs);
  free(r->rule);
  free(r->tol);
  free(r->types);
}

static void set_types(hz_import_t *im, size_t i, rows_t *r) {
  char buf[256], bad[64];
  int vals[MAX_TYPES];
  size_t n = 0;
  snprintf(buf, sizeof(buf), "%s", hz_import_get(im, i, COL_TYPES));
  for (char *p = buf; *p; p++)
    if (*p == ';' || *p == ' ' || *p == '|')
      *p = ',';
  if (hz_name_parse_list(hz_names_period_type, buf, vals, MAX_TYPES, &n, bad, sizeof(bad)) < 0) {
    hz_diags_add(&im->diags, hz_import_row(im, i)->line,
                 "unknown period type '%s' (year, half_year, quarter, month)", bad);
    return;
  }
  Huizong__V1__ValidationRule *v = &r->rule[i];
  v->period_types = &r->types[i * MAX_TYPES];
  for (size_t k = 0; k < n; k++)
    v->period_types[k] = (Huizong__V1__PeriodType)vals[k];
  v->n_period_types = n;
}

static void build_row(hz_import_t *im, size_t i, rows_t *r) {
  Huizong__V1__ValidationRule *v = &r->rule[i];
  huizong__v1__validation_rule__init(v);
  v->code = (char *)hz_import_get(im, i, COL_CODE);
  v->name = (char *)hz_import_get(im, i, COL_NAME);
  v->left = (char *)hz_import_get(im, i, COL_LEFT);
  v->op = (char *)hz_import_get(im, i, COL_OP);
  v->right = (char *)hz_import_get(im, i, COL_RIGHT);
  v->message = (char *)hz_import_get(im, i, COL_MSG);
  v->description = (char *)hz_import_get(im, i, COL_DESC);
  const char *sev = hz_import_get(im, i, COL_SEVERITY);
  int s = 0;
  if (hz_name_parse(severities, sev, 0, &s) < 0)
    hz_diags_add(&im->diags, hz_import_row(im, i)->line,
                 "unknown severity '%s' (error|错误 or warning|警告)", sev);
  v->severity = (Huizong__V1__Severity)s;
  const char *tol = hz_import_get(im, i, COL_TOL);
  if (*tol) {
    huizong__v1__decimal__init(&r->tol[i]);
    r->tol[i].value = (char *)tol;
    v->tolerance = &r->tol[i];
  }
  set_types(im, i, r);
  huizong__v1__rule_row__init(&r->rows[i]);
  r->rows[i].line = (int32_t)hz_import_row(im, i)->line;
  r->rows[i].rule = v;
  r->ptrs[i] = &r->rows[i];
}

static int build_rows(hz_import_t *im, rows_t *r) {
  size_t n = im->nrows ? im->nrows : 1;
  r->rows = calloc(n, sizeof(*r->rows));
  r->ptrs = calloc(n, sizeof(*r->ptrs));
  r->rule = calloc(n, sizeof(*r->rule));
  r->tol = calloc(n, sizeof(*r->tol));
  r->types = calloc(n * MAX_TYPES, sizeof(*r->types));
  if (!r->rows || !r->ptrs || !r->rule || !r->tol || !r->types)
    return -1;
  for (size_t i = 0; i < im->nrows; i++)
    build_row(im, i, r);
  return 0;
}

static int run_rules_import(hz_cli_t *cli) {
  hz_import_t im;
  rows_t r = {0};
  int rc = hz_import_open(&im, cli, rule_columns, NCOLS);
  if (rc == HZ_EXIT_OK && build_rows(&im, &r) < 0)
    rc = hz_cli_error(cli, "out of memory");
  if (rc == HZ_EXIT_OK)
    rc = hz_import_verdict(&im);
  if (rc == HZ_EXIT_OK) {
    Huizong__V1__ImportRulesRequest req = HUIZONG__V1__IMPORT_RULES_REQUEST__INIT;
    req.rows = r.ptrs;
    req.n_rows = im.nrows;
    req.dry_run = hz_cli_flag(cli, "dry-run") > 0;
    rc = hz_import_send(cli, IMPORT_RULES_METHOD, &req.base);
  }
  rows_free(&r);
  hz_import_close(&im);
  return rc;
}

const hz_cli_cmd_t hz_cmd_rules_import = {
    .name = "rules import",
    .args = "FILE.csv",
    .summary = "create or update validation rules (审核公式) from CSV",
    .help =
        "Columns (a header line names them, in any order; without one they are in this order):\n"
        "  code,name,left,op,right,severity,period_types,tolerance,message,description\n"
        "left/right: expressions of indicator codes, decimals, + - * /, parentheses, abs(x),\n"
        "prev_year(code), prev_period(code), ytd(code); put spaces around '-' between codes.\n"
        "op: < <= == != >= >. severity: error (错误, refuses the submission) or warning\n"
        "(警告, accepted with an explanation in the value's comment). period_types: e.g.\n"
        "\"quarter;month\", empty = every type. tolerance: allowed slack, empty = exact.\n"
        "message: e.g. \"已化解债务 {left} 超过锁定债务 {right}\" ({left} {right} {name} {CODE}).\n"
        "Importing is idempotent: unchanged rules are counted, not written.",
    .opts = rules_import_opts,
    .min_args = 1,
    .max_args = 1,
    .run = run_rules_import,
};
