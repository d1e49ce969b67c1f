/* Private to domain/decimal*.c: the machine-word fast path of decimal.h's
 * arithmetic. A rollup computes tens of thousands of figures from operands
 * of a few digits ("12345.67", a count "15"); parsing them into
 * decimal_num.h's digit arrays (490 digits each, copied by value) cost
 * more than the arithmetic itself (issue 15: a third of huizongd's CPU per
 * computed Rollup). Here an operand is a signed 128-bit integer count of
 * 10^-scale units, and every step checks for overflow.
 *
 * Each function answers exactly what decimal.h's function of the same
 * name answers (same text, same error) when it can, and -ERANGE when it
 * cannot: an operand of more than HZ_SMALL_DIGITS digits as written (the
 * sign and '.' not counted), text that is not an operand (the general
 * path then says -EINVAL), or an intermediate result past 128 bits. The
 * caller then takes the general path (decimal_ops.c). Exactness does not
 * depend on the path: both compute the exact value and round it once,
 * half away from zero. */
#ifndef HZ_DOMAIN_DECIMAL_SMALL_H
#define HZ_DOMAIN_DECIMAL_SMALL_H

#include <stddef.h>

/* Digits of an operand the fast path takes, as written: below 10^36, so a
 * sum of two stays far from 2^127 (1.7 x 10^38). Longer text, even with
 * only leading or trailing zeros, takes the general path (the unit tests
 * use that to compare the two). */
#define HZ_SMALL_DIGITS 36

int hz_small_cmp(const char *a, const char *b, int *cmp);
int hz_small_add(const char *a, const char *b, int negate_b, char *out, size_t outlen);
int hz_small_mul(const char *a, const char *b, char *out, size_t outlen);
int hz_small_div_round(const char *num, const char *den, int scale, char *out, size_t outlen);
int hz_small_pct(const char *part, const char *whole, char *out, size_t outlen);
int hz_small_growth_pct(const char *value, const char *base, char *out, size_t outlen);
int hz_small_q_cmp(const char *an, const char *ad, const char *bn, const char *bd, int *cmp);
int hz_small_q_pct(const char *pn, const char *pd, const char *wn, const char *wd, char *out,
                   size_t outlen);
int hz_small_q_growth_pct(const char *vn, const char *vd, const char *bn, const char *bd, char *out,
                          size_t outlen);
int hz_small_q_diff(const char *vn, const char *vd, const char *bn, const char *bd, int scale,
                    char *out, size_t outlen);

#endif
