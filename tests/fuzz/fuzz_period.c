/* libFuzzer target for DHIS2 period codes (domain/period.h): periods come
 * from clients in every request. The parser must agree with an independent
 * acceptance rule, give back exactly its input when formatting, and every
 * operation on what it accepts must keep the calendar invariants. Raw
 * struct values (as a bug might build them) must be refused, not used. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/period.h"

/* The 19 suffixes after a year, in a different shape from the parser's. */
static int reference_accepts(const uint8_t *s, size_t n) {
  static const char *const suffixes[] = {"",   "S1", "S2", "Q1", "Q2", "Q3", "Q4", "01", "02", "03",
                                         "04", "05", "06", "07", "08", "09", "10", "11", "12"};
  if (n != 4 && n != 6)
    return 0;
  int year = 0;
  for (int i = 0; i < 4; i++) {
    if (s[i] < '0' || s[i] > '9')
      return 0;
    year = year * 10 + (s[i] - '0');
  }
  if (year < 1900 || year > 2999)
    return 0;
  for (size_t k = 0; k < sizeof(suffixes) / sizeof(suffixes[0]); k++)
    if (strlen(suffixes[k]) == n - 4 && memcmp(s + 4, suffixes[k], n - 4) == 0)
      return 1;
  return 0;
}

static int same(const hz_period_t *a, const hz_period_t *b) {
  return a->type == b->type && a->year == b->year && a->index == b->index;
}

/* Invariants of an accepted period. */
static void check_operations(const hz_period_t *p) {
  hz_period_t q, r, y, kids[HZ_PERIOD_MAX_CHILDREN];
  if (hz_period_valid(p) != 0)
    abort();
  if (hz_period_previous(p, &q) == 0) {
    if (hz_period_next(&q, &r) != 0 || !same(&r, p))
      abort();
    if (hz_period_end_date(&q) != hz_period_start_date(p))
      abort();
  } else if (p->year != HZ_PERIOD_MIN_YEAR || p->index != 1) {
    abort();
  }
  if (hz_period_year_earlier(p, &q) == 0 &&
      (q.year != p->year - 1 || q.index != p->index || q.type != p->type))
    abort();
  if (hz_period_year_of(p, &y) != 0 || !hz_period_contains(&y, p))
    abort();
  int first = hz_period_first_month(p), last = hz_period_last_month(p);
  if (first < 1 || last > 12 || first > last)
    abort();
  for (int t = HZ_PERIOD_YEAR; t <= HZ_PERIOD_MONTH; t++) {
    int n = hz_period_children(&y, (hz_period_type_t)t, kids, HZ_PERIOD_MAX_CHILDREN);
    int found = 0;
    for (int i = 0; i < n; i++) {
      if (i > 0 && hz_period_end_date(&kids[i - 1]) != hz_period_start_date(&kids[i]))
        abort();
      found += same(&kids[i], p);
    }
    if (n <= 0 || found != (t == (int)p->type))
      abort();
    if (hz_period_enclosing(p, (hz_period_type_t)t, &q) == 0) {
      if (!hz_period_finer_or_equal(p->type, (hz_period_type_t)t) || !hz_period_contains(&q, p))
        abort();
    } else if (hz_period_finer_or_equal(p->type, (hz_period_type_t)t)) {
      abort();
    }
  }
}

/* A struct filled from raw bytes: either valid (and then formats to a
 * code that parses back to it) or refused everywhere. */
static void check_raw_struct(const uint8_t *data, size_t size) {
  hz_period_t p, q, kids[HZ_PERIOD_MAX_CHILDREN];
  char text[HZ_PERIOD_TEXT_SIZE];
  int raw[3];
  if (size < sizeof(raw))
    return;
  memcpy(raw, data, sizeof(raw));
  p.type = (hz_period_type_t)(raw[0] % 8);
  p.year = raw[1] % 4000;
  p.index = raw[2] % 16;
  hz_period_format(&p, text);
  if (hz_period_valid(&p) != 0) {
    if (text[0] != '\0' || hz_period_previous(&p, &q) != -EINVAL ||
        hz_period_children(&p, HZ_PERIOD_MONTH, kids, 12) != -EINVAL ||
        hz_period_contains(&p, &p) || hz_period_ordinal(&p) >= 0)
      abort();
    return;
  }
  if (hz_period_parse(text, &q) != 0 || !same(&p, &q))
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  hz_period_t p;
  int rc = hz_period_parse_n((const char *)data, size, &p);
  if ((rc == 0) != reference_accepts(data, size))
    abort();
  if (rc == 0) {
    char text[HZ_PERIOD_TEXT_SIZE];
    hz_period_format(&p, text);
    if (strlen(text) != size || memcmp(text, data, size) != 0)
      abort();
    check_operations(&p);
  }
  /* The NUL-terminated entry point and the type names see the same bytes. */
  char *z = malloc(size + 1);
  if (!z)
    abort();
  memcpy(z, data, size);
  z[size] = '\0';
  hz_period_t pz;
  if ((hz_period_parse(z, &pz) == 0) !=
      (rc == 0 || (strlen(z) < size && reference_accepts(data, strlen(z)))))
    abort();
  hz_period_type_t t;
  if (hz_period_type_parse(z, &t) == 0 && !hz_period_type_valid((int)t))
    abort();
  free(z);
  check_raw_struct(data, size);
  return 0;
}
