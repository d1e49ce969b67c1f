/* UTF-8 or GB18030 input text, converted to UTF-8 with iconv. */
#include "encoding.h"

#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire/utf8.h"

const char *hz_encoding_name(hz_encoding_t enc) {
  switch (enc) {
  case HZ_ENC_UTF8_BOM: return "UTF-8 (BOM)";
  case HZ_ENC_GB18030: return "GB18030";
  default: return "UTF-8";
  }
}

static size_t line_of(const char *data, size_t off) {
  size_t line = 1;
  for (size_t i = 0; i < off; i++)
    line += data[i] == '\n';
  return line;
}

static int copy_out(const char *data, size_t len, char **out, size_t *outlen) {
  char *p = malloc(len + 1);
  if (!p)
    return -1;
  memcpy(p, data, len);
  p[len] = '\0';
  *out = p;
  *outlen = len;
  return 0;
}

/* GB18030 -> UTF-8; every GB18030 character is at most 4 UTF-8 bytes, so
 * one output buffer of 2 * len + 4 (ASCII stays 1, two-byte GBK becomes
 * three, four-byte GB18030 four) always suffices. */
static int from_gb18030(const char *data, size_t len, char **out, size_t *outlen, char *err,
                        size_t errlen) {
  iconv_t cd = iconv_open("UTF-8", "GB18030");
  if (cd == (iconv_t)-1) {
    snprintf(err, errlen, "this system cannot convert GB18030 (iconv: %s)", strerror(errno));
    return -1;
  }
  size_t cap = 2 * len + 4;
  char *buf = malloc(cap + 1);
  if (!buf) {
    iconv_close(cd);
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  char *in = (char *)data, *o = buf;
  size_t inleft = len, outleft = cap;
  size_t r = iconv(cd, &in, &inleft, &o, &outleft);
  int saved = errno;
  iconv_close(cd);
  if (r == (size_t)-1) {
    size_t off = (size_t)(in - data);
    snprintf(err, errlen,
             "line %zu: the bytes are neither UTF-8 nor GB18030/GBK (%s); "
             "save the file as \"CSV UTF-8\"",
             line_of(data, off), saved == EINVAL ? "the file ends inside a character" : "invalid");
    free(buf);
    return -1;
  }
  *o = '\0';
  *out = buf;
  *outlen = (size_t)(o - buf);
  return 0;
}

int hz_text_decode(const char *data, size_t len, char **out, size_t *outlen, hz_encoding_t *enc,
                   char *err, size_t errlen) {
  *out = NULL;
  *outlen = 0;
  if (len >= 2 && ((unsigned char)data[0] == 0xFF && (unsigned char)data[1] == 0xFE)) {
    snprintf(err, errlen,
             "the file is UTF-16 (Excel's \"Unicode text\"); save it as \"CSV UTF-8\"");
    return -1;
  }
  if (len >= 2 && ((unsigned char)data[0] == 0xFE && (unsigned char)data[1] == 0xFF)) {
    snprintf(err, errlen, "the file is UTF-16; save it as \"CSV UTF-8\"");
    return -1;
  }
  const char *nul = memchr(data, '\0', len);
  if (nul) {
    snprintf(err, errlen, "line %zu contains a NUL byte: this is not a text file",
             line_of(data, (size_t)(nul - data)));
    return -1;
  }
  int bom = len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0;
  size_t skip = bom ? 3 : 0, bad;
  int rc;
  if (hz_wire_utf8_check(data + skip, len - skip, &bad) == 0) {
    *enc = bom ? HZ_ENC_UTF8_BOM : HZ_ENC_UTF8;
    rc = copy_out(data + skip, len - skip, out, outlen);
    if (rc < 0)
      snprintf(err, errlen, "out of memory");
    return rc;
  }
  if (bom) {
    snprintf(err, errlen, "line %zu: the file starts as UTF-8 but is not valid UTF-8 there",
             line_of(data, skip + bad));
    return -1;
  }
  *enc = HZ_ENC_GB18030;
  return from_gb18030(data, len, out, outlen, err, errlen);
}
