/* Exact decimal text: the strict grammar of submitted values with precise
 * refusal reasons, canonical form, and exact arithmetic for rollups on
 * little-endian arrays of decimal digits (small numbers, so schoolbook
 * algorithms are fast enough and obviously exact). */
#include "domain/decimal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Digits a number may hold. The largest need is a growth of fractions:
 * cross products of two wide operands (2 x 160 digits, scale up to 160),
 * their difference times 100 (323 digits), then shifted by up to 162
 * places to divide: 485 digits. */
#define NUM_CAP 490

/* Longest text of an arithmetic operand: '-', digits, '.', digits. */
#define WIDE_TEXT_MAX (1 + 2 * HZ_DECIMAL_WIDE_DIGITS + 1)

/* An exact decimal: (-1)^neg * digits * 10^-scale. */
typedef struct {
  int neg;            /* 1 only for a non-zero negative value */
  int len;            /* digits used in d; 0 means the value is zero */
  int scale;          /* fraction digits, so d counts units of 10^-scale */
  uint8_t d[NUM_CAP]; /* little-endian digits: d[0] is the last one; the
                         top digit d[len-1] is never 0 */
} num_t;

/* ---- strict validation of submitted values ---- */

__attribute__((format(printf, 3, 4))) static int
refuse(char *why, size_t whylen, const char *fmt, ...) {
  if (why && whylen > 0) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, whylen, fmt, ap);
    va_end(ap);
  }
  return -EINVAL;
}

static int is_digit(unsigned char c) {
  return c >= '0' && c <= '9';
}

/* ASCII whitespace, and the UTF-8 no-break (U+00A0) and ideographic
 * (U+3000) spaces that copy-pasted spreadsheet cells carry. */
static int has_space(const unsigned char *s, size_t len) {
  for (size_t i = 0; i < len; i++) {
    if (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r'))
      return 1;
    if (s[i] == 0xc2 && i + 1 < len && s[i + 1] == 0xa0)
      return 1;
    if (s[i] == 0xe3 && i + 2 < len && s[i + 1] == 0x80 && s[i + 2] == 0x80)
      return 1;
  }
  return 0;
}

/* 1 when s[0..len) equals the lower-case word w, ignoring ASCII case. */
static int iequal_word(const unsigned char *s, size_t len, const char *w) {
  if (strlen(w) != len)
    return 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = s[i];
    if (c >= 'A' && c <= 'Z')
      c = (unsigned char)(c + 32);
    if (c != (unsigned char)w[i])
      return 0;
  }
  return 1;
}

/* Checks for the special values other languages print for floats. */
static int refuse_special(const unsigned char *s, size_t len, char *why,
                          size_t whylen) {
  if (s[0] == '-' || s[0] == '+') {
    s++;
    len--;
  }
  if (iequal_word(s, len, "nan"))
    return refuse(why, whylen, "NaN not allowed");
  if (iequal_word(s, len, "inf") || iequal_word(s, len, "infinity"))
    return refuse(why, whylen, "infinity not allowed");
  return 0;
}

/* Names the character at s[i] that has no place in a decimal. */
static int refuse_char(const unsigned char *s, size_t len, size_t i,
                       int seen_digit, char *why, size_t whylen) {
  unsigned char c = s[i];
  switch (c) {
  case '+': return refuse(why, whylen, "'+' sign not allowed");
  case '-': return refuse(why, whylen, "'-' allowed only once, at the start");
  case ',': return refuse(why, whylen, "thousands separator ',' not allowed");
  case '_': return refuse(why, whylen, "digit separator '_' not allowed");
  case '\'': return refuse(why, whylen, "digit separator \"'\" not allowed");
  case 'e':
  case 'E':
    if (seen_digit)
      return refuse(why, whylen, "exponent not allowed");
    break;
  default: break;
  }
  /* U+FF01..U+FF5E, the full-width forms a Chinese input method types. */
  if (c == 0xef && i + 2 < len && (s[i + 1] == 0xbc || s[i + 1] == 0xbd)) {
    if (s[i + 1] == 0xbc && s[i + 2] >= 0x90 && s[i + 2] <= 0x99)
      return refuse(why, whylen, "full-width digits not allowed");
    return refuse(why, whylen, "full-width characters not allowed");
  }
  if (c >= 0x80)
    return refuse(why, whylen, "non-ASCII character not allowed");
  if (c >= 0x21 && c <= 0x7e)
    return refuse(why, whylen, "unexpected character '%c'", c);
  return refuse(why, whylen, "unexpected byte 0x%02x", c);
}

int hz_decimal_validate(const char *str, size_t len, char *why,
                        size_t whylen) {
  const unsigned char *s = (const unsigned char *)str;
  size_t int_digits = 0, frac_digits = 0;
  int seen_dot = 0, rc;

  if (!s || len == 0)
    return refuse(why, whylen, "empty value");
  if (has_space(s, len))
    return refuse(why, whylen, "spaces not allowed");
  if ((rc = refuse_special(s, len, why, whylen)) != 0)
    return rc;
  for (size_t i = 0; i < len; i++) {
    if (is_digit(s[i])) {
      if (seen_dot)
        frac_digits++;
      else
        int_digits++;
    } else if (s[i] == '-' && i == 0) {
      continue;
    } else if (s[i] == '.') {
      if (seen_dot)
        return refuse(why, whylen, "more than one '.'");
      if (int_digits == 0)
        return refuse(why, whylen,
                      "missing integer digits before '.' (write 0.5, not .5)");
      seen_dot = 1;
    } else {
      return refuse_char(s, len, i, int_digits + frac_digits > 0, why, whylen);
    }
  }
  /* Every other way to have no integer digit was refused above. */
  if (int_digits == 0)
    return refuse(why, whylen, "no digits after '-'");
  if (seen_dot && frac_digits == 0)
    return refuse(why, whylen, "missing fraction digits after '.'");
  if (int_digits > HZ_DECIMAL_MAX_INT_DIGITS)
    return refuse(why, whylen, "more than %d integer digits",
                  HZ_DECIMAL_MAX_INT_DIGITS);
  if (frac_digits > HZ_DECIMAL_MAX_FRAC_DIGITS)
    return refuse(why, whylen, "more than %d fraction digits",
                  HZ_DECIMAL_MAX_FRAC_DIGITS);
  if (why && whylen > 0)
    why[0] = '\0';
  return 0;
}

/* ---- numbers ---- */

/* Drops zero top digits; a zero value has no sign. */
static void num_trim(num_t *n) {
  while (n->len > 0 && n->d[n->len - 1] == 0)
    n->len--;
  if (n->len == 0)
    n->neg = 0;
}

/* Parses the arithmetic operand grammar: optional '-', 1..WIDE integer
 * digits, optionally '.' and 1..WIDE fraction digits. */
static int num_parse(const char *str, size_t len, num_t *n) {
  const unsigned char *s = (const unsigned char *)str;
  size_t i = 0, int_end, frac_start = len, frac_end = len;

  if (!s)
    return -EINVAL;
  n->neg = 0;
  if (i < len && s[i] == '-') {
    n->neg = 1;
    i++;
  }
  size_t int_start = i;
  while (i < len && is_digit(s[i]))
    i++;
  int_end = i;
  if (i < len && s[i] == '.') {
    frac_start = ++i;
    while (i < len && is_digit(s[i]))
      i++;
    frac_end = i;
    if (frac_end == frac_start)
      return -EINVAL;
  }
  if (i != len || int_end == int_start)
    return -EINVAL;
  size_t int_count = int_end - int_start, frac_count = frac_end - frac_start;
  if (int_count > HZ_DECIMAL_WIDE_DIGITS || frac_count > HZ_DECIMAL_WIDE_DIGITS)
    return -EINVAL;
  n->len = 0;
  for (size_t k = frac_end; k > frac_start; k--)
    n->d[n->len++] = (uint8_t)(s[k - 1] - '0');
  for (size_t k = int_end; k > int_start; k--)
    n->d[n->len++] = (uint8_t)(s[k - 1] - '0');
  n->scale = (int)frac_count;
  num_trim(n);
  return 0;
}

/* Parses a NUL-terminated operand without reading past its longest form. */
static int num_parse_z(const char *s, num_t *n) {
  if (!s)
    return -EINVAL;
  size_t len = strnlen(s, WIDE_TEXT_MAX + 1);
  if (len > WIDE_TEXT_MAX)
    return -EINVAL;
  return num_parse(s, len, n);
}

/* Multiplies n by 10^k (k >= 0), scale unchanged; -ERANGE past NUM_CAP. */
static int num_shift_up(num_t *n, int k) {
  if (k == 0 || n->len == 0)
    return 0;
  if (n->len + k > NUM_CAP)
    return -ERANGE;
  memmove(n->d + k, n->d, (size_t)n->len);
  memset(n->d, 0, (size_t)k);
  n->len += k;
  return 0;
}

/* Brings n to scale s >= n->scale without changing its value. */
static int num_rescale(num_t *n, int s) {
  int rc = num_shift_up(n, s - n->scale);
  if (rc == 0)
    n->scale = s;
  return rc;
}

/* Compares magnitudes of trimmed little-endian digit arrays. */
static int mag_cmp(const uint8_t *a, int alen, const uint8_t *b, int blen) {
  if (alen != blen)
    return alen < blen ? -1 : 1;
  for (int i = alen - 1; i >= 0; i--)
    if (a[i] != b[i])
      return a[i] < b[i] ? -1 : 1;
  return 0;
}

/* out = a + b; out may alias a or b; returns the trimmed length. The
 * caller guarantees max(alen, blen) < NUM_CAP. */
static int mag_add(const uint8_t *a, int alen, const uint8_t *b, int blen,
                   uint8_t *out) {
  int n = alen > blen ? alen : blen, carry = 0;
  for (int i = 0; i < n; i++) {
    int v = (i < alen ? a[i] : 0) + (i < blen ? b[i] : 0) + carry;
    carry = v >= 10; /* v <= 19: no division needed */
    out[i] = (uint8_t)(carry ? v - 10 : v);
  }
  if (carry)
    out[n++] = (uint8_t)carry;
  return n;
}

/* out = a - b for a >= b; out may alias a; returns the trimmed length. */
static int mag_sub(const uint8_t *a, int alen, const uint8_t *b, int blen,
                   uint8_t *out) {
  int borrow = 0;
  for (int i = 0; i < alen; i++) {
    int v = a[i] - (i < blen ? b[i] : 0) - borrow;
    borrow = v < 0;
    out[i] = (uint8_t)(v + (borrow ? 10 : 0));
  }
  int n = alen;
  while (n > 0 && out[n - 1] == 0)
    n--;
  return n;
}

/* Compares values exactly, whatever their scales. */
static int num_cmp(const num_t *a, const num_t *b) {
  num_t x = *a, y = *b;
  if (x.neg != y.neg)
    return x.neg ? -1 : 1;
  int s = x.scale > y.scale ? x.scale : y.scale;
  /* Both fit: operands have at most WIDE fraction digits. */
  if (num_rescale(&x, s) != 0 || num_rescale(&y, s) != 0)
    return 0;
  int c = mag_cmp(x.d, x.len, y.d, y.len);
  return x.neg ? -c : c;
}

/* out = a + b, or a - b when negate_b. */
static int num_add(const num_t *a, const num_t *b, int negate_b, num_t *out) {
  num_t x = *a, y = *b;
  if (negate_b && y.len > 0)
    y.neg = !y.neg;
  int s = x.scale > y.scale ? x.scale : y.scale;
  if (num_rescale(&x, s) != 0 || num_rescale(&y, s) != 0 ||
      x.len >= NUM_CAP || y.len >= NUM_CAP)
    return -ERANGE;
  out->scale = s;
  if (x.neg == y.neg) {
    out->len = mag_add(x.d, x.len, y.d, y.len, out->d);
    out->neg = x.neg;
  } else if (mag_cmp(x.d, x.len, y.d, y.len) >= 0) {
    out->len = mag_sub(x.d, x.len, y.d, y.len, out->d);
    out->neg = x.neg;
  } else {
    out->len = mag_sub(y.d, y.len, x.d, x.len, out->d);
    out->neg = y.neg;
  }
  num_trim(out);
  return 0;
}

static int num_mul(const num_t *a, const num_t *b, num_t *out) {
  unsigned acc[NUM_CAP] = {0};
  if (a->len + b->len > NUM_CAP)
    return -ERANGE;
  /* Column sums stay far below UINT_MAX: at most NUM_CAP products of 81. */
  for (int i = 0; i < a->len; i++)
    for (int j = 0; j < b->len; j++)
      acc[i + j] += (unsigned)a->d[i] * b->d[j];
  unsigned carry = 0;
  out->len = a->len + b->len;
  for (int k = 0; k < out->len; k++) {
    unsigned v = acc[k] + carry;
    out->d[k] = (uint8_t)(v % 10);
    carry = v / 10;
  }
  out->scale = a->scale + b->scale;
  out->neg = a->neg != b->neg;
  num_trim(out);
  return 0;
}

/* Integer long division of magnitudes x / y (y non-zero) rounded half away
 * from zero: each quotient digit is the largest k with k*y <= remainder,
 * found among the nine precomputed multiples of y. */
/* Magnitudes of up to this many digits fit in an unsigned __int128
 * (10^38 < 2^128), where the hardware divides. */
#define MAG_WORD_DIGITS 38

static unsigned __int128 mag_to_u128(const uint8_t *x, int xlen) {
  unsigned __int128 v = 0;
  for (int i = xlen - 1; i >= 0; i--)
    v = v * 10 + x[i];
  return v;
}

static int mag_from_u128(unsigned __int128 v, uint8_t *q) {
  int n = 0;
  while (v) {
    q[n++] = (uint8_t)(v % 10);
    v /= 10;
  }
  return n;
}

/* mag_div_round for operands that fit a word: percentages and ratios of
 * everyday figures, thousands of them per rollup. */
static void word_div_round(const uint8_t *x, int xlen, const uint8_t *y, int ylen,
                           uint8_t *q, int *qlen) {
  unsigned __int128 a = mag_to_u128(x, xlen), b = mag_to_u128(y, ylen);
  unsigned __int128 quot = a / b, rem = a % b;
  /* 2 rem >= b without overflow: rem < b < 2^127. */
  if (rem >= b - rem)
    quot++;
  *qlen = mag_from_u128(quot, q);
}

static int mag_div_round(const uint8_t *x, int xlen, const uint8_t *y, int ylen,
                         uint8_t *q, int *qlen) {
  if (xlen <= MAG_WORD_DIGITS && ylen <= MAG_WORD_DIGITS) {
    word_div_round(x, xlen, y, ylen, q, qlen);
    return 0;
  }
  uint8_t mult[10][NUM_CAP + 1];
  int mlen[10];
  uint8_t rem[NUM_CAP + 2] = {0}; /* zeroed: read (as 0) when x is 0 */
  int rlen = 0;

  if (ylen + 1 > NUM_CAP)
    return -ERANGE;
  mlen[0] = 0;
  for (int k = 1; k < 10; k++)
    mlen[k] = mag_add(mult[k - 1], mlen[k - 1], y, ylen, mult[k]);
  for (int i = xlen - 1; i >= 0; i--) {
    /* rem = rem * 10 + x[i]; rem < y before, so rem < 10 y after. */
    if (rlen > 0 || x[i] != 0) {
      memmove(rem + 1, rem, (size_t)rlen);
      rem[0] = x[i];
      rlen++;
    }
    int k = 9;
    while (k > 0 && mag_cmp(mult[k], mlen[k], rem, rlen) > 0)
      k--;
    if (k > 0)
      rlen = mag_sub(rem, rlen, mult[k], mlen[k], rem);
    q[i] = (uint8_t)k;
  }
  int n = xlen;
  while (n > 0 && q[n - 1] == 0)
    n--;
  /* Half away from zero: round the magnitude up when 2 rem >= y. */
  uint8_t twice[NUM_CAP + 2];
  int tlen = mag_add(rem, rlen, rem, rlen, twice);
  if (rlen > 0 && mag_cmp(twice, tlen, y, ylen) >= 0) {
    static const uint8_t one[1] = {1};
    if (n >= NUM_CAP)
      return -ERANGE;
    n = mag_add(q, n, one, 1, q);
  }
  *qlen = n;
  return 0;
}

/* out = a / b rounded half away from zero to scale fraction digits. */
static int num_div_round(const num_t *a, const num_t *b, int scale,
                         num_t *out) {
  num_t x = *a, y = *b;
  if (y.len == 0)
    return -EDOM;
  /* a/b * 10^scale = (A * 10^(sb - sa + scale)) / B for digit integers
   * A, B; shift whichever side the exponent favours. */
  int e = y.scale - x.scale + scale;
  int rc = e >= 0 ? num_shift_up(&x, e) : num_shift_up(&y, -e);
  if (rc != 0)
    return rc;
  rc = mag_div_round(x.d, x.len, y.d, y.len, out->d, &out->len);
  if (rc != 0)
    return rc;
  out->scale = scale;
  out->neg = x.neg != y.neg;
  num_trim(out);
  return 0;
}

/* Writes n with exactly its own scale of fraction digits. */
static int num_format(const num_t *n, char *out, size_t outlen) {
  int int_digits = n->len > n->scale ? n->len - n->scale : 1;
  size_t need = (size_t)(n->neg + int_digits + (n->scale ? 1 + n->scale : 0));
  if (!out || outlen <= need)
    return -ENOSPC;
  size_t o = 0;
  if (n->neg)
    out[o++] = '-';
  for (int i = n->scale + int_digits - 1; i >= 0; i--) {
    if (i == n->scale - 1)
      out[o++] = '.';
    out[o++] = (char)('0' + (i < n->len ? n->d[i] : 0));
  }
  out[o] = '\0';
  return 0;
}

/* Writes n in canonical form: trailing fraction zeros dropped first. */
static int num_format_normal(const num_t *n, char *out, size_t outlen) {
  num_t c = *n;
  if (c.len == 0) {
    c.scale = 0;
    return num_format(&c, out, outlen);
  }
  /* The top digit is non-zero, so the zeros dropped stop below it. */
  int drop = 0;
  while (drop < c.scale && c.d[drop] == 0)
    drop++;
  memmove(c.d, c.d + drop, (size_t)(c.len - drop));
  c.len -= drop;
  c.scale -= drop;
  return num_format(&c, out, outlen);
}

/* ---- public entry points ---- */

int hz_decimal_normalize(const char *s, size_t len, char *out, size_t outlen) {
  num_t n;
  if (hz_decimal_validate(s, len, NULL, 0) != 0 || num_parse(s, len, &n) != 0)
    return -EINVAL;
  return num_format_normal(&n, out, outlen);
}

int hz_decimal_cmp(const char *a, const char *b) {
  num_t x, y;
  int xa = num_parse_z(a, &x) == 0, yb = num_parse_z(b, &y) == 0;
  if (!xa || !yb)
    return xa - yb;
  return num_cmp(&x, &y);
}

/* Parses two operands, applies op, writes the normal form. */
static int binary_op(const char *a, const char *b, int op, char *out,
                     size_t outlen) {
  num_t x, y, r;
  int rc;
  if (num_parse_z(a, &x) != 0 || num_parse_z(b, &y) != 0)
    return -EINVAL;
  rc = op == '*' ? num_mul(&x, &y, &r) : num_add(&x, &y, op == '-', &r);
  if (rc != 0)
    return rc;
  return num_format_normal(&r, out, outlen);
}

int hz_decimal_add(const char *a, const char *b, char *out, size_t outlen) {
  return binary_op(a, b, '+', out, outlen);
}

int hz_decimal_sub(const char *a, const char *b, char *out, size_t outlen) {
  return binary_op(a, b, '-', out, outlen);
}

int hz_decimal_mul(const char *a, const char *b, char *out, size_t outlen) {
  return binary_op(a, b, '*', out, outlen);
}

/* Divides parsed operands and writes the fixed-scale result. */
static int div_and_format(const num_t *x, const num_t *y, int scale,
                          char *out, size_t outlen) {
  num_t q;
  if (scale < 0 || scale > HZ_DECIMAL_MAX_FRAC_DIGITS)
    return -EINVAL;
  int rc = num_div_round(x, y, scale, &q);
  if (rc != 0)
    return rc;
  return num_format(&q, out, outlen);
}

int hz_decimal_div_round(const char *num, const char *den, int scale,
                         char *out, size_t outlen) {
  num_t x, y;
  if (num_parse_z(num, &x) != 0 || num_parse_z(den, &y) != 0)
    return -EINVAL;
  return div_and_format(&x, &y, scale, out, outlen);
}

int hz_decimal_round(const char *a, int scale, char *out, size_t outlen) {
  num_t x, one = {.neg = 0, .len = 1, .scale = 0, .d = {1}};
  if (num_parse_z(a, &x) != 0)
    return -EINVAL;
  return div_and_format(&x, &one, scale, out, outlen);
}

int hz_decimal_pct(const char *part, const char *whole, char *out,
                   size_t outlen) {
  num_t x, y;
  if (num_parse_z(part, &x) != 0 || num_parse_z(whole, &y) != 0)
    return -EINVAL;
  int rc = num_shift_up(&x, 2); /* x 100 */
  if (rc != 0)
    return rc;
  return div_and_format(&x, &y, 2, out, outlen);
}

int hz_decimal_growth_pct(const char *value, const char *base, char *out,
                          size_t outlen) {
  num_t v, b, diff;
  if (num_parse_z(value, &v) != 0 || num_parse_z(base, &b) != 0)
    return -EINVAL;
  if (b.len == 0)
    return -EDOM;
  int rc = num_add(&v, &b, 1, &diff);
  if (rc == 0)
    rc = num_shift_up(&diff, 2); /* x 100 */
  if (rc != 0)
    return rc;
  b.neg = 0;
  return div_and_format(&diff, &b, 2, out, outlen);
}

/* ---- fractions ---- */

/* Parses the fraction n/d; -EDOM when d is zero. */
static int frac_parse(const char *n, const char *d, num_t *pn, num_t *pd) {
  if (num_parse_z(n, pn) != 0 || num_parse_z(d, pd) != 0)
    return -EINVAL;
  return pd->len == 0 ? -EDOM : 0;
}

int hz_decimal_q_cmp(const char *an, const char *ad, const char *bn, const char *bd, int *cmp) {
  num_t a, b, c, d, x, y;
  int rc = frac_parse(an, ad, &a, &b);
  if (rc == 0)
    rc = frac_parse(bn, bd, &c, &d);
  /* a/b ? c/d  <=>  a*d ? c*b, the sense flipped when b*d < 0. */
  if (rc == 0)
    rc = num_mul(&a, &d, &x);
  if (rc == 0)
    rc = num_mul(&c, &b, &y);
  if (rc != 0)
    return rc;
  int s = num_cmp(&x, &y);
  *cmp = b.neg != d.neg ? -s : s;
  return 0;
}

int hz_decimal_q_pct(const char *pn, const char *pd, const char *wn, const char *wd, char *out,
                     size_t outlen) {
  num_t a, b, c, d, x, y;
  int rc = frac_parse(pn, pd, &a, &b);
  if (rc == 0)
    rc = frac_parse(wn, wd, &c, &d);
  if (rc != 0)
    return rc;
  if (c.len == 0)
    return -EDOM;
  /* (a/b) / (c/d) * 100 = a*d*100 / (b*c) */
  rc = num_mul(&a, &d, &x);
  if (rc == 0)
    rc = num_shift_up(&x, 2);
  if (rc == 0)
    rc = num_mul(&b, &c, &y);
  if (rc != 0)
    return rc;
  return div_and_format(&x, &y, 2, out, outlen);
}

int hz_decimal_q_growth_pct(const char *vn, const char *vd, const char *bn, const char *bd,
                            char *out, size_t outlen) {
  num_t a, b, c, d, ad, cb, x, y;
  int rc = frac_parse(vn, vd, &a, &b);
  if (rc == 0)
    rc = frac_parse(bn, bd, &c, &d);
  if (rc != 0)
    return rc;
  if (c.len == 0)
    return -EDOM;
  /* (a/b - c/d) / |c/d| * 100 = (a*d - c*b) * 100 * sign(d) / (b * |c|):
   * the |d| of |c/d| cancels d's magnitude, leaving its sign. */
  rc = num_mul(&a, &d, &ad);
  if (rc == 0)
    rc = num_mul(&c, &b, &cb);
  if (rc == 0)
    rc = num_add(&ad, &cb, 1, &x);
  if (rc == 0)
    rc = num_shift_up(&x, 2);
  if (rc != 0)
    return rc;
  if (d.neg && x.len > 0)
    x.neg = !x.neg;
  c.neg = 0;
  rc = num_mul(&b, &c, &y);
  if (rc != 0)
    return rc;
  return div_and_format(&x, &y, 2, out, outlen);
}
