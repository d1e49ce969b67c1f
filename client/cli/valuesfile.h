/* The input files of `huizong submit`: a township's values (columns
 * indicator, value, comment) and, with --bulk, many townships' and
 * periods' rows (region, period, indicator, value, comment), as CSV (UTF-8
 * or GBK/GB18030, see encoding.h), an Excel workbook's first sheet
 * (xlsxread.h) or JSON (jsonvalues.h), chosen by the file name or, failing
 * that, by the first bytes.
 *
 * Headers are matched by name in English or Chinese (指标代码, 本期数值,
 * 备注 ...), so a sheet written by `huizong template` comes back as it
 * is: its descriptive columns (name, unit, last year's value) are
 * recognised and ignored, and a blank value means "not reported this
 * time" (counted, not sent). Without a header, the columns are the
 * non-descriptive ones in order. */
#ifndef HZ_CLI_VALUESFILE_H
#define HZ_CLI_VALUESFILE_H

#include <stddef.h>
#include <stdio.h>

#include "csv.h"
#include "diag.h"
#include "labels.h"
#include "valuelist.h"

typedef enum {
  HZ_VALUES_CSV = 0,
  HZ_VALUES_JSON,
  HZ_VALUES_XLSX,
} hz_values_format_t;

/* .json / .csv / .xlsx by name; otherwise XLSX when the data is a ZIP,
 * JSON when the first non-blank character (after any BOM) is '[' or '{',
 * else CSV. */
hz_values_format_t hz_values_guess_format(const char *path, const char *data, size_t len);

/* Columns of the values file and of the bulk sheet, in record order. */
enum { HZ_VCOL_INDICATOR, HZ_VCOL_VALUE, HZ_VCOL_COMMENT };
enum { HZ_BCOL_REGION, HZ_BCOL_PERIOD, HZ_BCOL_INDICATOR, HZ_BCOL_VALUE, HZ_BCOL_COMMENT };
extern const hz_csv_column_t hz_values_columns[];
extern const size_t hz_values_ncolumns;
extern const hz_csv_column_t hz_bulk_columns[];
extern const size_t hz_bulk_ncolumns;

/* A file read into rows. */
typedef struct hz_rows_s {
  hz_csv_t csv;           /* the records (JSON entries: fields in column order) */
  hz_csv_layout_t layout; /* where each expected column is */
  int bad_header;         /* the header has problems (in d): rows unusable */
} hz_rows_t;

/* Reads the file (label names it in messages) with the expected columns:
 * CSV text is decoded first, and when it was not UTF-8 a note naming the
 * encoding assumed goes to note (may be NULL) in lang. Every problem goes to d,
 * whose unit becomes "row" for a sheet and "item" for JSON. Returns 0
 * (check d->total; records with problems are checked again by the
 * caller through hz_csv_check_record) or -1 when out of memory. */
int hz_rows_read(const char *label, const char *data, size_t len, hz_values_format_t fmt,
                 const hz_csv_column_t *cols, size_t ncols, hz_rows_t *rows, hz_diags_t *d,
                 FILE *note, hz_lang_t lang);
void hz_rows_free(hz_rows_t *rows);

/* The values file into out: rows without a value are counted in
 * out->blank and left out. Returns 0 (check d->total) or -1 (memory). */
int hz_values_parse(const char *label, const char *data, size_t len, hz_values_format_t fmt,
                    hz_value_list_t *out, hz_diags_t *d, FILE *note, hz_lang_t lang);

#endif
