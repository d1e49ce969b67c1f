/* Refusal reasons and their SQL names (domain/refusal.h). */
#include "domain/refusal.h"

#include <errno.h>
#include <string.h>

static const char *const refusal_names[HZ_REFUSAL__COUNT] = {
#define HZ_REFUSAL_NAME(id, name) [HZ_REFUSAL_##id] = name,
    HZ_REFUSALS(HZ_REFUSAL_NAME)
#undef HZ_REFUSAL_NAME
};

const char *hz_refusal_name(hz_refusal_t r) {
  return refusal_names[r];
}

int hz_refusal_parse(const char *name, hz_refusal_t *r) {
  for (int i = 0; i < HZ_REFUSAL__COUNT; i++)
    if (name && !strcmp(name, refusal_names[i])) {
      *r = (hz_refusal_t)i;
      return 0;
    }
  return -EINVAL;
}
