/* grpc-timeout parsing and formatting. */
#include "wire/timeout.h"

#include <stdio.h>

int hz_grpc_timeout_parse(const char *s, size_t len, uint64_t *ms) {
  if (len < 2 || len > 9)
    return -1;
  uint64_t v = 0;
  for (size_t i = 0; i + 1 < len; i++) {
    if (s[i] < '0' || s[i] > '9')
      return -1;
    v = v * 10 + (uint64_t)(s[i] - '0');
  }
  switch (s[len - 1]) {
  case 'H': *ms = v * 3600000u; break;
  case 'M': *ms = v * 60000u; break;
  case 'S': *ms = v * 1000u; break;
  case 'm': *ms = v; break;
  case 'u': *ms = (v + 999u) / 1000u; break;
  case 'n': *ms = (v + 999999u) / 1000000u; break;
  default: return -1;
  }
  return 0;
}

void hz_grpc_timeout_format(uint64_t ms, char out[16]) {
  /* Eight digits at most: fall back to coarser units for long deadlines. */
  if (ms <= 99999999u)
    snprintf(out, 16, "%llum", (unsigned long long)ms);
  else if (ms / 1000u <= 99999999u)
    snprintf(out, 16, "%lluS", (unsigned long long)(ms / 1000u));
  else {
    uint64_t m = ms / 60000u;
    snprintf(out, 16, "%lluM", (unsigned long long)(m > 99999999u ? 99999999u : m));
  }
}
