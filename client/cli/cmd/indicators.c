/* "indicators": the catalog as a clerk needs it — which code to write for
 * which figure, in which unit, at which frequency, within which bounds
 * (Admin/ListIndicators is open to every role). --period-type keeps the
 * indicators reported at that frequency. Ratio indicators are computed,
 * never submitted, and are left out. */
#include "commands.h"
#include "names.h"
#include "present.h"
#include "suggest.h"

static const hz_cli_opt_t indicators_opts[] = {
    {"period-type", "TYPE",
     "only indicators reported at this frequency: year, half_year, "
     "quarter, month (or 年度, 半年, 季度, 月度)"},
    {NULL, NULL, NULL},
};

static const char *const columns[] = {"code", "name", "unit", "frequency", "min", "max"};
#define NCOLS (sizeof(columns) / sizeof(columns[0]))

static int list(hz_cli_t *cli, const hz_catalog_t *cat, int period_type) {
  hz_table_t t;
  if (hz_table_init(&t, NCOLS, columns) < 0)
    return hz_cli_error(cli, "out of memory");
  int rc = HZ_EXIT_OK;
  for (size_t i = 0; i < cat->n && rc == HZ_EXIT_OK; i++) {
    const hz_cat_entry_t *e = &cat->v[i];
    if (e->ratio || (period_type && e->period_type != period_type))
      continue;
    const char *cells[NCOLS] = {e->code, e->name,
                                e->unit, hz_name_of(hz_names_period_type, e->period_type),
                                e->min,  e->max};
    if (hz_table_add_row(&t, cells) < 0)
      rc = hz_cli_error(cli, "out of memory");
  }
  if (rc == HZ_EXIT_OK)
    rc = hz_write_table(cli, &t);
  hz_table_free(&t);
  return rc;
}

static int run_indicators(hz_cli_t *cli) {
  const char *pt = hz_cli_opt(cli, "period-type");
  int period_type = 0;
  if (pt && hz_name_parse(hz_names_period_type, pt, 0, &period_type) < 0) {
    char names[200];
    hz_name_list(hz_names_period_type, names, sizeof(names));
    return hz_cli_usage(cli, "--period-type '%s' is not one of %s", pt, names);
  }
  hz_catalog_t cat;
  int rc = hz_catalog_fetch(cli, &cat);
  if (rc != HZ_EXIT_OK)
    return rc;
  rc = list(cli, &cat, period_type);
  hz_catalog_free(&cat);
  return rc;
}

const hz_cli_cmd_t hz_cmd_indicators = {
    .name = "indicators",
    .summary = "list the indicator codes a township submits: name, unit, frequency, bounds",
    .help = "The codes (or the names, when unique) go into the indicator column of a values\n"
            "file; `huizong template` writes a sheet with them ready to fill in.",
    .opts = indicators_opts,
    .run = run_indicators,
};
