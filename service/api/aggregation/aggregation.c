/* huizong.v1.Aggregation: Rollup, Series, Completeness, GetReport and
 * ExportValues. PostgreSQL aggregates over time and regions (migration
 * 003, exact parts since 008); this file checks scope and arguments and
 * assembles the answers; the figures themselves (ratios of sums, averages,
 * growth, completion, progress, rounding once) are domain/figures.h's. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/pgtext.h"
#include "api/rpc.h"
#include "domain/figures.h"
#include "domain/ident.h"
#include "domain/period.h"
#include "huizong/v1/aggregation.pb-c.h"

#define MAX_SERIES_PERIODS 240  /* points per series */
#define EXPORT_PAGE 5000        /* rows per database round trip */
#define EXPORT_BATCH 1000       /* records per stream message */


/* ---- shared pieces ----------------------------------------------------- */

/* Statement 0 of every job: the region, whether it is in scope. */
static hz_db_stmt_t region_stmt(hz_rpc_t *rpc, const char **params, const char *region) {
  params[0] = region;
  params[1] = hz_rpc_scope_param(rpc);
  return (hz_db_stmt_t){
      .name = "hz_agg_region",
      .sql = "SELECT r.code, r.name, r.level, r.reporting,"
             " $2::text IS NULL OR EXISTS (SELECT 1 FROM region_paths p"
             "   WHERE p.ancestor = $2 AND p.descendant = r.code)"
             " FROM regions r WHERE r.code = $1",
      .nparams = 2,
      .values = params,
  };
}

/* A RegionRef from columns col (code), col+1 (name), col+2 (level). */
static Huizong__V1__RegionRef *region_ref_at(hz_rpc_t *rpc, const PGresult *r, int row, int col) {
  Huizong__V1__RegionRef *ref = hz_arena_alloc(hz_rpc_arena(rpc), sizeof(*ref));
  if (!ref)
    return NULL;
  huizong__v1__region_ref__init(ref);
  ref->code = (char *)hz_rpc_cell(rpc, r, row, col);
  ref->name = (char *)hz_rpc_cell(rpc, r, row, col + 1);
  ref->level = hz_rpc_cell_int(r, row, col + 2);
  return ref;
}

/* Reads statement 0; finishes the call and returns NULL when the region is
 * unknown or out of scope. */
static Huizong__V1__RegionRef *region_checked(hz_rpc_t *rpc, const PGresult *r, const char *code,
                                              int *reporting) {
  if (PQntuples(r) != 1) {
    hz_rpc_finish(rpc, HZ_STATUS_NOT_FOUND, "unknown region %s", code);
    return NULL;
  }
  if (!hz_rpc_cell_bool(r, 0, 4)) {
    hz_rpc_finish(rpc, HZ_STATUS_PERMISSION_DENIED, "region %s is outside this token's scope",
                  code);
    return NULL;
  }
  Huizong__V1__RegionRef *ref = region_ref_at(rpc, r, 0, 0);
  if (!ref) {
    hz_rpc_oom(rpc);
    return NULL;
  }
  if (reporting)
    *reporting = hz_rpc_cell_bool(r, 0, 3);
  return ref;
}

/* The region a query is about: the request's, or the caller's own. */
static const char *target_region(hz_rpc_t *rpc, const char *requested) {
  if (requested[0]) {
    if (hz_region_code_validate(requested)) {
      hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "region_code '%s' is malformed", requested);
      return NULL;
    }
    return requested;
  }
  if (rpc->who.region)
    return rpc->who.region;
  hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "region_code is required");
  return NULL;
}

static int parse_period(hz_rpc_t *rpc, const char *field, const char *s, hz_period_t *p) {
  if (hz_period_parse(s, p) == 0)
    return 0;
  hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "%s '%s' is not one of %s", field, s,
                hz_period_accepted_forms());
  return -1;
}

static char *date_text(hz_arena_t *a, int ymd) {
  return hz_arena_printf(a, "%04d-%02d-%02d", ymd / 10000, ymd / 100 % 100, ymd % 100);
}

static char *period_text(hz_arena_t *a, const hz_period_t *p) {
  char buf[HZ_PERIOD_TEXT_SIZE];
  hz_period_format(p, buf);
  return hz_arena_strdup(a, buf);
}

static const char *codes_param(hz_rpc_t *rpc, char **codes, size_t n, int *bad) {
  *bad = 0;
  if (n == 0)
    return NULL;
  for (size_t i = 0; i < n; i++)
    if (hz_indicator_code_validate(codes[i])) {
      hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "indicator code '%s' is malformed", codes[i]);
      *bad = 1;
      return NULL;
    }
  return hz_pg_text_array(hz_rpc_arena(rpc), (const char *const *)codes, n);
}

/* ---- the indicator catalog of a query ------------------------------------ */

typedef struct agg_ind_s {
  Huizong__V1__IndicatorRef *ref; /* code, name, unit, frequency */
  const char *numerator;          /* ratio parts, NULL for a plain indicator */
  const char *denominator;
  const char *factor;             /* "" = 1 */
  int scale;                      /* fraction digits of a ratio, 0 = 2 */
} agg_ind_t;

typedef struct agg_catalog_s {
  agg_ind_t *items;      /* indicators the response covers, in order */
  size_t n;              /* their number */
  char **skipped;        /* all-indicator requests: frequency too coarse */
  size_t nskipped;       /* their number */
} agg_catalog_t;

#define CATALOG_SQL                                                                         \
  "SELECT code, name, unit, period_type, ratio_numerator, ratio_denominator,"               \
  " coalesce(trim_scale(ratio_factor)::text, ''), coalesce(ratio_scale, 0)"                 \
  " FROM indicators WHERE $1::text[] IS NULL OR code = ANY ($1::text[]) ORDER BY code"

/* The exact parts of every figure (migration 008): one statement text for
 * Rollup and Series, which share its name. */
#define VALUES_SQL                                                                          \
  "SELECT grp, indicator, win, ra, n, value::text, reporting FROM hz_rollup_values($1,"     \
  " $2::integer, $3::integer, $4::boolean, $5::text[], $6::smallint, $7::date[], $8::date[])"

/* Builds the catalog from its statement: requested order when codes were
 * named (unknown → NOT_FOUND, too coarse → FAILED_PRECONDITION), else every
 * indicator fine enough, by code. Finishes the call on refusal. */
static int catalog_load(hz_rpc_t *rpc, const PGresult *r, char **codes, size_t ncodes,
                        hz_period_type_t type, agg_catalog_t *c) {
  hz_arena_t *a = hz_rpc_arena(rpc);
  int rows = PQntuples(r);
  c->items = hz_arena_zalloc(a, (size_t)(rows + 1) * sizeof(agg_ind_t));
  c->skipped = hz_arena_zalloc(a, (size_t)(rows + 1) * sizeof(char *));
  if (!c->items || !c->skipped)
    return hz_rpc_oom(rpc), -1;
  size_t want = ncodes ? ncodes : (size_t)rows;
  for (size_t k = 0; k < want; k++) {
    int row = -1;
    if (ncodes) {
      for (int i = 0; i < rows && row < 0; i++)
        if (strcmp(PQgetvalue(r, i, 0), codes[k]) == 0)
          row = i;
      if (row < 0) {
        hz_rpc_finish(rpc, HZ_STATUS_NOT_FOUND, "unknown indicator %s", codes[k]);
        return -1;
      }
    } else {
      row = (int)k;
    }
    int freq = hz_rpc_cell_int(r, row, 3);
    if (freq < (int)type) {
      if (ncodes) {
        hz_rpc_finish(rpc, HZ_STATUS_FAILED_PRECONDITION,
                      "indicator %s is reported by %s; a %s period is finer than that",
                      PQgetvalue(r, row, 0), hz_period_type_name(freq), hz_period_type_name(type));
        return -1;
      }
      c->skipped[c->nskipped++] = (char *)hz_rpc_cell(rpc, r, row, 0);
      continue;
    }
    agg_ind_t *ind = &c->items[c->n++];
    ind->ref = hz_arena_alloc(a, sizeof(*ind->ref));
    if (!ind->ref)
      return hz_rpc_oom(rpc), -1;
    huizong__v1__indicator_ref__init(ind->ref);
    ind->ref->code = (char *)hz_rpc_cell(rpc, r, row, 0);
    ind->ref->name = (char *)hz_rpc_cell(rpc, r, row, 1);
    ind->ref->unit = (char *)hz_rpc_cell(rpc, r, row, 2);
    ind->ref->period_type = freq;
    if (!hz_rpc_cell_null(r, row, 4)) {
      ind->numerator = hz_rpc_cell(rpc, r, row, 4);
      ind->denominator = hz_rpc_cell(rpc, r, row, 5);
      ind->factor = hz_rpc_cell(rpc, r, row, 6);
      ind->scale = hz_rpc_cell_int(r, row, 7);
    }
  }
  return 0;
}

/* ---- aggregated values, looked up by (group, indicator, window) ---------- */

typedef struct agg_cell_s {
  struct agg_cell_s *next; /* bucket chain */
  const char *grp;         /* region code of the row */
  const char *ind;         /* indicator code */
  int win;                 /* window number, 1-based */
  hz_fig_t fig;            /* exact; for AVERAGE still the sum over units */
  hz_fig_agg_t how;        /* region aggregation its parts were folded by */
  int reporting;           /* leaves that contributed */
} agg_cell_t;

typedef struct agg_map_s {
  agg_cell_t **buckets; /* chains */
  size_t nb;            /* bucket count, a power of two */
} agg_map_t;

static size_t cell_hash(const char *grp, const char *ind, int win, size_t nb) {
  uint64_t h = 1469598103934665603ull;
  for (const char *p = grp; *p; p++)
    h = (h ^ (uint8_t)*p) * 1099511628211ull;
  h = (h ^ 0x1f) * 1099511628211ull;
  for (const char *p = ind; *p; p++)
    h = (h ^ (uint8_t)*p) * 1099511628211ull;
  h = (h ^ (uint64_t)win) * 1099511628211ull;
  return (size_t)h & (nb - 1);
}

/* An empty map with room for about n cells at load factor 1/2. */
static int map_init(hz_rpc_t *rpc, agg_map_t *m, size_t n) {
  m->nb = 64;
  while (m->nb < n * 2)
    m->nb *= 2;
  m->buckets = hz_arena_zalloc(hz_rpc_arena(rpc), m->nb * sizeof(agg_cell_t *));
  return m->buckets ? 0 : -ENOMEM;
}

static agg_cell_t *map_put(hz_rpc_t *rpc, agg_map_t *m, const char *grp, const char *ind,
                           int win, hz_fig_t fig, int reporting) {
  agg_cell_t *c = hz_arena_zalloc(hz_rpc_arena(rpc), sizeof(*c));
  if (!c || !grp || !ind)
    return NULL;
  c->grp = grp;
  c->ind = ind;
  c->win = win;
  c->fig = fig;
  c->reporting = reporting;
  size_t b = cell_hash(grp, ind, win, m->nb);
  c->next = m->buckets[b];
  m->buckets[b] = c;
  return c;
}

static agg_cell_t *map_get(const agg_map_t *m, const char *grp, const char *ind, int win) {
  for (agg_cell_t *c = m->buckets[cell_hash(grp, ind, win, m->nb)]; c; c = c->next)
    if (c->win == win && strcmp(c->grp, grp) == 0 && strcmp(c->ind, ind) == 0)
      return c;
  return NULL;
}

/* Loads the exact parts of VALUES_SQL: (grp, indicator, win, ra, n, value,
 * reporting), value / n summed over the row's townships. Rows of one key
 * differ in n; they are folded by the indicator's region aggregation. */
static int map_load(hz_rpc_t *rpc, const PGresult *r, agg_map_t *m) {
  hz_arena_t *a = hz_rpc_arena(rpc);
  int rows = PQntuples(r);
  if (map_init(rpc, m, (size_t)rows))
    return -ENOMEM;
  for (int i = 0; i < rows; i++) {
    const char *grp = hz_rpc_cell(rpc, r, i, 0), *ind = hz_rpc_cell(rpc, r, i, 1);
    int win = hz_rpc_cell_int(r, i, 2), units = hz_rpc_cell_int(r, i, 6);
    hz_fig_agg_t how = (hz_fig_agg_t)hz_rpc_cell_int(r, i, 3);
    int n = hz_rpc_cell_int(r, i, 4);
    hz_fig_t part = {0};
    if (!hz_rpc_cell_null(r, i, 5)) {
      hz_fig_t total = hz_fig_whole(hz_rpc_cell(rpc, r, i, 5));
      if (!total.num)
        return -ENOMEM;
      /* n == 1 (no average over time): the total is the figure. */
      if (n == 1)
        part = total;
      else if (hz_fig_average(a, &total, n, &part) == -ENOMEM)
        return -ENOMEM;
    }
    agg_cell_t *c = map_get(m, grp, ind, win);
    if (!c) {
      if (!(c = map_put(rpc, m, grp, ind, win, part, units)))
        return -ENOMEM;
      c->how = how;
      continue;
    }
    c->reporting += units;
    /* A cell already undefined stays so (its first part was); any error
     * but -ENOMEM leaves it undefined, as hz_fig_fold does. */
    if (hz_fig_defined(&c->fig) && hz_fig_fold(a, how, &c->fig, &part, &c->fig) == -ENOMEM)
      return -ENOMEM;
  }
  return 0;
}

/* The exact figure of a cell (none: undefined). Returns 0 or -ENOMEM. */
static int cell_figure(hz_rpc_t *rpc, const agg_cell_t *c, hz_fig_t *out) {
  *out = (hz_fig_t){0};
  if (!c)
    return 0;
  int rc = hz_fig_folded(hz_rpc_arena(rpc), c->how, &c->fig, c->reporting, out);
  if (rc != 0)
    *out = (hz_fig_t){0};
  return rc == -ENOMEM ? rc : 0;
}

/* The exact figure of ind for grp in window win (undefined: num NULL): a
 * ratio divides its aggregated parts. Returns 0 or -ENOMEM. */
static int figure(hz_rpc_t *rpc, const agg_map_t *m, const agg_ind_t *ind, const char *grp,
                  int win, hz_fig_t *out, int *reporting) {
  *reporting = 0;
  *out = (hz_fig_t){0};
  if (!ind->numerator) {
    const agg_cell_t *c = map_get(m, grp, ind->ref->code, win);
    if (c)
      *reporting = c->reporting;
    return cell_figure(rpc, c, out);
  }
  const agg_cell_t *n = map_get(m, grp, ind->numerator, win);
  const agg_cell_t *d = map_get(m, grp, ind->denominator, win);
  if (n && d)
    *reporting = n->reporting < d->reporting ? n->reporting : d->reporting;
  hz_fig_t nf, df;
  if (cell_figure(rpc, n, &nf) || cell_figure(rpc, d, &df))
    return -ENOMEM;
  if (!hz_fig_defined(&nf) || !hz_fig_defined(&df))
    return 0;
  /* A zero denominator leaves the ratio undefined. */
  int rc = hz_fig_ratio(hz_rpc_arena(rpc), &nf, &df, ind->factor, out);
  if (rc != 0)
    *out = (hz_fig_t){0};
  return rc == -ENOMEM ? rc : 0;
}

static void figure_style(const agg_ind_t *ind, int *scale, int *fixed) {
  hz_fig_style(ind->numerator != NULL, ind->scale, scale, fixed);
}

static Huizong__V1__Decimal *decimal_of(hz_rpc_t *rpc, const char *v) {
  if (!v)
    return NULL;
  Huizong__V1__Decimal *d = hz_arena_alloc(hz_rpc_arena(rpc), sizeof(*d));
  if (!d)
    return NULL;
  huizong__v1__decimal__init(d);
  d->value = (char *)v;
  return d;
}


/* ---- Rollup ---------------------------------------------------------------- */

typedef struct rollup_s {
  const Huizong__V1__RollupRequest *req; /* the request */
  const char *region;                    /* region code queried */
  hz_period_t p;                         /* requested period */
  char *period, *yoy, *pop, *year;       /* codes of the windows and the year */
  int pop_win;                           /* window of the previous period */
  hz_db_stmt_t q[5];                     /* the statements computing the answer */
  const char *key;                       /* answer cache key; NULL: cache off */
  const char *stamp;                     /* region's change stamp read first */
} rollup_t;

enum { WIN_CUR = 1, WIN_YOY = 2, WIN_POP = 3 };

/* Keys of the targets map: the requested period's target, the annual one. */
enum { TARGET_PERIOD = 1, TARGET_YEAR = 2 };

/* Targets rows (grp, indicator, period, value), keyed by group, indicator
 * and TARGET_PERIOD or TARGET_YEAR (a year's own target is both). */
static int targets_load(hz_rpc_t *rpc, const rollup_t *ru, const PGresult *r, agg_map_t *m) {
  int rows = PQntuples(r);
  if (map_init(rpc, m, (size_t)rows * 2))
    return -ENOMEM;
  for (int i = 0; i < rows; i++) {
    const char *period = PQgetvalue(r, i, 2);
    const int wins[] = {strcmp(period, ru->period) == 0 ? TARGET_PERIOD : 0,
                        strcmp(period, ru->year) == 0 ? TARGET_YEAR : 0};
    for (size_t k = 0; k < 2; k++)
      if (wins[k] && !map_put(rpc, m, hz_rpc_cell(rpc, r, i, 0), hz_rpc_cell(rpc, r, i, 1),
                              wins[k], hz_fig_whole(hz_rpc_cell(rpc, r, i, 3)), 0))
        return -ENOMEM;
  }
  return 0;
}

static hz_fig_t target_of(const agg_map_t *targets, const char *grp, const char *ind, int which) {
  const agg_cell_t *c = map_get(targets, grp, ind, which);
  return c ? c->fig : (hz_fig_t){0};
}

static Huizong__V1__RollupRow *rollup_row(hz_rpc_t *rpc, rollup_t *ru, const agg_map_t *m,
                                          const agg_map_t *targets, Huizong__V1__RegionRef *reg,
                                          int expected, const agg_ind_t *ind) {
  hz_arena_t *a = hz_rpc_arena(rpc);
  Huizong__V1__RollupRow *row = hz_arena_alloc(a, sizeof(*row));
  if (!row)
    return NULL;
  huizong__v1__rollup_row__init(row);
  int rep, ignored;
  hz_fig_inputs_t in = {
      .target = target_of(targets, reg->code, ind->ref->code, TARGET_PERIOD),
      .annual_target = target_of(targets, reg->code, ind->ref->code, TARGET_YEAR),
  };
  hz_fig_row_t f;
  figure_style(ind, &in.scale, &in.fixed);
  if (figure(rpc, m, ind, reg->code, WIN_CUR, &in.value, &rep) ||
      figure(rpc, m, ind, reg->code, WIN_YOY, &in.previous_year, &ignored) ||
      figure(rpc, m, ind, reg->code, ru->pop_win, &in.previous_period, &ignored) ||
      hz_fig_row(a, &in, &f))
    return NULL;
  row->region = reg;
  row->indicator = ind->ref;
  row->value = decimal_of(rpc, f.value);
  row->reporting_units = rep;
  row->expected_units = expected;
  row->previous_year_period = ru->yoy;
  row->previous_year_value = decimal_of(rpc, f.previous_year_value);
  row->yoy_growth_pct = decimal_of(rpc, f.yoy_growth_pct);
  row->previous_period = ru->pop;
  row->previous_period_value = decimal_of(rpc, f.previous_period_value);
  row->pop_change_pct = decimal_of(rpc, f.pop_change_pct);
  /* Targets are stored values: shown as stored. */
  row->target = decimal_of(rpc, in.target.num);
  row->completion_pct = decimal_of(rpc, f.completion_pct);
  row->annual_period = ru->year;
  row->annual_target = decimal_of(rpc, in.annual_target.num);
  row->annual_progress_pct = decimal_of(rpc, f.annual_progress_pct);
  return row;
}

static int group_code(const Huizong__V1__RollupRequest *req) {
  switch (req->group_by) {
  case HUIZONG__V1__GROUP_BY__GROUP_BY_CHILDREN: return 2;
  case HUIZONG__V1__GROUP_BY__GROUP_BY_LEVEL: return 3;
  default: return 1;
  }
}

static void on_rollup(hz_rpc_t *rpc, const hz_db_result_t *res, void *tag) {
  rollup_t *ru = tag;
  if (hz_rpc_db_failed(rpc, res))
    return;
  const Huizong__V1__RollupRequest *req = ru->req;
  Huizong__V1__RegionRef *region = region_checked(rpc, res->results[0], ru->region, NULL);
  if (!region)
    return;
  if (req->group_by == HUIZONG__V1__GROUP_BY__GROUP_BY_LEVEL && (int)req->level <= (int)region->level) {
    hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT,
                  "level %d is not below the level of region %s (%d)", req->level, region->code,
                  region->level);
    return;
  }
  agg_catalog_t cat = {0};
  if (catalog_load(rpc, res->results[1], req->indicator_codes, req->n_indicator_codes, ru->p.type,
                   &cat))
    return;
  agg_map_t m, targets;
  if (map_load(rpc, res->results[3], &m) || targets_load(rpc, ru, res->results[4], &targets))
    return (void)hz_rpc_oom(rpc);
  const PGresult *groups = res->results[2];
  hz_arena_t *a = hz_rpc_arena(rpc);
  size_t ngroups = (size_t)PQntuples(groups);
  Huizong__V1__RollupResponse out = HUIZONG__V1__ROLLUP_RESPONSE__INIT;
  out.rows = hz_arena_alloc(a, (ngroups * cat.n + 1) * sizeof(*out.rows));
  if (!out.rows)
    return (void)hz_rpc_oom(rpc);
  for (size_t g = 0; g < ngroups; g++) {
    Huizong__V1__RegionRef *reg = region_ref_at(rpc, groups, (int)g, 0);
    if (!reg)
      return (void)hz_rpc_oom(rpc);
    int expected = hz_rpc_cell_int(groups, (int)g, 3);
    for (size_t i = 0; i < cat.n; i++) {
      Huizong__V1__RollupRow *row =
          rollup_row(rpc, ru, &m, &targets, reg, expected, &cat.items[i]);
      if (!row)
        return (void)hz_rpc_oom(rpc);
      out.rows[out.n_rows++] = row;
    }
  }
  out.region = region;
  out.period = ru->period;
  out.period_type = (Huizong__V1__PeriodType)ru->p.type;
  out.skipped_indicator_codes = cat.skipped;
  out.n_skipped_indicator_codes = cat.nskipped;
  if (!ru->stamp) {
    hz_rpc_reply(rpc, &out.base);
    return;
  }
  /* Packed once: kept for the next call at this stamp, and sent. */
  size_t len = protobuf_c_message_get_packed_size(&out.base);
  uint8_t *packed = malloc(len ? len : 1);
  if (!packed)
    return (void)hz_rpc_oom(rpc);
  protobuf_c_message_pack(&out.base, packed);
  int r = hz_rcache_put(&rpc->app->rollups, ru->key, ru->stamp, packed, len);
  if (r != 0 && r != -E2BIG)
    hz_log_warn(&rpc->app->ctx->log, "rollup answer not cached: %s", strerror(-r));
  hz_rpc_reply_packed(rpc, packed, len);
  free(packed);
}

/* The stamp statement answered: a kept answer at this stamp is the answer;
 * otherwise it is computed and kept under the stamp read before it. */
static void on_rollup_stamp(hz_rpc_t *rpc, const hz_db_result_t *res, void *tag) {
  rollup_t *ru = tag;
  if (hz_rpc_db_failed(rpc, res))
    return;
  if (!region_checked(rpc, res->results[0], ru->region, NULL))
    return;
  ru->stamp = hz_rpc_cell(rpc, res->results[1], 0, 0);
  if (!ru->stamp)
    return (void)hz_rpc_oom(rpc);
  size_t len;
  const uint8_t *kept = hz_rcache_get(&rpc->app->rollups, ru->key, ru->stamp, &len);
  if (kept) {
    hz_rpc_reply_packed(rpc, kept, len);
    return;
  }
  hz_rpc_query(rpc, ru->q, 5, on_rollup, ru);
}

/* What identifies an answer: every request field, the region resolved. */
static const char *rollup_key(hz_rpc_t *rpc, const rollup_t *ru) {
  const Huizong__V1__RollupRequest *req = ru->req;
  hz_arena_t *a = hz_rpc_arena(rpc);
  const char *codes = hz_pg_text_array(a, (const char *const *)req->indicator_codes,
                                       req->n_indicator_codes);
  if (!codes)
    return NULL;
  return hz_arena_printf(a, "%s|%s|%d|%d|%d|%s", ru->region, ru->period, group_code(req),
                         req->group_by == HUIZONG__V1__GROUP_BY__GROUP_BY_LEVEL ? (int)req->level : 0,
                         req->include_total ? 1 : 0, codes);
}

static void rollup(hz_rpc_t *rpc, ProtobufCMessage *msg) {
  const Huizong__V1__RollupRequest *req = (const Huizong__V1__RollupRequest *)msg;
  hz_arena_t *a = hz_rpc_arena(rpc);
  rollup_t *ru = hz_arena_zalloc(a, sizeof(*ru));
  if (!ru)
    return (void)hz_rpc_oom(rpc);
  ru->req = req;
  if (!(ru->region = target_region(rpc, req->region_code)))
    return;
  if (parse_period(rpc, "period", req->period, &ru->p))
    return;
  if (req->group_by == HUIZONG__V1__GROUP_BY__GROUP_BY_LEVEL &&
      (req->level < 1 || req->level > 5)) {
    hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "group by level needs a level 1..5");
    return;
  }
  int bad;
  const char *codes = codes_param(rpc, req->indicator_codes, req->n_indicator_codes, &bad);
  if (bad)
    return;
  hz_period_t yoy, pop, year;
  /* Before the first representable year there is no earlier window: it
   * stays empty (start = end) and its figures undefined. */
  int yoy_ok = hz_period_year_earlier(&ru->p, &yoy) == 0;
  int pop_ok = hz_period_previous(&ru->p, &pop) == 0;
  if (!yoy_ok)
    yoy = ru->p;
  if (!pop_ok)
    pop = ru->p;
  hz_period_year_of(&ru->p, &year);
  ru->period = period_text(a, &ru->p);
  ru->yoy = yoy_ok ? period_text(a, &yoy) : "";
  ru->pop = pop_ok ? period_text(a, &pop) : "";
  ru->year = period_text(a, &year);
  /* For a year the previous period is the year before: one window, not two. */
  int same = yoy_ok && pop_ok && yoy.type == pop.type && yoy.year == pop.year &&
             yoy.index == pop.index;
  int nwin = same ? 2 : 3;
  ru->pop_win = same ? WIN_YOY : WIN_POP;
  const hz_period_t *wins[] = {&ru->p, &yoy, &pop};
  const int ok[] = {1, yoy_ok, pop_ok};
  const char *starts[3], *ends[3];
  for (int i = 0; i < nwin; i++) {
    starts[i] = date_text(a, hz_period_start_date(wins[i]));
    ends[i] = ok[i] ? date_text(a, hz_period_end_date(wins[i])) : starts[i];
  }
  const char *target_periods[] = {ru->period, ru->year};
  const char **p0 = hz_arena_alloc(a, 2 * sizeof(char *));
  const char **p1 = hz_arena_alloc(a, sizeof(char *));
  const char **p2 = hz_arena_alloc(a, 8 * sizeof(char *));
  const char **p4 = hz_arena_alloc(a, 5 * sizeof(char *));
  if (!p0 || !p1 || !p2 || !p4 || !ru->period || !ru->yoy || !ru->pop || !ru->year)
    return (void)hz_rpc_oom(rpc);
  p1[0] = codes;
  p2[0] = ru->region;
  p2[1] = hz_pg_int(a, group_code(req));
  p2[2] = hz_pg_int(a, req->level);
  p2[3] = req->include_total ? "t" : "f";
  p2[4] = codes;
  p2[5] = hz_pg_int(a, ru->p.type);
  p2[6] = hz_pg_text_array(a, starts, (size_t)nwin);
  p2[7] = hz_pg_text_array(a, ends, (size_t)nwin);
  memcpy(p4, p2, 4 * sizeof(char *));
  p4[4] = hz_pg_text_array(a, target_periods, 2);
  const hz_db_stmt_t q[5] = {
      region_stmt(rpc, p0, ru->region),
      {.name = "hz_agg_catalog", .sql = CATALOG_SQL, .nparams = 1, .values = p1},
      {.name = "hz_agg_groups",
       .sql = "SELECT code, name, level, expected FROM hz_rollup_groups($1, $2::integer,"
              " $3::integer, $4::boolean)",
       .nparams = 4,
       .values = p2},
      {.name = "hz_agg_values", .sql = VALUES_SQL,
       .nparams = 8,
       .values = p2},
      {.name = "hz_agg_targets",
       .sql = "SELECT t.region_code, t.indicator_code, t.period, trim_scale(t.value)::text"
              " FROM targets t WHERE t.period = ANY ($5::text[]) AND t.region_code IN"
              " (SELECT code FROM hz_rollup_groups($1, $2::integer, $3::integer, $4::boolean))",
       .nparams = 5,
       .values = p4},
  };
  memcpy(ru->q, q, sizeof(q));
  if (rpc->app->rollups.limit == 0) {
    hz_rpc_query(rpc, ru->q, 5, on_rollup, ru);
    return;
  }
  const char **ps = hz_arena_alloc(a, 2 * sizeof(char *));
  if (!ps || !(ru->key = rollup_key(rpc, ru)))
    return (void)hz_rpc_oom(rpc);
  const hz_db_stmt_t check[2] = {
      region_stmt(rpc, ps, ru->region),
      {.name = "hz_agg_stamp", .sql = "SELECT hz_rollup_stamp($1)", .nparams = 1,
       .values = ps},
  };
  hz_rpc_query(rpc, check, 2, on_rollup_stamp, ru);
}

/* ---- Series ------------------------------------------------------------------ */

typedef struct series_s {
  const Huizong__V1__SeriesRequest *req; /* the request */
  const char *region;                    /* region code */
  hz_period_type_t type;                 /* type of every period */
  char **periods;                        /* codes, in order */
  size_t n;                              /* their number */
} series_t;

static void on_series(hz_rpc_t *rpc, const hz_db_result_t *res, void *tag) {
  series_t *se = tag;
  if (hz_rpc_db_failed(rpc, res))
    return;
  Huizong__V1__RegionRef *region = region_checked(rpc, res->results[0], se->region, NULL);
  if (!region)
    return;
  agg_catalog_t cat = {0};
  if (catalog_load(rpc, res->results[1], se->req->indicator_codes, se->req->n_indicator_codes,
                   se->type, &cat))
    return;
  agg_map_t m;
  if (map_load(rpc, res->results[2], &m))
    return (void)hz_rpc_oom(rpc);
  int expected = hz_rpc_cell_int(res->results[3], 0, 0);
  hz_arena_t *a = hz_rpc_arena(rpc);
  Huizong__V1__SeriesResponse out = HUIZONG__V1__SERIES_RESPONSE__INIT;
  out.series = hz_arena_alloc(a, (cat.n + 1) * sizeof(*out.series));
  if (!out.series)
    return (void)hz_rpc_oom(rpc);
  for (size_t i = 0; i < cat.n; i++) {
    Huizong__V1__IndicatorSeries *s = hz_arena_alloc(a, sizeof(*s));
    Huizong__V1__SeriesPoint **pts = hz_arena_alloc(a, (se->n + 1) * sizeof(*pts));
    if (!s || !pts)
      return (void)hz_rpc_oom(rpc);
    huizong__v1__indicator_series__init(s);
    s->indicator = cat.items[i].ref;
    for (size_t k = 0; k < se->n; k++) {
      Huizong__V1__SeriesPoint *pt = hz_arena_alloc(a, sizeof(*pt));
      if (!pt)
        return (void)hz_rpc_oom(rpc);
      huizong__v1__series_point__init(pt);
      pt->period = se->periods[k];
      hz_fig_t fig;
      const char *text;
      int scale, fixed;
      figure_style(&cat.items[i], &scale, &fixed);
      if (figure(rpc, &m, &cat.items[i], region->code, (int)k + 1, &fig, &pt->reporting_units) ||
          hz_fig_text(a, &fig, scale, fixed, &text) == -ENOMEM)
        return (void)hz_rpc_oom(rpc);
      pt->value = decimal_of(rpc, text);
      pt->expected_units = expected;
      pts[k] = pt;
    }
    s->points = pts;
    s->n_points = se->n;
    out.series[out.n_series++] = s;
  }
  out.region = region;
  out.period_type = (Huizong__V1__PeriodType)se->type;
  out.periods = se->periods;
  out.n_periods = se->n;
  out.skipped_indicator_codes = cat.skipped;
  out.n_skipped_indicator_codes = cat.nskipped;
  hz_rpc_reply(rpc, &out.base);
}

static void series(hz_rpc_t *rpc, ProtobufCMessage *msg) {
  const Huizong__V1__SeriesRequest *req = (const Huizong__V1__SeriesRequest *)msg;
  hz_arena_t *a = hz_rpc_arena(rpc);
  series_t *se = hz_arena_zalloc(a, sizeof(*se));
  if (!se)
    return (void)hz_rpc_oom(rpc);
  se->req = req;
  hz_period_t from, to;
  if (!(se->region = target_region(rpc, req->region_code)) ||
      parse_period(rpc, "from_period", req->from_period, &from) ||
      parse_period(rpc, "to_period", req->to_period, &to))
    return;
  if (from.type != to.type) {
    hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT,
                  "from_period %s and to_period %s are of different types", req->from_period,
                  req->to_period);
    return;
  }
  int span = hz_period_ordinal(&to) - hz_period_ordinal(&from) + 1;
  if (span < 1 || span > MAX_SERIES_PERIODS) {
    hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT,
                  "a series covers 1..%d periods in order; %s..%s does not", MAX_SERIES_PERIODS,
                  req->from_period, req->to_period);
    return;
  }
  int bad;
  const char *codes = codes_param(rpc, req->indicator_codes, req->n_indicator_codes, &bad);
  if (bad)
    return;
  se->type = from.type;
  se->n = (size_t)span;
  se->periods = hz_arena_alloc(a, se->n * sizeof(char *));
  const char **starts = hz_arena_alloc(a, se->n * sizeof(char *));
  const char **ends = hz_arena_alloc(a, se->n * sizeof(char *));
  const char **p0 = hz_arena_alloc(a, 2 * sizeof(char *));
  const char **p1 = hz_arena_alloc(a, sizeof(char *));
  const char **p2 = hz_arena_alloc(a, 8 * sizeof(char *));
  if (!se->periods || !starts || !ends || !p0 || !p1 || !p2)
    return (void)hz_rpc_oom(rpc);
  int base = hz_period_ordinal(&from);
  for (size_t k = 0; k < se->n; k++) {
    hz_period_t p;
    hz_period_from_ordinal(se->type, base + (int)k, &p);
    se->periods[k] = period_text(a, &p);
    starts[k] = date_text(a, hz_period_start_date(&p));
    ends[k] = date_text(a, hz_period_end_date(&p));
  }
  p1[0] = codes;
  p2[0] = se->region;
  p2[1] = "1";
  p2[2] = "0";
  p2[3] = "f";
  p2[4] = codes;
  p2[5] = hz_pg_int(a, se->type);
  p2[6] = hz_pg_text_array(a, starts, se->n);
  p2[7] = hz_pg_text_array(a, ends, se->n);
  hz_db_stmt_t q[4] = {
      region_stmt(rpc, p0, se->region),
      {.name = "hz_agg_catalog", .sql = CATALOG_SQL, .nparams = 1, .values = p1},
      {.name = "hz_agg_values", .sql = VALUES_SQL,
       .nparams = 8,
       .values = p2},
      {.name = "hz_agg_expected",
       .sql = "SELECT count(*) FROM region_paths p JOIN regions r ON r.code = p.descendant"
              " WHERE p.ancestor = $1 AND r.reporting",
       .nparams = 1,
       .values = p2},
  };
  hz_rpc_query(rpc, q, 4, on_series, se);
}

/* ---- Completeness ------------------------------------------------------------ */

typedef struct unit_query_s {
  const char *region; /* region code */
  char *period;       /* canonical period */
  hz_period_t p;      /* parsed period */
  const char **region_params;   /* statement 0: region, scope */
  const char **params;          /* region, period */
  const char **deadline_params; /* period type, start date, region, period */
} unit_query_t;

/* The prologue Completeness and GetReport share: region and period checked
 * and parameters ready. NULL after finishing the call. */
static unit_query_t *unit_query_start(hz_rpc_t *rpc, const char *region, const char *period) {
  hz_arena_t *a = hz_rpc_arena(rpc);
  unit_query_t *uq = hz_arena_zalloc(a, sizeof(*uq));
  if (uq) {
    uq->region_params = hz_arena_alloc(a, 2 * sizeof(char *));
    uq->params = hz_arena_alloc(a, 2 * sizeof(char *));
  }
  if (!uq || !uq->region_params || !uq->params)
    return hz_rpc_oom(rpc), NULL;
  if (!(uq->region = target_region(rpc, region)) ||
      parse_period(rpc, "period", period, &uq->p))
    return NULL;
  if (!(uq->period = period_text(a, &uq->p)))
    return hz_rpc_oom(rpc), NULL;
  uq->params[0] = uq->region;
  uq->params[1] = uq->period;
  return uq;
}

/* Deadline of the period and whether region has an exception for it. */
static hz_db_stmt_t deadline_stmt(hz_rpc_t *rpc, unit_query_t *uq, const hz_period_t *p) {
  hz_arena_t *a = hz_rpc_arena(rpc);
  const char **params = hz_arena_alloc(a, 4 * sizeof(char *));
  if (params) {
    params[0] = hz_pg_int(a, p->type);
    params[1] = date_text(a, hz_period_start_date(p));
    params[2] = uq->region;
    params[3] = uq->period;
  }
  uq->deadline_params = params;
  return (hz_db_stmt_t){
      .name = "hz_deadline",
      .sql = "SELECT coalesce(hz_ts(hz_deadline($1::smallint, $2::date)), ''),"
             " hz_exception_open($3, $4)",
      .nparams = 4,
      .values = params,
  };
}

static void on_completeness(hz_rpc_t *rpc, const hz_db_result_t *res, void *tag) {
  unit_query_t *uq = tag;
  if (hz_rpc_db_failed(rpc, res))
    return;
  Huizong__V1__RegionRef *region = region_checked(rpc, res->results[0], uq->region, NULL);
  if (!region)
    return;
  const PGresult *r = res->results[1];
  int rows = PQntuples(r);
  hz_arena_t *a = hz_rpc_arena(rpc);
  Huizong__V1__CompletenessResponse out = HUIZONG__V1__COMPLETENESS_RESPONSE__INIT;
  out.units = hz_arena_alloc(a, (size_t)(rows + 1) * sizeof(*out.units));
  out.missing_region_codes = hz_arena_alloc(a, (size_t)(rows + 1) * sizeof(char *));
  if (!out.units || !out.missing_region_codes)
    return (void)hz_rpc_oom(rpc);
  for (int i = 0; i < rows; i++) {
    Huizong__V1__UnitStatus *u = hz_arena_alloc(a, sizeof(*u));
    Huizong__V1__RegionRef *ref = region_ref_at(rpc, r, i, 0);
    if (!u || !ref)
      return (void)hz_rpc_oom(rpc);
    huizong__v1__unit_status__init(u);
    u->region = ref;
    u->last_submitted_at = (char *)hz_rpc_cell(rpc, r, i, 3);
    u->last_submission_id = (char *)hz_rpc_cell(rpc, r, i, 4);
    u->last_submitted_by = (char *)hz_rpc_cell(rpc, r, i, 5);
    u->value_count = hz_rpc_cell_int(r, i, 6);
    u->approved_by = (char *)hz_rpc_cell(rpc, r, i, 7);
    u->approved_at = (char *)hz_rpc_cell(rpc, r, i, 8);
    u->exception_open = hz_rpc_cell_bool(r, i, 9);
    if (u->approved_at[0]) {
      u->state = HUIZONG__V1__APPROVAL_STATE__APPROVAL_STATE_APPROVED;
      out.approved_count++;
      out.reported_count++;
    } else if (u->last_submitted_at[0]) {
      u->state = HUIZONG__V1__APPROVAL_STATE__APPROVAL_STATE_SUBMITTED;
      out.reported_count++;
    } else {
      u->state = HUIZONG__V1__APPROVAL_STATE__APPROVAL_STATE_MISSING;
      out.missing_region_codes[out.n_missing_region_codes++] = ref->code;
      out.missing_count++;
    }
    out.units[out.n_units++] = u;
  }
  out.region = region;
  out.period = uq->period;
  out.expected_count = rows;
  out.deadline = (char *)hz_rpc_cell(rpc, res->results[2], 0, 0);
  hz_rpc_reply(rpc, &out.base);
}

static void completeness(hz_rpc_t *rpc, ProtobufCMessage *msg) {
  const Huizong__V1__CompletenessRequest *req = (const Huizong__V1__CompletenessRequest *)msg;
  unit_query_t *uq = unit_query_start(rpc, req->region_code, req->period);
  if (!uq)
    return;
  hz_db_stmt_t q[3] = {
      region_stmt(rpc, uq->region_params, uq->region),
      {.name = "hz_agg_completeness",
       .sql = "SELECT r.code, r.name, r.level, hz_ts(rep.last_submitted_at),"
              " rep.last_submission_id::text, s.submitted_by,"
              " (SELECT count(*) FROM data_values d WHERE d.region_code = r.code"
              "   AND d.period = $2),"
              " rep.approved_by, hz_ts(rep.approved_at), hz_exception_open(r.code, $2)"
              " FROM region_paths p JOIN regions r ON r.code = p.descendant AND r.reporting"
              " LEFT JOIN reports rep ON rep.region_code = r.code AND rep.period = $2"
              " LEFT JOIN submissions s ON s.id = rep.last_submission_id"
              " WHERE p.ancestor = $1 ORDER BY r.code",
       .nparams = 2,
       .values = uq->params},
      deadline_stmt(rpc, uq, &uq->p),
  };
  if (!uq->deadline_params)
    return (void)hz_rpc_oom(rpc);
  hz_rpc_query(rpc, q, 3, on_completeness, uq);
}

/* ---- GetReport ----------------------------------------------------------------- */

static void on_report(hz_rpc_t *rpc, const hz_db_result_t *res, void *tag) {
  unit_query_t *uq = tag;
  if (hz_rpc_db_failed(rpc, res))
    return;
  int reporting = 0;
  Huizong__V1__RegionRef *region = region_checked(rpc, res->results[0], uq->region, &reporting);
  if (!region)
    return;
  if (!reporting) {
    hz_rpc_finish(rpc, HZ_STATUS_FAILED_PRECONDITION,
                  "region %s (%s) is not a reporting township; use Rollup for it", region->code,
                  region->name);
    return;
  }
  hz_arena_t *a = hz_rpc_arena(rpc);
  const PGresult *vals = res->results[1], *rep = res->results[2], *subs = res->results[3];
  int nv = PQntuples(vals), ns = PQntuples(subs);
  Huizong__V1__Report out = HUIZONG__V1__REPORT__INIT;
  Huizong__V1__Approval *ap = hz_arena_alloc(a, sizeof(*ap));
  out.values = hz_arena_alloc(a, (size_t)(nv + 1) * sizeof(*out.values));
  out.submission_ids = hz_arena_alloc(a, (size_t)(ns + 1) * sizeof(char *));
  if (!ap || !out.values || !out.submission_ids)
    return (void)hz_rpc_oom(rpc);
  for (int i = 0; i < nv; i++) {
    Huizong__V1__ReportValue *v = hz_arena_alloc(a, sizeof(*v));
    Huizong__V1__IndicatorRef *ir = hz_arena_alloc(a, sizeof(*ir));
    if (!v || !ir)
      return (void)hz_rpc_oom(rpc);
    huizong__v1__report_value__init(v);
    huizong__v1__indicator_ref__init(ir);
    ir->code = (char *)hz_rpc_cell(rpc, vals, i, 0);
    ir->name = (char *)hz_rpc_cell(rpc, vals, i, 1);
    ir->unit = (char *)hz_rpc_cell(rpc, vals, i, 2);
    ir->period_type = hz_rpc_cell_int(vals, i, 3);
    v->indicator = ir;
    v->value = (char *)hz_rpc_cell(rpc, vals, i, 4);
    v->comment = (char *)hz_rpc_cell(rpc, vals, i, 5);
    v->submission_id = (char *)hz_rpc_cell(rpc, vals, i, 6);
    v->updated_at = (char *)hz_rpc_cell(rpc, vals, i, 7);
    v->updated_by = (char *)hz_rpc_cell(rpc, vals, i, 8);
    out.values[out.n_values++] = v;
  }
  for (int i = 0; i < ns; i++)
    out.submission_ids[out.n_submission_ids++] = (char *)hz_rpc_cell(rpc, subs, i, 0);
  huizong__v1__approval__init(ap);
  ap->region_code = region->code;
  ap->period = uq->period;
  ap->state = HUIZONG__V1__APPROVAL_STATE__APPROVAL_STATE_MISSING;
  if (PQntuples(rep) == 1) {
    out.narrative = (char *)hz_rpc_cell(rpc, rep, 0, 0);
    ap->last_submitted_at = (char *)hz_rpc_cell(rpc, rep, 0, 1);
    ap->approved_by = (char *)hz_rpc_cell(rpc, rep, 0, 2);
    ap->approved_at = (char *)hz_rpc_cell(rpc, rep, 0, 3);
    ap->comment = (char *)hz_rpc_cell(rpc, rep, 0, 4);
    ap->state = ap->approved_at[0] ? HUIZONG__V1__APPROVAL_STATE__APPROVAL_STATE_APPROVED
                : ap->last_submitted_at[0] ? HUIZONG__V1__APPROVAL_STATE__APPROVAL_STATE_SUBMITTED
                                           : HUIZONG__V1__APPROVAL_STATE__APPROVAL_STATE_MISSING;
  }
  out.region = region;
  out.period = uq->period;
  out.approval = ap;
  out.deadline = (char *)hz_rpc_cell(rpc, res->results[4], 0, 0);
  out.exception_open = hz_rpc_cell_bool(res->results[4], 0, 1);
  hz_rpc_reply(rpc, &out.base);
}

static void get_report(hz_rpc_t *rpc, ProtobufCMessage *msg) {
  const Huizong__V1__GetReportRequest *req = (const Huizong__V1__GetReportRequest *)msg;
  unit_query_t *uq = unit_query_start(rpc, req->region_code, req->period);
  if (!uq)
    return;
  hz_db_stmt_t q[5] = {
      region_stmt(rpc, uq->region_params, uq->region),
      {.name = "hz_report_values",
       .sql = "SELECT i.code, i.name, i.unit, i.period_type, trim_scale(d.value)::text,"
              " d.comment, d.submission_id::text, hz_ts(d.updated_at), s.submitted_by"
              " FROM data_values d JOIN indicators i ON i.code = d.indicator_code"
              " LEFT JOIN submissions s ON s.id = d.submission_id"
              " WHERE d.region_code = $1 AND d.period = $2 ORDER BY i.code",
       .nparams = 2,
       .values = uq->params},
      {.name = "hz_report_row",
       .sql = "SELECT narrative, hz_ts(last_submitted_at), approved_by, hz_ts(approved_at),"
              " approval_comment FROM reports WHERE region_code = $1 AND period = $2",
       .nparams = 2,
       .values = uq->params},
      {.name = "hz_report_submissions",
       .sql = "SELECT id::text FROM submissions WHERE region_code = $1 AND period = $2"
              " ORDER BY received_at, id",
       .nparams = 2,
       .values = uq->params},
      deadline_stmt(rpc, uq, &uq->p),
  };
  if (!uq->deadline_params)
    return (void)hz_rpc_oom(rpc);
  hz_rpc_query(rpc, q, 5, on_report, uq);
}

/* ---- ExportValues ---------------------------------------------------------------- */

typedef struct export_s {
  const char **params;     /* region, from, to, codes, after key x3 */
  char **codes;            /* indicator filter as requested */
  size_t ncodes;           /* its length */
  int checked;             /* scope verified by the first page */
  int last_page;           /* the page just sent was short: done */
  int waiting_drain;       /* paused for the client to read */
} export_t;

static void export_next(hz_rpc_t *rpc);

static int send_batch(hz_rpc_t *rpc, const PGresult *r, int from, int to) {
  hz_arena_t *a = hz_rpc_arena(rpc);
  Huizong__V1__ExportValuesResponse out = HUIZONG__V1__EXPORT_VALUES_RESPONSE__INIT;
  /* Records point into the PGresult: the message is packed before return. */
  Huizong__V1__ValueRecord *recs = hz_arena_alloc(a, (size_t)(to - from) * sizeof(*recs));
  Huizong__V1__ValueRecord **ptrs = hz_arena_alloc(a, (size_t)(to - from) * sizeof(*ptrs));
  if (!recs || !ptrs)
    return -ENOMEM;
  for (int i = from; i < to; i++) {
    Huizong__V1__ValueRecord *v = &recs[i - from];
    huizong__v1__value_record__init(v);
    v->region_code = PQgetvalue(r, i, 0);
    v->indicator_code = PQgetvalue(r, i, 1);
    v->period = PQgetvalue(r, i, 2);
    v->value = PQgetvalue(r, i, 3);
    v->comment = PQgetvalue(r, i, 4);
    v->submission_id = PQgetvalue(r, i, 5);
    v->updated_at = PQgetvalue(r, i, 6);
    ptrs[i - from] = v;
  }
  out.records = ptrs;
  out.n_records = (size_t)(to - from);
  return hz_call_send(rpc->call, &out.base);
}

static void on_export_page(hz_rpc_t *rpc, const hz_db_result_t *res, void *tag) {
  export_t *ex = tag;
  if (hz_rpc_db_failed(rpc, res))
    return;
  int idx = 0;
  if (!ex->checked) {
    if (!region_checked(rpc, res->results[0], ex->params[0], NULL))
      return;
    const PGresult *known = res->results[1];
    for (size_t i = 0; i < ex->ncodes; i++) {
      int found = 0;
      for (int k = 0; k < PQntuples(known) && !found; k++)
        found = strcmp(PQgetvalue(known, k, 0), ex->codes[i]) == 0;
      if (!found) {
        hz_rpc_finish(rpc, HZ_STATUS_NOT_FOUND, "unknown indicator %s", ex->codes[i]);
        return;
      }
    }
    ex->checked = 1;
    idx = 2;
  }
  const PGresult *r = res->results[idx];
  int rows = PQntuples(r), backpressure = 0;
  for (int i = 0; i < rows; i += EXPORT_BATCH) {
    int r2 = send_batch(rpc, r, i, i + EXPORT_BATCH < rows ? i + EXPORT_BATCH : rows);
    if (r2 < 0) {
      hz_rpc_finish(rpc, r2 == -ENOMEM ? HZ_STATUS_RESOURCE_EXHAUSTED : HZ_STATUS_CANCELLED,
                    NULL);
      return;
    }
    backpressure |= r2 == 1;
  }
  if (rows < EXPORT_PAGE) {
    hz_rpc_finish(rpc, HZ_STATUS_OK, NULL);
    return;
  }
  hz_arena_t *a = hz_rpc_arena(rpc);
  ex->params[4] = hz_arena_strdup(a, PQgetvalue(r, rows - 1, 0));
  ex->params[5] = hz_arena_strdup(a, PQgetvalue(r, rows - 1, 1));
  ex->params[6] = hz_arena_strdup(a, PQgetvalue(r, rows - 1, 2));
  if (backpressure)
    ex->waiting_drain = 1; /* on_drain resumes */
  else
    export_next(rpc);
}

static void export_next(hz_rpc_t *rpc) {
  export_t *ex = rpc->state;
  hz_db_stmt_t q[3];
  int n = 0;
  const char **p0 = hz_arena_alloc(hz_rpc_arena(rpc), 2 * sizeof(char *));
  if (!p0)
    return (void)hz_rpc_oom(rpc);
  if (!ex->checked) {
    q[n++] = region_stmt(rpc, p0, ex->params[0]);
    q[n++] = (hz_db_stmt_t){
        .name = "hz_export_known",
        .sql = "SELECT code FROM indicators WHERE code = ANY ($1::text[])",
        .nparams = 1,
        .values = &ex->params[3],
    };
  }
  q[n++] = (hz_db_stmt_t){
      .name = "hz_export_page",
      .sql = "SELECT d.region_code, d.indicator_code, d.period, trim_scale(d.value)::text,"
             " d.comment, d.submission_id::text, hz_ts(d.updated_at)"
             " FROM data_values d"
             " WHERE d.region_code IN (SELECT descendant FROM region_paths WHERE ancestor = $1)"
             " AND d.period_start >= $2::date AND d.period_start < $3::date"
             /* only periods wholly inside the range; the start bound keeps the index */
             " AND hz_period_end(d.period_type, d.period_start) <= $3::date"
             " AND ($4::text[] IS NULL OR d.indicator_code = ANY ($4::text[]))"
             " AND ($5::text IS NULL OR (d.region_code, d.indicator_code, d.period) > ($5, $6, $7))"
             " ORDER BY d.region_code, d.indicator_code, d.period LIMIT 5000",
      .nparams = 7,
      .values = ex->params,
  };
  hz_rpc_query(rpc, q, n, on_export_page, ex);
}

static void export_drained(hz_rpc_t *rpc) {
  export_t *ex = rpc->state;
  if (ex && ex->waiting_drain) {
    ex->waiting_drain = 0;
    export_next(rpc);
  }
}

static void export_values(hz_rpc_t *rpc, ProtobufCMessage *msg) {
  const Huizong__V1__ExportValuesRequest *req = (const Huizong__V1__ExportValuesRequest *)msg;
  hz_arena_t *a = hz_rpc_arena(rpc);
  export_t *ex = hz_arena_zalloc(a, sizeof(*ex));
  const char **params = hz_arena_zalloc(a, 7 * sizeof(char *));
  hz_period_t from, to;
  if (!ex || !params)
    return (void)hz_rpc_oom(rpc);
  const char *region = target_region(rpc, req->region_code);
  if (!region || parse_period(rpc, "from_period", req->from_period, &from) ||
      parse_period(rpc, "to_period", req->to_period, &to))
    return;
  if (hz_period_start_date(&from) >= hz_period_end_date(&to)) {
    hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "from_period %s is after to_period %s",
                  req->from_period, req->to_period);
    return;
  }
  int bad;
  params[3] = codes_param(rpc, req->indicator_codes, req->n_indicator_codes, &bad);
  if (bad)
    return;
  ex->codes = req->indicator_codes;
  ex->ncodes = req->n_indicator_codes;
  params[0] = region;
  params[1] = date_text(a, hz_period_start_date(&from));
  params[2] = date_text(a, hz_period_end_date(&to));
  ex->params = params;
  rpc->state = ex;
  export_next(rpc);
}

/* ---- registration ------------------------------------------------------------------ */

static const hz_rpc_def_t aggregation_methods[] = {
    {"/huizong.v1.Aggregation/Rollup", HZ_RPC_UNARY, &huizong__v1__rollup_request__descriptor,
     HZ_ROLES_ALL, rollup, NULL, NULL},
    {"/huizong.v1.Aggregation/Series", HZ_RPC_UNARY, &huizong__v1__series_request__descriptor,
     HZ_ROLES_ALL, series, NULL, NULL},
    {"/huizong.v1.Aggregation/Completeness", HZ_RPC_UNARY,
     &huizong__v1__completeness_request__descriptor, HZ_ROLES_ALL, completeness, NULL, NULL},
    {"/huizong.v1.Aggregation/GetReport", HZ_RPC_UNARY,
     &huizong__v1__get_report_request__descriptor, HZ_ROLES_ALL, get_report, NULL, NULL},
    {"/huizong.v1.Aggregation/ExportValues", HZ_RPC_SERVER_STREAM,
     &huizong__v1__export_values_request__descriptor, HZ_ROLES_ALL, export_values, NULL,
     export_drained},
};

int hz_aggregation_register(hz_app_t *app) {
  return hz_rpc_register(app, aggregation_methods,
                         sizeof(aggregation_methods) / sizeof(aggregation_methods[0]));
}
