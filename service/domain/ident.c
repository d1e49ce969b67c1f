/* Syntax checks of submission UUIDs, region codes and indicator codes.
 * Lengths are measured with a bound so an oversized input is refused
 * without scanning all of it. */
#include "domain/ident.h"

#include <errno.h>
#include <string.h>

static int is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
         (c >= 'A' && c <= 'F');
}

/* Hyphens sit after 8, 12, 16 and 20 hex digits. */
static int uuid_hyphen_at(int i) {
  return i == 8 || i == 13 || i == 18 || i == 23;
}

int hz_uuid_validate(const char *s) {
  if (!s || strnlen(s, HZ_UUID_TEXT_SIZE) != HZ_UUID_TEXT_SIZE - 1)
    return -EINVAL;
  for (int i = 0; i < HZ_UUID_TEXT_SIZE - 1; i++) {
    if (uuid_hyphen_at(i) ? s[i] != '-' : !is_hex(s[i]))
      return -EINVAL;
  }
  return 0;
}

int hz_uuid_normalize(const char *s, char out[HZ_UUID_TEXT_SIZE]) {
  if (hz_uuid_validate(s) != 0)
    return -EINVAL;
  for (int i = 0; i < HZ_UUID_TEXT_SIZE - 1; i++)
    out[i] = (s[i] >= 'A' && s[i] <= 'F') ? (char)(s[i] + 32) : s[i];
  out[HZ_UUID_TEXT_SIZE - 1] = '\0';
  return 0;
}

int hz_region_code_validate(const char *s) {
  if (!s)
    return -EINVAL;
  size_t len = strnlen(s, HZ_REGION_CODE_MAX_LEN + 1);
  if (len < HZ_REGION_CODE_MIN_LEN || len > HZ_REGION_CODE_MAX_LEN)
    return -EINVAL;
  for (size_t i = 0; i < len; i++)
    if (s[i] < '0' || s[i] > '9')
      return -EINVAL;
  return 0;
}

static int is_code_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-';
}

int hz_indicator_code_validate(const char *s) {
  if (!s)
    return -EINVAL;
  size_t len = strnlen(s, HZ_INDICATOR_CODE_MAX_LEN + 1);
  if (len < 1 || len > HZ_INDICATOR_CODE_MAX_LEN)
    return -EINVAL;
  if (s[0] < 'a' || s[0] > 'z')
    return -EINVAL;
  for (size_t i = 1; i < len; i++)
    if (!is_code_char(s[i]))
      return -EINVAL;
  return 0;
}
