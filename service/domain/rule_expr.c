/* Validation-rule expressions: a recursive-descent parser emitting reverse
 * Polish notation, and the message template check (domain/rule_expr.h). */
#include "domain/rule_expr.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "domain/decimal.h"
#include "domain/ident.h"

/* One parse: the text, where it is, and the compiled form so far. */
typedef struct parser_s {
  const char *s;        /* the expression (not NUL-terminated) */
  size_t len;           /* its length */
  size_t pos;           /* next byte to read */
  int depth;            /* current nesting, bounded by HZ_RULE_EXPR_MAX_DEPTH */
  int nodes;            /* tokens emitted, bounded by HZ_RULE_EXPR_MAX_NODES */
  char *out;            /* compiled form */
  size_t out_size;      /* its capacity */
  size_t out_len;       /* bytes written, without NUL */
  hz_rule_error_t *err; /* the first error */
  int rc;               /* 0, or the first error's code: later ones are ignored */
} parser_t;

static int fail(parser_t *p, int rc, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(parser_t *p, int rc, size_t at, const char *fmt, ...) {
  if (p->rc == 0) {
    va_list ap;
    va_start(ap, fmt);
    p->err->pos = (int)at + 1;
    vsnprintf(p->err->why, sizeof(p->err->why), fmt, ap);
    va_end(ap);
    p->rc = rc;
  }
  return p->rc;
}

static void skip_space(parser_t *p) {
  while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t'))
    p->pos++;
}

static int is_digit(char c) {
  return c >= '0' && c <= '9';
}

static int is_code_start(char c) {
  return c >= 'a' && c <= 'z';
}

static int is_code_char(char c) {
  return is_code_start(c) || is_digit(c) || c == '_' || c == '.' || c == '-';
}

/* What the text holds at pos, for "found ..." in messages. */
static const char *found(const parser_t *p, char *buf, size_t size) {
  if (p->pos >= p->len)
    return "the end";
  unsigned char c = (unsigned char)p->s[p->pos];
  if (c >= 0x20 && c < 0x7f)
    snprintf(buf, size, "'%c'", c);
  else
    snprintf(buf, size, "byte 0x%02x", c);
  return buf;
}

/* Appends one token of the compiled form: prefix then n bytes of text. */
static int emit(parser_t *p, const char *prefix, const char *text, size_t n) {
  if (p->rc)
    return p->rc;
  if (++p->nodes > HZ_RULE_EXPR_MAX_NODES)
    return fail(p, -E2BIG, p->pos, "more than %d operands and operators", HZ_RULE_EXPR_MAX_NODES);
  size_t plen = strlen(prefix), sep = p->out_len ? 1 : 0;
  if (p->out_len + sep + plen + n + 1 > p->out_size) {
    p->rc = -ENOSPC;
    return p->rc;
  }
  if (sep)
    p->out[p->out_len++] = ' ';
  memcpy(p->out + p->out_len, prefix, plen);
  memcpy(p->out + p->out_len + plen, text, n);
  p->out_len += plen + n;
  p->out[p->out_len] = '\0';
  return 0;
}

static int expr(parser_t *p);

/* Reads a code at pos into code (NUL-terminated); pos moves past it. */
static int read_code(parser_t *p, char code[HZ_INDICATOR_CODE_MAX_LEN + 1]) {
  size_t start = p->pos;
  while (p->pos < p->len && is_code_char(p->s[p->pos]))
    p->pos++;
  size_t n = p->pos - start;
  if (n > HZ_INDICATOR_CODE_MAX_LEN)
    return fail(p, -EINVAL, start, "indicator code longer than %d characters",
                HZ_INDICATOR_CODE_MAX_LEN);
  memcpy(code, p->s + start, n);
  code[n] = '\0';
  return 0;
}

static int number(parser_t *p) {
  size_t start = p->pos;
  while (p->pos < p->len && is_digit(p->s[p->pos]))
    p->pos++;
  if (p->pos < p->len && p->s[p->pos] == '.') {
    p->pos++;
    if (p->pos >= p->len || !is_digit(p->s[p->pos]))
      return fail(p, -EINVAL, p->pos, "expected a digit after '.'");
    while (p->pos < p->len && is_digit(p->s[p->pos]))
      p->pos++;
  }
  char norm[HZ_DECIMAL_BUFSIZE], why[96];
  if (hz_decimal_normalize(p->s + start, p->pos - start, norm, sizeof(norm)) != 0) {
    if (hz_decimal_validate(p->s + start, p->pos - start, why, sizeof(why)) == 0)
      snprintf(why, sizeof(why), "too long");
    return fail(p, -EINVAL, start, "malformed number: %s", why);
  }
  return emit(p, "#", norm, strlen(norm));
}

static int expect_char(parser_t *p, char c, const char *what) {
  char buf[16];
  skip_space(p);
  if (p->pos >= p->len || p->s[p->pos] != c)
    return fail(p, -EINVAL, p->pos, "expected %s, found %s", what, found(p, buf, sizeof(buf)));
  p->pos++;
  return 0;
}

/* prev_year(CODE), prev_period(CODE), ytd(CODE): one code, nothing else. */
static int code_function(parser_t *p, const char *prefix, const char *name) {
  char code[HZ_INDICATOR_CODE_MAX_LEN + 1], buf[16];
  skip_space(p);
  if (p->pos >= p->len || !is_code_start(p->s[p->pos]))
    return fail(p, -EINVAL, p->pos, "%s takes an indicator code, found %s", name,
                found(p, buf, sizeof(buf)));
  if (read_code(p, code) || expect_char(p, ')', "')' closing the indicator code"))
    return p->rc;
  return emit(p, prefix, code, strlen(code));
}

/* A name at pos: a function when '(' follows, else an indicator code. */
static int name(parser_t *p) {
  size_t start = p->pos;
  char code[HZ_INDICATOR_CODE_MAX_LEN + 1];
  if (read_code(p, code))
    return p->rc;
  skip_space(p);
  if (p->pos >= p->len || p->s[p->pos] != '(')
    return emit(p, "v:", code, strlen(code));
  p->pos++;
  if (strcmp(code, "abs") == 0) {
    if (expr(p) || expect_char(p, ')', "')' closing abs("))
      return p->rc;
    return emit(p, "abs", "", 0);
  }
  if (strcmp(code, "prev_year") == 0)
    return code_function(p, "py:", "prev_year");
  if (strcmp(code, "prev_period") == 0)
    return code_function(p, "pp:", "prev_period");
  if (strcmp(code, "ytd") == 0)
    return code_function(p, "ytd:", "ytd");
  return fail(p, -EINVAL, start,
              "unknown function %s(; expected abs, prev_year, prev_period or ytd", code);
}

static int primary(parser_t *p) {
  char buf[16];
  skip_space(p);
  if (p->pos < p->len && is_digit(p->s[p->pos]))
    return number(p);
  if (p->pos < p->len && is_code_start(p->s[p->pos]))
    return name(p);
  if (p->pos < p->len && p->s[p->pos] == '(') {
    p->pos++;
    if (expr(p))
      return p->rc;
    return expect_char(p, ')', "')'");
  }
  return fail(p, -EINVAL, p->pos,
              "expected an indicator code, a number, '(' or a function, found %s",
              found(p, buf, sizeof(buf)));
}

static int unary(parser_t *p) {
  if (++p->depth > HZ_RULE_EXPR_MAX_DEPTH)
    return fail(p, -E2BIG, p->pos, "nested deeper than %d", HZ_RULE_EXPR_MAX_DEPTH);
  skip_space(p);
  int rc;
  if (p->pos < p->len && p->s[p->pos] == '-') {
    p->pos++;
    rc = unary(p) ? p->rc : emit(p, "neg", "", 0);
  } else {
    rc = primary(p);
  }
  p->depth--;
  return rc;
}

static int term(parser_t *p) {
  if (unary(p))
    return p->rc;
  for (;;) {
    skip_space(p);
    if (p->pos >= p->len || (p->s[p->pos] != '*' && p->s[p->pos] != '/'))
      return 0;
    char op = p->s[p->pos++];
    if (unary(p) || emit(p, op == '*' ? "*" : "/", "", 0))
      return p->rc;
  }
}

static int expr(parser_t *p) {
  if (++p->depth > HZ_RULE_EXPR_MAX_DEPTH)
    return fail(p, -E2BIG, p->pos, "nested deeper than %d", HZ_RULE_EXPR_MAX_DEPTH);
  if (term(p))
    return p->rc;
  for (;;) {
    skip_space(p);
    if (p->pos >= p->len || (p->s[p->pos] != '+' && p->s[p->pos] != '-'))
      break;
    char op = p->s[p->pos++];
    if (term(p) || emit(p, op == '+' ? "+" : "-", "", 0))
      return p->rc;
  }
  p->depth--;
  return 0;
}

int hz_rule_expr_compile(const char *src, size_t len, char *rpn, size_t rpn_size,
                         hz_rule_error_t *err) {
  hz_rule_error_t ignored;
  parser_t p = {
      .s = src, .len = len, .out = rpn, .out_size = rpn_size, .err = err ? err : &ignored};
  p.err->pos = 0;
  p.err->why[0] = '\0';
  if (!rpn || rpn_size == 0)
    return -ENOSPC;
  rpn[0] = '\0';
  if (!src)
    return fail(&p, -EINVAL, 0, "empty expression");
  if (len > HZ_RULE_EXPR_MAX_LEN)
    return fail(&p, -E2BIG, HZ_RULE_EXPR_MAX_LEN, "longer than %d bytes", HZ_RULE_EXPR_MAX_LEN);
  skip_space(&p);
  if (p.pos >= len)
    return fail(&p, -EINVAL, p.pos, "empty expression");
  if (expr(&p))
    return p.rc;
  skip_space(&p);
  char buf[16];
  if (p.pos < len)
    return fail(&p, -EINVAL, p.pos, "expected an operator or the end, found %s",
                found(&p, buf, sizeof(buf)));
  return 0;
}

/* ---- message templates ------------------------------------------------------ */

/* Appends a placeholder's code to the space-separated list. */
static int add_code(char *codes, size_t size, size_t *len, const char *code, size_t n) {
  size_t sep = *len ? 1 : 0;
  if (*len + sep + n + 1 > size)
    return -ENOSPC;
  if (sep)
    codes[(*len)++] = ' ';
  memcpy(codes + *len, code, n);
  *len += n;
  codes[*len] = '\0';
  return 0;
}

static int template_fail(hz_rule_error_t *err, int rc, size_t at, const char *why) {
  err->pos = (int)at + 1;
  snprintf(err->why, sizeof(err->why), "%s", why);
  return rc;
}

int hz_rule_template_check(const char *tmpl, char *codes, size_t codes_size, hz_rule_error_t *err) {
  hz_rule_error_t ignored;
  if (!err)
    err = &ignored;
  err->pos = 0;
  err->why[0] = '\0';
  if (!codes || codes_size == 0)
    return -ENOSPC;
  codes[0] = '\0';
  if (!tmpl)
    return 0;
  size_t n = strlen(tmpl), len = 0;
  if (n > HZ_RULE_TEMPLATE_MAX_LEN)
    return template_fail(err, -E2BIG, 0, "message longer than 500 bytes");
  for (size_t i = 0; i < n; i++) {
    if (tmpl[i] == '}')
      return template_fail(err, -EINVAL, i, "'}' without '{'");
    if (tmpl[i] != '{')
      continue;
    const char *close = memchr(tmpl + i + 1, '}', n - i - 1);
    if (!close)
      return template_fail(err, -EINVAL, i, "'{' without '}'");
    size_t k = (size_t)(close - tmpl) - i - 1;
    char word[HZ_INDICATOR_CODE_MAX_LEN + 1];
    if (k == 0 || k > HZ_INDICATOR_CODE_MAX_LEN)
      return template_fail(err, -EINVAL, i,
                           "placeholder must be {left}, {right}, {name} or {CODE} of an indicator");
    memcpy(word, tmpl + i + 1, k);
    word[k] = '\0';
    if (strcmp(word, "left") && strcmp(word, "right") && strcmp(word, "name")) {
      if (hz_indicator_code_validate(word))
        return template_fail(
            err, -EINVAL, i,
            "placeholder must be {left}, {right}, {name} or {CODE} of an indicator");
      if (add_code(codes, codes_size, &len, word, k))
        return -ENOSPC;
    }
    i += k + 1;
  }
  return 0;
}
