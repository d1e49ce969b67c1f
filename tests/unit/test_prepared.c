/* Unit tests for a connection's record of prepared statements
 * (db/prepared.h): one bit per row of the statement table, every row
 * markable at once (no ceiling below the table), a forgotten row unmarked
 * alone, clear unmarks all; and the pool submits nothing else. */
#include <errno.h>

#include "db/pool.h"
#include "db/prepared.h"
#include "hz_test.h"

/* A connection that has prepared every row: each is marked, none lost. */
HZ_TEST(prepared_holds_every_row_of_the_table) {
  hz_db_prepared_t s = {0};
  for (int id = 0; id < HZ_STMT__COUNT; id++) {
    HZ_ASSERT_INT_EQ(hz_db_prepared_has(&s, (hz_stmt_id_t)id), 0);
    hz_db_prepared_add(&s, (hz_stmt_id_t)id);
  }
  for (int id = 0; id < HZ_STMT__COUNT; id++)
    HZ_ASSERT_INT_EQ(hz_db_prepared_has(&s, (hz_stmt_id_t)id), 1);
}

/* Rows are independent bits: marking one (again) or forgetting one leaves
 * the others as they were, across word boundaries. */
HZ_TEST(prepared_rows_are_independent) {
  hz_db_prepared_t s = {0};
  for (int id = 0; id < HZ_STMT__COUNT; id += 2)
    hz_db_prepared_add(&s, (hz_stmt_id_t)id);
  for (int id = 0; id < HZ_STMT__COUNT; id++)
    HZ_ASSERT_INT_EQ(hz_db_prepared_has(&s, (hz_stmt_id_t)id), id % 2 == 0);
  hz_stmt_id_t last = (hz_stmt_id_t)(HZ_STMT__COUNT - 1);
  hz_db_prepared_add(&s, last);
  hz_db_prepared_add(&s, last);
  hz_db_prepared_forget(&s, (hz_stmt_id_t)0);
  hz_db_prepared_forget(&s, (hz_stmt_id_t)1); /* not marked: no change */
  HZ_ASSERT_INT_EQ(hz_db_prepared_has(&s, (hz_stmt_id_t)0), 0);
  HZ_ASSERT_INT_EQ(hz_db_prepared_has(&s, (hz_stmt_id_t)1), 0);
  HZ_ASSERT_INT_EQ(hz_db_prepared_has(&s, last), 1);
  for (int id = 2; id < HZ_STMT__COUNT - 1; id++)
    HZ_ASSERT_INT_EQ(hz_db_prepared_has(&s, (hz_stmt_id_t)id), id % 2 == 0);
}

HZ_TEST(prepared_clear_unmarks_everything) {
  hz_db_prepared_t s = {0};
  for (int id = 0; id < HZ_STMT__COUNT; id++)
    hz_db_prepared_add(&s, (hz_stmt_id_t)id);
  hz_db_prepared_clear(&s);
  for (int id = 0; id < HZ_STMT__COUNT; id++)
    HZ_ASSERT_INT_EQ(hz_db_prepared_has(&s, (hz_stmt_id_t)id), 0);
  hz_db_prepared_add(&s, (hz_stmt_id_t)0);
  HZ_ASSERT_INT_EQ(hz_db_prepared_has(&s, (hz_stmt_id_t)0), 1);
}

static void never_called(void *data, const hz_db_result_t *res) {
  (void)data;
  (void)res;
}

/* The pool runs table rows only: an id outside the table, or a row with
 * parameters and no values, is refused at submit (before, the first was
 * read past the table's end and the second read through NULL when the
 * job was sent). The pool is never started: argument checks come first. */
HZ_TEST(pool_submit_refuses_what_the_table_does_not_declare) {
  hz_db_pool_t pool = {0};
  hz_db_stmt_t outside = {.id = (hz_stmt_id_t)HZ_STMT__COUNT};
  hz_db_stmt_t no_values = {.id = HZ_STMT_SCOPE_CHECK};
  hz_db_stmt_t negative = {.id = (hz_stmt_id_t)-1};
  HZ_ASSERT_INT_EQ(hz_db_pool_submit(&pool, &outside, 1, never_called, NULL, NULL), -EINVAL);
  HZ_ASSERT_INT_EQ(hz_db_pool_submit(&pool, &negative, 1, never_called, NULL, NULL), -EINVAL);
  HZ_ASSERT_INT_EQ(hz_db_pool_submit(&pool, &no_values, 1, never_called, NULL, NULL), -EINVAL);
}
