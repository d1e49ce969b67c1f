/* The statisticians' reading of a rollup row or series point
 * (STATISTICS.md): which sub-periods a window covers (Coverage) and the
 * year-to-date figures (YearToDate, 1–N月累计 and 累计同比). The windows and
 * the coverage rule are domain/window.h's, the arithmetic
 * domain/figures.h's; this file writes the messages. */
#include <errno.h>

#include "api/aggregation/aggregation.h"

/* agg_coverage without the memo. */
static Huizong__V1__Coverage *coverage_new(hz_rpc_t *rpc, const hz_window_t *w,
                                           hz_period_type_t finer, unsigned mask, int *partial) {
  hz_arena_t *a = hz_rpc_arena(rpc);
  hz_coverage_t cov;
  *partial = 0;
  Huizong__V1__Coverage *c = hz_arena_alloc(a, sizeof(*c));
  if (!c)
    return NULL;
  huizong__v1__coverage__init(c);
  /* A window the indicator cannot be read at is a caller bug: no coverage. */
  if (hz_coverage_of(w, finer, mask, &cov) != 0)
    return c;
  c->covered = cov.covered;
  c->total = cov.total;
  c->complete = hz_coverage_complete(&cov);
  *partial = hz_coverage_partial(&cov);
  /* Why: a complete window's sub-periods are all of them, which the reader
   * knows from the window; listing them made a county's answer 40 % larger
   * (issue 15: 414 KB, 12 month codes on each of 1,560 rows). */
  if (c->complete)
    return c;
  c->covered_periods = hz_arena_alloc(a, (size_t)(cov.covered + 1) * sizeof(char *));
  if (!c->covered_periods)
    return NULL;
  for (int k = 0; k < cov.covered; k++)
    if (!(c->covered_periods[k] = agg_period_text(a, &cov.periods[k])))
      return NULL;
  c->n_covered_periods = (size_t)cov.covered;
  return c;
}

static int same_period(const hz_period_t *a, const hz_period_t *b) {
  return a->type == b->type && a->year == b->year && a->index == b->index;
}

Huizong__V1__Coverage *agg_coverage(hz_rpc_t *rpc, agg_covers_t *memo, const hz_window_t *w,
                                    hz_period_type_t finer, unsigned mask, int *partial) {
  if (!memo)
    return coverage_new(rpc, w, finer, mask, partial);
  for (int k = 0; k < memo->n; k++) {
    const agg_cover_t *e = &memo->e[k];
    if (e->mask == mask && e->finer == finer && same_period(&e->w.from, &w->from) &&
        same_period(&e->w.to, &w->to)) {
      *partial = e->partial;
      return e->msg;
    }
  }
  Huizong__V1__Coverage *c = coverage_new(rpc, w, finer, mask, partial);
  if (c) {
    /* Full: the newest replaces the oldest (rows of one answer share a
     * handful of masks, most of them "complete"). */
    agg_cover_t *e = &memo->e[memo->next];
    memo->next = (memo->next + 1) % AGG_COVERS;
    if (memo->n < AGG_COVERS)
      memo->n++;
    *e = (agg_cover_t){.w = *w, .finer = finer, .mask = mask, .partial = *partial, .msg = c};
  }
  return c;
}

/* The exact year-to-date inputs of ind for grp: the window, its base a
 * year earlier (restricted by hz_rollup_values when partial) and the
 * annual target. */
static int ytd_inputs(hz_rpc_t *rpc, const agg_key_t *k, const agg_ind_t *ind,
                      const agg_ytd_spec_t *spec, hz_fig_inputs_t *in, int *rep) {
  int ignored;
  agg_figure_style(ind, &in->scale, &in->fixed);
  in->basis = (hz_fig_basis_t)ind->ref->change_basis;
  if (agg_figure(rpc, k, ind, spec->win, &in->value, rep))
    return -ENOMEM;
  if (spec->base_win && agg_figure(rpc, k, ind, spec->base_win, &in->previous_year, &ignored))
    return -ENOMEM;
  return 0;
}

Huizong__V1__YearToDate *agg_ytd(hz_rpc_t *rpc, const agg_key_t *k, const agg_ind_t *ind,
                                 const agg_ytd_spec_t *spec, const hz_fig_t *annual_target) {
  hz_arena_t *a = hz_rpc_arena(rpc);
  Huizong__V1__YearToDate *y = hz_arena_alloc(a, sizeof(*y));
  hz_fig_inputs_t in = {.annual_target = *annual_target};
  hz_fig_row_t f;
  int rep, partial;
  if (!y || ytd_inputs(rpc, k, ind, spec, &in, &rep))
    return NULL;
  huizong__v1__year_to_date__init(y);
  y->coverage =
      agg_coverage(rpc, spec->covers, &spec->window, (hz_period_type_t)ind->ref->period_type,
                   agg_covered(k, ind, spec->win), &partial);
  if (!y->coverage || hz_fig_row(a, &in, &f))
    return NULL;
  y->from_period = (char *)spec->from;
  y->to_period = (char *)spec->to;
  y->value = agg_decimal(rpc, f.value);
  y->reporting_units = rep;
  y->previous_year_value = agg_decimal(rpc, f.previous_year_value);
  y->yoy_growth_pct = agg_decimal(rpc, f.yoy_growth_pct);
  y->yoy_change_pp = agg_decimal(rpc, f.yoy_change_pp);
  y->annual_progress_pct = agg_decimal(rpc, f.annual_progress_pct);
  y->yoy_same_subperiods = partial && f.previous_year_value;
  return y;
}
