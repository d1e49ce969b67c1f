/* Command-line timestamps: a strict RFC 3339 reader. */
#include "timearg.h"

#include <stdio.h>
#include <string.h>

/* Reads exactly n digits at *p into *v, advancing *p. Returns 0 or -1. */
static int digits(const char **p, int n, int *v) {
  int x = 0;
  for (int i = 0; i < n; i++) {
    char c = (*p)[i];
    if (c < '0' || c > '9')
      return -1;
    x = x * 10 + (c - '0');
  }
  *p += n;
  *v = x;
  return 0;
}

/* Consumes the character c at *p. Returns 0 or -1. */
static int expect(const char **p, char c) {
  if (**p != c)
    return -1;
  (*p)++;
  return 0;
}

static int leap_year(int y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m) {
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap_year(y) ? 29 : days[m - 1];
}

/* "YYYY-MM-DD" with a real calendar day. */
static int read_date(const char **p, int *y, int *m, int *d) {
  if (digits(p, 4, y) || expect(p, '-') || digits(p, 2, m) || expect(p, '-') || digits(p, 2, d))
    return -1;
  if (*y < 1 || *m < 1 || *m > 12 || *d < 1 || *d > days_in_month(*y, *m))
    return -1;
  return 0;
}

/* "HH:MM[:SS[.f{1,9}]]"; the fraction's digits are copied to frac. */
static int read_time(const char **p, int *h, int *mi, int *s, char frac[10]) {
  frac[0] = '\0';
  *s = 0;
  if (digits(p, 2, h) || expect(p, ':') || digits(p, 2, mi))
    return -1;
  if (**p == ':') {
    (*p)++;
    if (digits(p, 2, s))
      return -1;
    if (**p == '.') {
      (*p)++;
      size_t n = strspn(*p, "0123456789");
      if (n < 1 || n > 9)
        return -1;
      memcpy(frac, *p, n);
      frac[n] = '\0';
      *p += n;
    }
  }
  /* PostgreSQL has no leap seconds, so 60 is refused with the rest. */
  return *h > 23 || *mi > 59 || *s > 59 ? -1 : 0;
}

/* "Z" or "+HH:MM" / "-HH:MM"; written canonically to zone. */
static int read_zone(const char **p, char zone[8]) {
  if (**p == 'Z' || **p == 'z') {
    (*p)++;
    strcpy(zone, "Z");
    return 0;
  }
  char sign = **p;
  int h, m;
  if (sign != '+' && sign != '-')
    return -1;
  (*p)++;
  if (digits(p, 2, &h) || expect(p, ':') || digits(p, 2, &m) || h > 23 || m > 59)
    return -1;
  snprintf(zone, 8, "%c%02d:%02d", sign, h, m);
  return 0;
}

int hz_timearg_normalize(const char *in, char out[HZ_TIMEARG_SIZE]) {
  const char *p = in;
  int y, mo, d, h = 0, mi = 0, s = 0;
  char frac[10] = "", zone[8] = "Z";
  out[0] = '\0';
  if (!in || read_date(&p, &y, &mo, &d))
    return -1;
  if (*p) {
    if (*p != 'T' && *p != 't' && *p != ' ')
      return -1;
    p++;
    if (read_time(&p, &h, &mi, &s, frac) || read_zone(&p, zone) || *p)
      return -1;
  }
  snprintf(out, HZ_TIMEARG_SIZE, "%04d-%02d-%02dT%02d:%02d:%02d%s%s%s", y, mo, d, h, mi, s,
           frac[0] ? "." : "", frac, zone);
  return 0;
}

int hz_cli_time_opt(hz_cli_t *cli, const char *name, char out[HZ_TIMEARG_SIZE]) {
  const char *v = hz_cli_opt(cli, name);
  out[0] = '\0';
  if (v && hz_timearg_normalize(v, out) < 0)
    return hz_cli_usage(cli, "invalid --%s '%s' (%s)", name, v, HZ_TIMEARG_FORMS);
  return HZ_EXIT_OK;
}
