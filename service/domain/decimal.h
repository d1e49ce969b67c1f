/* Exact decimals carried as text ("4.9", "-12.50"), never as floating
 * point. Two grammars:
 *
 * - A submitted value (the wire contract): optional leading '-', 1..20
 *   integer digits, optionally '.' and 1..6 fraction digits. Counts are of
 *   the text as written, so "007" (3 digits) is fine and normalises to "7",
 *   while "4.9000000" (7 fraction digits) is refused. No '+', exponent,
 *   spaces, separators, NaN or infinity. hz_decimal_validate and
 *   hz_decimal_normalize enforce it.
 * - An operand of the arithmetic below: the same shape with up to
 *   HZ_DECIMAL_WIDE_DIGITS integer and as many fraction digits, because
 *   rollups feed it PostgreSQL sums and the exact parts of ratios (a sum
 *   times a factor times a count), which are longer than anything
 *   submitted.
 *
 * Arithmetic is exact on decimal digit arrays; results that must be cut
 * short are rounded half away from zero. Functions return 0 or a negative
 * errno: -EINVAL malformed input, -ENOSPC output buffer too small, -EDOM
 * division by zero. No allocation. */
#ifndef HZ_DOMAIN_DECIMAL_H
#define HZ_DOMAIN_DECIMAL_H

#include <stddef.h>

/* Limits of a submitted value. */
#define HZ_DECIMAL_MAX_INT_DIGITS  20
#define HZ_DECIMAL_MAX_FRAC_DIGITS 6

/* Buffer for a normalised submitted value: '-', 20 digits, '.', 6 digits,
 * NUL (29), rounded up. */
#define HZ_DECIMAL_BUFSIZE 32

/* Limit of integer digits, and separately of fraction digits, of an
 * arithmetic operand. The widest operand figures build is the numerator of
 * a ratio: a sum (20 digits of a value, 6 more for a million values added)
 * times a factor (26 digits) times a count (11 digits), 57 integer and 12
 * fraction digits; 80 leaves room. */
#define HZ_DECIMAL_WIDE_DIGITS 80

/* Buffer large enough for any arithmetic result: a product of two wide
 * operands has up to 160 integer and 160 fraction digits. */
#define HZ_DECIMAL_WIDE_BUFSIZE 328

/* Buffer large enough for a percentage computed from wide operands. */
#define HZ_DECIMAL_PCT_BUFSIZE HZ_DECIMAL_WIDE_BUFSIZE

/* Checks s (len bytes, no NUL needed) against the submitted-value grammar.
 * Returns 0 or -EINVAL; on failure writes into why (if whylen > 0) what is
 * wrong, e.g. "more than 6 fraction digits", "exponent not allowed",
 * "thousands separator ',' not allowed", "empty value". */
int hz_decimal_validate(const char *s, size_t len, char *why, size_t whylen);

/* Validates s like hz_decimal_validate and writes its canonical text: no
 * leading integer zeros ("0.5" keeps one), no trailing fraction zeros, no
 * trailing '.', no sign on zero ("-0.00" -> "0"). Equal values give equal
 * text ("4.90" and "04.9" -> "4.9"), which is what idempotency hashing
 * relies on. out needs HZ_DECIMAL_BUFSIZE bytes at most. Returns 0,
 * -EINVAL (invalid; use hz_decimal_validate for the reason) or -ENOSPC. */
int hz_decimal_normalize(const char *s, size_t len, char *out, size_t outlen);

/* Compares two NUL-terminated decimals by value, exactly: <0, 0, >0.
 * Accepts any arithmetic operand, normalised or not ("4.90" == "4.9",
 * "-0" == "0"). Invalid text is a caller bug: the result is then
 * deterministic but meaningless (invalid sorts below every valid value). */
int hz_decimal_cmp(const char *a, const char *b);

/* Exact a + b, a - b and a * b of arithmetic operands, written normalised.
 * A result may exceed the operand limits (a sum of two 40-digit operands
 * has 41 digits) and is then refused as an operand by the functions here.
 * Returns 0, -EINVAL or -ENOSPC. */
int hz_decimal_add(const char *a, const char *b, char *out, size_t outlen);
int hz_decimal_sub(const char *a, const char *b, char *out, size_t outlen);
int hz_decimal_mul(const char *a, const char *b, char *out, size_t outlen);

/* num / den rounded half away from zero to scale (0..6) fraction digits,
 * always written with exactly scale fraction digits ("28.00", "110" for
 * scale 0) and never as "-0.00". Returns 0, -EINVAL (bad operand or
 * scale), -EDOM (den is zero) or -ENOSPC. */
int hz_decimal_div_round(const char *num, const char *den, int scale, char *out, size_t outlen);

/* a rounded half away from zero to scale (0..6) fraction digits, written
 * like hz_decimal_div_round ("1.6666666666666667", 6 -> "1.666667"). */
int hz_decimal_round(const char *a, int scale, char *out, size_t outlen);

/* part / whole * 100 to 2 places: completion of a target and progress
 * against the annual one ("848" of "1550" -> "54.71"). -EDOM when whole
 * is zero. */
int hz_decimal_pct(const char *part, const char *whole, char *out, size_t outlen);

/* (value - base) / |base| * 100 to 2 places: growth over the same period
 * a year earlier (同比) or the previous period (环比). Dividing by |base|
 * keeps the sign meaning "up" or "down" when the base is negative.
 * -EDOM when base is zero (growth undefined). */
int hz_decimal_growth_pct(const char *value, const char *base, char *out, size_t outlen);

/* ---- fractions of operands ----
 *
 * A fraction n/d is a pair of operands with d non-zero (either sign): how
 * rollups carry a figure exactly (an average is a sum over a count, a ratio
 * its numerator's fraction over its denominator's). The cross products
 * these need are formed inside, wider than any operand, and never written
 * out, so a fraction of two operands is always accepted. */

/* Compares an/ad with bn/bd exactly; *cmp is <0, 0 or >0. Returns 0,
 * -EINVAL or -EDOM (a denominator is zero). */
int hz_decimal_q_cmp(const char *an, const char *ad, const char *bn, const char *bd, int *cmp);

/* (pn/pd) / (wn/wd) * 100 to 2 places, like hz_decimal_pct. -EDOM when a
 * denominator or wn is zero. */
int hz_decimal_q_pct(const char *pn, const char *pd, const char *wn, const char *wd, char *out,
                     size_t outlen);

/* (v - b) / |b| * 100 to 2 places for v = vn/vd and b = bn/bd, like
 * hz_decimal_growth_pct. -EDOM when b or a denominator is zero. */
int hz_decimal_q_growth_pct(const char *vn, const char *vd, const char *bn, const char *bd,
                            char *out, size_t outlen);

/* v - b for v = vn/vd and b = bn/bd, exactly, rounded once half away from
 * zero to scale (0..6) places like hz_decimal_div_round: the difference of
 * two rates in percentage points (31.44 - 7.86 = "23.58"). -EDOM when a
 * denominator is zero. */
int hz_decimal_q_diff(const char *vn, const char *vd, const char *bn, const char *bd, int scale,
                      char *out, size_t outlen);

#endif
