/* The one mapping from a database refusal (domain/refusal.h, the SQL enum
 * hz_refusal of migration 010) to a gRPC status. Handlers read a refused
 * row's reason and message and call hz_rpc_refuse; no handler chooses the
 * status of a refusal itself. */
#ifndef HZ_API_REFUSAL_H
#define HZ_API_REFUSAL_H

#include <libpq-fe.h>

#include "domain/refusal.h"
#include "wire/status.h"

struct hz_rpc_s;

/* The status the client gets for r (r < HZ_REFUSAL__COUNT). */
hz_status_code_t hz_refusal_status(hz_refusal_t r);

/* The status for the reason spelled reason, as a refused row carries it.
 * A name this build does not know (a database newer than the binary) is
 * INTERNAL: a defect of the deployment, not of the request. */
hz_status_code_t hz_refusal_status_of(const char *reason);

/* Finishes rpc with hz_refusal_status_of(reason) and message; an unknown
 * reason is logged once, here. */
void hz_rpc_refuse(struct hz_rpc_s *rpc, const char *reason, const char *message);

/* Reads row of r, a result with columns `refusal` (hz_refusal, NULL when
 * the call was not refused) and `message`: returns 1 after finishing rpc
 * with hz_rpc_refuse when the row is a refusal (or with INTERNAL when r
 * lacks either column), 0 to go on. */
int hz_rpc_refused(struct hz_rpc_s *rpc, const PGresult *r, int row);

/* hz_rpc_refused for a result whose refusal may span rows (Approve,
 * migration 015): when row 0 is refused with 'rule_error', every row is
 * one standing ERROR violation (columns message, rule_code,
 * indicator_code) and the call finishes FAILED_PRECONDITION with their
 * ProblemList, RULE_ERROR problems keyed "region/indicator/period". Other
 * refusals as hz_rpc_refused on row 0. */
int hz_rpc_refused_rows(struct hz_rpc_s *rpc, const PGresult *r, const char *region,
                        const char *period);

#endif
