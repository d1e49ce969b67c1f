/* UUID generation. */
#include "uuid.h"

#include <stdint.h>
#include <stdio.h>

#include <openssl/rand.h>

int hz_cli_uuid_v4(char out[HZ_WIRE_UUID_TEXT_SIZE]) {
  uint8_t b[16];
  if (RAND_bytes(b, sizeof(b)) != 1)
    return -1;
  b[6] = (uint8_t)((b[6] & 0x0F) | 0x40); /* version 4 */
  b[8] = (uint8_t)((b[8] & 0x3F) | 0x80); /* RFC 4122 variant */
  snprintf(out, HZ_WIRE_UUID_TEXT_SIZE,
           "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2],
           b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
  return 0;
}
