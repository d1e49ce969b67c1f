/* Admin indicators: ImportIndicators (syntax here, references and stored
 * state in hz_import_indicators, one job per request) and ListIndicators
 * (by code, paged by code). */
#include <string.h>

#include "api/admin/admin.h"
#include "api/pgtext.h"
#include "domain/decimal.h"
#include "domain/ident.h"
#include "domain/period.h"

#define INDICATORS_PAGE_DEFAULT 1000
#define INDICATORS_PAGE_MAX     10000
#define TIME_AGG_MAX            HUIZONG__V1__TIME_AGGREGATION__TIME_AGGREGATION_MAX
#define REGION_AGG_MAX          HUIZONG__V1__REGION_AGGREGATION__REGION_AGGREGATION_NONE
/* Fraction digits a ratio may be rounded to (Ratio.scale). */
#define RATIO_SCALE_MAX         6
#define CHANGE_BASIS_MAX        HUIZONG__V1__CHANGE_BASIS__CHANGE_BASIS_POINTS
/* Parameters of ADMIN_IMPORT_INDICATORS. */
#define IMPORT_PARAMS           20

/* One row's fields as the database receives them (NULL = none/refused). */
typedef struct indicator_cols_s {
  const char **code, **name, **unit, **min, **max, **num, **den, **factor, **desc;
  int32_t *period_type, *time_agg, *region_agg, *scale;
  int32_t *basis;          /* ChangeBasis; 0 = derived by hz_change_basis_of (migration 012) */
  const char **yoy, **pop; /* outlier bands (migration 014), NULL = off */
} indicator_cols_t;

/* ---- ImportIndicators ---------------------------------------------------- */

/* Checks a decimal field and writes its canonical text to *out (arena).
 * Returns 0 (also when it recorded a problem), -1 after finishing the call. */
static int check_decimal(hz_rpc_t *rpc, hz_admin_import_t *imp, int i, const char *field,
                         const char *text, const char **out) {
  char norm[HZ_DECIMAL_BUFSIZE], why[96];
  *out = NULL;
  if (hz_decimal_normalize(text, strlen(text), norm, sizeof(norm)) == 0) {
    *out = hz_arena_strdup(hz_rpc_arena(rpc), norm);
    if (!*out) {
      hz_rpc_oom(rpc);
      return -1;
    }
    return 0;
  }
  if (hz_decimal_validate(text, strlen(text), why, sizeof(why)) == 0)
    snprintf(why, sizeof(why), "too long");
  return hz_admin_problem(rpc, imp, i, HZ_PK_MALFORMED, field, "malformed decimal %s: %s",
                          hz_admin_quote(rpc, text), why);
}

/* Free text: names and units are one line and required, descriptions not. */
static int check_text(hz_rpc_t *rpc, hz_admin_import_t *imp, int i, const char *field,
                      const char *s, size_t max, int prose, const char **out) {
  const char *why;
  *out = NULL;
  if (!s[0] && !prose)
    return hz_admin_problem(rpc, imp, i, HZ_PK_MISSING, field, "%s is missing", field);
  if ((why = hz_admin_text_problem(s, max, prose)))
    return hz_admin_problem(rpc, imp, i, HZ_PK_MALFORMED, field, "%s %s", field, why);
  *out = s;
  return 0;
}

/* An enum field: 0 is missing, beyond max malformed. */
static int check_enum(hz_rpc_t *rpc, hz_admin_import_t *imp, int i, const char *field, int v,
                      int max, const char *accepted, int32_t *out) {
  *out = HZ_ADMIN_NULL_INT;
  if (v == 0)
    return hz_admin_problem(rpc, imp, i, HZ_PK_MISSING, field, "%s is missing (%s)", field,
                            accepted);
  if (v < 0 || v > max)
    return hz_admin_problem(rpc, imp, i, HZ_PK_MALFORMED, field, "unknown %s %d (%s)", field, v,
                            accepted);
  *out = v;
  return 0;
}

static int check_part_code(hz_rpc_t *rpc, hz_admin_import_t *imp, int i, const char *field,
                           const char *code, const char **out) {
  *out = NULL;
  if (!code[0])
    return hz_admin_problem(rpc, imp, i, HZ_PK_MISSING, field, "a ratio needs %s", field);
  if (hz_indicator_code_validate(code))
    return hz_admin_problem(rpc, imp, i, HZ_PK_MALFORMED, field,
                            "malformed indicator code %s: [a-z0-9_.-], starting with a letter",
                            hz_admin_quote(rpc, code));
  *out = code;
  return 0;
}

static int check_ratio(hz_rpc_t *rpc, hz_admin_import_t *imp, int i,
                       const Huizong__V1__Ratio *ratio, const indicator_cols_t *c) {
  if (!ratio)
    return 0;
  if (check_part_code(rpc, imp, i, "ratio.numerator_code", ratio->numerator_code, &c->num[i]) ||
      check_part_code(rpc, imp, i, "ratio.denominator_code", ratio->denominator_code, &c->den[i]))
    return -1;
  if (ratio->factor[0] && check_decimal(rpc, imp, i, "ratio.factor", ratio->factor, &c->factor[i]))
    return -1;
  if (ratio->scale < 0 || ratio->scale > RATIO_SCALE_MAX)
    return hz_admin_problem(rpc, imp, i, HZ_PK_MALFORMED, "ratio.scale",
                            "ratio scale %d is outside 0..%d (0 = 2)", ratio->scale,
                            RATIO_SCALE_MAX);
  c->scale[i] = ratio->scale;
  return 0;
}

static int check_bounds(hz_rpc_t *rpc, hz_admin_import_t *imp, int i,
                        const Huizong__V1__Indicator *ind, const indicator_cols_t *c) {
  if (ind->min_value && check_decimal(rpc, imp, i, "min_value", ind->min_value->value, &c->min[i]))
    return -1;
  if (ind->max_value && check_decimal(rpc, imp, i, "max_value", ind->max_value->value, &c->max[i]))
    return -1;
  if (c->min[i] && c->max[i] && hz_decimal_cmp(c->min[i], c->max[i]) > 0)
    return hz_admin_problem(rpc, imp, i, HZ_PK_OUT_OF_BOUNDS, "min_value",
                            "minimum %s is above maximum %s", c->min[i], c->max[i]);
  return 0;
}

/* An outlier band: a decimal above 0 (percent or points), unset = off. */
static int check_band(hz_rpc_t *rpc, hz_admin_import_t *imp, int i, const char *field,
                      const Huizong__V1__Decimal *band, const char **out) {
  if (!band)
    return 0;
  if (check_decimal(rpc, imp, i, field, band->value, out))
    return -1;
  if (*out && hz_decimal_cmp(*out, "0") <= 0)
    return hz_admin_problem(rpc, imp, i, HZ_PK_OUT_OF_BOUNDS, field,
                            "%s %s must be above 0 (percent or points either way)", field, *out);
  return 0;
}

static int check_indicator_row(hz_rpc_t *rpc, hz_admin_import_t *imp, int i,
                               const Huizong__V1__IndicatorRow *row, const indicator_cols_t *c) {
  const Huizong__V1__Indicator *ind = row->indicator;
  c->period_type[i] = c->time_agg[i] = c->region_agg[i] = c->scale[i] = HZ_ADMIN_NULL_INT;
  if (!ind)
    return hz_admin_problem(rpc, imp, i, HZ_PK_MISSING, "indicator", "the row has no indicator");
  imp->rows.keys[i] = imp->rows.indicators[i] = ind->code;
  if (!ind->code[0]) {
    if (hz_admin_problem(rpc, imp, i, HZ_PK_MISSING, "code", "indicator code is missing"))
      return -1;
  } else if (hz_indicator_code_validate(ind->code)) {
    if (hz_admin_problem(rpc, imp, i, HZ_PK_MALFORMED, "code",
                         "malformed indicator code %s: [a-z0-9_.-], starting with a letter",
                         hz_admin_quote(rpc, ind->code)))
      return -1;
  } else {
    c->code[i] = ind->code;
  }
  if (check_text(rpc, imp, i, "name", ind->name, HZ_ADMIN_MAX_NAME, 0, &c->name[i]) ||
      check_text(rpc, imp, i, "unit", ind->unit, HZ_ADMIN_MAX_UNIT, 0, &c->unit[i]) ||
      check_enum(rpc, imp, i, "period_type", (int)ind->period_type, HZ_PERIOD_MONTH,
                 "year, half_year, quarter or month", &c->period_type[i]) ||
      check_enum(rpc, imp, i, "time_aggregation", (int)ind->time_aggregation, TIME_AGG_MAX,
                 "sum, last, average, min or max", &c->time_agg[i]) ||
      check_enum(rpc, imp, i, "region_aggregation", (int)ind->region_aggregation, REGION_AGG_MAX,
                 "sum, average, min, max or none", &c->region_agg[i]) ||
      check_bounds(rpc, imp, i, ind, c) || check_ratio(rpc, imp, i, ind->ratio, c) ||
      check_band(rpc, imp, i, "yoy_band", ind->yoy_band, &c->yoy[i]) ||
      check_band(rpc, imp, i, "pop_band", ind->pop_band, &c->pop[i]) ||
      check_text(rpc, imp, i, "description", ind->description, HZ_ADMIN_MAX_DESCRIPTION, 1,
                 &c->desc[i]))
    return -1;
  /* Unspecified is passed through: the database derives it. */
  c->basis[i] = (int32_t)ind->change_basis;
  if (ind->change_basis < 0 || (int)ind->change_basis > CHANGE_BASIS_MAX)
    return hz_admin_problem(rpc, imp, i, HZ_PK_MALFORMED, "change_basis",
                            "unknown change_basis %d (growth, points or unspecified to derive it)",
                            (int)ind->change_basis);
  return 0;
}

static int alloc_cols(hz_arena_t *a, size_t n, indicator_cols_t *c) {
  const char ***texts[] = {&c->code, &c->name,   &c->unit, &c->min, &c->max, &c->num,
                           &c->den,  &c->factor, &c->desc, &c->yoy, &c->pop};
  int32_t **ints[] = {&c->period_type, &c->time_agg, &c->region_agg, &c->scale, &c->basis};
  for (size_t k = 0; k < sizeof(texts) / sizeof(texts[0]); k++)
    if (!(*texts[k] = hz_arena_zalloc(a, n * sizeof(char *))))
      return -1;
  for (size_t k = 0; k < sizeof(ints) / sizeof(ints[0]); k++)
    if (!(*ints[k] = hz_arena_zalloc(a, n * sizeof(int32_t))))
      return -1;
  return 0;
}

void hz_admin_import_indicators(hz_rpc_t *rpc, ProtobufCMessage *msg) {
  Huizong__V1__ImportIndicatorsRequest *req = (Huizong__V1__ImportIndicatorsRequest *)msg;
  size_t n = req->n_rows;
  hz_admin_import_t *imp = hz_admin_import_new(rpc, n, req->dry_run, 1);
  if (!imp)
    return;
  hz_arena_t *a = hz_rpc_arena(rpc);
  indicator_cols_t c;
  const char **params = hz_admin_params(rpc, IMPORT_PARAMS);
  if (!params || alloc_cols(a, n, &c)) {
    hz_rpc_oom(rpc);
    return;
  }
  for (size_t i = 0; i < n; i++) {
    imp->rows.lines[i] = req->rows[i]->line;
    if (check_indicator_row(rpc, imp, (int)i, req->rows[i], &c))
      return;
    /* A refused description still needs a value: the column is NOT NULL. */
    if (!c.desc[i])
      c.desc[i] = "";
  }
  params[0] = hz_admin_int_array(a, imp->rows.lines, n);
  params[1] = hz_admin_text_array(rpc, c.code, n);
  params[2] = hz_admin_text_array(rpc, c.name, n);
  params[3] = hz_admin_text_array(rpc, c.unit, n);
  params[4] = hz_admin_int_array(a, c.period_type, n);
  params[5] = hz_admin_int_array(a, c.time_agg, n);
  params[6] = hz_admin_int_array(a, c.region_agg, n);
  params[7] = hz_admin_text_array(rpc, c.min, n);
  params[8] = hz_admin_text_array(rpc, c.max, n);
  params[9] = hz_admin_text_array(rpc, c.num, n);
  params[10] = hz_admin_text_array(rpc, c.den, n);
  params[11] = hz_admin_text_array(rpc, c.factor, n);
  params[12] = hz_admin_int_array(a, c.scale, n);
  params[13] = hz_admin_text_array(rpc, c.desc, n);
  params[14] = hz_admin_int_array(a, c.basis, n);
  params[15] = hz_admin_validate_only(imp);
  params[16] = hz_admin_actor_id(rpc);
  params[17] = rpc->who.name;
  params[18] = hz_admin_text_array(rpc, c.yoy, n);
  params[19] = hz_admin_text_array(rpc, c.pop, n);
  for (int i = 0; i < IMPORT_PARAMS; i++)
    if (!params[i]) {
      hz_rpc_oom(rpc);
      return;
    }
  hz_db_stmt_t q = {.id = HZ_STMT_ADMIN_IMPORT_INDICATORS, .values = params};
  hz_rpc_query(rpc, &q, 1, hz_admin_import_done, imp);
}

/* ---- ListIndicators ------------------------------------------------------- */

/* Where each Indicator column is in ADMIN_LIST_INDICATORS's result. */
typedef struct listed_cols_s {
  int code, name, unit, period_type, time_agg, region_agg, min, max; /* plain */
  int num, den, factor, scale; /* ratio parts; num NULL for a plain indicator */
  int description, updated_at; /* prose and the last change */
  int change_basis;            /* always stored: derived on import when unspecified */
  int yoy_band, pop_band;      /* outlier bands, NULL = off */
} listed_cols_t;

static listed_cols_t listed_cols(const PGresult *r) {
  return (listed_cols_t){
      .code = hz_db_col(r, "code"),
      .name = hz_db_col(r, "name"),
      .unit = hz_db_col(r, "unit"),
      .period_type = hz_db_col(r, "period_type"),
      .time_agg = hz_db_col(r, "time_aggregation"),
      .region_agg = hz_db_col(r, "region_aggregation"),
      .min = hz_db_col(r, "min_value"),
      .max = hz_db_col(r, "max_value"),
      .num = hz_db_col(r, "ratio_numerator"),
      .den = hz_db_col(r, "ratio_denominator"),
      .factor = hz_db_col(r, "ratio_factor"),
      .scale = hz_db_col(r, "ratio_scale"),
      .description = hz_db_col(r, "description"),
      .updated_at = hz_db_col(r, "updated_at"),
      .change_basis = hz_db_col(r, "change_basis"),
      .yoy_band = hz_db_col(r, "yoy_band"),
      .pop_band = hz_db_col(r, "pop_band"),
  };
}

/* The ratio of a row, NULL for a plain indicator or when out of memory. */
static Huizong__V1__Ratio *ratio_from_row(hz_rpc_t *rpc, const PGresult *r, const listed_cols_t *c,
                                          int row, int *oom) {
  if (hz_rpc_cell_null(r, row, c->num))
    return NULL;
  Huizong__V1__Ratio *q = hz_arena_alloc(hz_rpc_arena(rpc), sizeof(*q));
  if (!q) {
    *oom = 1;
    return NULL;
  }
  huizong__v1__ratio__init(q);
  q->numerator_code = (char *)hz_rpc_cell(rpc, r, row, c->num);
  q->denominator_code = (char *)hz_rpc_cell(rpc, r, row, c->den);
  q->factor = (char *)hz_rpc_cell(rpc, r, row, c->factor);
  q->scale = hz_rpc_cell_int(r, row, c->scale);
  return q;
}

static Huizong__V1__Indicator *indicator_from_row(hz_rpc_t *rpc, const PGresult *r,
                                                  const listed_cols_t *c, int row) {
  Huizong__V1__Indicator *d = hz_arena_alloc(hz_rpc_arena(rpc), sizeof(*d));
  if (!d)
    return NULL;
  int oom = 0;
  huizong__v1__indicator__init(d);
  d->code = (char *)hz_rpc_cell(rpc, r, row, c->code);
  d->name = (char *)hz_rpc_cell(rpc, r, row, c->name);
  d->unit = (char *)hz_rpc_cell(rpc, r, row, c->unit);
  d->period_type = (Huizong__V1__PeriodType)hz_rpc_cell_int(r, row, c->period_type);
  d->time_aggregation = (Huizong__V1__TimeAggregation)hz_rpc_cell_int(r, row, c->time_agg);
  d->region_aggregation = (Huizong__V1__RegionAggregation)hz_rpc_cell_int(r, row, c->region_agg);
  d->min_value = hz_admin_decimal_cell(rpc, r, row, c->min, &oom);
  d->max_value = hz_admin_decimal_cell(rpc, r, row, c->max, &oom);
  d->ratio = ratio_from_row(rpc, r, c, row, &oom);
  d->description = (char *)hz_rpc_cell(rpc, r, row, c->description);
  d->updated_at = (char *)hz_rpc_cell(rpc, r, row, c->updated_at);
  d->change_basis = (Huizong__V1__ChangeBasis)hz_rpc_cell_int(r, row, c->change_basis);
  d->yoy_band = hz_admin_decimal_cell(rpc, r, row, c->yoy_band, &oom);
  d->pop_band = hz_admin_decimal_cell(rpc, r, row, c->pop_band, &oom);
  return oom ? NULL : d;
}

typedef struct list_indicators_s {
  int page_size; /* rows shown; the job asks for one more */
} list_indicators_t;

static void on_indicators_listed(hz_rpc_t *rpc, const hz_db_result_t *res, void *tag) {
  list_indicators_t *st = tag;
  if (hz_rpc_db_failed(rpc, res))
    return;
  const PGresult *r = res->results[0];
  listed_cols_t c = listed_cols(r);
  int rows = PQntuples(r) > st->page_size ? st->page_size : PQntuples(r);
  Huizong__V1__ListIndicatorsResponse out = HUIZONG__V1__LIST_INDICATORS_RESPONSE__INIT;
  if (rows) {
    out.indicators = hz_arena_alloc(hz_rpc_arena(rpc), (size_t)rows * sizeof(*out.indicators));
    if (!out.indicators) {
      hz_rpc_oom(rpc);
      return;
    }
  }
  for (int i = 0; i < rows; i++)
    if (!(out.indicators[i] = indicator_from_row(rpc, r, &c, i))) {
      hz_rpc_oom(rpc);
      return;
    }
  out.n_indicators = (size_t)rows;
  if (PQntuples(r) > st->page_size &&
      !(out.next_page_token = hz_admin_page_token(rpc, out.indicators[rows - 1]->code)))
    return;
  hz_rpc_reply(rpc, &out.base);
}

void hz_admin_list_indicators(hz_rpc_t *rpc, ProtobufCMessage *msg) {
  Huizong__V1__ListIndicatorsRequest *req = (Huizong__V1__ListIndicatorsRequest *)msg;
  const char *after;
  if (req->n_codes > INDICATORS_PAGE_MAX) {
    hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "codes: at most %d codes", INDICATORS_PAGE_MAX);
    return;
  }
  for (size_t i = 0; i < req->n_codes; i++)
    if (hz_indicator_code_validate(req->codes[i])) {
      hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "codes[%zu]: malformed indicator code %s", i,
                    hz_admin_quote(rpc, req->codes[i]));
      return;
    }
  if (hz_admin_page_after(rpc, req->page_token, hz_indicator_code_validate, &after))
    return;
  int page = hz_rpc_page_size(rpc, req->page_size, INDICATORS_PAGE_DEFAULT, INDICATORS_PAGE_MAX);
  if (page < 0)
    return;
  list_indicators_t *st = hz_arena_zalloc(hz_rpc_arena(rpc), sizeof(*st));
  const char **params = hz_admin_params(rpc, 3);
  if (!st || !params) {
    hz_rpc_oom(rpc);
    return;
  }
  st->page_size = page;
  if (req->n_codes &&
      !(params[0] = hz_admin_text_array(rpc, (const char **)req->codes, req->n_codes)))
    return;
  params[1] = after;
  params[2] = hz_pg_int(hz_rpc_arena(rpc), page + 1);
  if (!params[2]) {
    hz_rpc_oom(rpc);
    return;
  }
  hz_db_stmt_t q = {.id = HZ_STMT_ADMIN_LIST_INDICATORS, .values = params};
  hz_rpc_query(rpc, &q, 1, on_indicators_listed, st);
}
