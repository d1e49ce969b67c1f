/* Output helpers shared by the commands. */
#include "present.h"

#include "huizong/v1/aggregation.pb-c.h"
#include "names.h"

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
  (void)cli; /* the column's kind adds the '%' where people read it */
  (void)p;
  return hz_cell_decimal(d);
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

/* An output result as an exit code: HZ_OUT_EBADCOL is a usage error. */
static int out_rc(int rc) {
  if (rc == HZ_OUT_EBADCOL)
    return HZ_EXIT_USAGE;
  return rc < 0 ? HZ_EXIT_REFUSED : HZ_EXIT_OK;
}

int hz_write_record(hz_cli_t *cli, size_t n, const char *const *keys, const char *const *values) {
  hz_table_t t;
  if (hz_table_init(&t, n, keys) < 0 || hz_table_add_row(&t, values) < 0) {
    hz_table_free(&t);
    return hz_cli_error(cli, "out of memory");
  }
  int rc = out_rc(hz_out_record(&cli->o, &t));
  hz_table_free(&t);
  return rc;
}

int hz_write_table(hz_cli_t *cli, const hz_table_t *t) {
  return out_rc(hz_out_table(&cli->o, t));
}

int hz_write_json(hz_cli_t *cli, json_t *doc) {
  return out_rc(hz_out_json_dump(&cli->o, doc));
}

int hz_cli_group_opt(hz_cli_t *cli, int *group_by, int *level) {
  const char *by = hz_cli_opt(cli, "by");
  *group_by = HUIZONG__V1__GROUP_BY__GROUP_BY_NONE;
  *level = 0;
  if (!by || strcmp(by, "none") == 0 || strcmp(by, "无") == 0)
    return HZ_EXIT_OK;
  if (strcmp(by, "children") == 0 || strcmp(by, "下级") == 0 || strcmp(by, "下一级") == 0) {
    *group_by = HUIZONG__V1__GROUP_BY__GROUP_BY_CHILDREN;
    return HZ_EXIT_OK;
  }
  const char *name = strncmp(by, "level:", 6) == 0 ? by + 6 : by;
  if (hz_name_parse(hz_names_level, name, name != by, level) == 0) {
    *group_by = HUIZONG__V1__GROUP_BY__GROUP_BY_LEVEL;
    return HZ_EXIT_OK;
  }
  return hz_cli_usage(cli,
                      "invalid --by '%s' (none, children, a level: province, city, county, "
                      "township, village or 省/市/县/乡镇/村, or level:N with N 1..5)",
                      by);
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
