/* Bump allocator in growing chunks. */
#include "core/arena.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_MIN_CHUNK 4096u
#define ARENA_ALIGN     16u

struct hz_arena_chunk_s {
  hz_arena_chunk_t *next; /* older chunk */
  size_t size;            /* usable bytes in data */
  size_t off;             /* first free byte */
  _Alignas(16) unsigned char data[];
};

static void *pb_alloc(void *ud, size_t size) {
  return hz_arena_alloc(ud, size);
}

static void pb_free(void *ud, void *p) {
  (void)ud;
  (void)p; /* released with the whole arena */
}

void hz_arena_init(hz_arena_t *a, size_t limit) {
  a->head = NULL;
  a->used = 0;
  a->limit = limit;
  a->pb.alloc = pb_alloc;
  a->pb.free = pb_free;
  a->pb.allocator_data = a;
}

void hz_arena_free(hz_arena_t *a) {
  if (!a)
    return;
  hz_arena_chunk_t *c = a->head;
  while (c) {
    hz_arena_chunk_t *next = c->next;
    free(c);
    c = next;
  }
  a->head = NULL;
  a->used = 0;
}

static hz_arena_chunk_t *add_chunk(hz_arena_t *a, size_t need) {
  size_t size = a->head ? a->head->size * 2 : ARENA_MIN_CHUNK;
  if (size < need)
    size = need;
  if (size > (1u << 20) && need <= (1u << 20))
    size = 1u << 20;
  size_t total = sizeof(hz_arena_chunk_t) + size;
  if (a->limit && a->used + total > a->limit)
    return NULL;
  hz_arena_chunk_t *c = malloc(total);
  if (!c)
    return NULL;
  c->next = a->head;
  c->size = size;
  c->off = 0;
  a->head = c;
  a->used += total;
  return c;
}

void *hz_arena_alloc(hz_arena_t *a, size_t size) {
  size_t rounded = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
  if (rounded < size)
    return NULL;
  if (rounded == 0)
    rounded = ARENA_ALIGN;
  hz_arena_chunk_t *c = a->head;
  if (!c || c->size - c->off < rounded) {
    c = add_chunk(a, rounded);
    if (!c)
      return NULL;
  }
  void *p = c->data + c->off;
  c->off += rounded;
  return p;
}

void *hz_arena_zalloc(hz_arena_t *a, size_t size) {
  void *p = hz_arena_alloc(a, size);
  if (p)
    memset(p, 0, size);
  return p;
}

char *hz_arena_strndup(hz_arena_t *a, const char *s, size_t n) {
  char *p = hz_arena_alloc(a, n + 1);
  if (!p)
    return NULL;
  memcpy(p, s, n);
  p[n] = '\0';
  return p;
}

char *hz_arena_strdup(hz_arena_t *a, const char *s) {
  return hz_arena_strndup(a, s, strlen(s));
}

char *hz_arena_vprintf(hz_arena_t *a, const char *fmt, va_list ap) {
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap2);
  va_end(ap2);
  if (n < 0)
    return NULL;
  char *p = hz_arena_alloc(a, (size_t)n + 1);
  if (p)
    vsnprintf(p, (size_t)n + 1, fmt, ap);
  return p;
}

char *hz_arena_printf(hz_arena_t *a, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *p = hz_arena_vprintf(a, fmt, ap);
  va_end(ap);
  return p;
}
