/* Enum spellings for both CLIs. */
#include "names.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const hz_name_t hz_names_level[] = {
    {"province", 1}, {"省", 1},       {"city", 2}, {"市", 2}, {"county", 3}, {"县", 3},
    {"区", 3},       {"township", 4}, {"乡镇", 4}, {"乡", 4}, {"镇", 4},     {"街道", 4},
    {"village", 5},  {"村", 5},       {"社区", 5}, {NULL, 0},
};

const hz_name_t hz_names_period_type[] = {
    {"year", 1},     {"yearly", 1},  {"annual", 1},    {"half_year", 2}, {"half-year", 2},
    {"halfyear", 2}, {"quarter", 3}, {"quarterly", 3}, {"month", 4},     {"monthly", 4},
    {"年度", 1},     {"年", 1},      {"半年", 2},      {"半年度", 2},    {"季度", 3},
    {"季", 3},       {"月度", 4},    {"月", 4},        {NULL, 0},
};

const hz_name_t hz_names_time_aggregation[] = {
    {"sum", 1},  {"last", 2}, {"average", 3}, {"avg", 3},
    {"mean", 3}, {"min", 4},  {"max", 5},     {NULL, 0},
};

const hz_name_t hz_names_region_aggregation[] = {
    {"sum", 1}, {"average", 2}, {"avg", 2},  {"mean", 2},
    {"min", 3}, {"max", 4},     {"none", 5}, {NULL, 0},
};

const hz_name_t hz_names_role[] = {
    {"township", 1},
    {"county", 2},
    {"admin", 3},
    {NULL, 0},
};

const hz_name_t hz_names_approval_state[] = {
    {"missing", 1}, {"submitted", 2}, {"approved", 3}, {"partial", 4}, {NULL, 0},
};

const hz_name_t hz_names_submission_status[] = {
    {"accepted", 1},
    {"validated", 2},
    {"rejected", 3},
    {NULL, 0},
};

/* The server's own spelling first; underscores for shells and habits. */
const hz_name_t hz_names_audit_action[] = {
    {"value.set", 1},
    {"value_set", 1},
    {"narrative.set", 2},
    {"narrative_set", 2},
    {"approve", 3},
    {"reopen", 4},
    {"period.reopen", 5},
    {"period_reopen", 5},
    {"token.create", 6},
    {"token_create", 6},
    {"token.revoke", 7},
    {"token_revoke", 7},
    {"region.set", 8},
    {"region_set", 8},
    {"indicator.set", 9},
    {"indicator_set", 9},
    {"target.set", 10},
    {"target_set", 10},
    {"window.set", 11},
    {"window_set", 11},
    {"rule.set", 12},
    {"rule_set", 12},
    {NULL, 0},
};

const char *hz_name_of(const hz_name_t *t, int v) {
  if (v == 0)
    return "";
  for (; t->name; t++)
    if (t->value == v)
      return t->name;
  return "unknown";
}

static int known_value(const hz_name_t *t, int v) {
  for (; t->name; t++)
    if (t->value == v)
      return 1;
  return 0;
}

int hz_name_parse(const hz_name_t *t, const char *s, int allow_number, int *out) {
  if (!s || !*s)
    return -1;
  for (const hz_name_t *e = t; e->name; e++) {
    if (strcasecmp(e->name, s) == 0) {
      *out = e->value;
      return 0;
    }
  }
  if (allow_number) {
    char *end;
    long v = strtol(s, &end, 10);
    if (*end == '\0' && v > 0 && v < 1000 && known_value(t, (int)v)) {
      *out = (int)v;
      return 0;
    }
  }
  return -1;
}

void hz_name_list(const hz_name_t *t, char *buf, size_t len) {
  size_t used = 0;
  int last = 0;
  buf[0] = '\0';
  for (; t->name && used < len; t++) {
    if (t->value == last)
      continue; /* aliases: only the printed name */
    last = t->value;
    used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "", t->name);
  }
}

static int contains(const int *v, size_t n, int x) {
  for (size_t i = 0; i < n; i++)
    if (v[i] == x)
      return 1;
  return 0;
}

int hz_name_parse_list(const hz_name_t *t, const char *s, int *out, size_t cap, size_t *n,
                       char *bad, size_t badlen) {
  char item[64];
  while (s && *s) {
    const char *comma = strchr(s, ',');
    size_t len = comma ? (size_t)(comma - s) : strlen(s);
    const char *p = s;
    while (len > 0 && (*p == ' ' || *p == '\t'))
      p++, len--;
    while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
      len--;
    if (len > 0) {
      int v;
      /* Longer than any name: unknown, without truncating into a match. */
      int ok = len < sizeof(item);
      if (ok) {
        memcpy(item, p, len);
        item[len] = '\0';
        ok = hz_name_parse(t, item, 0, &v) == 0;
      }
      if (!ok) {
        if (badlen > 0)
          snprintf(bad, badlen, "%.*s", (int)len, p);
        return -1;
      }
      if (!contains(out, *n, v)) {
        if (*n >= cap)
          return -2;
        out[(*n)++] = v;
      }
    }
    s = comma ? comma + 1 : NULL;
  }
  return 0;
}
