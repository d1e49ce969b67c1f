/* "targets import FILE.csv": creates or updates targets (任务/目标, Admin/
 * ImportTargets) from rows region,indicator,period,value, the value an
 * exact decimal in the indicator's unit. */
#include <stdlib.h>

#include "calls.h"
#include "commands.h"
#include "import.h"

#define IMPORT_TARGETS_METHOD "/huizong.v1.Admin/ImportTargets"

enum { COL_REGION, COL_INDICATOR, COL_PERIOD, COL_VALUE, NCOLS };

static const hz_csv_column_t target_columns[] = {
    [COL_REGION] = {"region|region_code", 1},
    [COL_INDICATOR] = {"indicator|indicator_code", 1},
    [COL_PERIOD] = {"period", 1},
    [COL_VALUE] = {"value|target", 1},
};

static const hz_cli_opt_t targets_import_opts[] = {
    {"dry-run", NULL, "validate only: the server stores nothing"},
    {NULL, NULL, NULL},
};

static int run_targets_import(hz_cli_t *cli) {
  hz_import_t im;
  Huizong__V1__TargetRow *rows = NULL;
  Huizong__V1__TargetRow **ptrs = NULL;
  int rc = hz_import_open(&im, cli, target_columns, NCOLS);
  if (rc == HZ_EXIT_OK) {
    rows = calloc(im.nrows ? im.nrows : 1, sizeof(*rows));
    ptrs = calloc(im.nrows ? im.nrows : 1, sizeof(*ptrs));
    if (!rows || !ptrs)
      rc = hz_cli_error(cli, "out of memory");
  }
  for (size_t i = 0; rc == HZ_EXIT_OK && i < im.nrows; i++) {
    huizong__v1__target_row__init(&rows[i]);
    rows[i].line = (int32_t)hz_import_row(&im, i)->line;
    rows[i].region_code = (char *)hz_import_get(&im, i, COL_REGION);
    rows[i].indicator_code = (char *)hz_import_get(&im, i, COL_INDICATOR);
    rows[i].period = (char *)hz_import_get(&im, i, COL_PERIOD);
    rows[i].value = (char *)hz_import_get(&im, i, COL_VALUE);
    ptrs[i] = &rows[i];
  }
  if (rc == HZ_EXIT_OK)
    rc = hz_import_verdict(&im);
  if (rc == HZ_EXIT_OK) {
    Huizong__V1__ImportTargetsRequest req = HUIZONG__V1__IMPORT_TARGETS_REQUEST__INIT;
    req.rows = ptrs;
    req.n_rows = im.nrows;
    req.dry_run = hz_cli_flag(cli, "dry-run") > 0;
    rc = hz_import_send(cli, IMPORT_TARGETS_METHOD, &req.base);
  }
  free(rows);
  free(ptrs);
  hz_import_close(&im);
  return rc;
}

const hz_cli_cmd_t hz_cmd_targets_import = {
    .name = "targets import",
    .args = "FILE.csv",
    .summary = "create or update targets from CSV: region,indicator,period,value",
    .help = "Columns: region,indicator,period,value (a header line names them, any order).\n"
            "The value is an exact decimal in the indicator's unit; the period may be any\n"
            "type at or above the indicator's frequency (e.g. an annual task).",
    .opts = targets_import_opts,
    .min_args = 1,
    .max_args = 1,
    .run = run_targets_import,
};
