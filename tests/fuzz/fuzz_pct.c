/* libFuzzer target for grpc-message percent-encoding (wire/status.h):
 * decode reads peer-supplied trailers, encode carries our error text,
 * which may echo client input. Encoding must give printable ASCII that
 * decodes back exactly; decoding arbitrary bytes must agree with an
 * independent decoder that keeps malformed escapes literally. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire/status.h"

static int hex_digit(uint8_t c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  c |= 0x20;
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

/* Writes the expected decoding of s into out (at least n bytes). */
static size_t reference_decode(const uint8_t *s, size_t n, uint8_t *out) {
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '%' && n - i >= 3 && hex_digit(s[i + 1]) >= 0 && hex_digit(s[i + 2]) >= 0) {
      out[o++] = (uint8_t)(hex_digit(s[i + 1]) * 16 + hex_digit(s[i + 2]));
      i += 2;
    } else {
      out[o++] = s[i];
    }
  }
  return o;
}

static void check_round_trip(const uint8_t *data, size_t size) {
  size_t elen = 0, dlen = 0;
  char *enc = hz_pct_encode((const char *)data, size, &elen);
  if (!enc)
    abort();
  if (strlen(enc) != elen)
    abort();
  for (size_t i = 0; i < elen; i++) {
    if (enc[i] < 0x20 || enc[i] > 0x7e)
      abort();
    if (enc[i] == '%' &&
        (i + 2 >= elen || hex_digit((uint8_t)enc[i + 1]) < 0 || hex_digit((uint8_t)enc[i + 2]) < 0))
      abort();
  }
  char *dec = hz_pct_decode(enc, elen, &dlen);
  if (!dec || dlen != size || (size && memcmp(dec, data, size) != 0))
    abort();
  free(enc);
  free(dec);
}

static void check_decode(const uint8_t *data, size_t size) {
  size_t dlen = 0;
  char *dec = hz_pct_decode((const char *)data, size, &dlen);
  uint8_t *want = malloc(size + 1);
  if (!dec || !want)
    abort();
  size_t wlen = reference_decode(data, size, want);
  if (dlen != wlen || dec[dlen] != '\0' || (wlen && memcmp(dec, want, wlen) != 0))
    abort();
  free(want);
  free(dec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  check_round_trip(data, size);
  check_decode(data, size);
  return 0;
}
