/* "completeness": who has reported under a region for a period
 * (Aggregation/Completeness): every expected township with its state, its
 * sub-period reports (应报 / 已报 / 及时, 报送率 / 及时率) and its last
 * submission and approval; with --by children (or a level), the rates per
 * child region instead (CompletenessRequest.group_by). A table is preceded
 * by the region's rates and the townships that have not reported, by
 * name; CSV, JSON and xlsx hold the rows alone (the totals follow from
 * them). */
#include <stdio.h>
#include <string.h>

#include "calls.h"
#include "commands.h"
#include "huizong/v1/aggregation.pb-c.h"
#include "names.h"
#include "present.h"
#include "statfmt.h"
#include "timearg.h"

#define COMPLETENESS_METHOD "/huizong.v1.Aggregation/Completeness"

static const hz_cli_opt_t completeness_opts[] = {
    {"region", "CODE", "region at any level; its townships are the expected units (required)"},
    {"period", "PERIOD", "period code at or above the reporting frequency (required)"},
    {"report-type", "TYPE", "type of the reports counted: month, quarter ... / 月度, 季度 ..."},
    {"by", "GROUP", "children (下级) or a level: the rates per region instead of townships"},
    {NULL, NULL, NULL},
};

/* Per township. */
enum {
  U_REGION,
  U_NAME,
  U_STATE,
  U_REPORTS,
  U_EXPECTED,
  U_REPORTED,
  U_ON_TIME,
  U_LATE,
  U_RATE,
  U_ON_TIME_RATE,
  U_REPORTED_PERIODS,
  U_LATE_PERIODS,
  U_MISSING_PERIODS,
  U_LAST_AT,
  U_LAST_BY,
  U_VALUES,
  U_APPROVED_BY,
  U_APPROVED_AT,
  U_EXCEPTION,
  U_LAST_ID,
  NUNIT
};
static const char *const unit_keys[NUNIT] = {
    "region",
    "name",
    "state",
    "reported",
    "expected_reports",
    "reported_reports",
    "on_time_reports",
    "late_reports",
    "reporting_rate_pct",
    "on_time_rate_pct",
    "reported_periods",
    "late_periods",
    "missing_periods",
    "last_submitted_at",
    "last_submitted_by",
    "values",
    "approved_by",
    "approved_at",
    "exception_open",
    "last_submission_id",
};
static const int unit_compact[] = {U_REGION,  U_NAME,         U_STATE,           U_REPORTS,
                                   U_RATE,    U_ON_TIME_RATE, U_MISSING_PERIODS, U_LATE_PERIODS,
                                   U_LAST_AT, U_APPROVED_BY};

/* Per child region (--by). */
enum {
  G_REGION,
  G_NAME,
  G_UNITS,
  G_MISSING_UNITS,
  G_EXPECTED,
  G_REPORTED,
  G_ON_TIME,
  G_LATE,
  G_RATE,
  G_ON_TIME_RATE,
  NGROUP
};
static const char *const group_keys[NGROUP] = {
    "region",
    "name",
    "expected_units",
    "missing_units",
    "expected_reports",
    "reported_reports",
    "on_time_reports",
    "late_reports",
    "reporting_rate_pct",
    "on_time_rate_pct",
};

/* Rates into cells[at..at+5]: expected, reported, on time, late, rates. */
static void rate_cells(hz_strpool_t *p, const Huizong__V1__ReportingRates *r, const char **at) {
  if (!r)
    return;
  at[0] = hz_cell_int(p, r->expected_reports);
  at[1] = hz_cell_int(p, r->reported_reports);
  at[2] = hz_cell_int(p, r->on_time_reports);
  at[3] = hz_cell_int(p, r->late_reports);
  at[4] = hz_cell_decimal(r->reporting_rate_pct);
  at[5] = hz_cell_decimal(r->on_time_rate_pct);
}

static const char *join(hz_strpool_t *p, char **v, size_t n) {
  if (n == 0)
    return NULL;
  char buf[512] = "";
  for (size_t i = 0; i < n; i++) {
    size_t used = strlen(buf);
    snprintf(buf + used, sizeof(buf) - used, "%s%s", i ? "," : "", v[i]);
  }
  return hz_strpool_printf(p, "%s", buf);
}

static int add_unit(hz_table_t *t, hz_strpool_t *p, const Huizong__V1__UnitStatus *u) {
  const char *c[NUNIT] = {NULL};
  c[U_REGION] = u->region ? u->region->code : NULL;
  c[U_NAME] = u->region ? u->region->name : NULL;
  c[U_STATE] = hz_name_of(hz_names_approval_state, u->state); /* a WORD column */
  rate_cells(p, u->rates, &c[U_EXPECTED]);
  if (u->rates) /* 已报/应报, for people */
    c[U_REPORTS] =
        hz_strpool_printf(p, "%d/%d", u->rates->reported_reports, u->rates->expected_reports);
  c[U_REPORTED_PERIODS] = join(p, u->reported_periods, u->n_reported_periods);
  c[U_LATE_PERIODS] = join(p, u->late_periods, u->n_late_periods);
  c[U_MISSING_PERIODS] = join(p, u->missing_periods, u->n_missing_periods);
  c[U_LAST_AT] = hz_cell_opt(u->last_submitted_at);
  c[U_LAST_BY] = hz_cell_opt(u->last_submitted_by);
  c[U_VALUES] = hz_cell_int(p, u->value_count);
  c[U_APPROVED_BY] = hz_cell_opt(u->approved_by);
  c[U_APPROVED_AT] = hz_cell_opt(u->approved_at);
  c[U_EXCEPTION] = hz_cell_bool(u->exception_open);
  c[U_LAST_ID] = hz_cell_opt(u->last_submission_id);
  return hz_table_add_row(t, c);
}

static int add_group(hz_table_t *t, hz_strpool_t *p, const Huizong__V1__CompletenessGroup *g) {
  const char *c[NGROUP] = {NULL};
  c[G_REGION] = g->region ? g->region->code : NULL;
  c[G_NAME] = g->region ? g->region->name : NULL;
  c[G_UNITS] = hz_cell_int(p, g->expected_units);
  c[G_MISSING_UNITS] = hz_cell_int(p, g->missing_units);
  rate_cells(p, g->rates, &c[G_EXPECTED]);
  return hz_table_add_row(t, c);
}

/* The name of a missing township, from the unit rows. */
static const char *unit_name(const Huizong__V1__CompletenessResponse *r, const char *code) {
  for (size_t i = 0; i < r->n_units; i++)
    if (r->units[i]->region && strcmp(r->units[i]->region->code, code) == 0)
      return r->units[i]->region->name;
  return NULL;
}

static void print_rates(hz_cli_t *cli, const Huizong__V1__ReportingRates *rt) {
  if (!rt)
    return;
  const char *rate = hz_cell_decimal(rt->reporting_rate_pct);
  const char *on_time = hz_cell_decimal(rt->on_time_rate_pct);
  fprintf(cli->out,
          hz_cli_tr(cli,
                    "reports: %d expected, %d reported, %d on time, %d late; "
                    "reporting rate %s%s, on-time rate %s%s\n",
                    "应报 %d 期次，已报 %d，及时 %d，迟报 %d；报送率 %s%s，及时率 %s%s\n"),
          rt->expected_reports, rt->reported_reports, rt->on_time_reports, rt->late_reports,
          rate ? rate : "-", rate ? "%" : "", on_time ? on_time : "-", on_time ? "%" : "");
}

static void print_counts(hz_cli_t *cli, const Huizong__V1__CompletenessResponse *r) {
  const Huizong__V1__RegionRef *reg = r->region;
  fprintf(
      cli->out,
      hz_cli_tr(
          cli, "%s %s  %s: %d of %d reported, %d approved, %d partial, %d missing\n",
          "%1$s %2$s  %3$s：应报单位 %5$d 个，已报 %4$d，已审核 %6$d，部分已报 %7$d，未报 %8$d\n"),
      reg ? reg->code : "", reg ? reg->name : "", r->period, r->reported_count, r->expected_count,
      r->approved_count, r->partial_count, r->missing_count);
  print_rates(cli, r->rates);
  if (r->deadline && *r->deadline) {
    char when[64];
    hz_time_display(r->deadline, cli->tz_minutes, when);
    fprintf(cli->out, "%s%s\n", hz_cli_tr(cli, "deadline: ", "截止时间："), when);
  }
  if (r->n_missing_region_codes > 0) {
    fputs(hz_cli_tr(cli, "not reported:", "未报："), cli->out);
    for (size_t i = 0; i < r->n_missing_region_codes; i++) {
      const char *name = unit_name(r, r->missing_region_codes[i]);
      fprintf(cli->out, " %s%s%s%s", name ? name : "", name ? "(" : "", r->missing_region_codes[i],
              name ? ")" : "");
    }
    fputc('\n', cli->out);
  }
  fputc('\n', cli->out);
}

static void set_compact(hz_table_t *t, const int *cols, size_t n) {
  for (size_t c = 0; c < t->ncols; c++)
    hz_table_set_flags(t, c, HZ_COL_DATA);
  for (size_t i = 0; i < n; i++)
    hz_table_set_flags(t, (size_t)cols[i], HZ_COL_DATA | HZ_COL_TABLE | HZ_COL_SPARSE);
  hz_table_set_flags(t, U_REPORTS, HZ_COL_TABLE | HZ_COL_SPARSE);
  hz_table_set_flags(t, 0, HZ_COL_DATA | HZ_COL_TABLE);
  hz_table_set_flags(t, 1, HZ_COL_DATA | HZ_COL_TABLE);
  hz_table_set_align(t, 0, HZ_ALIGN_LEFT);
}

static int print_completeness(hz_cli_t *cli, const Huizong__V1__CompletenessResponse *r,
                              int grouped) {
  hz_table_t t;
  hz_strpool_t pool;
  if (hz_table_init(&t, grouped ? NGROUP : NUNIT, grouped ? group_keys : unit_keys) < 0)
    return hz_cli_error(cli, "out of memory");
  hz_strpool_init(&pool);
  if (!grouped)
    set_compact(&t, unit_compact, sizeof(unit_compact) / sizeof(unit_compact[0]));
  else
    hz_table_set_align(&t, 0, HZ_ALIGN_LEFT);
  int rc = HZ_EXIT_OK;
  size_t n = grouped ? r->n_groups : r->n_units;
  for (size_t i = 0; i < n && rc == HZ_EXIT_OK; i++)
    if ((grouped ? add_group(&t, &pool, r->groups[i]) : add_unit(&t, &pool, r->units[i])) < 0)
      rc = hz_cli_error(cli, "out of memory");
  if (rc == HZ_EXIT_OK) {
    if (cli->format == HZ_FORMAT_TABLE)
      print_counts(cli, r);
    rc = hz_write_table(cli, &t);
  }
  hz_table_free(&t);
  hz_strpool_free(&pool);
  return rc;
}

static int run_completeness(hz_cli_t *cli) {
  Huizong__V1__CompletenessRequest req = HUIZONG__V1__COMPLETENESS_REQUEST__INIT;
  const char *region, *period, *type = hz_cli_opt(cli, "report-type");
  int rc, t;
  if ((rc = hz_cli_need(cli, "region", &region)) != HZ_EXIT_OK ||
      (rc = hz_cli_need(cli, "period", &period)) != HZ_EXIT_OK ||
      (rc = hz_cli_group_opt(cli, (int *)&req.group_by, (int *)&req.level)) != HZ_EXIT_OK)
    return rc;
  if (type) {
    if (hz_name_parse(hz_names_period_type, type, 0, &t) < 0)
      return hz_cli_usage(cli,
                          "invalid --report-type '%s' (year, half_year, quarter, month; "
                          "年度, 半年, 季度, 月度)",
                          type);
    req.report_period_type = t;
  }
  req.region_code = (char *)region;
  req.period = (char *)period;
  ProtobufCMessage *resp;
  rc = hz_cli_unary(cli, COMPLETENESS_METHOD, &req.base,
                    &huizong__v1__completeness_response__descriptor, &resp, NULL);
  if (rc == HZ_EXIT_OK) {
    rc = print_completeness(cli, (Huizong__V1__CompletenessResponse *)resp,
                            req.group_by > HUIZONG__V1__GROUP_BY__GROUP_BY_NONE);
    protobuf_c_message_free_unpacked(resp, NULL);
  }
  return rc;
}

const hz_cli_cmd_t hz_cmd_completeness = {
    .name = "completeness",
    .summary = "which townships under a region have reported for a period, with 报送率 and 及时率",
    .opts = completeness_opts,
    .run = run_completeness,
};
