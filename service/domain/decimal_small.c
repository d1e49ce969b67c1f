/* The machine-word fast path of decimal.h (contract in decimal_small.h):
 * operands parsed straight from text into a signed 128-bit count of
 * 10^-scale units, every product, shift and sum checked for overflow,
 * quotients rounded half away from zero as decimal_num.c rounds them. */
#include "domain/decimal_small.h"

#include <errno.h>
#include <stdint.h>

#include "domain/decimal.h"

typedef __int128 i128;
typedef unsigned __int128 u128;

/* An operand: m * 10^-scale. */
typedef struct small_s {
  i128 m;    /* the digits as written, signed; |m| < 10^HZ_SMALL_DIGITS */
  int scale; /* fraction digits as written */
} small_t;

/* Powers of ten a shift may use: 10^38 < 2^127. */
#define SMALL_MAX_SHIFT 38

static i128 pow10_i128(int k) {
  i128 p = 1;
  while (k-- > 0)
    p *= 10;
  return p;
}

/* Parses the operand grammar (decimal_num.h's hz_num_parse) of at most
 * HZ_SMALL_DIGITS digits, so m never overflows; -ERANGE for anything else. */
static int parse(const char *s, small_t *x) {
  if (!s)
    return -ERANGE;
  int neg = *s == '-', digits = 0, frac = 0;
  const char *p = s + neg;
  i128 m = 0;
  for (; *p >= '0' && *p <= '9'; p++) {
    if (++digits > HZ_SMALL_DIGITS)
      return -ERANGE;
    m = m * 10 + (*p - '0');
  }
  if (digits == 0)
    return -ERANGE;
  if (*p == '.') {
    for (p++; *p >= '0' && *p <= '9'; p++, frac++) {
      if (++digits > HZ_SMALL_DIGITS)
        return -ERANGE;
      m = m * 10 + (*p - '0');
    }
    if (frac == 0)
      return -ERANGE;
  }
  if (*p != '\0')
    return -ERANGE;
  x->m = neg ? -m : m;
  x->scale = frac;
  return 0;
}

static int parse2(const char *a, const char *b, small_t *x, small_t *y) {
  return parse(a, x) || parse(b, y) ? -ERANGE : 0;
}

/* m * 10^k for k >= 0 into *out; -ERANGE past 128 bits. */
static int shift_up(i128 m, int k, i128 *out) {
  if (k > SMALL_MAX_SHIFT)
    return -ERANGE;
  return __builtin_mul_overflow(m, pow10_i128(k), out) ? -ERANGE : 0;
}

/* Brings x and y to their larger scale: *s, and the two counts. */
static int align(const small_t *x, const small_t *y, i128 *xm, i128 *ym, int *s) {
  *s = x->scale > y->scale ? x->scale : y->scale;
  if (shift_up(x->m, *s - x->scale, xm) || shift_up(y->m, *s - y->scale, ym))
    return -ERANGE;
  return 0;
}

static u128 magnitude(i128 m) {
  return m < 0 ? -(u128)m : (u128)m;
}

/* Writes neg, mag * 10^-scale as hz_num_format writes it: exactly scale
 * fraction digits, at least one integer digit, no sign on zero. */
static int format(int neg, u128 mag, int scale, char *out, size_t outlen) {
  char rev[40]; /* 2^128 has 39 digits */
  int n = 0;
  while (mag > UINT64_MAX) {
    rev[n++] = (char)('0' + (int)(mag % 10));
    mag /= 10;
  }
  for (uint64_t v = (uint64_t)mag; v; v /= 10)
    rev[n++] = (char)('0' + (int)(v % 10));
  int int_digits = n > scale ? n - scale : 1;
  neg = neg && n > 0;
  size_t need = (size_t)(neg + int_digits + (scale ? 1 + scale : 0));
  if (!out || outlen <= need)
    return -ENOSPC;
  size_t o = 0;
  if (neg)
    out[o++] = '-';
  for (int i = scale + int_digits - 1; i >= 0; i--) {
    if (i == scale - 1)
      out[o++] = '.';
    out[o++] = i < n ? rev[i] : '0';
  }
  out[o] = '\0';
  return 0;
}

/* m * 10^-scale in canonical form (hz_num_format_normal). */
static int format_normal(i128 m, int scale, char *out, size_t outlen) {
  if (m == 0)
    scale = 0;
  while (scale > 0 && m % 10 == 0) {
    m /= 10;
    scale--;
  }
  return format(m < 0, magnitude(m), scale, out, outlen);
}

/* (x 10^-xs) / (y 10^-ys) rounded half away from zero to scale places,
 * written with exactly scale fraction digits (decimal_ops.c's
 * div_and_format): -EINVAL for a scale outside 0..6, -EDOM for y = 0. */
static int div_round(i128 x, int xs, i128 y, int ys, int scale, char *out, size_t outlen) {
  if (scale < 0 || scale > HZ_DECIMAL_MAX_FRAC_DIGITS)
    return -EINVAL;
  if (y == 0)
    return -EDOM;
  int e = ys - xs + scale, neg = (x < 0) != (y < 0);
  if (e >= 0 ? shift_up(x, e, &x) : shift_up(y, -e, &y))
    return -ERANGE;
  u128 a = magnitude(x), b = magnitude(y), q, r;
  if (a <= UINT64_MAX && b <= UINT64_MAX) {
    q = (uint64_t)a / (uint64_t)b;
    r = (uint64_t)a % (uint64_t)b;
  } else {
    q = a / b;
    r = a % b;
  }
  if (r >= b - r) /* 2 r >= b without overflow */
    q++;
  return format(neg, q, scale, out, outlen);
}

int hz_small_cmp(const char *a, const char *b, int *cmp) {
  small_t x, y;
  i128 xm, ym;
  int s;
  if (parse2(a, b, &x, &y) || align(&x, &y, &xm, &ym, &s))
    return -ERANGE;
  *cmp = (xm > ym) - (xm < ym);
  return 0;
}

int hz_small_add(const char *a, const char *b, int negate_b, char *out, size_t outlen) {
  small_t x, y;
  i128 xm, ym, sum;
  int s;
  if (parse2(a, b, &x, &y) || align(&x, &y, &xm, &ym, &s))
    return -ERANGE;
  if (negate_b ? __builtin_sub_overflow(xm, ym, &sum) : __builtin_add_overflow(xm, ym, &sum))
    return -ERANGE;
  return format_normal(sum, s, out, outlen);
}

int hz_small_mul(const char *a, const char *b, char *out, size_t outlen) {
  small_t x, y;
  i128 p;
  if (parse2(a, b, &x, &y) || __builtin_mul_overflow(x.m, y.m, &p))
    return -ERANGE;
  return format_normal(p, x.scale + y.scale, out, outlen);
}

int hz_small_div_round(const char *num, const char *den, int scale, char *out, size_t outlen) {
  small_t x, y;
  if (parse2(num, den, &x, &y))
    return -ERANGE;
  return div_round(x.m, x.scale, y.m, y.scale, scale, out, outlen);
}

int hz_small_pct(const char *part, const char *whole, char *out, size_t outlen) {
  small_t x, y;
  i128 x100;
  if (parse2(part, whole, &x, &y) || shift_up(x.m, 2, &x100))
    return -ERANGE;
  return div_round(x100, x.scale, y.m, y.scale, 2, out, outlen);
}

int hz_small_growth_pct(const char *value, const char *base, char *out, size_t outlen) {
  small_t v, b;
  i128 vm, bm, diff;
  int s;
  if (parse2(value, base, &v, &b))
    return -ERANGE;
  if (b.m == 0)
    return -EDOM;
  if (align(&v, &b, &vm, &bm, &s) || __builtin_sub_overflow(vm, bm, &diff) ||
      shift_up(diff, 2, &diff))
    return -ERANGE;
  return div_round(diff, s, b.m < 0 ? -b.m : b.m, b.scale, 2, out, outlen);
}

/* Two fractions a/b and c/d, parsed; -EDOM when b or d is zero. */
typedef struct fracs_s {
  small_t a, b, c, d;
} fracs_t;

static int fracs_parse(const char *an, const char *ad, const char *bn, const char *bd, fracs_t *f) {
  if (parse2(an, ad, &f->a, &f->b) || parse2(bn, bd, &f->c, &f->d))
    return -ERANGE;
  return f->b.m == 0 || f->d.m == 0 ? -EDOM : 0;
}

/* x * y as a fraction-free count: *out at scale xs + ys. */
static int product(const small_t *x, const small_t *y, small_t *out) {
  out->scale = x->scale + y->scale;
  return __builtin_mul_overflow(x->m, y->m, &out->m) ? -ERANGE : 0;
}

/* a*d - c*b at their common scale *s: the numerator of a/b - c/d. */
static int cross_diff(const fracs_t *f, i128 *out, int *s) {
  small_t ad, cb;
  i128 x, y;
  if (product(&f->a, &f->d, &ad) || product(&f->c, &f->b, &cb) || align(&ad, &cb, &x, &y, s))
    return -ERANGE;
  return __builtin_sub_overflow(x, y, out) ? -ERANGE : 0;
}

int hz_small_q_cmp(const char *an, const char *ad, const char *bn, const char *bd, int *cmp) {
  fracs_t f;
  i128 x;
  int s, rc = fracs_parse(an, ad, bn, bd, &f);
  if (rc != 0)
    return rc;
  if (cross_diff(&f, &x, &s))
    return -ERANGE;
  int sign = (x > 0) - (x < 0);
  *cmp = (f.b.m < 0) != (f.d.m < 0) ? -sign : sign;
  return 0;
}

int hz_small_q_pct(const char *pn, const char *pd, const char *wn, const char *wd, char *out,
                   size_t outlen) {
  fracs_t f;
  small_t x, y;
  int rc = fracs_parse(pn, pd, wn, wd, &f);
  if (rc != 0)
    return rc;
  if (f.c.m == 0)
    return -EDOM;
  /* (a/b) / (c/d) * 100 = a*d*100 / (b*c) */
  if (product(&f.a, &f.d, &x) || shift_up(x.m, 2, &x.m) || product(&f.b, &f.c, &y))
    return -ERANGE;
  return div_round(x.m, x.scale, y.m, y.scale, 2, out, outlen);
}

int hz_small_q_growth_pct(const char *vn, const char *vd, const char *bn, const char *bd, char *out,
                          size_t outlen) {
  fracs_t f;
  small_t y;
  i128 x;
  int s, rc = fracs_parse(vn, vd, bn, bd, &f);
  if (rc != 0)
    return rc;
  if (f.c.m == 0)
    return -EDOM;
  /* (a*d - c*b) * 100 * sign(d) / (b * |c|), as decimal_ops.c. */
  if (cross_diff(&f, &x, &s) || shift_up(x, 2, &x))
    return -ERANGE;
  if (f.d.m < 0)
    x = -x;
  f.c.m = f.c.m < 0 ? -f.c.m : f.c.m;
  if (product(&f.b, &f.c, &y))
    return -ERANGE;
  return div_round(x, s, y.m, y.scale, 2, out, outlen);
}

int hz_small_q_diff(const char *vn, const char *vd, const char *bn, const char *bd, int scale,
                    char *out, size_t outlen) {
  fracs_t f;
  small_t y;
  i128 x;
  int s, rc = fracs_parse(vn, vd, bn, bd, &f);
  if (rc != 0)
    return rc;
  /* a/b - c/d = (a*d - c*b) / (b*d) */
  if (cross_diff(&f, &x, &s) || product(&f.b, &f.d, &y))
    return -ERANGE;
  return div_round(x, s, y.m, y.scale, scale, out, outlen);
}
