/* Private to api/aggregation/: what the RPC files share. The region
 * statement every job starts with and the reading of its answer, request
 * checks (region, period, indicator codes), the indicator catalog of a
 * query, and the cell map that holds the exact parts hz_rollup_values
 * returns, looked up by (group, indicator, window) to build figures.
 * Functions that refuse a request finish the call (hz_rpc_finish or
 * hz_rpc_oom) and return NULL or -1: the caller just returns. */
#ifndef HZ_API_AGGREGATION_PRIVATE_H
#define HZ_API_AGGREGATION_PRIVATE_H

#include <libpq-fe.h>
#include <stdint.h>

#include "api/rpc.h"
#include "domain/figures.h"
#include "domain/period.h"
#include "domain/window.h"
#include "huizong/v1/aggregation.pb-c.h"

/* ---- regions and request fields (common.c) ------------------------------ */

/* Statement 0 of every job, AGG_REGION: region and whether it is in the
 * caller's scope. params needs room for 2 and must outlive the call. */
hz_db_stmt_t agg_region_stmt(hz_rpc_t *rpc, const char **params, const char *region);

/* Reads AGG_REGION's answer: NULL after finishing the call with NOT_FOUND
 * or PERMISSION_DENIED. *reporting (if not NULL) says whether the region
 * is a reporting unit. */
Huizong__V1__RegionRef *agg_region_checked(hz_rpc_t *rpc, const PGresult *r, const char *code,
                                           int *reporting);

/* Where a RegionRef's fields are in a result with code, name and level
 * columns (AGG_REGION, AGG_GROUPS, AGG_COMPLETENESS), found once per
 * result: column indexes, -1 for a missing column (an empty cell). */
typedef struct agg_region_cols_s {
  int code, name, level;
} agg_region_cols_t;

agg_region_cols_t agg_region_cols(const PGresult *r);
Huizong__V1__RegionRef *agg_region_ref(hz_rpc_t *rpc, const PGresult *r, int row,
                                       const agg_region_cols_t *cols);

/* The region a query is about: the request's (checked), or when empty the
 * caller's own; NULL after refusing. */
const char *agg_target_region(hz_rpc_t *rpc, const char *requested);

/* Rollup's region (nation.c): as agg_target_region, except that an empty
 * request from a principal without a scope (an administrator) is the
 * whole country, "" (migration 019). */
const char *agg_rollup_region(hz_rpc_t *rpc, const char *requested);

/* 0, or -1 after INVALID_ARGUMENT naming field and the accepted forms. */
int agg_parse_period(hz_rpc_t *rpc, const char *field, const char *s, hz_period_t *p);

/* Arena text: an ISO date from YYYYMMDD, a period's code. NULL: no memory. */
char *agg_date_text(hz_arena_t *a, int ymd);
char *agg_period_text(hz_arena_t *a, const hz_period_t *p);

/* The indicator codes as a text[] parameter, NULL when none were named
 * (every indicator). *bad is set after refusing a malformed code. */
const char *agg_codes_param(hz_rpc_t *rpc, char **codes, size_t n, int *bad);

/* An integer[] parameter ("{0,1,0}") of n values; NULL: no memory. */
char *agg_int_array(hz_arena_t *a, const int *v, size_t n);

/* A Decimal message for v in the arena; NULL for NULL v or no memory. */
Huizong__V1__Decimal *agg_decimal(hz_rpc_t *rpc, const char *v);

/* What Completeness and GetReport share: one region, one period. */
typedef struct agg_unit_query_s {
  const char *region;           /* the request's, or the caller's own */
  char *period;                 /* canonical code ("2024Q1") */
  hz_period_t p;                /* parsed, for the deadline */
  const char **region_params;   /* AGG_REGION's */
  const char **params;          /* (region, period): most statements' */
  const char **deadline_params; /* AGG_DEADLINE's; NULL when out of memory */
} agg_unit_query_t;

/* The prologue: region and period checked, parameters ready. NULL after
 * finishing the call. */
agg_unit_query_t *agg_unit_query_start(hz_rpc_t *rpc, const char *region, const char *period);
/* AGG_DEADLINE for uq; uq->deadline_params is NULL when out of memory. */
hz_db_stmt_t agg_deadline_stmt(hz_rpc_t *rpc, agg_unit_query_t *uq);

/* ---- the indicator catalog of a query (common.c) ------------------------ */

typedef struct agg_ind_s {
  Huizong__V1__IndicatorRef *ref; /* code, name, unit, frequency */
  const char *numerator;          /* ratio parts, NULL for a plain indicator */
  const char *denominator;
  const char *factor; /* "" = 1 */
  int scale;          /* fraction digits of a ratio, 0 = 2 */
} agg_ind_t;

typedef struct agg_catalog_s {
  agg_ind_t *items; /* indicators the response covers, in answer order */
  size_t n;         /* items filled; room for every catalog row */
  char **skipped;   /* all-indicator requests: frequency too coarse */
  size_t nskipped;  /* listed in the response's skipped_indicator_codes */
} agg_catalog_t;

/* Builds the catalog from AGG_CATALOG's answer: requested order when codes
 * were named (unknown → NOT_FOUND, too coarse → FAILED_PRECONDITION), else
 * every indicator fine enough for type, by code. -1 after refusing. */
int agg_catalog_load(hz_rpc_t *rpc, const PGresult *r, char **codes, size_t ncodes,
                     hz_period_type_t type, agg_catalog_t *c);

/* ---- exact parts by (group, indicator, window) (cells.c) ---------------- */

typedef struct agg_cell_s {
  hz_fig_t fig;     /* exact; for AVERAGE still the sum over units */
  hz_fig_agg_t how; /* region aggregation its parts were folded by */
  int reporting;    /* leaves that contributed */
  unsigned covered; /* bit k: the window's k-th sub-period holds data (012) */
} agg_cell_t;

/* A code of a map's rows and its dense id (0, 1, ... in order of first
 * appearance). */
typedef struct agg_code_s {
  const char *code; /* arena copy; NULL: an empty slot */
  uint32_t hash;    /* of code, compared before the text */
  int id;
} agg_code_t;

/* Open addressing (linear probing) from codes to ids. */
typedef struct agg_codes_s {
  agg_code_t *slots; /* cap of them */
  size_t cap;        /* a power of two, at least twice n */
  size_t n;          /* codes held */
} agg_codes_t;

/* The cells of one answer in the call's arena (no free, gone with the
 * call), in a dense table indexed by (group id, indicator id, window):
 * issue 15 measured string-keyed chains at a tenth of huizongd's CPU per
 * Rollup, a lookup per figure. A key's base (agg_map_base) is its window
 * 0; window w is the slot base + w. */
typedef struct agg_map_s {
  agg_codes_t groups; /* region codes of the rows */
  agg_codes_t inds;   /* indicator codes of the rows */
  int nwin;           /* windows 0..nwin per key */
  agg_cell_t **cells; /* groups.n x inds.n x (nwin + 1) slots, NULL: no cell */
} agg_map_t;

/* Sizes m for the rows of r: their group (column c_grp) and indicator
 * (c_ind) codes, windows up to nwin or (c_win >= 0) the largest in
 * column c_win. *bases (if bases) gets each row's key base, an arena
 * array. 0 or -ENOMEM. */
int agg_map_init(hz_rpc_t *rpc, agg_map_t *m, const PGresult *r, int c_grp, int c_ind, int c_win,
                 int nwin, int **bases);
/* The slot of window win of the key at base; NULL for a window out of
 * range. */
agg_cell_t **agg_map_slot(const agg_map_t *m, int base, int win);
/* The base of (grp, ind); -1 when no row had it. */
int agg_map_base(const agg_map_t *m, const char *grp, const char *ind);

/* Loads AGG_VALUES' answer: rows of one key that differ in n are folded
 * by the indicator's region aggregation. 0 or -ENOMEM. */
int agg_map_load(hz_rpc_t *rpc, const PGresult *r, agg_map_t *m);

/* Where the cells of one indicator for one group are in a map, found
 * once (agg_map_key) for all the windows of a row or a series. */
typedef struct agg_key_s {
  const agg_map_t *m; /* the map */
  int a;              /* base of the indicator, or of a ratio's numerator (-1: none) */
  int b;              /* base of a ratio's denominator (-1: none or not a ratio) */
} agg_key_t;

agg_key_t agg_map_key(const agg_map_t *m, const agg_ind_t *ind, const char *grp);

/* The exact figure of ind (key k) in window win (undefined: num NULL): a
 * ratio divides its aggregated parts; *reporting the units behind it.
 * Returns 0 or -ENOMEM. */
int agg_figure(hz_rpc_t *rpc, const agg_key_t *k, const agg_ind_t *ind, int win, hz_fig_t *out,
               int *reporting);

/* The sub-periods of window win holding data for ind (key k), as a bit
 * mask (domain/window.h's hz_coverage_of reads it); 0 when nothing. */
unsigned agg_covered(const agg_key_t *k, const agg_ind_t *ind, int win);

/* How ind's figures are written (hz_fig_style). */
void agg_figure_style(const agg_ind_t *ind, int *scale, int *fixed);

/* ---- coverage and year to date (statistics.c) ------------------------- */

/* Coverages already written in one answer: every row of the same window,
 * frequency and mask gets the same message (issue 15: the sub-periods of
 * a window were worked out again for each of thousands of rows). */
#define AGG_COVERS 8
typedef struct agg_cover_s {
  hz_window_t w; /* the key: window, frequency and mask */
  hz_period_type_t finer;
  unsigned mask;
  int partial;                /* what agg_coverage answered in *partial */
  Huizong__V1__Coverage *msg; /* shared by the rows; never changed */
} agg_cover_t;
typedef struct agg_covers_s {
  agg_cover_t e[AGG_COVERS]; /* n of them */
  int n;
  int next; /* the slot the next new coverage takes */
} agg_covers_t;

/* The Coverage of window w at the indicator's frequency finer from the
 * mask agg_covered answers; *partial says whether the window is partly
 * covered (hz_coverage_partial: its base is then restricted). With memo
 * (may be NULL) an equal one written before is answered again. NULL: no
 * memory. */
Huizong__V1__Coverage *agg_coverage(hz_rpc_t *rpc, agg_covers_t *memo, const hz_window_t *w,
                                    hz_period_type_t finer, unsigned mask, int *partial);

/* Where the year-to-date figures of a row are in the values map. */
typedef struct agg_ytd_spec_s {
  hz_window_t window; /* first period of the year through the requested one */
  const char *from;   /* its codes, for the wire */
  const char *to;
  int win;              /* AGG_VALUES window of the year to date */
  int base_win;         /* the same window a year earlier (0: none, before 1900) */
  agg_covers_t *covers; /* the answer's coverages of window (NULL: none kept) */
} agg_ytd_spec_t;

/* The YearToDate of ind for grp: value, units, coverage, the base a year
 * earlier and its change by the indicator's basis, progress against
 * annual_target (undefined: none). NULL: no memory. */
Huizong__V1__YearToDate *agg_ytd(hz_rpc_t *rpc, const agg_key_t *k, const agg_ind_t *ind,
                                 const agg_ytd_spec_t *spec, const hz_fig_t *annual_target);

/* ---- validation-rule violations (validate.c) ---------------------------- */

/* REPORT_VIOLATIONS' or VALIDATE_VIOLATIONS' rows as RuleViolations of
 * period (arena array in *out, *n of them), in the rows' order. -1: no
 * memory (the call is not finished). */
int agg_violations_load(hz_rpc_t *rpc, const PGresult *r, char *period,
                        Huizong__V1__RuleViolation ***out, size_t *n);

/* ---- the RPCs, one file each; the method table is aggregation.c's ------- */

void agg_rollup(hz_rpc_t *rpc, ProtobufCMessage *msg);
void agg_series(hz_rpc_t *rpc, ProtobufCMessage *msg);
void agg_completeness(hz_rpc_t *rpc, ProtobufCMessage *msg);
void agg_get_report(hz_rpc_t *rpc, ProtobufCMessage *msg);
void agg_export_values(hz_rpc_t *rpc, ProtobufCMessage *msg);
void agg_export_drained(hz_rpc_t *rpc);
void agg_validate(hz_rpc_t *rpc, ProtobufCMessage *msg);

#endif
