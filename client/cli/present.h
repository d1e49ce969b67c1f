/* How commands turn response messages into output cells: undefined
 * figures (an unset Decimal) as absent cells — empty in a table or CSV,
 * null in JSON, never 0 — canonical text everywhere (the column's kind
 * decides how each format shows it: output.h), single records as aligned
 * "label  value" lines, and a pool that owns the strings a row is built
 * from. */
#ifndef HZ_CLI_PRESENT_H
#define HZ_CLI_PRESENT_H

#include <stddef.h>
#include <stdint.h>

#include "cli.h"
#include "huizong/v1/common.pb-c.h"

/* Strings made while building output, freed together. */
typedef struct hz_strpool_s {
  char **v;   /* owned strings */
  size_t n;   /* how many */
  size_t cap; /* allocated */
} hz_strpool_t;

void hz_strpool_init(hz_strpool_t *p);
void hz_strpool_free(hz_strpool_t *p);
/* A pooled formatted string, or NULL when out of memory. */
const char *hz_strpool_printf(hz_strpool_t *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The value of a Decimal, NULL when unset (undefined). */
const char *hz_cell_decimal(const Huizong__V1__Decimal *d);
/* A percentage Decimal ("28.00"), NULL when unset; a PERCENT column
 * shows it as "28.00%" in a table (output.h). */
const char *hz_cell_percent(const hz_cli_t *cli, hz_strpool_t *p, const Huizong__V1__Decimal *d);
/* s, or NULL when s is NULL or empty ("never", "none"). */
const char *hz_cell_opt(const char *s);
const char *hz_cell_int(hz_strpool_t *p, long long v);
const char *hz_cell_bool(int v);

/* One result record: aligned "key  value" lines in a table, a header and
 * one row in CSV, a one-element array in JSON. Returns an HZ_EXIT code. */
int hz_write_record(hz_cli_t *cli, size_t n, const char *const *keys, const char *const *values);
/* A whole result table in the chosen format. Returns an HZ_EXIT code
 * (HZ_EXIT_USAGE for an unknown --columns name). */
int hz_write_table(hz_cli_t *cli, const hz_table_t *t);
/* A JSON document built by the command (a reference it takes). */
int hz_write_json(hz_cli_t *cli, json_t *doc);

/* The command option "by" (rollup, completeness): none / 无 (default),
 * children / 下级, a level by name in either language ("township", "乡镇",
 * "county", "县") or "level:N" / "level:NAME", into GroupBy and RegionLevel
 * numbers. Returns HZ_EXIT_OK or HZ_EXIT_USAGE after saying why. */
int hz_cli_group_opt(hz_cli_t *cli, int *group_by, int *level);

/* Splits "a,b,c" into the pool (empty items dropped). Returns the count,
 * or -1 when out of memory; *items is malloc'd (free it). */
int hz_split_list(hz_strpool_t *p, const char *s, char ***items);

/* The comma list given to option `name`, split into the pool: *items
 * (malloc'd; NULL and *n 0 when the option is absent). Returns HZ_EXIT_OK,
 * or the exit code of an error it has reported (the pool is then freed). */
int hz_cli_opt_list(hz_cli_t *cli, const char *name, hz_strpool_t *p, char ***items, size_t *n);

#endif
