/* Year-to-date windows, sub-periods and coverage (contract in window.h). */
#include "domain/window.h"

#include <errno.h>
#include <string.h>

static int window_valid(const hz_window_t *w) {
  if (!w || hz_period_valid(&w->from) != 0 || hz_period_valid(&w->to) != 0 ||
      w->from.type != w->to.type)
    return -EINVAL;
  return hz_period_ordinal(&w->from) <= hz_period_ordinal(&w->to) ? 0 : -EINVAL;
}

int hz_window_ytd(const hz_period_t *p, hz_window_t *out) {
  if (hz_period_valid(p) != 0 || !out)
    return -EINVAL;
  if (p->type == HZ_PERIOD_YEAR)
    return -EDOM;
  out->from = (hz_period_t){.type = p->type, .year = p->year, .index = 1};
  out->to = *p;
  return 0;
}

int hz_window_year_earlier(const hz_window_t *w, hz_window_t *out) {
  if (window_valid(w) != 0 || !out)
    return -EINVAL;
  hz_window_t r;
  int rc = hz_period_year_earlier(&w->from, &r.from);
  if (rc == 0)
    rc = hz_period_year_earlier(&w->to, &r.to);
  if (rc == 0)
    *out = r;
  return rc;
}

int hz_window_start_date(const hz_window_t *w) {
  return window_valid(w) ? -EINVAL : hz_period_start_date(&w->from);
}

int hz_window_end_date(const hz_window_t *w) {
  return window_valid(w) ? -EINVAL : hz_period_end_date(&w->to);
}

int hz_window_subperiods(const hz_window_t *w, hz_period_type_t finer, hz_period_t *out, int max) {
  if (window_valid(w) != 0 || !hz_period_finer_or_equal(finer, w->from.type))
    return -EINVAL;
  hz_period_t first, last;
  hz_period_t kids[HZ_PERIOD_MAX_CHILDREN];
  int k = hz_period_children(&w->from, finer, kids, HZ_PERIOD_MAX_CHILDREN);
  if (k < 0)
    return k;
  first = kids[0];
  k = hz_period_children(&w->to, finer, kids, HZ_PERIOD_MAX_CHILDREN);
  if (k < 0)
    return k;
  last = kids[k - 1];
  int a = hz_period_ordinal(&first), count = hz_period_ordinal(&last) - a + 1;
  if (!out || max < count)
    return -ENOSPC;
  for (int i = 0; i < count; i++)
    if (hz_period_from_ordinal(finer, a + i, &out[i]) != 0)
      return -EINVAL;
  return count;
}

int hz_coverage_of(const hz_window_t *w, hz_period_type_t finer, unsigned mask,
                   hz_coverage_t *out) {
  hz_period_t subs[HZ_WINDOW_MAX_SUBPERIODS];
  int total = hz_window_subperiods(w, finer, subs, HZ_WINDOW_MAX_SUBPERIODS);
  if (total < 0)
    return total;
  memset(out, 0, sizeof(*out));
  out->total = total;
  for (int k = 0; k < total; k++)
    if (mask & (1u << k))
      out->periods[out->covered++] = subs[k];
  return 0;
}

int hz_coverage_complete(const hz_coverage_t *c) {
  return c && c->total > 0 && c->covered == c->total;
}

int hz_coverage_partial(const hz_coverage_t *c) {
  return c && c->covered > 0 && c->covered < c->total;
}
