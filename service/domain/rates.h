/* Reporting discipline as a county office counts it (STATISTICS.md
 * "Reporting discipline"; DHIS2's REPORTING_RATE and
 * REPORTING_RATE_ON_TIME): expected reports (应报), reports in (已报), of
 * those the ones in by the deadline and the late ones, and the two rates
 * read from them:
 *   报送率 = reported / expected × 100
 *   及时率 = on time  / expected × 100
 * each exact until written, rounded once to 2 places, half away from zero
 * ("2 of 3" is 66.67, never 66.66 or 66.7). Nothing expected (a period that
 * has not started) has no rate at all, not 0 and not 100: the rate is
 * undefined. The counts themselves come from the database (migration 013,
 * hz_completeness); this module adds them up and writes the rates.
 * Pure: no I/O; text lives in the arena given. */
#ifndef HZ_DOMAIN_RATES_H
#define HZ_DOMAIN_RATES_H

#include "core/arena.h"

/* Counts of one township, group or region. Valid when
 * 0 <= on_time + late == reported <= expected. */
typedef struct hz_rates_s {
  long long expected; /* townships × sub-periods started */
  long long reported; /* of those, with an accepted submission */
  long long on_time;  /* reported before the sub-period's deadline (or no deadline) */
  long long late;     /* reported at or after the deadline */
} hz_rates_t;

/* The rates as wire text, NULL where undefined. */
typedef struct hz_rates_pct_s {
  const char *reporting; /* 报送率, e.g. "66.67" */
  const char *on_time;   /* 及时率 */
} hz_rates_pct_t;

/* 0 when r's counts are consistent (see hz_rates_t), else -EINVAL. */
int hz_rates_valid(const hz_rates_t *r);

/* sum += part, count by count. */
void hz_rates_add(hz_rates_t *sum, const hz_rates_t *part);

/* count / expected × 100 rounded once to 2 places ("100.00", "66.67").
 * -EDOM when expected is 0 (undefined), -EINVAL for a negative count or a
 * count above expected, -ENOMEM. */
int hz_rate_pct(hz_arena_t *a, long long count, long long expected, const char **pct);

/* Both rates of r. Returns 0 (undefined rates NULL), -EINVAL for
 * inconsistent counts, or -ENOMEM. */
int hz_rates_pct(hz_arena_t *a, const hz_rates_t *r, hz_rates_pct_t *out);

#endif
