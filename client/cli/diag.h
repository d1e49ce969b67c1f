/* Problems found in a local input file (CSV, JSON, narrative) before
 * anything is sent: each tied to the line it was found on, reported all at
 * once so a clerk can fix the whole file in one pass. */
#ifndef HZ_CLI_DIAG_H
#define HZ_CLI_DIAG_H

#include <stddef.h>
#include <stdio.h>

/* Most problems kept; the rest are only counted. */
#define HZ_DIAGS_MAX_KEPT 200

/* One problem. */
typedef struct hz_diag_s {
  size_t line; /* 1-based line of the file; 0 = the file as a whole */
  size_t seq;  /* order of discovery, to keep the sort stable */
  char *text;  /* what is wrong, malloc'd */
} hz_diag_t;

/* All problems of one file. */
typedef struct hz_diags_s {
  hz_diag_t *items; /* kept problems */
  size_t n;         /* how many are kept */
  size_t cap;       /* allocated items */
  size_t total;     /* problems found, kept or not */
  int oom;          /* a problem could not be recorded for lack of memory */
  const char *unit; /* what a position is called when printed: "line" (NULL,
                     * text files), "row" (a spreadsheet), "item" (JSON) */
} hz_diags_t;

void hz_diags_init(hz_diags_t *d);
void hz_diags_free(hz_diags_t *d);
/* Records a problem on line (0 = whole file). Never fails: out of memory
 * is remembered in d->oom and still counted. */
void hz_diags_add(hz_diags_t *d, size_t line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Sorts by line (stable) and prints "line N: text" (or d->unit N) per problem, plus a
 * count of any that were not kept. */
void hz_diags_print(hz_diags_t *d, FILE *out);

#endif
