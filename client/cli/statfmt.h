/* How the statisticians' figures read in a table (STATISTICS.md): a
 * change is a relative growth ("+28.00%") or, for rates, a difference in
 * percentage points ("+23.58个百分点" / "+23.58 pp"), never both and never
 * a relative growth of a rate; a partial coverage says how much of the
 * period holds data ("1/4季: Q1" / "1 of 4 quarters: Q1"); localized
 * names of period types, levels and approval states. Pure functions of
 * their arguments, written into caller buffers, so unit tests pin them. */
#ifndef HZ_CLI_STATFMT_H
#define HZ_CLI_STATFMT_H

#include <stddef.h>

#include "huizong/v1/aggregation.pb-c.h"
#include "labels.h"

/* The change of a figure: points when pp is set (POINTS indicators), else
 * the relative growth pct; "" when neither is set. Signed, "+" for a
 * rise. Returns buf. */
const char *hz_stat_change(hz_lang_t lang, const Huizong__V1__Decimal *pct,
                           const Huizong__V1__Decimal *pp, char *buf, size_t len);

/* A sub-period code without its year, as people say it: "2022Q1" -> "Q1",
 * "2022S2" -> "S2" (上半年/下半年 in Chinese), "202203" -> "3月" / "M3". */
const char *hz_stat_subperiod(hz_lang_t lang, const char *code, char *buf, size_t len);

/* "1/4季: Q1" / "1 of 4 quarters: Q1" for a partial coverage of sub-periods
 * of type period_type; "" when c is NULL or complete. Returns buf. */
const char *hz_stat_coverage(hz_lang_t lang, const Huizong__V1__Coverage *c, int period_type,
                             char *buf, size_t len);

/* Localized words for enums shown to people. */
const char *hz_stat_period_type(hz_lang_t lang, int period_type);
const char *hz_stat_state(hz_lang_t lang, int approval_state);

#endif
