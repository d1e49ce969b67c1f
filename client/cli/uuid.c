/* UUID generation. */
#include "uuid.h"

#include <stdint.h>
#include <stdio.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

static void format(const uint8_t *b, char out[HZ_WIRE_UUID_TEXT_SIZE]) {
  snprintf(out, HZ_WIRE_UUID_TEXT_SIZE,
           "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2],
           b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

int hz_cli_uuid_v4(char out[HZ_WIRE_UUID_TEXT_SIZE]) {
  uint8_t b[16];
  if (RAND_bytes(b, sizeof(b)) != 1)
    return -1;
  b[6] = (uint8_t)((b[6] & 0x0F) | 0x40); /* version 4 */
  b[8] = (uint8_t)((b[8] & 0x3F) | 0x80); /* RFC 4122 variant */
  format(b, out);
  return 0;
}

int hz_cli_uuid_v5(const unsigned char ns[16], const char *name, size_t len,
                   char out[HZ_WIRE_UUID_TEXT_SIZE]) {
  uint8_t md[EVP_MAX_MD_SIZE];
  unsigned int mdlen = 0;
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) == 1 &&
           EVP_DigestUpdate(ctx, ns, 16) == 1 && EVP_DigestUpdate(ctx, name, len) == 1 &&
           EVP_DigestFinal_ex(ctx, md, &mdlen) == 1 && mdlen >= 16;
  EVP_MD_CTX_free(ctx);
  if (!ok)
    return -1;
  md[6] = (uint8_t)((md[6] & 0x0F) | 0x50); /* version 5 */
  md[8] = (uint8_t)((md[8] & 0x3F) | 0x80); /* RFC 4122 variant */
  format(md, out);
  return 0;
}
