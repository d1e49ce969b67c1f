/* Why the database refused a call: the closed set of reasons that the
 * enum hz_refusal holds (created by migration 010, extended by 011, 013 and 015), in
 * the same spelling. The database states the fact; api/refusal.c decides
 * the gRPC status, once. tests/integration/test_migrate.py checks that
 * this list and the SQL enum name the same reasons in the same order.
 * Adding a reason: `ALTER TYPE hz_refusal ADD VALUE` in a new migration
 * (appended, so order is kept), a row at the end here, a case in
 * api/refusal.c's switch. */
#ifndef HZ_DOMAIN_REFUSAL_H
#define HZ_DOMAIN_REFUSAL_H

/* X(ID, "sql name") for every reason, in the enum's order. */
#define HZ_REFUSALS(X)                          \
  X(UNKNOWN_REGION, "unknown_region")           \
  X(OUTSIDE_SCOPE, "outside_scope")             \
  X(NOT_TOWNSHIP, "not_township")               \
  X(NOTHING_SUBMITTED, "nothing_submitted")     \
  X(ID_REUSED, "id_reused")                     \
  X(APPROVED, "approved")                       \
  X(WINDOW_CLOSED, "window_closed")             \
  X(ROLE_LEVEL_MISMATCH, "role_level_mismatch") \
  X(NAME_TAKEN, "name_taken")                   \
  X(UNKNOWN_TOKEN, "unknown_token")             \
  X(NAME_AMBIGUOUS, "name_ambiguous")           \
  X(NOT_STARTED, "not_started")                 \
  X(RULE_ERROR, "rule_error")

typedef enum {
#define HZ_REFUSAL_ENUM(id, name) HZ_REFUSAL_##id,
  HZ_REFUSALS(HZ_REFUSAL_ENUM)
#undef HZ_REFUSAL_ENUM
      HZ_REFUSAL__COUNT
} hz_refusal_t;

/* The SQL spelling of r; r must be < HZ_REFUSAL__COUNT. */
const char *hz_refusal_name(hz_refusal_t r);

/* The reason spelled name (as PostgreSQL prints the enum). Returns 0 or
 * -EINVAL for a name this build does not know (a newer database). */
int hz_refusal_parse(const char *name, hz_refusal_t *r);

#endif
