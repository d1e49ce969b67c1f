/* The indicator catalog as a clerk's file meets it: codes, or names in
 * their place when a name belongs to one indicator only, and for anything
 * else the nearest codes and names ("did you mean retail
 * (社会消费品零售总额)?"). Nearness is the edit distance with
 * transpositions (optimal string alignment) over code points, ASCII case
 * ignored, so "retial" is one step from "retail" and 固定资产投 one from
 * 固定资产投资. */
#ifndef HZ_CLI_SUGGEST_H
#define HZ_CLI_SUGGEST_H

#include <stddef.h>

#include "cli.h"
#include "diag.h"
#include "huizong/v1/common.pb-c.h"
#include "labels.h"

/* One indicator as the input side needs it. */
typedef struct hz_cat_entry_s {
  char *code;      /* e.g. "retail" */
  char *name;      /* e.g. "社会消费品零售总额" */
  char *unit;      /* e.g. "万元" */
  int period_type; /* PeriodType: the frequency it is reported at */
  int ratio;       /* computed from others: never submitted */
  char *min, *max; /* bounds as decimal text, NULL when none */
} hz_cat_entry_t;

/* The catalog, by code as the server lists it. */
typedef struct hz_catalog_s {
  hz_lang_t lang;    /* language of suggestions and problems */
  hz_cat_entry_t *v; /* entries */
  size_t n;          /* how many */
  size_t cap;        /* allocated */
} hz_catalog_t;

/* Fetches every indicator (Admin/ListIndicators, open to every role).
 * Returns HZ_EXIT_OK, or the exit code after printing the refusal. */
int hz_catalog_fetch(hz_cli_t *cli, hz_catalog_t *cat);
/* The same without printing: HZC_OK, or an HZC_ code with the outcome in
 * st. */
int hz_catalog_load(hz_cli_t *cli, hz_catalog_t *cat, hzc_status_t *st);
/* For submissions: a server that is briefly away (UNAVAILABLE, deadline)
 * leaves the catalog empty and returns HZ_EXIT_OK, since the submission's
 * own call is retried and codes are then sent as written; any other
 * refusal is printed and its exit code returned. */
int hz_catalog_fetch_lenient(hz_cli_t *cli, hz_catalog_t *cat);
void hz_catalog_free(hz_catalog_t *cat);
/* Adds one entry (copies the strings; min/max may be NULL). 0 or -1. */
int hz_catalog_add(hz_catalog_t *cat, const char *code, const char *name, const char *unit,
                   int period_type, const char *min, const char *max);

/* What s is: the index of the indicator whose code is s, else of the one
 * indicator named s (exactly, after trimming). -1 when nothing matches,
 * -2 when several indicators carry that name. */
long hz_catalog_resolve(const hz_catalog_t *cat, const char *s);

/* "did you mean retail (社会消费品零售总额)?" naming up to three nearest
 * indicators, or "" when none is near (distance at most a third of the
 * longer text, and at least 1). */
void hz_catalog_suggest(const hz_catalog_t *cat, const char *s, char *buf, size_t len);

/* The code to send for s: s itself when it is a code, or unknown (the
 * server refuses it and the refusal gets a hint), else the code of the
 * one indicator named s. Returns 0 with *code set (a string of s or of the
 * catalog), or -1 with a problem on line in d when s names several. */
int hz_catalog_code(const hz_catalog_t *cat, const char *s, size_t line, const char **code,
                    hz_diags_t *d);

/* For a code the server did not know: " (did you mean ...?)" or "" when
 * the code is in the catalog or nothing is near. */
void hz_catalog_hint(const hz_catalog_t *cat, const char *code, char *buf, size_t len);

/* Prints a refusal as hz_cli_refused does (the count, then each problem
 * once), but with every problem on its file position ("row 5: ...":
 * lines[index] named by unit) and a hint for an unknown indicator.
 * Returns HZ_EXIT_REFUSED. */
int hz_catalog_refused(hz_cli_t *cli, const hzc_status_t *st, const hz_catalog_t *cat,
                       const size_t *lines, size_t nlines, const char *unit);

/* One problem as that line of text, for the bulk summary. */
void hz_catalog_describe(const hz_catalog_t *cat, const Huizong__V1__Problem *pr,
                         const size_t *lines, size_t nlines, const char *unit, char *buf,
                         size_t len);

/* Edit distance with adjacent transpositions, over code points; ASCII
 * letters compare without case. Texts longer than 64 code points are
 * "far" (returns 1000). */
size_t hz_edit_distance(const char *a, const char *b);

#endif
