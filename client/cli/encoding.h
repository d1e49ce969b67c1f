/* The text encoding of an input file (CSV values, bulk sheets): what
 * Excel and WPS in a Chinese office save. A file that is valid UTF-8
 * (with or without a byte order mark) is UTF-8; anything else is read as
 * GB18030, the superset of GBK and GB2312 that "CSV (逗号分隔)" produces
 * under a Chinese Windows, and converted with iconv. Why this order:
 * GBK text of any length is almost never valid UTF-8, while UTF-8 text is
 * often valid GB18030 too, so testing UTF-8 first is what decides. A file
 * that is neither (or UTF-16, which Excel's "Unicode text" writes) is an
 * error naming the line of the first bad byte. */
#ifndef HZ_CLI_ENCODING_H
#define HZ_CLI_ENCODING_H

#include <stddef.h>

typedef enum {
  HZ_ENC_UTF8 = 0, /* valid UTF-8, no byte order mark */
  HZ_ENC_UTF8_BOM, /* valid UTF-8 after EF BB BF */
  HZ_ENC_GB18030,  /* converted from GB18030 (GBK, GB2312) */
} hz_encoding_t;

/* "UTF-8", "UTF-8 (BOM)", "GB18030". */
const char *hz_encoding_name(hz_encoding_t enc);

/* Decodes len bytes of data into malloc'd, NUL-terminated UTF-8 text
 * without a byte order mark (*out, *outlen). NUL bytes are refused in
 * every encoding. Returns 0, or -1 with the reason (naming the line) in
 * err (errlen bytes); -1 with "out of memory" when that is why. */
int hz_text_decode(const char *data, size_t len, char **out, size_t *outlen, hz_encoding_t *enc,
                   char *err, size_t errlen);

#endif
