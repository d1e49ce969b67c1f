/* The public arithmetic of domain/decimal.h on operands and on fractions
 * of operands (comparison, sums, products, rounding, percentages and
 * growth), each a parse, one or two steps of decimal_num.c and a write. */
#include "domain/decimal.h"

#include <errno.h>

#include "domain/decimal_num.h"
#include "domain/decimal_small.h"

/* Every function below first tries decimal_small.h's machine-word path,
 * which answers the same or -ERANGE: then the digit arrays answer. */
#define SMALL_FIRST(call)     \
  do {                        \
    int small_rc_ = (call);   \
    if (small_rc_ != -ERANGE) \
      return small_rc_;       \
  } while (0)

int hz_decimal_cmp(const char *a, const char *b) {
  hz_num_t x, y;
  int c;
  if (hz_small_cmp(a, b, &c) == 0)
    return c;
  int xa = hz_num_parse_z(a, &x) == 0, yb = hz_num_parse_z(b, &y) == 0;
  if (!xa || !yb)
    return xa - yb;
  return hz_num_cmp(&x, &y);
}

/* Parses two operands, applies op, writes the normal form. */
static int binary_op(const char *a, const char *b, int op, char *out, size_t outlen) {
  hz_num_t x, y, r;
  int rc;
  if (hz_num_parse_z(a, &x) != 0 || hz_num_parse_z(b, &y) != 0)
    return -EINVAL;
  rc = op == '*' ? hz_num_mul(&x, &y, &r) : hz_num_add(&x, &y, op == '-', &r);
  if (rc != 0)
    return rc;
  return hz_num_format_normal(&r, out, outlen);
}

int hz_decimal_add(const char *a, const char *b, char *out, size_t outlen) {
  SMALL_FIRST(hz_small_add(a, b, 0, out, outlen));
  return binary_op(a, b, '+', out, outlen);
}

int hz_decimal_sub(const char *a, const char *b, char *out, size_t outlen) {
  SMALL_FIRST(hz_small_add(a, b, 1, out, outlen));
  return binary_op(a, b, '-', out, outlen);
}

int hz_decimal_mul(const char *a, const char *b, char *out, size_t outlen) {
  SMALL_FIRST(hz_small_mul(a, b, out, outlen));
  return binary_op(a, b, '*', out, outlen);
}

/* Divides parsed operands and writes the fixed-scale result. */
static int div_and_format(const hz_num_t *x, const hz_num_t *y, int scale, char *out,
                          size_t outlen) {
  hz_num_t q;
  if (scale < 0 || scale > HZ_DECIMAL_MAX_FRAC_DIGITS)
    return -EINVAL;
  int rc = hz_num_div_round(x, y, scale, &q);
  if (rc != 0)
    return rc;
  return hz_num_format(&q, out, outlen);
}

int hz_decimal_div_round(const char *num, const char *den, int scale, char *out, size_t outlen) {
  SMALL_FIRST(hz_small_div_round(num, den, scale, out, outlen));
  hz_num_t x, y;
  if (hz_num_parse_z(num, &x) != 0 || hz_num_parse_z(den, &y) != 0)
    return -EINVAL;
  return div_and_format(&x, &y, scale, out, outlen);
}

int hz_decimal_round(const char *a, int scale, char *out, size_t outlen) {
  SMALL_FIRST(hz_small_div_round(a, "1", scale, out, outlen));
  hz_num_t x, one = {.neg = 0, .len = 1, .scale = 0, .d = {1}};
  if (hz_num_parse_z(a, &x) != 0)
    return -EINVAL;
  return div_and_format(&x, &one, scale, out, outlen);
}

int hz_decimal_pct(const char *part, const char *whole, char *out, size_t outlen) {
  SMALL_FIRST(hz_small_pct(part, whole, out, outlen));
  hz_num_t x, y;
  if (hz_num_parse_z(part, &x) != 0 || hz_num_parse_z(whole, &y) != 0)
    return -EINVAL;
  int rc = hz_num_shift_up(&x, 2); /* x 100 */
  if (rc != 0)
    return rc;
  return div_and_format(&x, &y, 2, out, outlen);
}

int hz_decimal_growth_pct(const char *value, const char *base, char *out, size_t outlen) {
  SMALL_FIRST(hz_small_growth_pct(value, base, out, outlen));
  hz_num_t v, b, diff;
  if (hz_num_parse_z(value, &v) != 0 || hz_num_parse_z(base, &b) != 0)
    return -EINVAL;
  if (b.len == 0)
    return -EDOM;
  int rc = hz_num_add(&v, &b, 1, &diff);
  if (rc == 0)
    rc = hz_num_shift_up(&diff, 2); /* x 100 */
  if (rc != 0)
    return rc;
  b.neg = 0;
  return div_and_format(&diff, &b, 2, out, outlen);
}

/* ---- fractions ---- */

/* Parses the fraction n/d; -EDOM when d is zero. */
static int frac_parse(const char *n, const char *d, hz_num_t *pn, hz_num_t *pd) {
  if (hz_num_parse_z(n, pn) != 0 || hz_num_parse_z(d, pd) != 0)
    return -EINVAL;
  return pd->len == 0 ? -EDOM : 0;
}

int hz_decimal_q_cmp(const char *an, const char *ad, const char *bn, const char *bd, int *cmp) {
  SMALL_FIRST(hz_small_q_cmp(an, ad, bn, bd, cmp));
  hz_num_t a, b, c, d, x, y;
  int rc = frac_parse(an, ad, &a, &b);
  if (rc == 0)
    rc = frac_parse(bn, bd, &c, &d);
  /* a/b ? c/d  <=>  a*d ? c*b, the sense flipped when b*d < 0. */
  if (rc == 0)
    rc = hz_num_mul(&a, &d, &x);
  if (rc == 0)
    rc = hz_num_mul(&c, &b, &y);
  if (rc != 0)
    return rc;
  int s = hz_num_cmp(&x, &y);
  *cmp = b.neg != d.neg ? -s : s;
  return 0;
}

int hz_decimal_q_pct(const char *pn, const char *pd, const char *wn, const char *wd, char *out,
                     size_t outlen) {
  SMALL_FIRST(hz_small_q_pct(pn, pd, wn, wd, out, outlen));
  hz_num_t a, b, c, d, x, y;
  int rc = frac_parse(pn, pd, &a, &b);
  if (rc == 0)
    rc = frac_parse(wn, wd, &c, &d);
  if (rc != 0)
    return rc;
  if (c.len == 0)
    return -EDOM;
  /* (a/b) / (c/d) * 100 = a*d*100 / (b*c) */
  rc = hz_num_mul(&a, &d, &x);
  if (rc == 0)
    rc = hz_num_shift_up(&x, 2);
  if (rc == 0)
    rc = hz_num_mul(&b, &c, &y);
  if (rc != 0)
    return rc;
  return div_and_format(&x, &y, 2, out, outlen);
}

int hz_decimal_q_growth_pct(const char *vn, const char *vd, const char *bn, const char *bd,
                            char *out, size_t outlen) {
  SMALL_FIRST(hz_small_q_growth_pct(vn, vd, bn, bd, out, outlen));
  hz_num_t a, b, c, d, ad, cb, x, y;
  int rc = frac_parse(vn, vd, &a, &b);
  if (rc == 0)
    rc = frac_parse(bn, bd, &c, &d);
  if (rc != 0)
    return rc;
  if (c.len == 0)
    return -EDOM;
  /* (a/b - c/d) / |c/d| * 100 = (a*d - c*b) * 100 * sign(d) / (b * |c|):
   * the |d| of |c/d| cancels d's magnitude, leaving its sign. */
  rc = hz_num_mul(&a, &d, &ad);
  if (rc == 0)
    rc = hz_num_mul(&c, &b, &cb);
  if (rc == 0)
    rc = hz_num_add(&ad, &cb, 1, &x);
  if (rc == 0)
    rc = hz_num_shift_up(&x, 2);
  if (rc != 0)
    return rc;
  if (d.neg && x.len > 0)
    x.neg = !x.neg;
  c.neg = 0;
  rc = hz_num_mul(&b, &c, &y);
  if (rc != 0)
    return rc;
  return div_and_format(&x, &y, 2, out, outlen);
}

int hz_decimal_q_diff(const char *vn, const char *vd, const char *bn, const char *bd, int scale,
                      char *out, size_t outlen) {
  SMALL_FIRST(hz_small_q_diff(vn, vd, bn, bd, scale, out, outlen));
  hz_num_t a, b, c, d, ad, cb, x, y;
  int rc = frac_parse(vn, vd, &a, &b);
  if (rc == 0)
    rc = frac_parse(bn, bd, &c, &d);
  /* a/b - c/d = (a*d - c*b) / (b*d) */
  if (rc == 0)
    rc = hz_num_mul(&a, &d, &ad);
  if (rc == 0)
    rc = hz_num_mul(&c, &b, &cb);
  if (rc == 0)
    rc = hz_num_add(&ad, &cb, 1, &x);
  if (rc == 0)
    rc = hz_num_mul(&b, &d, &y);
  if (rc != 0)
    return rc;
  return div_and_format(&x, &y, scale, out, outlen);
}
