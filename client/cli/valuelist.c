/* Storage of a submission's values read from a file. */
#include "valuelist.h"

#include <stdlib.h>
#include <string.h>

void hz_value_list_init(hz_value_list_t *l) {
  memset(l, 0, sizeof(*l));
}

static void entry_free(hz_value_entry_t *e) {
  free(e->indicator);
  free(e->value);
  free(e->comment);
}

void hz_value_list_free(hz_value_list_t *l) {
  for (size_t i = 0; i < l->n; i++)
    entry_free(&l->items[i]);
  free(l->items);
  hz_value_list_init(l);
}

int hz_value_list_add(hz_value_list_t *l, size_t line, const char *indicator, const char *value,
                      const char *comment) {
  if (l->n == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 32;
    hz_value_entry_t *p = realloc(l->items, cap * sizeof(*p));
    if (!p)
      return -1;
    l->items = p;
    l->cap = cap;
  }
  hz_value_entry_t e = {
      .line = line,
      .indicator = strdup(indicator),
      .value = strdup(value),
      .comment = strdup(comment ? comment : ""),
  };
  if (!e.indicator || !e.value || !e.comment) {
    entry_free(&e);
    return -1;
  }
  l->items[l->n++] = e;
  return 0;
}
