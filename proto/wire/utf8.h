/* UTF-8, the one rule for the whole tree: well-formed sequences only (no
 * overlong forms, no UTF-16 surrogates, nothing above U+10FFFF), as RFC
 * 3629 and PostgreSQL's UTF8 encoding require. The server checks request
 * text with it (wire/pbtext.h), the CLIs check files and measure display
 * widths with it. */
#ifndef HZ_WIRE_UTF8_H
#define HZ_WIRE_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Decodes the character at s (n > 0 bytes available). Returns its length
 * and its code point in *cp; a byte that does not start a well-formed
 * sequence returns 1 with *cp = U+FFFD, so callers can always step on. */
size_t hz_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

/* Length of the well-formed sequence at s, or 0 when it is not one (a
 * real U+FFFD is 3 bytes, so this tells it from a replaced byte). */
size_t hz_utf8_char_len(const unsigned char *s, size_t n);

/* Offset of the first byte of s that is not part of well-formed UTF-8, or
 * n when all of it is. NUL is well-formed here; callers that refuse it say
 * so themselves. */
size_t hz_utf8_invalid_at(const unsigned char *s, size_t n);

#endif
