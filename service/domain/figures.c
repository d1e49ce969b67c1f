/* Figures of a rollup as exact fractions of decimals: averages, region
 * aggregation, ratios of sums, growth, change, completion and progress,
 * rounded once when written (the contract is in figures.h). The decimal
 * arithmetic is decimal.h's; this file holds the domain's rules. */
#include "domain/figures.h"

#include <errno.h>
#include <string.h>

#include "domain/decimal.h"

/* Arithmetic results before they are copied into the arena. */
typedef char fig_buf_t[HZ_DECIMAL_WIDE_BUFSIZE];

/* out (an arena copy of s), or -ENOMEM. */
static int keep(hz_arena_t *a, const char *s, const char **out) {
  *out = hz_arena_strdup(a, s);
  return *out ? 0 : -ENOMEM;
}

/* 1 when d is the text "1": the common case skips a multiplication. */
static int is_one(const char *d) {
  return d[0] == '1' && d[1] == '\0';
}

static int is_zero(const char *v) {
  return hz_decimal_cmp(v, "0") == 0;
}

/* out = x * y into the arena; x and y must outlive out (either may be
 * returned as it is). */
static int mul_kept(hz_arena_t *a, const char *x, const char *y, const char **out) {
  if (is_one(y))
    return (*out = x), 0;
  if (is_one(x))
    return (*out = y), 0;
  fig_buf_t buf;
  int rc = hz_decimal_mul(x, y, buf, sizeof(buf));
  return rc ? rc : keep(a, buf, out);
}

hz_fig_t hz_fig_whole(const char *value) {
  return (hz_fig_t){.num = value, .den = "1"};
}

int hz_fig_defined(const hz_fig_t *f) {
  return f && f->num && f->den;
}

/* The decimal text of count > 0 into the arena (printf's formatting
 * machinery cost more than the average it feeds, once per cell). */
static int count_text(hz_arena_t *a, long long count, const char **out) {
  char buf[24], *p = buf + sizeof(buf);
  *--p = '\0';
  for (unsigned long long v = (unsigned long long)count; v; v /= 10)
    *--p = (char)('0' + (int)(v % 10));
  return keep(a, p, out);
}

int hz_fig_average(hz_arena_t *a, const hz_fig_t *sum, long long count, hz_fig_t *out) {
  if (!hz_fig_defined(sum))
    return -EINVAL;
  if (count <= 0)
    return -EDOM; /* an average of nothing is undefined, not 0 */
  const char *n, *den;
  int rc = count_text(a, count, &n);
  if (rc == 0)
    rc = mul_kept(a, sum->den, n, &den);
  if (rc != 0)
    return rc;
  out->num = sum->num;
  out->den = den;
  return 0;
}

/* x + y exactly; one denominator when they share it (the usual case: every
 * township reported the same number of periods), else the cross sum. */
static int fig_add(hz_arena_t *a, const hz_fig_t *x, const hz_fig_t *y, hz_fig_t *out) {
  fig_buf_t buf;
  int rc;
  if (strcmp(x->den, y->den) == 0) {
    if ((rc = hz_decimal_add(x->num, y->num, buf, sizeof(buf))) != 0)
      return rc;
    out->den = x->den;
    return keep(a, buf, &out->num);
  }
  const char *xy, *yx, *dd;
  if ((rc = mul_kept(a, x->num, y->den, &xy)) != 0 || (rc = mul_kept(a, y->num, x->den, &yx)) ||
      (rc = mul_kept(a, x->den, y->den, &dd)))
    return rc;
  if ((rc = hz_decimal_add(xy, yx, buf, sizeof(buf))) != 0)
    return rc;
  out->den = dd;
  return keep(a, buf, &out->num);
}

int hz_fig_fold(hz_arena_t *a, hz_fig_agg_t how, const hz_fig_t *acc, const hz_fig_t *part,
                hz_fig_t *out) {
  if (!hz_fig_defined(part) || (how == HZ_FIG_NONE && hz_fig_defined(acc))) {
    *out = (hz_fig_t){0};
    return 0;
  }
  if (!hz_fig_defined(acc)) {
    *out = *part;
    return 0;
  }
  int c, rc;
  switch (how) {
  case HZ_FIG_SUM:
  case HZ_FIG_AVERAGE: return fig_add(a, acc, part, out);
  case HZ_FIG_MIN:
  case HZ_FIG_MAX:
    if ((rc = hz_decimal_q_cmp(part->num, part->den, acc->num, acc->den, &c)) != 0)
      return rc;
    *out = (how == HZ_FIG_MIN ? c < 0 : c > 0) ? *part : *acc;
    return 0;
  default: return -EINVAL;
  }
}

int hz_fig_folded(hz_arena_t *a, hz_fig_agg_t how, const hz_fig_t *acc, long long units,
                  hz_fig_t *out) {
  if (!hz_fig_defined(acc)) {
    *out = (hz_fig_t){0};
    return 0;
  }
  if (how != HZ_FIG_AVERAGE) {
    *out = *acc;
    return 0;
  }
  return hz_fig_average(a, acc, units, out);
}

int hz_fig_ratio(hz_arena_t *a, const hz_fig_t *numerator, const hz_fig_t *denominator,
                 const char *factor, hz_fig_t *out) {
  if (!hz_fig_defined(numerator) || !hz_fig_defined(denominator))
    return -EINVAL;
  if (is_zero(denominator->num))
    return -EDOM;
  /* (nn/nd * f) / (dn/dd) = nn * f * dd / (nd * dn); the sign of dn moves
   * to the numerator so that the denominator stays positive. */
  const char *p, *q;
  int rc = mul_kept(a, numerator->num, factor && factor[0] ? factor : "1", &p);
  if (rc == 0)
    rc = mul_kept(a, p, denominator->den, &p);
  if (rc == 0)
    rc = mul_kept(a, numerator->den, denominator->num, &q);
  if (rc != 0)
    return rc;
  if (q[0] == '-') {
    q++;
    if (p[0] == '-')
      p++;
    else if (!is_zero(p) && !(p = hz_arena_printf(a, "-%s", p)))
      return -ENOMEM;
  }
  out->num = p;
  out->den = q;
  return 0;
}

/* The 2-place percentage fn gives for value against base. */
typedef int (*q_pct_fn)(const char *, const char *, const char *, const char *, char *, size_t);

static int pct_kept(hz_arena_t *a, q_pct_fn fn, const hz_fig_t *value, const hz_fig_t *base,
                    const char **pct) {
  *pct = NULL;
  if (!hz_fig_defined(value) || !hz_fig_defined(base))
    return -EINVAL;
  fig_buf_t buf;
  int rc = fn(value->num, value->den, base->num, base->den, buf, sizeof(buf));
  return rc ? rc : keep(a, buf, pct);
}

/* Whole figures (sums, stored values, targets: most of a rollup) take
 * decimal.h's two-operand percentages, which skip the cross products. */
static int growth_q(const char *vn, const char *vd, const char *bn, const char *bd, char *out,
                    size_t outlen) {
  if (is_one(vd) && is_one(bd))
    return hz_decimal_growth_pct(vn, bn, out, outlen);
  return hz_decimal_q_growth_pct(vn, vd, bn, bd, out, outlen);
}

static int share_q(const char *pn, const char *pd, const char *wn, const char *wd, char *out,
                   size_t outlen) {
  if (is_one(pd) && is_one(wd))
    return hz_decimal_pct(pn, wn, out, outlen);
  return hz_decimal_q_pct(pn, pd, wn, wd, out, outlen);
}

int hz_fig_growth(hz_arena_t *a, const hz_fig_t *value, const hz_fig_t *base, const char **pct) {
  return pct_kept(a, growth_q, value, base, pct);
}

int hz_fig_change(hz_arena_t *a, const hz_fig_t *value, const hz_fig_t *previous,
                  const char **pct) {
  return pct_kept(a, growth_q, value, previous, pct);
}

int hz_fig_points(hz_arena_t *a, const hz_fig_t *value, const hz_fig_t *base, const char **pp) {
  *pp = NULL;
  if (!hz_fig_defined(value) || !hz_fig_defined(base))
    return -EINVAL;
  fig_buf_t buf;
  int rc = hz_decimal_q_diff(value->num, value->den, base->num, base->den, 2, buf, sizeof(buf));
  return rc ? rc : keep(a, buf, pp);
}

int hz_fig_completion(hz_arena_t *a, const hz_fig_t *value, const hz_fig_t *target,
                      const char **pct) {
  return pct_kept(a, share_q, value, target, pct);
}

int hz_fig_progress(hz_arena_t *a, const hz_fig_t *value, const hz_fig_t *annual_target,
                    const char **pct) {
  return pct_kept(a, share_q, value, annual_target, pct);
}

/* Drops trailing fraction zeros and a trailing '.' of fixed-scale text. */
static void trim_zeros(char *s) {
  char *dot = strchr(s, '.');
  if (!dot)
    return;
  char *end = s + strlen(s);
  while (end > dot + 1 && end[-1] == '0')
    end--;
  if (end == dot + 1)
    end = dot;
  *end = '\0';
}

/* 1 when v is canonical decimal text (no leading integer zeros, no
 * trailing fraction zeros, no "-0") with at most scale fraction digits:
 * then rounding it changes nothing and its text is the answer. */
static int canonical_within(const char *v, int scale) {
  const char *p = v + (v[0] == '-');
  if (p[0] < '0' || p[0] > '9' || (p[0] == '0' && p[1] >= '0' && p[1] <= '9'))
    return 0;
  const char *dot = NULL, *end = p;
  for (; *end; end++) {
    if (*end == '.' && !dot)
      dot = end;
    else if (*end < '0' || *end > '9')
      return 0;
  }
  if (!dot)
    return !(v[0] == '-' && p[0] == '0' && p[1] == '\0');
  return end - dot - 1 >= 1 && end - dot - 1 <= scale && end[-1] != '0';
}

int hz_fig_text(hz_arena_t *a, const hz_fig_t *f, int scale, int fixed, const char **out) {
  *out = NULL;
  if (!hz_fig_defined(f))
    return -EINVAL;
  /* A whole figure as PostgreSQL and decimal.h write it: most values. */
  if (!fixed && is_one(f->den) && canonical_within(f->num, scale)) {
    *out = f->num;
    return 0;
  }
  fig_buf_t buf;
  int rc = hz_decimal_div_round(f->num, f->den, scale, buf, sizeof(buf));
  if (rc != 0)
    return rc;
  if (!fixed)
    trim_zeros(buf);
  return keep(a, buf, out);
}

void hz_fig_style(int is_ratio, int ratio_scale, int *scale, int *fixed) {
  *fixed = is_ratio != 0;
  *scale = !is_ratio ? HZ_FIG_VALUE_SCALE : ratio_scale ? ratio_scale : HZ_FIG_RATIO_SCALE;
}

/* Keeps -ENOMEM; any other error means the figure is undefined (NULL). */
static int only_oom(int rc) {
  return rc == -ENOMEM ? rc : 0;
}

int hz_fig_row(hz_arena_t *a, const hz_fig_inputs_t *in, hz_fig_row_t *row) {
  memset(row, 0, sizeof(*row));
  const hz_fig_t *v = &in->value;
  int rc = only_oom(hz_fig_text(a, v, in->scale, in->fixed, &row->value));
  if (rc == 0)
    rc = only_oom(
        hz_fig_text(a, &in->previous_year, in->scale, in->fixed, &row->previous_year_value));
  if (rc == 0)
    rc = only_oom(
        hz_fig_text(a, &in->previous_period, in->scale, in->fixed, &row->previous_period_value));
  /* Percentages from the exact figures, not from the texts above; a rate
   * changes in points, every other figure by relative growth. */
  if (rc == 0 && in->basis == HZ_FIG_POINTS)
    rc = only_oom(hz_fig_points(a, v, &in->previous_year, &row->yoy_change_pp));
  if (rc == 0 && in->basis == HZ_FIG_POINTS)
    rc = only_oom(hz_fig_points(a, v, &in->previous_period, &row->pop_change_pp));
  if (rc == 0 && in->basis != HZ_FIG_POINTS)
    rc = only_oom(hz_fig_growth(a, v, &in->previous_year, &row->yoy_growth_pct));
  if (rc == 0 && in->basis != HZ_FIG_POINTS)
    rc = only_oom(hz_fig_change(a, v, &in->previous_period, &row->pop_change_pct));
  if (rc == 0 && !in->partial)
    rc = only_oom(hz_fig_completion(a, v, &in->target, &row->completion_pct));
  if (rc == 0)
    rc = only_oom(hz_fig_progress(a, v, &in->annual_target, &row->annual_progress_pct));
  return rc;
}
