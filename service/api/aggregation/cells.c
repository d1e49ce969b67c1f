/* The exact parts of a rollup or series, kept by (group, indicator,
 * window), and the figures built from them: a plain indicator's cell, or
 * a ratio divided from its two aggregated parts (a ratio of sums). The
 * arithmetic is domain/figures.h's; this file only finds the parts. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "api/aggregation/aggregation.h"

/* FNV-1a over the key; 0x1f separates the two codes. */
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

/* Load factor at most 1/2: chains stay short without a resize step. */
int agg_map_init(hz_rpc_t *rpc, agg_map_t *m, size_t n) {
  m->nb = 64;
  while (m->nb < n * 2)
    m->nb *= 2;
  m->buckets = hz_arena_zalloc(hz_rpc_arena(rpc), m->nb * sizeof(agg_cell_t *));
  return m->buckets ? 0 : -ENOMEM;
}

agg_cell_t *agg_map_put(hz_rpc_t *rpc, agg_map_t *m, const char *grp, const char *ind, int win,
                        hz_fig_t fig, int reporting) {
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

agg_cell_t *agg_map_get(const agg_map_t *m, const char *grp, const char *ind, int win) {
  for (agg_cell_t *c = m->buckets[cell_hash(grp, ind, win, m->nb)]; c; c = c->next)
    if (c->win == win && strcmp(c->grp, grp) == 0 && strcmp(c->ind, ind) == 0)
      return c;
  return NULL;
}

/* Where AGG_VALUES' columns are, found once per result. */
typedef struct values_cols_s {
  int grp, indicator, win, ra, n, value, reporting, covered;
} values_cols_t;

/* One row's part: value / n summed over the row's townships (n == 1, no
 * average over time: the total is the part). Undefined for a NULL value. */
static int row_part(hz_rpc_t *rpc, const PGresult *r, int i, const values_cols_t *cols,
                    hz_fig_t *part) {
  *part = (hz_fig_t){0};
  if (hz_rpc_cell_null(r, i, cols->value))
    return 0;
  hz_fig_t total = hz_fig_whole(hz_rpc_cell(rpc, r, i, cols->value));
  if (!total.num)
    return -ENOMEM;
  int n = hz_rpc_cell_int(r, i, cols->n);
  if (n == 1) {
    *part = total;
    return 0;
  }
  return hz_fig_average(hz_rpc_arena(rpc), &total, n, part) == -ENOMEM ? -ENOMEM : 0;
}

int agg_map_load(hz_rpc_t *rpc, const PGresult *r, agg_map_t *m) {
  int rows = PQntuples(r);
  const values_cols_t cols = {
      .grp = hz_db_col(r, "grp"),
      .indicator = hz_db_col(r, "indicator"),
      .win = hz_db_col(r, "win"),
      .ra = hz_db_col(r, "ra"),
      .n = hz_db_col(r, "n"),
      .value = hz_db_col(r, "value"),
      .reporting = hz_db_col(r, "reporting"),
      .covered = hz_db_col(r, "covered"),
  };
  if (agg_map_init(rpc, m, (size_t)rows))
    return -ENOMEM;
  for (int i = 0; i < rows; i++) {
    const char *grp = hz_rpc_cell(rpc, r, i, cols.grp);
    const char *ind = hz_rpc_cell(rpc, r, i, cols.indicator);
    int win = hz_rpc_cell_int(r, i, cols.win), units = hz_rpc_cell_int(r, i, cols.reporting);
    hz_fig_agg_t how = (hz_fig_agg_t)hz_rpc_cell_int(r, i, cols.ra);
    unsigned covered = (unsigned)hz_rpc_cell_int(r, i, cols.covered);
    hz_fig_t part;
    if (row_part(rpc, r, i, &cols, &part))
      return -ENOMEM;
    agg_cell_t *c = agg_map_get(m, grp, ind, win);
    if (!c) {
      if (!(c = agg_map_put(rpc, m, grp, ind, win, part, units)))
        return -ENOMEM;
      c->how = how;
      c->covered = covered;
      continue;
    }
    c->reporting += units;
    c->covered |= covered;
    /* A cell already undefined stays so (its first part was); any error
     * but -ENOMEM leaves it undefined, as hz_fig_fold does. */
    if (hz_fig_defined(&c->fig) &&
        hz_fig_fold(hz_rpc_arena(rpc), how, &c->fig, &part, &c->fig) == -ENOMEM)
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

int agg_figure(hz_rpc_t *rpc, const agg_map_t *m, const agg_ind_t *ind, const char *grp, int win,
               hz_fig_t *out, int *reporting) {
  *reporting = 0;
  *out = (hz_fig_t){0};
  if (!ind->numerator) {
    const agg_cell_t *c = agg_map_get(m, grp, ind->ref->code, win);
    if (c)
      *reporting = c->reporting;
    return cell_figure(rpc, c, out);
  }
  const agg_cell_t *n = agg_map_get(m, grp, ind->numerator, win);
  const agg_cell_t *d = agg_map_get(m, grp, ind->denominator, win);
  /* A ratio counts the units behind both of its parts. */
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

unsigned agg_covered(const agg_map_t *m, const agg_ind_t *ind, const char *grp, int win) {
  if (!ind->numerator) {
    const agg_cell_t *c = agg_map_get(m, grp, ind->ref->code, win);
    return c ? c->covered : 0;
  }
  const agg_cell_t *n = agg_map_get(m, grp, ind->numerator, win);
  const agg_cell_t *d = agg_map_get(m, grp, ind->denominator, win);
  /* A ratio covers a sub-period when both of its parts do. */
  return n && d ? n->covered & d->covered : 0;
}

void agg_figure_style(const agg_ind_t *ind, int *scale, int *fixed) {
  hz_fig_style(ind->numerator != NULL, ind->scale, scale, fixed);
}
