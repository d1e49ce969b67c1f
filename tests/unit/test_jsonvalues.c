/* Unit tests for the strict JSON values reader of `huizong submit`
 * (client/cli/jsonvalues.h): both document shapes, numbers kept verbatim
 * ("4.90" stays "4.90", never via a double), exponents refused, string
 * escapes and UTF-8, unknown/repeated keys, wrong value types, nesting
 * and syntax errors, and the line of every entry and problem. */
#include "hz_test.h"

#include "jsonvalues.h"

static void parse(const char *text, hz_value_list_t *l, hz_diags_t *d) {
  hz_value_list_init(l);
  hz_diags_init(d);
  HZ_ASSERT_INT_EQ(hz_jsonvalues_parse(text, strlen(text), l, d), 0);
}

/* Fails unless the problems are exactly the expected lines, each text
 * containing its expected fragment. */
static void expect_problems(hz_diags_t *d, size_t n, const size_t *lines,
                            const char *const *fragments) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  hz_diags_print(d, f); /* sorts by line */
  fclose(f);
  if (d->total != n) {
    hz_test_note_("expected %zu problems, got %zu:\n%s", n, d->total, buf);
    free(buf);
    hz_test_abort_();
  }
  for (size_t i = 0; i < n; i++) {
    if (d->items[i].line != lines[i] || !strstr(d->items[i].text, fragments[i])) {
      hz_test_note_("problem %zu: want line %zu with \"%s\", got:\n%s", i, lines[i], fragments[i],
                    buf);
      free(buf);
      hz_test_abort_();
    }
  }
  free(buf);
}

static void expect_one_problem(const char *text, size_t line, const char *fragment) {
  hz_value_list_t l;
  hz_diags_t d;
  parse(text, &l, &d);
  expect_problems(&d, 1, &line, &fragment);
  hz_value_list_free(&l);
  hz_diags_free(&d);
}

HZ_TEST(json_array_of_entries) {
  hz_value_list_t l;
  hz_diags_t d;
  parse("[\n"
        "  {\"indicator\": \"fai\", \"value\": \"4.9\", \"comment\": \"同比增长28%\"},\n"
        "  {\"indicator\": \"tax\", \"value\": 848}\n"
        "]\n",
        &l, &d);
  HZ_ASSERT_UINT_EQ(d.total, 0);
  HZ_ASSERT_UINT_EQ(l.n, 2);
  HZ_ASSERT_UINT_EQ(l.items[0].line, 2);
  HZ_ASSERT_STR_EQ(l.items[0].indicator, "fai");
  HZ_ASSERT_STR_EQ(l.items[0].value, "4.9");
  HZ_ASSERT_STR_EQ(l.items[0].comment, "同比增长28%");
  HZ_ASSERT_UINT_EQ(l.items[1].line, 3);
  HZ_ASSERT_STR_EQ(l.items[1].value, "848");
  HZ_ASSERT_STR_EQ(l.items[1].comment, "");
  hz_value_list_free(&l);
  hz_diags_free(&d);
}

HZ_TEST(json_wrapper_object_and_bom) {
  hz_value_list_t l;
  hz_diags_t d;
  parse("\xEF\xBB\xBF{\"values\": [{\"value\": \"1\", \"indicator\": \"a\", \"comment\": null}]}",
        &l, &d);
  HZ_ASSERT_UINT_EQ(d.total, 0);
  HZ_ASSERT_UINT_EQ(l.n, 1);
  HZ_ASSERT_STR_EQ(l.items[0].indicator, "a");
  HZ_ASSERT_STR_EQ(l.items[0].comment, "");
  hz_value_list_free(&l);
  hz_diags_free(&d);
}

HZ_TEST(json_numbers_are_kept_verbatim) {
  hz_value_list_t l;
  hz_diags_t d;
  parse("[{\"indicator\":\"a\",\"value\":4.90},"
        "{\"indicator\":\"b\",\"value\":-0.000001},"
        "{\"indicator\":\"c\",\"value\":12345678901234567890.123456},"
        "{\"indicator\":\"d\",\"value\":0},"
        "{\"indicator\":\"e\",\"value\":0.1}]",
        &l, &d);
  HZ_ASSERT_UINT_EQ(d.total, 0);
  HZ_ASSERT_UINT_EQ(l.n, 5);
  HZ_ASSERT_STR_EQ(l.items[0].value, "4.90");
  HZ_ASSERT_STR_EQ(l.items[1].value, "-0.000001");
  /* Far beyond a double's 17 significant digits, yet exact. */
  HZ_ASSERT_STR_EQ(l.items[2].value, "12345678901234567890.123456");
  HZ_ASSERT_STR_EQ(l.items[3].value, "0");
  HZ_ASSERT_STR_EQ(l.items[4].value, "0.1");
  hz_value_list_free(&l);
  hz_diags_free(&d);
}

HZ_TEST(json_string_values_are_not_interpreted) {
  hz_value_list_t l;
  hz_diags_t d;
  /* The server judges decimals; the reader only carries the text. */
  parse("[{\"indicator\":\"a\",\"value\":\" 4,9 \"}]", &l, &d);
  HZ_ASSERT_UINT_EQ(d.total, 0);
  HZ_ASSERT_STR_EQ(l.items[0].value, " 4,9 ");
  hz_value_list_free(&l);
  hz_diags_free(&d);
}

HZ_TEST(json_exponent_is_refused) {
  expect_one_problem("[{\"indicator\":\"a\",\"value\":1e3}]", 1, "exponent");
  expect_one_problem("[\n{\"indicator\":\"a\",\n\"value\":4.9E-2}]", 3, "exponent");
}

HZ_TEST(json_malformed_numbers_are_syntax_errors) {
  expect_one_problem("[{\"indicator\":\"a\",\"value\":01}]", 1, "leading zeros");
  expect_one_problem("[{\"indicator\":\"a\",\"value\":1.}]", 1, "decimal point");
  expect_one_problem("[{\"indicator\":\"a\",\"value\":-}]", 1, "malformed number");
  expect_one_problem("[{\"indicator\":\"a\",\"value\":+1}]", 1, "expected a value");
  expect_one_problem("[{\"indicator\":\"a\",\"value\":.5}]", 1, "expected a value");
  expect_one_problem("[{\"indicator\":\"a\",\"value\":4.9x}]", 1, "expected ',' or '}'");
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

HZ_TEST(json_bad_strings) {
  expect_one_problem("[{\"indicator\":\"a\",\"value\":\"1\",\"comment\":\"\\x\"}]", 1,
                     "invalid escape");
  expect_one_problem("[{\"indicator\":\"a\",\"value\":\"1\",\"comment\":\"\\ud800\"}]", 1,
                     "high surrogate");
  expect_one_problem("[{\"indicator\":\"a\",\"value\":\"1\",\"comment\":\"\\udc00\"}]", 1,
                     "lone low surrogate");
  expect_one_problem("[{\"indicator\":\"a\",\"value\":\"1\",\"comment\":\"\\u0000\"}]", 1,
                     "\\u0000");
  expect_one_problem("[{\"indicator\":\"a\",\"value\":\"1\",\"comment\":\"two\nlines\"}]", 1,
                     "control character");
  expect_one_problem("[{\"indicator\":\"\xB3\xC7\",\"value\":\"1\"}]", 1, "UTF-8");
  expect_one_problem("[{\"indicator\":\"a\",\"value\":\"1}]", 1, "never ends");
}

HZ_TEST(json_missing_unknown_and_repeated_keys) {
  hz_value_list_t l;
  hz_diags_t d;
  parse("[\n"
        "{\"indicator\":\"a\"},\n"                                 /* 2: no value */
        "{\"value\":\"1\"},\n"                                     /* 3: no indicator */
        "{\"indicator\":\"b\",\"valeu\":\"1\",\"value\":\"2\"},\n" /* 4: unknown key */
        "{\"indicator\":\"c\",\"value\":\"1\",\"value\":\"2\"},\n" /* 5: repeated */
        "{\"indicator\":\"\",\"value\":\"\"},\n"                   /* 6: both empty */
        "{\"indicator\":\"ok\",\"value\":\"3\"}\n"
        "]",
        &l, &d);
  static const size_t lines[] = {2, 3, 4, 5, 6, 6};
  static const char *const frags[] = {"no \"value\"",           "no \"indicator\"",
                                      "unknown key \"valeu\"",  "appears twice",
                                      "\"indicator\" is empty", "\"value\" is empty"};
  expect_problems(&d, 6, lines, frags);
  /* Only the sound entry is kept; the command sends nothing anyway. */
  HZ_ASSERT_UINT_EQ(l.n, 1);
  HZ_ASSERT_STR_EQ(l.items[0].indicator, "ok");
  HZ_ASSERT_UINT_EQ(l.items[0].line, 7);
  hz_value_list_free(&l);
  hz_diags_free(&d);
}

HZ_TEST(json_wrong_types_and_nesting) {
  hz_value_list_t l;
  hz_diags_t d;
  parse("[\n"
        "{\"indicator\":\"a\",\"value\":{\"x\":[1,2,{\"y\":null}]}},\n" /* 2 */
        "{\"indicator\":7,\"value\":\"1\"},\n"                          /* 3 */
        "{\"indicator\":\"c\",\"value\":true},\n"                       /* 4 */
        "{\"indicator\":\"d\",\"value\":null},\n"                       /* 5 */
        "{\"indicator\":\"e\",\"value\":\"1\",\"comment\":[\"x\"]},\n"  /* 6 */
        "[\"f\",\"1\"],\n"                                              /* 7 */
        "\"g\"\n"                                                       /* 8 */
        "]",
        &l, &d);
  static const size_t lines[] = {2, 3, 4, 5, 6, 7, 8};
  static const char *const frags[] = {"\"value\" must be a string or a number, not an object",
                                      "\"indicator\" must be a string, not a number",
                                      "\"value\" must be a string or a number, not true/false",
                                      "\"value\" must be a string or a number, not null",
                                      "\"comment\" must be a string or null, not an array",
                                      "expected an entry",
                                      "expected an entry"};
  expect_problems(&d, 7, lines, frags);
  HZ_ASSERT_UINT_EQ(l.n, 0);
  hz_value_list_free(&l);
  hz_diags_free(&d);
}

HZ_TEST(json_nesting_depth_is_bounded) {
  char text[400];
  size_t n = (size_t)snprintf(text, sizeof(text), "[{\"indicator\":\"a\",\"value\":");
  for (int i = 0; i < 40; i++)
    text[n++] = '[';
  for (int i = 0; i < 40; i++)
    text[n++] = ']';
  snprintf(text + n, sizeof(text) - n, "}]");
  hz_value_list_t l;
  hz_diags_t d;
  parse(text, &l, &d);
  /* The wrong type is reported, then the skipper stops at its limit. */
  HZ_ASSERT_UINT_EQ(d.total, 2);
  HZ_ASSERT_TRUE(strstr(d.items[1].text, "nested deeper") != NULL);
  hz_value_list_free(&l);
  hz_diags_free(&d);
}

HZ_TEST(json_structure_errors) {
  expect_one_problem("", 1, "empty");
  expect_one_problem("  \n ", 2, "empty");
  expect_one_problem("\"fai\"", 1, "expected an array of entries");
  expect_one_problem("[{\"indicator\":\"a\",\"value\":\"1\"}", 1, "expected ',' or ']'");
  expect_one_problem("[{\"indicator\":\"a\",\"value\":\"1\"},]", 1, "expected an entry");
  expect_one_problem("[{\"indicator\":\"a\" \"value\":\"1\"}]", 1, "expected ',' or '}'");
  expect_one_problem("[{\"indicator\":\"a\",\"value\":\"1\"}]\n]", 2, "after the end");
  expect_one_problem("[{indicator:\"a\"}]", 1, "key in double quotes");
  expect_one_problem("{\"values\": [], \"region\": \"x\"}", 1, "unknown key \"region\"");
  {
    hz_value_list_t l;
    hz_diags_t d;
    parse("{\"vals\": []}", &l, &d);
    static const size_t lines[] = {1, 1};
    static const char *const frags[] = {"unknown key \"vals\"", "no \"values\" array"};
    expect_problems(&d, 2, lines, frags);
    hz_value_list_free(&l);
    hz_diags_free(&d);
  }
  expect_one_problem("{\"values\": {}}", 1, "must be an array");
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

HZ_TEST(json_syntax_error_reports_column) {
  hz_value_list_t l;
  hz_diags_t d;
  parse("[\n  {\"indicator\":\"城关\",\"value\":\"1\"} x]", &l, &d);
  HZ_ASSERT_UINT_EQ(d.total, 1);
  HZ_ASSERT_UINT_EQ(d.items[0].line, 2);
  /* Columns count characters, not bytes: 城关 are two. */
  HZ_ASSERT_TRUE(strstr(d.items[0].text, "column 34") != NULL);
  hz_value_list_free(&l);
  hz_diags_free(&d);
}
