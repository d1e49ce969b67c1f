/* Unit tests for the client's CSV input path (client/cli/csv.h and
 * valuesfile.h): RFC 4180 quoting, BOM, CRLF/LF/CR, embedded line breaks
 * and quotes, blank lines, the line number of every record and problem,
 * malformed quotes, non-UTF-8 text, header detection and column mapping,
 * and the submit values file built on top. Also the two decoders the
 * refusal path relies on: base64 of "-bin" trailers (padded or not) and
 * the mapping of a server problem's index to the file line. */
#include "hz_test.h"

#include "csv.h"
#include "metadata.h"
#include "problems.h"
#include "valuesfile.h"

/* Parses text, asserting no allocation failure. */
static void parse(const char *text, hz_csv_t *csv, hz_diags_t *d) {
  hz_diags_init(d);
  HZ_ASSERT_INT_EQ(hz_csv_parse(csv, text, strlen(text), d), 0);
}

static void expect_fields(const hz_csv_record_t *r, size_t line, size_t n, ...) {
  HZ_ASSERT_UINT_EQ(r->line, line);
  HZ_ASSERT_UINT_EQ(r->nfields, n);
  va_list ap;
  va_start(ap, n);
  for (size_t i = 0; i < n; i++)
    HZ_ASSERT_STR_EQ(r->fields[i], va_arg(ap, const char *));
  va_end(ap);
}

/* The text of problem i, sorted by line as printed. */
static const char *problem(hz_diags_t *d, size_t i, size_t *line) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  hz_diags_print(d, f); /* sorts in place */
  fclose(f);
  free(buf);
  HZ_ASSERT_TRUE(i < d->n);
  *line = d->items[i].line;
  return d->items[i].text;
}

HZ_TEST(csv_simple_records_with_line_numbers) {
  hz_csv_t csv;
  hz_diags_t d;
  parse("indicator,value\nfai,4.9\ntax,848\n", &csv, &d);
  HZ_ASSERT_UINT_EQ(d.total, 0);
  HZ_ASSERT_UINT_EQ(csv.nrecords, 3);
  expect_fields(&csv.records[0], 1, 2, "indicator", "value");
  expect_fields(&csv.records[1], 2, 2, "fai", "4.9");
  expect_fields(&csv.records[2], 3, 2, "tax", "848");
  hz_csv_free(&csv);
  hz_diags_free(&d);
}

HZ_TEST(csv_bom_is_skipped) {
  hz_csv_t csv;
  hz_diags_t d;
  parse("\xEF\xBB\xBFindicator,value\r\nfai,4.90\r\n", &csv, &d);
  HZ_ASSERT_UINT_EQ(d.total, 0);
  HZ_ASSERT_UINT_EQ(csv.nrecords, 2);
  expect_fields(&csv.records[0], 1, 2, "indicator", "value");
  expect_fields(&csv.records[1], 2, 2, "fai", "4.90");
  hz_csv_free(&csv);
  hz_diags_free(&d);
}

HZ_TEST(csv_crlf_lf_and_lone_cr_line_ends) {
  hz_csv_t csv;
  hz_diags_t d;
  parse("a,1\r\nb,2\nc,3\rd,4", &csv, &d);
  HZ_ASSERT_UINT_EQ(d.total, 0);
  HZ_ASSERT_UINT_EQ(csv.nrecords, 4);
  expect_fields(&csv.records[0], 1, 2, "a", "1");
  expect_fields(&csv.records[1], 2, 2, "b", "2");
  expect_fields(&csv.records[2], 3, 2, "c", "3");
  expect_fields(&csv.records[3], 4, 2, "d", "4"); /* no final line end */
  hz_csv_free(&csv);
  hz_diags_free(&d);
}

HZ_TEST(csv_quoted_fields_with_commas_quotes_and_line_breaks) {
  hz_csv_t csv;
  hz_diags_t d;
  parse("fai,4.9,\"estimate, \"\"preliminary\"\"\"\n"
        "tax,848,\"line one\r\nline two\nline three\"\n"
        "pigs,16,\"\"\n",
        &csv, &d);
  HZ_ASSERT_UINT_EQ(d.total, 0);
  HZ_ASSERT_UINT_EQ(csv.nrecords, 3);
  expect_fields(&csv.records[0], 1, 3, "fai", "4.9", "estimate, \"preliminary\"");
  /* CRLF inside quotes becomes "\n"; the record keeps its first line and
   * the next record's line counts the embedded breaks. */
  expect_fields(&csv.records[1], 2, 3, "tax", "848", "line one\nline two\nline three");
  expect_fields(&csv.records[2], 5, 3, "pigs", "16", "");
  hz_csv_free(&csv);
  hz_diags_free(&d);
}

HZ_TEST(csv_blank_lines_and_empty_rows_are_skipped) {
  hz_csv_t csv;
  hz_diags_t d;
  parse("\n\nfai,4.9\n   \n,,\n\r\ntax,848\n\n", &csv, &d);
  HZ_ASSERT_UINT_EQ(d.total, 0);
  HZ_ASSERT_UINT_EQ(csv.nrecords, 2);
  expect_fields(&csv.records[0], 3, 2, "fai", "4.9");
  expect_fields(&csv.records[1], 7, 2, "tax", "848");
  hz_csv_free(&csv);
  hz_diags_free(&d);
}

HZ_TEST(csv_spaces_around_fields_are_trimmed_but_not_inside_quotes) {
  hz_csv_t csv;
  hz_diags_t d;
  parse("  fai , 4.9 ,  \" padded \"  \n", &csv, &d);
  HZ_ASSERT_UINT_EQ(d.total, 0);
  expect_fields(&csv.records[0], 1, 3, "fai", "4.9", " padded ");
  hz_csv_free(&csv);
  hz_diags_free(&d);
}

HZ_TEST(csv_trailing_comma_gives_empty_last_field) {
  hz_csv_t csv;
  hz_diags_t d;
  parse("fai,4.9,\n", &csv, &d);
  HZ_ASSERT_UINT_EQ(d.total, 0);
  expect_fields(&csv.records[0], 1, 3, "fai", "4.9", "");
  hz_csv_free(&csv);
  hz_diags_free(&d);
}

HZ_TEST(csv_chinese_text_passes_through) {
  hz_csv_t csv;
  hz_diags_t d;
  parse("420624100,城关镇,township,420624\n", &csv, &d);
  HZ_ASSERT_UINT_EQ(d.total, 0);
  expect_fields(&csv.records[0], 1, 4, "420624100", "城关镇", "township", "420624");
  hz_csv_free(&csv);
  hz_diags_free(&d);
}

HZ_TEST(csv_quote_inside_unquoted_field_is_a_problem_on_its_line) {
  hz_csv_t csv;
  hz_diags_t d;
  size_t line;
  parse("fai,4.9\ntax,8\"48\nretail,2.55\n", &csv, &d);
  HZ_ASSERT_UINT_EQ(d.total, 1);
  const char *text = problem(&d, 0, &line);
  HZ_ASSERT_UINT_EQ(line, 2);
  HZ_ASSERT_TRUE(strstr(text, "field 2") != NULL);
  HZ_ASSERT_TRUE(strstr(text, "quote inside an unquoted field") != NULL);
  /* The bad record is left out; parsing resumes on the next line. */
  HZ_ASSERT_UINT_EQ(csv.nrecords, 2);
  expect_fields(&csv.records[1], 3, 2, "retail", "2.55");
  hz_csv_free(&csv);
  hz_diags_free(&d);
}

HZ_TEST(csv_text_after_closing_quote_is_a_problem) {
  hz_csv_t csv;
  hz_diags_t d;
  size_t line;
  parse("a,1\n\"fai\"x,4.9\nb,2\n", &csv, &d);
  HZ_ASSERT_UINT_EQ(d.total, 1);
  const char *text = problem(&d, 0, &line);
  HZ_ASSERT_UINT_EQ(line, 2);
  HZ_ASSERT_TRUE(strstr(text, "after the closing quote") != NULL);
  HZ_ASSERT_UINT_EQ(csv.nrecords, 2);
  expect_fields(&csv.records[1], 3, 2, "b", "2");
  hz_csv_free(&csv);
  hz_diags_free(&d);
}

HZ_TEST(csv_unterminated_quote_names_the_line_it_opened_on) {
  hz_csv_t csv;
  hz_diags_t d;
  size_t line;
  parse("a,1\nb,2\nc,\"never closed\nd,4\ne,5\n", &csv, &d);
  HZ_ASSERT_UINT_EQ(d.total, 1);
  const char *text = problem(&d, 0, &line);
  HZ_ASSERT_UINT_EQ(line, 3);
  HZ_ASSERT_TRUE(strstr(text, "never closed") != NULL);
  HZ_ASSERT_UINT_EQ(csv.nrecords, 2);
  hz_csv_free(&csv);
  hz_diags_free(&d);
}

HZ_TEST(csv_every_problem_is_reported_not_just_the_first) {
  hz_csv_t csv;
  hz_diags_t d;
  size_t line;
  parse("a\"b,1\nok,2\n\"x\"y,3\nok,4\nc,d\"\n", &csv, &d);
  HZ_ASSERT_UINT_EQ(d.total, 3);
  problem(&d, 0, &line);
  HZ_ASSERT_UINT_EQ(line, 1);
  problem(&d, 1, &line);
  HZ_ASSERT_UINT_EQ(line, 3);
  problem(&d, 2, &line);
  HZ_ASSERT_UINT_EQ(line, 5);
  HZ_ASSERT_UINT_EQ(csv.nrecords, 2);
  hz_csv_free(&csv);
  hz_diags_free(&d);
}

HZ_TEST(csv_invalid_utf8_and_nul_are_problems) {
  hz_csv_t csv;
  hz_diags_t d;
  size_t line;
  /* "城关" in GBK, then a NUL inside a field. */
  static const char text[] = "fai,4.9\n\xB3\xC7\xB9\xD8,1\ntax,8\0"
                             "48\n";
  hz_diags_init(&d);
  HZ_ASSERT_INT_EQ(hz_csv_parse(&csv, text, sizeof(text) - 1, &d), 0);
  HZ_ASSERT_UINT_EQ(d.total, 2);
  const char *t0 = problem(&d, 0, &line);
  HZ_ASSERT_UINT_EQ(line, 2);
  HZ_ASSERT_TRUE(strstr(t0, "UTF-8") != NULL);
  const char *t1 = problem(&d, 1, &line);
  HZ_ASSERT_UINT_EQ(line, 3);
  HZ_ASSERT_TRUE(strstr(t1, "NUL") != NULL);
  HZ_ASSERT_UINT_EQ(csv.nrecords, 1);
  hz_csv_free(&csv);
  hz_diags_free(&d);
}

static const hz_csv_column_t region_cols[] = {
    {"code", 1, 0},
    {"name", 1, 0},
    {"level", 1, 0},
    {"parent_code|parent", 0, 0},
};

HZ_TEST(columns_by_header_in_any_order_with_aliases) {
  hz_csv_t csv;
  hz_diags_t d;
  hz_csv_layout_t lay;
  parse("Name,PARENT,code,level\n城关镇,420624,420624100,4\n", &csv, &d);
  HZ_ASSERT_INT_EQ(hz_csv_map_columns(&csv, region_cols, 4, &lay, &d), 0);
  HZ_ASSERT_UINT_EQ(lay.first, 1);
  const hz_csv_record_t *r = &csv.records[1];
  HZ_ASSERT_INT_EQ(hz_csv_check_record(r, region_cols, &lay, &d), 0);
  HZ_ASSERT_STR_EQ(hz_csv_get(r, &lay, 0), "420624100");
  HZ_ASSERT_STR_EQ(hz_csv_get(r, &lay, 1), "城关镇");
  HZ_ASSERT_STR_EQ(hz_csv_get(r, &lay, 2), "4");
  HZ_ASSERT_STR_EQ(hz_csv_get(r, &lay, 3), "420624");
  HZ_ASSERT_UINT_EQ(d.total, 0);
  hz_csv_free(&csv);
  hz_diags_free(&d);
}

HZ_TEST(columns_without_header_are_positional) {
  hz_csv_t csv;
  hz_diags_t d;
  hz_csv_layout_t lay;
  parse("420624,南漳县,county\n", &csv, &d);
  HZ_ASSERT_INT_EQ(hz_csv_map_columns(&csv, region_cols, 4, &lay, &d), 0);
  HZ_ASSERT_UINT_EQ(lay.first, 0);
  const hz_csv_record_t *r = &csv.records[0];
  HZ_ASSERT_INT_EQ(hz_csv_check_record(r, region_cols, &lay, &d), 0);
  HZ_ASSERT_STR_EQ(hz_csv_get(r, &lay, 1), "南漳县");
  HZ_ASSERT_STR_EQ(hz_csv_get(r, &lay, 3), ""); /* absent optional column */
  hz_csv_free(&csv);
  hz_diags_free(&d);
}

HZ_TEST(columns_header_problems_unknown_repeated_missing) {
  hz_csv_t csv;
  hz_diags_t d;
  hz_csv_layout_t lay;
  parse("code,nmae,code\n1,2,3\n", &csv, &d);
  HZ_ASSERT_INT_EQ(hz_csv_map_columns(&csv, region_cols, 4, &lay, &d), -1);
  /* unknown 'nmae', repeated 'code', missing 'name' and 'level' */
  HZ_ASSERT_UINT_EQ(d.total, 4);
  for (size_t i = 0; i < d.n; i++)
    HZ_ASSERT_UINT_EQ(d.items[i].line, 1);
  hz_csv_free(&csv);
  hz_diags_free(&d);
}

HZ_TEST(columns_record_with_too_many_fields_or_missing_required) {
  hz_csv_t csv;
  hz_diags_t d;
  hz_csv_layout_t lay;
  parse("code,name,level\n1,a,4,extra\n2,,4\n", &csv, &d);
  HZ_ASSERT_INT_EQ(hz_csv_map_columns(&csv, region_cols, 4, &lay, &d), 0);
  HZ_ASSERT_INT_EQ(hz_csv_check_record(&csv.records[1], region_cols, &lay, &d), -1);
  HZ_ASSERT_INT_EQ(hz_csv_check_record(&csv.records[2], region_cols, &lay, &d), -1);
  HZ_ASSERT_UINT_EQ(d.total, 2);
  HZ_ASSERT_UINT_EQ(d.items[0].line, 2);
  HZ_ASSERT_UINT_EQ(d.items[1].line, 3);
  HZ_ASSERT_TRUE(strstr(d.items[1].text, "name is missing") != NULL);
  hz_csv_free(&csv);
  hz_diags_free(&d);
}

/* ---- the submit values file, CSV flavour ---- */

static void parse_values(const char *text, hz_value_list_t *l, hz_diags_t *d) {
  hz_value_list_init(l);
  hz_diags_init(d);
  HZ_ASSERT_INT_EQ(
      hz_values_parse("test", text, strlen(text), HZ_VALUES_CSV, l, d, NULL, HZ_LANG_EN), 0);
}

HZ_TEST(values_csv_with_header_keeps_decimals_verbatim) {
  hz_value_list_t l;
  hz_diags_t d;
  parse_values("\xEF\xBB\xBFindicator,value,comment\r\n"
               "fai,4.90,\"同比增长28%\"\r\n"
               "\r\n"
               "tax,-0.000001\r\n",
               &l, &d);
  HZ_ASSERT_UINT_EQ(d.total, 0);
  HZ_ASSERT_UINT_EQ(l.n, 2);
  HZ_ASSERT_UINT_EQ(l.items[0].line, 2);
  HZ_ASSERT_STR_EQ(l.items[0].indicator, "fai");
  HZ_ASSERT_STR_EQ(l.items[0].value, "4.90");
  HZ_ASSERT_STR_EQ(l.items[0].comment, "同比增长28%");
  HZ_ASSERT_UINT_EQ(l.items[1].line, 4);
  HZ_ASSERT_STR_EQ(l.items[1].value, "-0.000001");
  HZ_ASSERT_STR_EQ(l.items[1].comment, "");
  hz_value_list_free(&l);
  hz_diags_free(&d);
}

HZ_TEST(values_csv_without_header_and_with_reordered_header) {
  hz_value_list_t l;
  hz_diags_t d;
  parse_values("fai,4.9\n", &l, &d);
  HZ_ASSERT_UINT_EQ(d.total, 0);
  HZ_ASSERT_UINT_EQ(l.n, 1);
  HZ_ASSERT_UINT_EQ(l.items[0].line, 1);
  hz_value_list_free(&l);
  hz_diags_free(&d);
  parse_values("value,Indicator\n848,tax\n", &l, &d);
  HZ_ASSERT_UINT_EQ(d.total, 0);
  HZ_ASSERT_UINT_EQ(l.n, 1);
  HZ_ASSERT_STR_EQ(l.items[0].indicator, "tax");
  HZ_ASSERT_STR_EQ(l.items[0].value, "848");
  hz_value_list_free(&l);
  hz_diags_free(&d);
}

HZ_TEST(values_csv_reports_every_bad_line) {
  hz_value_list_t l;
  hz_diags_t d;
  parse_values("indicator,value\n"
               "fai,4.9\n"
               "tax,\n"        /* 3: blank value: not reported, no problem */
               ",12\n"         /* 4: indicator missing */
               "pigs,16,a,b\n" /* 5: too many fields */
               "x,\"1\n",      /* 6: quote never closed */
               &l, &d);
  HZ_ASSERT_UINT_EQ(d.total, 3);
  HZ_ASSERT_UINT_EQ(l.blank, 1);
  size_t line;
  problem(&d, 0, &line);
  HZ_ASSERT_UINT_EQ(line, 4);
  problem(&d, 1, &line);
  HZ_ASSERT_UINT_EQ(line, 5);
  problem(&d, 2, &line);
  HZ_ASSERT_UINT_EQ(line, 6);
  hz_value_list_free(&l);
  hz_diags_free(&d);
}

HZ_TEST(values_format_guess) {
  HZ_ASSERT_INT_EQ(hz_values_guess_format("v.JSON", "fai,1", 5), HZ_VALUES_JSON);
  HZ_ASSERT_INT_EQ(hz_values_guess_format("v.csv", "[", 1), HZ_VALUES_CSV);
  HZ_ASSERT_INT_EQ(hz_values_guess_format("-", "\xEF\xBB\xBF \n[", 6), HZ_VALUES_JSON);
  HZ_ASSERT_INT_EQ(hz_values_guess_format("v.txt", "{", 1), HZ_VALUES_JSON);
  HZ_ASSERT_INT_EQ(hz_values_guess_format("v.txt", "fai,1", 5), HZ_VALUES_CSV);
}

/* ---- base64 of binary trailers ---- */

static void expect_b64(const char *in, const char *want, size_t want_len) {
  uint8_t out[64];
  size_t n = 0;
  HZ_ASSERT_INT_EQ(hzc_base64_decode(in, strlen(in), out, &n), 0);
  HZ_ASSERT_UINT_EQ(n, want_len);
  HZ_ASSERT_MEM_EQ(out, want, want_len);
}

HZ_TEST(base64_padded_and_unpadded) {
  expect_b64("", "", 0);
  expect_b64("Zg==", "f", 1);
  expect_b64("Zg", "f", 1);
  expect_b64("Zm8=", "fo", 2);
  expect_b64("Zm8", "fo", 2);
  expect_b64("Zm9v", "foo", 3);
  expect_b64("Zm9vYmFy", "foobar", 6);
  expect_b64("AP8+/w", "\x00\xff\x3e\xff", 4);
}

HZ_TEST(base64_rejects_malformed_text) {
  uint8_t out[64];
  size_t n;
  static const char *const bad[] = {"Z",      "Zm9vY", "Zg=",  "Z===", "Zm=v",
                                    "Zm9v\n", "Zm-v",  "Zm_v", "=Zm9"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    if (hzc_base64_decode(bad[i], strlen(bad[i]), out, &n) != -1) {
      hz_test_note_("accepted malformed base64 \"%s\"\n", bad[i]);
      hz_test_abort_();
    }
  }
}

HZ_TEST(metadata_bin_values_are_decoded_text_values_kept) {
  hzc_metadata_t *m = hzc_metadata_new((const uint8_t *)"x-bin", 5, (const uint8_t *)"AQID", 4);
  HZ_ASSERT_TRUE(m != NULL);
  HZ_ASSERT_STR_EQ(m->name, "x-bin");
  HZ_ASSERT_UINT_EQ(m->len, 3);
  HZ_ASSERT_MEM_EQ(m->value, "\x01\x02\x03", 3);
  hzc_metadata_free(m);
  m = hzc_metadata_new((const uint8_t *)"x-note", 6, (const uint8_t *)"AQID", 4);
  HZ_ASSERT_TRUE(m != NULL);
  HZ_ASSERT_STR_EQ((const char *)m->value, "AQID");
  hzc_metadata_free(m);
  /* An undecodable binary value is dropped, not passed on garbled. */
  HZ_ASSERT_TRUE(hzc_metadata_new((const uint8_t *)"x-bin", 5, (const uint8_t *)"A", 1) == NULL);
}

/* ---- server problems against file lines ---- */

HZ_TEST(problem_lines_prefer_own_line_then_index_map) {
  size_t lines[] = {2, 5, 9};
  hz_line_map_t map = {.lines = lines, .n = 3};
  Huizong__V1__Problem pr = HUIZONG__V1__PROBLEM__INIT;
  char buf[200];
  pr.reason = "unknown parent 420699";
  pr.line = 7;
  pr.index = 0;
  hz_problem_describe(&pr, &map, buf, sizeof(buf));
  HZ_ASSERT_STR_EQ(buf, "line 7: unknown parent 420699");
  pr.line = 0;
  pr.index = 2;
  pr.reason = "unknown indicator \"xx\"";
  hz_problem_describe(&pr, &map, buf, sizeof(buf));
  HZ_ASSERT_STR_EQ(buf, "line 9: unknown indicator \"xx\"");
  pr.index = 3; /* beyond the map */
  hz_problem_describe(&pr, &map, buf, sizeof(buf));
  HZ_ASSERT_STR_EQ(buf, "item 4: unknown indicator \"xx\"");
  pr.index = -1;
  pr.reason = "malformed period \"2022Q5\"";
  hz_problem_describe(&pr, &map, buf, sizeof(buf));
  HZ_ASSERT_STR_EQ(buf, "malformed period \"2022Q5\"");
}
