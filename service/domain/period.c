/* DHIS2 period codes: parsing, formatting and calendar arithmetic. Every
 * operation reduces to "periods per year" of a type and the ordinal of a
 * period among those of its type, which keeps year boundaries exact. */
#include "domain/period.h"

#include <errno.h>
#include <string.h>

/* Periods of type t in one year (1, 2, 4, 12), or 0 for a bad type. */
static int per_year(int t) {
  switch (t) {
  case HZ_PERIOD_YEAR: return 1;
  case HZ_PERIOD_HALF_YEAR: return 2;
  case HZ_PERIOD_QUARTER: return 4;
  case HZ_PERIOD_MONTH: return 12;
  default: return 0;
  }
}

/* Months in one period of type t (12, 6, 3, 1). */
static int months_in(int t) {
  return 12 / per_year(t);
}

int hz_period_type_valid(int t) {
  return per_year(t) != 0;
}

int hz_period_valid(const hz_period_t *p) {
  if (!p || !hz_period_type_valid((int)p->type))
    return -EINVAL;
  if (p->year < HZ_PERIOD_MIN_YEAR || p->year > HZ_PERIOD_MAX_YEAR)
    return -EINVAL;
  if (p->index < 1 || p->index > per_year((int)p->type))
    return -EINVAL;
  return 0;
}

static int is_digit(char c) {
  return c >= '0' && c <= '9';
}

/* Reads the four-digit year at s; -1 when not digits or out of range. */
static int parse_year(const char *s) {
  for (int i = 0; i < 4; i++)
    if (!is_digit(s[i]))
      return -1;
  int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
  if (y < HZ_PERIOD_MIN_YEAR || y > HZ_PERIOD_MAX_YEAR)
    return -1;
  return y;
}

/* Reads the two characters after the year: S1..S2, Q1..Q4 or 01..12. */
static int parse_suffix(const char *s, hz_period_t *p) {
  if (s[0] == 'S' && (s[1] == '1' || s[1] == '2')) {
    p->type = HZ_PERIOD_HALF_YEAR;
    p->index = s[1] - '0';
    return 0;
  }
  if (s[0] == 'Q' && s[1] >= '1' && s[1] <= '4') {
    p->type = HZ_PERIOD_QUARTER;
    p->index = s[1] - '0';
    return 0;
  }
  if (is_digit(s[0]) && is_digit(s[1])) {
    int m = (s[0] - '0') * 10 + (s[1] - '0');
    if (m < 1 || m > 12)
      return -EINVAL;
    p->type = HZ_PERIOD_MONTH;
    p->index = m;
    return 0;
  }
  return -EINVAL;
}

int hz_period_parse_n(const char *s, size_t len, hz_period_t *out) {
  hz_period_t p;
  if (!s || !out || (len != 4 && len != 6))
    return -EINVAL;
  /* An embedded NUL fails the digit and letter checks below, so length
   * alone decides what is looked at. */
  p.year = parse_year(s);
  if (p.year < 0)
    return -EINVAL;
  if (len == 4) {
    p.type = HZ_PERIOD_YEAR;
    p.index = 1;
  } else if (parse_suffix(s + 4, &p) != 0) {
    return -EINVAL;
  }
  *out = p;
  return 0;
}

int hz_period_parse(const char *s, hz_period_t *out) {
  if (!s)
    return -EINVAL;
  /* Bounded scan: anything longer than 6 is refused without reading on. */
  size_t len = strnlen(s, 7);
  return hz_period_parse_n(s, len, out);
}

const char *hz_period_accepted_forms(void) {
  return "2022 (year), 2022S1..2022S2 (half year), 2022Q1..2022Q4 (quarter), "
         "202201..202212 (month)";
}

/* Writes n (0..99) as two digits at out. */
static void put2(char *out, int n) {
  out[0] = (char)('0' + n / 10);
  out[1] = (char)('0' + n % 10);
}

void hz_period_format(const hz_period_t *p, char out[HZ_PERIOD_TEXT_SIZE]) {
  static const char letter[] = {0, 0, 'S', 'Q', 0};
  if (hz_period_valid(p) != 0) {
    out[0] = '\0';
    return;
  }
  /* Validity bounds every field, so the code is exactly 4 or 6 bytes. */
  put2(out, p->year / 100);
  put2(out + 2, p->year % 100);
  if (p->type == HZ_PERIOD_YEAR) {
    out[4] = '\0';
    return;
  }
  if (p->type == HZ_PERIOD_MONTH) {
    put2(out + 4, p->index);
  } else {
    out[4] = letter[p->type];
    out[5] = (char)('0' + p->index);
  }
  out[6] = '\0';
}

int hz_period_first_month(const hz_period_t *p) {
  if (hz_period_valid(p) != 0)
    return -EINVAL;
  return (p->index - 1) * months_in((int)p->type) + 1;
}

int hz_period_last_month(const hz_period_t *p) {
  if (hz_period_valid(p) != 0)
    return -EINVAL;
  return p->index * months_in((int)p->type);
}

int hz_period_start_date(const hz_period_t *p) {
  int m = hz_period_first_month(p);
  if (m < 0)
    return m;
  return p->year * 10000 + m * 100 + 1;
}

int hz_period_end_date(const hz_period_t *p) {
  int m = hz_period_last_month(p);
  if (m < 0)
    return m;
  if (m == 12)
    return (p->year + 1) * 10000 + 101;
  return p->year * 10000 + (m + 1) * 100 + 1;
}

int hz_period_ordinal(const hz_period_t *p) {
  if (hz_period_valid(p) != 0)
    return -EINVAL;
  return p->year * per_year((int)p->type) + p->index - 1;
}

int hz_period_from_ordinal(hz_period_type_t type, int ordinal, hz_period_t *out) {
  int n = per_year((int)type);
  if (n == 0 || !out)
    return -EINVAL;
  /* Range check first: it also keeps the division away from negatives. */
  if (ordinal < HZ_PERIOD_MIN_YEAR * n || ordinal > HZ_PERIOD_MAX_YEAR * n + n - 1)
    return -ERANGE;
  out->type = type;
  out->year = ordinal / n;
  out->index = ordinal % n + 1;
  return 0;
}

/* Moves p by delta periods of its own type. */
static int shift(const hz_period_t *p, int delta, hz_period_t *out) {
  int ord = hz_period_ordinal(p);
  if (ord < 0)
    return ord;
  if (!out)
    return -EINVAL;
  return hz_period_from_ordinal(p->type, ord + delta, out);
}

int hz_period_previous(const hz_period_t *p, hz_period_t *out) {
  return shift(p, -1, out);
}

int hz_period_next(const hz_period_t *p, hz_period_t *out) {
  return shift(p, 1, out);
}

int hz_period_year_earlier(const hz_period_t *p, hz_period_t *out) {
  if (hz_period_valid(p) != 0)
    return -EINVAL;
  return shift(p, -per_year((int)p->type), out);
}

int hz_period_finer_or_equal(hz_period_type_t a, hz_period_type_t b) {
  if (!hz_period_type_valid((int)a) || !hz_period_type_valid((int)b))
    return 0;
  return (int)a >= (int)b;
}

int hz_period_enclosing(const hz_period_t *p, hz_period_type_t coarser, hz_period_t *out) {
  if (hz_period_valid(p) != 0 || !out)
    return -EINVAL;
  if (!hz_period_finer_or_equal(p->type, coarser))
    return -EINVAL;
  int first = hz_period_first_month(p);
  out->year = p->year;
  out->index = (first - 1) / months_in((int)coarser) + 1;
  out->type = coarser;
  return 0;
}

int hz_period_year_of(const hz_period_t *p, hz_period_t *out) {
  return hz_period_enclosing(p, HZ_PERIOD_YEAR, out);
}

int hz_period_contains(const hz_period_t *outer, const hz_period_t *inner) {
  hz_period_t up;
  if (hz_period_valid(outer) != 0 || hz_period_valid(inner) != 0)
    return 0;
  if (hz_period_enclosing(inner, outer->type, &up) != 0)
    return 0;
  return up.year == outer->year && up.index == outer->index;
}

int hz_period_children(const hz_period_t *outer, hz_period_type_t finer, hz_period_t *out,
                       int max) {
  if (hz_period_valid(outer) != 0 || !hz_period_finer_or_equal(finer, outer->type))
    return -EINVAL;
  int count = per_year((int)finer) / per_year((int)outer->type);
  if (!out || max < count)
    return -ENOSPC;
  int first = (hz_period_first_month(outer) - 1) / months_in((int)finer) + 1;
  for (int i = 0; i < count; i++) {
    out[i].type = finer;
    out[i].year = outer->year;
    out[i].index = first + i;
  }
  return count;
}

int hz_period_cmp(const hz_period_t *a, const hz_period_t *b) {
  /* Invalid periods (start -EINVAL) sort first, all equal to each other. */
  int sa = hz_period_start_date(a), sb = hz_period_start_date(b);
  if (sa != sb)
    return sa < sb ? -1 : 1;
  if (sa < 0)
    return 0;
  /* Same start: the coarser (smaller type number) comes first. */
  if (a->type != b->type)
    return (int)a->type < (int)b->type ? -1 : 1;
  return 0;
}

const char *hz_period_type_name(hz_period_type_t t) {
  switch (t) {
  case HZ_PERIOD_YEAR: return "year";
  case HZ_PERIOD_HALF_YEAR: return "half year";
  case HZ_PERIOD_QUARTER: return "quarter";
  case HZ_PERIOD_MONTH: return "month";
  default: return "unknown";
  }
}

const char *hz_period_type_code(hz_period_type_t t) {
  switch (t) {
  case HZ_PERIOD_YEAR: return "year";
  case HZ_PERIOD_HALF_YEAR: return "half_year";
  case HZ_PERIOD_QUARTER: return "quarter";
  case HZ_PERIOD_MONTH: return "month";
  default: return "unknown";
  }
}

/* One spelling of a period type accepted by hz_period_type_parse. */
typedef struct {
  const char *name;      /* compared case-insensitively */
  hz_period_type_t type; /* what it means */
} type_alias_t;

static const type_alias_t type_aliases[] = {
    {"year", HZ_PERIOD_YEAR},
    {"half_year", HZ_PERIOD_HALF_YEAR},
    {"quarter", HZ_PERIOD_QUARTER},
    {"month", HZ_PERIOD_MONTH},
    {"yearly", HZ_PERIOD_YEAR},
    {"sixmonthly", HZ_PERIOD_HALF_YEAR},
    {"quarterly", HZ_PERIOD_QUARTER},
    {"monthly", HZ_PERIOD_MONTH},
    {"PERIOD_TYPE_YEAR", HZ_PERIOD_YEAR},
    {"PERIOD_TYPE_HALF_YEAR", HZ_PERIOD_HALF_YEAR},
    {"PERIOD_TYPE_QUARTER", HZ_PERIOD_QUARTER},
    {"PERIOD_TYPE_MONTH", HZ_PERIOD_MONTH},
};

/* ASCII-only case folding: strcasecmp would follow the C locale, and a
 * CSV file must mean the same thing whatever the server's locale is. */
static int ascii_iequal(const char *a, const char *b) {
  for (; *a && *b; a++, b++) {
    char ca = (*a >= 'A' && *a <= 'Z') ? (char)(*a + 32) : *a;
    char cb = (*b >= 'A' && *b <= 'Z') ? (char)(*b + 32) : *b;
    if (ca != cb)
      return 0;
  }
  return *a == *b;
}

int hz_period_type_parse(const char *s, hz_period_type_t *out) {
  if (!s || !out)
    return -EINVAL;
  for (size_t i = 0; i < sizeof(type_aliases) / sizeof(type_aliases[0]); i++) {
    if (ascii_iequal(s, type_aliases[i].name)) {
      *out = type_aliases[i].type;
      return 0;
    }
  }
  return -EINVAL;
}
