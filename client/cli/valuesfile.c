/* Input files: format choice, decoding, and the values flavour. */
#include "valuesfile.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "encoding.h"
#include "jsonvalues.h"
#include "xlsxread.h"

/* The spellings each column is known by; the first is printed. The
 * descriptive columns of a template are listed so they are ignored by
 * name rather than refused as unknown. */
#define COL_INDICATOR   "indicator|indicator_code|code|指标代码|指标编码|指标"
#define COL_VALUE       "value|本期数值|本期|数值|value_this_period"
#define COL_COMMENT     "comment|备注|说明"
#define COL_NAME        "name|indicator_name|指标名称|名称"
#define COL_UNIT        "unit|计量单位|单位"
#define COL_LAST_YEAR   "last_year|last_year_value|上年同期|去年同期|上年同期数值"
#define COL_REGION_NAME "region_name|地区名称|乡镇|乡镇名称|单位名称"

const hz_csv_column_t hz_values_columns[] = {
    {COL_INDICATOR, HZ_CSV_REQUIRED, 0},
    {COL_VALUE, HZ_CSV_NAMED, 0},
    {COL_COMMENT, 0, 0},
    {COL_NAME, 0, 1},
    {COL_UNIT, 0, 1},
    {COL_LAST_YEAR, 0, 1},
};
const size_t hz_values_ncolumns = sizeof(hz_values_columns) / sizeof(hz_values_columns[0]);

const hz_csv_column_t hz_bulk_columns[] = {
    {"region|region_code|地区代码|区划代码|地区", HZ_CSV_REQUIRED, 0},
    {"period|报告期|时期|期别", HZ_CSV_REQUIRED, 0},
    {COL_INDICATOR, HZ_CSV_REQUIRED, 0},
    {COL_VALUE, HZ_CSV_NAMED, 0},
    {COL_COMMENT, 0, 0},
    {COL_REGION_NAME, 0, 1},
    {COL_NAME, 0, 1},
    {COL_UNIT, 0, 1},
    {COL_LAST_YEAR, 0, 1},
};
const size_t hz_bulk_ncolumns = sizeof(hz_bulk_columns) / sizeof(hz_bulk_columns[0]);

static int ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

hz_values_format_t hz_values_guess_format(const char *path, const char *data, size_t len) {
  if (path && ends_with(path, ".json"))
    return HZ_VALUES_JSON;
  if (path && ends_with(path, ".xlsx"))
    return HZ_VALUES_XLSX;
  if (path && ends_with(path, ".csv"))
    return HZ_VALUES_CSV;
  if (hz_xlsx_sniff(data, len))
    return HZ_VALUES_XLSX;
  size_t i = len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
  while (i < len && strchr(" \t\r\n", data[i]))
    i++;
  return i < len && (data[i] == '[' || data[i] == '{') ? HZ_VALUES_JSON : HZ_VALUES_CSV;
}

static int read_csv(const char *label, const char *data, size_t len, hz_csv_t *csv, hz_diags_t *d,
                    FILE *note, hz_lang_t lang) {
  char *text;
  size_t tlen;
  hz_encoding_t enc;
  char err[300];
  memset(csv, 0, sizeof(*csv));
  if (hz_text_decode(data, len, &text, &tlen, &enc, err, sizeof(err)) < 0) {
    if (strcmp(err, "out of memory") == 0)
      return -1;
    hz_diags_add(d, 0, "%s", err);
    return 0;
  }
  if (enc == HZ_ENC_GB18030 && note)
    fprintf(note,
            (lang == HZ_LANG_ZH ? "读取 %s: 按 %s 编码解读\n" : "reading %s: decoded as %s\n"),
            label, hz_encoding_name(enc));
  int rc = hz_csv_parse(csv, text, tlen, d);
  free(text);
  return rc;
}

static void identity_layout(hz_csv_layout_t *layout, size_t ncols) {
  memset(layout, 0, sizeof(*layout));
  for (size_t i = 0; i < sizeof(layout->index) / sizeof(layout->index[0]); i++)
    layout->index[i] = i < ncols ? (int)i : -1;
  layout->ncols = ncols;
  layout->nfields = ncols;
}

int hz_rows_read(const char *label, const char *data, size_t len, hz_values_format_t fmt,
                 const hz_csv_column_t *cols, size_t ncols, hz_rows_t *rows, hz_diags_t *d,
                 FILE *note, hz_lang_t lang) {
  memset(rows, 0, sizeof(*rows));
  int rc = 0;
  if (fmt == HZ_VALUES_JSON) {
    identity_layout(&rows->layout, ncols);
    return hz_json_rows(data, len, cols == hz_bulk_columns ? "rows" : "values", cols, ncols,
                        &rows->csv, d);
  }
  if (fmt == HZ_VALUES_XLSX) {
    char err[300];
    d->unit = "row";
    if (hz_xlsx_read(data, len, &rows->csv, err, sizeof(err)) < 0)
      hz_diags_add(d, 0, "%s", err);
  } else {
    rc = read_csv(label, data, len, &rows->csv, d, note, lang);
  }
  if (rc == 0 && hz_csv_map_columns(&rows->csv, cols, ncols, &rows->layout, d) < 0)
    rows->bad_header = 1;
  return rc;
}

void hz_rows_free(hz_rows_t *rows) {
  hz_csv_free(&rows->csv);
}

int hz_values_parse(const char *label, const char *data, size_t len, hz_values_format_t fmt,
                    hz_value_list_t *out, hz_diags_t *d, FILE *note, hz_lang_t lang) {
  hz_rows_t rows;
  int rc = hz_rows_read(label, data, len, fmt, hz_values_columns, hz_values_ncolumns, &rows, d,
                        note, lang);
  /* With a bad header the rows would be misread: its problems suffice. */
  for (size_t i = rows.layout.first; rc == 0 && !rows.bad_header && i < rows.csv.nrecords; i++) {
    const hz_csv_record_t *r = &rows.csv.records[i];
    if (hz_csv_check_record(r, hz_values_columns, &rows.layout, d) < 0)
      continue;
    const char *value = hz_csv_get(r, &rows.layout, HZ_VCOL_VALUE);
    if (!*value) {
      out->blank++;
      continue;
    }
    rc = hz_value_list_add(out, r->line, hz_csv_get(r, &rows.layout, HZ_VCOL_INDICATOR), value,
                           hz_csv_get(r, &rows.layout, HZ_VCOL_COMMENT));
  }
  hz_rows_free(&rows);
  return rc;
}
