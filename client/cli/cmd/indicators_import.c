/* "indicators import FILE.csv": creates or updates the indicator catalog
 * (Admin/ImportIndicators) from rows
 *   code,name,unit,frequency,time_aggregation,region_aggregation,min,max
 * and optionally numerator,denominator,factor (a ratio indicator), scale,
 * description and change_basis (growth|增长 or points|百分点; empty: the
 * server derives it, points for a ratio or a "%" unit), yoy_band and
 * pop_band (outlier bands: ± percent, or points for a points indicator;
 * empty: off). Frequencies:
 * month, quarter, half_year, year; time
 * aggregation: sum, last, average, min, max; region aggregation: sum,
 * average, min, max, none. An empty min or max means no bound. Bounds and
 * factors stay decimal text: the server checks them exactly. */
#include <stdlib.h>

#include "calls.h"
#include "commands.h"
#include "import.h"
#include "names.h"

#define IMPORT_INDICATORS_METHOD "/huizong.v1.Admin/ImportIndicators"

enum {
  COL_CODE,
  COL_NAME,
  COL_UNIT,
  COL_FREQ,
  COL_TIME,
  COL_REGION,
  COL_MIN,
  COL_MAX,
  COL_NUM,
  COL_DEN,
  COL_FACTOR,
  COL_SCALE,
  COL_DESC,
  COL_BASIS,
  COL_YOY,
  COL_POP,
  NCOLS
};

static const hz_csv_column_t indicator_columns[] = {
    [COL_CODE] = {"code|indicator", 1},
    [COL_NAME] = {"name", 1},
    [COL_UNIT] = {"unit", 0},
    [COL_FREQ] = {"frequency|period_type", 1},
    [COL_TIME] = {"time_aggregation", 0},
    [COL_REGION] = {"region_aggregation", 0},
    [COL_MIN] = {"min|min_value", 0},
    [COL_MAX] = {"max|max_value", 0},
    [COL_NUM] = {"numerator|numerator_code", 0},
    [COL_DEN] = {"denominator|denominator_code", 0},
    [COL_FACTOR] = {"factor", 0},
    [COL_SCALE] = {"scale", 0},
    [COL_DESC] = {"description", 0},
    [COL_BASIS] = {"change_basis", 0},
    [COL_YOY] = {"yoy_band", 0},
    [COL_POP] = {"pop_band", 0},
};

/* ChangeBasis: how the indicator's changes are stated (STATISTICS.md's
 * words too: 增长 relative growth, 百分点 percentage points). */
static const hz_name_t change_bases[] = {
    {"growth", 1}, {"增长", 1}, {"points", 2}, {"百分点", 2}, {"pp", 2}, {NULL, 0},
};

static const hz_cli_opt_t indicators_import_opts[] = {
    {"dry-run", NULL, "validate only: the server stores nothing"},
    {NULL, NULL, NULL},
};

/* Storage of the request, one slot per data record. */
typedef struct rows_s {
  Huizong__V1__IndicatorRow *rows;  /* the rows */
  Huizong__V1__IndicatorRow **ptrs; /* the repeated field */
  Huizong__V1__Indicator *ind;      /* each row's indicator */
  Huizong__V1__Decimal *min, *max;  /* bounds, used when given */
  Huizong__V1__Ratio *ratio;        /* ratio definitions, used when given */
  Huizong__V1__Decimal *yoy, *pop;  /* outlier bands, used when given */
} rows_t;

static void rows_free(rows_t *r) {
  free(r->rows);
  free(r->ptrs);
  free(r->ind);
  free(r->min);
  free(r->max);
  free(r->ratio);
  free(r->yoy);
  free(r->pop);
}

/* An optional decimal column into slot, linked into *field when given. */
static void opt_decimal(hz_import_t *im, size_t i, size_t col, Huizong__V1__Decimal *slot,
                        Huizong__V1__Decimal **field) {
  const char *s = hz_import_get(im, i, col);
  if (!*s)
    return;
  huizong__v1__decimal__init(slot);
  slot->value = (char *)s;
  *field = slot;
}

/* An enum column: empty stays unspecified (the server names it). */
static int enum_field(hz_import_t *im, size_t i, size_t col, const hz_name_t *names,
                      const char *what) {
  const char *s = hz_import_get(im, i, col);
  int v = 0;
  if (*s && hz_name_parse(names, s, 0, &v) < 0) {
    char list[128];
    hz_name_list(names, list, sizeof(list));
    hz_diags_add(&im->diags, hz_import_row(im, i)->line, "unknown %s '%s' (%s)", what, s, list);
  }
  return v;
}

static void set_ratio(hz_import_t *im, size_t i, rows_t *r) {
  size_t line = hz_import_row(im, i)->line;
  const char *num = hz_import_get(im, i, COL_NUM);
  const char *den = hz_import_get(im, i, COL_DEN);
  const char *factor = hz_import_get(im, i, COL_FACTOR);
  const char *scale = hz_import_get(im, i, COL_SCALE);
  if (!*num && !*den) {
    if (*factor || *scale)
      hz_diags_add(&im->diags, line, "factor/scale given without numerator and denominator");
    return;
  }
  if (!*num || !*den) {
    hz_diags_add(&im->diags, line, "a ratio needs both numerator and denominator");
    return;
  }
  Huizong__V1__Ratio *ra = &r->ratio[i];
  huizong__v1__ratio__init(ra);
  ra->numerator_code = (char *)num;
  ra->denominator_code = (char *)den;
  ra->factor = (char *)factor;
  if (*scale) {
    char *end;
    long v = strtol(scale, &end, 10);
    if (*end || v < 0 || v > 6)
      hz_diags_add(&im->diags, line, "scale '%s' is not a number of fraction digits 0..6", scale);
    ra->scale = (int32_t)v;
  }
  r->ind[i].ratio = ra;
}

static void build_row(hz_import_t *im, size_t i, rows_t *r) {
  Huizong__V1__Indicator *ind = &r->ind[i];
  huizong__v1__indicator__init(ind);
  ind->code = (char *)hz_import_get(im, i, COL_CODE);
  ind->name = (char *)hz_import_get(im, i, COL_NAME);
  ind->unit = (char *)hz_import_get(im, i, COL_UNIT);
  ind->description = (char *)hz_import_get(im, i, COL_DESC);
  ind->period_type = enum_field(im, i, COL_FREQ, hz_names_period_type, "frequency");
  ind->time_aggregation =
      enum_field(im, i, COL_TIME, hz_names_time_aggregation, "time aggregation");
  ind->region_aggregation =
      enum_field(im, i, COL_REGION, hz_names_region_aggregation, "region aggregation");
  ind->change_basis = enum_field(im, i, COL_BASIS, change_bases, "change basis");
  const char *min = hz_import_get(im, i, COL_MIN);
  const char *max = hz_import_get(im, i, COL_MAX);
  if (*min) {
    huizong__v1__decimal__init(&r->min[i]);
    r->min[i].value = (char *)min;
    ind->min_value = &r->min[i];
  }
  if (*max) {
    huizong__v1__decimal__init(&r->max[i]);
    r->max[i].value = (char *)max;
    ind->max_value = &r->max[i];
  }
  set_ratio(im, i, r);
  opt_decimal(im, i, COL_YOY, &r->yoy[i], &ind->yoy_band);
  opt_decimal(im, i, COL_POP, &r->pop[i], &ind->pop_band);
  huizong__v1__indicator_row__init(&r->rows[i]);
  r->rows[i].line = (int32_t)hz_import_row(im, i)->line;
  r->rows[i].indicator = ind;
  r->ptrs[i] = &r->rows[i];
}

static int build_rows(hz_import_t *im, rows_t *r) {
  size_t n = im->nrows ? im->nrows : 1;
  r->rows = calloc(n, sizeof(*r->rows));
  r->ptrs = calloc(n, sizeof(*r->ptrs));
  r->ind = calloc(n, sizeof(*r->ind));
  r->min = calloc(n, sizeof(*r->min));
  r->max = calloc(n, sizeof(*r->max));
  r->ratio = calloc(n, sizeof(*r->ratio));
  r->yoy = calloc(n, sizeof(*r->yoy));
  r->pop = calloc(n, sizeof(*r->pop));
  if (!r->rows || !r->ptrs || !r->ind || !r->min || !r->max || !r->ratio || !r->yoy || !r->pop)
    return -1;
  for (size_t i = 0; i < im->nrows; i++)
    build_row(im, i, r);
  return 0;
}

static int run_indicators_import(hz_cli_t *cli) {
  hz_import_t im;
  rows_t r = {0};
  int rc = hz_import_open(&im, cli, indicator_columns, NCOLS);
  if (rc == HZ_EXIT_OK && build_rows(&im, &r) < 0)
    rc = hz_cli_error(cli, "out of memory");
  if (rc == HZ_EXIT_OK)
    rc = hz_import_verdict(&im);
  if (rc == HZ_EXIT_OK) {
    Huizong__V1__ImportIndicatorsRequest req = HUIZONG__V1__IMPORT_INDICATORS_REQUEST__INIT;
    req.rows = r.ptrs;
    req.n_rows = im.nrows;
    req.dry_run = hz_cli_flag(cli, "dry-run") > 0;
    rc = hz_import_send(cli, IMPORT_INDICATORS_METHOD, &req.base);
  }
  rows_free(&r);
  hz_import_close(&im);
  return rc;
}

const hz_cli_cmd_t hz_cmd_indicators_import = {
    .name = "indicators import",
    .args = "FILE.csv",
    .summary = "create or update indicators from CSV (code,name,unit,frequency,...)",
    .help =
        "Columns (a header line names them, in any order; without one they are in this order):\n"
        "  code,name,unit,frequency,time_aggregation,region_aggregation,min,max\n"
        "  and optionally numerator,denominator,factor,scale,description,change_basis,\n"
        "  yoy_band,pop_band.\n"
        "frequency: month, quarter, half_year or year. time_aggregation: sum, last,\n"
        "average, min or max. region_aggregation: sum, average, min, max or none.\n"
        "An empty min or max means no bound. A ratio indicator names numerator and\n"
        "denominator indicators; factor (e.g. 100) and scale (fraction digits) are optional.\n"
        "change_basis: growth (增长) or points (百分点, rates); empty: points for a ratio or\n"
        "a % unit, else growth. yoy_band, pop_band: outlier bands (e.g. 50 = ±50%, points\n"
        "for a points indicator) outside which a value needs an explanation; empty: off.",
    .opts = indicators_import_opts,
    .min_args = 1,
    .max_args = 1,
    .run = run_indicators_import,
};
