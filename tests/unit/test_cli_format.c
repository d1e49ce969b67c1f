/* Unit tests for what the CLIs show people (issue 14 output, issue 11
 * display): the label table (every key in both languages), column
 * selection, fitting a table with CJK text to a width, thousands
 * separators in tables only, times in China Standard Time and --tz,
 * typed JSON, and the wording of changes (growth vs percentage points)
 * and of partial coverage. */
#include "hz_test.h"
#include "labels.h"
#include "output.h"
#include "statfmt.h"
#include "timearg.h"

/* Renders t with o's settings into a malloc'd string. */
static char *render_with(hz_out_t *o, const hz_table_t *t, int *rc) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  HZ_ASSERT_TRUE(f != NULL);
  o->out = f;
  *rc = hz_out_table(o, t);
  fclose(f);
  return buf;
}

static size_t widest_line(const char *s) {
  size_t best = 0;
  char *copy = strdup(s), *save = NULL;
  for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    size_t w = hz_display_width(line);
    best = w > best ? w : best;
  }
  free(copy);
  return best;
}

HZ_TEST(every_label_has_both_languages_and_a_unique_key) {
  size_t n = 0;
  for (const hz_label_t *l = hz_labels; l->key; l++, n++) {
    HZ_ASSERT_TRUE(l->zh && *l->zh);
    HZ_ASSERT_TRUE(l->en && *l->en);
    /* Chinese headers are Chinese: at least one wide character. */
    HZ_ASSERT_TRUE(hz_display_width(l->zh) > strlen(l->zh) / 3);
    for (const hz_label_t *m = l + 1; m->key; m++)
      HZ_ASSERT_TRUE(strcmp(l->key, m->key) != 0);
    if (l->kind == HZ_KIND_PERCENT)
      HZ_ASSERT_STR_EQ(l->unit, "%");
    if (l->kind == HZ_KIND_POINTS)
      HZ_ASSERT_STR_EQ(l->unit, "百分点");
  }
  HZ_ASSERT_TRUE(n > 100);
}

HZ_TEST(statistics_words_follow_statistics_md) {
  static const char *const pairs[][2] = {
      {"value", "本期"},
      {"previous_year_value", "上年同期"},
      {"yoy_growth_pct", "同比"},
      {"pop_change_pct", "环比"},
      {"yoy_change_pp", "同比增减"},
      {"ytd_value", "累计"},
      {"ytd_yoy_growth_pct", "累计同比"},
      {"completion_pct", "完成率"},
      {"annual_progress_pct", "全年进度"},
      {"reporting_rate_pct", "报送率"},
      {"on_time_rate_pct", "及时率"},
      {"expected_reports", "应报"},
      {"reported_reports", "已报"},
  };
  for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
    HZ_ASSERT_STR_EQ(hz_label_text(pairs[i][0], HZ_LANG_ZH), pairs[i][1]);
  HZ_ASSERT_STR_EQ(hz_label_text("value", HZ_LANG_EN), "this period");
  HZ_ASSERT_STR_EQ(hz_label_text("no_such_key", HZ_LANG_ZH), "no_such_key");
  hz_out_t o;
  char buf[64];
  hz_out_init(&o, HZ_FORMAT_XLSX, NULL, NULL);
  o.lang = HZ_LANG_ZH;
  HZ_ASSERT_STR_EQ(hz_out_header(&o, "yoy_change_pp", HZ_KIND_POINTS, 1, buf, sizeof(buf)),
                   "同比增减(百分点)");
  o.lang = HZ_LANG_EN;
  HZ_ASSERT_STR_EQ(hz_out_header(&o, "yoy_growth_pct", HZ_KIND_PERCENT, 1, buf, sizeof(buf)),
                   "YoY growth(%)");
  HZ_ASSERT_STR_EQ(hz_out_header(&o, "yoy_change_pp", HZ_KIND_POINTS, 1, buf, sizeof(buf)),
                   "YoY change(pp)");
}

HZ_TEST(language_from_the_locale_and_from_lang) {
  hz_lang_t l = HZ_LANG_EN;
  HZ_ASSERT_INT_EQ(hz_lang_parse("zh", &l), 0);
  HZ_ASSERT_INT_EQ(l, HZ_LANG_ZH);
  HZ_ASSERT_INT_EQ(hz_lang_parse("en", &l), 0);
  HZ_ASSERT_INT_EQ(l, HZ_LANG_EN);
  HZ_ASSERT_INT_EQ(hz_lang_parse("fr", &l), -1);
  unsetenv("LC_ALL");
  unsetenv("LC_MESSAGES");
  setenv("LANG", "zh_CN.UTF-8", 1);
  HZ_ASSERT_INT_EQ(hz_lang_from_env(), HZ_LANG_ZH);
  setenv("LC_MESSAGES", "C", 1); /* outranks LANG */
  HZ_ASSERT_INT_EQ(hz_lang_from_env(), HZ_LANG_EN);
  setenv("LC_ALL", "zh_TW.UTF-8", 1); /* outranks both */
  HZ_ASSERT_INT_EQ(hz_lang_from_env(), HZ_LANG_ZH);
  unsetenv("LC_ALL");
  unsetenv("LC_MESSAGES");
  unsetenv("LANG");
  HZ_ASSERT_INT_EQ(hz_lang_from_env(), HZ_LANG_EN);
}

HZ_TEST(thousands_separators_only_in_tables) {
  char buf[64];
  hz_group_thousands("1234567.891", buf, sizeof(buf));
  HZ_ASSERT_STR_EQ(buf, "1,234,567.891");
  hz_group_thousands("-1000", buf, sizeof(buf));
  HZ_ASSERT_STR_EQ(buf, "-1,000");
  hz_group_thousands("999", buf, sizeof(buf));
  HZ_ASSERT_STR_EQ(buf, "999");
  hz_group_thousands("420624", buf, sizeof(buf)); /* called only for figures */
  HZ_ASSERT_STR_EQ(buf, "420,624");
  hz_group_thousands("n/a", buf, sizeof(buf));
  HZ_ASSERT_STR_EQ(buf, "n/a");

  static const char *const keys[] = {"region_code", "value", "reporting_units"};
  static const char *const row[] = {"420624", "1234567.5", "1500"};
  hz_table_t t;
  HZ_ASSERT_INT_EQ(hz_table_init(&t, 3, keys), 0);
  HZ_ASSERT_INT_EQ(hz_table_add_row(&t, row), 0);
  hz_out_t o;
  int rc;
  hz_out_init(&o, HZ_FORMAT_TABLE, NULL, stderr);
  char *table = render_with(&o, &t, &rc);
  HZ_ASSERT_INT_EQ(rc, 0);
  HZ_ASSERT_TRUE(strstr(table, "420624 ") != NULL); /* a code is not a number */
  HZ_ASSERT_TRUE(strstr(table, "1,234,567.5") != NULL);
  HZ_ASSERT_TRUE(strstr(table, "1,500") != NULL);
  o.format = HZ_FORMAT_CSV;
  char *csv = render_with(&o, &t, &rc);
  HZ_ASSERT_STR_EQ(csv, "region_code,value,reporting_units\r\n420624,1234567.5,1500\r\n");
  o.format = HZ_FORMAT_JSON;
  char *json = render_with(&o, &t, &rc);
  HZ_ASSERT_STR_EQ(json, "[\n  {\"region_code\": \"420624\", \"value\": \"1234567.5\", "
                         "\"reporting_units\": 1500}\n]\n");
  free(table);
  free(csv);
  free(json);
  hz_table_free(&t);
}

HZ_TEST(json_types_numbers_and_booleans_and_keeps_decimals_as_strings) {
  json_t *j = hz_json_cell(HZ_KIND_INT, "42");
  HZ_ASSERT_TRUE(json_is_integer(j) && json_integer_value(j) == 42);
  json_decref(j);
  j = hz_json_cell(HZ_KIND_BOOL, "false");
  HZ_ASSERT_TRUE(json_is_false(j));
  json_decref(j);
  j = hz_json_cell(HZ_KIND_DECIMAL, "4.90");
  HZ_ASSERT_TRUE(json_is_string(j));
  HZ_ASSERT_STR_EQ(json_string_value(j), "4.90");
  json_decref(j);
  j = hz_json_cell(HZ_KIND_PERCENT, NULL);
  HZ_ASSERT_TRUE(json_is_null(j));
  json_decref(j);
  j = hz_json_cell(HZ_KIND_INT, "n/a"); /* not a number: stays text */
  HZ_ASSERT_TRUE(json_is_string(j));
  json_decref(j);
  /* Streaming objects are typed by the label table. */
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  static const char *const keys[] = {"dry_run", "imported", "value", "unknown_key"};
  static const char *const vals[] = {"true", "3", "12.50", "7"};
  HZ_ASSERT_INT_EQ(hz_json_write_object(f, 4, keys, vals), 0);
  fclose(f);
  HZ_ASSERT_STR_EQ(
      buf, "{\"dry_run\": true, \"imported\": 3, \"value\": \"12.50\", \"unknown_key\": \"7\"}");
  free(buf);
}

/* A rollup-like listing with long Chinese names. */
static void wide_table(hz_table_t *t) {
  static const char *const keys[] = {"region_name", "indicator_name", "unit", "value", "yoy"};
  static const char *const r1[] = {"城关镇", "人居环境整治出动垃圾转运车(本年累计)", "辆",
                                   "1234567.25", "+23.58个百分点"};
  static const char *const r2[] = {"九集镇", "固定资产投资", "万元", "49000", "+28.00%"};
  HZ_ASSERT_INT_EQ(hz_table_init(t, 5, keys), 0);
  HZ_ASSERT_INT_EQ(hz_table_add_row(t, r1), 0);
  HZ_ASSERT_INT_EQ(hz_table_add_row(t, r2), 0);
}

HZ_TEST(table_fits_the_width_by_cutting_text_then_leaving_columns_out) {
  hz_table_t t;
  wide_table(&t);
  hz_out_t o;
  int rc;
  char *err = NULL;
  size_t errlen = 0;
  FILE *ef = open_memstream(&err, &errlen);
  hz_out_init(&o, HZ_FORMAT_TABLE, NULL, ef);
  o.lang = HZ_LANG_ZH;
  o.width = 0; /* unlimited: natural widths */
  char *full = render_with(&o, &t, &rc);
  HZ_ASSERT_TRUE(widest_line(full) > 60);
  HZ_ASSERT_TRUE(strstr(full, "人居环境整治出动垃圾转运车(本年累计)") != NULL);
  o.width = 60; /* the long name is cut with an ellipsis, numbers are whole */
  char *fit = render_with(&o, &t, &rc);
  HZ_ASSERT_TRUE(widest_line(fit) <= 60);
  HZ_ASSERT_TRUE(strstr(fit, "…") != NULL);
  HZ_ASSERT_TRUE(strstr(fit, "1,234,567.25") != NULL);
  HZ_ASSERT_TRUE(strstr(fit, "+23.58个百分点") != NULL);
  o.width = 30; /* too narrow even then: columns on the right are left out */
  char *narrow = render_with(&o, &t, &rc);
  HZ_ASSERT_TRUE(widest_line(narrow) <= 30);
  HZ_ASSERT_TRUE(strstr(narrow, "百分点") == NULL);
  fclose(ef);
  HZ_ASSERT_TRUE(strstr(err, "yoy") != NULL); /* the note names what was left out */
  free(full);
  free(fit);
  free(narrow);
  free(err);
  hz_table_free(&t);
}

HZ_TEST(columns_are_chosen_by_key_or_label_and_unknown_names_refused) {
  hz_table_t t;
  wide_table(&t);
  hz_table_set_flags(&t, 2, HZ_COL_DATA); /* unit: not in the default table */
  hz_out_t o;
  hz_out_init(&o, HZ_FORMAT_TABLE, NULL, stderr);
  size_t *idx, n;
  HZ_ASSERT_INT_EQ(hz_out_select(&o, &t, &idx, &n), 0);
  HZ_ASSERT_UINT_EQ(n, 4);
  free(idx);
  o.columns = "all";
  HZ_ASSERT_INT_EQ(hz_out_select(&o, &t, &idx, &n), 0);
  HZ_ASSERT_UINT_EQ(n, 5);
  free(idx);
  o.columns = "value, 单位,region_name";
  HZ_ASSERT_INT_EQ(hz_out_select(&o, &t, &idx, &n), 0);
  HZ_ASSERT_UINT_EQ(n, 3);
  HZ_ASSERT_UINT_EQ(idx[0], 3);
  HZ_ASSERT_UINT_EQ(idx[1], 2);
  HZ_ASSERT_UINT_EQ(idx[2], 0);
  free(idx);
  FILE *devnull = fopen("/dev/null", "w");
  o.err = devnull;
  o.columns = "value,bogus";
  HZ_ASSERT_INT_EQ(hz_out_select(&o, &t, &idx, &n), HZ_OUT_EBADCOL);
  fclose(devnull);
  /* csv/json without --columns: every DATA column. */
  o.columns = NULL;
  o.format = HZ_FORMAT_CSV;
  HZ_ASSERT_INT_EQ(hz_out_select(&o, &t, &idx, &n), 0);
  HZ_ASSERT_UINT_EQ(n, 5);
  free(idx);
  hz_table_free(&t);
}

HZ_TEST(times_are_shown_in_china_standard_time_or_the_tz_given) {
  char out[HZ_TIMEARG_SIZE];
  HZ_ASSERT_INT_EQ(hz_time_display("2022-10-15T16:00:00.000000Z", 480, out), 0);
  HZ_ASSERT_STR_EQ(out, "2022-10-16 00:00:00 +08:00");
  HZ_ASSERT_INT_EQ(hz_time_display("2022-10-15T16:00:00.999Z", 0, out), 0);
  HZ_ASSERT_STR_EQ(out, "2022-10-15 16:00:00 +00:00");
  HZ_ASSERT_INT_EQ(hz_time_display("2024-02-29T20:30:00+08:00", -300, out), 0);
  HZ_ASSERT_STR_EQ(out, "2024-02-29 07:30:00 -05:00");
  HZ_ASSERT_INT_EQ(hz_time_display("2023-12-31T23:59:59Z", 480, out), 0);
  HZ_ASSERT_STR_EQ(out, "2024-01-01 07:59:59 +08:00"); /* the year rolls over */
  HZ_ASSERT_INT_EQ(hz_time_display("garbage", 480, out), -1);
  HZ_ASSERT_STR_EQ(out, "garbage");
  int m = 0;
  HZ_ASSERT_INT_EQ(hz_tz_parse("+08:00", &m), 0);
  HZ_ASSERT_INT_EQ(m, 480);
  HZ_ASSERT_INT_EQ(hz_tz_parse("UTC", &m), 0);
  HZ_ASSERT_INT_EQ(m, 0);
  HZ_ASSERT_INT_EQ(hz_tz_parse("Asia/Shanghai", &m), 0);
  HZ_ASSERT_INT_EQ(m, 480);
  HZ_ASSERT_INT_EQ(hz_tz_parse("-05:30", &m), 0);
  HZ_ASSERT_INT_EQ(m, -330);
  HZ_ASSERT_INT_EQ(hz_tz_parse("UTC+8", &m), 0);
  HZ_ASSERT_INT_EQ(m, 480);
  HZ_ASSERT_INT_EQ(hz_tz_parse("+25:00", &m), -1);
  HZ_ASSERT_INT_EQ(hz_tz_parse("Mars/Olympus", &m), -1);
}

HZ_TEST(typed_times_are_read_in_the_zone_and_sent_in_utc) {
  char out[HZ_TIMEARG_SIZE];
  HZ_ASSERT_INT_EQ(hz_timearg_normalize_tz("2022-10-16", 480, out), 0);
  HZ_ASSERT_STR_EQ(out, "2022-10-15T16:00:00Z");
  HZ_ASSERT_INT_EQ(hz_timearg_normalize_tz("2022-01-01 07:30", 480, out), 0);
  HZ_ASSERT_STR_EQ(out, "2021-12-31T23:30:00Z");
  /* What the table prints can be typed back. */
  HZ_ASSERT_INT_EQ(hz_timearg_normalize_tz("2022-10-16 00:00:00 +08:00", 0, out), 0);
  HZ_ASSERT_STR_EQ(out, "2022-10-16T00:00:00+08:00");
  HZ_ASSERT_INT_EQ(hz_timearg_normalize_tz("2022-10-16T00:00:00Z", 480, out), 0);
  HZ_ASSERT_STR_EQ(out, "2022-10-16T00:00:00Z");
  HZ_ASSERT_INT_EQ(hz_timearg_normalize_tz("2022-02-30", 480, out), -1);
  HZ_ASSERT_INT_EQ(hz_timearg_normalize("2024-04-05", out), 0);
  HZ_ASSERT_STR_EQ(out, "2024-04-05T00:00:00Z");
}

HZ_TEST(changes_are_growth_or_points_never_both) {
  Huizong__V1__Decimal pct = HUIZONG__V1__DECIMAL__INIT, pp = HUIZONG__V1__DECIMAL__INIT;
  char buf[64];
  pct.value = "28.00";
  HZ_ASSERT_STR_EQ(hz_stat_change(HZ_LANG_ZH, &pct, NULL, buf, sizeof(buf)), "+28.00%");
  pct.value = "-3.20";
  HZ_ASSERT_STR_EQ(hz_stat_change(HZ_LANG_EN, &pct, NULL, buf, sizeof(buf)), "-3.20%");
  pp.value = "23.58";
  /* A POINTS row carries pp; even a (wrongly) set pct is not shown. */
  HZ_ASSERT_STR_EQ(hz_stat_change(HZ_LANG_ZH, &pct, &pp, buf, sizeof(buf)), "+23.58个百分点");
  HZ_ASSERT_STR_EQ(hz_stat_change(HZ_LANG_EN, NULL, &pp, buf, sizeof(buf)), "+23.58 pp");
  pp.value = "0.00";
  HZ_ASSERT_STR_EQ(hz_stat_change(HZ_LANG_EN, NULL, &pp, buf, sizeof(buf)), "0.00 pp");
  HZ_ASSERT_STR_EQ(hz_stat_change(HZ_LANG_EN, NULL, NULL, buf, sizeof(buf)), "");
}

HZ_TEST(partial_coverage_says_which_sub_periods) {
  Huizong__V1__Coverage c = HUIZONG__V1__COVERAGE__INIT;
  char *q[] = {"2022Q1"};
  char buf[128];
  c.covered = 1;
  c.total = 4;
  c.covered_periods = q;
  c.n_covered_periods = 1;
  HZ_ASSERT_STR_EQ(hz_stat_coverage(HZ_LANG_ZH, &c, HUIZONG__V1__PERIOD_TYPE__PERIOD_TYPE_QUARTER,
                                    buf, sizeof(buf)),
                   "1/4季: Q1");
  HZ_ASSERT_STR_EQ(hz_stat_coverage(HZ_LANG_EN, &c, HUIZONG__V1__PERIOD_TYPE__PERIOD_TYPE_QUARTER,
                                    buf, sizeof(buf)),
                   "1 of 4 quarters: Q1");
  char *m[] = {"202201", "202203"};
  c.covered = 2;
  c.total = 3;
  c.covered_periods = m;
  c.n_covered_periods = 2;
  HZ_ASSERT_STR_EQ(hz_stat_coverage(HZ_LANG_ZH, &c, HUIZONG__V1__PERIOD_TYPE__PERIOD_TYPE_MONTH,
                                    buf, sizeof(buf)),
                   "2/3月: 1月,3月");
  c.covered = 3;
  c.complete = 1;
  HZ_ASSERT_STR_EQ(hz_stat_coverage(HZ_LANG_ZH, &c, HUIZONG__V1__PERIOD_TYPE__PERIOD_TYPE_MONTH,
                                    buf, sizeof(buf)),
                   "");
  HZ_ASSERT_STR_EQ(hz_stat_coverage(HZ_LANG_ZH, NULL, 3, buf, sizeof(buf)), "");
  HZ_ASSERT_STR_EQ(hz_stat_state(HZ_LANG_ZH, HUIZONG__V1__APPROVAL_STATE__APPROVAL_STATE_PARTIAL),
                   "部分已报");
  HZ_ASSERT_STR_EQ(hz_stat_period_type(HZ_LANG_ZH, 3), "季度");
}

/* Writes two batches of one column set through the stream API. */
static char *stream_two_batches(hz_format_t fmt, size_t width) {
  static const char *const keys[] = {"region", "value", "imported"};
  static const char *const r1[] = {"九集镇", "49000", "3"};
  static const char *const r2[] = {"城关镇人民政府驻地社区", "1234567.5", "12"};
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  hz_out_t o;
  hz_out_init(&o, fmt, f, stderr);
  o.width = width;
  hz_table_t t;
  hz_out_stream_t s;
  HZ_ASSERT_INT_EQ(hz_table_init(&t, 3, keys), 0);
  HZ_ASSERT_INT_EQ(hz_table_add_row(&t, r1), 0);
  HZ_ASSERT_INT_EQ(hz_out_stream_begin(&s, &o, &t), 0);
  HZ_ASSERT_INT_EQ(hz_out_stream_batch(&s, &t), 0);
  hz_table_clear_rows(&t);
  HZ_ASSERT_INT_EQ(hz_table_add_row(&t, r2), 0);
  HZ_ASSERT_INT_EQ(hz_out_stream_batch(&s, &t), 0);
  HZ_ASSERT_INT_EQ(hz_out_stream_end(&s), 0);
  hz_table_free(&t);
  fclose(f);
  return buf;
}

HZ_TEST(streamed_listings_match_the_formats_of_whole_ones) {
  char *csv = stream_two_batches(HZ_FORMAT_CSV, 0);
  HZ_ASSERT_STR_EQ(csv, "region,value,imported\r\n九集镇,49000,3\r\n"
                        "城关镇人民政府驻地社区,1234567.5,12\r\n");
  char *json = stream_two_batches(HZ_FORMAT_JSON, 0);
  HZ_ASSERT_STR_EQ(json, "[\n  {\"region\": \"九集镇\", \"value\": \"49000\", \"imported\": 3},\n"
                         "  {\"region\": \"城关镇人民政府驻地社区\", \"value\": \"1234567.5\", "
                         "\"imported\": 12}\n]\n");
  /* A table's widths come from the first batch: a longer name later is
   * cut to them, and every line keeps the same width. */
  char *table = stream_two_batches(HZ_FORMAT_TABLE, 0);
  HZ_ASSERT_TRUE(strstr(table, "城关镇…") != NULL || strstr(table, "城关…") != NULL);
  HZ_ASSERT_TRUE(strstr(table, "1,234,567.5") != NULL);
  free(csv);
  free(json);
  free(table);
}

HZ_TEST(enum_words_are_chinese_in_tables_and_stable_elsewhere) {
  HZ_ASSERT_STR_EQ(hz_word_text("quarter", HZ_LANG_ZH), "季度");
  HZ_ASSERT_STR_EQ(hz_word_text("township", HZ_LANG_ZH), "乡镇");
  HZ_ASSERT_STR_EQ(hz_word_text("partial", HZ_LANG_ZH), "部分已报");
  HZ_ASSERT_STR_EQ(hz_word_text("quarter", HZ_LANG_EN), "quarter");
  HZ_ASSERT_STR_EQ(hz_word_text("value.set", HZ_LANG_ZH), "value.set"); /* no word: as is */
  static const char *const keys[] = {"state", "frequency"};
  static const char *const row[] = {"missing", "month"};
  hz_table_t t;
  HZ_ASSERT_INT_EQ(hz_table_init(&t, 2, keys), 0);
  HZ_ASSERT_INT_EQ(hz_table_add_row(&t, row), 0);
  hz_out_t o;
  int rc;
  hz_out_init(&o, HZ_FORMAT_TABLE, NULL, stderr);
  o.lang = HZ_LANG_ZH;
  char *table = render_with(&o, &t, &rc);
  HZ_ASSERT_TRUE(strstr(table, "未报") != NULL && strstr(table, "月度") != NULL);
  o.format = HZ_FORMAT_CSV;
  char *csv = render_with(&o, &t, &rc);
  HZ_ASSERT_STR_EQ(csv, "state,frequency\r\nmissing,month\r\n");
  free(table);
  free(csv);
  hz_table_free(&t);
}
