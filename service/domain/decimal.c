/* The strict grammar of submitted values (the wire contract of
 * decimal.h) with precise refusal reasons, and their canonical form.
 * The arithmetic is in decimal_num.c and decimal_ops.c. */
#include "domain/decimal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "domain/decimal_num.h"

/* ---- strict validation of submitted values ---- */

__attribute__((format(printf, 3, 4))) static int refuse(char *why, size_t whylen, const char *fmt,
                                                        ...) {
  if (why && whylen > 0) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, whylen, fmt, ap);
    va_end(ap);
  }
  return -EINVAL;
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
static int refuse_special(const unsigned char *s, size_t len, char *why, size_t whylen) {
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
static int refuse_char(const unsigned char *s, size_t len, size_t i, int seen_digit, char *why,
                       size_t whylen) {
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

int hz_decimal_validate(const char *str, size_t len, char *why, size_t whylen) {
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
    if (hz_num_is_digit(s[i])) {
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
        return refuse(why, whylen, "missing integer digits before '.' (write 0.5, not .5)");
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
    return refuse(why, whylen, "more than %d integer digits", HZ_DECIMAL_MAX_INT_DIGITS);
  if (frac_digits > HZ_DECIMAL_MAX_FRAC_DIGITS)
    return refuse(why, whylen, "more than %d fraction digits", HZ_DECIMAL_MAX_FRAC_DIGITS);
  if (why && whylen > 0)
    why[0] = '\0';
  return 0;
}

int hz_decimal_normalize(const char *s, size_t len, char *out, size_t outlen) {
  hz_num_t n;
  if (hz_decimal_validate(s, len, NULL, 0) != 0 || hz_num_parse(s, len, &n) != 0)
    return -EINVAL;
  return hz_num_format_normal(&n, out, outlen);
}
