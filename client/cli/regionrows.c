/* Fetching the region listing for the region commands. */
#include "regionrows.h"

#include <stdlib.h>

#include "calls.h"
#include "huizong/v1/admin.pb-c.h"
#include "names.h"
#include "present.h"

#define LIST_REGIONS_METHOD "/huizong.v1.Admin/ListRegions"

static const char *const region_headers[HZ_REGION_NCOLS] = {
    [HZ_REGION_COL_CODE] = "code",           [HZ_REGION_COL_NAME] = "name",
    [HZ_REGION_COL_LEVEL] = "level",         [HZ_REGION_COL_PARENT] = "parent_code",
    [HZ_REGION_COL_REPORTING] = "reporting", [HZ_REGION_COL_DEPTH] = "depth",
    [HZ_REGION_COL_CHILDREN] = "children",
};

static int add_page(void *ud, const ProtobufCMessage *msg) {
  hz_table_t *t = ud;
  const Huizong__V1__ListRegionsResponse *page = (const void *)msg;
  char depth[16], children[16];
  for (size_t i = 0; i < page->n_regions; i++) {
    const Huizong__V1__Region *r = page->regions[i];
    snprintf(depth, sizeof(depth), "%d", r->depth);
    snprintf(children, sizeof(children), "%d", r->child_count);
    const char *row[HZ_REGION_NCOLS] = {
        [HZ_REGION_COL_CODE] = r->code,
        [HZ_REGION_COL_NAME] = r->name,
        [HZ_REGION_COL_LEVEL] = hz_name_of(hz_names_level, r->level),
        [HZ_REGION_COL_PARENT] = hz_cell_opt(r->parent_code),
        [HZ_REGION_COL_REPORTING] = hz_cell_bool(r->reporting),
        [HZ_REGION_COL_DEPTH] = depth,
        [HZ_REGION_COL_CHILDREN] = children,
    };
    if (hz_table_add_row(t, row) < 0)
      return HZ_EXIT_REFUSED;
  }
  return HZ_EXIT_OK;
}

int hz_region_rows_fetch(hz_cli_t *cli, const hz_region_query_t *q, hz_table_t *t) {
  if (hz_table_init(t, HZ_REGION_NCOLS, region_headers) < 0)
    return hz_cli_error(cli, "out of memory");
  hz_table_set_align(t, HZ_REGION_COL_CODE, HZ_ALIGN_LEFT);
  hz_table_set_align(t, HZ_REGION_COL_PARENT, HZ_ALIGN_LEFT);
  Huizong__V1__ListRegionsRequest req = HUIZONG__V1__LIST_REGIONS_REQUEST__INIT;
  req.root_code = (char *)(q->root ? q->root : "");
  req.max_depth = q->max_depth;
  req.level = q->level;
  req.reporting_only = q->reporting_only;
  return hz_cli_unary_pages(cli, LIST_REGIONS_METHOD, &req.base,
                            &huizong__v1__list_regions_response__descriptor, add_page, t);
}

int hz_region_query_from_cli(hz_cli_t *cli, hz_region_query_t *q) {
  const char *depth = hz_cli_opt(cli, "max-depth");
  const char *level = hz_cli_opt(cli, "level");
  q->root = hz_cli_opt(cli, "region");
  q->max_depth = 0;
  q->level = 0;
  q->reporting_only = hz_cli_flag(cli, "reporting-only") > 0;
  if (depth) {
    char *end;
    long v = strtol(depth, &end, 10);
    if (*end || end == depth || v < 0 || v > 10)
      return hz_cli_usage(cli, "invalid --max-depth '%s' (0..10, 0 = all)", depth);
    q->max_depth = (int)v;
  }
  if (level && hz_name_parse(hz_names_level, level, 1, &q->level) < 0) {
    char list[128];
    hz_name_list(hz_names_level, list, sizeof(list));
    return hz_cli_usage(cli, "invalid --level '%s' (1..5 or %s)", level, list);
  }
  return HZ_EXIT_OK;
}
