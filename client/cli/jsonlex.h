/* The lexical layer of the CLI's JSON readers (RFC 8259): a reading
 * position with line tracking, strings decoded with their escapes, numbers
 * kept as their exact text, literals, and a bounded skipper for values
 * nobody asked for. It knows no document shape; jsonvalues.c builds the
 * values file on it, and any other JSON input the CLI grows belongs on it
 * too.
 *
 * Errors: every reading function returns HZ_JSONLEX_OK, or
 * HZ_JSONLEX_SYNTAX after adding "column N: ..." for the current line to
 * the parser's diagnostics (a syntax error ends the reading: what follows
 * cannot be trusted), or HZ_JSONLEX_NOMEM. Input text must be UTF-8
 * (wire/utf8.h); anything else inside a string is a syntax error. */
#ifndef HZ_CLI_JSONLEX_H
#define HZ_CLI_JSONLEX_H

#include <stddef.h>

#include "diag.h"

/* Deepest nesting accepted while skipping a value. */
#define HZ_JSONLEX_MAX_DEPTH 32

enum { HZ_JSONLEX_OK = 0, HZ_JSONLEX_SYNTAX = -1, HZ_JSONLEX_NOMEM = -2 };

/* Reading position and where problems go. */
typedef struct hz_jsonlex_s {
  const char *s;     /* the document, not NUL-terminated */
  size_t len;        /* its length */
  size_t pos;        /* next byte */
  size_t line;       /* 1-based line of s[pos] */
  size_t line_start; /* offset where that line starts, for columns */
  hz_diags_t *d;     /* problems */
} hz_jsonlex_t;

/* A growing string for decoded JSON strings; zero-initialise, free(p). */
typedef struct hz_jsonlex_buf_s {
  char *p;    /* bytes, always NUL-terminated once anything was put */
  size_t n;   /* bytes used */
  size_t cap; /* allocated */
} hz_jsonlex_buf_t;

/* Appends n bytes. Returns 0 or -1 when out of memory. */
int hz_jsonlex_put(hz_jsonlex_buf_t *b, const char *s, size_t n);
/* The text so far, "" when nothing was put. */
const char *hz_jsonlex_str(const hz_jsonlex_buf_t *b);

/* The byte at the position, '\0' at the end (hz_jsonlex_at_end tells a
 * real NUL from the end). */
char hz_jsonlex_peek(const hz_jsonlex_t *p);
int hz_jsonlex_at_end(const hz_jsonlex_t *p);
/* Skips blanks and newlines, counting lines. */
void hz_jsonlex_ws(hz_jsonlex_t *p);
/* What starts at the position, for messages: "a string", "the end of the
 * file" ... */
const char *hz_jsonlex_found(const hz_jsonlex_t *p);
/* Reports a syntax error at the position; returns HZ_JSONLEX_SYNTAX. */
int hz_jsonlex_syntax(hz_jsonlex_t *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The string at the position (which is its opening quote), decoded into
 * out; out may be NULL to only check and skip it. */
int hz_jsonlex_string(hz_jsonlex_t *p, hz_jsonlex_buf_t *out);
/* The number at the position; [*start, *end) is its text, *has_exp says
 * it had an exponent. */
int hz_jsonlex_number(hz_jsonlex_t *p, size_t *start, size_t *end, int *has_exp);
/* Expects the literal word (true, false, null) at the position. */
int hz_jsonlex_literal(hz_jsonlex_t *p, const char *word);
/* Parses and discards any value; depth is the nesting already entered,
 * at most HZ_JSONLEX_MAX_DEPTH. */
int hz_jsonlex_skip(hz_jsonlex_t *p, int depth);

#endif
