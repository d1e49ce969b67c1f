/* Unit tests for the one problem list (api/problems.h): problems are kept
 * in request order as they are added, whatever order the passes find them
 * in (the server's checks, then the database's), stable among problems of
 * one item; past HZ_PROBLEMS_MAX_LISTED the list keeps the first in
 * request order and only the total grows; status and summary follow the
 * listed problems. */
#include <errno.h>
#include <string.h>

#include "api/problems.h"
#include "hz_test.h"

#define MALFORMED HUIZONG__V1__PROBLEM_KIND__PROBLEM_KIND_MALFORMED
#define UNKNOWN   HUIZONG__V1__PROBLEM_KIND__PROBLEM_KIND_UNKNOWN_REFERENCE

static int add(hz_problems_t *p, int index, int kind, const char *reason) {
  return hz_problems_add(p, index, index + 2, kind, "f", NULL, "k", reason);
}

HZ_TEST(problems_request_order_across_passes) {
  hz_arena_t a;
  hz_arena_init(&a, 0);
  hz_problems_t p;
  hz_problems_init(&p, &a);
  /* The server's pass, in row order. */
  HZ_ASSERT_INT_EQ(add(&p, 1, MALFORMED, "s1"), 0);
  HZ_ASSERT_INT_EQ(add(&p, 3, MALFORMED, "s3"), 0);
  HZ_ASSERT_INT_EQ(add(&p, 3, MALFORMED, "s3b"), 0);
  /* The database's pass, in row order; a request-level problem. */
  HZ_ASSERT_INT_EQ(add(&p, 0, UNKNOWN, "d0"), 0);
  HZ_ASSERT_INT_EQ(add(&p, 3, UNKNOWN, "d3"), 0);
  HZ_ASSERT_INT_EQ(add(&p, 5, UNKNOWN, "d5"), 0);
  HZ_ASSERT_INT_EQ(hz_problems_add(&p, -1, 0, MALFORMED, "rows", NULL, NULL, "req"), 0);
  const char *want[] = {"req", "d0", "s1", "s3", "s3b", "d3", "d5"};
  HZ_ASSERT_UINT_EQ(p.n, 7);
  HZ_ASSERT_INT_EQ(p.total, 7);
  for (size_t i = 0; i < p.n; i++)
    HZ_ASSERT_STR_EQ(p.items[i]->reason, want[i]);
  HZ_ASSERT_STR_EQ(p.items[0]->key, ""); /* NULL became "" */
  HZ_ASSERT_INT_EQ(hz_problems_status(&p), HZ_STATUS_INVALID_ARGUMENT);
  hz_arena_free(&a);
}

HZ_TEST(problems_cap_keeps_the_first_in_request_order) {
  hz_arena_t a;
  hz_arena_init(&a, 0);
  hz_problems_t p;
  hz_problems_init(&p, &a);
  /* The server finds more than the cap in rows 10.., then the database
   * finds one in row 2 and one far beyond. */
  for (int i = 0; i < HZ_PROBLEMS_MAX_LISTED + 50; i++)
    HZ_ASSERT_INT_EQ(add(&p, 10 + i, MALFORMED, "s"), 0);
  HZ_ASSERT_UINT_EQ(p.n, HZ_PROBLEMS_MAX_LISTED);
  HZ_ASSERT_INT_EQ(add(&p, 2, UNKNOWN, "d2"), 0);
  HZ_ASSERT_INT_EQ(add(&p, 100000, UNKNOWN, "late"), 0);
  HZ_ASSERT_UINT_EQ(p.n, HZ_PROBLEMS_MAX_LISTED);
  HZ_ASSERT_INT_EQ(p.total, HZ_PROBLEMS_MAX_LISTED + 52);
  HZ_ASSERT_STR_EQ(p.items[0]->reason, "d2");
  HZ_ASSERT_INT_EQ(p.items[0]->line, 4);
  for (size_t i = 1; i < p.n; i++)
    HZ_ASSERT_INT_EQ(p.items[i]->index, 10 + (int)i - 1);
  char *summary = hz_problems_summary(&p);
  HZ_ASSERT_TRUE(summary && strncmp(summary, "1052 problems: line 4: d2; line 12: s", 37) == 0);
  HZ_ASSERT_TRUE(strstr(summary, " more)") != NULL);
  hz_arena_free(&a);
}

HZ_TEST(problems_out_of_memory) {
  hz_arena_t a;
  hz_arena_init(&a, 1); /* no chunk fits */
  hz_problems_t p;
  hz_problems_init(&p, &a);
  HZ_ASSERT_INT_EQ(add(&p, 0, MALFORMED, "x"), -ENOMEM);
  HZ_ASSERT_UINT_EQ(p.n, 0);
  hz_arena_free(&a);
}
