/* Approval state of one township's period, the one definition in C. The
 * numbers are huizong.v1.ApprovalState (api/refusal.c asserts that at
 * compile time) and what SQL's hz_approval_state (migration 010) returns;
 * tests/integration/test_migrate.py compares the two on every input. */
#ifndef HZ_DOMAIN_APPROVAL_H
#define HZ_DOMAIN_APPROVAL_H

typedef enum {
  HZ_APPROVAL_MISSING = 1,   /* nothing submitted for the period yet */
  HZ_APPROVAL_SUBMITTED = 2, /* submitted, not approved: still editable */
  HZ_APPROVAL_APPROVED = 3,  /* approved: submissions are refused until reopened */
} hz_approval_t;

/* The state from whether the report was submitted and whether it is
 * approved (non-zero = yes). Approval wins: an approved report stays
 * APPROVED whatever else is known. */
static inline hz_approval_t hz_approval_state(int submitted, int approved) {
  if (approved)
    return HZ_APPROVAL_APPROVED;
  return submitted ? HZ_APPROVAL_SUBMITTED : HZ_APPROVAL_MISSING;
}

#endif
