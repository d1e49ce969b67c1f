/* Admin validation rules (审核公式): ImportRules (expressions parsed and
 * compiled here by domain/rule_expr.h; indicators and stored state checked
 * by hz_import_rules, migration 014), ListRules (any role) and
 * SetRuleActive (audited with its reason). */
#include <errno.h>
#include <string.h>

#include "api/admin/admin.h"
#include "domain/decimal.h"
#include "domain/period.h"
#include "domain/rule_expr.h"

/* Parameters of ADMIN_IMPORT_RULES. */
#define IMPORT_PARAMS 17
#define SEVERITY_MAX  HUIZONG__V1__SEVERITY__SEVERITY_WARNING
#define MAX_RULE_CODE 64

/* One import's columns as the database receives them (NULL: refused). */
typedef struct rule_cols_s {
  const char **code, **name, **left, **op, **right, **lrpn, **rrpn, **mcodes, **types, **tol, **msg,
      **desc;
  int32_t *severity;
} rule_cols_t;

static int code_ok(const char *s) {
  size_t n = strlen(s);
  if (n == 0 || n > MAX_RULE_CODE)
    return 0;
  return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_.-") == n;
}

static int op_ok(const char *op) {
  static const char *const ops[] = {"<", "<=", "==", "!=", ">=", ">"};
  for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
    if (!strcmp(op, ops[i]))
      return 1;
  return 0;
}

/* Compiles one side into *out (arena); a problem names the position. */
static int compile_side(hz_rpc_t *rpc, hz_admin_import_t *imp, int i, const char *field,
                        const char *src, const char **out) {
  char rpn[HZ_RULE_RPN_BUFSIZE];
  hz_rule_error_t err;
  *out = NULL;
  int rc = hz_rule_expr_compile(src, strlen(src), rpn, sizeof(rpn), &err);
  if (rc == -ENOSPC) {
    hz_rpc_oom(rpc);
    return -1;
  }
  if (rc)
    return hz_admin_problem(rpc, imp, i, HZ_PK_MALFORMED, field, "%s %s at position %d: %s", field,
                            hz_admin_quote(rpc, src), err.pos, err.why);
  if (!(*out = hz_arena_strdup(hz_rpc_arena(rpc), rpn))) {
    hz_rpc_oom(rpc);
    return -1;
  }
  return 0;
}

static int check_message(hz_rpc_t *rpc, hz_admin_import_t *imp, int i, const char *msg,
                         const rule_cols_t *c) {
  char codes[HZ_RULE_TEMPLATE_MAX_LEN + 1];
  hz_rule_error_t err;
  const char *why = hz_admin_text_problem(msg, HZ_RULE_TEMPLATE_MAX_LEN, 0);
  if (!msg[0])
    return hz_admin_problem(rpc, imp, i, HZ_PK_MISSING, "message", "message is missing");
  if (why)
    return hz_admin_problem(rpc, imp, i, HZ_PK_MALFORMED, "message", "message %s", why);
  if (hz_rule_template_check(msg, codes, sizeof(codes), &err))
    return hz_admin_problem(rpc, imp, i, HZ_PK_MALFORMED, "message", "message at position %d: %s",
                            err.pos, err.why);
  c->msg[i] = msg;
  if (!(c->mcodes[i] = hz_arena_strdup(hz_rpc_arena(rpc), codes))) {
    hz_rpc_oom(rpc);
    return -1;
  }
  return 0;
}

/* Period types as "1 3" ('' = every type); duplicates are harmless. */
static int check_types(hz_rpc_t *rpc, hz_admin_import_t *imp, int i,
                       const Huizong__V1__ValidationRule *v, const rule_cols_t *c) {
  char *s = hz_arena_alloc(hz_rpc_arena(rpc), v->n_period_types * 2 + 1);
  if (!s) {
    hz_rpc_oom(rpc);
    return -1;
  }
  size_t len = 0;
  for (size_t k = 0; k < v->n_period_types; k++) {
    int t = (int)v->period_types[k];
    if (t < HZ_PERIOD_YEAR || t > HZ_PERIOD_MONTH)
      return hz_admin_problem(rpc, imp, i, HZ_PK_MALFORMED, "period_types",
                              "unknown period type %d (year, half_year, quarter or month)", t);
    len += (size_t)snprintf(s + len, 3, "%s%d", len ? " " : "", t);
  }
  s[len] = '\0';
  c->types[i] = s;
  return 0;
}

static int check_tolerance(hz_rpc_t *rpc, hz_admin_import_t *imp, int i,
                           const Huizong__V1__ValidationRule *v, const rule_cols_t *c) {
  char norm[HZ_DECIMAL_BUFSIZE];
  if (!v->tolerance)
    return 0;
  const char *t = v->tolerance->value;
  if (hz_decimal_normalize(t, strlen(t), norm, sizeof(norm)) || norm[0] == '-')
    return hz_admin_problem(rpc, imp, i, HZ_PK_MALFORMED, "tolerance",
                            "tolerance %s is not a decimal of at least 0", hz_admin_quote(rpc, t));
  if (!(c->tol[i] = hz_arena_strdup(hz_rpc_arena(rpc), norm))) {
    hz_rpc_oom(rpc);
    return -1;
  }
  return 0;
}

static int check_head(hz_rpc_t *rpc, hz_admin_import_t *imp, int i,
                      const Huizong__V1__ValidationRule *v, const rule_cols_t *c) {
  const char *why;
  if (!v->code[0] || !code_ok(v->code)) {
    if (hz_admin_problem(rpc, imp, i, v->code[0] ? HZ_PK_MALFORMED : HZ_PK_MISSING, "code",
                         "rule code %s: 1 to 64 of [a-z0-9_.-]", hz_admin_quote(rpc, v->code)))
      return -1;
  } else {
    c->code[i] = v->code;
  }
  if (!v->name[0])
    return hz_admin_problem(rpc, imp, i, HZ_PK_MISSING, "name", "name is missing");
  if ((why = hz_admin_text_problem(v->name, HZ_ADMIN_MAX_NAME, 0)))
    return hz_admin_problem(rpc, imp, i, HZ_PK_MALFORMED, "name", "name %s", why);
  c->name[i] = v->name;
  if ((why = hz_admin_text_problem(v->description, HZ_ADMIN_MAX_DESCRIPTION, 1)))
    return hz_admin_problem(rpc, imp, i, HZ_PK_MALFORMED, "description", "description %s", why);
  c->desc[i] = v->description;
  return 0;
}

static int check_rule_row(hz_rpc_t *rpc, hz_admin_import_t *imp, int i,
                          const Huizong__V1__RuleRow *row, const rule_cols_t *c) {
  const Huizong__V1__ValidationRule *v = row->rule;
  c->severity[i] = HZ_ADMIN_NULL_INT;
  c->desc[i] = "";
  if (!v)
    return hz_admin_problem(rpc, imp, i, HZ_PK_MISSING, "rule", "the row has no rule");
  imp->rows.keys[i] = v->code;
  if (check_head(rpc, imp, i, v, c) || compile_side(rpc, imp, i, "left", v->left, &c->lrpn[i]) ||
      compile_side(rpc, imp, i, "right", v->right, &c->rrpn[i]))
    return -1;
  c->left[i] = v->left;
  c->right[i] = v->right;
  if (!op_ok(v->op))
    return hz_admin_problem(rpc, imp, i, HZ_PK_MALFORMED, "op",
                            "unknown operator %s (<, <=, ==, !=, >= or >)",
                            hz_admin_quote(rpc, v->op));
  c->op[i] = v->op;
  if (v->severity == 0)
    return hz_admin_problem(rpc, imp, i, HZ_PK_MISSING, "severity",
                            "severity is missing (error or warning)");
  if ((int)v->severity < 0 || (int)v->severity > SEVERITY_MAX)
    return hz_admin_problem(rpc, imp, i, HZ_PK_MALFORMED, "severity",
                            "unknown severity %d (error or warning)", (int)v->severity);
  c->severity[i] = (int32_t)v->severity;
  return check_types(rpc, imp, i, v, c) || check_tolerance(rpc, imp, i, v, c) ||
                 check_message(rpc, imp, i, v->message, c)
             ? -1
             : 0;
}

static int alloc_cols(hz_arena_t *a, size_t n, rule_cols_t *c) {
  const char ***texts[] = {&c->code, &c->name,   &c->left,  &c->op,  &c->right, &c->lrpn,
                           &c->rrpn, &c->mcodes, &c->types, &c->tol, &c->msg,   &c->desc};
  for (size_t k = 0; k < sizeof(texts) / sizeof(texts[0]); k++)
    if (!(*texts[k] = hz_arena_zalloc(a, n * sizeof(char *))))
      return -1;
  return (c->severity = hz_arena_zalloc(a, n * sizeof(int32_t))) ? 0 : -1;
}

void hz_admin_import_rules(hz_rpc_t *rpc, ProtobufCMessage *msg) {
  Huizong__V1__ImportRulesRequest *req = (Huizong__V1__ImportRulesRequest *)msg;
  size_t n = req->n_rows;
  hz_admin_import_t *imp = hz_admin_import_new(rpc, n, req->dry_run, 0);
  if (!imp)
    return;
  hz_arena_t *a = hz_rpc_arena(rpc);
  rule_cols_t c;
  const char **params = hz_admin_params(rpc, IMPORT_PARAMS);
  if (!params || alloc_cols(a, n, &c)) {
    hz_rpc_oom(rpc);
    return;
  }
  for (size_t i = 0; i < n; i++) {
    imp->rows.lines[i] = req->rows[i]->line;
    if (check_rule_row(rpc, imp, (int)i, req->rows[i], &c))
      return;
  }
  const char **cols[] = {c.code,   c.name, c.left,  c.op,  c.right, c.lrpn, c.rrpn,
                         c.mcodes, NULL,   c.types, c.tol, c.msg,   c.desc};
  params[0] = hz_admin_int_array(a, imp->rows.lines, n);
  for (int k = 0; k < 13; k++)
    params[k + 1] =
        cols[k] ? hz_admin_text_array(rpc, cols[k], n) : hz_admin_int_array(a, c.severity, n);
  params[14] = hz_admin_validate_only(imp);
  params[15] = hz_admin_actor_id(rpc);
  params[16] = rpc->who.name;
  for (int i = 0; i < IMPORT_PARAMS; i++)
    if (!params[i]) {
      hz_rpc_oom(rpc);
      return;
    }
  hz_db_stmt_t q = {.id = HZ_STMT_ADMIN_IMPORT_RULES, .values = params};
  hz_rpc_query(rpc, &q, 1, hz_admin_import_done, imp);
}

/* ---- ListRules, SetRuleActive --------------------------------------------- */

/* Where each ValidationRule column is (HZ_SQL_RULE_NAMES in admin.def). */
typedef struct listed_cols_s {
  int code, name, left, op, right, severity, types, tol, msg, active, desc, at, by;
} listed_cols_t;

static listed_cols_t listed_cols(const PGresult *r) {
  return (listed_cols_t){
      .code = hz_db_col(r, "code"),
      .name = hz_db_col(r, "name"),
      .left = hz_db_col(r, "left_expr"),
      .op = hz_db_col(r, "op"),
      .right = hz_db_col(r, "right_expr"),
      .severity = hz_db_col(r, "severity"),
      .types = hz_db_col(r, "period_types"),
      .tol = hz_db_col(r, "tolerance"),
      .msg = hz_db_col(r, "message"),
      .active = hz_db_col(r, "active"),
      .desc = hz_db_col(r, "description"),
      .at = hz_db_col(r, "updated_at"),
      .by = hz_db_col(r, "updated_by"),
  };
}

/* "1,3" into the repeated field. */
static int types_from_text(hz_arena_t *a, const char *s, Huizong__V1__ValidationRule *v) {
  size_t n = 0, len = strlen(s);
  if (!len)
    return 0;
  v->period_types = hz_arena_alloc(a, (len / 2 + 1) * sizeof(*v->period_types));
  if (!v->period_types)
    return -ENOMEM;
  for (const char *p = s; *p; p++)
    if (*p >= '1' && *p <= '4')
      v->period_types[n++] = (Huizong__V1__PeriodType)(*p - '0');
  v->n_period_types = n;
  return 0;
}

static Huizong__V1__ValidationRule *rule_from_row(hz_rpc_t *rpc, const PGresult *r,
                                                  const listed_cols_t *c, int row) {
  hz_arena_t *a = hz_rpc_arena(rpc);
  Huizong__V1__ValidationRule *v = hz_arena_alloc(a, sizeof(*v));
  if (!v)
    return NULL;
  huizong__v1__validation_rule__init(v);
  v->code = (char *)hz_rpc_cell(rpc, r, row, c->code);
  v->name = (char *)hz_rpc_cell(rpc, r, row, c->name);
  v->left = (char *)hz_rpc_cell(rpc, r, row, c->left);
  v->op = (char *)hz_rpc_cell(rpc, r, row, c->op);
  v->right = (char *)hz_rpc_cell(rpc, r, row, c->right);
  v->severity = (Huizong__V1__Severity)hz_rpc_cell_int(r, row, c->severity);
  v->message = (char *)hz_rpc_cell(rpc, r, row, c->msg);
  v->active = hz_rpc_cell_bool(r, row, c->active);
  v->description = (char *)hz_rpc_cell(rpc, r, row, c->desc);
  v->updated_at = (char *)hz_rpc_cell(rpc, r, row, c->at);
  v->updated_by = (char *)hz_rpc_cell(rpc, r, row, c->by);
  const char *tol = hz_rpc_cell(rpc, r, row, c->tol);
  if (tol && tol[0]) {
    if (!(v->tolerance = hz_arena_alloc(a, sizeof(*v->tolerance))))
      return NULL;
    huizong__v1__decimal__init(v->tolerance);
    v->tolerance->value = (char *)tol;
  }
  if (types_from_text(a, PQgetvalue(r, row, c->types), v))
    return NULL;
  return v;
}

static void on_rules_listed(hz_rpc_t *rpc, const hz_db_result_t *res, void *tag) {
  (void)tag;
  if (hz_rpc_db_failed(rpc, res))
    return;
  const PGresult *r = res->results[0];
  listed_cols_t c = listed_cols(r);
  int rows = PQntuples(r);
  Huizong__V1__ListRulesResponse out = HUIZONG__V1__LIST_RULES_RESPONSE__INIT;
  if (rows && !(out.rules = hz_arena_alloc(hz_rpc_arena(rpc), (size_t)rows * sizeof(*out.rules)))) {
    hz_rpc_oom(rpc);
    return;
  }
  for (int i = 0; i < rows; i++)
    if (!(out.rules[i] = rule_from_row(rpc, r, &c, i))) {
      hz_rpc_oom(rpc);
      return;
    }
  out.n_rules = (size_t)rows;
  hz_rpc_reply(rpc, &out.base);
}

void hz_admin_list_rules(hz_rpc_t *rpc, ProtobufCMessage *msg) {
  Huizong__V1__ListRulesRequest *req = (Huizong__V1__ListRulesRequest *)msg;
  const char **params = hz_admin_params(rpc, 1);
  if (!params) {
    hz_rpc_oom(rpc);
    return;
  }
  params[0] = req->include_inactive ? "t" : "f";
  hz_db_stmt_t q = {.id = HZ_STMT_ADMIN_LIST_RULES, .values = params};
  hz_rpc_query(rpc, &q, 1, on_rules_listed, NULL);
}

static void on_rule_set(hz_rpc_t *rpc, const hz_db_result_t *res, void *tag) {
  const char *code = tag;
  if (hz_rpc_db_failed(rpc, res))
    return;
  const PGresult *r = res->results[0];
  if (PQntuples(r) == 0) {
    hz_rpc_finish(rpc, HZ_STATUS_NOT_FOUND, "unknown rule %s", code);
    return;
  }
  listed_cols_t c = listed_cols(r);
  Huizong__V1__ValidationRule *v = rule_from_row(rpc, r, &c, 0);
  if (!v) {
    hz_rpc_oom(rpc);
    return;
  }
  hz_rpc_reply(rpc, &v->base);
}

void hz_admin_set_rule_active(hz_rpc_t *rpc, ProtobufCMessage *msg) {
  Huizong__V1__SetRuleActiveRequest *req = (Huizong__V1__SetRuleActiveRequest *)msg;
  const char *why;
  if (!code_ok(req->code)) {
    hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "code: malformed rule code %s",
                  hz_admin_quote(rpc, req->code));
    return;
  }
  if ((why = hz_admin_text_problem(req->reason, HZ_ADMIN_MAX_DESCRIPTION, 1))) {
    hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "reason: %s", why);
    return;
  }
  const char **params = hz_admin_params(rpc, 5);
  if (!params) {
    hz_rpc_oom(rpc);
    return;
  }
  params[0] = req->code;
  params[1] = req->active ? "t" : "f";
  params[2] = req->reason;
  params[3] = hz_admin_actor_id(rpc);
  params[4] = rpc->who.name;
  if (!params[3]) {
    hz_rpc_oom(rpc);
    return;
  }
  hz_db_stmt_t q = {.id = HZ_STMT_ADMIN_SET_RULE_ACTIVE, .values = params};
  hz_rpc_query(rpc, &q, 1, on_rule_set, req->code);
}
