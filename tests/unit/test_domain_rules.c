/* Unit tests of the domain facts shared with SQL: roles (domain/role.h),
 * refusal reasons (domain/refusal.h, api/refusal.h), approval states
 * (domain/approval.h). test_migrate's DomainFactsTest compares the same
 * tables with a migrated database. */
#include <errno.h>

#include "api/refusal.h"
#include "domain/approval.h"
#include "domain/role.h"
#include "hz_test.h"

HZ_TEST(role_names_round_trip) {
  for (int r = HZ_ROLE_FIRST; r <= HZ_ROLE_LAST; r++) {
    hz_role_t back;
    HZ_ASSERT_INT_EQ(hz_role_parse(hz_role_name(r), &back), 0);
    HZ_ASSERT_INT_EQ((int)back, r);
  }
  HZ_ASSERT_STR_EQ(hz_role_name(HZ_ROLE_TOWNSHIP), "township");
  HZ_ASSERT_STR_EQ(hz_role_name(0), "unknown");
  HZ_ASSERT_STR_EQ(hz_role_name(HZ_ROLE_LAST + 1), "unknown");
}

HZ_TEST(role_parse_refuses_other_spellings) {
  hz_role_t r;
  HZ_ASSERT_INT_EQ(hz_role_parse("Admin", &r), -EINVAL);
  HZ_ASSERT_INT_EQ(hz_role_parse("unknown", &r), -EINVAL);
  HZ_ASSERT_INT_EQ(hz_role_parse("", &r), -EINVAL);
  HZ_ASSERT_INT_EQ(hz_role_parse(NULL, &r), -EINVAL);
}

HZ_TEST(every_refusal_parses_and_maps_to_a_request_status) {
  for (int i = 0; i < HZ_REFUSAL__COUNT; i++) {
    hz_refusal_t r;
    HZ_ASSERT_INT_EQ(hz_refusal_parse(hz_refusal_name((hz_refusal_t)i), &r), 0);
    HZ_ASSERT_INT_EQ((int)r, i);
    hz_status_code_t s = hz_refusal_status(r);
    HZ_ASSERT_TRUE(s != HZ_STATUS_OK && s != HZ_STATUS_INTERNAL && s != HZ_STATUS_UNKNOWN);
  }
  HZ_ASSERT_INT_EQ(hz_refusal_status_of("unknown_region"), HZ_STATUS_NOT_FOUND);
  HZ_ASSERT_INT_EQ(hz_refusal_status_of("outside_scope"), HZ_STATUS_PERMISSION_DENIED);
  HZ_ASSERT_INT_EQ(hz_refusal_status_of("id_reused"), HZ_STATUS_ALREADY_EXISTS);
  /* A reason from a newer database is the deployment's defect. */
  HZ_ASSERT_INT_EQ(hz_refusal_status_of("no_such_reason"), HZ_STATUS_INTERNAL);
}

HZ_TEST(approval_state_from_report_times) {
  HZ_ASSERT_INT_EQ(hz_approval_state(0, 0), HZ_APPROVAL_MISSING);
  HZ_ASSERT_INT_EQ(hz_approval_state(1, 0), HZ_APPROVAL_SUBMITTED);
  HZ_ASSERT_INT_EQ(hz_approval_state(1, 1), HZ_APPROVAL_APPROVED);
  HZ_ASSERT_INT_EQ(hz_approval_state(0, 1), HZ_APPROVAL_APPROVED);
}

/* The lifecycles assert their transitions (api/rpc.c); a test build that
 * compiled them out would check nothing (meson.build: b_ndebug=false). */
HZ_TEST(asserts_are_compiled_in) {
#ifdef NDEBUG
  HZ_ASSERT_TRUE(!"NDEBUG is defined in a test build");
#endif
}
