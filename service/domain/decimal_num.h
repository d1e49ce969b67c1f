/* Private to domain/decimal*.c: the exact number behind decimal text, a
 * sign, a scale and a little-endian array of decimal digits, with the
 * schoolbook arithmetic on it (small numbers, so schoolbook algorithms are
 * fast enough and obviously exact). decimal.c parses submitted values into
 * it, decimal_ops.c implements the public arithmetic of decimal.h with it.
 * Functions return 0 or a negative errno: -EINVAL malformed text, -ENOSPC
 * output too small, -EDOM division by zero, -ERANGE past HZ_NUM_CAP digits
 * (HZ_NUM_CAP is sized so that operands of decimal.h never get there). */
#ifndef HZ_DOMAIN_DECIMAL_NUM_H
#define HZ_DOMAIN_DECIMAL_NUM_H

#include <stddef.h>
#include <stdint.h>

#include "domain/decimal.h"

/* Digits a number may hold. The largest need is a growth of fractions:
 * cross products of two wide operands (2 x 160 digits, scale up to 160),
 * their difference times 100 (323 digits), then shifted by up to 162
 * places to divide: 485 digits. */
#define HZ_NUM_CAP 490

/* Longest text of an arithmetic operand: '-', digits, '.', digits. */
#define HZ_NUM_TEXT_MAX (1 + 2 * HZ_DECIMAL_WIDE_DIGITS + 1)

/* An exact decimal: (-1)^neg * digits * 10^-scale. */
typedef struct {
  int neg;               /* 1 only for a non-zero negative value */
  int len;               /* digits used in d; 0 means the value is zero */
  int scale;             /* fraction digits, so d counts units of 10^-scale */
  uint8_t d[HZ_NUM_CAP]; /* little-endian digits: d[0] is the last one; the
                         top digit d[len-1] is never 0 */
} hz_num_t;

/* An ASCII digit: isdigit() would depend on the locale. */
static inline int hz_num_is_digit(unsigned char c) {
  return c >= '0' && c <= '9';
}

/* Parses the arithmetic operand grammar of decimal.h (len bytes): optional
 * '-', 1..WIDE integer digits, optionally '.' and 1..WIDE fraction digits. */
int hz_num_parse(const char *str, size_t len, hz_num_t *n);

/* hz_num_parse of a NUL-terminated operand, never reading past its longest
 * form. */
int hz_num_parse_z(const char *s, hz_num_t *n);

/* Multiplies n by 10^k (k >= 0), scale unchanged; -ERANGE past HZ_NUM_CAP. */
int hz_num_shift_up(hz_num_t *n, int k);

/* Compares values exactly, whatever their scales: <0, 0, >0. */
int hz_num_cmp(const hz_num_t *a, const hz_num_t *b);

/* out = a + b, or a - b when negate_b. */
int hz_num_add(const hz_num_t *a, const hz_num_t *b, int negate_b, hz_num_t *out);

/* out = a * b, exactly (scales add). */
int hz_num_mul(const hz_num_t *a, const hz_num_t *b, hz_num_t *out);

/* out = a / b rounded half away from zero to scale fraction digits;
 * -EDOM when b is zero. */
int hz_num_div_round(const hz_num_t *a, const hz_num_t *b, int scale, hz_num_t *out);

/* Writes n with exactly its own scale of fraction digits. */
int hz_num_format(const hz_num_t *n, char *out, size_t outlen);

/* Writes n in canonical form: trailing fraction zeros dropped first. */
int hz_num_format_normal(const hz_num_t *n, char *out, size_t outlen);

#endif
