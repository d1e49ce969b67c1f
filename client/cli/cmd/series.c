/* "series": values of indicators for one region over consecutive periods
 * (Aggregation/Series), one row per indicator and one column per period;
 * with --cumulative the year-to-date points (累计).
 * A period with nothing reported is an empty cell (null in JSON). */
#include <stdlib.h>
#include <string.h>

#include "calls.h"
#include "commands.h"
#include "huizong/v1/aggregation.pb-c.h"
#include "names.h"
#include "present.h"
#include "statfmt.h"

#define SERIES_METHOD "/huizong.v1.Aggregation/Series"
/* Leading columns before the periods. */
#define FIXED_COLS    3

static const hz_cli_opt_t series_opts[] = {
    {"region", "CODE", "region at any level (required)"},
    {"indicators", "A,B", "indicator codes, in this order (default: all that fit the periods)"},
    {"from", "PERIOD", "first period, inclusive, e.g. 2021Q1 (required)"},
    {"to", "PERIOD", "last period, inclusive, same type as --from (required)"},
    {"cumulative", NULL, "year-to-date points (累计): each from the first period of its year"},
    {NULL, NULL, NULL},
};

/* The point of s for period k: the server sends one per period in order,
 * but a short list must not shift values under the wrong period. */
static const Huizong__V1__SeriesPoint *point_for(const Huizong__V1__IndicatorSeries *s,
                                                 const char *period, size_t k) {
  if (k < s->n_points && s->points[k]->period && strcmp(s->points[k]->period, period) == 0)
    return s->points[k];
  for (size_t i = 0; i < s->n_points; i++)
    if (s->points[i]->period && strcmp(s->points[i]->period, period) == 0)
      return s->points[i];
  return NULL;
}

static int fill(hz_table_t *t, const Huizong__V1__SeriesResponse *r) {
  size_t ncols = FIXED_COLS + r->n_periods;
  const char **cells = calloc(ncols, sizeof(*cells));
  if (!cells)
    return -1;
  int rc = 0;
  for (size_t i = 0; i < r->n_series && rc == 0; i++) {
    const Huizong__V1__IndicatorSeries *s = r->series[i];
    const Huizong__V1__IndicatorRef *ind = s->indicator;
    cells[0] = ind ? ind->code : NULL;
    cells[1] = ind ? ind->name : NULL;
    cells[2] = ind ? hz_cell_opt(ind->unit) : NULL;
    for (size_t k = 0; k < r->n_periods; k++) {
      const Huizong__V1__SeriesPoint *pt = point_for(s, r->periods[k], k);
      cells[FIXED_COLS + k] = pt ? hz_cell_decimal(pt->value) : NULL;
    }
    rc = hz_table_add_row(t, cells);
  }
  free(cells);
  return rc;
}

static int print_series(hz_cli_t *cli, const Huizong__V1__SeriesResponse *r) {
  size_t ncols = FIXED_COLS + r->n_periods;
  const char **headers = calloc(ncols, sizeof(*headers));
  if (!headers)
    return hz_cli_error(cli, "out of memory");
  headers[0] = "indicator";
  headers[1] = "name";
  headers[2] = "unit";
  for (size_t k = 0; k < r->n_periods; k++)
    headers[FIXED_COLS + k] = r->periods[k];
  hz_table_t t;
  int rc = HZ_EXIT_OK;
  if (hz_table_init(&t, ncols, headers) < 0 || fill(&t, r) < 0)
    rc = hz_cli_error(cli, "out of memory");
  for (size_t k = 0; rc == HZ_EXIT_OK && k < r->n_periods; k++)
    hz_table_set_kind(&t, FIXED_COLS + k, HZ_KIND_DECIMAL); /* figures, whatever the key */
  if (rc == HZ_EXIT_OK) {
    if (cli->format == HZ_FORMAT_TABLE && r->region)
      fprintf(cli->out, "%s %s  %s%s\n\n", r->region->code, r->region->name,
              hz_stat_period_type(cli->lang, r->period_type),
              r->cumulative ? hz_cli_tr(cli, ", year to date", "，累计") : "");
    rc = hz_write_table(cli, &t);
  }
  if (r->n_skipped_indicator_codes > 0) {
    fputs(hz_cli_msg(cli, HZ_MSG_NOTE), cli->err);
    fputs(hz_cli_tr(cli, "skipped, reported less often than the periods:",
                    "已跳过（报送频率低于所选时期）："),
          cli->err);
    for (size_t i = 0; i < r->n_skipped_indicator_codes; i++)
      fprintf(cli->err, " %s", r->skipped_indicator_codes[i]);
    fputc('\n', cli->err);
  }
  hz_table_free(&t);
  free(headers);
  return rc;
}

static int run_series(hz_cli_t *cli) {
  Huizong__V1__SeriesRequest req = HUIZONG__V1__SERIES_REQUEST__INIT;
  const char *region, *from, *to;
  int rc;
  if ((rc = hz_cli_need(cli, "region", &region)) != HZ_EXIT_OK ||
      (rc = hz_cli_need(cli, "from", &from)) != HZ_EXIT_OK ||
      (rc = hz_cli_need(cli, "to", &to)) != HZ_EXIT_OK)
    return rc;
  req.region_code = (char *)region;
  req.from_period = (char *)from;
  req.to_period = (char *)to;
  req.cumulative = hz_cli_flag(cli, "cumulative") > 0;
  hz_strpool_t pool;
  hz_strpool_init(&pool);
  char **codes;
  if ((rc = hz_cli_opt_list(cli, "indicators", &pool, &codes, &req.n_indicator_codes)) !=
      HZ_EXIT_OK)
    return rc;
  req.indicator_codes = codes;
  ProtobufCMessage *resp;
  rc = hz_cli_unary(cli, SERIES_METHOD, &req.base, &huizong__v1__series_response__descriptor, &resp,
                    NULL);
  if (rc == HZ_EXIT_OK) {
    rc = print_series(cli, (Huizong__V1__SeriesResponse *)resp);
    protobuf_c_message_free_unpacked(resp, NULL);
  }
  free(codes);
  hz_strpool_free(&pool);
  return rc;
}

const hz_cli_cmd_t hz_cmd_series = {
    .name = "series",
    .summary = "values of indicators for a region over consecutive periods",
    .opts = series_opts,
    .run = run_series,
};
