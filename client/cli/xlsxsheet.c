/* The cell side of the xlsx reader: the shared strings table and the
 * first worksheet's rows, turned into CSV-like records. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xlsxint.h"

/* Columns a sheet may have (Excel's limit, XFD). */
#define MAX_COLUMNS 16384

/* Character data being collected. */
typedef struct tbuf_s {
  char *p;    /* bytes, NUL-terminated */
  size_t n;   /* used */
  size_t cap; /* allocated */
  int oom;    /* an append failed */
} tbuf_t;

static void tbuf_add(tbuf_t *b, const char *s, size_t len) {
  if (b->oom)
    return;
  if (b->n + len + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->n + len + 1)
      cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
      b->oom = 1;
      return;
    }
    b->p = p;
    b->cap = cap;
  }
  memcpy(b->p + b->n, s, len);
  b->n += len;
  b->p[b->n] = '\0';
}

static const char *tbuf_str(const tbuf_t *b) {
  return b->n ? b->p : "";
}

/* ---- shared strings ---- */

/* Parsing state of sharedStrings.xml. */
typedef struct sst_state_s {
  hz_xlsx_handlers_t h;   /* callbacks, ud = this */
  hz_xlsx_strings_t *out; /* the table being filled */
  int in_si;              /* inside <si> */
  int in_t;               /* inside a <t> that counts */
  int rph;                /* depth of <rPh> (phonetic runs: not text) */
  tbuf_t text;            /* the current string */
} sst_state_t;

static void sst_start(void *ud, const char *name, const char **atts) {
  (void)atts;
  sst_state_t *s = ud;
  const char *n = hz_xlsx_local(name);
  if (strcmp(n, "si") == 0) {
    s->in_si = 1;
    s->text.n = 0;
  } else if (strcmp(n, "rPh") == 0) {
    s->rph++;
  } else if (strcmp(n, "t") == 0 && s->in_si && !s->rph) {
    s->in_t = 1;
  }
}

static void sst_end(void *ud, const char *name) {
  sst_state_t *s = ud;
  const char *n = hz_xlsx_local(name);
  if (strcmp(n, "t") == 0) {
    s->in_t = 0;
  } else if (strcmp(n, "rPh") == 0 && s->rph > 0) {
    s->rph--;
  } else if (strcmp(n, "si") == 0) {
    s->in_si = 0;
    hz_xlsx_strings_t *t = s->out;
    if (t->n == t->cap) {
      size_t cap = t->cap ? t->cap * 2 : 256;
      char **v = realloc(t->v, cap * sizeof(*v));
      if (!v) {
        hz_xlsx_stop(&s->h, "out of memory");
        return;
      }
      t->v = v;
      t->cap = cap;
    }
    char *copy = strdup(tbuf_str(&s->text));
    if (!copy || s->text.oom) {
      free(copy);
      hz_xlsx_stop(&s->h, "out of memory");
      return;
    }
    t->v[t->n++] = copy;
  }
}

static void sst_text(void *ud, const char *str, int len) {
  sst_state_t *s = ud;
  if (s->in_t)
    tbuf_add(&s->text, str, (size_t)len);
}

int hz_xlsx_read_strings(zip_t *za, const char *part, hz_xlsx_strings_t *sst, char *err,
                         size_t errlen) {
  sst_state_t s = {.out = sst};
  s.h = (hz_xlsx_handlers_t){.ud = &s, .start = sst_start, .end = sst_end, .text = sst_text};
  int rc = hz_xlsx_parse_part(za, part, &s.h, err, errlen);
  free(s.text.p);
  return rc;
}

void hz_xlsx_strings_free(hz_xlsx_strings_t *sst) {
  for (size_t i = 0; i < sst->n; i++)
    free(sst->v[i]);
  free(sst->v);
  memset(sst, 0, sizeof(*sst));
}

/* ---- numbers ---- */

/* Splits "-1.25E+3" into sign, digits "125", the digits before the point
 * (1) and the exponent (3). Returns 0, or -1 when s is not such a number. */
static int split_number(const char *s, int *neg, char *digits, size_t cap, long *before,
                        long *exp) {
  size_t nd = 0;
  long intdigits = 0;
  int seen_point = 0, any = 0;
  *neg = *s == '-';
  if (*s == '-' || *s == '+')
    s++;
  for (; *s && *s != 'E' && *s != 'e'; s++) {
    if (*s == '.' && !seen_point) {
      seen_point = 1;
    } else if (isdigit((unsigned char)*s) && nd + 1 < cap) {
      digits[nd++] = *s;
      intdigits += !seen_point;
      any = 1;
    } else {
      return -1;
    }
  }
  digits[nd] = '\0';
  if (!any || (*s != 'E' && *s != 'e'))
    return -1;
  char *end;
  *exp = strtol(s + 1, &end, 10);
  if (*end || end == s + 1 || *exp > 60 || *exp < -60)
    return -1;
  *before = intdigits;
  return 0;
}

char *hz_xlsx_plain_number(const char *s) {
  char digits[64];
  int neg;
  long before, exp;
  if (split_number(s, &neg, digits, sizeof(digits), &before, &exp) < 0)
    return strdup(s);
  long nd = (long)strlen(digits), point = before + exp;
  char ip[160], fp[160];
  size_t ni = 0, nf = 0;
  for (long i = 0; i < point; i++)
    ip[ni++] = i < nd ? digits[i] : '0';
  for (long i = point; i < nd; i++)
    fp[nf++] = i < 0 ? '0' : digits[i];
  size_t lead = 0;
  while (lead + 1 < ni && ip[lead] == '0')
    lead++;
  while (nf > 0 && fp[nf - 1] == '0')
    nf--;
  char out[340];
  snprintf(out, sizeof(out), "%s%.*s%s%.*s", neg ? "-" : "", ni ? (int)(ni - lead) : 1,
           ni ? ip + lead : "0", nf ? "." : "", (int)nf, fp);
  return strdup(out);
}

/* ---- the sheet ---- */

/* Parsing state of the worksheet. */
typedef struct sheet_state_s {
  hz_xlsx_handlers_t h;         /* callbacks, ud = this */
  const hz_xlsx_strings_t *sst; /* shared strings */
  hz_csv_t *out;                /* records so far */
  size_t row;                   /* row number of the current <row> */
  char **cells;                 /* its cells by column, NULL = empty */
  size_t ncells;                /* columns in use (last set + 1) */
  size_t cap;                   /* allocated columns */
  size_t col;                   /* column of the current <c> */
  char type[16];                /* its t attribute ("" = number) */
  int in_v;                     /* inside <v> */
  int in_is_t;                  /* inside <is><t> (not a phonetic run) */
  int rph;                      /* depth of <rPh> */
  tbuf_t text;                  /* the current cell's text */
} sheet_state_t;

/* "BC12" -> column 54 (0-based), or -1. */
static long column_of(const char *ref) {
  long col = 0;
  int letters = 0;
  for (; *ref >= 'A' && *ref <= 'Z'; ref++, letters++)
    col = col * 26 + (*ref - 'A' + 1);
  return letters && col <= MAX_COLUMNS ? col - 1 : -1;
}

static void row_reset(sheet_state_t *s) {
  for (size_t i = 0; i < s->ncells; i++) {
    free(s->cells[i]);
    s->cells[i] = NULL;
  }
  s->ncells = 0;
  s->col = 0;
}

static void cell_start(sheet_state_t *s, const char **atts) {
  const char *ref = hz_xlsx_attr(atts, "r");
  const char *t = hz_xlsx_attr(atts, "t");
  long col = ref ? column_of(ref) : (long)s->ncells;
  if (col < 0 || col >= MAX_COLUMNS) {
    hz_xlsx_stop(&s->h, "a cell of the sheet has a malformed reference");
    return;
  }
  s->col = (size_t)col;
  snprintf(s->type, sizeof(s->type), "%s", t ? t : "");
  s->text.n = 0;
}

static void sheet_start(void *ud, const char *name, const char **atts) {
  sheet_state_t *s = ud;
  const char *n = hz_xlsx_local(name);
  if (strcmp(n, "row") == 0) {
    const char *r = hz_xlsx_attr(atts, "r");
    row_reset(s);
    s->row = r ? strtoul(r, NULL, 10) : s->row + 1;
  } else if (strcmp(n, "c") == 0) {
    cell_start(s, atts);
  } else if (strcmp(n, "v") == 0) {
    s->in_v = 1;
  } else if (strcmp(n, "rPh") == 0) {
    s->rph++;
  } else if (strcmp(n, "t") == 0 && !s->rph) {
    s->in_is_t = 1;
  }
}

/* The text a cell holds, by its type. NULL when out of memory; sets
 * *bad for a shared string index that does not exist. */
static char *cell_value(sheet_state_t *s, int *bad) {
  const char *v = tbuf_str(&s->text);
  if (!*v)
    return strdup(""); /* a cell with a style and no value */
  if (strcmp(s->type, "s") == 0) {
    char *end;
    unsigned long i = strtoul(v, &end, 10);
    if (end == v || *end || i >= s->sst->n) {
      *bad = 1;
      return NULL;
    }
    return strdup(s->sst->v[i]);
  }
  if (strcmp(s->type, "b") == 0)
    return strdup(strcmp(v, "1") == 0 ? "TRUE" : "FALSE");
  if (s->type[0] == '\0' || strcmp(s->type, "n") == 0)
    return hz_xlsx_plain_number(v);
  return strdup(v); /* inlineStr, str (a formula's text), e (#DIV/0!), d */
}

/* Spaces and tabs around a cell are dropped, as the CSV reader does. */
static void trim(char *p) {
  size_t n = strlen(p), a = 0;
  while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
    n--;
  while (a < n && (p[a] == ' ' || p[a] == '\t'))
    a++;
  memmove(p, p + a, n - a);
  p[n - a] = '\0';
}

static void cell_end(sheet_state_t *s) {
  int bad = 0;
  char *v = cell_value(s, &bad);
  if (!v) {
    hz_xlsx_stop(&s->h,
                 bad ? "a cell refers to a shared string that does not exist" : "out of memory");
    return;
  }
  trim(v);
  if (s->col >= s->cap) {
    size_t cap = s->cap ? s->cap : 16;
    while (cap <= s->col)
      cap *= 2;
    char **c = realloc(s->cells, cap * sizeof(*c));
    if (!c) {
      free(v);
      hz_xlsx_stop(&s->h, "out of memory");
      return;
    }
    memset(c + s->cap, 0, (cap - s->cap) * sizeof(*c));
    s->cells = c;
    s->cap = cap;
  }
  free(s->cells[s->col]);
  s->cells[s->col] = v;
  if (s->col + 1 > s->ncells)
    s->ncells = s->col + 1;
  s->col++;
}

/* A row with any non-empty cell becomes a record (its cells move). */
static void row_end(sheet_state_t *s) {
  size_t n = s->ncells;
  int any = 0;
  for (size_t i = 0; i < n; i++)
    any |= s->cells[i] && s->cells[i][0];
  if (!any)
    return;
  char **fields = calloc(n, sizeof(*fields));
  if (!fields) {
    hz_xlsx_stop(&s->h, "out of memory");
    return;
  }
  for (size_t i = 0; i < n; i++) {
    fields[i] = s->cells[i] ? s->cells[i] : strdup("");
    s->cells[i] = NULL;
    if (!fields[i])
      any = 0;
  }
  if (!any || hz_csv_append(s->out, s->row, fields, n) < 0) {
    for (size_t i = 0; i < n; i++)
      free(fields[i]);
    free(fields);
    hz_xlsx_stop(&s->h, "out of memory");
  }
  s->ncells = 0;
}

static void sheet_end(void *ud, const char *name) {
  sheet_state_t *s = ud;
  const char *n = hz_xlsx_local(name);
  if (strcmp(n, "c") == 0)
    cell_end(s);
  else if (strcmp(n, "row") == 0)
    row_end(s);
  else if (strcmp(n, "v") == 0)
    s->in_v = 0;
  else if (strcmp(n, "t") == 0)
    s->in_is_t = 0;
  else if (strcmp(n, "rPh") == 0 && s->rph > 0)
    s->rph--;
}

static void sheet_text(void *ud, const char *str, int len) {
  sheet_state_t *s = ud;
  if (s->in_v || s->in_is_t)
    tbuf_add(&s->text, str, (size_t)len);
}

int hz_xlsx_read_sheet(zip_t *za, const char *part, const hz_xlsx_strings_t *sst, hz_csv_t *out,
                       char *err, size_t errlen) {
  sheet_state_t s = {.sst = sst, .out = out};
  s.h = (hz_xlsx_handlers_t){.ud = &s, .start = sheet_start, .end = sheet_end, .text = sheet_text};
  int rc = hz_xlsx_parse_part(za, part, &s.h, err, errlen);
  if (rc == 0 && s.text.oom) {
    snprintf(err, errlen, "out of memory");
    rc = -1;
  }
  row_reset(&s);
  free(s.cells);
  free(s.text.p);
  return rc;
}
