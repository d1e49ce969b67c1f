/* UTF-8 as huizong accepts it wherever text crosses a boundary: protobuf
 * string fields and grpc-message on the wire, CSV and JSON files a clerk
 * submits, free text an administrator stores. One definition for client
 * and server, so the CLI refuses exactly what huizongd would refuse.
 *
 * Grammar (RFC 3629, Unicode table 3-7 "well-formed byte sequences"):
 *   char  = %x00-7F
 *         / %xC2-DF tail
 *         / %xE0 %xA0-BF tail / %xE1-EC 2tail / %xED %x80-9F tail
 *         / %xEE-EF 2tail
 *         / %xF0 %x90-BF 2tail / %xF1-F3 3tail / %xF4 %x80-8F 2tail
 *   tail  = %x80-BF
 * That is: no overlong forms (C0, C1, E0 80.., F0 80..), no UTF-16
 * surrogates (U+D800..U+DFFF), nothing above U+10FFFF (F4 90.., F5..FF),
 * no sequence cut short by the end of the input.
 *
 * Why NUL is refused by the check: every consumer (libpq text parameters,
 * C strings in protobuf-c, terminals) would silently cut the text there,
 * so a NUL is never data. The decoder itself returns U+0000 like any code
 * point; refusing it is the check's policy.
 *
 * No I/O, no allocation. */
#ifndef HZ_WIRE_UTF8_H
#define HZ_WIRE_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Decodes the sequence at s (n bytes available). Returns its length
 * (1..4) with the code point in *cp, or 0 when s does not start with a
 * well-formed sequence (or n is 0); *cp is then left alone. Callers that
 * display text decide how to go on (the CLI shows U+FFFD and skips one
 * byte); callers that validate use hz_wire_utf8_check. */
size_t hz_wire_utf8_decode(const uint8_t *s, size_t n, uint32_t *cp);

/* 0 when the len bytes at s are well-formed UTF-8 without NUL bytes,
 * -EINVAL otherwise. When bad_at is not NULL it receives the offset of the
 * first byte that is a NUL or does not start a well-formed sequence
 * (callers turn it into a line number, or tell NUL from bad encoding by
 * looking at that byte); it is len on success. */
int hz_wire_utf8_check(const char *s, size_t len, size_t *bad_at);

#endif
