/* "rollup": aggregated values of a region for one period (Aggregation/
 * Rollup), for the region itself, each of its children, or each of its
 * descendants at one level; with the value a year earlier and the growth
 * (同比), the previous period and the change (环比), the target and its
 * completion, and progress against the annual target.
 *
 * Figures the server leaves undefined stay empty (null in JSON), never 0.
 * The table shows names and units and percentages as "28.00%"; CSV and
 * JSON carry codes and names, bare percentages ("28.00") and the periods
 * each comparison refers to. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calls.h"
#include "commands.h"
#include "huizong/v1/aggregation.pb-c.h"
#include "names.h"
#include "present.h"
#include "statfmt.h"

#define ROLLUP_METHOD "/huizong.v1.Aggregation/Rollup"

static const hz_cli_opt_t rollup_opts[] = {
    {"region", "CODE", "region at any level, e.g. 420624 (required)"},
    {"period", "PERIOD", "period of any type at or above the indicators' frequency (required)"},
    {"indicators", "A,B", "indicator codes, in this order (default: all that fit the period)"},
    {"by", "GROUP", "none (default), children, a level (township, 乡镇, county ...) or level:N"},
    {"total", NULL, "with --by children/level: also show the region's own rows first"},
    {NULL, NULL, NULL},
};

/* Every column, in csv/json order; the compact table (HZ_COL_TABLE) shows
 * names, 本期 and 累计 with their changes side by side (累计 right after
 * 本期's change, so the csv keeps that order too), progress and a
 * partial coverage. Table-only columns (FIGURE kind) combine fields. */
enum {
  C_REGION_CODE,
  C_REGION_NAME,
  C_IND_CODE,
  C_IND_NAME,
  C_UNIT,
  C_BASIS,
  C_VALUE,
  C_REPORTED,
  C_REPORTING,
  C_EXPECTED,
  C_PY_PERIOD,
  C_PY_VALUE,
  C_YOY,
  C_YOY_PCT,
  C_YOY_PP,
  C_YTD_VALUE,
  C_YTD_YOY,
  C_PP_PERIOD,
  C_PP_VALUE,
  C_POP,
  C_POP_PCT,
  C_POP_PP,
  C_TARGET,
  C_COMPLETION,
  C_ANNUAL_PERIOD,
  C_ANNUAL_TARGET,
  C_ANNUAL_PROGRESS,
  C_COVERAGE,
  C_COV_COVERED,
  C_COV_TOTAL,
  C_COV_PERIODS,
  C_COV_COMPLETE,
  C_SAME,
  C_YTD_FROM,
  C_YTD_TO,
  C_YTD_UNITS,
  C_YTD_COVERAGE,
  C_YTD_PY,
  C_YTD_YOY_PCT,
  C_YTD_YOY_PP,
  C_YTD_PROGRESS,
  C_YTD_SAME,
  NCOLS
};

static const char *const keys[NCOLS] = {
    "region_code",
    "region_name",
    "indicator_code",
    "indicator_name",
    "unit",
    "change_basis",
    "value",
    "reported",
    "reporting_units",
    "expected_units",
    "previous_year_period",
    "previous_year_value",
    "yoy",
    "yoy_growth_pct",
    "yoy_change_pp",
    "ytd_value",
    "ytd_yoy",
    "previous_period",
    "previous_period_value",
    "pop",
    "pop_change_pct",
    "pop_change_pp",
    "target",
    "completion_pct",
    "annual_period",
    "annual_target",
    "annual_progress_pct",
    "coverage",
    "coverage_covered",
    "coverage_total",
    "coverage_periods",
    "coverage_complete",
    "yoy_same_subperiods",
    "ytd_from_period",
    "ytd_to_period",
    "ytd_reporting_units",
    "ytd_coverage",
    "ytd_previous_year_value",
    "ytd_yoy_growth_pct",
    "ytd_yoy_change_pp",
    "ytd_annual_progress_pct",
    "ytd_same_subperiods",
};

/* Columns of the compact table; the FIGURE ones are for people only. */
static const int compact[] = {
    C_REGION_NAME, C_IND_NAME, C_UNIT,       C_VALUE,           C_REPORTED, C_YOY,
    C_YTD_VALUE,   C_YTD_YOY,  C_COMPLETION, C_ANNUAL_PROGRESS, C_COVERAGE};
static const int people_only[] = {C_REPORTED, C_YOY, C_POP, C_COVERAGE, C_YTD_YOY, C_YTD_COVERAGE};

static void set_flags(hz_table_t *t) {
  for (size_t c = 0; c < NCOLS; c++)
    hz_table_set_flags(t, c, HZ_COL_DATA);
  for (size_t i = 0; i < sizeof(people_only) / sizeof(people_only[0]); i++)
    hz_table_set_flags(t, (size_t)people_only[i], 0);
  for (size_t i = 0; i < sizeof(compact) / sizeof(compact[0]); i++)
    hz_table_set_flags(t, (size_t)compact[i], t->flags[compact[i]] | HZ_COL_TABLE | HZ_COL_SPARSE);
  hz_table_set_flags(t, C_REGION_NAME, HZ_COL_TABLE | HZ_COL_DATA);
  hz_table_set_flags(t, C_IND_NAME, HZ_COL_TABLE | HZ_COL_DATA);
  hz_table_set_flags(t, C_VALUE, HZ_COL_TABLE | HZ_COL_DATA);
  hz_table_set_align(t, C_REGION_CODE, HZ_ALIGN_LEFT);
  hz_table_set_align(t, C_IND_CODE, HZ_ALIGN_LEFT);
}

static const char *ref_code(const Huizong__V1__RegionRef *r) {
  return r ? r->code : NULL;
}
static const char *ref_name(const Huizong__V1__RegionRef *r) {
  return r ? r->name : NULL;
}

static const char *basis_name(int b) {
  return b == HUIZONG__V1__CHANGE_BASIS__CHANGE_BASIS_POINTS   ? "points"
         : b == HUIZONG__V1__CHANGE_BASIS__CHANGE_BASIS_GROWTH ? "growth"
                                                               : NULL;
}

static const char *bool_or_null(int present, int v) {
  return present ? hz_cell_bool(v) : NULL;
}

/* The coverage fields of cells from `at` (covered, total, periods, complete). */
static void coverage_cells(hz_strpool_t *p, const Huizong__V1__Coverage *cv, const char **at) {
  if (!cv)
    return;
  at[0] = hz_cell_int(p, cv->covered);
  at[1] = hz_cell_int(p, cv->total);
  char list[256] = "";
  for (size_t i = 0; i < cv->n_covered_periods; i++) {
    size_t used = strlen(list);
    snprintf(list + used, sizeof(list) - used, "%s%s", i ? "," : "", cv->covered_periods[i]);
  }
  at[2] = hz_strpool_printf(p, "%s", list);
  at[3] = hz_cell_bool(cv->complete);
}

/* The people-only figures: changes and coverage in words. */
static void people_cells(hz_cli_t *cli, hz_strpool_t *p, const Huizong__V1__RollupRow *r,
                         const char **cells) {
  char buf[160];
  int type = r->indicator ? r->indicator->period_type : 0;
  cells[C_REPORTED] = hz_strpool_printf(p, "%d/%d", r->reporting_units, r->expected_units);
  cells[C_YOY] = hz_cell_opt(hz_strpool_printf(
      p, "%s", hz_stat_change(cli->lang, r->yoy_growth_pct, r->yoy_change_pp, buf, sizeof(buf))));
  cells[C_POP] = hz_cell_opt(hz_strpool_printf(
      p, "%s", hz_stat_change(cli->lang, r->pop_change_pct, r->pop_change_pp, buf, sizeof(buf))));
  cells[C_COVERAGE] = hz_cell_opt(
      hz_strpool_printf(p, "%s", hz_stat_coverage(cli->lang, r->coverage, type, buf, sizeof(buf))));
  const Huizong__V1__YearToDate *y = r->ytd;
  if (!y)
    return;
  cells[C_YTD_YOY] = hz_cell_opt(hz_strpool_printf(
      p, "%s", hz_stat_change(cli->lang, y->yoy_growth_pct, y->yoy_change_pp, buf, sizeof(buf))));
  cells[C_YTD_COVERAGE] = hz_cell_opt(
      hz_strpool_printf(p, "%s", hz_stat_coverage(cli->lang, y->coverage, type, buf, sizeof(buf))));
}

static void ytd_cells(hz_strpool_t *p, const Huizong__V1__YearToDate *y, const char **cells) {
  if (!y)
    return;
  cells[C_YTD_VALUE] = hz_cell_decimal(y->value);
  cells[C_YTD_FROM] = hz_cell_opt(y->from_period);
  cells[C_YTD_TO] = hz_cell_opt(y->to_period);
  cells[C_YTD_UNITS] = hz_cell_int(p, y->reporting_units);
  cells[C_YTD_PY] = hz_cell_decimal(y->previous_year_value);
  cells[C_YTD_YOY_PCT] = hz_cell_decimal(y->yoy_growth_pct);
  cells[C_YTD_YOY_PP] = hz_cell_decimal(y->yoy_change_pp);
  cells[C_YTD_PROGRESS] = hz_cell_decimal(y->annual_progress_pct);
  cells[C_YTD_SAME] = hz_cell_bool(y->yoy_same_subperiods);
}

static int add_row(hz_cli_t *cli, hz_table_t *t, hz_strpool_t *p, const Huizong__V1__RollupRow *r) {
  const Huizong__V1__IndicatorRef *ind = r->indicator;
  const char *cells[NCOLS] = {NULL};
  cells[C_REGION_CODE] = ref_code(r->region);
  cells[C_REGION_NAME] = ref_name(r->region);
  cells[C_IND_CODE] = ind ? ind->code : NULL;
  cells[C_IND_NAME] = ind ? (ind->name && *ind->name ? ind->name : ind->code) : NULL;
  cells[C_UNIT] = ind ? hz_cell_opt(ind->unit) : NULL;
  cells[C_BASIS] = ind ? basis_name(ind->change_basis) : NULL;
  cells[C_VALUE] = hz_cell_decimal(r->value);
  cells[C_REPORTING] = hz_cell_int(p, r->reporting_units);
  cells[C_EXPECTED] = hz_cell_int(p, r->expected_units);
  cells[C_PY_PERIOD] = hz_cell_opt(r->previous_year_period);
  cells[C_PY_VALUE] = hz_cell_decimal(r->previous_year_value);
  cells[C_YOY_PCT] = hz_cell_decimal(r->yoy_growth_pct);
  cells[C_YOY_PP] = hz_cell_decimal(r->yoy_change_pp);
  cells[C_PP_PERIOD] = hz_cell_opt(r->previous_period);
  cells[C_PP_VALUE] = hz_cell_decimal(r->previous_period_value);
  cells[C_POP_PCT] = hz_cell_decimal(r->pop_change_pct);
  cells[C_POP_PP] = hz_cell_decimal(r->pop_change_pp);
  cells[C_TARGET] = hz_cell_decimal(r->target);
  cells[C_COMPLETION] = hz_cell_decimal(r->completion_pct);
  cells[C_ANNUAL_PERIOD] = hz_cell_opt(r->annual_period);
  cells[C_ANNUAL_TARGET] = hz_cell_decimal(r->annual_target);
  cells[C_ANNUAL_PROGRESS] = hz_cell_decimal(r->annual_progress_pct);
  coverage_cells(p, r->coverage, &cells[C_COV_COVERED]);
  cells[C_SAME] = bool_or_null(r->coverage != NULL, r->yoy_same_subperiods);
  ytd_cells(p, r->ytd, cells);
  people_cells(cli, p, r, cells);
  return hz_table_add_row(t, cells);
}

static void print_title(hz_cli_t *cli, const Huizong__V1__RollupResponse *r) {
  fprintf(cli->out, "%s %s  %s (%s)\n\n", ref_code(r->region) ? ref_code(r->region) : "",
          ref_name(r->region) ? ref_name(r->region) : "", r->period,
          hz_stat_period_type(cli->lang, r->period_type));
}

static int print_rollup(hz_cli_t *cli, const Huizong__V1__RollupResponse *r) {
  hz_table_t t;
  hz_strpool_t pool;
  hz_strpool_init(&pool);
  if (hz_table_init(&t, NCOLS, keys) < 0)
    return hz_cli_error(cli, "out of memory");
  set_flags(&t);
  int rc = HZ_EXIT_OK;
  for (size_t i = 0; i < r->n_rows && rc == HZ_EXIT_OK; i++)
    if (add_row(cli, &t, &pool, r->rows[i]) < 0)
      rc = hz_cli_error(cli, "out of memory");
  if (rc == HZ_EXIT_OK) {
    if (cli->format == HZ_FORMAT_TABLE)
      print_title(cli, r);
    rc = hz_write_table(cli, &t);
  }
  if (r->n_skipped_indicator_codes > 0) {
    fputs(hz_cli_msg(cli, HZ_MSG_NOTE), cli->err);
    fprintf(cli->err,
            hz_cli_tr(cli, "skipped, reported less often than %s:", "已跳过（报送频率低于 %s）："),
            r->period);
    for (size_t i = 0; i < r->n_skipped_indicator_codes; i++)
      fprintf(cli->err, " %s", r->skipped_indicator_codes[i]);
    fputc('\n', cli->err);
  }
  hz_table_free(&t);
  hz_strpool_free(&pool);
  return rc;
}

static int run_rollup(hz_cli_t *cli) {
  Huizong__V1__RollupRequest req = HUIZONG__V1__ROLLUP_REQUEST__INIT;
  const char *region, *period;
  int rc;
  if ((rc = hz_cli_need(cli, "region", &region)) != HZ_EXIT_OK ||
      (rc = hz_cli_need(cli, "period", &period)) != HZ_EXIT_OK ||
      (rc = hz_cli_group_opt(cli, (int *)&req.group_by, (int *)&req.level)) != HZ_EXIT_OK)
    return rc;
  if (hz_cli_flag(cli, "total") && req.group_by == HUIZONG__V1__GROUP_BY__GROUP_BY_NONE)
    return hz_cli_usage(cli, "--total needs --by children or --by level:N");
  req.region_code = (char *)region;
  req.period = (char *)period;
  req.include_total = hz_cli_flag(cli, "total") > 0;
  hz_strpool_t pool;
  hz_strpool_init(&pool);
  char **codes;
  if ((rc = hz_cli_opt_list(cli, "indicators", &pool, &codes, &req.n_indicator_codes)) !=
      HZ_EXIT_OK)
    return rc;
  req.indicator_codes = codes;
  ProtobufCMessage *resp;
  rc = hz_cli_unary(cli, ROLLUP_METHOD, &req.base, &huizong__v1__rollup_response__descriptor, &resp,
                    NULL);
  if (rc == HZ_EXIT_OK) {
    rc = print_rollup(cli, (Huizong__V1__RollupResponse *)resp);
    protobuf_c_message_free_unpacked(resp, NULL);
  }
  free(codes);
  hz_strpool_free(&pool);
  return rc;
}

const hz_cli_cmd_t hz_cmd_rollup = {
    .name = "rollup",
    .summary = "aggregated values of a region for a period, with growth, targets and progress",
    .opts = rollup_opts,
    .run = run_rollup,
};
