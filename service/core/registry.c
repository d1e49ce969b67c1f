/* Method table storage and lookup. */
#include "core/registry.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void hz_registry_init(hz_registry_t *r) {
  r->methods = NULL;
  r->len = r->cap = 0;
}

void hz_registry_free(hz_registry_t *r) {
  if (!r)
    return;
  free(r->methods);
  hz_registry_init(r);
}

int hz_registry_add(hz_registry_t *r, const hz_method_t *m) {
  if (hz_registry_find(r, m->path, strlen(m->path)))
    return -EEXIST;
  if (r->len == r->cap) {
    size_t cap = r->cap ? r->cap * 2 : 32;
    hz_method_t *nm = realloc(r->methods, cap * sizeof(*nm));
    if (!nm)
      return -ENOMEM;
    r->methods = nm;
    r->cap = cap;
  }
  r->methods[r->len++] = *m;
  return 0;
}

const hz_method_t *hz_registry_find(const hz_registry_t *r, const char *path, size_t len) {
  /* A few dozen methods: a linear scan beats hashing set-up costs. */
  for (size_t i = 0; i < r->len; i++) {
    const char *p = r->methods[i].path;
    if (strncmp(p, path, len) == 0 && p[len] == '\0')
      return &r->methods[i];
  }
  return NULL;
}
