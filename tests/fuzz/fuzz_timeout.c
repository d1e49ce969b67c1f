/* libFuzzer target for the grpc-timeout header parser (wire/timeout.h),
 * which reads a client-supplied header. Checks acceptance and value
 * against an independent reading of the grammar (1-8 digits, one unit
 * letter), and that every formatted value parses back no longer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire/timeout.h"

/* Returns 0 and the value in ms, or -1, per the gRPC HTTP/2 grammar. */
static int reference_parse(const uint8_t *s, size_t n, uint64_t *ms) {
  if (n < 2 || n > 9)
    return -1;
  uint64_t v = 0;
  for (size_t i = 0; i + 1 < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return -1;
    v = v * 10 + (uint64_t)(s[i] - '0');
  }
  switch (s[n - 1]) {
  case 'H': *ms = v * 3600 * 1000; return 0;
  case 'M': *ms = v * 60 * 1000; return 0;
  case 'S': *ms = v * 1000; return 0;
  case 'm': *ms = v; return 0;
  case 'u': *ms = v / 1000 + (v % 1000 != 0); return 0;
  case 'n': *ms = v / 1000000 + (v % 1000000 != 0); return 0;
  default: return -1;
  }
}

static void check_parse(const uint8_t *data, size_t size) {
  uint64_t got = 0, want = 0;
  int r = hz_grpc_timeout_parse((const char *)data, size, &got);
  int rr = reference_parse(data, size, &want);
  if (r != rr)
    abort();
  if (r == 0 && got != want)
    abort();
}

static void check_format(const uint8_t *data, size_t size) {
  uint64_t ms = 0;
  char out[16];
  uint64_t back = 0;
  memcpy(&ms, data, size < 8 ? size : 8);
  hz_grpc_timeout_format(ms, out);
  size_t len = strnlen(out, sizeof(out));
  if (len == sizeof(out))
    abort();
  if (hz_grpc_timeout_parse(out, len, &back) != 0)
    abort();
  if (back > ms)
    abort();
  if (ms <= 99999999u && back != ms)
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  check_parse(data, size);
  check_format(data, size);
  return 0;
}
