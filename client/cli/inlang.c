/* Choosing Chinese or English messages from the environment. */
#include "inlang.h"

#include <stdlib.h>
#include <string.h>

int hz_lang_zh(void) {
  const char *v = getenv("HUIZONG_LANG");
  if (v && *v)
    return strncmp(v, "zh", 2) == 0;
  static const char *const vars[] = {"LC_ALL", "LC_MESSAGES", "LANG"};
  for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
    v = getenv(vars[i]);
    if (v && *v)
      return strncmp(v, "zh", 2) == 0;
  }
  return 0;
}
