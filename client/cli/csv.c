/* CSV parsing (a small state machine over the whole file held in memory)
 * and the mapping of header names onto a command's expected columns. */
#include "csv.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "wire/utf8.h"

/* Where the parser is in the file. */
typedef struct cursor_s {
  const char *data; /* the file */
  size_t len;       /* its length */
  size_t pos;       /* next byte to read */
  size_t line;      /* 1-based line of data[pos] */
} cursor_t;

/* A growing byte buffer for the field being read. */
typedef struct buf_s {
  char *p;    /* bytes, NUL-terminated when handed out */
  size_t n;   /* bytes used */
  size_t cap; /* bytes allocated */
} buf_t;

/* Fields of the record being read. */
typedef struct fields_s {
  char **v;   /* owned strings */
  size_t n;   /* how many */
  size_t cap; /* allocated */
} fields_t;

/* Result of reading one record. */
enum { REC_OK = 0, REC_BAD = 1, REC_NOMEM = -1 };

static int buf_put(buf_t *b, char c) {
  if (b->n + 1 >= b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 64;
    char *p = realloc(b->p, cap);
    if (!p)
      return -1;
    b->p = p;
    b->cap = cap;
  }
  b->p[b->n++] = c;
  return 0;
}

static void fields_free(fields_t *f) {
  for (size_t i = 0; i < f->n; i++)
    free(f->v[i]);
  free(f->v);
  memset(f, 0, sizeof(*f));
}

static int fields_push(fields_t *f, const char *s, size_t len) {
  if (f->n == f->cap) {
    size_t cap = f->cap ? f->cap * 2 : 8;
    char **v = realloc(f->v, cap * sizeof(*v));
    if (!v)
      return -1;
    f->v = v;
    f->cap = cap;
  }
  char *copy = malloc(len + 1);
  if (!copy)
    return -1;
  memcpy(copy, s, len);
  copy[len] = '\0';
  f->v[f->n++] = copy;
  return 0;
}

static int at_end(const cursor_t *c) {
  return c->pos >= c->len;
}

static char peek(const cursor_t *c) {
  return at_end(c) ? '\0' : c->data[c->pos];
}

static int is_line_end(char ch) {
  return ch == '\n' || ch == '\r';
}

static int is_blank(char ch) {
  return ch == ' ' || ch == '\t';
}

/* Consumes one line end (CRLF, LF or CR) if there is one. */
static void take_line_end(cursor_t *c) {
  if (peek(c) == '\r') {
    c->pos++;
    if (peek(c) == '\n')
      c->pos++;
    c->line++;
  } else if (peek(c) == '\n') {
    c->pos++;
    c->line++;
  }
}

/* After a problem: drop the rest of the physical line. */
static void skip_line(cursor_t *c) {
  while (!at_end(c) && !is_line_end(peek(c)))
    c->pos++;
  take_line_end(c);
}

static void skip_blanks(cursor_t *c) {
  while (is_blank(peek(c)))
    c->pos++;
}

/* Reads a quoted field's content after its opening quote. */
static int read_quoted(cursor_t *c, buf_t *b, size_t field_no, hz_diags_t *d) {
  size_t opened = c->line;
  for (;;) {
    if (at_end(c)) {
      hz_diags_add(d, opened, "field %zu: the quote opened here is never closed", field_no);
      return REC_BAD;
    }
    char ch = c->data[c->pos];
    if (ch == '"') {
      if (c->pos + 1 < c->len && c->data[c->pos + 1] == '"') {
        if (buf_put(b, '"') < 0)
          return REC_NOMEM;
        c->pos += 2;
        continue;
      }
      c->pos++;
      break;
    }
    if (is_line_end(ch)) {
      take_line_end(c);
      ch = '\n';
    } else {
      c->pos++;
    }
    if (buf_put(b, ch) < 0)
      return REC_NOMEM;
  }
  skip_blanks(c);
  char next = peek(c);
  if (!at_end(c) && next != ',' && !is_line_end(next)) {
    hz_diags_add(d, c->line,
                 "field %zu: unexpected text after the closing quote "
                 "(a quote inside a quoted field is written \"\")",
                 field_no);
    skip_line(c);
    return REC_BAD;
  }
  return REC_OK;
}

/* Reads an unquoted field up to the next comma or line end. */
static int read_plain(cursor_t *c, buf_t *b, size_t field_no, hz_diags_t *d) {
  while (!at_end(c) && peek(c) != ',' && !is_line_end(peek(c))) {
    if (peek(c) == '"') {
      hz_diags_add(d, c->line,
                   "field %zu: quote inside an unquoted field (put the whole "
                   "field in quotes and double the quotes inside it)",
                   field_no);
      skip_line(c);
      return REC_BAD;
    }
    if (buf_put(b, c->data[c->pos++]) < 0)
      return REC_NOMEM;
  }
  while (b->n > 0 && is_blank(b->p[b->n - 1]))
    b->n--;
  return REC_OK;
}

/* UTF-8 and no NUL: anything else is most likely a GBK export. */
static int check_text(const buf_t *b, size_t line, size_t field_no, hz_diags_t *d) {
  size_t bad;
  if (hz_wire_utf8_check(b->p, b->n, &bad) == 0)
    return 0;
  if (b->p[bad] == '\0')
    hz_diags_add(d, line, "field %zu contains a NUL byte", field_no);
  else
    hz_diags_add(d, line, "field %zu is not valid UTF-8 (save the file as UTF-8)", field_no);
  return -1;
}

/* Reads one record into f. */
static int read_record(cursor_t *c, fields_t *f, buf_t *b, hz_diags_t *d) {
  int bad = 0;
  for (;;) {
    size_t field_no = f->n + 1;
    size_t field_line = c->line;
    b->n = 0;
    skip_blanks(c);
    int r;
    if (peek(c) == '"') {
      c->pos++;
      r = read_quoted(c, b, field_no, d);
    } else {
      r = read_plain(c, b, field_no, d);
    }
    if (r != REC_OK)
      return r;
    if (check_text(b, field_line, field_no, d) < 0)
      bad = 1;
    if (fields_push(f, b->n ? b->p : "", b->n) < 0)
      return REC_NOMEM;
    if (peek(c) == ',' && !at_end(c)) {
      c->pos++;
      continue;
    }
    take_line_end(c);
    return bad ? REC_BAD : REC_OK;
  }
}

static int all_empty(const fields_t *f) {
  for (size_t i = 0; i < f->n; i++)
    if (f->v[i][0] != '\0')
      return 0;
  return 1;
}

int hz_csv_append(hz_csv_t *csv, size_t line, char **fields, size_t nfields) {
  if (csv->nrecords == csv->cap) {
    size_t cap = csv->cap ? csv->cap * 2 : 64;
    hz_csv_record_t *r = realloc(csv->records, cap * sizeof(*r));
    if (!r)
      return -1;
    csv->records = r;
    csv->cap = cap;
  }
  csv->records[csv->nrecords++] =
      (hz_csv_record_t){.line = line, .nfields = nfields, .fields = fields};
  return 0;
}

static int keep_record(hz_csv_t *csv, fields_t *f, size_t line) {
  if (csv->nrecords == csv->cap) {
    size_t cap = csv->cap ? csv->cap * 2 : 64;
    hz_csv_record_t *r = realloc(csv->records, cap * sizeof(*r));
    if (!r)
      return -1;
    csv->records = r;
    csv->cap = cap;
  }
  hz_csv_record_t *r = &csv->records[csv->nrecords++];
  r->line = line;
  r->nfields = f->n;
  r->fields = f->v;
  memset(f, 0, sizeof(*f));
  return 0;
}

int hz_csv_parse(hz_csv_t *csv, const char *data, size_t len, hz_diags_t *d) {
  memset(csv, 0, sizeof(*csv));
  cursor_t c = {.data = data, .len = len, .pos = 0, .line = 1};
  if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
    c.pos = 3;
  buf_t b = {0};
  fields_t f = {0};
  int rc = 0;
  while (!at_end(&c)) {
    size_t line = c.line;
    int r = read_record(&c, &f, &b, d);
    if (r == REC_NOMEM) {
      rc = -1;
      break;
    }
    if (r == REC_OK && !all_empty(&f)) {
      if (keep_record(csv, &f, line) < 0) {
        rc = -1;
        break;
      }
    }
    fields_free(&f);
  }
  fields_free(&f);
  free(b.p);
  return rc;
}

void hz_csv_free(hz_csv_t *csv) {
  for (size_t i = 0; i < csv->nrecords; i++) {
    for (size_t k = 0; k < csv->records[i].nfields; k++)
      free(csv->records[i].fields[k]);
    free(csv->records[i].fields);
  }
  free(csv->records);
  memset(csv, 0, sizeof(*csv));
}

/* ---- columns ---- */

/* Records searched for a header. */
#define HEADER_SEARCH 5

/* Does name match one of the '|'-separated spellings in spec? */
static int name_matches(const char *spec, const char *name) {
  size_t nl = strlen(name);
  while (*spec) {
    const char *bar = strchr(spec, '|');
    size_t sl = bar ? (size_t)(bar - spec) : strlen(spec);
    if (sl == nl && strncasecmp(spec, name, nl) == 0)
      return 1;
    spec += sl + (bar ? 1 : 0);
  }
  return 0;
}

/* The canonical (first) spelling of a column, for messages. */
static int canonical_len(const char *spec) {
  const char *bar = strchr(spec, '|');
  return bar ? (int)(bar - spec) : (int)strlen(spec);
}

static int is_header(const hz_csv_record_t *r, const hz_csv_column_t *cols) {
  for (size_t k = 0; k < r->nfields; k++)
    if (name_matches(cols[0].name, r->fields[k]))
      return 1;
  return 0;
}

static void list_expected(const hz_csv_column_t *cols, size_t ncols, char *buf, size_t len) {
  size_t used = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < ncols && used < len; i++)
    if (!cols[i].ignored)
      used += (size_t)snprintf(buf + used, len - used, "%s%.*s", used ? "," : "",
                               canonical_len(cols[i].name), cols[i].name);
}

static int map_header(const hz_csv_record_t *h, const hz_csv_column_t *cols, size_t ncols,
                      hz_csv_layout_t *layout, hz_diags_t *d) {
  int ok = 0;
  char expected[256];
  list_expected(cols, ncols, expected, sizeof(expected));
  for (size_t k = 0; k < h->nfields; k++) {
    size_t i = 0;
    if (h->fields[k][0] == '\0')
      continue; /* a column without a header is nobody's */
    while (i < ncols && !name_matches(cols[i].name, h->fields[k]))
      i++;
    if (i == ncols) {
      hz_diags_add(d, h->line, "unknown column '%s' (columns: %s)", h->fields[k], expected);
      ok = -1;
    } else if (cols[i].ignored) {
      continue; /* descriptive: read by people, not by us */
    } else if (layout->index[i] >= 0) {
      hz_diags_add(d, h->line, "column '%s' appears twice", h->fields[k]);
      ok = -1;
    } else {
      layout->index[i] = (int)k;
    }
  }
  for (size_t i = 0; i < ncols; i++) {
    if (cols[i].required && layout->index[i] < 0) {
      hz_diags_add(d, h->line, "the header lacks column '%.*s' (columns: %s)",
                   canonical_len(cols[i].name), cols[i].name, expected);
      ok = -1;
    }
  }
  layout->nfields = h->nfields;
  layout->first = 1;
  return ok;
}

int hz_csv_map_columns(const hz_csv_t *csv, const hz_csv_column_t *cols, size_t ncols,
                       hz_csv_layout_t *layout, hz_diags_t *d) {
  size_t max = sizeof(layout->index) / sizeof(layout->index[0]);
  if (ncols == 0 || ncols > max)
    return -1;
  memset(layout, 0, sizeof(*layout));
  layout->ncols = ncols;
  for (size_t i = 0; i < max; i++)
    layout->index[i] = -1;
  /* A sheet often opens with a title row or two ("南漳县2022年一季度"):
   * the header may be any of the first HEADER_SEARCH records, and what
   * comes before it is not data. */
  for (size_t k = 0; k < csv->nrecords && k < HEADER_SEARCH; k++) {
    if (is_header(&csv->records[k], cols)) {
      int rc = map_header(&csv->records[k], cols, ncols, layout, d);
      layout->first = k + 1;
      return rc;
    }
  }
  size_t k = 0;
  for (size_t i = 0; i < ncols; i++)
    if (!cols[i].ignored)
      layout->index[i] = (int)k++;
  layout->nfields = k;
  layout->first = 0;
  return 0;
}

int hz_csv_check_record(const hz_csv_record_t *r, const hz_csv_column_t *cols,
                        const hz_csv_layout_t *layout, hz_diags_t *d) {
  if (r->nfields > layout->nfields) {
    hz_diags_add(d, r->line, "%zu fields, expected at most %zu%s", r->nfields, layout->nfields,
                 layout->first ? " (as many as the header)" : "");
    return -1;
  }
  int ok = 0;
  for (size_t i = 0; i < layout->ncols; i++) {
    if (cols[i].required == HZ_CSV_REQUIRED && hz_csv_get(r, layout, i)[0] == '\0') {
      hz_diags_add(d, r->line, "%.*s is missing", canonical_len(cols[i].name), cols[i].name);
      ok = -1;
    }
  }
  return ok;
}

const char *hz_csv_get(const hz_csv_record_t *r, const hz_csv_layout_t *layout, size_t col) {
  if (col >= layout->ncols)
    return "";
  int k = layout->index[col];
  return k >= 0 && (size_t)k < r->nfields ? r->fields[k] : "";
}
