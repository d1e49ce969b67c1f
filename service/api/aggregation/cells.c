/* The exact parts of a rollup or series, kept by (group, indicator,
 * window), and the figures built from them: a plain indicator's cell, or
 * a ratio divided from its two aggregated parts (a ratio of sums). The
 * arithmetic is domain/figures.h's; this file only finds the parts. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "api/aggregation/aggregation.h"

/* FNV-1a over a code. */
static uint32_t code_hash(const char *s, size_t len) {
  uint32_t h = 2166136261u;
  for (size_t k = 0; k < len; k++)
    h = (h ^ (uint8_t)s[k]) * 16777619u;
  return h;
}

/* The slot of code in t: its entry, or the empty one where it belongs. */
static agg_code_t *codes_slot(const agg_codes_t *t, const char *s, size_t len, uint32_t h) {
  for (size_t b = h & (t->cap - 1);; b = (b + 1) & (t->cap - 1)) {
    agg_code_t *e = &t->slots[b];
    if (!e->code || (e->hash == h && strncmp(e->code, s, len) == 0 && e->code[len] == '\0'))
      return e;
  }
}

/* An empty table of cap slots (a power of two). */
static int codes_alloc(hz_rpc_t *rpc, agg_codes_t *t, size_t cap) {
  t->n = 0;
  t->cap = cap;
  t->slots = hz_arena_zalloc(hz_rpc_arena(rpc), cap * sizeof(agg_code_t));
  return t->slots ? 0 : -ENOMEM;
}

/* Doubles t: load factor at most 1/2 keeps probes short. */
static int codes_grow(hz_rpc_t *rpc, agg_codes_t *t) {
  agg_codes_t old = *t;
  if (codes_alloc(rpc, t, old.cap * 2))
    return -ENOMEM;
  for (size_t b = 0; b < old.cap; b++) {
    const agg_code_t *e = &old.slots[b];
    if (e->code)
      *codes_slot(t, e->code, strlen(e->code), e->hash) = *e;
  }
  t->n = old.n;
  return 0;
}

/* The id of s (len bytes), added (an arena copy) when new; -ENOMEM. */
static int codes_intern(hz_rpc_t *rpc, agg_codes_t *t, const char *s, size_t len) {
  uint32_t h = code_hash(s, len);
  agg_code_t *e = codes_slot(t, s, len, h);
  if (e->code)
    return e->id;
  if ((t->n + 1) * 2 > t->cap) {
    if (codes_grow(rpc, t))
      return -ENOMEM;
    e = codes_slot(t, s, len, h);
  }
  if (!(e->code = hz_arena_strndup(hz_rpc_arena(rpc), s, len)))
    return -ENOMEM;
  e->hash = h;
  e->id = (int)t->n++;
  return e->id;
}

static int codes_find(const agg_codes_t *t, const char *s) {
  if (!s)
    return -1;
  size_t len = strlen(s);
  const agg_code_t *e = codes_slot(t, s, len, code_hash(s, len));
  return e->code ? e->id : -1;
}

/* A cell count the dense table may not pass (a caller bug, not data). */
#define AGG_MAP_MAX_SLOTS ((size_t)1 << 28)

int agg_map_init(hz_rpc_t *rpc, agg_map_t *m, const PGresult *r, int c_grp, int c_ind, int c_win,
                 int nwin, int **bases) {
  int rows = PQntuples(r);
  int *gi = hz_arena_alloc(hz_rpc_arena(rpc), ((size_t)rows * 2 + 1) * sizeof(int));
  if (!gi || codes_alloc(rpc, &m->groups, 64) || codes_alloc(rpc, &m->inds, 256))
    return -ENOMEM;
  m->nwin = nwin;
  for (int i = 0; i < rows; i++) {
    gi[2 * i] =
        codes_intern(rpc, &m->groups, PQgetvalue(r, i, c_grp), (size_t)PQgetlength(r, i, c_grp));
    gi[2 * i + 1] =
        codes_intern(rpc, &m->inds, PQgetvalue(r, i, c_ind), (size_t)PQgetlength(r, i, c_ind));
    if (gi[2 * i] < 0 || gi[2 * i + 1] < 0)
      return -ENOMEM;
    if (c_win >= 0 && hz_rpc_cell_int(r, i, c_win) > m->nwin)
      m->nwin = hz_rpc_cell_int(r, i, c_win);
  }
  size_t n;
  if (__builtin_mul_overflow(m->groups.n, m->inds.n, &n) ||
      __builtin_mul_overflow(n, (size_t)m->nwin + 1, &n) || n > AGG_MAP_MAX_SLOTS ||
      !(m->cells = hz_arena_zalloc(hz_rpc_arena(rpc), (n ? n : 1) * sizeof(agg_cell_t *))))
    return -ENOMEM;
  /* Each row's base: its key's window 0; the row's window adds to it. */
  for (int i = 0; i < rows; i++)
    gi[i] = (int)(((size_t)gi[2 * i] * m->inds.n + (size_t)gi[2 * i + 1]) * (size_t)(m->nwin + 1));
  if (bases)
    *bases = gi;
  return 0;
}

agg_cell_t **agg_map_slot(const agg_map_t *m, int base, int win) {
  return win >= 0 && win <= m->nwin ? &m->cells[base + win] : NULL;
}

int agg_map_base(const agg_map_t *m, const char *grp, const char *ind) {
  int g = codes_find(&m->groups, grp), i = g < 0 ? -1 : codes_find(&m->inds, ind);
  if (i < 0)
    return -1;
  return (int)(((size_t)g * m->inds.n + (size_t)i) * (size_t)(m->nwin + 1));
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
  int rows = PQntuples(r), *bases;
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
  if (agg_map_init(rpc, m, r, cols.grp, cols.indicator, cols.win, 0, &bases))
    return -ENOMEM;
  for (int i = 0; i < rows; i++) {
    int units = hz_rpc_cell_int(r, i, cols.reporting);
    agg_cell_t **slot = agg_map_slot(m, bases[i], hz_rpc_cell_int(r, i, cols.win));
    hz_fig_agg_t how = (hz_fig_agg_t)hz_rpc_cell_int(r, i, cols.ra);
    unsigned covered = (unsigned)hz_rpc_cell_int(r, i, cols.covered);
    hz_fig_t part;
    if (!slot)
      continue; /* a negative window: none was asked for */
    if (row_part(rpc, r, i, &cols, &part))
      return -ENOMEM;
    agg_cell_t *c = *slot;
    if (!c) {
      if (!(c = *slot = hz_arena_zalloc(hz_rpc_arena(rpc), sizeof(*c))))
        return -ENOMEM;
      c->fig = part;
      c->reporting = units;
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

agg_key_t agg_map_key(const agg_map_t *m, const agg_ind_t *ind, const char *grp) {
  if (!ind->numerator)
    return (agg_key_t){.m = m, .a = agg_map_base(m, grp, ind->ref->code), .b = -1};
  return (agg_key_t){.m = m,
                     .a = agg_map_base(m, grp, ind->numerator),
                     .b = agg_map_base(m, grp, ind->denominator)};
}

/* The cell of window win at base (-1: none). */
static const agg_cell_t *cell_at(const agg_key_t *k, int base, int win) {
  agg_cell_t **slot = base < 0 ? NULL : agg_map_slot(k->m, base, win);
  return slot ? *slot : NULL;
}

int agg_figure(hz_rpc_t *rpc, const agg_key_t *k, const agg_ind_t *ind, int win, hz_fig_t *out,
               int *reporting) {
  *reporting = 0;
  *out = (hz_fig_t){0};
  if (!ind->numerator) {
    const agg_cell_t *c = cell_at(k, k->a, win);
    if (c)
      *reporting = c->reporting;
    return cell_figure(rpc, c, out);
  }
  const agg_cell_t *n = cell_at(k, k->a, win);
  const agg_cell_t *d = cell_at(k, k->b, win);
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

unsigned agg_covered(const agg_key_t *k, const agg_ind_t *ind, int win) {
  if (!ind->numerator) {
    const agg_cell_t *c = cell_at(k, k->a, win);
    return c ? c->covered : 0;
  }
  const agg_cell_t *n = cell_at(k, k->a, win);
  const agg_cell_t *d = cell_at(k, k->b, win);
  /* A ratio covers a sub-period when both of its parts do. */
  return n && d ? n->covered & d->covered : 0;
}

void agg_figure_style(const agg_ind_t *ind, int *scale, int *fixed) {
  hz_fig_style(ind->numerator != NULL, ind->scale, scale, fixed);
}
