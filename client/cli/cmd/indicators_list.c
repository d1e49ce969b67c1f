/* "indicators list": the indicator catalog by code (Admin/ListIndicators,
 * every page): unit, frequency, how it aggregates over time and regions,
 * bounds, and the definition of ratio indicators. */
#include <stdlib.h>

#include "calls.h"
#include "commands.h"
#include "huizong/v1/admin.pb-c.h"
#include "names.h"
#include "present.h"

#define LIST_INDICATORS_METHOD "/huizong.v1.Admin/ListIndicators"

static const hz_cli_opt_t indicators_list_opts[] = {
    {"codes", "A,B", "only these indicator codes"},
    {"page-size", "N", "rows fetched per call (default: the server's); all pages are shown"},
    {NULL, NULL, NULL},
};

static const char *const columns[] = {
    "code", "name", "unit",      "frequency",   "time_aggregation", "region_aggregation",
    "min",  "max",  "numerator", "denominator", "factor",           "description",
};
#define NCOLS (sizeof(columns) / sizeof(columns[0]))

static int add_page(void *ud, const ProtobufCMessage *msg) {
  hz_table_t *t = ud;
  const Huizong__V1__ListIndicatorsResponse *page = (const void *)msg;
  for (size_t i = 0; i < page->n_indicators; i++) {
    const Huizong__V1__Indicator *ind = page->indicators[i];
    const Huizong__V1__Ratio *ra = ind->ratio;
    const char *cells[NCOLS] = {
        ind->code,
        ind->name,
        ind->unit,
        hz_name_of(hz_names_period_type, ind->period_type),
        hz_name_of(hz_names_time_aggregation, ind->time_aggregation),
        hz_name_of(hz_names_region_aggregation, ind->region_aggregation),
        hz_cell_decimal(ind->min_value),
        hz_cell_decimal(ind->max_value),
        ra ? ra->numerator_code : NULL,
        ra ? ra->denominator_code : NULL,
        ra ? hz_cell_opt(ra->factor) : NULL,
        hz_cell_opt(ind->description),
    };
    if (hz_table_add_row(t, cells) < 0)
      return HZ_EXIT_REFUSED;
  }
  return HZ_EXIT_OK;
}

static int run_indicators_list(hz_cli_t *cli) {
  Huizong__V1__ListIndicatorsRequest req = HUIZONG__V1__LIST_INDICATORS_REQUEST__INIT;
  hz_strpool_t pool;
  hz_strpool_init(&pool);
  char **codes = NULL;
  const char *list = hz_cli_opt(cli, "codes");
  if (list) {
    int n = hz_split_list(&pool, list, &codes);
    if (n < 0) {
      hz_strpool_free(&pool);
      return hz_cli_error(cli, "out of memory");
    }
    req.codes = codes;
    req.n_codes = (size_t)n;
  }
  hz_table_t t;
  int rc = HZ_EXIT_OK;
  if (hz_table_init(&t, NCOLS, columns) < 0)
    rc = hz_cli_error(cli, "out of memory");
  if (rc == HZ_EXIT_OK)
    rc = hz_cli_unary_pages(cli, LIST_INDICATORS_METHOD, &req.base,
                            &huizong__v1__list_indicators_response__descriptor, add_page, &t);
  if (rc == HZ_EXIT_OK)
    rc = hz_write_table(cli, &t);
  hz_table_free(&t);
  free(codes);
  hz_strpool_free(&pool);
  return rc;
}

const hz_cli_cmd_t hz_cmd_indicators_list = {
    .name = "indicators list",
    .summary = "list the indicator catalog",
    .opts = indicators_list_opts,
    .run = run_indicators_list,
};
