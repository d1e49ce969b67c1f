/* JSON tokens for the CLI's readers (see jsonlex.h). */
#include "jsonlex.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire/utf8.h"

int hz_jsonlex_put(hz_jsonlex_buf_t *b, const char *s, size_t n) {
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

const char *hz_jsonlex_str(const hz_jsonlex_buf_t *b) {
  return b->p ? b->p : "";
}

char hz_jsonlex_peek(const hz_jsonlex_t *p) {
  return p->pos < p->len ? p->s[p->pos] : '\0';
}

int hz_jsonlex_at_end(const hz_jsonlex_t *p) {
  return p->pos >= p->len;
}

/* Column of pos in characters, 1-based. */
static size_t column(const hz_jsonlex_t *p) {
  size_t col = 1;
  for (size_t i = p->line_start; i < p->pos && i < p->len; i++)
    if (((unsigned char)p->s[i] & 0xC0) != 0x80)
      col++;
  return col;
}

int hz_jsonlex_syntax(hz_jsonlex_t *p, const char *fmt, ...) {
  char msg[300];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  hz_diags_add(p->d, p->line, "column %zu: %s", column(p), msg);
  return HZ_JSONLEX_SYNTAX;
}

void hz_jsonlex_ws(hz_jsonlex_t *p) {
  while (!hz_jsonlex_at_end(p)) {
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

const char *hz_jsonlex_found(const hz_jsonlex_t *p) {
  switch (hz_jsonlex_peek(p)) {
  case '\0': return hz_jsonlex_at_end(p) ? "the end of the file" : "a NUL byte";
  case '{': return "an object";
  case '[': return "an array";
  case '"': return "a string";
  case 't':
  case 'f': return "true/false";
  case 'n': return "null";
  default:
    return (hz_jsonlex_peek(p) == '-' || (hz_jsonlex_peek(p) >= '0' && hz_jsonlex_peek(p) <= '9'))
               ? "a number"
               : "an unexpected character";
  }
}

/* ---- strings ---- */

static int hex4(hz_jsonlex_t *p, uint32_t *v) {
  *v = 0;
  for (int i = 0; i < 4; i++) {
    char c = hz_jsonlex_peek(p);
    int x;
    if (c >= '0' && c <= '9')
      x = c - '0';
    else if (c >= 'a' && c <= 'f')
      x = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      x = c - 'A' + 10;
    else
      return hz_jsonlex_syntax(p, "\\u must be followed by four hex digits");
    *v = (*v << 4) | (uint32_t)x;
    p->pos++;
  }
  return HZ_JSONLEX_OK;
}

static int put_utf8(hz_jsonlex_buf_t *b, uint32_t cp) {
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
  return hz_jsonlex_put(b, u, n) < 0 ? HZ_JSONLEX_NOMEM : HZ_JSONLEX_OK;
}

/* \uXXXX, with a UTF-16 surrogate pair when the first is a high half. */
static int unicode_escape(hz_jsonlex_t *p, hz_jsonlex_buf_t *out) {
  uint32_t cp, lo;
  int r = hex4(p, &cp);
  if (r != HZ_JSONLEX_OK)
    return r;
  if (cp >= 0xDC00 && cp <= 0xDFFF)
    return hz_jsonlex_syntax(p, "lone low surrogate \\u%04X", (unsigned)cp);
  if (cp >= 0xD800 && cp <= 0xDBFF) {
    if (hz_jsonlex_peek(p) != '\\' || p->pos + 1 >= p->len || p->s[p->pos + 1] != 'u')
      return hz_jsonlex_syntax(p, "high surrogate \\u%04X is not followed by a low one",
                               (unsigned)cp);
    p->pos += 2;
    if ((r = hex4(p, &lo)) != HZ_JSONLEX_OK)
      return r;
    if (lo < 0xDC00 || lo > 0xDFFF)
      return hz_jsonlex_syntax(p, "high surrogate \\u%04X is not followed by a low one",
                               (unsigned)cp);
    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
  }
  if (cp == 0)
    return hz_jsonlex_syntax(p, "\\u0000 is not allowed");
  return put_utf8(out, cp);
}

static int escape(hz_jsonlex_t *p, hz_jsonlex_buf_t *out) {
  char c = hz_jsonlex_peek(p);
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
  default: p->pos--; return hz_jsonlex_syntax(p, "invalid escape \\%c", c ? c : '0');
  }
  return hz_jsonlex_put(out, rep, 1) < 0 ? HZ_JSONLEX_NOMEM : HZ_JSONLEX_OK;
}

/* Reads a string (at its opening quote) into out (may be NULL to skip). */
int hz_jsonlex_string(hz_jsonlex_t *p, hz_jsonlex_buf_t *out) {
  hz_jsonlex_buf_t scratch = {0};
  hz_jsonlex_buf_t *b = out ? out : &scratch;
  int r = HZ_JSONLEX_OK;
  b->n = 0;
  if (hz_jsonlex_put(b, "", 0) < 0)
    return HZ_JSONLEX_NOMEM;
  p->pos++;
  for (;;) {
    if (hz_jsonlex_at_end(p)) {
      r = hz_jsonlex_syntax(p, "the string never ends (missing closing quote)");
      break;
    }
    unsigned char c = (unsigned char)p->s[p->pos];
    if (c == '"') {
      p->pos++;
      break;
    }
    if (c == '\\') {
      p->pos++;
      if ((r = escape(p, b)) != HZ_JSONLEX_OK)
        break;
      continue;
    }
    if (c < 0x20) {
      r = hz_jsonlex_syntax(p, "control character 0x%02X inside a string (escape it, e.g. \\n)", c);
      break;
    }
    uint32_t cp;
    size_t n = hz_wire_utf8_decode((const uint8_t *)p->s + p->pos, p->len - p->pos, &cp);
    if (n == 0) {
      r = hz_jsonlex_syntax(p, "not valid UTF-8 (save the file as UTF-8)");
      break;
    }
    if (hz_jsonlex_put(b, p->s + p->pos, n) < 0) {
      r = HZ_JSONLEX_NOMEM;
      break;
    }
    p->pos += n;
  }
  free(scratch.p);
  return r;
}

/* ---- numbers and literals ---- */

static int digits(hz_jsonlex_t *p) {
  size_t start = p->pos;
  while (hz_jsonlex_peek(p) >= '0' && hz_jsonlex_peek(p) <= '9')
    p->pos++;
  return p->pos > start;
}

/* Scans an RFC 8259 number; [*start, *end) is its text. */
int hz_jsonlex_number(hz_jsonlex_t *p, size_t *start, size_t *end, int *has_exp) {
  *start = p->pos;
  *has_exp = 0;
  if (hz_jsonlex_peek(p) == '-')
    p->pos++;
  if (hz_jsonlex_peek(p) == '0') {
    p->pos++;
    if (hz_jsonlex_peek(p) >= '0' && hz_jsonlex_peek(p) <= '9')
      return hz_jsonlex_syntax(p,
                               "numbers may not have leading zeros (write \"%.*s...\" as a string "
                               "if the zeros matter)",
                               (int)(p->pos - *start + 1), p->s + *start);
  } else if (!digits(p)) {
    return hz_jsonlex_syntax(p, "malformed number");
  }
  if (hz_jsonlex_peek(p) == '.') {
    p->pos++;
    if (!digits(p))
      return hz_jsonlex_syntax(p, "malformed number: digits must follow the decimal point");
  }
  if (hz_jsonlex_peek(p) == 'e' || hz_jsonlex_peek(p) == 'E') {
    p->pos++;
    if (hz_jsonlex_peek(p) == '+' || hz_jsonlex_peek(p) == '-')
      p->pos++;
    if (!digits(p))
      return hz_jsonlex_syntax(p, "malformed number: digits must follow the exponent");
    *has_exp = 1;
  }
  *end = p->pos;
  return HZ_JSONLEX_OK;
}

int hz_jsonlex_literal(hz_jsonlex_t *p, const char *word) {
  size_t n = strlen(word);
  if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n) != 0)
    return hz_jsonlex_syntax(p, "unexpected character '%c'", hz_jsonlex_peek(p));
  p->pos += n;
  return HZ_JSONLEX_OK;
}

static int skip_container(hz_jsonlex_t *p, int depth, char close) {
  if (depth >= HZ_JSONLEX_MAX_DEPTH)
    return hz_jsonlex_syntax(p, "nested deeper than %d levels", HZ_JSONLEX_MAX_DEPTH);
  p->pos++;
  hz_jsonlex_ws(p);
  if (hz_jsonlex_peek(p) == close) {
    p->pos++;
    return HZ_JSONLEX_OK;
  }
  for (;;) {
    int r;
    hz_jsonlex_ws(p);
    if (close == '}') {
      if (hz_jsonlex_peek(p) != '"')
        return hz_jsonlex_syntax(p, "expected a key in double quotes, found %s",
                                 hz_jsonlex_found(p));
      if ((r = hz_jsonlex_string(p, NULL)) != HZ_JSONLEX_OK)
        return r;
      hz_jsonlex_ws(p);
      if (hz_jsonlex_peek(p) != ':')
        return hz_jsonlex_syntax(p, "expected ':' after the key");
      p->pos++;
      hz_jsonlex_ws(p);
    }
    if ((r = hz_jsonlex_skip(p, depth + 1)) != HZ_JSONLEX_OK)
      return r;
    hz_jsonlex_ws(p);
    if (hz_jsonlex_peek(p) == ',') {
      p->pos++;
      continue;
    }
    if (hz_jsonlex_peek(p) == close) {
      p->pos++;
      return HZ_JSONLEX_OK;
    }
    return hz_jsonlex_syntax(p, "expected ',' or '%c', found %s", close, hz_jsonlex_found(p));
  }
}

int hz_jsonlex_skip(hz_jsonlex_t *p, int depth) {
  size_t s, e;
  int exp;
  switch (hz_jsonlex_peek(p)) {
  case '{': return skip_container(p, depth, '}');
  case '[': return skip_container(p, depth, ']');
  case '"': return hz_jsonlex_string(p, NULL);
  case 't': return hz_jsonlex_literal(p, "true");
  case 'f': return hz_jsonlex_literal(p, "false");
  case 'n': return hz_jsonlex_literal(p, "null");
  default:
    if (hz_jsonlex_peek(p) == '-' || (hz_jsonlex_peek(p) >= '0' && hz_jsonlex_peek(p) <= '9'))
      return hz_jsonlex_number(p, &s, &e, &exp);
    return hz_jsonlex_syntax(p, "expected a value, found %s", hz_jsonlex_found(p));
  }
}
