/* "targets list": stored targets (Admin/ListTargets, every page) by
 * region, indicator and period. */
#include "calls.h"
#include "commands.h"
#include "huizong/v1/admin.pb-c.h"
#include "present.h"

#define LIST_TARGETS_METHOD "/huizong.v1.Admin/ListTargets"

static const hz_cli_opt_t targets_list_opts[] = {
    {"region", "CODE", "only this region's subtree"},
    {"indicator", "CODE", "only this indicator"},
    {"period", "PERIOD", "only this exact period"},
    {"page-size", "N", "rows fetched per call (default: the server's); all pages are shown"},
    {NULL, NULL, NULL},
};

static const char *const columns[] = {
    "region", "indicator", "period", "value", "updated_at", "updated_by",
};
#define NCOLS (sizeof(columns) / sizeof(columns[0]))

static int add_page(void *ud, const ProtobufCMessage *msg) {
  hz_table_t *t = ud;
  const Huizong__V1__ListTargetsResponse *page = (const void *)msg;
  for (size_t i = 0; i < page->n_targets; i++) {
    const Huizong__V1__Target *tg = page->targets[i];
    const char *cells[NCOLS] = {
        tg->region_code, tg->indicator_code,          tg->period,
        tg->value,       hz_cell_opt(tg->updated_at), hz_cell_opt(tg->updated_by),
    };
    if (hz_table_add_row(t, cells) < 0)
      return HZ_EXIT_REFUSED;
  }
  return HZ_EXIT_OK;
}

static const char *opt_or_empty(const hz_cli_t *cli, const char *name) {
  const char *v = hz_cli_opt(cli, name);
  return v ? v : "";
}

static int run_targets_list(hz_cli_t *cli) {
  Huizong__V1__ListTargetsRequest req = HUIZONG__V1__LIST_TARGETS_REQUEST__INIT;
  req.region_code = (char *)opt_or_empty(cli, "region");
  req.indicator_code = (char *)opt_or_empty(cli, "indicator");
  req.period = (char *)opt_or_empty(cli, "period");
  hz_table_t t;
  if (hz_table_init(&t, NCOLS, columns) < 0)
    return hz_cli_error(cli, "out of memory");
  hz_table_set_align(&t, 0, HZ_ALIGN_LEFT);
  hz_table_set_align(&t, 2, HZ_ALIGN_LEFT);
  int rc = hz_cli_unary_pages(cli, LIST_TARGETS_METHOD, &req.base,
                              &huizong__v1__list_targets_response__descriptor, add_page, &t);
  if (rc == HZ_EXIT_OK)
    rc = hz_write_table(cli, &t);
  hz_table_free(&t);
  return rc;
}

const hz_cli_cmd_t hz_cmd_targets_list = {
    .name = "targets list",
    .summary = "list targets",
    .opts = targets_list_opts,
    .run = run_targets_list,
};
