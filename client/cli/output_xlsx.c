/* Listings as Excel workbooks with Debian's libxlsxwriter: one sheet per
 * listing, a styled and frozen header row in the language of the labels
 * with units ("同比(%)"), number cells for counts and figures, boolean
 * cells for flags and times as people read them. A figure becomes an
 * IEEE double in the cell, as Excel holds every number: exact to 15
 * significant digits, which every figure of the contract (20 integer and 6
 * fraction digits at most, in practice far fewer) survives in display;
 * csv and json keep the exact text. */
#include <stdlib.h>
#include <string.h>

#include <xlsxwriter.h>

#include "output.h"
#include "timearg.h"

/* Excel's limit on a sheet name, in characters. */
#define SHEET_NAME_MAX 31

/* A sheet name Excel accepts and the workbook does not have yet. */
static void sheet_name(const hz_out_t *o, const hz_table_t *t, char *buf, size_t len) {
  char base[40];
  snprintf(base, sizeof(base), "%s%s%s", o->sheet ? o->sheet : "huizong", t->title ? " " : "",
           t->title ? t->title : "");
  for (char *p = base; *p; p++)
    if (strchr("[]:*?/\\'", *p))
      *p = '_';
  base[SHEET_NAME_MAX - 3] = '\0'; /* ASCII names; room for " 9" */
  if (o->sheets > 0)
    snprintf(buf, len, "%s %d", base, o->sheets + 1);
  else
    snprintf(buf, len, "%s", base);
}

static lxw_format *header_format(lxw_workbook *wb) {
  lxw_format *f = workbook_add_format(wb);
  format_set_bold(f);
  format_set_bg_color(f, 0xDDEBF7);
  format_set_bottom(f, LXW_BORDER_THIN);
  format_set_text_wrap(f);
  return f;
}

/* Writes one cell by kind. Returns an lxw_error. */
static lxw_error write_cell(const hz_out_t *o, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
                            hz_kind_t kind, const char *v) {
  if (!v)
    return LXW_NO_ERROR;
  char buf[HZ_TIMEARG_SIZE + 8];
  switch (kind) {
  case HZ_KIND_INT:
  case HZ_KIND_DECIMAL:
  case HZ_KIND_PERCENT:
  case HZ_KIND_POINTS: {
    char *end;
    double d = strtod(v, &end);
    if (end != v && *end == '\0' && hz_looks_numeric(v))
      return worksheet_write_number(ws, row, col, d, NULL);
    break;
  }
  case HZ_KIND_BOOL:
    if (strcmp(v, "true") == 0 || strcmp(v, "false") == 0)
      return worksheet_write_boolean(ws, row, col, strcmp(v, "true") == 0, NULL);
    break;
  case HZ_KIND_TIME:
    if (hz_time_display(v, o->tz_minutes, buf) == 0)
      return worksheet_write_string(ws, row, col, buf, NULL);
    break;
  case HZ_KIND_WORD: return worksheet_write_string(ws, row, col, hz_word_text(v, o->lang), NULL);
  default: break;
  }
  return worksheet_write_string(ws, row, col, v, NULL);
}

/* Header row plus a column width from the longest text (in display
 * columns, roughly what Excel measures in characters). */
static lxw_error write_header(const hz_out_t *o, lxw_workbook *wb, lxw_worksheet *ws,
                              const hz_table_t *t, const size_t *idx, size_t n) {
  lxw_format *hf = header_format(wb);
  char head[160];
  lxw_error err = LXW_NO_ERROR;
  for (size_t k = 0; k < n && err == LXW_NO_ERROR; k++) {
    size_t c = idx[k];
    const char *h = hz_out_header(o, t->headers[c], t->kind[c], 1, head, sizeof(head));
    size_t w = hz_display_width(h);
    for (size_t r = 0; r < t->nrows && r < 1000; r++) {
      const char *v = t->cells[r * t->ncols + c];
      size_t vw = v ? hz_display_width(v) : 0;
      w = vw > w ? vw : w;
    }
    if (t->kind[c] == HZ_KIND_TIME)
      w = 26;
    err = worksheet_write_string(ws, 0, (lxw_col_t)k, h, hf);
    if (err == LXW_NO_ERROR)
      err =
          worksheet_set_column(ws, (lxw_col_t)k, (lxw_col_t)k, (double)(w < 60 ? w + 2 : 62), NULL);
  }
  worksheet_freeze_panes(ws, 1, 0);
  return err;
}

/* The workbook (opened at the first listing) and a new sheet with its
 * header row. Returns the sheet, or NULL after saying why. */
static lxw_worksheet *new_sheet(hz_out_t *o, const hz_table_t *t, const size_t *idx, size_t n) {
  if (!o->path || !*o->path) {
    fprintf(o->err, "%s--format xlsx needs --output FILE\n", hz_msg(o->lang, HZ_MSG_ERROR));
    return NULL;
  }
  if (!o->workbook && !(o->workbook = workbook_new(o->path))) {
    fprintf(o->err, "%scannot create %s\n", hz_msg(o->lang, HZ_MSG_ERROR), o->path);
    return NULL;
  }
  char name[64];
  sheet_name(o, t, name, sizeof(name));
  lxw_worksheet *ws = workbook_add_worksheet(o->workbook, name);
  if (!ws)
    return NULL;
  o->sheets++;
  lxw_error err = write_header(o, o->workbook, ws, t, idx, n);
  if (err != LXW_NO_ERROR) {
    fprintf(o->err, "%s%s: %s\n", hz_msg(o->lang, HZ_MSG_ERROR), o->path, lxw_strerror(err));
    return NULL;
  }
  return ws;
}

/* Rows of t from sheet row `first` on. */
static int write_rows(hz_out_t *o, lxw_worksheet *ws, const hz_table_t *t, const size_t *idx,
                      size_t n, size_t first) {
  lxw_error err = LXW_NO_ERROR;
  for (size_t r = 0; r < t->nrows && err == LXW_NO_ERROR; r++)
    for (size_t k = 0; k < n && err == LXW_NO_ERROR; k++)
      err = write_cell(o, ws, (lxw_row_t)(first + r), (lxw_col_t)k, t->kind[idx[k]],
                       t->cells[r * t->ncols + idx[k]]);
  if (err != LXW_NO_ERROR) {
    fprintf(o->err, "%s%s: %s\n", hz_msg(o->lang, HZ_MSG_ERROR), o->path, lxw_strerror(err));
    return -1;
  }
  return 0;
}

int hz_out_write_xlsx(hz_out_t *o, const hz_table_t *t, const size_t *idx, size_t n) {
  lxw_worksheet *ws = new_sheet(o, t, idx, n);
  return ws ? write_rows(o, ws, t, idx, n, 1) : -1;
}

int hz_out_xlsx_begin(hz_out_stream_t *s, const hz_table_t *first) {
  s->sheet = new_sheet(s->o, first, s->idx, s->n);
  return s->sheet ? 0 : -1;
}

int hz_out_xlsx_rows(hz_out_stream_t *s, const hz_table_t *batch) {
  return write_rows(s->o, s->sheet, batch, s->idx, s->n, 1 + s->rows);
}

int hz_out_close(hz_out_t *o) {
  if (!o->workbook)
    return 0;
  lxw_error err = workbook_close(o->workbook);
  o->workbook = NULL;
  if (err != LXW_NO_ERROR) {
    fprintf(o->err, "%s%s: %s\n", hz_msg(o->lang, HZ_MSG_ERROR), o->path ? o->path : "",
            lxw_strerror(err));
    return -1;
  }
  return 0;
}
