/* The digit-array engine of domain/decimal_num.h: parsing and writing
 * numbers, and exact addition, multiplication and rounded division, with
 * a machine-word fast path for the divisions rollups do by the thousand. */
#include "domain/decimal_num.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

/* Drops zero top digits; a zero value has no sign. */
static void num_trim(hz_num_t *n) {
  while (n->len > 0 && n->d[n->len - 1] == 0)
    n->len--;
  if (n->len == 0)
    n->neg = 0;
}

/* Parses the arithmetic operand grammar: optional '-', 1..WIDE integer
 * digits, optionally '.' and 1..WIDE fraction digits. */
int hz_num_parse(const char *str, size_t len, hz_num_t *n) {
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
  while (i < len && hz_num_is_digit(s[i]))
    i++;
  int_end = i;
  if (i < len && s[i] == '.') {
    frac_start = ++i;
    while (i < len && hz_num_is_digit(s[i]))
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
int hz_num_parse_z(const char *s, hz_num_t *n) {
  if (!s)
    return -EINVAL;
  size_t len = strnlen(s, HZ_NUM_TEXT_MAX + 1);
  if (len > HZ_NUM_TEXT_MAX)
    return -EINVAL;
  return hz_num_parse(s, len, n);
}

/* Multiplies n by 10^k (k >= 0), scale unchanged; -ERANGE past HZ_NUM_CAP. */
int hz_num_shift_up(hz_num_t *n, int k) {
  if (k == 0 || n->len == 0)
    return 0;
  if (n->len + k > HZ_NUM_CAP)
    return -ERANGE;
  memmove(n->d + k, n->d, (size_t)n->len);
  memset(n->d, 0, (size_t)k);
  n->len += k;
  return 0;
}

/* Brings n to scale s >= n->scale without changing its value. */
static int num_rescale(hz_num_t *n, int s) {
  int rc = hz_num_shift_up(n, s - n->scale);
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
 * caller guarantees max(alen, blen) < HZ_NUM_CAP. */
static int mag_add(const uint8_t *a, int alen, const uint8_t *b, int blen, uint8_t *out) {
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
static int mag_sub(const uint8_t *a, int alen, const uint8_t *b, int blen, uint8_t *out) {
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
int hz_num_cmp(const hz_num_t *a, const hz_num_t *b) {
  hz_num_t x = *a, y = *b;
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
int hz_num_add(const hz_num_t *a, const hz_num_t *b, int negate_b, hz_num_t *out) {
  hz_num_t x = *a, y = *b;
  if (negate_b && y.len > 0)
    y.neg = !y.neg;
  int s = x.scale > y.scale ? x.scale : y.scale;
  if (num_rescale(&x, s) != 0 || num_rescale(&y, s) != 0 || x.len >= HZ_NUM_CAP ||
      y.len >= HZ_NUM_CAP)
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

int hz_num_mul(const hz_num_t *a, const hz_num_t *b, hz_num_t *out) {
  unsigned acc[HZ_NUM_CAP] = {0};
  if (a->len + b->len > HZ_NUM_CAP)
    return -ERANGE;
  /* Column sums stay far below UINT_MAX: at most HZ_NUM_CAP products of 81. */
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
static void word_div_round(const uint8_t *x, int xlen, const uint8_t *y, int ylen, uint8_t *q,
                           int *qlen) {
  unsigned __int128 a = mag_to_u128(x, xlen), b = mag_to_u128(y, ylen);
  unsigned __int128 quot = a / b, rem = a % b;
  /* 2 rem >= b without overflow: rem < b < 2^127. */
  if (rem >= b - rem)
    quot++;
  *qlen = mag_from_u128(quot, q);
}

/* Integer long division of magnitudes x / y (y non-zero) rounded half away
 * from zero: each quotient digit is the largest k with k*y <= remainder,
 * found among the nine precomputed multiples of y; operands that fit a
 * machine word take word_div_round instead. */
static int mag_div_round(const uint8_t *x, int xlen, const uint8_t *y, int ylen, uint8_t *q,
                         int *qlen) {
  if (xlen <= MAG_WORD_DIGITS && ylen <= MAG_WORD_DIGITS) {
    word_div_round(x, xlen, y, ylen, q, qlen);
    return 0;
  }
  uint8_t mult[10][HZ_NUM_CAP + 1];
  int mlen[10];
  uint8_t rem[HZ_NUM_CAP + 2] = {0}; /* zeroed: read (as 0) when x is 0 */
  int rlen = 0;

  if (ylen + 1 > HZ_NUM_CAP)
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
  uint8_t twice[HZ_NUM_CAP + 2];
  int tlen = mag_add(rem, rlen, rem, rlen, twice);
  if (rlen > 0 && mag_cmp(twice, tlen, y, ylen) >= 0) {
    static const uint8_t one[1] = {1};
    if (n >= HZ_NUM_CAP)
      return -ERANGE;
    n = mag_add(q, n, one, 1, q);
  }
  *qlen = n;
  return 0;
}

/* out = a / b rounded half away from zero to scale fraction digits. */
int hz_num_div_round(const hz_num_t *a, const hz_num_t *b, int scale, hz_num_t *out) {
  hz_num_t x = *a, y = *b;
  if (y.len == 0)
    return -EDOM;
  /* a/b * 10^scale = (A * 10^(sb - sa + scale)) / B for digit integers
   * A, B; shift whichever side the exponent favours. */
  int e = y.scale - x.scale + scale;
  int rc = e >= 0 ? hz_num_shift_up(&x, e) : hz_num_shift_up(&y, -e);
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
int hz_num_format(const hz_num_t *n, char *out, size_t outlen) {
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
int hz_num_format_normal(const hz_num_t *n, char *out, size_t outlen) {
  hz_num_t c = *n;
  if (c.len == 0) {
    c.scale = 0;
    return hz_num_format(&c, out, outlen);
  }
  /* The top digit is non-zero, so the zeros dropped stop below it. */
  int drop = 0;
  while (drop < c.scale && c.d[drop] == 0)
    drop++;
  memmove(c.d, c.d + drop, (size_t)(c.len - drop));
  c.len -= drop;
  c.scale -= drop;
  return hz_num_format(&c, out, outlen);
}
