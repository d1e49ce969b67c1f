/* Unit tests for the JSON input of `huizong submit` (client/cli/
 * jsonvalues.h, jansson underneath): both document shapes and a BOM,
 * integers kept digit for digit, decimals as strings kept verbatim,
 * numbers with a fraction or exponent refused with the advice to quote
 * them, escapes and UTF-8, unknown and repeated keys, wrong types, syntax
 * errors with line and column, entries numbered, and the bulk rows. */
#include "hz_test.h"

#include "jsonvalues.h"
#include "valuesfile.h"

static void parse(const char *text, hz_value_list_t *l, hz_diags_t *d) {
  hz_value_list_init(l);
  hz_diags_init(d);
  HZ_ASSERT_INT_EQ(hz_jsonvalues_parse(text, strlen(text), l, d), 0);
}

/* Fails unless the problems are exactly n, at the given items (0 = the
 * document), each containing its fragment. */
static void expect_problems(hz_diags_t *d, size_t n, const size_t *items,
                            const char *const *fragments) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  hz_diags_print(d, f); /* sorts by position */
  fclose(f);
  if (d->total != n) {
    hz_test_note_("expected %zu problems, got %zu:\n%s", n, d->total, buf);
    free(buf);
    hz_test_abort_();
  }
  for (size_t i = 0; i < n; i++) {
    if (d->items[i].line != items[i] || !strstr(d->items[i].text, fragments[i])) {
      hz_test_note_("problem %zu: want item %zu with \"%s\", got:\n%s", i, items[i], fragments[i],
                    buf);
      free(buf);
      hz_test_abort_();
    }
  }
  free(buf);
}

static void expect_one_problem(const char *text, size_t item, const char *fragment) {
  hz_value_list_t l;
  hz_diags_t d;
  parse(text, &l, &d);
  expect_problems(&d, 1, &item, &fragment);
  hz_value_list_free(&l);
  hz_diags_free(&d);
}

HZ_TEST(json_array_of_entries_numbered) {
  hz_value_list_t l;
  hz_diags_t d;
  parse("[\n"
        "  {\"indicator\": \"fai\", \"value\": \"4.90\", \"comment\": \"同比增长28%\"},\n"
        "  {\"indicator\": \"tax\", \"value\": 848}\n"
        "]\n",
        &l, &d);
  HZ_ASSERT_UINT_EQ(d.total, 0);
  HZ_ASSERT_STR_EQ(d.unit, "item");
  HZ_ASSERT_UINT_EQ(l.n, 2);
  HZ_ASSERT_UINT_EQ(l.items[0].line, 1);
  HZ_ASSERT_STR_EQ(l.items[0].indicator, "fai");
  HZ_ASSERT_STR_EQ(l.items[0].value, "4.90");
  HZ_ASSERT_STR_EQ(l.items[0].comment, "同比增长28%");
  HZ_ASSERT_UINT_EQ(l.items[1].line, 2);
  HZ_ASSERT_STR_EQ(l.items[1].value, "848");
  HZ_ASSERT_STR_EQ(l.items[1].comment, "");
  hz_value_list_free(&l);
  hz_diags_free(&d);
}

HZ_TEST(json_wrapper_object_and_bom) {
  hz_value_list_t l;
  hz_diags_t d;
  parse("\xEF\xBB\xBF{\"values\": [{\"value\": \"1\", \"Indicator\": \"a\", \"comment\": null}]}",
        &l, &d);
  HZ_ASSERT_UINT_EQ(d.total, 0);
  HZ_ASSERT_UINT_EQ(l.n, 1);
  HZ_ASSERT_STR_EQ(l.items[0].indicator, "a");
  HZ_ASSERT_STR_EQ(l.items[0].comment, "");
  hz_value_list_free(&l);
  hz_diags_free(&d);
}

HZ_TEST(json_integers_exact_strings_verbatim) {
  hz_value_list_t l;
  hz_diags_t d;
  parse("[{\"indicator\":\"a\",\"value\":-9007199254740993},"
        "{\"indicator\":\"b\",\"value\":\"12345678901234567890.123456\"},"
        "{\"indicator\":\"c\",\"value\":0},"
        "{\"indicator\":\"d\",\"value\":\" 4,9 \"}]",
        &l, &d);
  HZ_ASSERT_UINT_EQ(d.total, 0);
  HZ_ASSERT_UINT_EQ(l.n, 4);
  /* Beyond a double's 53 bits, yet exact: integers never become doubles. */
  HZ_ASSERT_STR_EQ(l.items[0].value, "-9007199254740993");
  HZ_ASSERT_STR_EQ(l.items[1].value, "12345678901234567890.123456");
  HZ_ASSERT_STR_EQ(l.items[2].value, "0");
  /* The server judges decimals; the reader only carries the text. */
  HZ_ASSERT_STR_EQ(l.items[3].value, " 4,9 ");
  hz_value_list_free(&l);
  hz_diags_free(&d);
}

HZ_TEST(json_fractions_and_exponents_must_be_strings) {
  expect_one_problem("[{\"indicator\":\"a\",\"value\":4.90}]", 1, "write it as a string");
  expect_one_problem("[{\"indicator\":\"a\",\"value\":\"1\"},{\"indicator\":\"b\",\"value\":1e3}]",
                     2, "exponent");
  /* Too big for an integer: the parser's own words, and the way out. */
  expect_one_problem("[{\"indicator\":\"a\",\"value\":123456789012345678901234}]", 0,
                     "write large figures as strings");
}

HZ_TEST(json_string_escapes_and_unicode) {
  hz_value_list_t l;
  hz_diags_t d;
  parse("[{\"indicator\":\"a\",\"value\":\"1\","
        "\"comment\":\"q\\\"b\\\\s\\/n\\nt\\t\\u57ce\\u5173\\ud83d\\ude00\"}]",
        &l, &d);
  HZ_ASSERT_UINT_EQ(d.total, 0);
  HZ_ASSERT_STR_EQ(l.items[0].comment, "q\"b\\s/n\nt\t城关\xF0\x9F\x98\x80");
  hz_value_list_free(&l);
  hz_diags_free(&d);
}

HZ_TEST(json_syntax_errors_name_line_and_column) {
  expect_one_problem("[{\"indicator\":\"a\",\"value\":\"1\",\"comment\":\"\\x\"}]", 0, "line 1");
  expect_one_problem("[{\"indicator\":\"\xB3\xC7\",\"value\":\"1\"}]", 0, "UTF-8");
  expect_one_problem("[\n{\"indicator\":\"a\",\"value\":01}]", 0, "line 2");
  expect_one_problem("", 0, "line 1");
  expect_one_problem("[{\"indicator\":\"a\",\"value\":\"1\"},]", 0, "line 1");
  /* Repeated keys refuse the whole document. */
  expect_one_problem("[{\"indicator\":\"c\",\"value\":\"1\",\"value\":\"2\"}]", 0, "duplicate");
}

HZ_TEST(json_missing_unknown_keys_and_wrong_types) {
  hz_value_list_t l;
  hz_diags_t d;
  parse("[\n"
        "{\"indicator\":\"a\"},\n"                                     /* 1: no value: blank */
        "{\"value\":\"1\"},\n"                                         /* 2: no indicator */
        "{\"indicator\":\"b\",\"valeu\":\"1\",\"value\":\"2\"},\n"     /* 3: unknown key */
        "{\"indicator\":\"c\",\"value\":true},\n"                      /* 4: boolean */
        "{\"indicator\":\"e\",\"value\":\"1\",\"comment\":[\"x\"]},\n" /* 5: array */
        "[\"f\",\"1\"],\n"                                             /* 6: not an object */
        "{\"indicator\":\"ok\",\"value\":\"3\",\"name\":\"说明\"}\n"   /* 7: name ignored */
        "]",
        &l, &d);
  static const size_t items[] = {2, 3, 4, 5, 6};
  /* Item 1 has no value: not reported this time, like a blank cell. */
  static const char *const frags[] = {
      "\"indicator\" is missing", "unknown key \"valeu\"", "\"value\" must be a string or a number",
      "\"comment\" must be a string or a number", "must be an object"};
  expect_problems(&d, 5, items, frags);
  /* The sound entries are kept (a blank value is counted, not kept). */
  HZ_ASSERT_UINT_EQ(l.n, 1);
  HZ_ASSERT_UINT_EQ(l.blank, 1);
  HZ_ASSERT_STR_EQ(l.items[0].indicator, "ok");
  HZ_ASSERT_UINT_EQ(l.items[0].line, 7);
  hz_value_list_free(&l);
  hz_diags_free(&d);
}

HZ_TEST(json_structure_errors) {
  expect_one_problem("\"fai\"", 0, "expected");
  expect_one_problem("{\"values\": [], \"region\": \"x\"}", 0, "array of entries");
  expect_one_problem("{\"vals\": []}", 0, "{\"values\": [...]}");
  expect_one_problem("{\"values\": {}}", 0, "array of entries");
}

HZ_TEST(json_empty_array_is_no_values_without_problems) {
  hz_value_list_t l;
  hz_diags_t d;
  parse(" [ ] ", &l, &d);
  HZ_ASSERT_UINT_EQ(d.total, 0);
  HZ_ASSERT_UINT_EQ(l.n, 0);
  hz_value_list_free(&l);
  hz_diags_free(&d);
}

HZ_TEST(json_bulk_rows_through_the_values_file) {
  const char *text = "{\"rows\": [{\"region\": 420624101, \"period\": \"2022Q1\","
                     " \"indicator\": \"fai\", \"value\": \"4.9\"},"
                     " {\"地区代码\": \"420624102\", \"报告期\": \"2022Q1\","
                     " \"指标代码\": \"tax\", \"本期数值\": \"848\", \"备注\": \"口径\"}]}";
  hz_diags_t d;
  hz_diags_init(&d);
  hz_rows_t rows;
  HZ_ASSERT_INT_EQ(hz_rows_read("t.json", text, strlen(text), HZ_VALUES_JSON, hz_bulk_columns,
                                hz_bulk_ncolumns, &rows, &d, NULL, HZ_LANG_EN),
                   0);
  HZ_ASSERT_UINT_EQ(d.total, 0);
  HZ_ASSERT_UINT_EQ(rows.csv.nrecords, 2);
  const hz_csv_record_t *r = &rows.csv.records[1];
  HZ_ASSERT_STR_EQ(hz_csv_get(&rows.csv.records[0], &rows.layout, HZ_BCOL_REGION), "420624101");
  HZ_ASSERT_STR_EQ(hz_csv_get(r, &rows.layout, HZ_BCOL_REGION), "420624102");
  HZ_ASSERT_STR_EQ(hz_csv_get(r, &rows.layout, HZ_BCOL_INDICATOR), "tax");
  HZ_ASSERT_STR_EQ(hz_csv_get(r, &rows.layout, HZ_BCOL_VALUE), "848");
  HZ_ASSERT_STR_EQ(hz_csv_get(r, &rows.layout, HZ_BCOL_COMMENT), "口径");
  hz_rows_free(&rows);
  hz_diags_free(&d);
}
