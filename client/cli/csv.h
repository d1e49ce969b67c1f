/* A CSV reader for the files clerks and administrators import: RFC 4180
 * quoting ("a ""b""", embedded commas and line breaks), CRLF, LF or lone CR
 * line ends, an optional UTF-8 byte order mark, and every record tagged
 * with the line it starts on so that any problem, ours or the server's,
 * can name it.
 *
 * Deliberate leniencies for hand-edited files: spaces and tabs around a
 * field are dropped (outside the quotes of a quoted field), and records
 * whose fields are all empty (blank lines, ",,," rows spreadsheets leave)
 * are skipped. Everything else that is not RFC 4180 — a quote inside an
 * unquoted field, text after a closing quote, a quote that never closes —
 * and text that is not UTF-8 is a problem reported with its line. */
#ifndef HZ_CLI_CSV_H
#define HZ_CLI_CSV_H

#include <stddef.h>

#include "diag.h"

/* One record. */
typedef struct hz_csv_record_s {
  size_t line;    /* 1-based line on which the record starts */
  size_t nfields; /* number of fields */
  char **fields;  /* NUL-terminated UTF-8 fields, owned; embedded line
                   * breaks of quoted fields are normalised to "\n" */
} hz_csv_record_t;

/* A parsed file. */
typedef struct hz_csv_s {
  hz_csv_record_t *records; /* records in file order, blank ones left out */
  size_t nrecords;          /* how many */
  size_t cap;               /* allocated records */
} hz_csv_t;

/* Parses len bytes of data. A record with a problem is reported in d and
 * left out; parsing goes on with the next line. Returns 0 (check
 * d->total for problems) or -1 when out of memory. */
int hz_csv_parse(hz_csv_t *csv, const char *data, size_t len, hz_diags_t *d);
void hz_csv_free(hz_csv_t *csv);

/* Appends a record read some other way (an xlsx row, a JSON entry):
 * takes ownership of fields (nfields malloc'd strings in a malloc'd
 * array) on success only. Returns 0 or -1 (out of memory). */
int hz_csv_append(hz_csv_t *csv, size_t line, char **fields, size_t nfields);

enum { HZ_CSV_REQUIRED = 1, HZ_CSV_NAMED = 2 };

/* How a file's columns map onto what a command expects. */
typedef struct hz_csv_column_s {
  const char *name; /* '|'-separated spellings, the first one canonical and
                     * printed, e.g. "indicator|code|指标代码" */
  int required;     /* HZ_CSV_REQUIRED: a header must name it and rows must
                     * have it; HZ_CSV_NAMED: a header must name it, rows
                     * may leave it blank; 0: optional */
  int ignored;      /* recognised by name and left unread: the descriptive
                     * columns of a template (name, unit, last year's value) */
} hz_csv_column_t;

/* The outcome of hz_csv_map_columns. */
typedef struct hz_csv_layout_s {
  int index[32];  /* per expected column: field index in each record, -1 = absent */
  size_t ncols;   /* expected columns */
  size_t first;   /* first data record (1 when there is a header) */
  size_t nfields; /* fields a data record may have at most */
} hz_csv_layout_t;

/* Finds the header: the first of the first five records any of whose
 * fields equals (ignoring case) a spelling of cols[0]; records before it
 * (a sheet's title rows) are not data. With a header, columns are matched
 * by name in any order, ignored columns are skipped, and unknown, repeated
 * or missing required columns are problems; without one, the fields are
 * the columns that are not ignored, in order. Returns 0 or -1
 * when the layout has a problem (reported in d). ncols <= 32. */
int hz_csv_map_columns(const hz_csv_t *csv, const hz_csv_column_t *cols, size_t ncols,
                       hz_csv_layout_t *layout, hz_diags_t *d);

/* Checks one data record against the layout: too many fields, or a
 * required column left empty, are problems in d. Returns 0 or -1. */
int hz_csv_check_record(const hz_csv_record_t *r, const hz_csv_column_t *cols,
                        const hz_csv_layout_t *layout, hz_diags_t *d);

/* The record's field for expected column col, "" when absent. */
const char *hz_csv_get(const hz_csv_record_t *r, const hz_csv_layout_t *layout, size_t col);

#endif
