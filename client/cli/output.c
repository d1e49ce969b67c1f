/* Table, CSV and JSON rendering with UTF-8 decoded by wire/utf8.h and a
 * display width table for East Asian Wide/Fullwidth characters (Unicode UAX #11),
 * so Chinese region and indicator names line up in a terminal. */
#include "output.h"

#include <stdlib.h>
#include <string.h>

#include "wire/utf8.h"

int hz_format_parse(const char *s, hz_format_t *out) {
  if (!s)
    return -1;
  if (strcmp(s, "table") == 0)
    *out = HZ_FORMAT_TABLE;
  else if (strcmp(s, "csv") == 0)
    *out = HZ_FORMAT_CSV;
  else if (strcmp(s, "json") == 0)
    *out = HZ_FORMAT_JSON;
  else
    return -1;
  return 0;
}

/* ---- UTF-8 and display width ---- */

/* Display policy over the shared decoder: an invalid byte shows as U+FFFD
 * and the next byte is tried, so one bad byte costs one replacement. */
size_t hz_utf8_decode_lossy(const unsigned char *s, size_t n, uint32_t *cp) {
  size_t len = hz_wire_utf8_decode(s, n, cp);
  if (len == 0) {
    *cp = 0xFFFD;
    return 1;
  }
  return len;
}

typedef struct {
  uint32_t lo, hi;
} range_t;

/* Combining marks and format characters that take no column. */
static const range_t zero_width[] = {
    {0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD},   {0x0610, 0x061A}, {0x064B, 0x065F},
    {0x1160, 0x11FF}, {0x1AB0, 0x1AFF}, {0x1DC0, 0x1DFF},   {0x200B, 0x200F}, {0x202A, 0x202E},
    {0x2060, 0x2064}, {0x20D0, 0x20FF}, {0x302A, 0x302D},   {0x3099, 0x309A}, {0xFE00, 0xFE0F},
    {0xFE20, 0xFE2F}, {0xFEFF, 0xFEFF}, {0xE0100, 0xE01EF},
};

/* East Asian Wide (W) and Fullwidth (F) blocks, including the emoji
 * presentation ranges terminals draw two columns wide. Sorted. */
static const range_t wide[] = {
    {0x1100, 0x115F},   {0x231A, 0x231B},   {0x2329, 0x232A},   {0x23E9, 0x23EC},
    {0x23F0, 0x23F0},   {0x23F3, 0x23F3},   {0x25FD, 0x25FE},   {0x2614, 0x2615},
    {0x2648, 0x2653},   {0x267F, 0x267F},   {0x2693, 0x2693},   {0x26A1, 0x26A1},
    {0x26AA, 0x26AB},   {0x26BD, 0x26BE},   {0x26C4, 0x26C5},   {0x26CE, 0x26CE},
    {0x26D4, 0x26D4},   {0x26EA, 0x26EA},   {0x26F2, 0x26F3},   {0x26F5, 0x26F5},
    {0x26FA, 0x26FA},   {0x26FD, 0x26FD},   {0x2705, 0x2705},   {0x270A, 0x270B},
    {0x2728, 0x2728},   {0x274C, 0x274C},   {0x274E, 0x274E},   {0x2753, 0x2755},
    {0x2757, 0x2757},   {0x2795, 0x2797},   {0x27B0, 0x27B0},   {0x27BF, 0x27BF},
    {0x2B1B, 0x2B1C},   {0x2B50, 0x2B50},   {0x2B55, 0x2B55},   {0x2E80, 0x303E},
    {0x3041, 0x33FF},   {0x3400, 0x4DBF},   {0x4E00, 0x9FFF},   {0xA000, 0xA4CF},
    {0xA960, 0xA97F},   {0xAC00, 0xD7A3},   {0xF900, 0xFAFF},   {0xFE10, 0xFE19},
    {0xFE30, 0xFE6F},   {0xFF00, 0xFF60},   {0xFFE0, 0xFFE6},   {0x16FE0, 0x16FE4},
    {0x17000, 0x18CFF}, {0x1B000, 0x1B2FF}, {0x1F004, 0x1F004}, {0x1F0CF, 0x1F0CF},
    {0x1F18E, 0x1F18E}, {0x1F191, 0x1F19A}, {0x1F200, 0x1F202}, {0x1F210, 0x1F23B},
    {0x1F240, 0x1F248}, {0x1F250, 0x1F251}, {0x1F260, 0x1F265}, {0x1F300, 0x1F64F},
    {0x1F680, 0x1F6FF}, {0x1F900, 0x1F9FF}, {0x1FA70, 0x1FAFF}, {0x20000, 0x2FFFD},
    {0x30000, 0x3FFFD},
};

static int in_ranges(uint32_t cp, const range_t *r, size_t n) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (cp < r[mid].lo)
      hi = mid;
    else if (cp > r[mid].hi)
      lo = mid + 1;
    else
      return 1;
  }
  return 0;
}

int hz_codepoint_width(uint32_t cp) {
  if (in_ranges(cp, zero_width, sizeof(zero_width) / sizeof(zero_width[0])))
    return 0;
  if (in_ranges(cp, wide, sizeof(wide) / sizeof(wide[0])))
    return 2;
  return 1;
}

/* The table never lets a cell move the cursor: controls become spaces. */
static int is_control(uint32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp < 0xA0);
}

size_t hz_display_width(const char *s) {
  const unsigned char *p = (const unsigned char *)s;
  size_t n = strlen(s), w = 0;
  while (n > 0) {
    uint32_t cp;
    size_t len = hz_utf8_decode_lossy(p, n, &cp);
    w += is_control(cp) ? 1 : (size_t)hz_codepoint_width(cp);
    p += len;
    n -= len;
  }
  return w;
}

/* Writes s as hz_display_width measured it: controls as spaces, invalid
 * bytes as U+FFFD. */
static int write_sanitized(FILE *out, const char *s) {
  const unsigned char *p = (const unsigned char *)s;
  size_t n = strlen(s);
  while (n > 0) {
    uint32_t cp;
    size_t len = hz_utf8_decode_lossy(p, n, &cp);
    if (is_control(cp))
      fputc(' ', out);
    else if (cp == 0xFFFD && len == 1)
      fputs("\xEF\xBF\xBD", out);
    else
      fwrite(p, 1, len, out);
    p += len;
    n -= len;
  }
  return ferror(out) ? -1 : 0;
}

int hz_looks_numeric(const char *s) {
  size_t i = 0, digits = 0;
  if (s[i] == '+' || s[i] == '-')
    i++;
  while (s[i] >= '0' && s[i] <= '9')
    i++, digits++;
  if (s[i] == '.') {
    i++;
    while (s[i] >= '0' && s[i] <= '9')
      i++, digits++;
  }
  if (s[i] == '%')
    i++;
  return digits > 0 && s[i] == '\0';
}

/* ---- the table itself ---- */

static char *dup_or_null(const char *s) {
  return s ? strdup(s) : NULL;
}

int hz_table_init(hz_table_t *t, size_t ncols, const char *const *headers) {
  memset(t, 0, sizeof(*t));
  t->headers = calloc(ncols ? ncols : 1, sizeof(char *));
  t->align = calloc(ncols ? ncols : 1, sizeof(hz_align_t));
  if (!t->headers || !t->align) {
    hz_table_free(t);
    return -1;
  }
  t->ncols = ncols;
  for (size_t c = 0; c < ncols; c++) {
    if (!(t->headers[c] = strdup(headers[c] ? headers[c] : ""))) {
      hz_table_free(t);
      return -1;
    }
  }
  return 0;
}

void hz_table_free(hz_table_t *t) {
  for (size_t i = 0; t->cells && i < t->nrows * t->ncols; i++)
    free(t->cells[i]);
  for (size_t c = 0; t->headers && c < t->ncols; c++)
    free(t->headers[c]);
  free(t->cells);
  free(t->headers);
  free(t->align);
  memset(t, 0, sizeof(*t));
}

void hz_table_set_align(hz_table_t *t, size_t col, hz_align_t align) {
  if (col < t->ncols)
    t->align[col] = align;
}

int hz_table_add_row(hz_table_t *t, const char *const *cells) {
  if (t->nrows == t->cap_rows) {
    size_t cap = t->cap_rows ? t->cap_rows * 2 : 16;
    char **nc = realloc(t->cells, cap * (t->ncols ? t->ncols : 1) * sizeof(char *));
    if (!nc)
      return -1;
    t->cells = nc;
    t->cap_rows = cap;
  }
  char **row = t->cells + t->nrows * t->ncols;
  for (size_t c = 0; c < t->ncols; c++) {
    row[c] = dup_or_null(cells[c]);
    if (cells[c] && !row[c]) {
      while (c-- > 0)
        free(row[c]);
      return -1;
    }
  }
  t->nrows++;
  return 0;
}

static const char *cell(const hz_table_t *t, size_t r, size_t c) {
  return t->cells[r * t->ncols + c];
}

static int right_aligned(const hz_table_t *t, size_t c) {
  if (t->align[c] != HZ_ALIGN_AUTO)
    return t->align[c] == HZ_ALIGN_RIGHT;
  int any = 0;
  for (size_t r = 0; r < t->nrows; r++) {
    const char *v = cell(t, r, c);
    if (!v || !*v)
      continue;
    if (!hz_looks_numeric(v))
      return 0;
    any = 1;
  }
  return any;
}

static void pad(FILE *out, size_t n, char ch) {
  while (n-- > 0)
    fputc(ch, out);
}

/* One line of the text table. Blanks are held back until something
 * visible follows, so no line ends in spaces whatever cells are empty. */
static void write_line(FILE *out, const hz_table_t *t, const char *const *vals, const size_t *width,
                       const int *right) {
  size_t blanks = 0;
  for (size_t c = 0; c < t->ncols; c++) {
    const char *v = vals[c] ? vals[c] : "";
    size_t w = hz_display_width(v);
    size_t fill = width[c] > w ? width[c] - w : 0;
    if (c > 0)
      blanks += 2;
    if (right[c])
      blanks += fill;
    if (*v) {
      pad(out, blanks, ' ');
      blanks = 0;
      write_sanitized(out, v);
    }
    if (!right[c])
      blanks += fill;
  }
  fputc('\n', out);
}

static int write_text(const hz_table_t *t, FILE *out) {
  size_t *width = calloc(t->ncols ? t->ncols : 1, sizeof(size_t));
  int *right = calloc(t->ncols ? t->ncols : 1, sizeof(int));
  if (!width || !right) {
    free(width);
    free(right);
    return -1;
  }
  for (size_t c = 0; c < t->ncols; c++) {
    width[c] = hz_display_width(t->headers[c]);
    for (size_t r = 0; r < t->nrows; r++) {
      const char *v = cell(t, r, c);
      size_t w = v ? hz_display_width(v) : 0;
      if (w > width[c])
        width[c] = w;
    }
    right[c] = right_aligned(t, c);
  }
  write_line(out, t, (const char *const *)t->headers, width, right);
  for (size_t c = 0; c < t->ncols; c++) {
    if (c > 0)
      fputs("  ", out);
    pad(out, width[c], '-');
  }
  fputc('\n', out);
  for (size_t r = 0; r < t->nrows; r++)
    write_line(out, t, (const char *const *)(t->cells + r * t->ncols), width, right);
  free(width);
  free(right);
  return ferror(out) ? -1 : 0;
}

/* ---- CSV (RFC 4180) ---- */

static void write_csv_field(FILE *out, const char *v) {
  if (!v)
    return;
  if (!strpbrk(v, ",\"\r\n")) {
    fputs(v, out);
    return;
  }
  fputc('"', out);
  for (const char *p = v; *p; p++) {
    if (*p == '"')
      fputc('"', out);
    fputc(*p, out);
  }
  fputc('"', out);
}

int hz_csv_write_row(FILE *out, size_t n, const char *const *cells) {
  for (size_t c = 0; c < n; c++) {
    if (c > 0)
      fputc(',', out);
    write_csv_field(out, cells[c]);
  }
  fputs("\r\n", out);
  return ferror(out) ? -1 : 0;
}

static int write_csv(const hz_table_t *t, FILE *out) {
  hz_csv_write_row(out, t->ncols, (const char *const *)t->headers);
  for (size_t r = 0; r < t->nrows; r++)
    hz_csv_write_row(out, t->ncols, (const char *const *)(t->cells + r * t->ncols));
  return ferror(out) ? -1 : 0;
}

/* ---- JSON ---- */

int hz_json_write_string(FILE *out, const char *s) {
  if (!s) {
    fputs("null", out);
    return ferror(out) ? -1 : 0;
  }
  const unsigned char *p = (const unsigned char *)s;
  size_t n = strlen(s);
  fputc('"', out);
  while (n > 0) {
    uint32_t cp;
    size_t len = hz_utf8_decode_lossy(p, n, &cp);
    switch (cp) {
    case '"': fputs("\\\"", out); break;
    case '\\': fputs("\\\\", out); break;
    case '\b': fputs("\\b", out); break;
    case '\f': fputs("\\f", out); break;
    case '\n': fputs("\\n", out); break;
    case '\r': fputs("\\r", out); break;
    case '\t': fputs("\\t", out); break;
    default:
      /* Invalid bytes become U+FFFD so the document stays valid UTF-8;
       * U+2028/2029 are escaped for JavaScript consumers. */
      if (cp < 0x20 || cp == 0x2028 || cp == 0x2029 || (cp == 0xFFFD && len == 1))
        fprintf(out, "\\u%04x", (unsigned)cp);
      else
        fwrite(p, 1, len, out);
    }
    p += len;
    n -= len;
  }
  fputc('"', out);
  return ferror(out) ? -1 : 0;
}

int hz_json_write_object(FILE *out, size_t n, const char *const *keys, const char *const *values) {
  fputc('{', out);
  for (size_t c = 0; c < n; c++) {
    if (c > 0)
      fputs(", ", out);
    hz_json_write_string(out, keys[c] ? keys[c] : "");
    fputs(": ", out);
    hz_json_write_string(out, values[c]);
  }
  fputc('}', out);
  return ferror(out) ? -1 : 0;
}

static int write_json(const hz_table_t *t, FILE *out) {
  if (t->nrows == 0) {
    fputs("[]\n", out);
    return ferror(out) ? -1 : 0;
  }
  fputs("[\n", out);
  for (size_t r = 0; r < t->nrows; r++) {
    fputs("  ", out);
    hz_json_write_object(out, t->ncols, (const char *const *)t->headers,
                         (const char *const *)(t->cells + r * t->ncols));
    fputs(r + 1 < t->nrows ? ",\n" : "\n", out);
  }
  fputs("]\n", out);
  return ferror(out) ? -1 : 0;
}

int hz_table_write(const hz_table_t *t, hz_format_t fmt, FILE *out) {
  switch (fmt) {
  case HZ_FORMAT_CSV: return write_csv(t, out);
  case HZ_FORMAT_JSON: return write_json(t, out);
  default: return write_text(t, out);
  }
}
