/* libFuzzer target for exact decimals (domain/decimal.h): every submitted
 * value passes through the validator. Acceptance must match an independent
 * reading of the grammar; the canonical form must be stable and equal in
 * value. The input is also split at the first '|' into two operands for the
 * arithmetic, checked by algebraic identities and, for operands of up to 15
 * digits, against __int128 integer arithmetic. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/decimal.h"

/* -?[0-9]{1,20}(\.[0-9]{1,6})? as a counting state machine. */
static int reference_valid(const uint8_t *s, size_t n) {
  size_t i = 0, int_digits = 0, frac_digits = 0;
  if (i < n && s[i] == '-')
    i++;
  while (i < n && s[i] >= '0' && s[i] <= '9') {
    i++;
    int_digits++;
  }
  if (i < n && s[i] == '.') {
    i++;
    while (i < n && s[i] >= '0' && s[i] <= '9') {
      i++;
      frac_digits++;
    }
    if (frac_digits == 0)
      return 0;
  }
  return i == n && int_digits >= 1 && int_digits <= 20 && frac_digits <= 6;
}

static int sign_of(int c) {
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

static void check_single(const uint8_t *data, size_t size) {
  char why[96], out[HZ_DECIMAL_BUFSIZE], again[HZ_DECIMAL_BUFSIZE];
  int rc = hz_decimal_validate((const char *)data, size, why, sizeof(why));
  if ((rc == 0) != reference_valid(data, size))
    abort();
  if (rc != 0 && why[0] == '\0')
    abort(); /* a refusal always says why */
  int nr = hz_decimal_normalize((const char *)data, size, out, sizeof(out));
  if ((nr == 0) != (rc == 0))
    abort();
  if (nr != 0)
    return;
  /* Canonical: valid, stable, no "-0", and equal in value to the input. */
  if (hz_decimal_validate(out, strlen(out), NULL, 0) != 0 ||
      hz_decimal_normalize(out, strlen(out), again, sizeof(again)) != 0 ||
      strcmp(out, again) != 0 || strcmp(out, "-0") == 0)
    abort();
  char *z = malloc(size + 1);
  if (!z)
    abort();
  memcpy(z, data, size);
  z[size] = '\0';
  if (hz_decimal_cmp(z, out) != 0)
    abort();
  free(z);
}

/* Operand read as mantissa * 10^-scale when it has at most 15 digits, so
 * every product below stays within 10^37. */
typedef struct {
  __int128 m; /* signed mantissa */
  int scale;  /* fraction digits */
} small_t;

static int small_parse(const char *s, small_t *v) {
  int neg = 0, digits = 0, scale = 0, dot = 0;
  __int128 m = 0;
  if (*s == '-') {
    neg = 1;
    s++;
  }
  for (; *s; s++) {
    if (*s == '.') {
      dot = 1;
      continue;
    }
    if (++digits > 15)
      return 0;
    m = m * 10 + (*s - '0');
    scale += dot;
  }
  v->m = neg ? -m : m;
  v->scale = scale;
  return 1;
}

static __int128 pow10_128(int k) {
  __int128 p = 1;
  while (k-- > 0)
    p *= 10;
  return p;
}

/* Formats m * 10^-scale with exactly scale fraction digits. */
static void small_format(__int128 m, int scale, char *out, size_t outlen) {
  char digits[64];
  int n = 0, neg = m < 0;
  unsigned __int128 u = neg ? -(unsigned __int128)m : (unsigned __int128)m;
  do {
    digits[n++] = (char)('0' + (int)(u % 10));
    u /= 10;
  } while (u);
  while (n <= scale)
    digits[n++] = '0';
  size_t o = 0;
  if (neg && o < outlen)
    out[o++] = '-';
  for (int i = n - 1; i >= 0 && o + 2 < outlen; i--) {
    out[o++] = digits[i];
    if (i == scale && scale > 0)
      out[o++] = '.';
  }
  out[o] = '\0';
}

/* round(n / d) half away from zero. */
static __int128 div_round_128(__int128 n, __int128 d) {
  __int128 q = n / d, r = n % d;
  __int128 ar = r < 0 ? -r : r, ad = d < 0 ? -d : d;
  if (2 * ar >= ad)
    q += ((n < 0) != (d < 0)) ? -1 : 1;
  return q;
}

/* Library and __int128 agree on a / b to every scale and on growth. */
static void check_against_int128(const char *a, const char *b) {
  small_t x, y;
  char want[96], got[HZ_DECIMAL_WIDE_BUFSIZE];
  if (!small_parse(a, &x) || !small_parse(b, &y) || y.m == 0)
    return;
  for (int scale = 0; scale <= 6; scale++) {
    /* a / b * 10^scale = x.m 10^(y.scale + scale) / (y.m 10^x.scale);
     * at most 15 + 15 + 6 digits, within __int128. */
    __int128 q = div_round_128(x.m * pow10_128(y.scale + scale), y.m * pow10_128(x.scale));
    small_format(q, scale, want, sizeof(want));
    if (hz_decimal_div_round(a, b, scale, got, sizeof(got)) != 0 || strcmp(got, want) != 0)
      abort();
  }
  /* (a - b) / |b| * 100 to 2 places. */
  int s = x.scale > y.scale ? x.scale : y.scale;
  __int128 diff = x.m * pow10_128(s - x.scale) - y.m * pow10_128(s - y.scale);
  __int128 base = (y.m < 0 ? -y.m : y.m) * pow10_128(s - y.scale);
  small_format(div_round_128(diff * 10000, base), 2, want, sizeof(want));
  if (hz_decimal_growth_pct(a, b, got, sizeof(got)) != 0 || strcmp(got, want) != 0)
    abort();
}

/* 1 when s is an arithmetic operand (not too long for the operations). */
static int is_operand(const char *s) {
  char out[HZ_DECIMAL_WIDE_BUFSIZE];
  return hz_decimal_add(s, "0", out, sizeof(out)) == 0;
}

static void check_pair(const char *a, const char *b) {
  char sum[HZ_DECIMAL_WIDE_BUFSIZE], back[HZ_DECIMAL_WIDE_BUFSIZE];
  char sum2[HZ_DECIMAL_WIDE_BUFSIZE], diff[HZ_DECIMAL_WIDE_BUFSIZE];
  char prod[HZ_DECIMAL_WIDE_BUFSIZE], prod2[HZ_DECIMAL_WIDE_BUFSIZE];
  char q[HZ_DECIMAL_WIDE_BUFSIZE], r[HZ_DECIMAL_WIDE_BUFSIZE];
  int rc = hz_decimal_add(a, b, sum, sizeof(sum));
  if (rc == -EINVAL)
    return; /* not both arithmetic operands */
  if (rc != 0)
    abort();
  /* Commutative, and subtraction undoes addition exactly. */
  if (hz_decimal_add(b, a, sum2, sizeof(sum2)) != 0 || strcmp(sum, sum2) != 0)
    abort();
  if (hz_decimal_sub(a, b, diff, sizeof(diff)) != 0)
    abort();
  if (sign_of(hz_decimal_cmp(a, b)) != -sign_of(hz_decimal_cmp(b, a)))
    abort();
  /* A difference may outgrow the operand limits (41 integer digits); it
   * is only compared when it is an operand again. */
  if (is_operand(diff) && sign_of(hz_decimal_cmp(diff, "0")) != sign_of(hz_decimal_cmp(a, b)))
    abort();
  if (hz_decimal_sub(sum, b, back, sizeof(back)) == 0 && hz_decimal_cmp(back, a) != 0)
    abort();
  if (hz_decimal_mul(a, b, prod, sizeof(prod)) != 0 ||
      hz_decimal_mul(b, a, prod2, sizeof(prod2)) != 0 || strcmp(prod, prod2) != 0)
    abort();
  /* (a * b) / b rounds like a itself, when the product is an operand. */
  if (hz_decimal_cmp(b, "0") != 0 && hz_decimal_div_round(prod, b, 6, q, sizeof(q)) == 0) {
    if (hz_decimal_round(a, 6, r, sizeof(r)) != 0 || strcmp(q, r) != 0)
      abort();
  }
  if (hz_decimal_cmp(b, "0") == 0 && hz_decimal_div_round(a, b, 2, q, sizeof(q)) != -EDOM)
    abort();
  check_against_int128(a, b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  check_single(data, size);
  const uint8_t *bar = memchr(data, '|', size);
  if (!bar || memchr(data, '\0', size))
    return 0;
  size_t alen = (size_t)(bar - data), blen = size - alen - 1;
  char *a = malloc(alen + 1), *b = malloc(blen + 1);
  if (!a || !b)
    abort();
  memcpy(a, data, alen);
  a[alen] = '\0';
  memcpy(b, bar + 1, blen);
  b[blen] = '\0';
  check_pair(a, b);
  free(a);
  free(b);
  return 0;
}
