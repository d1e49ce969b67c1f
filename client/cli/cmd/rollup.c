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
#include <stdlib.h>
#include <string.h>

#include "calls.h"
#include "commands.h"
#include "huizong/v1/aggregation.pb-c.h"
#include "names.h"
#include "present.h"

#define ROLLUP_METHOD "/huizong.v1.Aggregation/Rollup"

static const hz_cli_opt_t rollup_opts[] = {
    {"region", "CODE", "region at any level, e.g. 420624 (required)"},
    {"period", "PERIOD", "period of any type at or above the indicators' frequency (required)"},
    {"indicators", "A,B", "indicator codes, in this order (default: all that fit the period)"},
    {"by", "GROUP", "none (default), children, or level:N (N = 1..5 or a level name)"},
    {"total", NULL, "with --by children/level: also show the region's own rows first"},
    {NULL, NULL, NULL},
};

/* Columns of the human table. */
static const char *const table_cols[] = {
    "region",        "name",
    "indicator",     "unit",
    "value",         "reported",
    "last_year",     "yoy",
    "prev_period",   "pop",
    "target",        "completion",
    "annual_target", "annual_progress",
};
#define NTABLE (sizeof(table_cols) / sizeof(table_cols[0]))

/* Columns of CSV and JSON. */
static const char *const data_cols[] = {
    "region_code",           "region_name",    "indicator_code",
    "indicator_name",        "unit",           "value",
    "reporting_units",       "expected_units", "previous_year_period",
    "previous_year_value",   "yoy_growth_pct", "previous_period",
    "previous_period_value", "pop_change_pct", "target",
    "completion_pct",        "annual_period",  "annual_target",
    "annual_progress_pct",
};
#define NDATA (sizeof(data_cols) / sizeof(data_cols[0]))

/* Parses --by into the request. Returns an exit code. */
static int parse_group(hz_cli_t *cli, const char *by, Huizong__V1__RollupRequest *req) {
  if (!by || strcmp(by, "none") == 0) {
    req->group_by = HUIZONG__V1__GROUP_BY__GROUP_BY_NONE;
    return HZ_EXIT_OK;
  }
  if (strcmp(by, "children") == 0) {
    req->group_by = HUIZONG__V1__GROUP_BY__GROUP_BY_CHILDREN;
    return HZ_EXIT_OK;
  }
  int level;
  if (strncmp(by, "level:", 6) == 0 && hz_name_parse(hz_names_level, by + 6, 1, &level) == 0) {
    req->group_by = HUIZONG__V1__GROUP_BY__GROUP_BY_LEVEL;
    req->level = level;
    return HZ_EXIT_OK;
  }
  return hz_cli_usage(cli,
                      "invalid --by '%s' (none, children, or level:N with N 1..5 or "
                      "province, city, county, township, village)",
                      by);
}

static const char *ref_code(const Huizong__V1__RegionRef *r) {
  return r ? r->code : NULL;
}
static const char *ref_name(const Huizong__V1__RegionRef *r) {
  return r ? r->name : NULL;
}

static int add_table_row(hz_cli_t *cli, hz_table_t *t, hz_strpool_t *p,
                         const Huizong__V1__RollupRow *r) {
  const Huizong__V1__IndicatorRef *ind = r->indicator;
  const char *cells[NTABLE] = {
      ref_code(r->region),
      ref_name(r->region),
      ind ? (ind->name && *ind->name ? ind->name : ind->code) : NULL,
      ind ? hz_cell_opt(ind->unit) : NULL,
      hz_cell_decimal(r->value),
      hz_strpool_printf(p, "%d/%d", r->reporting_units, r->expected_units),
      hz_cell_decimal(r->previous_year_value),
      hz_cell_percent(cli, p, r->yoy_growth_pct),
      hz_cell_decimal(r->previous_period_value),
      hz_cell_percent(cli, p, r->pop_change_pct),
      hz_cell_decimal(r->target),
      hz_cell_percent(cli, p, r->completion_pct),
      hz_cell_decimal(r->annual_target),
      hz_cell_percent(cli, p, r->annual_progress_pct),
  };
  return hz_table_add_row(t, cells);
}

static int add_data_row(hz_cli_t *cli, hz_table_t *t, hz_strpool_t *p,
                        const Huizong__V1__RollupRow *r) {
  const Huizong__V1__IndicatorRef *ind = r->indicator;
  const char *cells[NDATA] = {
      ref_code(r->region),
      ref_name(r->region),
      ind ? ind->code : NULL,
      ind ? ind->name : NULL,
      ind ? ind->unit : NULL,
      hz_cell_decimal(r->value),
      hz_cell_int(p, r->reporting_units),
      hz_cell_int(p, r->expected_units),
      hz_cell_opt(r->previous_year_period),
      hz_cell_decimal(r->previous_year_value),
      hz_cell_percent(cli, p, r->yoy_growth_pct),
      hz_cell_opt(r->previous_period),
      hz_cell_decimal(r->previous_period_value),
      hz_cell_percent(cli, p, r->pop_change_pct),
      hz_cell_decimal(r->target),
      hz_cell_percent(cli, p, r->completion_pct),
      hz_cell_opt(r->annual_period),
      hz_cell_decimal(r->annual_target),
      hz_cell_percent(cli, p, r->annual_progress_pct),
  };
  return hz_table_add_row(t, cells);
}

static void print_title(hz_cli_t *cli, const Huizong__V1__RollupResponse *r) {
  fprintf(cli->out, "%s %s  %s (%s)\n\n", ref_code(r->region) ? ref_code(r->region) : "",
          ref_name(r->region) ? ref_name(r->region) : "", r->period,
          hz_name_of(hz_names_period_type, r->period_type));
}

static int print_rollup(hz_cli_t *cli, const Huizong__V1__RollupResponse *r) {
  int human = cli->format == HZ_FORMAT_TABLE;
  hz_table_t t;
  hz_strpool_t pool;
  hz_strpool_init(&pool);
  if (hz_table_init(&t, human ? NTABLE : NDATA, human ? table_cols : data_cols) < 0)
    return hz_cli_error(cli, "out of memory");
  hz_table_set_align(&t, 0, HZ_ALIGN_LEFT);
  if (!human) {
    hz_table_set_align(&t, 8, HZ_ALIGN_LEFT);
    hz_table_set_align(&t, 11, HZ_ALIGN_LEFT);
    hz_table_set_align(&t, 16, HZ_ALIGN_LEFT);
  } else {
    hz_table_set_align(&t, 5, HZ_ALIGN_RIGHT);
  }
  int rc = HZ_EXIT_OK;
  for (size_t i = 0; i < r->n_rows && rc == HZ_EXIT_OK; i++) {
    int added = human ? add_table_row(cli, &t, &pool, r->rows[i])
                      : add_data_row(cli, &t, &pool, r->rows[i]);
    if (added < 0)
      rc = hz_cli_error(cli, "out of memory");
  }
  if (rc == HZ_EXIT_OK) {
    if (human)
      print_title(cli, r);
    rc = hz_write_table(cli, &t);
  }
  if (r->n_skipped_indicator_codes > 0) {
    fprintf(cli->err, "note: skipped, reported less often than %s:", r->period);
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
      (rc = parse_group(cli, hz_cli_opt(cli, "by"), &req)) != HZ_EXIT_OK)
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
