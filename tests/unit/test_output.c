/* Unit tests for the CLI output module (client/cli/output.h): UTF-8
 * decoding, display widths of CJK and other wide text, numeric detection,
 * the aligned text table, CSV quoting (RFC 4180) and JSON escaping. */
#include "hz_test.h"
#include "output.h"

/* Renders t in fmt into a malloc'd string. */
static char *render(const hz_table_t *t, hz_format_t fmt) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  HZ_ASSERT_TRUE(f != NULL);
  hz_out_t o;
  hz_out_init(&o, fmt, f, stderr);
  HZ_ASSERT_INT_EQ(hz_out_table(&o, t), 0);
  fclose(f);
  return buf;
}

static void expect_render(const hz_table_t *t, hz_format_t fmt, const char *want) {
  char *got = render(t, fmt);
  HZ_ASSERT_STR_EQ(got, want);
  free(got);
}

HZ_TEST(utf8_decode_valid_sequences) {
  uint32_t cp;
  HZ_ASSERT_UINT_EQ(hz_utf8_decode_lossy((const unsigned char *)"A", 1, &cp), 1);
  HZ_ASSERT_UINT_EQ(cp, 0x41);
  HZ_ASSERT_UINT_EQ(hz_utf8_decode_lossy((const unsigned char *)"\xC3\xA9", 2, &cp), 2);
  HZ_ASSERT_UINT_EQ(cp, 0xE9);
  HZ_ASSERT_UINT_EQ(hz_utf8_decode_lossy((const unsigned char *)"南", 3, &cp), 3);
  HZ_ASSERT_UINT_EQ(cp, 0x5357);
  HZ_ASSERT_UINT_EQ(hz_utf8_decode_lossy((const unsigned char *)"\xF0\xA0\x80\x80", 4, &cp), 4);
  HZ_ASSERT_UINT_EQ(cp, 0x20000);
}

HZ_TEST(utf8_decode_rejects_malformed_input) {
  uint32_t cp;
  /* overlong '/', a UTF-16 surrogate, past U+10FFFF, a stray continuation
   * byte, and a sequence cut short by the end of the buffer */
  static const char *const bad[] = {"\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\x80",
                                    "\xE5\x8D"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    cp = 0;
    HZ_ASSERT_UINT_EQ(hz_utf8_decode_lossy((const unsigned char *)bad[i], strlen(bad[i]), &cp), 1);
    HZ_ASSERT_UINT_EQ(cp, 0xFFFD);
  }
}

HZ_TEST(display_width_counts_wide_characters_twice) {
  HZ_ASSERT_UINT_EQ(hz_display_width(""), 0);
  HZ_ASSERT_UINT_EQ(hz_display_width("abc"), 3);
  HZ_ASSERT_UINT_EQ(hz_display_width("南漳县"), 6);
  HZ_ASSERT_UINT_EQ(hz_display_width("4.9亿元"), 7);
  HZ_ASSERT_UINT_EQ(hz_display_width("，。、《》"), 10);      /* CJK punctuation */
  HZ_ASSERT_UINT_EQ(hz_display_width("ＡＢ％"), 6);           /* fullwidth forms */
  HZ_ASSERT_UINT_EQ(hz_display_width("한국"), 4);             /* Hangul */
  HZ_ASSERT_UINT_EQ(hz_display_width("カナ"), 4);             /* Katakana */
  HZ_ASSERT_UINT_EQ(hz_display_width("\xF0\xA0\x80\x80"), 2); /* CJK ext. B */
  HZ_ASSERT_UINT_EQ(hz_display_width("\xF0\x9F\x98\x80"), 2); /* emoji */
}

HZ_TEST(display_width_of_narrow_zero_and_odd_characters) {
  HZ_ASSERT_UINT_EQ(hz_display_width("e\xCC\x81"), 1); /* e + combining acute */
  HZ_ASSERT_UINT_EQ(hz_display_width("a\xE2\x80\x8B"
                                     "b"),
                    2);                           /* zero-width space */
  HZ_ASSERT_UINT_EQ(hz_display_width("°±×"), 3);  /* ambiguous: narrow */
  HZ_ASSERT_UINT_EQ(hz_display_width("ｱ"), 1);    /* halfwidth katakana */
  HZ_ASSERT_UINT_EQ(hz_display_width("a\tb"), 3); /* controls print as one blank */
  HZ_ASSERT_UINT_EQ(hz_display_width("\xFF"
                                     "a"),
                    2);                            /* invalid byte prints as U+FFFD */
  HZ_ASSERT_INT_EQ(hz_codepoint_width(0x3000), 2); /* ideographic space */
  HZ_ASSERT_INT_EQ(hz_codepoint_width(0x303F), 1); /* half fill space is narrow */
  HZ_ASSERT_INT_EQ(hz_codepoint_width(0xFF61), 1); /* halfwidth forms start */
}

HZ_TEST(numeric_cells_are_recognised) {
  static const char *const yes[] = {"0", "12", "-4.90", "+.5", "3.", "54.71%", "-0.01%"};
  static const char *const no[] = {"",    "-",   ".",     "%",   "1e5",  "1,000",
                                   "abc", "12a", "4.9亿", "--1", "1.2.3"};
  for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
    HZ_ASSERT_TRUE(hz_looks_numeric(yes[i]));
  for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
    HZ_ASSERT_FALSE(hz_looks_numeric(no[i]));
}

HZ_TEST(format_names_parse) {
  hz_format_t f = HZ_FORMAT_JSON;
  HZ_ASSERT_INT_EQ(hz_format_parse("table", &f), 0);
  HZ_ASSERT_INT_EQ(f, HZ_FORMAT_TABLE);
  HZ_ASSERT_INT_EQ(hz_format_parse("csv", &f), 0);
  HZ_ASSERT_INT_EQ(f, HZ_FORMAT_CSV);
  HZ_ASSERT_INT_EQ(hz_format_parse("json", &f), 0);
  HZ_ASSERT_INT_EQ(f, HZ_FORMAT_JSON);
  HZ_ASSERT_INT_EQ(hz_format_parse("xlsx", &f), 0);
  HZ_ASSERT_INT_EQ(f, HZ_FORMAT_XLSX);
  HZ_ASSERT_INT_EQ(hz_format_parse("JSON", &f), 0); /* case does not matter */
  HZ_ASSERT_INT_EQ(f, HZ_FORMAT_JSON);
  HZ_ASSERT_INT_EQ(hz_format_parse("xml", &f), -1);
  HZ_ASSERT_INT_EQ(hz_format_parse(NULL, &f), -1);
}

/* A small rollup-like result with Chinese names and an absent value. */
static void sample_table(hz_table_t *t) {
  static const char *const cols[] = {"region", "name", "value"};
  static const char *const r1[] = {"420624", "南漳县", "4.9"};
  static const char *const r2[] = {"420624101", "城关镇", "1234.56"};
  static const char *const r3[] = {"x", "Ab", NULL};
  HZ_ASSERT_INT_EQ(hz_table_init(t, 3, cols), 0);
  HZ_ASSERT_INT_EQ(hz_table_add_row(t, r1), 0);
  HZ_ASSERT_INT_EQ(hz_table_add_row(t, r2), 0);
  HZ_ASSERT_INT_EQ(hz_table_add_row(t, r3), 0);
}

HZ_TEST(table_aligns_cjk_by_display_width) {
  hz_table_t t;
  sample_table(&t);
  /* region: 9 columns, left (a code is text: no separators); name: 6
   * columns (3 wide characters), left; value: a figure, right-aligned
   * with a thousands separator, under its English label; no line ends in
   * blanks. */
  expect_render(&t, HZ_FORMAT_TABLE,
                "region     name    this period\n"
                "---------  ------  -----------\n"
                "420624     南漳县          4.9\n"
                "420624101  城关镇     1,234.56\n"
                "x          Ab\n");
  hz_table_free(&t);
}

HZ_TEST(table_columns_line_up_in_display_columns) {
  static const char *const cols[] = {"指标", "unit", "n"};
  static const char *const r1[] = {"固定资产投资", "亿元", "12"};
  static const char *const r2[] = {"tax", "万元", "848"};
  static const char *const r3[] = {"生猪出栏", "头", "160000"};
  hz_table_t t;
  HZ_ASSERT_INT_EQ(hz_table_init(&t, 3, cols), 0);
  HZ_ASSERT_INT_EQ(hz_table_add_row(&t, r1), 0);
  HZ_ASSERT_INT_EQ(hz_table_add_row(&t, r2), 0);
  HZ_ASSERT_INT_EQ(hz_table_add_row(&t, r3), 0);
  char *out = render(&t, HZ_FORMAT_TABLE);
  /* Every line has the same display width, since the last column is
   * right-aligned and fully populated. */
  char *line = out;
  size_t lines = 0;
  while (*line) {
    char *nl = strchr(line, '\n');
    HZ_ASSERT_TRUE(nl != NULL);
    *nl = '\0';
    HZ_ASSERT_UINT_EQ(hz_display_width(line), 12 + 2 + 4 + 2 + 6);
    line = nl + 1;
    lines++;
  }
  HZ_ASSERT_UINT_EQ(lines, 5);
  free(out);
  hz_table_free(&t);
}

HZ_TEST(table_alignment_can_be_forced) {
  static const char *const cols[] = {"code", "v"};
  static const char *const r1[] = {"1", "x"};
  static const char *const r2[] = {"100", "yy"};
  hz_table_t t;
  HZ_ASSERT_INT_EQ(hz_table_init(&t, 2, cols), 0);
  HZ_ASSERT_INT_EQ(hz_table_add_row(&t, r1), 0);
  HZ_ASSERT_INT_EQ(hz_table_add_row(&t, r2), 0);
  hz_table_set_align(&t, 0, HZ_ALIGN_LEFT);
  hz_table_set_align(&t, 1, HZ_ALIGN_RIGHT);
  expect_render(&t, HZ_FORMAT_TABLE,
                "code   v\n"
                "----  --\n"
                "1      x\n"
                "100   yy\n");
  hz_table_free(&t);
}

HZ_TEST(table_replaces_controls_and_invalid_bytes) {
  static const char *const cols[] = {"a", "b"};
  static const char *const r1[] = {"x\ny", "\xFF"};
  hz_table_t t;
  HZ_ASSERT_INT_EQ(hz_table_init(&t, 2, cols), 0);
  HZ_ASSERT_INT_EQ(hz_table_add_row(&t, r1), 0);
  expect_render(&t, HZ_FORMAT_TABLE,
                "a    b\n"
                "---  -\n"
                "x y  \xEF\xBF\xBD\n");
  hz_table_free(&t);
}

HZ_TEST(csv_quotes_per_rfc4180) {
  static const char *const cols[] = {"plain", "comma", "quote", "newline", "absent", "cjk"};
  static const char *const r1[] = {"a b", "a,b", "say \"hi\"", "l1\nl2", NULL, "南漳县"};
  static const char *const r2[] = {"", "cr\r", "\"", " x ", "", "4.90"};
  hz_table_t t;
  HZ_ASSERT_INT_EQ(hz_table_init(&t, 6, cols), 0);
  HZ_ASSERT_INT_EQ(hz_table_add_row(&t, r1), 0);
  HZ_ASSERT_INT_EQ(hz_table_add_row(&t, r2), 0);
  expect_render(&t, HZ_FORMAT_CSV,
                "plain,comma,quote,newline,absent,cjk\r\n"
                "a b,\"a,b\",\"say \"\"hi\"\"\",\"l1\nl2\",,南漳县\r\n"
                ",\"cr\r\",\"\"\"\", x ,,4.90\r\n");
  hz_table_free(&t);
}

HZ_TEST(csv_of_an_empty_result_is_the_header) {
  static const char *const cols[] = {"a", "b,c"};
  hz_table_t t;
  HZ_ASSERT_INT_EQ(hz_table_init(&t, 2, cols), 0);
  expect_render(&t, HZ_FORMAT_CSV, "a,\"b,c\"\r\n");
  hz_table_free(&t);
}

HZ_TEST(json_escapes_strings_and_writes_null) {
  static const char *const cols[] = {"k\"ey", "v"};
  static const char *const r1[] = {"a\"b\\c/d", "\n\t\r\b\f\x01\x1f"};
  static const char *const r2[] = {"南漳县 4.9亿元", NULL};
  static const char *const r3[] = {"bad\xFFz", "\xE2\x80\xA8"};
  hz_table_t t;
  HZ_ASSERT_INT_EQ(hz_table_init(&t, 2, cols), 0);
  HZ_ASSERT_INT_EQ(hz_table_add_row(&t, r1), 0);
  HZ_ASSERT_INT_EQ(hz_table_add_row(&t, r2), 0);
  HZ_ASSERT_INT_EQ(hz_table_add_row(&t, r3), 0);
  expect_render(&t, HZ_FORMAT_JSON,
                "[\n"
                "  {\"k\\\"ey\": \"a\\\"b\\\\c/d\", \"v\": \"\\n\\t\\r\\b\\f\\u0001\\u001F\"},\n"
                "  {\"k\\\"ey\": \"南漳县 4.9亿元\", \"v\": null},\n"
                "  {\"k\\\"ey\": \"bad\xEF\xBF\xBDz\", \"v\": \"\xE2\x80\xA8\"}\n"
                "]\n");
  hz_table_free(&t);
}

HZ_TEST(json_of_an_empty_result_is_an_empty_array) {
  static const char *const cols[] = {"a"};
  hz_table_t t;
  HZ_ASSERT_INT_EQ(hz_table_init(&t, 1, cols), 0);
  expect_render(&t, HZ_FORMAT_JSON, "[]\n");
  hz_table_free(&t);
}

HZ_TEST(values_stay_exact_strings_in_every_format) {
  static const char *const cols[] = {"value"};
  static const char *const r1[] = {"12345678901234567890.123456"};
  hz_table_t t;
  HZ_ASSERT_INT_EQ(hz_table_init(&t, 1, cols), 0);
  HZ_ASSERT_INT_EQ(hz_table_add_row(&t, r1), 0);
  expect_render(&t, HZ_FORMAT_JSON, "[\n  {\"value\": \"12345678901234567890.123456\"}\n]\n");
  expect_render(&t, HZ_FORMAT_CSV, "value\r\n12345678901234567890.123456\r\n");
  hz_table_free(&t);
}
