/* The region listing both "regions list" and "regions tree" are drawn
 * from: every page of Admin/ListRegions (pre-order, with depths) gathered
 * into one result table. */
#ifndef HZ_CLI_REGIONROWS_H
#define HZ_CLI_REGIONROWS_H

#include "cli.h"

/* Columns of the table hz_region_rows_fetch fills. */
enum {
  HZ_REGION_COL_CODE,
  HZ_REGION_COL_NAME,
  HZ_REGION_COL_LEVEL,
  HZ_REGION_COL_PARENT,
  HZ_REGION_COL_REPORTING,
  HZ_REGION_COL_DEPTH,
  HZ_REGION_COL_CHILDREN,
  HZ_REGION_NCOLS
};

/* Filters taken from the command line. */
typedef struct hz_region_query_s {
  const char *root;   /* subtree root, NULL = the whole forest */
  int max_depth;      /* levels below the root, 0 = all */
  int level;          /* RegionLevel to keep, 0 = all */
  int reporting_only; /* only reporting leaves */
} hz_region_query_t;

/* Initialises t with the columns above and fills it. Returns an HZ_EXIT
 * code (the table is initialised even on failure; free it). */
int hz_region_rows_fetch(hz_cli_t *cli, const hz_region_query_t *q, hz_table_t *t);

/* Parses --max-depth / --level style options shared by both commands.
 * Returns HZ_EXIT_OK or a usage exit code after printing why. */
int hz_region_query_from_cli(hz_cli_t *cli, hz_region_query_t *q);

#endif
