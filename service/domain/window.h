/* Statistical windows of a period (STATISTICS.md): the year to date
 * (1–N月累计: from the first period of the year through this one), the
 * sub-periods of a window at an indicator's frequency, and which of them
 * hold data (coverage, from the bit mask hz_rollup_values answers: bit k
 * is the k-th sub-period from the window's start, migration 012). Pure
 * values, no I/O, no allocation.
 *
 * Why a mask and a rule here: the database says which sub-periods are
 * covered, the server decides what that means for a comparison. A partial
 * window (some sub-periods, not all, not none) compares with exactly the
 * same sub-periods a year earlier (同口径) and has no period completion:
 * "1 of 4 quarters" never compares with a whole year (−78%), and a period
 * target needs the whole period. A window with nothing covered has no
 * figure to compare; its base stays the whole window (what a year earlier
 * held). */
#ifndef HZ_DOMAIN_WINDOW_H
#define HZ_DOMAIN_WINDOW_H

#include "domain/period.h"

/* A window of consecutive periods of one type, from..to inclusive. */
typedef struct hz_window_s {
  hz_period_t from; /* first period */
  hz_period_t to;   /* last period, same type, not before from */
} hz_window_t;

/* The year-to-date window of p: from the first period of p's year of p's
 * type through p (202203 → 202201..202203; 2022Q3 → 2022Q1..2022Q3).
 * -EDOM for a year (its own whole: no year to date), -EINVAL for an invalid
 * period. */
int hz_window_ytd(const hz_period_t *p, hz_window_t *out);

/* The window w one year earlier (2022Q1..2022Q3 → 2021Q1..2021Q3).
 * -ERANGE before HZ_PERIOD_MIN_YEAR, -EINVAL for an invalid window. */
int hz_window_year_earlier(const hz_window_t *w, hz_window_t *out);

/* Dates of [start, end) as YYYYMMDD (period.h's convention). */
int hz_window_start_date(const hz_window_t *w);
int hz_window_end_date(const hz_window_t *w);

/* The periods of type finer inside w, in calendar order, into out (at most
 * max), and how many: 2022Q1..2022Q3 by month is 9. -EINVAL when finer is
 * coarser than w's type or w is invalid; -ENOSPC when max is too small. */
int hz_window_subperiods(const hz_window_t *w, hz_period_type_t finer, hz_period_t *out, int max);

/* The most sub-periods a window has (a year of months). */
#define HZ_WINDOW_MAX_SUBPERIODS HZ_PERIOD_MAX_CHILDREN

/* Which sub-periods of a window hold data. */
typedef struct hz_coverage_s {
  int covered;                                   /* sub-periods with data */
  int total;                                     /* sub-periods in the window */
  hz_period_t periods[HZ_WINDOW_MAX_SUBPERIODS]; /* the covered ones, in order */
} hz_coverage_t;

/* Reads mask (bit k: the k-th sub-period of w at type finer holds data;
 * bits past the window are ignored) into out. -EINVAL as
 * hz_window_subperiods. */
int hz_coverage_of(const hz_window_t *w, hz_period_type_t finer, unsigned mask, hz_coverage_t *out);

/* 1 when every sub-period is covered. */
int hz_coverage_complete(const hz_coverage_t *c);

/* 1 when the window is partial (some sub-periods covered, not all): its
 * year-earlier base is then restricted to the same sub-periods and its
 * period completion is undefined. 0 for a complete or empty window. */
int hz_coverage_partial(const hz_coverage_t *c);

#endif
