/* Syntax checks of region codes and indicator codes.
 * Lengths are measured with a bound so an oversized input is refused
 * without scanning all of it. */
#include "domain/ident.h"

#include <errno.h>
#include <string.h>

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
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
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
