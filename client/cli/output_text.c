/* The aligned text table: display widths of UTF-8 text (East Asian Wide
 * and Fullwidth characters take two columns, Unicode UAX #11, so Chinese
 * names line up), cells rendered per kind, and the fit to the width of the
 * terminal: the widest name or free-text columns are cut first, then
 * columns on the right are left out, with a note saying which. */
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "wire/utf8.h"

/* Text columns are never cut below this many display columns. */
#define MIN_TEXT_WIDTH      8
/* Before leaving columns out, names are cut no shorter than this (eight
 * Chinese characters: 人居环境整治出动… still says what it is). */
#define READABLE_TEXT_WIDTH 16
/* Room for one rendered cell. */
#define CELL_MAX            512

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

/* ---- the table ---- */

/* Rendered cells and their geometry for the chosen columns. */
typedef struct grid_s {
  size_t n;      /* columns shown */
  size_t rows;   /* data rows */
  char **text;   /* (rows + 1) * n rendered cells, the headers first; owned */
  size_t *width; /* per shown column: display width */
  int *right;    /* per shown column: right-aligned */
  int *cuttable; /* per shown column: text that may be cut */
} grid_t;

static void grid_free(grid_t *g) {
  for (size_t i = 0; g->text && i < (g->rows + 1) * g->n; i++)
    free(g->text[i]);
  free(g->text);
  free(g->width);
  free(g->right);
  free(g->cuttable);
}

static int right_aligned(const hz_table_t *t, size_t c) {
  if (t->align[c] != HZ_ALIGN_AUTO)
    return t->align[c] == HZ_ALIGN_RIGHT;
  switch (t->kind[c]) {
  case HZ_KIND_INT:
  case HZ_KIND_DECIMAL:
  case HZ_KIND_PERCENT:
  case HZ_KIND_POINTS:
  case HZ_KIND_FIGURE: return 1;
  case HZ_KIND_TEXT: break;
  default: return 0;
  }
  int any = 0;
  for (size_t r = 0; r < t->nrows; r++) {
    const char *v = t->cells[r * t->ncols + c];
    if (!v || !*v)
      continue;
    if (!hz_looks_numeric(v))
      return 0;
    any = 1;
  }
  return any;
}

/* Names and free text (a cell with a space or a non-ASCII character) may
 * be cut to fit; codes, periods and states never are: "4206241…" would
 * name nothing. */
static int free_text(const hz_table_t *t, size_t c) {
  for (size_t r = 0; r < t->nrows; r++) {
    const unsigned char *v = (const unsigned char *)t->cells[r * t->ncols + c];
    for (; v && *v; v++)
      if (*v == ' ' || *v >= 0x80)
        return 1;
  }
  return 0;
}

/* Renders headers and cells. Returns 0 or -1. */
static int grid_build(grid_t *g, const hz_out_t *o, const hz_table_t *t, const size_t *idx,
                      size_t n) {
  memset(g, 0, sizeof(*g));
  g->n = n;
  g->rows = t->nrows;
  g->text = calloc((t->nrows + 1) * (n ? n : 1), sizeof(char *));
  g->width = calloc(n ? n : 1, sizeof(size_t));
  g->right = calloc(n ? n : 1, sizeof(int));
  g->cuttable = calloc(n ? n : 1, sizeof(int));
  if (!g->text || !g->width || !g->right || !g->cuttable)
    return -1;
  char buf[CELL_MAX];
  for (size_t k = 0; k < n; k++) {
    size_t c = idx[k];
    /* Percent cells carry their '%'; points need the unit in the header. */
    int unit = t->kind[c] == HZ_KIND_POINTS;
    if (!(g->text[k] = strdup(hz_out_header(o, t->headers[c], t->kind[c], unit, buf, sizeof(buf)))))
      return -1;
    g->right[k] = right_aligned(t, c);
    g->cuttable[k] = t->kind[c] == HZ_KIND_TEXT && !g->right[k] && free_text(t, c);
    for (size_t r = 0; r < t->nrows; r++) {
      const char *v = hz_out_cell_text(o, t->kind[c], t->cells[r * t->ncols + c], buf, sizeof(buf));
      if (!(g->text[(r + 1) * n + k] = strdup(v)))
        return -1;
    }
  }
  for (size_t k = 0; k < n; k++)
    for (size_t r = 0; r <= t->nrows; r++) {
      size_t w = hz_display_width(g->text[r * n + k]);
      g->width[k] = w > g->width[k] ? w : g->width[k];
    }
  return 0;
}

static size_t total_width(const grid_t *g, size_t shown) {
  size_t w = 0;
  for (size_t k = 0; k < shown; k++)
    w += g->width[k] + (k ? 2 : 0);
  return w;
}

/* Cuts the widest cuttable columns, one display column at a time, down
 * to floor, until the first `shown` columns fit budget. */
static void cut_down(grid_t *g, size_t shown, size_t budget, size_t floor) {
  while (total_width(g, shown) > budget) {
    size_t best = shown;
    for (size_t k = 0; k < shown; k++)
      if (g->cuttable[k] && g->width[k] > floor && (best == shown || g->width[k] > g->width[best]))
        best = k;
    if (best == shown)
      return;
    g->width[best]--;
  }
}

/* Makes the table fit: names are cut to a readable width first, then
 * columns on the right are left out (the first two, what a row is about,
 * stay), then names are cut further. Returns how many columns stay. */
static size_t fit(grid_t *g, size_t budget) {
  size_t shown = g->n;
  if (budget == 0)
    return shown;
  cut_down(g, shown, budget, READABLE_TEXT_WIDTH);
  while (shown > 2 && total_width(g, shown) > budget)
    shown--;
  cut_down(g, shown, budget, MIN_TEXT_WIDTH);
  while (shown > 1 && total_width(g, shown) > budget)
    shown--;
  return shown;
}

/* s cut to at most w display columns, ending in "…" when cut. */
static char *cut(const char *s, size_t w) {
  size_t full = hz_display_width(s);
  if (full <= w)
    return NULL;
  const unsigned char *p = (const unsigned char *)s;
  size_t n = strlen(s), used = 0, bytes = 0;
  while (bytes < n) {
    uint32_t cp;
    size_t len = hz_utf8_decode_lossy(p + bytes, n - bytes, &cp);
    size_t cw = (size_t)hz_codepoint_width(cp);
    if (used + cw + 1 > w)
      break;
    used += cw;
    bytes += len;
  }
  char *out = malloc(bytes + 4);
  if (out) {
    memcpy(out, s, bytes);
    memcpy(out + bytes, "\xE2\x80\xA6", 4); /* … */
  }
  return out;
}

static void pad(FILE *out, size_t n, char ch) {
  while (n-- > 0)
    fputc(ch, out);
}

/* One line. Blanks are held back until something visible follows, so no
 * line ends in spaces whatever cells are empty. */
static void write_line(FILE *out, const grid_t *g, size_t row, size_t shown) {
  size_t blanks = 0;
  for (size_t k = 0; k < shown; k++) {
    const char *v = g->text[row * g->n + k];
    char *short_v = cut(v, g->width[k]);
    if (short_v)
      v = short_v;
    size_t w = hz_display_width(v);
    size_t fill = g->width[k] > w ? g->width[k] - w : 0;
    if (k > 0)
      blanks += 2;
    if (g->right[k])
      blanks += fill;
    if (*v) {
      pad(out, blanks, ' ');
      blanks = 0;
      write_sanitized(out, v);
    }
    if (!g->right[k])
      blanks += fill;
    free(short_v);
  }
  fputc('\n', out);
}

static void note_hidden(const hz_out_t *o, const hz_table_t *t, const size_t *idx, size_t n,
                        size_t shown) {
  char names[512] = "";
  for (size_t k = shown; k < n; k++) {
    size_t used = strlen(names);
    snprintf(names + used, sizeof(names) - used, "%s%s", k > shown ? "," : "", t->headers[idx[k]]);
  }
  fputs(hz_msg(o->lang, HZ_MSG_NOTE), o->err);
  fprintf(o->err, hz_msg(o->lang, HZ_MSG_HIDDEN_COLS), n - shown, o->width, names);
  fputc('\n', o->err);
}

int hz_out_write_text(hz_out_t *o, const hz_table_t *t, const size_t *idx, size_t n) {
  grid_t g;
  if (grid_build(&g, o, t, idx, n) < 0) {
    grid_free(&g);
    return -1;
  }
  size_t shown = fit(&g, o->width);
  write_line(o->out, &g, 0, shown);
  for (size_t k = 0; k < shown; k++) {
    if (k > 0)
      fputs("  ", o->out);
    pad(o->out, g.width[k], '-');
  }
  fputc('\n', o->out);
  for (size_t r = 1; r <= g.rows; r++)
    write_line(o->out, &g, r, shown);
  if (shown < n)
    note_hidden(o, t, idx, n, shown);
  grid_free(&g);
  return ferror(o->out) ? -1 : 0;
}

/* ---- streamed tables: widths fixed by the first batch ---- */

int hz_out_text_begin(hz_out_stream_t *s, const hz_table_t *first) {
  grid_t g;
  hz_out_t *o = s->o;
  s->width = calloc(s->n ? s->n : 1, sizeof(size_t));
  s->right = calloc(s->n ? s->n : 1, sizeof(int));
  if (!s->width || !s->right || grid_build(&g, o, first, s->idx, s->n) < 0) {
    if (s->width && s->right)
      grid_free(&g);
    return -1;
  }
  s->shown = fit(&g, o->width);
  memcpy(s->width, g.width, s->n * sizeof(size_t));
  memcpy(s->right, g.right, s->n * sizeof(int));
  write_line(o->out, &g, 0, s->shown);
  for (size_t k = 0; k < s->shown; k++) {
    if (k > 0)
      fputs("  ", o->out);
    pad(o->out, g.width[k], '-');
  }
  fputc('\n', o->out);
  if (s->shown < s->n)
    note_hidden(o, first, s->idx, s->n, s->shown);
  grid_free(&g);
  return ferror(o->out) ? -1 : 0;
}

int hz_out_text_rows(hz_out_stream_t *s, const hz_table_t *batch) {
  grid_t g;
  if (grid_build(&g, s->o, batch, s->idx, s->n) < 0) {
    grid_free(&g);
    return -1;
  }
  memcpy(g.width, s->width, s->n * sizeof(size_t));
  memcpy(g.right, s->right, s->n * sizeof(int));
  for (size_t r = 1; r <= g.rows; r++)
    write_line(s->o->out, &g, r, s->shown);
  grid_free(&g);
  return ferror(s->o->out) ? -1 : 0;
}
