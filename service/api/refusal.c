/* Refusal reason -> gRPC status (api/refusal.h), and the compile-time
 * proof that domain/role.h and domain/approval.h number their values as
 * the wire contract does (domain/ sees no generated proto headers). */
#include "api/refusal.h"

#include <string.h>

#include "api/problems.h"
#include "api/rpc.h"
#include "domain/approval.h"
#include "domain/role.h"
#include "huizong/v1/common.pb-c.h"

_Static_assert((int)HZ_ROLE_TOWNSHIP == (int)HUIZONG__V1__ROLE__ROLE_TOWNSHIP, "proto Role");
_Static_assert((int)HZ_ROLE_COUNTY == (int)HUIZONG__V1__ROLE__ROLE_COUNTY, "proto Role");
_Static_assert((int)HZ_ROLE_ADMIN == (int)HUIZONG__V1__ROLE__ROLE_ADMIN, "proto Role");
_Static_assert((int)HZ_APPROVAL_MISSING == (int)HUIZONG__V1__APPROVAL_STATE__APPROVAL_STATE_MISSING,
               "proto ApprovalState");
_Static_assert((int)HZ_APPROVAL_SUBMITTED ==
                   (int)HUIZONG__V1__APPROVAL_STATE__APPROVAL_STATE_SUBMITTED,
               "proto ApprovalState");
_Static_assert((int)HZ_APPROVAL_APPROVED ==
                   (int)HUIZONG__V1__APPROVAL_STATE__APPROVAL_STATE_APPROVED,
               "proto ApprovalState");
_Static_assert((int)HZ_APPROVAL_PARTIAL == (int)HUIZONG__V1__APPROVAL_STATE__APPROVAL_STATE_PARTIAL,
               "proto ApprovalState");

/* Why these statuses: DESIGN.md's error table. A region or token that
 * does not exist is NOT_FOUND; a region the token may not touch is
 * PERMISSION_DENIED; a region or period whose state forbids the action,
 * or a name that no longer picks one token, is FAILED_PRECONDITION; a
 * reused submission id or a taken token name is ALREADY_EXISTS. A token
 * role that cannot hold its region (a township token on a county) is
 * INVALID_ARGUMENT: the request is wrong whatever the database holds,
 * like the other CreateToken role/region checks made before the query.
 * A switch without default, so a reason left out is a -Wswitch warning
 * (an error with --werror), not a silent OK. */
hz_status_code_t hz_refusal_status(hz_refusal_t r) {
  switch (r) {
  case HZ_REFUSAL_UNKNOWN_REGION:
  case HZ_REFUSAL_UNKNOWN_TOKEN: return HZ_STATUS_NOT_FOUND;
  case HZ_REFUSAL_OUTSIDE_SCOPE: return HZ_STATUS_PERMISSION_DENIED;
  case HZ_REFUSAL_NOT_TOWNSHIP:
  case HZ_REFUSAL_NOTHING_SUBMITTED:
  case HZ_REFUSAL_APPROVED:
  case HZ_REFUSAL_WINDOW_CLOSED:
  case HZ_REFUSAL_NOT_STARTED:
  case HZ_REFUSAL_NAME_AMBIGUOUS:
  case HZ_REFUSAL_RULE_ERROR: return HZ_STATUS_FAILED_PRECONDITION;
  case HZ_REFUSAL_ID_REUSED:
  case HZ_REFUSAL_NAME_TAKEN: return HZ_STATUS_ALREADY_EXISTS;
  case HZ_REFUSAL_ROLE_LEVEL_MISMATCH: return HZ_STATUS_INVALID_ARGUMENT;
  case HZ_REFUSAL__COUNT: break;
  }
  return HZ_STATUS_INTERNAL;
}

hz_status_code_t hz_refusal_status_of(const char *reason) {
  hz_refusal_t r;
  if (hz_refusal_parse(reason, &r))
    return HZ_STATUS_INTERNAL;
  return hz_refusal_status(r);
}

void hz_rpc_refuse(hz_rpc_t *rpc, const char *reason, const char *message) {
  hz_refusal_t r;
  if (hz_refusal_parse(reason, &r)) {
    hz_log_error(&rpc->app->ctx->log,
                 "%s: the database refused with reason '%s', unknown to "
                 "this build",
                 rpc->def->path, reason);
    hz_rpc_finish(rpc, HZ_STATUS_INTERNAL, "internal error; the server log has the details");
    return;
  }
  hz_rpc_finish(rpc, hz_refusal_status(r), "%s", message);
}

int hz_rpc_refused(hz_rpc_t *rpc, const PGresult *r, int row) {
  int reason = hz_db_col(r, "refusal");
  /* Why check: libpq reads a missing column as NULL, which here would
   * mean "not refused" and turn every refusal into a success. */
  if (reason < 0 || hz_db_col(r, "message") < 0) {
    hz_log_error(&rpc->app->ctx->log, "%s: result has no refusal or message column",
                 rpc->def->path);
    hz_rpc_finish(rpc, HZ_STATUS_INTERNAL, "internal error; the server log has the details");
    return 1;
  }
  if (hz_rpc_cell_null(r, row, reason))
    return 0;
  hz_rpc_refuse(rpc, PQgetvalue(r, row, reason), PQgetvalue(r, row, hz_db_col(r, "message")));
  return 1;
}

/* Finishes rpc with the RULE_ERROR problems of every row of r. */
static void refuse_rule_rows(hz_rpc_t *rpc, const PGresult *r, const char *region,
                             const char *period) {
  hz_arena_t *a = hz_rpc_arena(rpc);
  hz_problems_t p;
  hz_problems_init(&p, a);
  int c_msg = hz_db_col(r, "message"), c_rule = hz_db_col(r, "rule_code");
  int c_ind = hz_db_col(r, "indicator_code");
  for (int i = 0; i < PQntuples(r); i++) {
    const char *ind = hz_rpc_cell(rpc, r, i, c_ind);
    const char *key = hz_arena_printf(a, "%s/%s/%s", region, ind ? ind : "", period);
    if (!key || hz_problems_add_rule_keyed(
                    &p, -1, HUIZONG__V1__PROBLEM_KIND__PROBLEM_KIND_RULE_ERROR, ind, key,
                    hz_rpc_cell(rpc, r, i, c_rule), hz_rpc_cell(rpc, r, i, c_msg)))
      return (void)hz_rpc_oom(rpc);
  }
  hz_problems_refuse(rpc, &p);
}

int hz_rpc_refused_rows(hz_rpc_t *rpc, const PGresult *r, const char *region, const char *period) {
  int reason = hz_db_col(r, "refusal");
  if (reason >= 0 && PQntuples(r) > 0 && !hz_rpc_cell_null(r, 0, reason) &&
      strcmp(PQgetvalue(r, 0, reason), hz_refusal_name(HZ_REFUSAL_RULE_ERROR)) == 0) {
    refuse_rule_rows(rpc, r, region, period);
    return 1;
  }
  return hz_rpc_refused(rpc, r, 0);
}
