/* Per-call bump allocator: every allocation a call makes (decoded request
 * messages, response building, strings) comes from its arena and is released
 * at once when the call ends, so handlers never free piecemeal. */
#ifndef HZ_CORE_ARENA_H
#define HZ_CORE_ARENA_H

#include <protobuf-c/protobuf-c.h>
#include <stdarg.h>
#include <stddef.h>

typedef struct hz_arena_chunk_s hz_arena_chunk_t;

typedef struct hz_arena_s {
  hz_arena_chunk_t *head; /* newest chunk; allocation happens here */
  size_t used;            /* bytes handed out plus chunk overhead */
  size_t limit;           /* cap on used; 0 means unlimited */
  ProtobufCAllocator pb;  /* adapter so protobuf-c unpacks into the arena */
} hz_arena_t;

void hz_arena_init(hz_arena_t *a, size_t limit);
/* Releases every chunk; the arena may be reused afterwards. NULL is fine. */
void hz_arena_free(hz_arena_t *a);

/* 16-byte aligned memory, or NULL when the limit would be exceeded. */
void *hz_arena_alloc(hz_arena_t *a, size_t size);
void *hz_arena_zalloc(hz_arena_t *a, size_t size);
char *hz_arena_strndup(hz_arena_t *a, const char *s, size_t n);
char *hz_arena_strdup(hz_arena_t *a, const char *s);
char *hz_arena_printf(hz_arena_t *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *hz_arena_vprintf(hz_arena_t *a, const char *fmt, va_list ap);

#endif
