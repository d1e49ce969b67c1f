/* "template": a fill-in sheet for one township and period, written
 * through output.h (csv, or xlsx where the output side supports it):
 * every indicator reported at the period's frequency with its code, name
 * and unit, the value of the same period a year earlier (Aggregation/
 * GetReport of that period, when the township reported it) to check
 * against, and empty value and comment columns. `huizong submit --file`
 * reads the sheet back as it is: the descriptive columns are ignored by
 * name and rows left blank are not reported. Headers are Chinese under a
 * Chinese locale (指标代码, 指标名称, 计量单位, 上年同期, 本期数值, 备注). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calls.h"
#include "commands.h"
#include "huizong/v1/aggregation.pb-c.h"
#include "names.h"
#include "present.h"
#include "suggest.h"

#define GET_REPORT_METHOD "/huizong.v1.Aggregation/GetReport"

static const hz_cli_opt_t template_opts[] = {
    {"region", "CODE", "the township (required)"},
    {"period", "PERIOD", "the period to fill in, e.g. 2022Q1 (required)"},
    {NULL, NULL, NULL},
};

/* The period type of a DHIS2 period code (2022, 2022S1, 2022Q1, 202203),
 * 0 when it is none of them; the server judges the details. */
static int period_type_of(const char *p) {
  size_t n = strlen(p);
  if (n == 4)
    return 1;
  if (n == 6 && p[4] == 'S')
    return 2;
  if (n == 6 && p[4] == 'Q')
    return 3;
  if (n == 6)
    return 4;
  return 0;
}

/* The same period a year earlier: the year's digits minus one. */
static int year_earlier(const char *p, char *out, size_t len) {
  char *end;
  long y = strtol(p, &end, 10);
  if (strlen(p) < 4 || y < 1001 || end < p + 4)
    return -1;
  snprintf(out, len, "%04ld%s", y - 1, p + 4);
  return 0;
}

/* The value of code in the report, or NULL. */
static const char *reported(const Huizong__V1__Report *r, const char *code) {
  for (size_t i = 0; r && i < r->n_values; i++)
    if (r->values[i]->indicator && strcmp(r->values[i]->indicator->code, code) == 0)
      return r->values[i]->value;
  return NULL;
}

static int write_sheet(hz_cli_t *cli, const hz_catalog_t *cat, int type,
                       const Huizong__V1__Report *last) {
  const char *const headers[] = {
      hz_cli_tr(cli, "code", "指标代码"),  hz_cli_tr(cli, "name", "指标名称"),
      hz_cli_tr(cli, "unit", "计量单位"),  hz_cli_tr(cli, "last_year", "上年同期"),
      hz_cli_tr(cli, "value", "本期数值"), hz_cli_tr(cli, "comment", "备注"),
  };
  enum { NC = sizeof(headers) / sizeof(headers[0]) };
  hz_table_t t;
  if (hz_table_init(&t, NC, headers) < 0)
    return hz_cli_error(cli, "out of memory");
  hz_table_set_kind(&t, 3, HZ_KIND_DECIMAL); /* last year: a number cell in xlsx */
  for (size_t c = 0; c < NC; c++)
    hz_table_set_flags(&t, c, HZ_COL_TABLE | HZ_COL_DATA); /* empty columns are the point */
  int rc = HZ_EXIT_OK;
  size_t rows = 0;
  for (size_t i = 0; i < cat->n && rc == HZ_EXIT_OK; i++) {
    const hz_cat_entry_t *e = &cat->v[i];
    if (e->ratio || e->period_type != type)
      continue;
    const char *cells[NC] = {e->code, e->name, e->unit, reported(last, e->code), NULL, NULL};
    if (hz_table_add_row(&t, cells) < 0)
      rc = hz_cli_error(cli, "out of memory");
    rows++;
  }
  if (rc == HZ_EXIT_OK && rows == 0)
    rc = hz_cli_error(cli, "no indicator is reported at the frequency of this period");
  if (rc == HZ_EXIT_OK) {
    hz_format_t saved = cli->o.format;
    if (cli->o.format == HZ_FORMAT_TABLE)
      cli->o.format = HZ_FORMAT_CSV; /* a sheet to fill in, not a display */
    rc = hz_write_table(cli, &t);
    cli->o.format = saved;
  }
  hz_table_free(&t);
  return rc;
}

static int run_template(hz_cli_t *cli) {
  const char *region, *period;
  int rc;
  if ((rc = hz_cli_need(cli, "region", &region)) != HZ_EXIT_OK ||
      (rc = hz_cli_need(cli, "period", &period)) != HZ_EXIT_OK)
    return rc;
  int type = period_type_of(period);
  char before[32];
  if (!type || year_earlier(period, before, sizeof(before)) < 0)
    return hz_cli_usage(cli, "--period '%s' is not a period code (2022, 2022S1, 2022Q1, 202203)",
                        period);
  hz_catalog_t cat;
  if ((rc = hz_catalog_fetch(cli, &cat)) != HZ_EXIT_OK)
    return rc;
  Huizong__V1__GetReportRequest req = HUIZONG__V1__GET_REPORT_REQUEST__INIT;
  req.region_code = (char *)region;
  req.period = before;
  ProtobufCMessage *last = NULL;
  rc = hz_cli_unary(cli, GET_REPORT_METHOD, &req.base, &huizong__v1__report__descriptor, &last,
                    NULL);
  if (rc == HZ_EXIT_OK)
    rc = write_sheet(cli, &cat, type, (const Huizong__V1__Report *)last);
  if (last)
    protobuf_c_message_free_unpacked(last, NULL);
  hz_catalog_free(&cat);
  return rc;
}

const hz_cli_cmd_t hz_cmd_template = {
    .name = "template",
    .summary = "write a fill-in sheet for a township and period (codes, names, last year)",
    .help = "Columns: code, name, unit, last_year (the same period a year earlier), value,\n"
            "comment; Chinese headers under a Chinese locale. CSV by default (the table\n"
            "format makes no sense for a sheet); --format xlsx --output FILE for Excel. Fill in "
            "the value column (leave a row blank\n"
            "when the figure is not reported this time) and send the sheet back with\n"
            "`huizong submit --region R --period P --file SHEET`.",
    .opts = template_opts,
    .run = run_template,
};
