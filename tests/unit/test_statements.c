/* The statement table (db/statements.h): every row's SQL uses exactly the
 * parameters it declares, names are unique, columns are well-formed. */
#include <string.h>

#include "db/statements.h"
#include "hz_test.h"

HZ_TEST(table_rows_are_well_formed) {
  char err[256] = "";
  int r = hz_stmt_table_check(err, sizeof(err));
  if (r)
    fprintf(stderr, "# %s\n", err);
  HZ_ASSERT_INT_EQ(r, 0);
}

HZ_TEST(names_are_unique_and_match_ids) {
  for (int i = 0; i < HZ_STMT__COUNT; i++) {
    const hz_stmt_def_t *a = hz_stmt_def((hz_stmt_id_t)i);
    HZ_ASSERT_TRUE(a->name && a->name[0]);
    for (int j = i + 1; j < HZ_STMT__COUNT; j++)
      HZ_ASSERT_TRUE(strcmp(a->name, hz_stmt_def((hz_stmt_id_t)j)->name) != 0);
  }
}

HZ_TEST(scaffold_rows_are_present) {
  HZ_ASSERT_STR_EQ(hz_stmt_def(HZ_STMT_TOKEN_LIVE)->name, "TOKEN_LIVE");
  HZ_ASSERT_INT_EQ(hz_stmt_def(HZ_STMT_SCOPE_CHECK)->nparams, 2);
  HZ_ASSERT_STR_EQ(hz_stmt_def(HZ_STMT_SCOPE_CHECK)->columns, "known in_scope");
}
