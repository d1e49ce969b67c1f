/* Output helpers shared by the commands. */
#include "present.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hz_strpool_init(hz_strpool_t *p) {
  memset(p, 0, sizeof(*p));
}

void hz_strpool_free(hz_strpool_t *p) {
  for (size_t i = 0; i < p->n; i++)
    free(p->v[i]);
  free(p->v);
  hz_strpool_init(p);
}

static const char *pool_take(hz_strpool_t *p, char *s) {
  if (!s)
    return NULL;
  if (p->n == p->cap) {
    size_t cap = p->cap ? p->cap * 2 : 64;
    char **v = realloc(p->v, cap * sizeof(*v));
    if (!v) {
      free(s);
      return NULL;
    }
    p->v = v;
    p->cap = cap;
  }
  p->v[p->n++] = s;
  return s;
}

const char *hz_strpool_printf(hz_strpool_t *p, const char *fmt, ...) {
  char *s = NULL;
  va_list ap;
  va_start(ap, fmt);
  int n = vasprintf(&s, fmt, ap);
  va_end(ap);
  return n < 0 ? NULL : pool_take(p, s);
}

const char *hz_cell_decimal(const Huizong__V1__Decimal *d) {
  return d && d->value && d->value[0] ? d->value : NULL;
}

const char *hz_cell_percent(const hz_cli_t *cli, hz_strpool_t *p, const Huizong__V1__Decimal *d) {
  const char *v = hz_cell_decimal(d);
  if (!v || cli->format != HZ_FORMAT_TABLE)
    return v;
  return hz_strpool_printf(p, "%s%%", v);
}

const char *hz_cell_opt(const char *s) {
  return s && *s ? s : NULL;
}

const char *hz_cell_int(hz_strpool_t *p, long long v) {
  return hz_strpool_printf(p, "%lld", v);
}

const char *hz_cell_bool(int v) {
  return v ? "true" : "false";
}

static int write_vertical(hz_cli_t *cli, size_t n, const char *const *keys,
                          const char *const *values) {
  size_t w = 0;
  for (size_t i = 0; i < n; i++)
    if (hz_display_width(keys[i]) > w)
      w = hz_display_width(keys[i]);
  for (size_t i = 0; i < n; i++) {
    fputs(keys[i], cli->out);
    if (values[i] && *values[i]) {
      for (size_t k = hz_display_width(keys[i]); k < w + 2; k++)
        fputc(' ', cli->out);
      /* A multi-line value keeps its lines under the value column. */
      for (const char *v = values[i]; *v; v++) {
        fputc(*v, cli->out);
        if (*v == '\n' && v[1])
          for (size_t k = 0; k < w + 2; k++)
            fputc(' ', cli->out);
      }
    }
    fputc('\n', cli->out);
  }
  return ferror(cli->out) ? HZ_EXIT_REFUSED : HZ_EXIT_OK;
}

int hz_write_record(hz_cli_t *cli, size_t n, const char *const *keys, const char *const *values) {
  switch (cli->format) {
  case HZ_FORMAT_CSV:
    hz_csv_write_row(cli->out, n, keys);
    hz_csv_write_row(cli->out, n, values);
    break;
  case HZ_FORMAT_JSON:
    fputs("[\n  ", cli->out);
    hz_json_write_object(cli->out, n, keys, values);
    fputs("\n]\n", cli->out);
    break;
  default: return write_vertical(cli, n, keys, values);
  }
  return ferror(cli->out) ? HZ_EXIT_REFUSED : HZ_EXIT_OK;
}

int hz_write_table(hz_cli_t *cli, const hz_table_t *t) {
  return hz_table_write(t, cli->format, cli->out) < 0 ? HZ_EXIT_REFUSED : HZ_EXIT_OK;
}

int hz_split_list(hz_strpool_t *p, const char *s, char ***items) {
  size_t cap = 1;
  for (const char *c = s; *c; c++)
    cap += *c == ',';
  char **v = calloc(cap, sizeof(*v));
  if (!v)
    return -1;
  size_t n = 0;
  while (*s) {
    const char *comma = strchr(s, ',');
    size_t len = comma ? (size_t)(comma - s) : strlen(s);
    while (len > 0 && (*s == ' ' || *s == '\t'))
      s++, len--;
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
      len--;
    if (len > 0) {
      const char *item = hz_strpool_printf(p, "%.*s", (int)len, s);
      if (!item) {
        free(v);
        return -1;
      }
      v[n++] = (char *)item;
    }
    if (!comma)
      break;
    s = comma + 1;
  }
  *items = v;
  return (int)n;
}

int hz_cli_opt_list(hz_cli_t *cli, const char *name, hz_strpool_t *p, char ***items, size_t *n) {
  *items = NULL;
  *n = 0;
  const char *list = hz_cli_opt(cli, name);
  if (!list)
    return HZ_EXIT_OK;
  int count = hz_split_list(p, list, items);
  if (count < 0) {
    hz_strpool_free(p);
    return hz_cli_error(cli, "out of memory");
  }
  *n = (size_t)count;
  return HZ_EXIT_OK;
}
