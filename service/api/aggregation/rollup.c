/* Rollup: one region and period, grouped (domain/group_by.h), every
 * requested indicator with its figures (value, 同比, 环比, completion,
 * progress; domain/figures.h computes them from exact parts), its coverage
 * when the period is coarser than the indicator's frequency, and its year
 * to date (累计) below a year (statistics.c).
 *
 * With the answer cache on (api.h's rollups) a call first reads the
 * region's change stamp (AGG_STAMP): an answer kept at that stamp is sent
 * as is; otherwise the answer is computed by five statements in one job
 * and kept under the stamp read before it, so a change committed in
 * between makes the next call compute again. With read servers the stamp
 * job also reads the primary's WAL position (after the stamp), and the
 * answer is computed where that position has been replayed (api/read.c,
 * db/replica.h): it reflects at least what the stamp does. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api/aggregation/aggregation.h"
#include "api/aggregation/cache.h"
#include "api/api.h"
#include "api/pgtext.h"
#include "domain/group_by.h"

/* Windows of AGG_VALUES: the period, a year earlier (restricted to the
 * period's covered sub-periods when partial), the previous one; then the
 * year to date and the same a year earlier, unless the period is the first
 * of its year (the year to date is then the period: windows 1 and 2). */
enum { WIN_CUR = 1, WIN_YOY = 2, WIN_POP = 3, WIN_MAX = 5 };

/* Keys of the targets map: the requested period's target, the annual one. */
enum { TARGET_PERIOD = 1, TARGET_YEAR = 2 };

/* Parameters by name. AGG_GROUPS, AGG_VALUES and AGG_TARGETS begin with
 * the same four (which groups); each statement still has its own array,
 * filled by groups_params, so none depends on another's layout. */
enum { P_REGION, P_GROUP, P_LEVEL, P_TOTAL, P_GROUPS_N };
enum {
  P_VALUES_INDICATORS = P_GROUPS_N,
  P_VALUES_TYPE,
  P_VALUES_STARTS,
  P_VALUES_ENDS,
  P_VALUES_BASES,
  P_VALUES_N
};
enum { P_TARGETS_PERIODS = P_GROUPS_N, P_TARGETS_N };

/* The statements of a computed answer, in the order of their results. */
enum { Q_REGION, Q_CATALOG, Q_GROUPS, Q_VALUES, Q_TARGETS, Q_N };

typedef struct rollup_s {
  const Huizong__V1__RollupRequest *req; /* lives as long as the call */
  const char *region;                    /* the request's, or the caller's scope root */
  hz_group_by_t group;                   /* the request's grouping, unspecified → none */
  hz_period_t p;                         /* requested period */
  char *period, *yoy, *pop, *year;       /* window codes ("" for none) and the year */
  int nwin;                              /* windows sent, 2..WIN_MAX */
  int pop_win;                           /* WIN_POP, or WIN_YOY when they coincide */
  const char *starts[WIN_MAX];           /* window i+1 is [starts[i], ends[i]) */
  const char *ends[WIN_MAX];
  int bases[WIN_MAX];      /* window restricting window i+1 (0: none) */
  int has_ytd;             /* the period is shorter than a year */
  agg_ytd_spec_t ytd;      /* its year-to-date windows */
  agg_covers_t covers;     /* the rows' coverages of the period */
  agg_covers_t ytd_covers; /* and of the year to date (ytd.covers) */
  hz_db_stmt_t q[Q_N];     /* computing the answer (kept for the stamp path) */
  const char *key;         /* answer cache key; NULL: cache off */
  const char *stamp;       /* region's change stamp read first */
} rollup_t;

/* Targets rows keyed by group, indicator and TARGET_PERIOD or TARGET_YEAR
 * (a year's own target is both). */
static int targets_load(hz_rpc_t *rpc, const rollup_t *ru, const PGresult *r, agg_map_t *m) {
  int rows = PQntuples(r), *bases;
  int c_region = hz_db_col(r, "region_code"), c_ind = hz_db_col(r, "indicator_code");
  int c_period = hz_db_col(r, "period"), c_value = hz_db_col(r, "value");
  if (agg_map_init(rpc, m, r, c_region, c_ind, -1, TARGET_YEAR, &bases))
    return -ENOMEM;
  for (int i = 0; i < rows; i++) {
    const char *period = PQgetvalue(r, i, c_period);
    const int wins[] = {strcmp(period, ru->period) == 0 ? TARGET_PERIOD : 0,
                        strcmp(period, ru->year) == 0 ? TARGET_YEAR : 0};
    for (size_t k = 0; k < 2; k++) {
      agg_cell_t *c;
      if (!wins[k])
        continue;
      if (!(c = hz_arena_zalloc(hz_rpc_arena(rpc), sizeof(*c))) ||
          !(c->fig = hz_fig_whole(hz_rpc_cell(rpc, r, i, c_value))).num)
        return -ENOMEM;
      *agg_map_slot(m, bases[i], wins[k]) = c;
    }
  }
  return 0;
}

static hz_fig_t target_of(const agg_map_t *targets, int base, int which) {
  agg_cell_t **slot = base < 0 ? NULL : agg_map_slot(targets, base, which);
  return slot && *slot ? (*slot)->fig : (hz_fig_t){0};
}

/* The computed answer's maps and where its rows come from. */
typedef struct rollup_data_s {
  agg_map_t values;  /* AGG_VALUES by (group, indicator, window) */
  agg_map_t targets; /* AGG_TARGETS by (group, indicator, TARGET_*) */
} rollup_data_t;

/* The figures of one group and indicator; in->partial already set. */
static int row_figures(hz_rpc_t *rpc, const rollup_t *ru, const rollup_data_t *d, const char *grp,
                       const agg_key_t *k, const agg_ind_t *ind, hz_fig_row_t *f,
                       hz_fig_inputs_t *in, int *rep) {
  int ignored, target = agg_map_base(&d->targets, grp, ind->ref->code);
  in->target = target_of(&d->targets, target, TARGET_PERIOD);
  in->annual_target = target_of(&d->targets, target, TARGET_YEAR);
  in->basis = (hz_fig_basis_t)ind->ref->change_basis;
  agg_figure_style(ind, &in->scale, &in->fixed);
  if (agg_figure(rpc, k, ind, WIN_CUR, &in->value, rep) ||
      agg_figure(rpc, k, ind, WIN_YOY, &in->previous_year, &ignored) ||
      agg_figure(rpc, k, ind, ru->pop_win, &in->previous_period, &ignored))
    return -ENOMEM;
  return hz_fig_row(hz_rpc_arena(rpc), in, f);
}

static Huizong__V1__RollupRow *rollup_row(hz_rpc_t *rpc, rollup_t *ru, const rollup_data_t *d,
                                          Huizong__V1__RegionRef *reg, int expected,
                                          const agg_ind_t *ind) {
  Huizong__V1__RollupRow *row = hz_arena_alloc(hz_rpc_arena(rpc), sizeof(*row));
  hz_fig_inputs_t in = {0};
  hz_fig_row_t f;
  int rep;
  /* Where the row's cells are: found once for all its windows. */
  const agg_key_t k = agg_map_key(&d->values, ind, reg->code);
  if (!row)
    return NULL;
  huizong__v1__rollup_row__init(row);
  /* Coverage first: a partial period has no completion. */
  if ((int)ind->ref->period_type > (int)ru->p.type) {
    const hz_window_t w = {ru->p, ru->p};
    row->coverage = agg_coverage(rpc, &ru->covers, &w, (hz_period_type_t)ind->ref->period_type,
                                 agg_covered(&k, ind, WIN_CUR), &in.partial);
    if (!row->coverage)
      return NULL;
  }
  if (row_figures(rpc, ru, d, reg->code, &k, ind, &f, &in, &rep))
    return NULL;
  row->region = reg;
  row->indicator = ind->ref;
  row->value = agg_decimal(rpc, f.value);
  row->reporting_units = rep;
  row->expected_units = expected;
  row->previous_year_period = ru->yoy;
  row->previous_year_value = agg_decimal(rpc, f.previous_year_value);
  row->yoy_growth_pct = agg_decimal(rpc, f.yoy_growth_pct);
  row->yoy_change_pp = agg_decimal(rpc, f.yoy_change_pp);
  row->yoy_same_subperiods = in.partial && f.previous_year_value;
  row->previous_period = ru->pop;
  row->previous_period_value = agg_decimal(rpc, f.previous_period_value);
  row->pop_change_pct = agg_decimal(rpc, f.pop_change_pct);
  row->pop_change_pp = agg_decimal(rpc, f.pop_change_pp);
  /* Targets are stored values: shown as stored. */
  row->target = agg_decimal(rpc, in.target.num);
  row->completion_pct = agg_decimal(rpc, f.completion_pct);
  row->annual_period = ru->year;
  row->annual_target = agg_decimal(rpc, in.annual_target.num);
  row->annual_progress_pct = agg_decimal(rpc, f.annual_progress_pct);
  if (ru->has_ytd && !(row->ytd = agg_ytd(rpc, &k, ind, &ru->ytd, &in.annual_target)))
    return NULL;
  return row;
}

/* One row per group (AGG_GROUPS' answer) and indicator, groups first. */
static int rollup_rows(hz_rpc_t *rpc, rollup_t *ru, const rollup_data_t *d, const PGresult *groups,
                       const agg_catalog_t *cat, Huizong__V1__RollupResponse *out) {
  size_t ngroups = (size_t)PQntuples(groups);
  agg_region_cols_t cols = agg_region_cols(groups);
  int c_expected = hz_db_col(groups, "expected");
  out->rows = hz_arena_alloc(hz_rpc_arena(rpc), (ngroups * cat->n + 1) * sizeof(*out->rows));
  if (!out->rows)
    return -ENOMEM;
  for (size_t g = 0; g < ngroups; g++) {
    Huizong__V1__RegionRef *reg = agg_region_ref(rpc, groups, (int)g, &cols);
    if (!reg)
      return -ENOMEM;
    int expected = hz_rpc_cell_int(groups, (int)g, c_expected);
    for (size_t i = 0; i < cat->n; i++) {
      Huizong__V1__RollupRow *row = rollup_row(rpc, ru, d, reg, expected, &cat->items[i]);
      if (!row)
        return -ENOMEM;
      out->rows[out->n_rows++] = row;
    }
  }
  return 0;
}

/* Sends the answer; with the cache on, packs it once, keeps it at the
 * stamp read first, and sends the same bytes. */
static void rollup_send(hz_rpc_t *rpc, const rollup_t *ru, Huizong__V1__RollupResponse *out) {
  if (!ru->stamp) {
    hz_rpc_reply(rpc, &out->base);
    return;
  }
  size_t len = protobuf_c_message_get_packed_size(&out->base);
  uint8_t *packed = malloc(len ? len : 1);
  if (!packed)
    return (void)hz_rpc_oom(rpc);
  protobuf_c_message_pack(&out->base, packed);
  int r = hz_rcache_put(&rpc->app->rollups, ru->key, ru->stamp, packed, len);
  if (r != 0 && r != -E2BIG)
    hz_log_warn(&rpc->app->ctx->log, "rollup answer not cached: %s", strerror(-r));
  hz_rpc_reply_packed(rpc, packed, len);
  free(packed);
}

static void on_rollup(hz_rpc_t *rpc, const hz_db_result_t *res, void *tag) {
  rollup_t *ru = tag;
  if (hz_rpc_db_failed(rpc, res))
    return;
  const Huizong__V1__RollupRequest *req = ru->req;
  Huizong__V1__RegionRef *region =
      agg_region_checked(rpc, res->results[Q_REGION], ru->region, NULL);
  if (!region)
    return;
  if (ru->group == HZ_GROUP_BY_LEVEL && (int)req->level <= (int)region->level) {
    hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT,
                  "level %d is not below the level of region %s (%d)", req->level, region->code,
                  region->level);
    return;
  }
  agg_catalog_t cat = {0};
  if (agg_catalog_load(rpc, res->results[Q_CATALOG], req->indicator_codes, req->n_indicator_codes,
                       ru->p.type, &cat))
    return;
  rollup_data_t d;
  Huizong__V1__RollupResponse out = HUIZONG__V1__ROLLUP_RESPONSE__INIT;
  if (agg_map_load(rpc, res->results[Q_VALUES], &d.values) ||
      targets_load(rpc, ru, res->results[Q_TARGETS], &d.targets) ||
      rollup_rows(rpc, ru, &d, res->results[Q_GROUPS], &cat, &out))
    return (void)hz_rpc_oom(rpc);
  out.region = region;
  out.period = ru->period;
  out.period_type = (Huizong__V1__PeriodType)ru->p.type;
  out.skipped_indicator_codes = cat.skipped;
  out.n_skipped_indicator_codes = cat.nskipped;
  rollup_send(rpc, ru, &out);
}

/* The stamp statement answered: a kept answer at this stamp is the answer;
 * otherwise it is computed and kept under the stamp read before it. */
static void on_rollup_stamp(hz_rpc_t *rpc, const hz_db_result_t *res, void *tag) {
  rollup_t *ru = tag;
  if (hz_rpc_db_failed(rpc, res))
    return;
  if (!agg_region_checked(rpc, res->results[0], ru->region, NULL))
    return;
  const PGresult *st = res->results[1];
  ru->stamp = hz_rpc_cell(rpc, st, 0, hz_db_col(st, "stamp"));
  if (!ru->stamp)
    return (void)hz_rpc_oom(rpc);
  if (res->nresults > 2 && hz_rpc_read_position(rpc, res->results[2]))
    return;
  size_t len;
  const uint8_t *kept = hz_rcache_get(&rpc->app->rollups, ru->key, ru->stamp, &len);
  if (kept) {
    hz_rpc_reply_packed(rpc, kept, len);
    return;
  }
  hz_rpc_read_query(rpc, ru->q, Q_N, on_rollup, ru);
}

/* What identifies an answer: every request field, the region resolved.
 * Issue 11 added no RollupRequest field (every row below a year carries
 * its year to date, coverage and points); the cumulative flag is Series',
 * whose answers are not kept. A new request field must join the key. */
static const char *rollup_key(hz_rpc_t *rpc, const rollup_t *ru) {
  const Huizong__V1__RollupRequest *req = ru->req;
  hz_arena_t *a = hz_rpc_arena(rpc);
  const char *codes =
      hz_pg_text_array(a, (const char *const *)req->indicator_codes, req->n_indicator_codes);
  if (!codes)
    return NULL;
  return hz_arena_printf(a, "%s|%s|%d|%d|%d|%s", ru->region, ru->period, (int)ru->group,
                         ru->group == HZ_GROUP_BY_LEVEL ? (int)req->level : 0,
                         req->include_total ? 1 : 0, codes);
}

/* Appends window w ([first day, day after) of its periods) restricted by
 * window base (0: none); !ok leaves it empty (start = end: no figures).
 * Its number, or -ENOMEM. */
static int add_window(hz_arena_t *a, rollup_t *ru, const hz_window_t *w, int ok, int base) {
  int i = ru->nwin;
  ru->starts[i] = agg_date_text(a, hz_window_start_date(w));
  ru->ends[i] = ok ? agg_date_text(a, hz_window_end_date(w)) : ru->starts[i];
  ru->bases[i] = base;
  if (!ru->starts[i] || !ru->ends[i])
    return -ENOMEM;
  return ++ru->nwin;
}

/* The year-to-date windows (none for a year). The first period of a year
 * is its own year to date: windows 1 and 2 serve. 0 or -ENOMEM. */
static int rollup_ytd_windows(hz_arena_t *a, rollup_t *ru) {
  agg_ytd_spec_t *y = &ru->ytd;
  if (hz_window_ytd(&ru->p, &y->window) != 0)
    return 0;
  ru->has_ytd = 1;
  y->covers = &ru->ytd_covers;
  y->to = ru->period;
  if (!(y->from = agg_period_text(a, &y->window.from)))
    return -ENOMEM;
  if (y->window.from.index == ru->p.index) {
    y->win = WIN_CUR;
    y->base_win = WIN_YOY;
    return 0;
  }
  hz_window_t before;
  if ((y->win = add_window(a, ru, &y->window, 1, 0)) < 0)
    return -ENOMEM;
  if (hz_window_year_earlier(&y->window, &before) != 0)
    return 0; /* before the first representable year: no base */
  return (y->base_win = add_window(a, ru, &before, 1, y->win)) < 0 ? -ENOMEM : 0;
}

/* The windows' codes and date ranges. Before the first representable year
 * there is no earlier window: it stays empty (start = end) and its figures
 * undefined. The year-earlier window is restricted by the period's
 * coverage (同口径). 0 or -ENOMEM. */
static int rollup_windows(hz_arena_t *a, rollup_t *ru) {
  hz_period_t yoy, pop, year;
  int yoy_ok = hz_period_year_earlier(&ru->p, &yoy) == 0;
  int pop_ok = hz_period_previous(&ru->p, &pop) == 0;
  if (!yoy_ok)
    yoy = ru->p;
  if (!pop_ok)
    pop = ru->p;
  hz_period_year_of(&ru->p, &year);
  ru->period = agg_period_text(a, &ru->p);
  ru->yoy = yoy_ok ? agg_period_text(a, &yoy) : "";
  ru->pop = pop_ok ? agg_period_text(a, &pop) : "";
  ru->year = agg_period_text(a, &year);
  if (!ru->period || !ru->yoy || !ru->pop || !ru->year)
    return -ENOMEM;
  /* For a year the previous period is the year before: one window, not two. */
  int same =
      yoy_ok && pop_ok && yoy.type == pop.type && yoy.year == pop.year && yoy.index == pop.index;
  const hz_window_t cur = {ru->p, ru->p}, before = {yoy, yoy}, previous = {pop, pop};
  ru->nwin = 0;
  if (add_window(a, ru, &cur, 1, 0) < 0 || add_window(a, ru, &before, yoy_ok, WIN_CUR) < 0 ||
      (!same && add_window(a, ru, &previous, pop_ok, 0) < 0))
    return -ENOMEM;
  ru->pop_win = same ? WIN_YOY : WIN_POP;
  return rollup_ytd_windows(a, ru);
}

/* An arena array of n parameters whose first P_GROUPS_N say which groups. */
static const char **groups_params(hz_rpc_t *rpc, const rollup_t *ru, size_t n) {
  hz_arena_t *a = hz_rpc_arena(rpc);
  const char **p = hz_arena_zalloc(a, n * sizeof(char *));
  if (!p)
    return NULL;
  p[P_REGION] = ru->region;
  p[P_GROUP] = hz_pg_int(a, (int)ru->group);
  p[P_LEVEL] = hz_pg_int(a, ru->req->level);
  p[P_TOTAL] = ru->req->include_total ? "t" : "f";
  return p;
}

/* The five statements of a computed answer, into ru->q. 0 or -ENOMEM. */
static int rollup_statements(hz_rpc_t *rpc, rollup_t *ru, const char *codes) {
  hz_arena_t *a = hz_rpc_arena(rpc);
  const char *target_periods[] = {ru->period, ru->year};
  const char **region = hz_arena_alloc(a, 2 * sizeof(char *));
  const char **catalog = hz_arena_alloc(a, sizeof(char *));
  const char **groups = groups_params(rpc, ru, P_GROUPS_N);
  const char **values = groups_params(rpc, ru, P_VALUES_N);
  const char **targets = groups_params(rpc, ru, P_TARGETS_N);
  if (!region || !catalog || !groups || !values || !targets)
    return -ENOMEM;
  catalog[0] = codes;
  values[P_VALUES_INDICATORS] = codes;
  values[P_VALUES_TYPE] = hz_pg_int(a, ru->p.type);
  values[P_VALUES_STARTS] = hz_pg_text_array(a, ru->starts, (size_t)ru->nwin);
  values[P_VALUES_ENDS] = hz_pg_text_array(a, ru->ends, (size_t)ru->nwin);
  values[P_VALUES_BASES] = agg_int_array(a, ru->bases, (size_t)ru->nwin);
  targets[P_TARGETS_PERIODS] = hz_pg_text_array(a, target_periods, 2);
  ru->q[Q_REGION] = agg_region_stmt(rpc, region, ru->region);
  ru->q[Q_CATALOG] = (hz_db_stmt_t){.id = HZ_STMT_AGG_CATALOG, .values = catalog};
  ru->q[Q_GROUPS] = (hz_db_stmt_t){.id = HZ_STMT_AGG_GROUPS, .values = groups};
  ru->q[Q_VALUES] = (hz_db_stmt_t){.id = HZ_STMT_AGG_VALUES, .values = values};
  ru->q[Q_TARGETS] = (hz_db_stmt_t){.id = HZ_STMT_AGG_TARGETS, .values = targets};
  return 0;
}

/* Request checks; -1 after refusing. */
static int rollup_check(hz_rpc_t *rpc, rollup_t *ru) {
  const Huizong__V1__RollupRequest *req = ru->req;
  if (!(ru->region = agg_rollup_region(rpc, req->region_code)) ||
      agg_parse_period(rpc, "period", req->period, &ru->p))
    return -1;
  ru->group = hz_group_by_of(req->group_by);
  if (ru->group == HZ_GROUP_BY_LEVEL &&
      (req->level < HUIZONG__V1__REGION_LEVEL__REGION_LEVEL_PROVINCE ||
       req->level > HUIZONG__V1__REGION_LEVEL__REGION_LEVEL_VILLAGE)) {
    hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "group by level needs a level 1..5");
    return -1;
  }
  return 0;
}

void agg_rollup(hz_rpc_t *rpc, ProtobufCMessage *msg) {
  const Huizong__V1__RollupRequest *req = (const Huizong__V1__RollupRequest *)msg;
  hz_arena_t *a = hz_rpc_arena(rpc);
  rollup_t *ru = hz_arena_zalloc(a, sizeof(*ru));
  if (!ru)
    return (void)hz_rpc_oom(rpc);
  ru->req = req;
  if (rollup_check(rpc, ru))
    return;
  int bad;
  const char *codes = agg_codes_param(rpc, req->indicator_codes, req->n_indicator_codes, &bad);
  if (bad)
    return;
  if (rollup_windows(a, ru) || rollup_statements(rpc, ru, codes))
    return (void)hz_rpc_oom(rpc);
  if (rpc->app->rollups.limit == 0) {
    hz_rpc_read_query(rpc, ru->q, Q_N, on_rollup, ru);
    return;
  }
  const char **region = hz_arena_alloc(a, 2 * sizeof(char *));
  const char **stamp = hz_arena_alloc(a, sizeof(char *));
  if (!region || !stamp || !(ru->key = rollup_key(rpc, ru)))
    return (void)hz_rpc_oom(rpc);
  stamp[0] = ru->region;
  /* With read servers the primary's WAL position comes in the same job,
   * after the stamp: a read at that position reflects all the stamp does. */
  const hz_db_stmt_t check[3] = {
      agg_region_stmt(rpc, region, ru->region),
      {.id = HZ_STMT_AGG_STAMP, .values = stamp},
      hz_rpc_position_stmt(),
  };
  int with_position = rpc->app->reads && rpc->app->reads->n > 0;
  hz_rpc_query(rpc, check, with_position ? 3 : 2, on_rollup_stamp, ru);
}
