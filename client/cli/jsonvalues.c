/* Recursive-descent reading of the JSON values document. Only the fixed
 * shape is interpreted; values of other types are still parsed (to find
 * where they end and to report real syntax errors) by a bounded skipper. */
#include "jsonvalues.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire/utf8.h"

/* Outcomes of the parsing functions: shape problems are recorded and
 * parsing goes on (J_OK); syntax errors and lack of memory end it. */
enum { J_OK = 0, J_SYNTAX = -1, J_NOMEM = -2 };

/* Reading position and where problems go. */
typedef struct parser_s {
  const char *s;     /* the document */
  size_t len;        /* its length */
  size_t pos;        /* next byte */
  size_t line;       /* 1-based line of s[pos] */
  size_t line_start; /* offset where that line starts, for columns */
  hz_diags_t *d;     /* problems */
} parser_t;

/* A growing string for decoded JSON strings. */
typedef struct sbuf_s {
  char *p;    /* bytes, always NUL-terminated once anything was put */
  size_t n;   /* bytes used */
  size_t cap; /* allocated */
} sbuf_t;

/* The fields of one element as read. */
typedef struct element_s {
  sbuf_t indicator; /* "indicator" */
  sbuf_t value;     /* "value", verbatim */
  sbuf_t comment;   /* "comment" */
  int have_indicator, have_value, have_comment; /* key seen */
  int indicator_typed_wrong; /* "indicator" was not a string (reported) */
  int value_typed_wrong;     /* "value" was neither string nor number (reported) */
  int bad;          /* a shape problem was reported */
} element_t;

static int sbuf_put(sbuf_t *b, const char *s, size_t n) {
  if (b->n + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 32;
    while (cap < b->n + n + 1)
      cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p)
      return -1;
    b->p = p;
    b->cap = cap;
  }
  memcpy(b->p + b->n, s, n);
  b->n += n;
  b->p[b->n] = '\0';
  return 0;
}

static const char *sbuf_str(const sbuf_t *b) {
  return b->p ? b->p : "";
}

static char peek(const parser_t *p) {
  return p->pos < p->len ? p->s[p->pos] : '\0';
}

static int at_end(const parser_t *p) {
  return p->pos >= p->len;
}

/* Column of pos in characters, 1-based. */
static size_t column(const parser_t *p) {
  size_t col = 1;
  for (size_t i = p->line_start; i < p->pos && i < p->len; i++)
    if (((unsigned char)p->s[i] & 0xC0) != 0x80)
      col++;
  return col;
}

static int syntax(parser_t *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int syntax(parser_t *p, const char *fmt, ...) {
  char msg[300];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  hz_diags_add(p->d, p->line, "column %zu: %s", column(p), msg);
  return J_SYNTAX;
}

static void ws(parser_t *p) {
  while (!at_end(p)) {
    char c = p->s[p->pos];
    if (c == '\n') {
      p->pos++;
      p->line++;
      p->line_start = p->pos;
    } else if (c == ' ' || c == '\t' || c == '\r') {
      p->pos++;
    } else {
      break;
    }
  }
}

static const char *found(const parser_t *p) {
  switch (peek(p)) {
  case '\0': return at_end(p) ? "the end of the file" : "a NUL byte";
  case '{': return "an object";
  case '[': return "an array";
  case '"': return "a string";
  case 't':
  case 'f': return "true/false";
  case 'n': return "null";
  default:
    return (peek(p) == '-' || (peek(p) >= '0' && peek(p) <= '9')) ? "a number"
                                                                   : "an unexpected character";
  }
}

/* ---- strings ---- */

static int hex4(parser_t *p, uint32_t *v) {
  *v = 0;
  for (int i = 0; i < 4; i++) {
    char c = peek(p);
    int x;
    if (c >= '0' && c <= '9')
      x = c - '0';
    else if (c >= 'a' && c <= 'f')
      x = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      x = c - 'A' + 10;
    else
      return syntax(p, "\\u must be followed by four hex digits");
    *v = (*v << 4) | (uint32_t)x;
    p->pos++;
  }
  return J_OK;
}

static int put_utf8(sbuf_t *b, uint32_t cp) {
  char u[4];
  size_t n;
  if (cp < 0x80) {
    u[0] = (char)cp, n = 1;
  } else if (cp < 0x800) {
    u[0] = (char)(0xC0 | (cp >> 6)), u[1] = (char)(0x80 | (cp & 0x3F)), n = 2;
  } else if (cp < 0x10000) {
    u[0] = (char)(0xE0 | (cp >> 12)), u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    u[2] = (char)(0x80 | (cp & 0x3F)), n = 3;
  } else {
    u[0] = (char)(0xF0 | (cp >> 18)), u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    u[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), u[3] = (char)(0x80 | (cp & 0x3F)), n = 4;
  }
  return sbuf_put(b, u, n) < 0 ? J_NOMEM : J_OK;
}

/* \uXXXX, with a UTF-16 surrogate pair when the first is a high half. */
static int unicode_escape(parser_t *p, sbuf_t *out) {
  uint32_t cp, lo;
  int r = hex4(p, &cp);
  if (r != J_OK)
    return r;
  if (cp >= 0xDC00 && cp <= 0xDFFF)
    return syntax(p, "lone low surrogate \\u%04X", (unsigned)cp);
  if (cp >= 0xD800 && cp <= 0xDBFF) {
    if (peek(p) != '\\' || p->pos + 1 >= p->len || p->s[p->pos + 1] != 'u')
      return syntax(p, "high surrogate \\u%04X is not followed by a low one", (unsigned)cp);
    p->pos += 2;
    if ((r = hex4(p, &lo)) != J_OK)
      return r;
    if (lo < 0xDC00 || lo > 0xDFFF)
      return syntax(p, "high surrogate \\u%04X is not followed by a low one", (unsigned)cp);
    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
  }
  if (cp == 0)
    return syntax(p, "\\u0000 is not allowed");
  return put_utf8(out, cp);
}

static int escape(parser_t *p, sbuf_t *out) {
  char c = peek(p);
  p->pos++;
  const char *rep;
  switch (c) {
  case '"': rep = "\""; break;
  case '\\': rep = "\\"; break;
  case '/': rep = "/"; break;
  case 'b': rep = "\b"; break;
  case 'f': rep = "\f"; break;
  case 'n': rep = "\n"; break;
  case 'r': rep = "\r"; break;
  case 't': rep = "\t"; break;
  case 'u': return unicode_escape(p, out);
  default:
    p->pos--;
    return syntax(p, "invalid escape \\%c", c ? c : '0');
  }
  return sbuf_put(out, rep, 1) < 0 ? J_NOMEM : J_OK;
}

/* Reads a string (at its opening quote) into out (may be NULL to skip). */
static int parse_string(parser_t *p, sbuf_t *out) {
  sbuf_t scratch = {0};
  sbuf_t *b = out ? out : &scratch;
  int r = J_OK;
  b->n = 0;
  if (sbuf_put(b, "", 0) < 0)
    return J_NOMEM;
  p->pos++;
  for (;;) {
    if (at_end(p)) {
      r = syntax(p, "the string never ends (missing closing quote)");
      break;
    }
    unsigned char c = (unsigned char)p->s[p->pos];
    if (c == '"') {
      p->pos++;
      break;
    }
    if (c == '\\') {
      p->pos++;
      if ((r = escape(p, b)) != J_OK)
        break;
      continue;
    }
    if (c < 0x20) {
      r = syntax(p, "control character 0x%02X inside a string (escape it, e.g. \\n)", c);
      break;
    }
    uint32_t cp;
    size_t n = hz_wire_utf8_decode((const uint8_t *)p->s + p->pos, p->len - p->pos, &cp);
    if (n == 0) {
      r = syntax(p, "not valid UTF-8 (save the file as UTF-8)");
      break;
    }
    if (sbuf_put(b, p->s + p->pos, n) < 0) {
      r = J_NOMEM;
      break;
    }
    p->pos += n;
  }
  free(scratch.p);
  return r;
}

/* ---- numbers and literals ---- */

static int digits(parser_t *p) {
  size_t start = p->pos;
  while (peek(p) >= '0' && peek(p) <= '9')
    p->pos++;
  return p->pos > start;
}

/* Scans an RFC 8259 number; [*start, *end) is its text. */
static int scan_number(parser_t *p, size_t *start, size_t *end, int *has_exp) {
  *start = p->pos;
  *has_exp = 0;
  if (peek(p) == '-')
    p->pos++;
  if (peek(p) == '0') {
    p->pos++;
    if (peek(p) >= '0' && peek(p) <= '9')
      return syntax(p, "numbers may not have leading zeros (write \"%.*s...\" as a string "
                       "if the zeros matter)", (int)(p->pos - *start + 1), p->s + *start);
  } else if (!digits(p)) {
    return syntax(p, "malformed number");
  }
  if (peek(p) == '.') {
    p->pos++;
    if (!digits(p))
      return syntax(p, "malformed number: digits must follow the decimal point");
  }
  if (peek(p) == 'e' || peek(p) == 'E') {
    p->pos++;
    if (peek(p) == '+' || peek(p) == '-')
      p->pos++;
    if (!digits(p))
      return syntax(p, "malformed number: digits must follow the exponent");
    *has_exp = 1;
  }
  *end = p->pos;
  return J_OK;
}

static int literal(parser_t *p, const char *word) {
  size_t n = strlen(word);
  if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n) != 0)
    return syntax(p, "unexpected character '%c'", peek(p));
  p->pos += n;
  return J_OK;
}

/* Parses and discards any value, nested at most HZ_JSONVALUES_MAX_DEPTH. */
static int skip_value(parser_t *p, int depth);

static int skip_container(parser_t *p, int depth, char close) {
  if (depth >= HZ_JSONVALUES_MAX_DEPTH)
    return syntax(p, "nested deeper than %d levels", HZ_JSONVALUES_MAX_DEPTH);
  p->pos++;
  ws(p);
  if (peek(p) == close) {
    p->pos++;
    return J_OK;
  }
  for (;;) {
    int r;
    ws(p);
    if (close == '}') {
      if (peek(p) != '"')
        return syntax(p, "expected a key in double quotes, found %s", found(p));
      if ((r = parse_string(p, NULL)) != J_OK)
        return r;
      ws(p);
      if (peek(p) != ':')
        return syntax(p, "expected ':' after the key");
      p->pos++;
      ws(p);
    }
    if ((r = skip_value(p, depth + 1)) != J_OK)
      return r;
    ws(p);
    if (peek(p) == ',') {
      p->pos++;
      continue;
    }
    if (peek(p) == close) {
      p->pos++;
      return J_OK;
    }
    return syntax(p, "expected ',' or '%c', found %s", close, found(p));
  }
}

static int skip_value(parser_t *p, int depth) {
  size_t s, e;
  int exp;
  switch (peek(p)) {
  case '{': return skip_container(p, depth, '}');
  case '[': return skip_container(p, depth, ']');
  case '"': return parse_string(p, NULL);
  case 't': return literal(p, "true");
  case 'f': return literal(p, "false");
  case 'n': return literal(p, "null");
  default:
    if (peek(p) == '-' || (peek(p) >= '0' && peek(p) <= '9'))
      return scan_number(p, &s, &e, &exp);
    return syntax(p, "expected a value, found %s", found(p));
  }
}

/* ---- the values shape ---- */

/* Can the next character begin a JSON value at all? If not, what follows
 * is a syntax error rather than a value of the wrong type. */
static int starts_value(const parser_t *p) {
  char c = peek(p);
  return !at_end(p) && (strchr("{[\"tfn-", c) != NULL || (c >= '0' && c <= '9'));
}

/* A key's value when it is not of the type wanted: reported, skipped. */
static int wrong_type(parser_t *p, element_t *el, const char *key, const char *want) {
  if (!starts_value(p))
    return syntax(p, "expected a value for \"%s\", found %s", key, found(p));
  hz_diags_add(p->d, p->line, "\"%s\" must be %s, not %s", key, want, found(p));
  el->bad = 1;
  return skip_value(p, 1);
}

static int read_indicator(parser_t *p, element_t *el) {
  if (peek(p) != '"') {
    el->indicator_typed_wrong = 1;
    return wrong_type(p, el, "indicator", "a string");
  }
  return parse_string(p, &el->indicator);
}

static int read_value(parser_t *p, element_t *el) {
  char c = peek(p);
  if (c == '"')
    return parse_string(p, &el->value);
  if (c != '-' && !(c >= '0' && c <= '9')) {
    el->value_typed_wrong = 1;
    return wrong_type(p, el, "value", "a string or a number");
  }
  size_t s, e;
  int exp;
  size_t line = p->line;
  int r = scan_number(p, &s, &e, &exp);
  if (r != J_OK)
    return r;
  if (exp) {
    hz_diags_add(p->d, line,
                 "\"value\" %.*s has an exponent; exact decimals are written "
                 "out in digits", (int)(e - s), p->s + s);
    el->bad = 1;
  }
  el->value.n = 0;
  return sbuf_put(&el->value, p->s + s, e - s) < 0 ? J_NOMEM : J_OK;
}

static int read_comment(parser_t *p, element_t *el) {
  if (peek(p) == 'n')
    return literal(p, "null");
  if (peek(p) != '"')
    return wrong_type(p, el, "comment", "a string or null");
  return parse_string(p, &el->comment);
}

/* One "key": value member of an element object. */
static int read_member(parser_t *p, element_t *el, sbuf_t *key) {
  int r;
  if (peek(p) != '"')
    return syntax(p, "expected a key in double quotes, found %s", found(p));
  size_t key_line = p->line;
  if ((r = parse_string(p, key)) != J_OK)
    return r;
  ws(p);
  if (peek(p) != ':')
    return syntax(p, "expected ':' after the key \"%s\"", sbuf_str(key));
  p->pos++;
  ws(p);
  const char *k = sbuf_str(key);
  int *seen = strcmp(k, "indicator") == 0 ? &el->have_indicator
              : strcmp(k, "value") == 0   ? &el->have_value
              : strcmp(k, "comment") == 0 ? &el->have_comment
                                          : NULL;
  if (!seen) {
    hz_diags_add(p->d, key_line,
                 "unknown key \"%s\" (an entry has \"indicator\", \"value\" and "
                 "optionally \"comment\")", k);
    el->bad = 1;
    return skip_value(p, 1);
  }
  if (*seen) {
    hz_diags_add(p->d, key_line, "key \"%s\" appears twice in one entry", k);
    el->bad = 1;
    return skip_value(p, 1);
  }
  *seen = 1;
  if (seen == &el->have_indicator)
    return read_indicator(p, el);
  if (seen == &el->have_value)
    return read_value(p, el);
  return read_comment(p, el);
}

static void check_element(parser_t *p, element_t *el, size_t line) {
  if (!el->have_indicator) {
    hz_diags_add(p->d, line, "entry has no \"indicator\"");
    el->bad = 1;
  } else if (el->indicator.n == 0 && !el->indicator_typed_wrong) {
    hz_diags_add(p->d, line, "\"indicator\" is empty");
    el->bad = 1;
  }
  if (!el->have_value) {
    hz_diags_add(p->d, line, "entry has no \"value\"");
    el->bad = 1;
  } else if (el->value.n == 0 && !el->value_typed_wrong) {
    hz_diags_add(p->d, line, "\"value\" is empty");
    el->bad = 1;
  }
}

static int read_members(parser_t *p, element_t *el) {
  sbuf_t key = {0};
  int r = J_OK;
  ws(p);
  if (peek(p) == '}') {
    p->pos++;
    return J_OK;
  }
  for (;;) {
    ws(p);
    if ((r = read_member(p, el, &key)) != J_OK)
      break;
    ws(p);
    if (peek(p) == ',') {
      p->pos++;
      continue;
    }
    if (peek(p) == '}') {
      p->pos++;
      break;
    }
    r = syntax(p, "expected ',' or '}', found %s", found(p));
    break;
  }
  free(key.p);
  return r;
}

static int read_element(parser_t *p, hz_value_list_t *out) {
  size_t line = p->line;
  if (peek(p) != '{') {
    if (!starts_value(p))
      return syntax(p, "expected an entry {\"indicator\": ..., \"value\": ...}, found %s",
                    found(p));
    hz_diags_add(p->d, line,
                 "expected an entry {\"indicator\": ..., \"value\": ...}, found %s", found(p));
    return skip_value(p, 1);
  }
  p->pos++;
  element_t el = {0};
  int r = read_members(p, &el);
  if (r == J_OK) {
    check_element(p, &el, line);
    if (!el.bad && hz_value_list_add(out, line, sbuf_str(&el.indicator),
                                     sbuf_str(&el.value), sbuf_str(&el.comment)) < 0)
      r = J_NOMEM;
  }
  free(el.indicator.p);
  free(el.value.p);
  free(el.comment.p);
  return r;
}

/* The array of entries, at its '['. */
static int read_entries(parser_t *p, hz_value_list_t *out) {
  p->pos++;
  ws(p);
  if (peek(p) == ']') {
    p->pos++;
    return J_OK;
  }
  for (;;) {
    int r;
    ws(p);
    if ((r = read_element(p, out)) != J_OK)
      return r;
    ws(p);
    if (peek(p) == ',') {
      p->pos++;
      continue;
    }
    if (peek(p) == ']') {
      p->pos++;
      return J_OK;
    }
    return syntax(p, "expected ',' or ']', found %s", found(p));
  }
}

/* {"values": [...]}, at its '{'. */
static int read_wrapper(parser_t *p, hz_value_list_t *out) {
  size_t line = p->line;
  int have_values = 0, r = J_OK;
  sbuf_t key = {0};
  p->pos++;
  ws(p);
  if (peek(p) == '}') {
    p->pos++;
    goto done;
  }
  for (;;) {
    ws(p);
    if (peek(p) != '"') {
      r = syntax(p, "expected a key in double quotes, found %s", found(p));
      break;
    }
    size_t key_line = p->line;
    if ((r = parse_string(p, &key)) != J_OK)
      break;
    ws(p);
    if (peek(p) != ':') {
      r = syntax(p, "expected ':' after the key \"%s\"", sbuf_str(&key));
      break;
    }
    p->pos++;
    ws(p);
    if (strcmp(sbuf_str(&key), "values") != 0) {
      hz_diags_add(p->d, key_line, "unknown key \"%s\" (the object holds only \"values\")",
                   sbuf_str(&key));
      r = skip_value(p, 1);
    } else if (have_values) {
      hz_diags_add(p->d, key_line, "key \"values\" appears twice");
      r = skip_value(p, 1);
    } else if (peek(p) != '[') {
      hz_diags_add(p->d, p->line, "\"values\" must be an array, not %s", found(p));
      have_values = 1;
      r = skip_value(p, 1);
    } else {
      have_values = 1;
      r = read_entries(p, out);
    }
    if (r != J_OK)
      break;
    ws(p);
    if (peek(p) == ',') {
      p->pos++;
      continue;
    }
    if (peek(p) == '}') {
      p->pos++;
      break;
    }
    r = syntax(p, "expected ',' or '}', found %s", found(p));
    break;
  }
done:
  free(key.p);
  if (r == J_OK && !have_values)
    hz_diags_add(p->d, line, "the object has no \"values\" array");
  return r;
}

int hz_jsonvalues_parse(const char *data, size_t len, hz_value_list_t *out,
                        hz_diags_t *d) {
  parser_t p = {.s = data, .len = len, .pos = 0, .line = 1, .line_start = 0, .d = d};
  if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
    p.pos = p.line_start = 3;
  ws(&p);
  int r;
  if (peek(&p) == '[')
    r = read_entries(&p, out);
  else if (peek(&p) == '{')
    r = read_wrapper(&p, out);
  else if (at_end(&p))
    r = syntax(&p, "the file is empty");
  else
    r = syntax(&p, "expected an array of entries or {\"values\": [...]}, found %s", found(&p));
  if (r == J_OK) {
    ws(&p);
    if (!at_end(&p))
      r = syntax(&p, "text after the end of the document (found %s)", found(&p));
  }
  return r == J_NOMEM ? -1 : 0;
}
