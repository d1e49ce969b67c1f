/* Problem lists and refusals (api/problems.h). */
#include "api/problems.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hz_problems_init(hz_problems_t *p, hz_arena_t *arena) {
  memset(p, 0, sizeof(*p));
  p->arena = arena;
}

static char *dup_or_empty(hz_arena_t *a, const char *s) {
  return hz_arena_strdup(a, s ? s : "");
}

/* Where a problem about item index goes: after every listed one whose
 * index is <= index (binary search; items are sorted by index). */
static size_t insertion_point(const hz_problems_t *p, int index) {
  size_t lo = 0, hi = p->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (p->items[mid]->index <= index)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

static int grow(hz_problems_t *p) {
  if (p->n < p->cap)
    return 0;
  size_t cap = p->cap ? p->cap * 2 : 16;
  Huizong__V1__Problem **ni = hz_arena_alloc(p->arena, cap * sizeof(*ni));
  if (!ni)
    return -ENOMEM;
  if (p->n)
    memcpy(ni, p->items, p->n * sizeof(*ni));
  p->items = ni;
  p->cap = cap;
  return 0;
}

/* Adds one problem; *out is the listed item, or NULL when only counted. */
static int add_item(hz_problems_t *p, int index, int line, int kind, const char *field,
                    const char *indicator, const char *key, const char *reason,
                    Huizong__V1__Problem **out) {
  *out = NULL;
  p->total++;
  size_t at = insertion_point(p, index);
  if (p->n >= HZ_PROBLEMS_MAX_LISTED && at == p->n)
    return 0; /* after everything listed: counted only */
  Huizong__V1__Problem *pr = hz_arena_alloc(p->arena, sizeof(*pr));
  if (!pr)
    return -ENOMEM;
  huizong__v1__problem__init(pr);
  pr->index = index;
  pr->line = line;
  pr->kind = kind;
  pr->field = dup_or_empty(p->arena, field);
  pr->indicator_code = dup_or_empty(p->arena, indicator);
  pr->key = dup_or_empty(p->arena, key);
  pr->reason = dup_or_empty(p->arena, reason);
  if (!pr->field || !pr->indicator_code || !pr->key || !pr->reason)
    return -ENOMEM;
  if (p->n >= HZ_PROBLEMS_MAX_LISTED)
    p->n--; /* the last in request order makes room */
  if (grow(p))
    return -ENOMEM;
  memmove(p->items + at + 1, p->items + at, (p->n - at) * sizeof(*p->items));
  p->items[at] = pr;
  p->n++;
  *out = pr;
  return 0;
}

int hz_problems_add(hz_problems_t *p, int index, int line, int kind, const char *field,
                    const char *indicator, const char *key, const char *reason) {
  Huizong__V1__Problem *pr;
  return add_item(p, index, line, kind, field, indicator, key, reason, &pr);
}

int hz_problems_add_rule(hz_problems_t *p, int index, int kind, const char *field,
                         const char *indicator, const char *rule_code, const char *reason) {
  Huizong__V1__Problem *pr;
  int rc = add_item(p, index, 0, kind, field, indicator, indicator, reason, &pr);
  if (rc || !pr)
    return rc;
  pr->rule_code = dup_or_empty(p->arena, rule_code);
  return pr->rule_code ? 0 : -ENOMEM;
}

int hz_problems_add_rule_keyed(hz_problems_t *p, int index, int kind, const char *indicator,
                               const char *key, const char *rule_code, const char *reason) {
  Huizong__V1__Problem *pr;
  int rc = add_item(p, index, 0, kind, "value", indicator, key, reason, &pr);
  if (rc || !pr)
    return rc;
  pr->rule_code = dup_or_empty(p->arena, rule_code);
  return pr->rule_code ? 0 : -ENOMEM;
}

static hz_status_code_t status_of_kind(int kind) {
  switch (kind) {
  case HUIZONG__V1__PROBLEM_KIND__PROBLEM_KIND_UNKNOWN_REFERENCE: return HZ_STATUS_NOT_FOUND;
  case HUIZONG__V1__PROBLEM_KIND__PROBLEM_KIND_WRONG_PERIOD_TYPE:
  case HUIZONG__V1__PROBLEM_KIND__PROBLEM_KIND_NOT_REPORTING:
  case HUIZONG__V1__PROBLEM_KIND__PROBLEM_KIND_CONFLICT:
  case HUIZONG__V1__PROBLEM_KIND__PROBLEM_KIND_RULE_ERROR:
  case HUIZONG__V1__PROBLEM_KIND__PROBLEM_KIND_RULE_WARNING: return HZ_STATUS_FAILED_PRECONDITION;
  default: return HZ_STATUS_INVALID_ARGUMENT;
  }
}

hz_status_code_t hz_problems_status(const hz_problems_t *p) {
  hz_status_code_t best = HZ_STATUS_FAILED_PRECONDITION;
  for (size_t i = 0; i < p->n; i++) {
    hz_status_code_t s = status_of_kind(p->items[i]->kind);
    if (s == HZ_STATUS_INVALID_ARGUMENT)
      return s;
    if (s == HZ_STATUS_NOT_FOUND)
      best = s;
  }
  return p->n ? best : HZ_STATUS_INVALID_ARGUMENT;
}

static int describe(const Huizong__V1__Problem *pr, char *buf, size_t len) {
  if (pr->line > 0)
    return snprintf(buf, len, "line %d: %s", pr->line, pr->reason);
  if (pr->index >= 0)
    return snprintf(buf, len, "item %d: %s", pr->index + 1, pr->reason);
  return snprintf(buf, len, "%s", pr->reason);
}

char *hz_problems_summary(const hz_problems_t *p) {
  char *out = hz_arena_alloc(p->arena, HZ_PROBLEMS_SUMMARY_MAX + 64);
  if (!out)
    return NULL;
  size_t len = (size_t)snprintf(out, HZ_PROBLEMS_SUMMARY_MAX, "%d problem%s: ", p->total,
                                p->total == 1 ? "" : "s");
  size_t shown = 0;
  for (size_t i = 0; i < p->n; i++) {
    char one[512];
    int n = describe(p->items[i], one, sizeof(one));
    if (n < 0 || len + (size_t)n + 2 >= HZ_PROBLEMS_SUMMARY_MAX)
      break;
    len += (size_t)snprintf(out + len, HZ_PROBLEMS_SUMMARY_MAX + 64 - len, "%s%s",
                            shown ? "; " : "", one);
    shown++;
  }
  if (shown < (size_t)p->total)
    snprintf(out + len, HZ_PROBLEMS_SUMMARY_MAX + 64 - len, "%s(%d more)", shown ? "; " : "",
             p->total - (int)shown);
  return out;
}

void hz_problems_refuse(hz_rpc_t *rpc, const hz_problems_t *p) {
  Huizong__V1__ProblemList list = HUIZONG__V1__PROBLEM_LIST__INIT;
  list.problems = p->items;
  list.n_problems = p->n;
  list.total = p->total;
  /* Keep the trailer within what HTTP/2 peers accept for headers. */
  while (list.n_problems > 0 &&
         protobuf_c_message_get_packed_size(&list.base) > HZ_PROBLEMS_TRAILER_MAX)
    list.n_problems /= 2;
  size_t size = protobuf_c_message_get_packed_size(&list.base);
  uint8_t *buf = hz_arena_alloc(hz_rpc_arena(rpc), size ? size : 1);
  if (buf) {
    protobuf_c_message_pack(&list.base, buf);
    hz_call_add_trailer(rpc->call, "huizong-problems-bin", buf, size);
  }
  char *summary = hz_problems_summary(p);
  hz_rpc_finish(rpc, hz_problems_status(p), "%s", summary ? summary : "request refused");
}
