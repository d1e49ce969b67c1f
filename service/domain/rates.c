/* Reporting and on-time rates (rates.h): counts added, rates written from
 * the exact quotient by decimal.h, rounded once. */
#include "domain/rates.h"

#include <errno.h>
#include <stdio.h>

#include "domain/decimal.h"

int hz_rates_valid(const hz_rates_t *r) {
  if (r->expected < 0 || r->reported < 0 || r->on_time < 0 || r->late < 0)
    return -EINVAL;
  if (r->on_time + r->late != r->reported || r->reported > r->expected)
    return -EINVAL;
  return 0;
}

void hz_rates_add(hz_rates_t *sum, const hz_rates_t *part) {
  sum->expected += part->expected;
  sum->reported += part->reported;
  sum->on_time += part->on_time;
  sum->late += part->late;
}

int hz_rate_pct(hz_arena_t *a, long long count, long long expected, const char **pct) {
  *pct = NULL;
  if (expected == 0)
    return -EDOM; /* nothing expected: no rate, not 0% and not 100% */
  if (count < 0 || expected < 0 || count > expected)
    return -EINVAL;
  char part[24], whole[24], buf[HZ_DECIMAL_BUFSIZE];
  snprintf(part, sizeof(part), "%lld", count);
  snprintf(whole, sizeof(whole), "%lld", expected);
  /* Why decimal.h and not a double: 1 of 3 townships must be 33.33 and 2
   * of 3 66.67 on every machine, rounded once from the exact quotient. */
  int rc = hz_decimal_pct(part, whole, buf, sizeof(buf));
  if (rc != 0)
    return rc;
  *pct = hz_arena_strdup(a, buf);
  return *pct ? 0 : -ENOMEM;
}

int hz_rates_pct(hz_arena_t *a, const hz_rates_t *r, hz_rates_pct_t *out) {
  out->reporting = out->on_time = NULL;
  if (hz_rates_valid(r))
    return -EINVAL;
  if (r->expected == 0)
    return 0;
  int rc = hz_rate_pct(a, r->reported, r->expected, &out->reporting);
  if (rc == 0)
    rc = hz_rate_pct(a, r->on_time, r->expected, &out->on_time);
  return rc;
}
