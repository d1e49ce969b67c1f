/* Command-line timestamps: a strict RFC 3339 reader, zone arithmetic
 * by the civil-date algorithms (no TZ database: offsets are fixed). */
#include "timearg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (Howard Hinnant's days_from_civil). */
static long long days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  long long era = (y >= 0 ? y : y - 399) / 400;
  long long yoe = y - era * 400;
  long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

/* The inverse of days_from_civil. */
static void civil_from_days(long long z, int *y, int *m, int *d) {
  z += 719468;
  long long era = (z >= 0 ? z : z - 146096) / 146097;
  long long doe = z - era * 146097;
  long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  long long mp = (5 * doy + 2) / 153;
  *d = (int)(doy - (153 * mp + 2) / 5 + 1);
  *m = (int)(mp < 10 ? mp + 3 : mp - 9);
  *y = (int)(yoe + era * 400 + (*m <= 2));
}

/* One parsed time: the local fields and the offset they were written in. */
typedef struct stamp_s {
  int y, mo, d, h, mi, s; /* as written */
  char frac[10];          /* fraction digits, "" for none */
  int has_zone;           /* an offset or Z was written */
  int zone_min;           /* minutes east of UTC */
  char zone[8];           /* the offset as written, canonical ("Z", "+00:00") */
} stamp_t;

static int zone_minutes(const char *zone) {
  if (zone[0] == 'Z')
    return 0;
  int v = ((zone[1] - '0') * 10 + (zone[2] - '0')) * 60 + (zone[4] - '0') * 10 + (zone[5] - '0');
  return zone[0] == '-' ? -v : v;
}

/* Reads the date, the optional time and the optional zone. */
static int read_stamp(const char *in, stamp_t *t) {
  const char *p = in;
  char zone[8] = "";
  memset(t, 0, sizeof(*t));
  if (!in || read_date(&p, &t->y, &t->mo, &t->d))
    return -1;
  if (*p) {
    if (*p != 'T' && *p != 't' && *p != ' ')
      return -1;
    p++;
    if (read_time(&p, &t->h, &t->mi, &t->s, t->frac))
      return -1;
    if (*p == ' ' && (p[1] == '+' || p[1] == '-' || p[1] == 'Z' || p[1] == 'z'))
      p++; /* "2022-10-16 00:00:00 +08:00", as the tables print it */
    if (*p) {
      if (read_zone(&p, zone) || *p)
        return -1;
      t->has_zone = 1;
      t->zone_min = zone_minutes(zone);
      memcpy(t->zone, zone, sizeof(t->zone));
    }
  }
  return 0;
}

/* The stamp's fields moved by delta minutes (the time of day and the date
 * roll over together). */
static void shift(stamp_t *t, int delta) {
  long long secs = (days_from_civil(t->y, t->mo, t->d) * 86400LL) + t->h * 3600LL + t->mi * 60LL +
                   t->s + delta * 60LL;
  long long days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
  long long rem = secs - days * 86400;
  civil_from_days(days, &t->y, &t->mo, &t->d);
  t->h = (int)(rem / 3600);
  t->mi = (int)(rem % 3600 / 60);
  t->s = (int)(rem % 60);
}

static void format_offset(int minutes, char out[8]) {
  int a = minutes < 0 ? -minutes : minutes;
  snprintf(out, 8, "%c%02d:%02d", minutes < 0 ? '-' : '+', a / 60 % 100, a % 60);
}

int hz_timearg_normalize_tz(const char *in, int tz_minutes, char out[HZ_TIMEARG_SIZE]) {
  stamp_t t;
  char zone[8] = "Z";
  out[0] = '\0';
  if (read_stamp(in, &t) < 0)
    return -1;
  if (t.has_zone) {
    memcpy(zone, t.zone, sizeof(zone));
  } else {
    shift(&t, -tz_minutes);
  }
  if (t.y < 1 || t.y > 9999)
    return -1;
  snprintf(out, HZ_TIMEARG_SIZE, "%04d-%02d-%02dT%02d:%02d:%02d%s%s%s", t.y, t.mo, t.d, t.h, t.mi,
           t.s, t.frac[0] ? "." : "", t.frac, zone);
  return 0;
}

int hz_timearg_normalize(const char *in, char out[HZ_TIMEARG_SIZE]) {
  return hz_timearg_normalize_tz(in, 0, out);
}

int hz_time_display(const char *in, int tz_minutes, char out[HZ_TIMEARG_SIZE]) {
  stamp_t t;
  char zone[8];
  if (read_stamp(in, &t) < 0 || !t.has_zone) {
    snprintf(out, HZ_TIMEARG_SIZE, "%s", in ? in : "");
    return -1;
  }
  shift(&t, tz_minutes - t.zone_min);
  format_offset(tz_minutes, zone);
  snprintf(out, HZ_TIMEARG_SIZE, "%04d-%02d-%02d %02d:%02d:%02d %s", t.y % 10000, t.mo, t.d, t.h,
           t.mi, t.s, zone);
  return 0;
}

/* "+08:00", "-5", "+0530", "8" (east): minutes, or -1 for a bad offset. */
static int parse_offset(const char *s, int *minutes) {
  int sign = 1, h = 0, m = 0;
  if (*s == '+' || *s == '-')
    sign = *s++ == '-' ? -1 : 1;
  size_t n = strspn(s, "0123456789");
  if (n == 0 || n > 2)
    return -1;
  h = atoi(s);
  s += n;
  if (*s == ':')
    s++;
  if (*s) {
    if (strlen(s) != 2 || strspn(s, "0123456789") != 2)
      return -1;
    m = atoi(s);
  }
  if (h > 14 || m > 59)
    return -1;
  *minutes = sign * (h * 60 + m);
  return 0;
}

int hz_tz_parse(const char *s, int *minutes) {
  static const char *const china[] = {"CST", "China",   "Asia/Shanghai", "Asia/Chongqing",
                                      "PRC", "Beijing", "北京",          "北京时间"};
  static const char *const utc[] = {"UTC", "Z", "GMT", "Etc/UTC", "UCT"};
  if (!s || !*s)
    return -1;
  for (size_t i = 0; i < sizeof(china) / sizeof(china[0]); i++)
    if (strcasecmp(s, china[i]) == 0) {
      *minutes = HZ_TZ_DEFAULT_MINUTES;
      return 0;
    }
  for (size_t i = 0; i < sizeof(utc) / sizeof(utc[0]); i++)
    if (strcasecmp(s, utc[i]) == 0) {
      *minutes = 0;
      return 0;
    }
  if (strncasecmp(s, "UTC", 3) == 0 || strncasecmp(s, "GMT", 3) == 0)
    s += 3;
  return parse_offset(s, minutes);
}

int hz_cli_time_opt(hz_cli_t *cli, const char *name, char out[HZ_TIMEARG_SIZE]) {
  const char *v = hz_cli_opt(cli, name);
  out[0] = '\0';
  if (v && hz_timearg_normalize_tz(v, cli->tz_minutes, out) < 0)
    return hz_cli_usage(cli, "invalid --%s '%s' (%s)", name, v, HZ_TIMEARG_FORMS);
  return HZ_EXIT_OK;
}
