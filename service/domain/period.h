/* Reporting periods as DHIS2 codes: "2022" (year), "2022S1".."2022S2"
 * (half year), "2022Q1".."2022Q4" (quarter), "202201".."202212" (month).
 * Pure values: parsing, formatting, calendar bounds, and the period
 * arithmetic rollups need (previous period for 环比, the same period a year
 * earlier for 同比, the enclosing year for annual targets, the finer periods
 * inside a coarser one). No I/O, no allocation.
 *
 * Every type nests exactly in each coarser one (month < quarter < half
 * year < year), so "finer" is a total order on the four types. Functions
 * that take a period check it is valid and return -EINVAL otherwise, so a
 * value rebuilt from the database cannot push them out of range. */
#ifndef HZ_DOMAIN_PERIOD_H
#define HZ_DOMAIN_PERIOD_H

#include <stddef.h>

/* Numbers equal huizong.v1.PeriodType on the wire; a larger number is a
 * finer period. */
typedef enum {
  HZ_PERIOD_YEAR = 1,
  HZ_PERIOD_HALF_YEAR = 2,
  HZ_PERIOD_QUARTER = 3,
  HZ_PERIOD_MONTH = 4
} hz_period_type_t;

/* Accepted years: four digits, as statisticians write them. */
#define HZ_PERIOD_MIN_YEAR 1900
#define HZ_PERIOD_MAX_YEAR 2999

/* The most periods one period can contain (months of a year). */
#define HZ_PERIOD_MAX_CHILDREN 12

/* Size of a buffer for hz_period_format: "202201" or "2022Q1" plus NUL. */
#define HZ_PERIOD_TEXT_SIZE 8

/* One period. Valid when year is in range and index within its type. */
typedef struct {
  hz_period_type_t type; /* granularity */
  int year;              /* HZ_PERIOD_MIN_YEAR .. HZ_PERIOD_MAX_YEAR */
  int index;             /* 1 for a year; 1..2 half; 1..4 quarter; 1..12 month */
} hz_period_t;

/* Parses a NUL-terminated DHIS2 code. Exactly YYYY, YYYYS1..S2, YYYYQ1..Q4
 * or YYYYMM with MM 01..12; nothing else (no spaces, no lower case, no
 * "2022-01"). Returns 0 or -EINVAL (out untouched). */
int hz_period_parse(const char *s, hz_period_t *out);

/* Same for len bytes that need not be NUL-terminated; an embedded NUL is
 * refused rather than cutting the code short. */
int hz_period_parse_n(const char *s, size_t len, hz_period_t *out);

/* Human list of the accepted forms, for INVALID_ARGUMENT messages. */
const char *hz_period_accepted_forms(void);

/* 0 when p is a valid period, else -EINVAL. */
int hz_period_valid(const hz_period_t *p);

/* Writes the canonical code ("2022Q1"); hz_period_parse gives p back.
 * An invalid p yields "" so a bug never prints garbage. */
void hz_period_format(const hz_period_t *p, char out[HZ_PERIOD_TEXT_SIZE]);

/* Calendar months covered, 1..12; -EINVAL for an invalid period. */
int hz_period_first_month(const hz_period_t *p);
int hz_period_last_month(const hz_period_t *p);

/* Dates as YYYYMMDD integers (2022Q2 starts 20220401). The end is
 * exclusive, the first day after the period (2022Q2 ends 20220701, 2022
 * ends 20230101), so [start, end) ranges chain without gaps; -EINVAL for
 * an invalid period. */
int hz_period_start_date(const hz_period_t *p);
int hz_period_end_date(const hz_period_t *p);

/* Position among all periods of the same type: consecutive periods have
 * consecutive ordinals (202112 and 202201 differ by one), so series and
 * ranges are plain integer loops. -EINVAL for an invalid period. */
int hz_period_ordinal(const hz_period_t *p);
/* Inverse of hz_period_ordinal; -ERANGE when the year falls outside
 * HZ_PERIOD_MIN_YEAR..MAX_YEAR, -EINVAL for a bad type. */
int hz_period_from_ordinal(hz_period_type_t type, int ordinal, hz_period_t *out);

/* The period just before (环比 base: 2022Q1 -> 2021Q4, 202201 -> 202112,
 * 2022S1 -> 2021S2, 2022 -> 2021) and just after. -ERANGE past the year
 * range, -EINVAL for an invalid period. out may alias p. */
int hz_period_previous(const hz_period_t *p, hz_period_t *out);
int hz_period_next(const hz_period_t *p, hz_period_t *out);

/* The same period one year earlier (同比 base: 2022Q1 -> 2021Q1). */
int hz_period_year_earlier(const hz_period_t *p, hz_period_t *out);

/* The period of type coarser (at or above p's type) that contains p:
 * 202205 in HZ_PERIOD_QUARTER is 2022Q2. -EINVAL when coarser is finer
 * than p's type. hz_period_year_of is the enclosing year (annual target). */
int hz_period_enclosing(const hz_period_t *p, hz_period_type_t coarser, hz_period_t *out);
int hz_period_year_of(const hz_period_t *p, hz_period_t *out);

/* 1 when inner lies within outer (a period of the same type only within
 * itself), else 0 (also for invalid periods). */
int hz_period_contains(const hz_period_t *outer, const hz_period_t *inner);

/* 1 when type a is finer than or equal to type b (month is finer than
 * quarter), else 0 (also for invalid types). */
int hz_period_finer_or_equal(hz_period_type_t a, hz_period_type_t b);

/* Writes the periods of type finer inside outer, in calendar order, and
 * returns how many (2022 by month: 12; 2022S1 by quarter: 2; by its own
 * type: 1, outer itself). -EINVAL when finer is coarser than outer's type
 * or outer is invalid; -ENOSPC when max is too small (nothing written). */
int hz_period_children(const hz_period_t *outer, hz_period_type_t finer, hz_period_t *out, int max);

/* Orders periods by start date, coarser first at the same start (2022,
 * 2022S1, 2022Q1, 202201, 202202, ...): <0, 0 or >0. */
int hz_period_cmp(const hz_period_t *a, const hz_period_t *b);

/* 1 when t is one of the four types, else 0. */
int hz_period_type_valid(int t);

/* Human name: "year", "half year", "quarter", "month"; "unknown" else. */
const char *hz_period_type_name(hz_period_type_t t);

/* Machine name for CSV files: "year", "half_year", "quarter", "month";
 * "unknown" else. hz_period_type_parse reads it back. */
const char *hz_period_type_code(hz_period_type_t t);

/* Parses a period type name, case-insensitive: the codes above, the DHIS2
 * type names (yearly, sixmonthly, quarterly, monthly) and the proto enum
 * names (PERIOD_TYPE_MONTH ...). Returns 0 or -EINVAL. */
int hz_period_type_parse(const char *s, hz_period_type_t *out);

#endif
