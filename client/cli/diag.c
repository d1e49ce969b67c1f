/* The problem list of a local input file. */
#include "diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void hz_diags_init(hz_diags_t *d) {
  memset(d, 0, sizeof(*d));
}

void hz_diags_free(hz_diags_t *d) {
  for (size_t i = 0; i < d->n; i++)
    free(d->items[i].text);
  free(d->items);
  hz_diags_init(d);
}

static int grow(hz_diags_t *d) {
  if (d->n < d->cap)
    return 0;
  size_t cap = d->cap ? d->cap * 2 : 16;
  hz_diag_t *p = realloc(d->items, cap * sizeof(*p));
  if (!p)
    return -1;
  d->items = p;
  d->cap = cap;
  return 0;
}

void hz_diags_add(hz_diags_t *d, size_t line, const char *fmt, ...) {
  d->total++;
  if (d->n >= HZ_DIAGS_MAX_KEPT)
    return;
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  char *text = strdup(buf);
  if (!text || grow(d) < 0) {
    free(text);
    d->oom = 1;
    return;
  }
  d->items[d->n].line = line;
  d->items[d->n].seq = d->total;
  d->items[d->n].text = text;
  d->n++;
}

static int by_line(const void *a, const void *b) {
  const hz_diag_t *x = a, *y = b;
  if (x->line != y->line)
    return x->line < y->line ? -1 : 1;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void hz_diags_print(hz_diags_t *d, FILE *out) {
  if (d->n > 1)
    qsort(d->items, d->n, sizeof(d->items[0]), by_line);
  for (size_t i = 0; i < d->n; i++) {
    if (d->items[i].line > 0)
      fprintf(out, "%s %zu: %s\n", d->unit ? d->unit : "line", d->items[i].line, d->items[i].text);
    else
      fprintf(out, "%s\n", d->items[i].text);
  }
  if (d->total > d->n)
    fprintf(out, "(%zu more problem%s not shown)\n", d->total - d->n,
            d->total - d->n == 1 ? "" : "s");
}
