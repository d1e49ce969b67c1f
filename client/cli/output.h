/* Rendering of results for both CLIs: an aligned text table that measures
 * display width (CJK wide characters take two columns), CSV (RFC 4180) and
 * JSON (an array of objects). A result is a list of column names and rows
 * of string cells; an absent cell (NULL) is empty in a table or CSV and
 * null in JSON. Values stay strings everywhere, so exact decimals such as
 * "4.90" are never turned into floating point on the way out. */
#ifndef HZ_CLI_OUTPUT_H
#define HZ_CLI_OUTPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef enum {
  HZ_FORMAT_TABLE = 0,
  HZ_FORMAT_CSV,
  HZ_FORMAT_JSON,
} hz_format_t;

/* "table", "csv" or "json". Returns 0, or -1 for anything else. */
int hz_format_parse(const char *s, hz_format_t *out);

typedef enum {
  HZ_ALIGN_AUTO = 0, /* right when every present cell is a number */
  HZ_ALIGN_LEFT,
  HZ_ALIGN_RIGHT,
} hz_align_t;

typedef struct hz_table_s {
  size_t ncols;      /* number of columns */
  char **headers;    /* column names, owned */
  hz_align_t *align; /* per-column alignment for the text table */
  char **cells;      /* nrows * ncols cells, row-major, owned; NULL = absent */
  size_t nrows;      /* rows added */
  size_t cap_rows;   /* rows allocated */
} hz_table_t;

int hz_table_init(hz_table_t *t, size_t ncols, const char *const *headers);
void hz_table_free(hz_table_t *t);
void hz_table_set_align(hz_table_t *t, size_t col, hz_align_t align);
/* Copies ncols cells (each may be NULL). Returns 0 or -1 (out of memory). */
int hz_table_add_row(hz_table_t *t, const char *const *cells);
/* Writes the whole result. Returns 0, or -1 when out fails. */
int hz_table_write(const hz_table_t *t, hz_format_t fmt, FILE *out);

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

/* Building blocks, also for streaming output (one record at a time). */
int hz_csv_write_row(FILE *out, size_t n, const char *const *cells);
int hz_json_write_string(FILE *out, const char *s); /* NULL writes null */
int hz_json_write_object(FILE *out, size_t n, const char *const *keys, const char *const *values);

#endif
