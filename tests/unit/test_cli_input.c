/* Unit tests for the input side of the CLIs: encoding detection (UTF-8,
 * UTF-8 with BOM, GBK, undecodable), the xlsx reader (a workbook built
 * here with libzip: shared strings with rich text and phonetic runs,
 * inline strings, numbers kept as stored, exponents rewritten, blank
 * cells and rows, row numbers), did-you-mean and the edit distance,
 * names resolved to codes, and a template's columns ignored by name. */
#include "hz_test.h"

#include <stdlib.h>
#include <zip.h>

#include "encoding.h"
#include "suggest.h"
#include "valuesfile.h"
#include "xlsxint.h"
#include "xlsxread.h"

/* ---- encodings ---- */

static void decode_ok(const char *in, size_t len, const char *want, hz_encoding_t want_enc) {
  char *out, err[200];
  size_t outlen;
  hz_encoding_t enc;
  HZ_ASSERT_INT_EQ(hz_text_decode(in, len, &out, &outlen, &enc, err, sizeof(err)), 0);
  HZ_ASSERT_STR_EQ(out, want);
  HZ_ASSERT_UINT_EQ(outlen, strlen(want));
  HZ_ASSERT_INT_EQ(enc, want_enc);
  free(out);
}

HZ_TEST(encoding_utf8_with_and_without_bom) {
  decode_ok("code,name\n420624,南漳县\n", strlen("code,name\n420624,南漳县\n"),
            "code,name\n420624,南漳县\n", HZ_ENC_UTF8);
  decode_ok("\xEF\xBB\xBF南漳县", 12, "南漳县", HZ_ENC_UTF8_BOM);
  decode_ok("", 0, "", HZ_ENC_UTF8);
}

HZ_TEST(encoding_gbk_is_read_as_gb18030) {
  /* 南漳县 and 城关镇 as a Chinese Excel saves them. */
  const char gbk[] =
      "code,name\n420624,\xC4\xCF\xD5\xC4\xCF\xD8\n420624100,\xB3\xC7\xB9\xD8\xD5\xF2\n";
  decode_ok(gbk, sizeof(gbk) - 1, "code,name\n420624,南漳县\n420624100,城关镇\n", HZ_ENC_GB18030);
  HZ_ASSERT_STR_EQ(hz_encoding_name(HZ_ENC_GB18030), "GB18030");
}

static void decode_fails(const char *in, size_t len, const char *fragment) {
  char *out = (char *)"unset", err[200] = "";
  size_t outlen;
  hz_encoding_t enc;
  HZ_ASSERT_INT_EQ(hz_text_decode(in, len, &out, &outlen, &enc, err, sizeof(err)), -1);
  HZ_ASSERT_TRUE(out == NULL);
  if (!strstr(err, fragment)) {
    hz_test_note_("error \"%s\" lacks \"%s\"\n", err, fragment);
    hz_test_abort_();
  }
}

HZ_TEST(encoding_undecodable_text_is_a_clear_error) {
  /* 0xFF never starts a GB18030 character; line 2 holds it. */
  decode_fails("a,b\n\xFF\xFF,c\n", 9, "line 2: the bytes are neither UTF-8 nor GB18030");
  /* A lead byte with nothing after it: the file ends inside a character. */
  decode_fails("a,\xC4", 3, "ends inside a character");
  decode_fails("\xFF\xFEi\0n\0", 6, "UTF-16");
  decode_fails("a\nb\0c", 5, "line 2 contains a NUL byte");
  decode_fails("\xEF\xBB\xBF"
               "a\xC4\xCF",
               6, "starts as UTF-8");
}

/* ---- xlsx ---- */

/* An xlsx package built with libzip: name/content pairs, NULL-ended. */
static char *build_zip(const char *const *parts, size_t *len) {
  zip_error_t ze;
  zip_error_init(&ze);
  zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
  HZ_ASSERT_TRUE(src != NULL);
  zip_source_keep(src);
  zip_t *za = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
  HZ_ASSERT_TRUE(za != NULL);
  for (size_t i = 0; parts[i]; i += 2) {
    zip_source_t *f = zip_source_buffer(za, parts[i + 1], strlen(parts[i + 1]), 0);
    HZ_ASSERT_TRUE(f != NULL);
    HZ_ASSERT_TRUE(zip_file_add(za, parts[i], f, ZIP_FL_ENC_UTF_8) >= 0);
  }
  HZ_ASSERT_INT_EQ(zip_close(za), 0);
  HZ_ASSERT_INT_EQ(zip_source_open(src), 0);
  zip_source_seek(src, 0, SEEK_END);
  zip_int64_t n = zip_source_tell(src);
  zip_source_seek(src, 0, SEEK_SET);
  char *buf = malloc((size_t)n);
  HZ_ASSERT_INT_EQ(zip_source_read(src, buf, (zip_uint64_t)n), n);
  zip_source_close(src);
  zip_source_free(src);
  *len = (size_t)n;
  return buf;
}

static const char workbook[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><workbook "
    "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
    "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
    "<sheets><sheet name=\"填报\" sheetId=\"1\" r:id=\"rId7\"/>"
    "<sheet name=\"other\" sheetId=\"2\" r:id=\"rId8\"/></sheets></workbook>";
static const char rels[] =
    "<?xml version=\"1.0\"?><Relationships "
    "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId8\" Type=\"http://x/worksheet\" Target=\"worksheets/other.xml\"/>"
    "<Relationship Id=\"rId7\" Type=\"http://x/worksheet\" Target=\"/xl/worksheets/fill.xml\"/>"
    "<Relationship Id=\"rId9\" "
    "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings\" "
    "Target=\"strings.xml\"/></Relationships>";
static const char strings[] =
    "<?xml version=\"1.0\"?><sst "
    "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
    "<si><t>指标代码</t></si><si><t>本期数值</t></si><si><t>备注</t></si>"
    "<si><r><t>含省</t></r><r><rPr><b/></rPr><t xml:space=\"preserve\">重点项目 </t></r>"
    "<rPh sb=\"0\" eb=\"1\"><t>ハン</t></rPh></si><si><t>fai</t></si></sst>";
static const char sheet[] =
    "<?xml version=\"1.0\"?><worksheet "
    "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>"
    "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c>"
    "<c r=\"C1\" t=\"s\"><v>2</v></c></row>"
    "<row r=\"2\"><c r=\"A2\" t=\"s\"><v>4</v></c><c r=\"B2\"><v>4.90</v></c>"
    "<c r=\"C2\" t=\"s\"><v>3</v></c></row>"
    "<row r=\"3\"><c r=\"A3\" t=\"inlineStr\"><is><t>tax</t></is></c><c r=\"C3\" "
    "t=\"inlineStr\"><is><t>未报</t></is></c></row>"
    "<row r=\"4\"><c r=\"A4\" t=\"s\"><v>4</v></c><c r=\"B4\" t=\"s\" s=\"1\"/>"
    "<c r=\"C4\" t=\"b\"><v></v></c></row>"
    "<row r=\"5\"><c r=\"A5\"/><c r=\"B5\" t=\"str\"><f>\"\"</f><v></v></c></row>"
    "<row r=\"7\"><c r=\"A7\" t=\"inlineStr\"><is><t> big </t></is></c>"
    "<c r=\"B7\" t=\"n\"><v>1.2345E+20</v></c></row>"
    "<row r=\"8\"><c t=\"inlineStr\"><is><t>small</t></is></c><c><v>-1.5E-3</v></c>"
    "<c t=\"b\"><v>1</v></c></row>"
    "</sheetData></worksheet>";

HZ_TEST(xlsx_first_sheet_cells_as_stored) {
  const char *const parts[] = {"[Content_Types].xml",
                               "<Types/>",
                               "xl/workbook.xml",
                               workbook,
                               "xl/_rels/workbook.xml.rels",
                               rels,
                               "xl/strings.xml",
                               strings,
                               "xl/worksheets/fill.xml",
                               sheet,
                               "xl/worksheets/other.xml",
                               "<worksheet><sheetData/></worksheet>",
                               NULL};
  size_t len;
  char *data = build_zip(parts, &len);
  HZ_ASSERT_TRUE(hz_xlsx_sniff(data, len));
  hz_csv_t csv;
  char err[300] = "";
  if (hz_xlsx_read(data, len, &csv, err, sizeof(err)) != 0) {
    hz_test_note_("%s\n", err);
    hz_test_abort_();
  }
  HZ_ASSERT_UINT_EQ(csv.nrecords, 6); /* rows 1, 2, 3, 4, 7, 8: row 5 is blank */
  HZ_ASSERT_UINT_EQ(csv.records[0].line, 1);
  HZ_ASSERT_STR_EQ(csv.records[0].fields[0], "指标代码");
  HZ_ASSERT_STR_EQ(csv.records[1].fields[0], "fai");
  HZ_ASSERT_STR_EQ(csv.records[1].fields[1], "4.90"); /* as stored, not 4.9 */
  HZ_ASSERT_STR_EQ(csv.records[1].fields[2], "含省重点项目");
  HZ_ASSERT_UINT_EQ(csv.records[2].nfields, 3);
  HZ_ASSERT_STR_EQ(csv.records[2].fields[1], ""); /* the missing B3 */
  HZ_ASSERT_STR_EQ(csv.records[2].fields[2], "未报");
  HZ_ASSERT_UINT_EQ(csv.records[3].nfields, 3); /* styled cells without a value: empty */
  HZ_ASSERT_STR_EQ(csv.records[3].fields[1], "");
  HZ_ASSERT_STR_EQ(csv.records[3].fields[2], "");
  HZ_ASSERT_UINT_EQ(csv.records[4].line, 7);
  HZ_ASSERT_STR_EQ(csv.records[4].fields[0], "big");
  HZ_ASSERT_STR_EQ(csv.records[4].fields[1], "123450000000000000000");
  HZ_ASSERT_UINT_EQ(csv.records[5].line, 8);
  HZ_ASSERT_STR_EQ(csv.records[5].fields[1], "-0.0015");
  HZ_ASSERT_STR_EQ(csv.records[5].fields[2], "TRUE");
  hz_csv_free(&csv);
  free(data);
}

HZ_TEST(xlsx_plain_numbers) {
  static const char *const cases[][2] = {
      {"4.9", "4.9"},       {"1E3", "1000"},
      {"1.5E-3", "0.0015"}, {"-2.50E+1", "-25"},
      {"1.25E+1", "12.5"},  {"9.9999999999999995E-7", "0.00000099999999999999995"},
      {"0.0E0", "0"},       {"12E-1", "1.2"},
      {"abc", "abc"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char *got = hz_xlsx_plain_number(cases[i][0]);
    HZ_ASSERT_STR_EQ(got, cases[i][1]);
    free(got);
  }
}

HZ_TEST(xlsx_not_a_workbook) {
  hz_csv_t csv;
  char err[300];
  HZ_ASSERT_INT_EQ(hz_xlsx_read("indicator,value\n", 16, &csv, err, sizeof(err)), -1);
  HZ_ASSERT_TRUE(strstr(err, "not a readable .xlsx") != NULL);
  const char *const parts[] = {"xl/workbook.xml", workbook, NULL};
  size_t len;
  char *data = build_zip(parts, &len);
  HZ_ASSERT_INT_EQ(hz_xlsx_read(data, len, &csv, err, sizeof(err)), -1);
  HZ_ASSERT_TRUE(strstr(err, "xl/worksheets/sheet1.xml") != NULL);
  HZ_ASSERT_UINT_EQ(csv.nrecords, 0);
  free(data);
}

/* ---- catalog: names, did-you-mean ---- */

static void demo_catalog(hz_catalog_t *cat) {
  memset(cat, 0, sizeof(*cat));
  HZ_ASSERT_INT_EQ(hz_catalog_add(cat, "fai", "固定资产投资", "万元", 3, "0", NULL), 0);
  HZ_ASSERT_INT_EQ(hz_catalog_add(cat, "retail", "社会消费品零售总额", "万元", 3, "0", NULL), 0);
  HZ_ASSERT_INT_EQ(hz_catalog_add(cat, "tax", "税收收入", "万元", 2, NULL, NULL), 0);
  HZ_ASSERT_INT_EQ(hz_catalog_add(cat, "pigs", "存栏", "头", 3, NULL, NULL), 0);
  HZ_ASSERT_INT_EQ(hz_catalog_add(cat, "sheep", "存栏", "只", 3, NULL, NULL), 0);
}

HZ_TEST(edit_distance_with_transpositions_over_code_points) {
  HZ_ASSERT_UINT_EQ(hz_edit_distance("retial", "retail"), 1);
  HZ_ASSERT_UINT_EQ(hz_edit_distance("RETAIL", "retail"), 0);
  HZ_ASSERT_UINT_EQ(hz_edit_distance("kitten", "sitting"), 3);
  HZ_ASSERT_UINT_EQ(hz_edit_distance("固定资产投", "固定资产投资"), 1);
  HZ_ASSERT_UINT_EQ(hz_edit_distance("", "abc"), 3);
}

HZ_TEST(did_you_mean_names_code_and_name) {
  hz_catalog_t cat;
  demo_catalog(&cat);
  char buf[300];
  hz_catalog_suggest(&cat, "retial", buf, sizeof(buf));
  HZ_ASSERT_STR_EQ(buf, "did you mean retail (社会消费品零售总额)?");
  hz_catalog_suggest(&cat, "固定资产投", buf, sizeof(buf));
  HZ_ASSERT_STR_EQ(buf, "did you mean fai (固定资产投资)?");
  hz_catalog_suggest(&cat, "electricity", buf, sizeof(buf));
  HZ_ASSERT_STR_EQ(buf, "");
  hz_catalog_hint(&cat, "retial", buf, sizeof(buf));
  HZ_ASSERT_STR_EQ(buf, " (did you mean retail (社会消费品零售总额)?)");
  hz_catalog_hint(&cat, "retail", buf, sizeof(buf)); /* known: no hint */
  HZ_ASSERT_STR_EQ(buf, "");
  cat.lang = HZ_LANG_ZH;
  hz_catalog_suggest(&cat, "retial", buf, sizeof(buf));
  HZ_ASSERT_STR_EQ(buf, "您是否要填 retail (社会消费品零售总额)？");
  hz_catalog_free(&cat);
}

HZ_TEST(names_resolve_to_codes_when_unique) {
  hz_catalog_t cat;
  demo_catalog(&cat);
  HZ_ASSERT_INT_EQ(hz_catalog_resolve(&cat, "fai"), 0);
  HZ_ASSERT_INT_EQ(hz_catalog_resolve(&cat, "固定资产投资"), 0);
  HZ_ASSERT_INT_EQ(hz_catalog_resolve(&cat, "存栏"), -2);
  HZ_ASSERT_INT_EQ(hz_catalog_resolve(&cat, "retial"), -1);
  hz_diags_t d;
  hz_diags_init(&d);
  const char *code;
  HZ_ASSERT_INT_EQ(hz_catalog_code(&cat, "社会消费品零售总额", 4, &code, &d), 0);
  HZ_ASSERT_STR_EQ(code, "retail");
  HZ_ASSERT_INT_EQ(hz_catalog_code(&cat, "retial", 5, &code, &d), 0);
  HZ_ASSERT_STR_EQ(code, "retial"); /* unknown: the server says so, with a hint */
  HZ_ASSERT_INT_EQ(hz_catalog_code(&cat, "存栏", 6, &code, &d), -1);
  HZ_ASSERT_UINT_EQ(d.total, 1);
  HZ_ASSERT_UINT_EQ(d.items[0].line, 6);
  HZ_ASSERT_TRUE(strstr(d.items[0].text, "pigs, sheep") != NULL);
  hz_diags_free(&d);
  hz_catalog_free(&cat);
}

/* ---- a template sheet comes back ---- */

static void parse_values(const char *text, hz_value_list_t *l, hz_diags_t *d) {
  hz_value_list_init(l);
  hz_diags_init(d);
  HZ_ASSERT_INT_EQ(
      hz_values_parse("t.csv", text, strlen(text), HZ_VALUES_CSV, l, d, NULL, HZ_LANG_EN), 0);
}

HZ_TEST(template_columns_ignored_by_name_blank_values_skipped) {
  hz_value_list_t l;
  hz_diags_t d;
  parse_values("指标代码,指标名称,计量单位,上年同期,本期数值,备注\n"
               "fai,固定资产投资,万元,38281.25,49000,含重点项目\n"
               "retail,社会消费品零售总额,万元,21813.5,,\n"
               "tax,税收收入,万元,,848,\n",
               &l, &d);
  HZ_ASSERT_UINT_EQ(d.total, 0);
  HZ_ASSERT_UINT_EQ(l.n, 2);
  HZ_ASSERT_UINT_EQ(l.blank, 1);
  HZ_ASSERT_STR_EQ(l.items[0].indicator, "fai");
  HZ_ASSERT_STR_EQ(l.items[0].value, "49000");
  HZ_ASSERT_STR_EQ(l.items[0].comment, "含重点项目");
  HZ_ASSERT_UINT_EQ(l.items[1].line, 4);
  HZ_ASSERT_STR_EQ(l.items[1].indicator, "tax");
  hz_value_list_free(&l);
  hz_diags_free(&d);
  parse_values("code,name,unit,last_year,value,comment\nfai,固定资产投资,万元,1,2,\n", &l, &d);
  HZ_ASSERT_UINT_EQ(d.total, 0);
  HZ_ASSERT_UINT_EQ(l.n, 1);
  HZ_ASSERT_STR_EQ(l.items[0].value, "2");
  hz_value_list_free(&l);
  hz_diags_free(&d);
  /* A column nobody knows is still a problem (a typo would lose data). */
  parse_values("indicator,value,remark\nfai,1,x\n", &l, &d);
  HZ_ASSERT_UINT_EQ(d.total, 1);
  HZ_ASSERT_TRUE(strstr(d.items[0].text, "unknown column 'remark'") != NULL);
  hz_value_list_free(&l);
  hz_diags_free(&d);
}

HZ_TEST(title_rows_above_the_header_are_not_data) {
  hz_value_list_t l;
  hz_diags_t d;
  parse_values("九集镇2022年第一季度主要经济指标,,\n"
               ",,\n"
               "填报单位：九集镇,,\n"
               "指标代码,本期数值,备注\n"
               "fai,49000,\n",
               &l, &d);
  HZ_ASSERT_UINT_EQ(d.total, 0);
  HZ_ASSERT_UINT_EQ(l.n, 1);
  HZ_ASSERT_UINT_EQ(l.items[0].line, 5);
  HZ_ASSERT_STR_EQ(l.items[0].value, "49000");
  hz_value_list_free(&l);
  hz_diags_free(&d);
}

HZ_TEST(gbk_values_file_names_its_encoding) {
  const char gbk[] = "\xD6\xB8\xB1\xEA\xB4\xFA\xC2\xEB,\xB1\xBE\xC6\xDA\xCA\xFD\xD6\xB5\n"
                     "fai,4.9\n"; /* 指标代码,本期数值 */
  hz_value_list_t l;
  hz_diags_t d;
  hz_value_list_init(&l);
  hz_diags_init(&d);
  char *note = NULL;
  size_t notelen = 0;
  FILE *f = open_memstream(&note, &notelen);
  HZ_ASSERT_INT_EQ(
      hz_values_parse("values.csv", gbk, sizeof(gbk) - 1, HZ_VALUES_CSV, &l, &d, f, HZ_LANG_ZH), 0);
  fclose(f);
  HZ_ASSERT_UINT_EQ(d.total, 0);
  HZ_ASSERT_UINT_EQ(l.n, 1);
  HZ_ASSERT_STR_EQ(note, "读取 values.csv: 按 GB18030 编码解读\n");
  free(note);
  hz_value_list_free(&l);
  hz_diags_free(&d);
}
