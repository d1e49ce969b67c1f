/* "regions import FILE.csv": creates or updates regions (Admin/
 * ImportRegions) from rows code,name,level,parent_code. The level is a
 * number 1..5 or a name (province, city, county, township, village, or
 * 省/市/县/乡镇/村); parent_code is empty for a root. The import is all or
 * nothing on the server; problems come back with their lines. */
#include <stdlib.h>

#include "calls.h"
#include "commands.h"
#include "import.h"
#include "names.h"

#define IMPORT_REGIONS_METHOD "/huizong.v1.Admin/ImportRegions"

enum { COL_CODE, COL_NAME, COL_LEVEL, COL_PARENT };

static const hz_csv_column_t region_columns[] = {
    [COL_CODE] = {"code|region_code", 1},
    [COL_NAME] = {"name", 1},
    [COL_LEVEL] = {"level", 1},
    [COL_PARENT] = {"parent_code|parent", 0},
};

static const hz_cli_opt_t regions_import_opts[] = {
    {"dry-run", NULL, "validate only: the server stores nothing"},
    {NULL, NULL, NULL},
};

/* The request's rows, pointing into the parsed file. */
typedef struct rows_s {
  Huizong__V1__RegionRow *rows;  /* one per data record */
  Huizong__V1__RegionRow **ptrs; /* the repeated field */
} rows_t;

static int build_rows(hz_import_t *im, rows_t *r) {
  char levels[128];
  hz_name_list(hz_names_level, levels, sizeof(levels));
  r->rows = calloc(im->nrows ? im->nrows : 1, sizeof(*r->rows));
  r->ptrs = calloc(im->nrows ? im->nrows : 1, sizeof(*r->ptrs));
  if (!r->rows || !r->ptrs)
    return -1;
  for (size_t i = 0; i < im->nrows; i++) {
    Huizong__V1__RegionRow *row = &r->rows[i];
    huizong__v1__region_row__init(row);
    row->line = (int32_t)hz_import_row(im, i)->line;
    row->code = (char *)hz_import_get(im, i, COL_CODE);
    row->name = (char *)hz_import_get(im, i, COL_NAME);
    row->parent_code = (char *)hz_import_get(im, i, COL_PARENT);
    const char *level = hz_import_get(im, i, COL_LEVEL);
    int v;
    if (hz_name_parse(hz_names_level, level, 1, &v) == 0)
      row->level = v;
    else if (*level)
      hz_diags_add(&im->diags, (size_t)row->line, "unknown level '%s' (1..5 or %s)", level, levels);
    r->ptrs[i] = row;
  }
  return 0;
}

static int run_regions_import(hz_cli_t *cli) {
  hz_import_t im;
  rows_t r = {0};
  int rc =
      hz_import_open(&im, cli, region_columns, sizeof(region_columns) / sizeof(region_columns[0]));
  if (rc == HZ_EXIT_OK && build_rows(&im, &r) < 0)
    rc = hz_cli_error(cli, "out of memory");
  if (rc == HZ_EXIT_OK)
    rc = hz_import_verdict(&im);
  if (rc == HZ_EXIT_OK) {
    Huizong__V1__ImportRegionsRequest req = HUIZONG__V1__IMPORT_REGIONS_REQUEST__INIT;
    req.rows = r.ptrs;
    req.n_rows = im.nrows;
    req.dry_run = hz_cli_flag(cli, "dry-run") > 0;
    rc = hz_import_send(cli, IMPORT_REGIONS_METHOD, &req.base);
  }
  free(r.rows);
  free(r.ptrs);
  hz_import_close(&im);
  return rc;
}

const hz_cli_cmd_t hz_cmd_regions_import = {
    .name = "regions import",
    .args = "FILE.csv",
    .summary = "create or update regions from CSV: code,name,level,parent_code",
    .help = "Columns: code,name,level,parent_code (a header line names them, any order).\n"
            "level: 1..5 or province, city, county, township, village (also 省 市 县 乡镇 村).\n"
            "parent_code is empty for a root; parents may come later in the file.",
    .opts = regions_import_opts,
    .min_args = 1,
    .max_args = 1,
    .run = run_regions_import,
};
