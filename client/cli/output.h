/* The one place results are written, for both CLIs and every listing:
 * an aligned text table that fits the terminal, CSV (RFC 4180, optionally
 * with a UTF-8 byte-order mark for Excel), JSON (jansson) and xlsx
 * (libxlsxwriter).
 *
 * API contract (for every command, including new ones):
 *  - A listing is an hz_table_t: column KEYS (the stable csv/json keys,
 *    snake_case as in the proto) and rows of string cells. A cell holds
 *    the canonical text of its value: a Decimal's digits ("4.90"), a
 *    count ("3"), "true"/"false", a wire time (RFC 3339 UTC); NULL is an
 *    absent value (empty in a table and CSV, null in JSON, a blank xlsx
 *    cell), never 0.
 *  - Each column has a kind (labels.h: from the label table by key,
 *    hz_table_set_kind overrides) that says how each format renders it:
 *        kind     table                 csv            json     xlsx
 *        TEXT     as is                 as is          string   string
 *        INT      1,234 (right)         1234           number   number
 *        DECIMAL  1,234.5 (right)       1234.5         string   number
 *        PERCENT  28.00% (right)        28.00          string   number, header "(%)"
 *        POINTS   +23.58 (right)        23.58          string   number, header "(百分点)"
 *        BOOL     是/否, yes/no         true/false     boolean  boolean
 *        TIME     2022-10-16 00:00:00 +08:00 (zone of --tz)     wire text  as table
 *        FIGURE   as is (right)         as is          string   string
 *        WORD     季度 (zh), quarter    quarter        string   as table
 *    Thousands separators appear in tables only. Headers: in tables and
 *    xlsx the label of the key in the language (labels.h); in CSV and
 *    JSON the key itself, so scripts do not depend on the locale.
 *  - Each column has flags: HZ_COL_TABLE (in a table by default: the
 *    figures a person reads first) and HZ_COL_DATA (in csv/json/xlsx by
 *    default). --columns a,b picks columns by key or by label, in that
 *    order, in every format; --columns all picks every DATA column.
 *    A default table also leaves out HZ_COL_SPARSE columns no row fills
    (no 累计 for a year, no coverage when every period is complete).
  - A table wider than hz_out_t.width shrinks its widest text columns
 *    (cut with "…", never below 8 columns) and then leaves out columns
 *    from the right, saying which on stderr. Numbers are never cut.
 *  - xlsx writes one sheet per listing into the workbook at --output,
 *    closed by hz_out_close (the CLI framework calls it).
 * Functions return 0, -1 when writing failed, or HZ_OUT_EBADCOL after
 * printing "unknown column" with the choices to o->err. */
#ifndef HZ_CLI_OUTPUT_H
#define HZ_CLI_OUTPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "labels.h"

typedef enum {
  HZ_FORMAT_TABLE = 0,
  HZ_FORMAT_CSV,
  HZ_FORMAT_JSON,
  HZ_FORMAT_XLSX,
} hz_format_t;

/* "table", "csv", "json" or "xlsx". Returns 0, or -1 for anything else. */
int hz_format_parse(const char *s, hz_format_t *out);

/* --columns named a column the listing does not have. */
#define HZ_OUT_EBADCOL (-2)

/* The display width of a table when nothing says otherwise (not a
 * terminal, no $COLUMNS): wide enough for a compact listing, narrow
 * enough for a log or a mail. */
#define HZ_OUT_DEFAULT_WIDTH 120

typedef enum {
  HZ_ALIGN_AUTO = 0, /* by kind; TEXT: right when every present cell is a number */
  HZ_ALIGN_LEFT,
  HZ_ALIGN_RIGHT,
} hz_align_t;

enum {
  HZ_COL_TABLE = 1,  /* shown in a table by default */
  HZ_COL_DATA = 2,   /* written to csv/json/xlsx by default, and by --columns all */
  HZ_COL_SPARSE = 4, /* left out of a default table when no row has a value */
};

/* Where and how a command's results go; filled by the CLI framework. */
typedef struct hz_out_s {
  hz_format_t format;  /* --format */
  hz_lang_t lang;      /* --lang or the locale: headers and messages */
  int tz_minutes;      /* --tz: zone times are shown in, east of UTC */
  const char *columns; /* --columns, NULL = each listing's default */
  size_t width;        /* table: display columns available, 0 = unlimited */
  const char *path;    /* --output, NULL = standard output */
  const char *sheet;   /* base name of xlsx sheets (the command) */
  FILE *out;           /* results (the --output file, or stdout) */
  FILE *err;           /* notes and errors */
  void *workbook;      /* xlsx: opened by the first listing, closed by hz_out_close */
  int sheets;          /* xlsx: sheets added */
} hz_out_t;

/* A listing. */
typedef struct hz_table_s {
  size_t ncols;      /* number of columns */
  char **headers;    /* column keys, owned */
  hz_align_t *align; /* per-column alignment for the text table */
  hz_kind_t *kind;   /* per-column kind (see above) */
  unsigned *flags;   /* per-column HZ_COL_* */
  char **cells;      /* nrows * ncols cells, row-major, owned; NULL = absent */
  size_t nrows;      /* rows added */
  size_t cap_rows;   /* rows allocated */
  const char *title; /* xlsx sheet name suffix when a command writes several, or NULL */
} hz_table_t;

/* Columns get the kind of their key and all three flags (a default
 * table drops the columns no row fills). Returns 0 or -1. */
int hz_table_init(hz_table_t *t, size_t ncols, const char *const *keys);
void hz_table_free(hz_table_t *t);
void hz_table_set_align(hz_table_t *t, size_t col, hz_align_t align);
void hz_table_set_kind(hz_table_t *t, size_t col, hz_kind_t kind);
void hz_table_set_flags(hz_table_t *t, size_t col, unsigned flags);
/* Copies ncols cells (each may be NULL). Returns 0 or -1 (out of memory). */
int hz_table_add_row(hz_table_t *t, const char *const *cells);

/* An hz_out_t for fmt writing to out (tests, and the framework's start). */
void hz_out_init(hz_out_t *o, hz_format_t fmt, FILE *out, FILE *err);
/* Writes a whole listing in o->format. */
int hz_out_table(hz_out_t *o, const hz_table_t *t);
/* Writes a one-row listing as a record: "label  value" lines in a table,
 * otherwise like hz_out_table (json: an array of one object). */
int hz_out_record(hz_out_t *o, const hz_table_t *t);
/* Finishes the output (xlsx: writes the workbook). Returns 0 or -1. */
int hz_out_close(hz_out_t *o);

/* The columns written for t in o->format after --columns: their indexes
 * into *idx (malloc'd), their number into *n. Returns 0, -1 (memory) or
 * HZ_OUT_EBADCOL (printed). */
int hz_out_select(const hz_out_t *o, const hz_table_t *t, size_t **idx, size_t *n);
/* A header as people read it: the label in o->lang, plus the fixed unit
 * when with_unit ("同比(%)"). Written to buf. */
const char *hz_out_header(const hz_out_t *o, const char *key, hz_kind_t kind, int with_unit,
                          char *buf, size_t len);
/* A table cell as printed (separators, %, 是/否, times in the zone). */
const char *hz_out_cell_text(const hz_out_t *o, hz_kind_t kind, const char *raw, char *buf,
                             size_t len);
/* "1234567.5" -> "1,234,567.5"; other text is copied. */
void hz_group_thousands(const char *s, char *buf, size_t len);

/* JSON with jansson. A row of t as an object of the selected columns,
 * typed by kind (new reference, NULL when out of memory). */
json_t *hz_out_json_row(const hz_out_t *o, const hz_table_t *t, size_t row);
/* One cell as JSON: typed by kind, NULL -> null. New reference. */
json_t *hz_json_cell(hz_kind_t kind, const char *v);
/* A string with invalid UTF-8 replaced by U+FFFD (jansson refuses it). */
json_t *hz_json_text(const char *s);
/* An object of keys and values typed by the kinds of their keys in the
 * label table (new reference, NULL when out of memory): for documents a
 * command nests itself (a report with its values). */
json_t *hz_json_object(size_t n, const char *const *keys, const char *const *values);
/* Writes doc (a reference it takes) indented, with a newline. */
int hz_out_json_dump(hz_out_t *o, json_t *doc);

/* Streaming building blocks (one record at a time, e.g. an export):
 * a CSV row, and a JSON object whose values are typed by the kinds of
 * their keys in the label table. */
int hz_csv_write_row(FILE *out, size_t n, const char *const *cells);
int hz_json_write_string(FILE *out, const char *s); /* NULL writes null */
int hz_json_write_object(FILE *out, size_t n, const char *const *keys, const char *const *values);

/* Terminal columns taken by a code point: 0 (combining, zero-width), 1, or
 * 2 (East Asian Wide and Fullwidth). */
int hz_codepoint_width(uint32_t cp);
/* Decodes one UTF-8 sequence from s (n > 0 bytes available) for display.
 * Returns its length and the code point, or 1 and U+FFFD for an invalid
 * byte. Whether text is valid is hz_wire_utf8_check's question, not this. */
size_t hz_utf8_decode_lossy(const unsigned char *s, size_t n, uint32_t *cp);
/* Display width of a UTF-8 string as the table prints it. */
size_t hz_display_width(const char *s);
/* True for "12", "-4.90", "+.5", "54.71%": cells worth right-aligning. */
int hz_looks_numeric(const char *s);

/* A listing written batch by batch (an export of a million values): the
 * first batch fixes the columns (and a table's widths: later cells are
 * cut to them), each batch is an hz_table_t with the same keys whose rows
 * are written at once, and end closes the listing (json's "]").
 * Usage: begin(&s, o, first); batch(&s, first); batch(&s, next) ...;
 * end(&s). Same returns as hz_out_table. */
typedef struct hz_out_stream_s {
  hz_out_t *o;   /* where it goes */
  size_t *idx;   /* selected columns of the batches */
  size_t n;      /* how many */
  size_t shown;  /* table: columns that fit the width */
  size_t *width; /* table: column widths fixed by the first batch */
  int *right;    /* table: right-aligned columns */
  void *sheet;   /* xlsx: the worksheet */
  size_t rows;   /* rows written so far */
} hz_out_stream_t;

int hz_out_stream_begin(hz_out_stream_t *s, hz_out_t *o, const hz_table_t *first);
int hz_out_stream_batch(hz_out_stream_t *s, const hz_table_t *batch);
int hz_out_stream_end(hz_out_stream_t *s);
/* Drops a table's rows, keeping its columns (for the next batch). */
void hz_table_clear_rows(hz_table_t *t);

/* The text-table writer itself (output_text.c), for hz_out_table. */
int hz_out_write_text(hz_out_t *o, const hz_table_t *t, const size_t *idx, size_t n);
/* The xlsx writer (output_xlsx.c), for hz_out_table. */
int hz_out_write_xlsx(hz_out_t *o, const hz_table_t *t, const size_t *idx, size_t n);
/* The writers' halves behind hz_out_stream_* (output_text.c, output_xlsx.c). */
int hz_out_text_begin(hz_out_stream_t *s, const hz_table_t *first);
int hz_out_text_rows(hz_out_stream_t *s, const hz_table_t *batch);
int hz_out_xlsx_begin(hz_out_stream_t *s, const hz_table_t *first);
int hz_out_xlsx_rows(hz_out_stream_t *s, const hz_table_t *batch);
/* CSV of t in the selected columns: its header and/or its rows. */
enum { HZ_CSV_HEADER = 1, HZ_CSV_ROWS = 2 };
int hz_out_csv_rows(hz_out_t *o, const hz_table_t *t, const size_t *idx, size_t n, int what);

#endif
