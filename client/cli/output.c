/* The listing model, column selection, cell rendering per kind, CSV and
 * JSON; the text table is output_text.c, xlsx output_xlsx.c. */
#include "output.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "timearg.h"
#include "wire/utf8.h"

int hz_format_parse(const char *s, hz_format_t *out) {
  static const char *const names[] = {"table", "csv", "json", "xlsx"};
  for (size_t i = 0; s && i < sizeof(names) / sizeof(names[0]); i++)
    if (strcasecmp(s, names[i]) == 0) {
      *out = (hz_format_t)i;
      return 0;
    }
  return -1;
}

/* ---- the listing ---- */

int hz_table_init(hz_table_t *t, size_t ncols, const char *const *keys) {
  memset(t, 0, sizeof(*t));
  size_t n = ncols ? ncols : 1;
  t->headers = calloc(n, sizeof(char *));
  t->align = calloc(n, sizeof(hz_align_t));
  t->kind = calloc(n, sizeof(hz_kind_t));
  t->flags = calloc(n, sizeof(unsigned));
  if (!t->headers || !t->align || !t->kind || !t->flags) {
    hz_table_free(t);
    return -1;
  }
  t->ncols = ncols;
  for (size_t c = 0; c < ncols; c++) {
    const hz_label_t *l = hz_label_find(keys[c]);
    t->kind[c] = l ? l->kind : HZ_KIND_TEXT;
    t->flags[c] = HZ_COL_TABLE | HZ_COL_DATA | HZ_COL_SPARSE;
    if (!(t->headers[c] = strdup(keys[c] ? keys[c] : ""))) {
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
  free(t->kind);
  free(t->flags);
  memset(t, 0, sizeof(*t));
}

void hz_table_set_align(hz_table_t *t, size_t col, hz_align_t align) {
  if (col < t->ncols)
    t->align[col] = align;
}

void hz_table_set_kind(hz_table_t *t, size_t col, hz_kind_t kind) {
  if (col < t->ncols)
    t->kind[col] = kind;
}

void hz_table_set_flags(hz_table_t *t, size_t col, unsigned flags) {
  if (col < t->ncols)
    t->flags[col] = flags;
}

void hz_table_clear_rows(hz_table_t *t) {
  for (size_t i = 0; t->cells && i < t->nrows * t->ncols; i++)
    free(t->cells[i]);
  t->nrows = 0;
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
    row[c] = cells[c] ? strdup(cells[c]) : NULL;
    if (cells[c] && !row[c]) {
      while (c-- > 0)
        free(row[c]);
      return -1;
    }
  }
  t->nrows++;
  return 0;
}

void hz_out_init(hz_out_t *o, hz_format_t fmt, FILE *out, FILE *err) {
  memset(o, 0, sizeof(*o));
  o->format = fmt;
  o->tz_minutes = HZ_TZ_DEFAULT_MINUTES;
  o->out = out;
  o->err = err;
  o->sheet = "huizong";
}

/* ---- column selection ---- */

/* The column of t called name: its key, or its label in either language. */
static int find_column(const hz_table_t *t, const char *name, size_t len) {
  for (size_t c = 0; c < t->ncols; c++)
    if (strlen(t->headers[c]) == len && strncmp(t->headers[c], name, len) == 0)
      return (int)c;
  for (size_t c = 0; c < t->ncols; c++) {
    const char *zh = hz_label_text(t->headers[c], HZ_LANG_ZH);
    const char *en = hz_label_text(t->headers[c], HZ_LANG_EN);
    if ((strlen(zh) == len && strncmp(zh, name, len) == 0) ||
        (strlen(en) == len && strncasecmp(en, name, len) == 0))
      return (int)c;
  }
  return -1;
}

static void report_bad_column(const hz_out_t *o, const hz_table_t *t, const char *name,
                              size_t len) {
  fprintf(o->err, "%sunknown column '%.*s'; %s:", hz_msg(o->lang, HZ_MSG_ERROR), (int)len, name,
          o->lang == HZ_LANG_ZH ? "可选列" : "columns are");
  for (size_t c = 0; c < t->ncols; c++)
    fprintf(o->err, " %s", t->headers[c]);
  fputs(" (or all)\n", o->err);
}

/* --columns a,b: the named columns in that order. */
static int select_named(const hz_out_t *o, const hz_table_t *t, size_t *idx, size_t *n) {
  const char *s = o->columns;
  *n = 0;
  while (*s) {
    const char *comma = strchr(s, ',');
    size_t len = comma ? (size_t)(comma - s) : strlen(s);
    while (len > 0 && *s == ' ')
      s++, len--;
    while (len > 0 && s[len - 1] == ' ')
      len--;
    if (len > 0) {
      int c = find_column(t, s, len);
      if (c < 0) {
        report_bad_column(o, t, s, len);
        return HZ_OUT_EBADCOL;
      }
      if (*n < t->ncols)
        idx[(*n)++] = (size_t)c;
    }
    if (!comma)
      break;
    s = comma + 1;
  }
  return 0;
}

/* A sparse column no row fills (a listing without rows keeps it). */
static int empty_sparse(const hz_table_t *t, size_t c) {
  if (!(t->flags[c] & HZ_COL_SPARSE) || t->nrows == 0)
    return 0;
  for (size_t r = 0; r < t->nrows; r++) {
    const char *v = t->cells[r * t->ncols + c];
    if (v && *v)
      return 0;
  }
  return 1;
}

int hz_out_select(const hz_out_t *o, const hz_table_t *t, size_t **idx, size_t *n) {
  *n = 0;
  *idx = calloc(t->ncols ? t->ncols : 1, sizeof(size_t));
  if (!*idx)
    return -1;
  if (o->columns && strcmp(o->columns, "all") != 0 && *o->columns) {
    int rc = select_named(o, t, *idx, n);
    if (rc < 0) {
      free(*idx);
      *idx = NULL;
    }
    return rc;
  }
  unsigned want = HZ_COL_DATA;
  if (o->format == HZ_FORMAT_TABLE && !o->columns)
    want = HZ_COL_TABLE;
  for (size_t c = 0; c < t->ncols; c++)
    if ((t->flags[c] & want) && !(want == HZ_COL_TABLE && empty_sparse(t, c)))
      (*idx)[(*n)++] = c;
  return 0;
}

/* ---- cells and headers as people read them ---- */

const char *hz_out_header(const hz_out_t *o, const char *key, hz_kind_t kind, int with_unit,
                          char *buf, size_t len) {
  const hz_label_t *l = hz_label_find(key);
  const char *text = hz_label_text(key, o->lang);
  const char *unit = l ? l->unit : NULL;
  if (unit && strcmp(unit, "百分点") == 0 && o->lang == HZ_LANG_EN)
    unit = "pp";
  if (with_unit && unit && (kind == HZ_KIND_PERCENT || kind == HZ_KIND_POINTS))
    snprintf(buf, len, "%s(%s)", text, unit);
  else
    snprintf(buf, len, "%s", text);
  return buf;
}

void hz_group_thousands(const char *s, char *buf, size_t len) {
  if (!hz_looks_numeric(s) || len == 0) {
    snprintf(buf, len, "%s", s);
    return;
  }
  size_t i = 0, o = 0;
  if (s[i] == '+' || s[i] == '-')
    buf[o++] = s[i++];
  size_t digits = strspn(s + i, "0123456789");
  for (size_t k = 0; k < digits && o + 2 < len; k++) {
    if (k > 0 && (digits - k) % 3 == 0)
      buf[o++] = ',';
    buf[o++] = s[i + k];
  }
  snprintf(buf + o, len - o, "%s", s + i + digits);
}

const char *hz_out_cell_text(const hz_out_t *o, hz_kind_t kind, const char *raw, char *buf,
                             size_t len) {
  if (!raw)
    return "";
  switch (kind) {
  case HZ_KIND_INT:
  case HZ_KIND_DECIMAL: hz_group_thousands(raw, buf, len); return buf;
  case HZ_KIND_PERCENT: {
    hz_group_thousands(raw, buf, len);
    size_t n = strlen(buf);
    if (hz_looks_numeric(raw) && n + 1 < len)
      strcpy(buf + n, "%");
    return buf;
  }
  case HZ_KIND_POINTS: {
    char g[128];
    hz_group_thousands(raw, g, sizeof(g));
    snprintf(buf, len, "%s%s", raw[0] != '-' && raw[0] != '+' && hz_looks_numeric(raw) ? "+" : "",
             g);
    return buf;
  }
  case HZ_KIND_BOOL:
    if (strcmp(raw, "true") == 0)
      return hz_msg(o->lang, HZ_MSG_YES);
    if (strcmp(raw, "false") == 0)
      return hz_msg(o->lang, HZ_MSG_NO);
    return raw;
  case HZ_KIND_WORD: return hz_word_text(raw, o->lang);
  case HZ_KIND_TIME:
    if (len >= HZ_TIMEARG_SIZE && hz_time_display(raw, o->tz_minutes, buf) == 0)
      return buf;
    return raw;
  default: return raw;
  }
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

/* A CSV cell: the canonical text, except times, which are written in the
 * office's zone as RFC 3339 ("2022-10-16T00:00:00+08:00"): still exact to
 * the second and machine-readable, and what a clerk opening it expects. */
static const char *csv_cell(const hz_out_t *o, hz_kind_t kind, const char *v, char *buf) {
  if (!v || kind != HZ_KIND_TIME || hz_time_display(v, o->tz_minutes, buf) < 0)
    return v;
  buf[10] = 'T';
  memmove(buf + 19, buf + 20, strlen(buf + 20) + 1);
  return buf;
}

int hz_out_csv_rows(hz_out_t *o, const hz_table_t *t, const size_t *idx, size_t n, int what) {
  int header = what & HZ_CSV_HEADER;
  const char **row = calloc(n ? n : 1, sizeof(char *));
  char(*bufs)[HZ_TIMEARG_SIZE] = calloc(n ? n : 1, HZ_TIMEARG_SIZE);
  if (!row || !bufs) {
    free(row);
    free(bufs);
    return -1;
  }
  for (size_t k = 0; header && k < n; k++)
    row[k] = t->headers[idx[k]];
  if (header)
    hz_csv_write_row(o->out, n, row);
  for (size_t r = 0; (what & HZ_CSV_ROWS) && r < t->nrows; r++) {
    for (size_t k = 0; k < n; k++)
      row[k] = csv_cell(o, t->kind[idx[k]], t->cells[r * t->ncols + idx[k]], bufs[k]);
    hz_csv_write_row(o->out, n, row);
  }
  free(row);
  free(bufs);
  return ferror(o->out) ? -1 : 0;
}

/* ---- JSON (jansson) ---- */

json_t *hz_json_text(const char *s) {
  if (!s)
    return json_null();
  size_t n = strlen(s);
  size_t bad_at;
  if (hz_wire_utf8_check(s, n, &bad_at) == 0)
    return json_stringn(s, n);
  /* Invalid bytes become U+FFFD so the document stays valid UTF-8. */
  char *clean = malloc(n * 3 + 1), *w = clean;
  if (!clean)
    return NULL;
  const unsigned char *p = (const unsigned char *)s;
  while (n > 0) {
    uint32_t cp;
    size_t len = hz_utf8_decode_lossy(p, n, &cp);
    if (cp == 0xFFFD && len == 1) {
      memcpy(w, "\xEF\xBF\xBD", 3);
      w += 3;
    } else {
      memcpy(w, p, len);
      w += len;
    }
    p += len;
    n -= len;
  }
  json_t *j = json_stringn(clean, (size_t)(w - clean));
  free(clean);
  return j;
}

json_t *hz_json_cell(hz_kind_t kind, const char *v) {
  if (!v)
    return json_null();
  if (kind == HZ_KIND_INT) {
    char *end;
    long long x = strtoll(v, &end, 10);
    if (end != v && *end == '\0')
      return json_integer(x);
  }
  if (kind == HZ_KIND_BOOL && (strcmp(v, "true") == 0 || strcmp(v, "false") == 0))
    return json_boolean(strcmp(v, "true") == 0);
  return hz_json_text(v);
}

json_t *hz_out_json_row(const hz_out_t *o, const hz_table_t *t, size_t row) {
  size_t *idx, n;
  if (hz_out_select(o, t, &idx, &n) != 0)
    return NULL;
  json_t *obj = json_object();
  for (size_t k = 0; obj && k < n; k++) {
    size_t c = idx[k];
    if (json_object_set_new(obj, t->headers[c],
                            hz_json_cell(t->kind[c], t->cells[row * t->ncols + c])) < 0) {
      json_decref(obj);
      obj = NULL;
    }
  }
  free(idx);
  return obj;
}

int hz_out_json_dump(hz_out_t *o, json_t *doc) {
  if (!doc)
    return -1;
  int rc = json_dumpf(doc, o->out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  json_decref(doc);
  fputc('\n', o->out);
  return rc < 0 || ferror(o->out) ? -1 : 0;
}

/* An array of objects, one object per line: readable, and greppable. */
static int write_json(hz_out_t *o, const hz_table_t *t) {
  fputs(t->nrows ? "[\n" : "[]\n", o->out);
  for (size_t r = 0; r < t->nrows; r++) {
    json_t *obj = hz_out_json_row(o, t, r);
    fputs("  ", o->out);
    if (!obj || json_dumpf(obj, o->out, JSON_PRESERVE_ORDER) < 0) {
      json_decref(obj);
      return -1;
    }
    json_decref(obj);
    fputs(r + 1 < t->nrows ? ",\n" : "\n]\n", o->out);
  }
  return ferror(o->out) ? -1 : 0;
}

int hz_json_write_string(FILE *out, const char *s) {
  json_t *j = hz_json_text(s);
  int rc = j ? json_dumpf(j, out, JSON_ENCODE_ANY) : -1;
  json_decref(j);
  return rc < 0 || ferror(out) ? -1 : 0;
}

json_t *hz_json_object(size_t n, const char *const *keys, const char *const *values) {
  json_t *obj = json_object();
  for (size_t c = 0; obj && c < n; c++) {
    const hz_label_t *l = hz_label_find(keys[c]);
    if (json_object_set_new(obj, keys[c] ? keys[c] : "",
                            hz_json_cell(l ? l->kind : HZ_KIND_TEXT, values[c])) < 0) {
      json_decref(obj);
      obj = NULL;
    }
  }
  return obj;
}

int hz_json_write_object(FILE *out, size_t n, const char *const *keys, const char *const *values) {
  json_t *obj = hz_json_object(n, keys, values);
  int rc = obj ? json_dumpf(obj, out, JSON_PRESERVE_ORDER) : -1;
  json_decref(obj);
  return rc < 0 || ferror(out) ? -1 : 0;
}

/* ---- dispatch ---- */

int hz_out_table(hz_out_t *o, const hz_table_t *t) {
  if (o->format == HZ_FORMAT_JSON)
    return write_json(o, t) < 0 ? -1 : 0;
  size_t *idx, n;
  int rc = hz_out_select(o, t, &idx, &n);
  if (rc != 0)
    return rc;
  switch (o->format) {
  case HZ_FORMAT_CSV: rc = hz_out_csv_rows(o, t, idx, n, HZ_CSV_HEADER | HZ_CSV_ROWS); break;
  case HZ_FORMAT_XLSX: rc = hz_out_write_xlsx(o, t, idx, n); break;
  default: rc = hz_out_write_text(o, t, idx, n); break;
  }
  free(idx);
  return rc;
}

/* "label  value" lines, labels padded to one width. */
static int write_vertical(hz_out_t *o, const hz_table_t *t, const size_t *idx, size_t n) {
  char head[128], buf[256];
  size_t w = 0;
  for (size_t k = 0; k < n; k++) {
    size_t hw = hz_display_width(
        hz_out_header(o, t->headers[idx[k]], t->kind[idx[k]], 1, head, sizeof(head)));
    w = hw > w ? hw : w;
  }
  for (size_t k = 0; k < n; k++) {
    size_t c = idx[k];
    const char *label = hz_out_header(o, t->headers[c], t->kind[c], 1, head, sizeof(head));
    const char *v = t->nrows ? hz_out_cell_text(o, t->kind[c], t->cells[c], buf, sizeof(buf)) : "";
    fputs(label, o->out);
    if (*v) {
      for (size_t i = hz_display_width(label); i < w + 2; i++)
        fputc(' ', o->out);
      /* A multi-line value keeps its lines under the value column. */
      for (const char *p = v; *p; p++) {
        fputc(*p, o->out);
        if (*p == '\n' && p[1])
          for (size_t i = 0; i < w + 2; i++)
            fputc(' ', o->out);
      }
    }
    fputc('\n', o->out);
  }
  return ferror(o->out) ? -1 : 0;
}

int hz_out_record(hz_out_t *o, const hz_table_t *t) {
  if (o->format != HZ_FORMAT_TABLE)
    return hz_out_table(o, t);
  size_t *idx, n;
  hz_out_t all = *o;
  if (!o->columns)
    all.columns = "all"; /* a record shows every field */
  int rc = hz_out_select(&all, t, &idx, &n);
  if (rc != 0)
    return rc;
  rc = write_vertical(o, t, idx, n);
  free(idx);
  return rc;
}
