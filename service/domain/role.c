/* Role numbers and names (domain/role.h). */
#include "domain/role.h"

#include <errno.h>
#include <string.h>

/* Indexed by number; 0 is the proto's ROLE_UNSPECIFIED, never a token's. */
static const char *const role_names[HZ_ROLE_LAST + 1] = {
    [HZ_ROLE_TOWNSHIP] = "township",
    [HZ_ROLE_COUNTY] = "county",
    [HZ_ROLE_ADMIN] = "admin",
};

const char *hz_role_name(int role) {
  if (role < HZ_ROLE_FIRST || role > HZ_ROLE_LAST)
    return "unknown";
  return role_names[role];
}

int hz_role_parse(const char *name, hz_role_t *role) {
  for (int r = HZ_ROLE_FIRST; r <= HZ_ROLE_LAST; r++)
    if (name && !strcmp(name, role_names[r])) {
      *role = (hz_role_t)r;
      return 0;
    }
  return -EINVAL;
}
