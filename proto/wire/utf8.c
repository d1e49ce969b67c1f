/* UTF-8 decoding and validation (see utf8.h for the grammar). */
#include "wire/utf8.h"

#include <errno.h>

size_t hz_wire_utf8_decode(const uint8_t *s, size_t n, uint32_t *cp) {
  if (n == 0)
    return 0;
  uint8_t c = s[0];
  size_t len;
  uint32_t v, min;
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  /* C0, C1 could only start overlong 2-byte forms; F5..FF only values
   * past U+10FFFF; 80..BF are continuation bytes. */
  if (c >= 0xC2 && c <= 0xDF)
    len = 2, v = c & 0x1Fu, min = 0x80;
  else if (c >= 0xE0 && c <= 0xEF)
    len = 3, v = c & 0x0Fu, min = 0x800;
  else if (c >= 0xF0 && c <= 0xF4)
    len = 4, v = c & 0x07u, min = 0x10000;
  else
    return 0;
  if (n < len)
    return 0;
  for (size_t i = 1; i < len; i++) {
    if ((s[i] & 0xC0) != 0x80)
      return 0;
    v = (v << 6) | (s[i] & 0x3Fu);
  }
  /* Overlong forms, UTF-16 surrogates and values past U+10FFFF. */
  if (v < min || (v >= 0xD800 && v <= 0xDFFF) || v > 0x10FFFF)
    return 0;
  *cp = v;
  return len;
}

int hz_wire_utf8_check(const char *s, size_t len, size_t *bad_at) {
  const uint8_t *p = (const uint8_t *)s;
  size_t i = 0;
  while (i < len) {
    uint32_t cp;
    size_t n = p[i] < 0x80 ? 1 : hz_wire_utf8_decode(p + i, len - i, &cp);
    if (n == 0 || p[i] == 0) {
      if (bad_at)
        *bad_at = i;
      return -EINVAL;
    }
    i += n;
  }
  if (bad_at)
    *bad_at = len;
  return 0;
}
