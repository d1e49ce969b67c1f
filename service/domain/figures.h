/* Figures of a rollup, exact until they are written for the wire.
 *
 * A figure is a fraction of exact decimals (hz_fig_t): a township's
 * average over time is its sum over its count, a region's average is the
 * sum of its townships' figures over their number, a ratio is its
 * numerator's figure over its denominator's. Nothing is rounded on the way:
 * rounding a mean to 6 places per township and again per region showed a
 * county mean of 1.833334 where the exact 11/6 is 1.833333, and a ratio
 * divided from rounded parts showed 599999.88 for 600000.00. Every rule
 * below works on the exact fractions; a figure is rounded once, half away
 * from zero, by hz_fig_text or by the percentage it produces.
 *
 * The rules (the statisticians' own, see DESIGN.md "Rollups"):
 * - average: sum / count, count > 0.
 * - region aggregation (hz_fig_fold): SUM and AVERAGE add the townships'
 *   figures (AVERAGE then divides by how many reported), MIN and MAX keep
 *   the extreme, NONE has a value only for a single township.
 * - ratio of sums: (numerator * factor) / denominator of the aggregated
 *   parts, never an average of ratios; undefined when the denominator is 0.
 * - growth (同比, on the same period a year earlier) and change on the
 *   previous period (环比): (value - base) / |base| * 100 to 2 places;
 *   dividing by |base| keeps the sign meaning "up" when the base is
 *   negative; undefined when the base is 0.
 * - completion (of the period's target) and progress (against the annual
 *   target): value / target * 100 to 2 places; undefined when the target
 *   is 0. A partial period (some of its sub-periods reported, domain/
 *   window.h) has no completion: a period target needs the whole period.
 * - percentage points (百分点): rates, shares and ratios (change basis
 *   POINTS) change by value - base, exactly, rounded once to 2 places
 *   (31.44% against 7.86% is +23.58 points, never +300%); they have no
 *   relative growth, and GROWTH figures have no points.
 *
 * Functions are pure: results live in the arena given, inputs are never
 * changed. They return 0 or a negative errno: -EDOM the figure is
 * undefined (a zero base, denominator or target), -EINVAL an undefined
 * input, or an operand that is not an exact decimal or is beyond decimal.h's
 * operand limits (any error but -ENOMEM is "undefined" to a caller: no
 * figure rather than a wrong one), -ENOMEM the arena is exhausted (the only
 * failure of the call itself). */
#ifndef HZ_DOMAIN_FIGURES_H
#define HZ_DOMAIN_FIGURES_H

#include "core/arena.h"

/* An exact figure num / den. num is exact decimal text of any sign, den
 * positive exact decimal text ("1" for a value that is its own text);
 * num NULL means undefined (nothing reported, a NONE above a township). */
typedef struct hz_fig_s {
  const char *num; /* the figure times den */
  const char *den; /* > 0; whole counts in practice */
} hz_fig_t;

/* How an indicator combines over regions: the numbers of RegionAggregation
 * in common.proto and of indicators.region_aggregation. */
typedef enum {
  HZ_FIG_SUM = 1,
  HZ_FIG_AVERAGE = 2, /* over the units that reported */
  HZ_FIG_MIN = 3,
  HZ_FIG_MAX = 4,
  HZ_FIG_NONE = 5, /* no value above a single township */
} hz_fig_agg_t;

/* How a figure's changes are stated: the numbers of huizong.v1.ChangeBasis
 * and of indicators.change_basis (migration 012). */
typedef enum {
  HZ_FIG_GROWTH = 1, /* (value - base) / |base| * 100: *_pct */
  HZ_FIG_POINTS = 2, /* value - base in percentage points: *_pp */
} hz_fig_basis_t;

/* Fraction digits of a plain figure on the wire: the precision of every
 * stored value, so sums are shown exactly and only means are rounded. */
#define HZ_FIG_VALUE_SCALE 6

/* Fraction digits of a ratio whose indicator names none. */
#define HZ_FIG_RATIO_SCALE 2

/* The figure of a value that is exact as written: value / 1. */
hz_fig_t hz_fig_whole(const char *value);

/* 1 when f is defined. */
int hz_fig_defined(const hz_fig_t *f);

/* sum / count: an average without rounding (count > 0, else -EDOM). */
int hz_fig_average(hz_arena_t *a, const hz_fig_t *sum, long long count, hz_fig_t *out);

/* Adds part to what acc holds so far under rule how (acc undefined means
 * nothing yet: out = part). AVERAGE adds like SUM; the caller divides by
 * the units that reported (hz_fig_average) once all parts are in. NONE
 * with a second part, or any rule with an undefined part, is undefined. */
int hz_fig_fold(hz_arena_t *a, hz_fig_agg_t how, const hz_fig_t *acc, const hz_fig_t *part,
                hz_fig_t *out);

/* The region's figure once every part is folded in: an AVERAGE divides the
 * sum of its units' figures by how many units reported; every other rule's
 * fold is already the figure. Undefined acc gives undefined out. */
int hz_fig_folded(hz_arena_t *a, hz_fig_agg_t how, const hz_fig_t *acc, long long units,
                  hz_fig_t *out);

/* Ratio of sums: numerator * factor / denominator ("" or NULL factor = 1).
 * -EDOM when the denominator is 0. */
int hz_fig_ratio(hz_arena_t *a, const hz_fig_t *numerator, const hz_fig_t *denominator,
                 const char *factor, hz_fig_t *out);

/* Growth on the same period a year earlier (同比), as percentage text with
 * 2 places ("28.00"). */
int hz_fig_growth(hz_arena_t *a, const hz_fig_t *value, const hz_fig_t *base, const char **pct);

/* Change on the previous period (环比): the same rule as growth, against the
 * previous period's figure. */
int hz_fig_change(hz_arena_t *a, const hz_fig_t *value, const hz_fig_t *previous, const char **pct);

/* Change in percentage points (百分点): value - base, exact, rounded once to
 * 2 places ("23.58"). */
int hz_fig_points(hz_arena_t *a, const hz_fig_t *value, const hz_fig_t *base, const char **pp);

/* Completion of the period's target, percentage text with 2 places. */
int hz_fig_completion(hz_arena_t *a, const hz_fig_t *value, const hz_fig_t *target,
                      const char **pct);

/* Progress against the annual target ("848 of 1550" -> "54.71"). */
int hz_fig_progress(hz_arena_t *a, const hz_fig_t *value, const hz_fig_t *annual_target,
                    const char **pct);

/* The figure rounded once, half away from zero, to scale (0..6) places:
 * with exactly scale fraction digits when fixed (ratios: "600000.00"),
 * else without trailing zeros (plain figures: "1.833333", "12.5", "7").
 * Never "-0". */
int hz_fig_text(hz_arena_t *a, const hz_fig_t *f, int scale, int fixed, const char **out);

/* How a figure of an indicator is written (hz_fig_text's scale, fixed): a
 * ratio at its own scale (0 = HZ_FIG_RATIO_SCALE) with every place, as its
 * definition states them; a plain figure at HZ_FIG_VALUE_SCALE without
 * trailing zeros, as values are stored. */
void hz_fig_style(int is_ratio, int ratio_scale, int *scale, int *fixed);

/* Every figure of one rollup row, as wire text (NULL where undefined). */
typedef struct hz_fig_row_s {
  const char *value;                 /* the figure of the period */
  const char *previous_year_value;   /* the same period a year earlier */
  const char *yoy_growth_pct;        /* growth on it (GROWTH) */
  const char *yoy_change_pp;         /* change on it in points (POINTS) */
  const char *previous_period_value; /* the previous period */
  const char *pop_change_pct;        /* change on it (GROWTH) */
  const char *pop_change_pp;         /* change on it in points (POINTS) */
  const char *completion_pct;        /* of the period's target */
  const char *annual_progress_pct;   /* against the annual target */
} hz_fig_row_t;

/* The exact figures a row is computed from; undefined ones allowed. */
typedef struct hz_fig_inputs_s {
  hz_fig_t value, previous_year, previous_period, target, annual_target;
  int scale;            /* places of the figures' text (hz_fig_text) */
  int fixed;            /* keep every place (ratios) */
  hz_fig_basis_t basis; /* which change fields are set; 0 = GROWTH */
  int partial;          /* the period is partly covered: no completion */
} hz_fig_inputs_t;

/* Fills row from in: every percentage from the exact figures, every text
 * rounded once. Returns 0 or -ENOMEM; undefined figures are NULL. */
int hz_fig_row(hz_arena_t *a, const hz_fig_inputs_t *in, hz_fig_row_t *row);

#endif
