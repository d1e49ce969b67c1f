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
  /* Completeness at a period coarser than the reports (a year of
   * quarterly ones): some expected reports are in, not all. SQL's
   * hz_reporting_state (migration 013) derives it; never a state of one
   * report. */
  HZ_APPROVAL_PARTIAL = 4,
} hz_approval_t;

/* The state from whether the report was submitted and whether it is
 * approved (non-zero = yes). Approval wins: an approved report stays
 * APPROVED whatever else is known. */
static inline hz_approval_t hz_approval_state(int submitted, int approved) {
  if (approved)
    return HZ_APPROVAL_APPROVED;
  return submitted ? HZ_APPROVAL_SUBMITTED : HZ_APPROVAL_MISSING;
}

/* A township's state over several expected reports (Completeness at a
 * period coarser than the reports): MISSING when none is in, PARTIAL when
 * some are, APPROVED when every one is approved, else SUBMITTED. The
 * same rule as SQL's hz_reporting_state (migration 013), which answers
 * Completeness; test_migrate compares the two on small counts. */
static inline hz_approval_t hz_reporting_state(int expected, int reported, int approved) {
  if (reported == 0)
    return HZ_APPROVAL_MISSING;
  if (reported < expected)
    return HZ_APPROVAL_PARTIAL;
  return approved >= expected ? HZ_APPROVAL_APPROVED : HZ_APPROVAL_SUBMITTED;
}

#endif
