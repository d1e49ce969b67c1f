/* The region a Rollup is about, with the whole country for administrators
 * (issue 15): an administrator has no scope root, so an empty region_code
 * that used to be refused now means the country, passed to the database
 * as '' (migration 019: roots as children, every region of a level, a
 * total row code '' named 全国). Everyone else keeps agg_target_region's
 * reading: their own scope root. Only Rollup takes the country; Series,
 * Completeness and the others still require a region from an admin. */
#include "api/aggregation/aggregation.h"

const char *agg_rollup_region(hz_rpc_t *rpc, const char *requested) {
  /* Why who.region and not the role: the scope is what "empty" defaults
   * to, and only a principal without one can mean more than its scope. */
  if (!requested[0] && !rpc->who.region)
    return "";
  return agg_target_region(rpc, requested);
}
