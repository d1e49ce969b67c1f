/* Unit tests for the per-connection set of prepared statement names
 * (db/prepared.h): no ceiling, names compared by content, a forgotten
 * name is absent again, clear keeps nothing. */
#include <stdio.h>

#include "db/prepared.h"
#include "hz_test.h"

#define MANY 500

static char names[MANY][16];

HZ_TEST(prepared_set_has_no_ceiling) {
  hz_db_prepared_t s = {0};
  for (int i = 0; i < MANY; i++) {
    snprintf(names[i], sizeof(names[i]), "hz_n%d", i);
    HZ_ASSERT_INT_EQ(hz_db_prepared_add(&s, names[i]), 0);
  }
  HZ_ASSERT_INT_EQ(s.n, MANY);
  for (int i = 0; i < MANY; i++)
    HZ_ASSERT_INT_EQ(hz_db_prepared_has(&s, names[i]), 1);
  HZ_ASSERT_INT_EQ(hz_db_prepared_has(&s, "hz_n500"), 0);
  hz_db_prepared_free(&s);
  HZ_ASSERT_INT_EQ(s.n, 0);
}

HZ_TEST(prepared_set_compares_names_by_content_and_adds_once) {
  hz_db_prepared_t s = {0};
  char copy[16];
  HZ_ASSERT_INT_EQ(hz_db_prepared_add(&s, "hz_submit"), 0);
  snprintf(copy, sizeof(copy), "hz_%s", "submit");
  HZ_ASSERT_INT_EQ(hz_db_prepared_has(&s, copy), 1);
  HZ_ASSERT_INT_EQ(hz_db_prepared_add(&s, copy), 0);
  HZ_ASSERT_INT_EQ(s.n, 1);
  hz_db_prepared_free(&s);
}

HZ_TEST(prepared_set_forget_and_clear) {
  hz_db_prepared_t s = {0};
  hz_db_prepared_add(&s, "a");
  hz_db_prepared_add(&s, "b");
  hz_db_prepared_add(&s, "c");
  hz_db_prepared_forget(&s, "a");
  hz_db_prepared_forget(&s, "zz");
  HZ_ASSERT_INT_EQ(hz_db_prepared_has(&s, "a"), 0);
  HZ_ASSERT_INT_EQ(hz_db_prepared_has(&s, "b"), 1);
  HZ_ASSERT_INT_EQ(hz_db_prepared_has(&s, "c"), 1);
  hz_db_prepared_clear(&s);
  HZ_ASSERT_INT_EQ(hz_db_prepared_has(&s, "b"), 0);
  HZ_ASSERT_INT_EQ(hz_db_prepared_add(&s, "b"), 0);
  HZ_ASSERT_INT_EQ(hz_db_prepared_has(&s, "b"), 1);
  hz_db_prepared_free(&s);
  hz_db_prepared_free(NULL);
}

/* Table rows are marked by id: every row independently, a forgotten row
 * unmarked alone, clear unmarks all; ids and legacy names do not mix. */
HZ_TEST(prepared_ids_are_a_bitmap_of_the_table) {
  hz_db_prepared_t s = {0};
  for (int id = 0; id < HZ_STMT__COUNT; id += 2)
    hz_db_prepared_add_id(&s, (hz_stmt_id_t)id);
  for (int id = 0; id < HZ_STMT__COUNT; id++)
    HZ_ASSERT_INT_EQ(hz_db_prepared_has_id(&s, (hz_stmt_id_t)id), id % 2 == 0);
  hz_db_prepared_add_id(&s, (hz_stmt_id_t)(HZ_STMT__COUNT - 1));
  hz_db_prepared_forget_id(&s, (hz_stmt_id_t)0);
  HZ_ASSERT_INT_EQ(hz_db_prepared_has_id(&s, (hz_stmt_id_t)0), 0);
  HZ_ASSERT_INT_EQ(hz_db_prepared_has_id(&s, (hz_stmt_id_t)(HZ_STMT__COUNT - 1)), 1);
  HZ_ASSERT_INT_EQ(hz_db_prepared_has(&s, hz_stmt_def((hz_stmt_id_t)(HZ_STMT__COUNT - 1))->name), 0);
  hz_db_prepared_clear(&s);
  for (int id = 0; id < HZ_STMT__COUNT; id++)
    HZ_ASSERT_INT_EQ(hz_db_prepared_has_id(&s, (hz_stmt_id_t)id), 0);
  hz_db_prepared_free(&s);
}
