/* The values a township submits, as read from its file: indicator code,
 * exact decimal text and comment, each with the line it came from so that
 * the server's problems (which name the position in the request) can be
 * reported against the file. */
#ifndef HZ_CLI_VALUELIST_H
#define HZ_CLI_VALUELIST_H

#include <stddef.h>

/* One value of the file. */
typedef struct hz_value_entry_s {
  size_t line;     /* 1-based line where the entry starts */
  char *indicator; /* indicator code, owned */
  char *value;     /* decimal exactly as written (never via a double), owned */
  char *comment;   /* optional note, owned, "" when none */
} hz_value_entry_t;

/* All values of one file, in file order (= request order). */
typedef struct hz_value_list_s {
  hz_value_entry_t *items; /* entries */
  size_t n;                /* how many */
  size_t cap;              /* allocated */
  size_t blank;            /* rows left without a value: not reported this
                            * time, so not sent (a template's empty cells) */
} hz_value_list_t;

void hz_value_list_init(hz_value_list_t *l);
void hz_value_list_free(hz_value_list_t *l);
/* Appends copies of the strings (comment may be NULL). Returns 0 or -1. */
int hz_value_list_add(hz_value_list_t *l, size_t line, const char *indicator, const char *value,
                      const char *comment);

#endif
