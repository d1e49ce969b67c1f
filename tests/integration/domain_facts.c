/* domain_facts: prints the C side of every domain fact the database also
 * defines, one per line, for test_migrate to compare with a migrated
 * database:
 *   role <number> <hz_role_name>             numbers 0..4 (0 and 4 unknown)
 *   approval <submitted> <approved> <state>  every combination
 *   refusal <name> <gRPC status>             every reason, in enum order
 *   reporting <expected> <reported> <approved> <state>
 *                                            0 <= approved <= reported <= expected <= 3
 * A test program, never part of huizongd. */
#include <stdio.h>

#include "api/refusal.h"
#include "domain/approval.h"
#include "domain/role.h"

int main(void) {
  for (int n = HZ_ROLE_FIRST - 1; n <= HZ_ROLE_LAST + 1; n++)
    printf("role %d %s\n", n, hz_role_name(n));
  for (int submitted = 0; submitted <= 1; submitted++)
    for (int approved = 0; approved <= 1; approved++)
      printf("approval %d %d %d\n", submitted, approved,
             (int)hz_approval_state(submitted, approved));
  for (int r = 0; r < HZ_REFUSAL__COUNT; r++)
    printf("refusal %s %d\n", hz_refusal_name((hz_refusal_t)r),
           (int)hz_refusal_status((hz_refusal_t)r));
  for (int e = 0; e <= 3; e++)
    for (int r = 0; r <= e; r++)
      for (int a = 0; a <= r; a++)
        printf("reporting %d %d %d %d\n", e, r, a, (int)hz_reporting_state(e, r, a));
  return 0;
}
