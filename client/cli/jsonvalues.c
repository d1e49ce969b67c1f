/* Recursive-descent reading of the JSON values document. Only the fixed
 * shape is interpreted; values of other types are still parsed (to find
 * where they end and to report real syntax errors) by the bounded skipper
 * of jsonlex.h. Shape problems are recorded and parsing goes on
 * (HZ_JSONLEX_OK); syntax errors and lack of memory end it. */
#include "jsonvalues.h"

#include <stdlib.h>
#include <string.h>

#include "jsonlex.h"

/* The fields of one element as read. */
typedef struct element_s {
  hz_jsonlex_buf_t indicator;                   /* "indicator" */
  hz_jsonlex_buf_t value;                       /* "value", verbatim */
  hz_jsonlex_buf_t comment;                     /* "comment" */
  int have_indicator, have_value, have_comment; /* key seen */
  int indicator_typed_wrong;                    /* "indicator" was not a string (reported) */
  int value_typed_wrong; /* "value" was neither string nor number (reported) */
  int bad;               /* a shape problem was reported */
} element_t;

/* ---- the values shape ---- */

/* Can the next character begin a JSON value at all? If not, what follows
 * is a syntax error rather than a value of the wrong type. */
static int starts_value(const hz_jsonlex_t *p) {
  char c = hz_jsonlex_peek(p);
  return !hz_jsonlex_at_end(p) && (strchr("{[\"tfn-", c) != NULL || (c >= '0' && c <= '9'));
}

/* A key's value when it is not of the type wanted: reported, skipped. */
static int wrong_type(hz_jsonlex_t *p, element_t *el, const char *key, const char *want) {
  if (!starts_value(p))
    return hz_jsonlex_syntax(p, "expected a value for \"%s\", found %s", key, hz_jsonlex_found(p));
  hz_diags_add(p->d, p->line, "\"%s\" must be %s, not %s", key, want, hz_jsonlex_found(p));
  el->bad = 1;
  return hz_jsonlex_skip(p, 1);
}

static int read_indicator(hz_jsonlex_t *p, element_t *el) {
  if (hz_jsonlex_peek(p) != '"') {
    el->indicator_typed_wrong = 1;
    return wrong_type(p, el, "indicator", "a string");
  }
  return hz_jsonlex_string(p, &el->indicator);
}

static int read_value(hz_jsonlex_t *p, element_t *el) {
  char c = hz_jsonlex_peek(p);
  if (c == '"')
    return hz_jsonlex_string(p, &el->value);
  if (c != '-' && !(c >= '0' && c <= '9')) {
    el->value_typed_wrong = 1;
    return wrong_type(p, el, "value", "a string or a number");
  }
  size_t s, e;
  int exp;
  size_t line = p->line;
  int r = hz_jsonlex_number(p, &s, &e, &exp);
  if (r != HZ_JSONLEX_OK)
    return r;
  if (exp) {
    hz_diags_add(p->d, line,
                 "\"value\" %.*s has an exponent; exact decimals are written "
                 "out in digits",
                 (int)(e - s), p->s + s);
    el->bad = 1;
  }
  el->value.n = 0;
  return hz_jsonlex_put(&el->value, p->s + s, e - s) < 0 ? HZ_JSONLEX_NOMEM : HZ_JSONLEX_OK;
}

static int read_comment(hz_jsonlex_t *p, element_t *el) {
  if (hz_jsonlex_peek(p) == 'n')
    return hz_jsonlex_literal(p, "null");
  if (hz_jsonlex_peek(p) != '"')
    return wrong_type(p, el, "comment", "a string or null");
  return hz_jsonlex_string(p, &el->comment);
}

/* One "key": value member of an element object. */
static int read_member(hz_jsonlex_t *p, element_t *el, hz_jsonlex_buf_t *key) {
  int r;
  if (hz_jsonlex_peek(p) != '"')
    return hz_jsonlex_syntax(p, "expected a key in double quotes, found %s", hz_jsonlex_found(p));
  size_t key_line = p->line;
  if ((r = hz_jsonlex_string(p, key)) != HZ_JSONLEX_OK)
    return r;
  hz_jsonlex_ws(p);
  if (hz_jsonlex_peek(p) != ':')
    return hz_jsonlex_syntax(p, "expected ':' after the key \"%s\"", hz_jsonlex_str(key));
  p->pos++;
  hz_jsonlex_ws(p);
  const char *k = hz_jsonlex_str(key);
  int *seen = strcmp(k, "indicator") == 0 ? &el->have_indicator
              : strcmp(k, "value") == 0   ? &el->have_value
              : strcmp(k, "comment") == 0 ? &el->have_comment
                                          : NULL;
  if (!seen) {
    hz_diags_add(p->d, key_line,
                 "unknown key \"%s\" (an entry has \"indicator\", \"value\" and "
                 "optionally \"comment\")",
                 k);
    el->bad = 1;
    return hz_jsonlex_skip(p, 1);
  }
  if (*seen) {
    hz_diags_add(p->d, key_line, "key \"%s\" appears twice in one entry", k);
    el->bad = 1;
    return hz_jsonlex_skip(p, 1);
  }
  *seen = 1;
  if (seen == &el->have_indicator)
    return read_indicator(p, el);
  if (seen == &el->have_value)
    return read_value(p, el);
  return read_comment(p, el);
}

static void check_element(hz_jsonlex_t *p, element_t *el, size_t line) {
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

static int read_members(hz_jsonlex_t *p, element_t *el) {
  hz_jsonlex_buf_t key = {0};
  int r = HZ_JSONLEX_OK;
  hz_jsonlex_ws(p);
  if (hz_jsonlex_peek(p) == '}') {
    p->pos++;
    return HZ_JSONLEX_OK;
  }
  for (;;) {
    hz_jsonlex_ws(p);
    if ((r = read_member(p, el, &key)) != HZ_JSONLEX_OK)
      break;
    hz_jsonlex_ws(p);
    if (hz_jsonlex_peek(p) == ',') {
      p->pos++;
      continue;
    }
    if (hz_jsonlex_peek(p) == '}') {
      p->pos++;
      break;
    }
    r = hz_jsonlex_syntax(p, "expected ',' or '}', found %s", hz_jsonlex_found(p));
    break;
  }
  free(key.p);
  return r;
}

static int read_element(hz_jsonlex_t *p, hz_value_list_t *out) {
  size_t line = p->line;
  if (hz_jsonlex_peek(p) != '{') {
    if (!starts_value(p))
      return hz_jsonlex_syntax(p,
                               "expected an entry {\"indicator\": ..., \"value\": ...}, found %s",
                               hz_jsonlex_found(p));
    hz_diags_add(p->d, line, "expected an entry {\"indicator\": ..., \"value\": ...}, found %s",
                 hz_jsonlex_found(p));
    return hz_jsonlex_skip(p, 1);
  }
  p->pos++;
  element_t el = {0};
  int r = read_members(p, &el);
  if (r == HZ_JSONLEX_OK) {
    check_element(p, &el, line);
    if (!el.bad && hz_value_list_add(out, line, hz_jsonlex_str(&el.indicator),
                                     hz_jsonlex_str(&el.value), hz_jsonlex_str(&el.comment)) < 0)
      r = HZ_JSONLEX_NOMEM;
  }
  free(el.indicator.p);
  free(el.value.p);
  free(el.comment.p);
  return r;
}

/* The array of entries, at its '['. */
static int read_entries(hz_jsonlex_t *p, hz_value_list_t *out) {
  p->pos++;
  hz_jsonlex_ws(p);
  if (hz_jsonlex_peek(p) == ']') {
    p->pos++;
    return HZ_JSONLEX_OK;
  }
  for (;;) {
    int r;
    hz_jsonlex_ws(p);
    if ((r = read_element(p, out)) != HZ_JSONLEX_OK)
      return r;
    hz_jsonlex_ws(p);
    if (hz_jsonlex_peek(p) == ',') {
      p->pos++;
      continue;
    }
    if (hz_jsonlex_peek(p) == ']') {
      p->pos++;
      return HZ_JSONLEX_OK;
    }
    return hz_jsonlex_syntax(p, "expected ',' or ']', found %s", hz_jsonlex_found(p));
  }
}

/* {"values": [...]}, at its '{'. */
static int read_wrapper(hz_jsonlex_t *p, hz_value_list_t *out) {
  size_t line = p->line;
  int have_values = 0, r = HZ_JSONLEX_OK;
  hz_jsonlex_buf_t key = {0};
  p->pos++;
  hz_jsonlex_ws(p);
  if (hz_jsonlex_peek(p) == '}') {
    p->pos++;
    goto done;
  }
  for (;;) {
    hz_jsonlex_ws(p);
    if (hz_jsonlex_peek(p) != '"') {
      r = hz_jsonlex_syntax(p, "expected a key in double quotes, found %s", hz_jsonlex_found(p));
      break;
    }
    size_t key_line = p->line;
    if ((r = hz_jsonlex_string(p, &key)) != HZ_JSONLEX_OK)
      break;
    hz_jsonlex_ws(p);
    if (hz_jsonlex_peek(p) != ':') {
      r = hz_jsonlex_syntax(p, "expected ':' after the key \"%s\"", hz_jsonlex_str(&key));
      break;
    }
    p->pos++;
    hz_jsonlex_ws(p);
    if (strcmp(hz_jsonlex_str(&key), "values") != 0) {
      hz_diags_add(p->d, key_line, "unknown key \"%s\" (the object holds only \"values\")",
                   hz_jsonlex_str(&key));
      r = hz_jsonlex_skip(p, 1);
    } else if (have_values) {
      hz_diags_add(p->d, key_line, "key \"values\" appears twice");
      r = hz_jsonlex_skip(p, 1);
    } else if (hz_jsonlex_peek(p) != '[') {
      hz_diags_add(p->d, p->line, "\"values\" must be an array, not %s", hz_jsonlex_found(p));
      have_values = 1;
      r = hz_jsonlex_skip(p, 1);
    } else {
      have_values = 1;
      r = read_entries(p, out);
    }
    if (r != HZ_JSONLEX_OK)
      break;
    hz_jsonlex_ws(p);
    if (hz_jsonlex_peek(p) == ',') {
      p->pos++;
      continue;
    }
    if (hz_jsonlex_peek(p) == '}') {
      p->pos++;
      break;
    }
    r = hz_jsonlex_syntax(p, "expected ',' or '}', found %s", hz_jsonlex_found(p));
    break;
  }
done:
  free(key.p);
  if (r == HZ_JSONLEX_OK && !have_values)
    hz_diags_add(p->d, line, "the object has no \"values\" array");
  return r;
}

int hz_jsonvalues_parse(const char *data, size_t len, hz_value_list_t *out, hz_diags_t *d) {
  hz_jsonlex_t p = {.s = data, .len = len, .pos = 0, .line = 1, .line_start = 0, .d = d};
  if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
    p.pos = p.line_start = 3;
  hz_jsonlex_ws(&p);
  int r;
  if (hz_jsonlex_peek(&p) == '[')
    r = read_entries(&p, out);
  else if (hz_jsonlex_peek(&p) == '{')
    r = read_wrapper(&p, out);
  else if (hz_jsonlex_at_end(&p))
    r = hz_jsonlex_syntax(&p, "the file is empty");
  else
    r = hz_jsonlex_syntax(&p, "expected an array of entries or {\"values\": [...]}, found %s",
                          hz_jsonlex_found(&p));
  if (r == HZ_JSONLEX_OK) {
    hz_jsonlex_ws(&p);
    if (!hz_jsonlex_at_end(&p))
      r = hz_jsonlex_syntax(&p, "text after the end of the document (found %s)",
                            hz_jsonlex_found(&p));
  }
  return r == HZ_JSONLEX_NOMEM ? -1 : 0;
}
