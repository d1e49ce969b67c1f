/* Admin targets (任务/目标): ImportTargets (periods and decimals parsed
 * here, references and frequency in hz_import_targets, one job per
 * request) and ListTargets (a subtree within the caller's scope, paged by
 * key). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "api/admin/admin.h"
#include "api/pgtext.h"
#include "domain/decimal.h"
#include "domain/ident.h"
#include "domain/period.h"

#define TARGETS_PAGE_DEFAULT 1000
#define TARGETS_PAGE_MAX     10000
/* "2022-04-01" and a NUL. */
#define DATE_TEXT_SIZE       11

/* A period's first day as an SQL date. */
static void period_start_text(const hz_period_t *p, char out[DATE_TEXT_SIZE]) {
  unsigned d = (unsigned)hz_period_start_date(p); /* p is valid: YYYYMMDD */
  snprintf(out, DATE_TEXT_SIZE, "%04u-%02u-%02u", d / 10000 % 10000, d / 100 % 100, d % 100);
}

/* ---- ImportTargets ------------------------------------------------------ */

/* One row's fields as the database receives them (NULL = refused). */
typedef struct target_cols_s {
  const char **region, **indicator, **period, **start, **value;
  int32_t *period_type;
} target_cols_t;

static int check_code(hz_rpc_t *rpc, hz_admin_import_t *imp, int i, const char *field,
                      const char *s, int (*validate)(const char *), const char *form,
                      const char **out) {
  *out = NULL;
  if (!s[0])
    return hz_admin_problem(rpc, imp, i, HZ_PK_MISSING, field, "%s is missing", field);
  if (validate(s))
    return hz_admin_problem(rpc, imp, i, HZ_PK_MALFORMED, field, "malformed %s %s: %s", field,
                            hz_admin_quote(rpc, s), form);
  *out = s;
  return 0;
}

static int check_period(hz_rpc_t *rpc, hz_admin_import_t *imp, int i, const char *s,
                        const target_cols_t *c) {
  hz_period_t p;
  char start[DATE_TEXT_SIZE];
  c->period_type[i] = HZ_ADMIN_NULL_INT;
  if (!s[0])
    return hz_admin_problem(rpc, imp, i, HZ_PK_MISSING, "period", "period is missing");
  if (hz_period_parse(s, &p))
    return hz_admin_problem(rpc, imp, i, HZ_PK_MALFORMED, "period", "malformed period %s: %s",
                            hz_admin_quote(rpc, s), hz_period_accepted_forms());
  period_start_text(&p, start);
  c->period[i] = s;
  c->period_type[i] = (int32_t)p.type;
  if (!(c->start[i] = hz_arena_strdup(hz_rpc_arena(rpc), start))) {
    hz_rpc_oom(rpc);
    return -1;
  }
  return 0;
}

static int check_value(hz_rpc_t *rpc, hz_admin_import_t *imp, int i, const char *s,
                       const target_cols_t *c) {
  char norm[HZ_DECIMAL_BUFSIZE], why[96];
  if (!s[0])
    return hz_admin_problem(rpc, imp, i, HZ_PK_MISSING, "value", "value is missing");
  if (hz_decimal_normalize(s, strlen(s), norm, sizeof(norm))) {
    if (hz_decimal_validate(s, strlen(s), why, sizeof(why)) == 0)
      snprintf(why, sizeof(why), "too long");
    return hz_admin_problem(rpc, imp, i, HZ_PK_MALFORMED, "value", "malformed decimal %s: %s",
                            hz_admin_quote(rpc, s), why);
  }
  if (!(c->value[i] = hz_arena_strdup(hz_rpc_arena(rpc), norm))) {
    hz_rpc_oom(rpc);
    return -1;
  }
  return 0;
}

static int check_target_row(hz_rpc_t *rpc, hz_admin_import_t *imp, int i,
                            const Huizong__V1__TargetRow *row, const target_cols_t *c) {
  imp->rows.lines[i] = row->line;
  imp->rows.indicators[i] = row->indicator_code;
  imp->rows.keys[i] = hz_arena_printf(hz_rpc_arena(rpc), "%s/%s/%s", row->region_code,
                                      row->indicator_code, row->period);
  if (!imp->rows.keys[i]) {
    hz_rpc_oom(rpc);
    return -1;
  }
  if (check_code(rpc, imp, i, "region_code", row->region_code, hz_region_code_validate,
                 "expected 2 to 12 digits", &c->region[i]) ||
      check_code(rpc, imp, i, "indicator_code", row->indicator_code, hz_indicator_code_validate,
                 "[a-z0-9_.-], starting with a letter", &c->indicator[i]) ||
      check_period(rpc, imp, i, row->period, c) || check_value(rpc, imp, i, row->value, c))
    return -1;
  return 0;
}

void hz_admin_import_targets(hz_rpc_t *rpc, ProtobufCMessage *msg) {
  Huizong__V1__ImportTargetsRequest *req = (Huizong__V1__ImportTargetsRequest *)msg;
  size_t n = req->n_rows;
  hz_admin_import_t *imp = hz_admin_import_new(rpc, n, req->dry_run, 1);
  if (!imp)
    return;
  hz_arena_t *a = hz_rpc_arena(rpc);
  target_cols_t c = {
      .region = hz_arena_zalloc(a, n * sizeof(char *)),
      .indicator = hz_arena_zalloc(a, n * sizeof(char *)),
      .period = hz_arena_zalloc(a, n * sizeof(char *)),
      .start = hz_arena_zalloc(a, n * sizeof(char *)),
      .value = hz_arena_zalloc(a, n * sizeof(char *)),
      .period_type = hz_arena_zalloc(a, n * sizeof(int32_t)),
  };
  const char **params = hz_admin_params(rpc, 10);
  if (!c.region || !c.indicator || !c.period || !c.start || !c.value || !c.period_type || !params) {
    hz_rpc_oom(rpc);
    return;
  }
  for (size_t i = 0; i < n; i++)
    if (check_target_row(rpc, imp, (int)i, req->rows[i], &c))
      return;
  params[0] = hz_admin_int_array(a, imp->rows.lines, n);
  params[1] = hz_admin_text_array(rpc, c.region, n);
  params[2] = hz_admin_text_array(rpc, c.indicator, n);
  params[3] = hz_admin_text_array(rpc, c.period, n);
  params[4] = hz_admin_int_array(a, c.period_type, n);
  params[5] = hz_admin_text_array(rpc, c.start, n);
  params[6] = hz_admin_text_array(rpc, c.value, n);
  params[7] = hz_admin_validate_only(imp);
  params[8] = hz_admin_actor_id(rpc);
  params[9] = rpc->who.name;
  for (int i = 0; i < 10; i++)
    if (!params[i]) {
      hz_rpc_oom(rpc);
      return;
    }
  hz_db_stmt_t q = {.id = HZ_STMT_ADMIN_IMPORT_TARGETS, .values = params};
  hz_rpc_query(rpc, &q, 1, hz_admin_import_done, imp);
}

/* ---- ListTargets ------------------------------------------------------------ */

typedef struct list_targets_s {
  const char *root; /* subtree root, NULL for everything (admin) */
  int page_size;    /* rows shown; the job asks for one more */
} list_targets_t;

/* A target's key as its page token holds it: "region/indicator/period",
 * the order ListTargets sorts by. Splits key (arena copy) into its parts;
 * 0, or -EINVAL when a part is malformed, -ENOMEM. */
static int split_key(hz_arena_t *a, const char *key, const char **region, const char **indicator,
                     hz_period_t *p) {
  const char *s1 = strchr(key, '/');
  const char *s2 = s1 ? strchr(s1 + 1, '/') : NULL;
  if (!s1 || !s2)
    return -EINVAL;
  char *r = hz_arena_strndup(a, key, (size_t)(s1 - key));
  char *i = hz_arena_strndup(a, s1 + 1, (size_t)(s2 - s1 - 1));
  if (!r || !i)
    return -ENOMEM;
  if (hz_region_code_validate(r) || hz_indicator_code_validate(i) || hz_period_parse(s2 + 1, p))
    return -EINVAL;
  *region = r;
  *indicator = i;
  return 0;
}

/* The page-token key check: split_key in a scratch arena. */
static int target_key_ok(const char *key) {
  hz_arena_t scratch;
  hz_arena_init(&scratch, 0);
  const char *region, *indicator;
  hz_period_t p;
  int rc = split_key(&scratch, key, &region, &indicator, &p);
  hz_arena_free(&scratch);
  return rc;
}

/* The position after `key` as parameters 3..6 (region, indicator, period
 * start, period type); -1 when out of memory (key passed target_key_ok). */
static int position_params(hz_rpc_t *rpc, const char *key, const char **params) {
  hz_arena_t *a = hz_rpc_arena(rpc);
  char start[DATE_TEXT_SIZE];
  hz_period_t p;
  if (split_key(a, key, &params[3], &params[4], &p))
    return -1;
  period_start_text(&p, start);
  params[5] = hz_arena_strdup(a, start);
  params[6] = hz_pg_int(a, (int)p.type);
  return params[5] && params[6] ? 0 : -1;
}

/* Where each Target column is in ADMIN_LIST_TARGETS's result. */
typedef struct listed_cols_s {
  int region_code, indicator_code, period; /* the key, the list's order */
  int value, updated_at, updated_by;       /* the target and its last change */
} listed_cols_t;

static Huizong__V1__Target *target_from_row(hz_rpc_t *rpc, const PGresult *r,
                                            const listed_cols_t *c, int row) {
  Huizong__V1__Target *t = hz_arena_alloc(hz_rpc_arena(rpc), sizeof(*t));
  if (!t)
    return NULL;
  huizong__v1__target__init(t);
  t->region_code = (char *)hz_rpc_cell(rpc, r, row, c->region_code);
  t->indicator_code = (char *)hz_rpc_cell(rpc, r, row, c->indicator_code);
  t->period = (char *)hz_rpc_cell(rpc, r, row, c->period);
  t->value = (char *)hz_rpc_cell(rpc, r, row, c->value);
  t->updated_at = (char *)hz_rpc_cell(rpc, r, row, c->updated_at);
  t->updated_by = (char *)hz_rpc_cell(rpc, r, row, c->updated_by);
  if (!t->region_code || !t->indicator_code || !t->period || !t->value || !t->updated_at ||
      !t->updated_by)
    return NULL;
  return t;
}

/* The next_page_token after the last target shown; NULL after finishing
 * the call. */
static char *next_token(hz_rpc_t *rpc, const Huizong__V1__Target *last) {
  char *key = hz_arena_printf(hz_rpc_arena(rpc), "%s/%s/%s", last->region_code,
                              last->indicator_code, last->period);
  if (!key) {
    hz_rpc_oom(rpc);
    return NULL;
  }
  return hz_admin_page_token(rpc, key);
}

static void on_targets_listed(hz_rpc_t *rpc, const hz_db_result_t *res, void *tag) {
  list_targets_t *st = tag;
  if (hz_rpc_db_failed(rpc, res))
    return;
  if (st->root && hz_rpc_scope_verdict(rpc, res->results[0], "region_code", st->root))
    return;
  const PGresult *r = res->results[res->nresults - 1];
  listed_cols_t c = {hz_db_col(r, "region_code"), hz_db_col(r, "indicator_code"),
                     hz_db_col(r, "period"),      hz_db_col(r, "value"),
                     hz_db_col(r, "updated_at"),  hz_db_col(r, "updated_by")};
  int rows = PQntuples(r) > st->page_size ? st->page_size : PQntuples(r);
  Huizong__V1__ListTargetsResponse out = HUIZONG__V1__LIST_TARGETS_RESPONSE__INIT;
  if (rows) {
    out.targets = hz_arena_alloc(hz_rpc_arena(rpc), (size_t)rows * sizeof(*out.targets));
    if (!out.targets) {
      hz_rpc_oom(rpc);
      return;
    }
  }
  for (int i = 0; i < rows; i++)
    if (!(out.targets[i] = target_from_row(rpc, r, &c, i))) {
      hz_rpc_oom(rpc);
      return;
    }
  out.n_targets = (size_t)rows;
  if (PQntuples(r) > st->page_size &&
      !(out.next_page_token = next_token(rpc, out.targets[rows - 1])))
    return;
  hz_rpc_reply(rpc, &out.base);
}

/* Filter checks; -1 after finishing the call. */
static int check_list_targets(hz_rpc_t *rpc, const Huizong__V1__ListTargetsRequest *req) {
  hz_period_t p;
  if (req->region_code[0] && hz_region_code_validate(req->region_code)) {
    hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "region_code: malformed region code %s",
                  hz_admin_quote(rpc, req->region_code));
    return -1;
  }
  if (req->indicator_code[0] && hz_indicator_code_validate(req->indicator_code)) {
    hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "indicator_code: malformed indicator code %s",
                  hz_admin_quote(rpc, req->indicator_code));
    return -1;
  }
  if (req->period[0] && hz_period_parse(req->period, &p)) {
    hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "period: malformed period %s: %s",
                  hz_admin_quote(rpc, req->period), hz_period_accepted_forms());
    return -1;
  }
  return 0;
}

void hz_admin_list_targets(hz_rpc_t *rpc, ProtobufCMessage *msg) {
  Huizong__V1__ListTargetsRequest *req = (Huizong__V1__ListTargetsRequest *)msg;
  const char *after;
  if (check_list_targets(rpc, req) ||
      hz_admin_page_after(rpc, req->page_token, target_key_ok, &after))
    return;
  int page = hz_rpc_page_size(rpc, req->page_size, TARGETS_PAGE_DEFAULT, TARGETS_PAGE_MAX);
  if (page < 0)
    return;
  hz_arena_t *a = hz_rpc_arena(rpc);
  list_targets_t *st = hz_arena_zalloc(a, sizeof(*st));
  const char **check = hz_admin_params(rpc, 2);
  const char **params = hz_admin_params(rpc, 8);
  if (!st || !check || !params || (after && position_params(rpc, after, params))) {
    hz_rpc_oom(rpc);
    return;
  }
  /* Without a region a scoped token lists its own subtree. */
  st->root = req->region_code[0] ? req->region_code : hz_rpc_scope_param(rpc);
  st->page_size = page;
  params[0] = st->root;
  params[1] = req->indicator_code[0] ? req->indicator_code : NULL;
  params[2] = req->period[0] ? req->period : NULL;
  params[7] = hz_pg_int(a, page + 1);
  if (!params[7]) {
    hz_rpc_oom(rpc);
    return;
  }
  hz_db_stmt_t q[2];
  int n = 0;
  if (st->root)
    q[n++] = hz_rpc_scope_stmt(rpc, check, st->root);
  q[n++] = (hz_db_stmt_t){.id = HZ_STMT_ADMIN_LIST_TARGETS, .values = params};
  hz_rpc_query(rpc, q, n, on_targets_listed, st);
}
