/* UUID generation and syntax check. */
#include "uuid.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/rand.h>

int hz_uuid_v4(char out[HZ_UUID_STRLEN]) {
  uint8_t b[16];
  if (RAND_bytes(b, sizeof(b)) != 1)
    return -1;
  b[6] = (uint8_t)((b[6] & 0x0F) | 0x40); /* version 4 */
  b[8] = (uint8_t)((b[8] & 0x3F) | 0x80); /* RFC 4122 variant */
  snprintf(out, HZ_UUID_STRLEN,
           "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
           b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11],
           b[12], b[13], b[14], b[15]);
  return 0;
}

int hz_uuid_valid(const char *s) {
  if (strlen(s) != HZ_UUID_STRLEN - 1)
    return 0;
  for (int i = 0; i < HZ_UUID_STRLEN - 1; i++) {
    char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-')
        return 0;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return 0;
    }
  }
  return 1;
}
