/* UTF-8 decoding (see utf8.h). */
#include "wire/utf8.h"

size_t hz_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp) {
  unsigned char c = s[0];
  size_t len;
  uint32_t v, min;
  if (c < 0x80) {
    *cp = c;
    return 1;
  } else if (c >= 0xC2 && c <= 0xDF) {
    len = 2, v = c & 0x1F, min = 0x80;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3, v = c & 0x0F, min = 0x800;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4, v = c & 0x07, min = 0x10000;
  } else {
    goto invalid;
  }
  if (n < len)
    goto invalid;
  for (size_t i = 1; i < len; i++) {
    if ((s[i] & 0xC0) != 0x80)
      goto invalid;
    v = (v << 6) | (s[i] & 0x3F);
  }
  /* Overlong forms, UTF-16 surrogates and values past U+10FFFF. */
  if (v < min || (v >= 0xD800 && v <= 0xDFFF) || v > 0x10FFFF)
    goto invalid;
  *cp = v;
  return len;
invalid:
  *cp = 0xFFFD;
  return 1;
}

size_t hz_utf8_char_len(const unsigned char *s, size_t n) {
  uint32_t cp;
  size_t len = hz_utf8_decode(s, n, &cp);
  return len == 1 && s[0] >= 0x80 ? 0 : len;
}

size_t hz_utf8_invalid_at(const unsigned char *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    if (s[i] < 0x80) { /* ASCII runs are the common case */
      i++;
      continue;
    }
    size_t len = hz_utf8_char_len(s + i, n - i);
    if (!len)
      return i;
    i += len;
  }
  return n;
}
