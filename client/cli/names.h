/* The words the CLIs use for the contract's enums, both ways: what a user
 * may type (case-insensitive, a few aliases, Chinese level names, or the
 * enum number where that is natural) and the one name printed. */
#ifndef HZ_CLI_NAMES_H
#define HZ_CLI_NAMES_H

#include <stddef.h>

/* One spelling of an enum value; the first entry for a value is the name
 * printed. Tables end with {NULL, 0}. */
typedef struct hz_name_s {
  const char *name; /* lower-case spelling */
  int value;        /* enum number */
} hz_name_t;

extern const hz_name_t hz_names_level[];              /* RegionLevel */
extern const hz_name_t hz_names_period_type[];        /* PeriodType */
extern const hz_name_t hz_names_time_aggregation[];   /* TimeAggregation */
extern const hz_name_t hz_names_region_aggregation[]; /* RegionAggregation */
extern const hz_name_t hz_names_role[];               /* Role */
extern const hz_name_t hz_names_approval_state[];     /* ApprovalState */
extern const hz_name_t hz_names_submission_status[];  /* SubmissionStatus */
extern const hz_name_t hz_names_audit_action[];       /* AuditAction: "value.set" ... */

/* The printed name of v: "" for 0 (unspecified), "unknown" when the table
 * does not know it (a newer server). */
const char *hz_name_of(const hz_name_t *t, int v);

/* Parses s (ignoring case); with allow_number, the enum number too. 0 =
 * unspecified is never accepted. Returns 0 or -1. */
int hz_name_parse(const hz_name_t *t, const char *s, int allow_number, int *out);

/* Parses a comma-separated list of names ("approve, reopen"; blanks around
 * items and empty items are ignored) and appends the values not already in
 * out[0..*n) to out, updating *n; out has room for cap values. Numbers are
 * not accepted. Returns 0; -1 for an unknown name, copied (cut to badlen)
 * into bad; -2 when the distinct values would exceed cap. */
int hz_name_parse_list(const hz_name_t *t, const char *s, int *out, size_t cap, size_t *n,
                       char *bad, size_t badlen);

/* "province, city, county, ..." (printed names) for error messages. */
void hz_name_list(const hz_name_t *t, char *buf, size_t len);

#endif
