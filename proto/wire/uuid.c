/* UUID syntax check and normalisation (see uuid.h for the grammar). */
#include "wire/uuid.h"

#include <errno.h>
#include <string.h>

static int is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Hyphens sit after 8, 12, 16 and 20 hex digits. */
static int hyphen_at(int i) {
  return i == 8 || i == 13 || i == 18 || i == 23;
}

int hz_wire_uuid_check(const char *s) {
  if (!s || strnlen(s, HZ_WIRE_UUID_TEXT_SIZE) != HZ_WIRE_UUID_TEXT_SIZE - 1)
    return -EINVAL;
  for (int i = 0; i < HZ_WIRE_UUID_TEXT_SIZE - 1; i++) {
    if (hyphen_at(i) ? s[i] != '-' : !is_hex(s[i]))
      return -EINVAL;
  }
  return 0;
}

int hz_wire_uuid_normalize(const char *s, char out[HZ_WIRE_UUID_TEXT_SIZE]) {
  if (hz_wire_uuid_check(s) != 0)
    return -EINVAL;
  for (int i = 0; i < HZ_WIRE_UUID_TEXT_SIZE - 1; i++)
    out[i] = (s[i] >= 'A' && s[i] <= 'F') ? (char)(s[i] - 'A' + 'a') : s[i];
  out[HZ_WIRE_UUID_TEXT_SIZE - 1] = '\0';
  return 0;
}
