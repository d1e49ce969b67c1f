/* Series: one region's figures over consecutive periods of one type, one
 * window per period in a single AGG_VALUES call (group by none). A
 * cumulative series (累计) has the year-to-date window of each period
 * instead (domain/window.h; a year is its own). */
#include <errno.h>

#include "api/aggregation/aggregation.h"
#include "api/pgtext.h"
#include "domain/group_by.h"

#define MAX_SERIES_PERIODS 240 /* points per series; the proto documents it */

/* Parameters of AGG_VALUES by name (the region itself: group by none). */
enum {
  P_REGION,
  P_GROUP,
  P_LEVEL,
  P_TOTAL,
  P_INDICATORS,
  P_TYPE,
  P_STARTS,
  P_ENDS,
  P_BASES,
  P_VALUES_N
};

/* The statements, in the order of their results. */
enum { Q_REGION, Q_CATALOG, Q_VALUES, Q_EXPECTED, Q_N };

typedef struct series_s {
  const Huizong__V1__SeriesRequest *req; /* lives as long as the call */
  const char *region;                    /* the request's, or the caller's scope root */
  hz_period_type_t type;                 /* of every period */
  char **periods;                        /* codes, in order; window k+1 is periods[k] */
  hz_window_t *windows;                  /* window k+1: the period, or its year to date */
  size_t n;                              /* points per indicator, 1..MAX_SERIES_PERIODS */
  int cumulative;                        /* year-to-date points below a year */
} series_t;

/* The point's coverage when meaningful: the indicator is finer than the
 * points, or the points are year to date. 0, or -ENOMEM. */
static int point_coverage(hz_rpc_t *rpc, const series_t *se, const agg_key_t *key,
                          const agg_ind_t *ind, size_t k, Huizong__V1__SeriesPoint *pt) {
  int partial;
  if ((int)ind->ref->period_type <= (int)se->type && !se->cumulative)
    return 0;
  pt->coverage = agg_coverage(rpc, NULL, &se->windows[k], (hz_period_type_t)ind->ref->period_type,
                              agg_covered(key, ind, (int)k + 1), &partial);
  return pt->coverage ? 0 : -ENOMEM;
}

/* The points of one indicator. NULL: no memory. */
static Huizong__V1__IndicatorSeries *indicator_series(hz_rpc_t *rpc, const series_t *se,
                                                      const agg_map_t *m, const agg_ind_t *ind,
                                                      const char *region, int expected) {
  hz_arena_t *a = hz_rpc_arena(rpc);
  Huizong__V1__IndicatorSeries *s = hz_arena_alloc(a, sizeof(*s));
  Huizong__V1__SeriesPoint **pts = hz_arena_alloc(a, (se->n + 1) * sizeof(*pts));
  if (!s || !pts)
    return NULL;
  huizong__v1__indicator_series__init(s);
  s->indicator = ind->ref;
  int scale, fixed;
  const agg_key_t key = agg_map_key(m, ind, region);
  agg_figure_style(ind, &scale, &fixed);
  for (size_t k = 0; k < se->n; k++) {
    Huizong__V1__SeriesPoint *pt = hz_arena_alloc(a, sizeof(*pt));
    if (!pt)
      return NULL;
    huizong__v1__series_point__init(pt);
    pt->period = se->periods[k];
    hz_fig_t fig;
    const char *text;
    if (agg_figure(rpc, &key, ind, (int)k + 1, &fig, &pt->reporting_units) ||
        hz_fig_text(a, &fig, scale, fixed, &text) == -ENOMEM ||
        point_coverage(rpc, se, &key, ind, k, pt))
      return NULL;
    pt->value = agg_decimal(rpc, text);
    pt->expected_units = expected;
    pts[k] = pt;
  }
  s->points = pts;
  s->n_points = se->n;
  return s;
}

static void on_series(hz_rpc_t *rpc, const hz_db_result_t *res, void *tag) {
  series_t *se = tag;
  if (hz_rpc_db_failed(rpc, res))
    return;
  Huizong__V1__RegionRef *region =
      agg_region_checked(rpc, res->results[Q_REGION], se->region, NULL);
  if (!region)
    return;
  agg_catalog_t cat = {0};
  if (agg_catalog_load(rpc, res->results[Q_CATALOG], se->req->indicator_codes,
                       se->req->n_indicator_codes, se->type, &cat))
    return;
  agg_map_t m;
  if (agg_map_load(rpc, res->results[Q_VALUES], &m))
    return (void)hz_rpc_oom(rpc);
  const PGresult *ex = res->results[Q_EXPECTED];
  int expected = hz_rpc_cell_int(ex, 0, hz_db_col(ex, "expected"));
  Huizong__V1__SeriesResponse out = HUIZONG__V1__SERIES_RESPONSE__INIT;
  out.series = hz_arena_alloc(hz_rpc_arena(rpc), (cat.n + 1) * sizeof(*out.series));
  if (!out.series)
    return (void)hz_rpc_oom(rpc);
  for (size_t i = 0; i < cat.n; i++) {
    Huizong__V1__IndicatorSeries *s =
        indicator_series(rpc, se, &m, &cat.items[i], region->code, expected);
    if (!s)
      return (void)hz_rpc_oom(rpc);
    out.series[out.n_series++] = s;
  }
  out.region = region;
  out.period_type = (Huizong__V1__PeriodType)se->type;
  out.periods = se->periods;
  out.n_periods = se->n;
  out.cumulative = se->req->cumulative; /* a year is its own year to date */
  out.skipped_indicator_codes = cat.skipped;
  out.n_skipped_indicator_codes = cat.nskipped;
  hz_rpc_reply(rpc, &out.base);
}

/* Request checks: both periods, one type, 1..MAX_SERIES_PERIODS in order.
 * The number of periods, or -1 after refusing. */
static int series_span(hz_rpc_t *rpc, series_t *se, hz_period_t *from) {
  const Huizong__V1__SeriesRequest *req = se->req;
  hz_period_t to;
  if (!(se->region = agg_target_region(rpc, req->region_code)) ||
      agg_parse_period(rpc, "from_period", req->from_period, from) ||
      agg_parse_period(rpc, "to_period", req->to_period, &to))
    return -1;
  if (from->type != to.type) {
    hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT,
                  "from_period %s and to_period %s are of different types", req->from_period,
                  req->to_period);
    return -1;
  }
  int span = hz_period_ordinal(&to) - hz_period_ordinal(from) + 1;
  if (span < 1 || span > MAX_SERIES_PERIODS) {
    hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT,
                  "a series covers 1..%d periods in order; %s..%s does not", MAX_SERIES_PERIODS,
                  req->from_period, req->to_period);
    return -1;
  }
  return span;
}

/* AGG_VALUES' parameters: one window per period. NULL: no memory. */
static const char **values_params(hz_rpc_t *rpc, series_t *se, const hz_period_t *from,
                                  const char *codes) {
  hz_arena_t *a = hz_rpc_arena(rpc);
  se->periods = hz_arena_alloc(a, se->n * sizeof(char *));
  const char **starts = hz_arena_alloc(a, se->n * sizeof(char *));
  const char **ends = hz_arena_alloc(a, se->n * sizeof(char *));
  int *bases = hz_arena_zalloc(a, se->n * sizeof(int));
  const char **p = hz_arena_alloc(a, P_VALUES_N * sizeof(char *));
  se->windows = hz_arena_alloc(a, se->n * sizeof(hz_window_t));
  if (!se->periods || !starts || !ends || !bases || !p || !se->windows)
    return NULL;
  int base = hz_period_ordinal(from);
  for (size_t k = 0; k < se->n; k++) {
    hz_period_t per;
    hz_window_t *w = &se->windows[k];
    hz_period_from_ordinal(se->type, base + (int)k, &per);
    *w = (hz_window_t){per, per};
    /* A year is its own year to date (hz_window_ytd: -EDOM). */
    if (se->cumulative && hz_window_ytd(&per, w) != 0)
      *w = (hz_window_t){per, per};
    se->periods[k] = agg_period_text(a, &per);
    starts[k] = agg_date_text(a, hz_window_start_date(w));
    ends[k] = agg_date_text(a, hz_window_end_date(w));
  }
  p[P_REGION] = se->region;
  p[P_GROUP] = hz_pg_int(a, HZ_GROUP_BY_NONE);
  p[P_LEVEL] = "0";
  p[P_TOTAL] = "f";
  p[P_INDICATORS] = codes;
  p[P_TYPE] = hz_pg_int(a, se->type);
  p[P_STARTS] = hz_pg_text_array(a, starts, se->n);
  p[P_ENDS] = hz_pg_text_array(a, ends, se->n);
  p[P_BASES] = agg_int_array(a, bases, se->n);
  return p;
}

void agg_series(hz_rpc_t *rpc, ProtobufCMessage *msg) {
  const Huizong__V1__SeriesRequest *req = (const Huizong__V1__SeriesRequest *)msg;
  hz_arena_t *a = hz_rpc_arena(rpc);
  series_t *se = hz_arena_zalloc(a, sizeof(*se));
  if (!se)
    return (void)hz_rpc_oom(rpc);
  se->req = req;
  hz_period_t from;
  int span = series_span(rpc, se, &from);
  if (span < 0)
    return;
  int bad;
  const char *codes = agg_codes_param(rpc, req->indicator_codes, req->n_indicator_codes, &bad);
  if (bad)
    return;
  se->type = from.type;
  se->n = (size_t)span;
  se->cumulative = req->cumulative && se->type != HZ_PERIOD_YEAR;
  const char **region = hz_arena_alloc(a, 2 * sizeof(char *));
  const char **catalog = hz_arena_alloc(a, sizeof(char *));
  const char **expected = hz_arena_alloc(a, sizeof(char *));
  const char **values = values_params(rpc, se, &from, codes);
  if (!region || !catalog || !expected || !values)
    return (void)hz_rpc_oom(rpc);
  catalog[0] = codes;
  expected[0] = se->region;
  hz_db_stmt_t q[Q_N] = {
      [Q_REGION] = agg_region_stmt(rpc, region, se->region),
      [Q_CATALOG] = {.id = HZ_STMT_AGG_CATALOG, .values = catalog},
      [Q_VALUES] = {.id = HZ_STMT_AGG_VALUES, .values = values},
      [Q_EXPECTED] = {.id = HZ_STMT_AGG_EXPECTED, .values = expected},
  };
  hz_rpc_read_query(rpc, q, Q_N, on_series, se);
}
