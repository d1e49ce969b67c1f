/* "regions list": the region tree as a flat table in pre-order (Admin/
 * ListRegions, every page), optionally one subtree, one level, or only the
 * reporting townships. */
#include "commands.h"
#include "present.h"
#include "regionrows.h"

static const hz_cli_opt_t regions_list_opts[] = {
    {"region", "CODE", "only this region's subtree (root included)"},
    {"max-depth", "N", "levels below the root to include (default all)"},
    {"level", "LEVEL", "only this level: 1..5 or province, city, county, township, village"},
    {"reporting-only", NULL, "only reporting regions (townships)"},
    {"page-size", "N", "rows fetched per call (default: the server's); all pages are shown"},
    {NULL, NULL, NULL},
};

static int run_regions_list(hz_cli_t *cli) {
  hz_region_query_t q;
  int rc = hz_region_query_from_cli(cli, &q);
  if (rc != HZ_EXIT_OK)
    return rc;
  hz_table_t t;
  rc = hz_region_rows_fetch(cli, &q, &t);
  if (rc == HZ_EXIT_OK)
    rc = hz_write_table(cli, &t);
  hz_table_free(&t);
  return rc;
}

const hz_cli_cmd_t hz_cmd_regions_list = {
    .name = "regions list",
    .summary = "list regions (pre-order) with level, parent and depth",
    .opts = regions_list_opts,
    .run = run_regions_list,
};
