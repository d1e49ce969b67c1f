/* The host lists of a multi-host connection string and their rotation
 * (db/hosts.h). */
#include "db/hosts.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void list_free(char **list, int n) {
  if (!list)
    return;
  for (int i = 0; i < n; i++)
    free(list[i]);
  free(list);
}

static int count_items(const char *s) {
  int n = 1;
  for (; *s; s++)
    n += *s == ',';
  return n;
}

/* Splits a comma-separated value into n entries; a single entry is
 * repeated n times (libpq's rule for port). *out stays NULL when the
 * value is absent or its count fits neither. Returns 0 or -ENOMEM. */
static int split(const char *value, int n, char ***out) {
  *out = NULL;
  if (!value || !*value)
    return 0;
  int items = count_items(value);
  if (items != n && items != 1)
    return 0;
  char **list = calloc((size_t)n, sizeof(*list));
  if (!list)
    return -ENOMEM;
  const char *p = value;
  for (int i = 0; i < n; i++) {
    if (items == 1)
      p = value;
    size_t len = strcspn(p, ",");
    list[i] = strndup(p, len);
    if (!list[i]) {
      list_free(list, n);
      return -ENOMEM;
    }
    p += len + (p[len] == ',');
  }
  *out = list;
  return 0;
}

static const char *option(const PQconninfoOption *opts, const char *key) {
  for (const PQconninfoOption *o = opts; o->keyword; o++)
    if (!strcmp(o->keyword, key))
      return o->val;
  return NULL;
}

int hz_db_hosts_parse(hz_db_hosts_t *h, const char *conninfo) {
  memset(h, 0, sizeof(*h));
  PQconninfoOption *opts = PQconninfoParse(conninfo, NULL);
  if (!opts)
    return 0; /* libpq will say what is wrong with it when it connects */
  const char *host = option(opts, "host"), *addr = option(opts, "hostaddr");
  const char *names = host && *host ? host : addr;
  int n = names && *names ? count_items(names) : 0;
  int r = 0;
  if (n >= 2) {
    h->n = n;
    r = split(host, n, &h->host);
    if (!r)
      r = split(addr, n, &h->hostaddr);
    if (!r)
      r = split(option(opts, "port"), n, &h->port);
    if (r || (!h->host && !h->hostaddr))
      hz_db_hosts_free(h);
  }
  PQconninfoFree(opts);
  return r;
}

void hz_db_hosts_free(hz_db_hosts_t *h) {
  if (!h)
    return;
  list_free(h->host, h->n);
  list_free(h->hostaddr, h->n);
  list_free(h->port, h->n);
  memset(h, 0, sizeof(*h));
}

static char **field_list(const hz_db_hosts_t *h, const char *field) {
  if (!strcmp(field, "host"))
    return h->host;
  if (!strcmp(field, "hostaddr"))
    return h->hostaddr;
  if (!strcmp(field, "port"))
    return h->port;
  return NULL;
}

char *hz_db_hosts_rotated(const hz_db_hosts_t *h, const char *field) {
  char **list = h->n ? field_list(h, field) : NULL;
  if (!list)
    return NULL;
  size_t len = 0;
  for (int i = 0; i < h->n; i++)
    len += strlen(list[i]) + 1;
  char *out = malloc(len);
  if (!out)
    return NULL;
  char *p = out;
  for (int k = 0; k < h->n; k++) {
    const char *item = list[(h->first + k) % h->n];
    size_t n = strlen(item);
    memcpy(p, item, n);
    p += n;
    *p++ = k + 1 < h->n ? ',' : '\0';
  }
  return out;
}

static int same(const char *a, const char *b) {
  return a && b && !strcmp(a, b);
}

int hz_db_hosts_current(const hz_db_hosts_t *h, const PGconn *pg) {
  const char *host = PQhost(pg), *port = PQport(pg);
  for (int i = 0; i < h->n; i++) {
    int host_ok = (h->host && h->host[i][0] && same(h->host[i], host)) ||
                  (h->hostaddr && same(h->hostaddr[i], host));
    if (host_ok && (!h->port || same(h->port[i], port)))
      return i;
  }
  return -1;
}
