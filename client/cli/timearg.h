/* Times in and out of the CLIs. The wire carries RFC 3339 UTC; people
 * read and type the office's zone, China Standard Time (+08:00, no
 * daylight saving) unless --tz or HUIZONG_TZ says otherwise.
 *
 * Typed (--since, --until, --expires): RFC 3339 date-times
 * ("2024-04-05T08:30:00Z", "...+08:00", seconds optional, a fraction of up
 * to 9 digits; 't', 'z' or a space in place of 'T' as RFC 3339 allows), a
 * date-time without a zone ("2024-04-05 08:30") or a bare date
 * ("2024-04-05"), both of which are read in the office's zone. Every field
 * is range-checked here so that a typo is a usage error (exit 2) rather
 * than a server refusal. A time with an offset is sent as typed (the
 * server reads offsets); one read in the office's zone is converted to UTC
 * ('Z'), so what goes on the wire is always unambiguous.
 *
 * Printed: "2022-10-16 00:00:00 +08:00", to the second (the wire's
 * microseconds are for machines: json keeps the wire's text). */
#ifndef HZ_CLI_TIMEARG_H
#define HZ_CLI_TIMEARG_H

#include <stddef.h>

#include "cli.h"

/* Room for the longest canonical form ("YYYY-MM-DDTHH:MM:SS.fffffffff+HH:MM"). */
#define HZ_TIMEARG_SIZE 40

/* The office's zone when neither --tz nor HUIZONG_TZ is given: +08:00. */
#define HZ_TZ_DEFAULT_MINUTES (8 * 60)

/* A zone as typed to --tz: "+08:00", "-05:30", "+8", "UTC", "Z", "GMT",
 * "UTC+8", or the names of China Standard Time ("CST", "Asia/Shanghai",
 * "Beijing", "北京"). *minutes is east of UTC. Returns 0 or -1. */
int hz_tz_parse(const char *s, int *minutes);

/* Validates in and writes its canonical form to out: an offset kept as
 * typed, a time without one read at tz_minutes and written in UTC.
 * Returns 0, or -1 when in is not one of the accepted forms (out is then
 * ""). */
int hz_timearg_normalize_tz(const char *in, int tz_minutes, char out[HZ_TIMEARG_SIZE]);
/* hz_timearg_normalize_tz in UTC (the behaviour before --tz existed). */
int hz_timearg_normalize(const char *in, char out[HZ_TIMEARG_SIZE]);

/* A wire time (RFC 3339, any offset, any fraction) as people read it in
 * the zone tz_minutes: "2022-10-16 00:00:00 +08:00". Returns 0, or -1 when
 * in does not parse (out is then a copy of in, cut to fit). */
int hz_time_display(const char *in, int tz_minutes, char out[HZ_TIMEARG_SIZE]);

/* The accepted forms, for error messages. */
#define HZ_TIMEARG_FORMS                                                          \
  "RFC 3339, e.g. 2024-04-05T08:30:00Z, or a date-time or date in the --tz zone " \
  "(default +08:00), e.g. '2024-04-05 16:30' or 2024-04-05"

/* The command option name (e.g. "since") normalized into out in the
 * command line's zone (cli->tz_minutes), "" when it was not given. Returns HZ_EXIT_OK, or HZ_EXIT_USAGE after saying why. */
int hz_cli_time_opt(hz_cli_t *cli, const char *name, char out[HZ_TIMEARG_SIZE]);

#endif
