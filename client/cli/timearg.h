/* Timestamps typed on the command line (--since, --until, --expires).
 * Accepted: RFC 3339 date-times ("2024-04-05T08:30:00Z", "...+08:00",
 * seconds optional, a fraction of up to 9 digits; 't', 'z' or a space in
 * place of 'T' as RFC 3339 allows), or a bare date ("2024-04-05", which
 * means 00:00 UTC). Every field is range-checked here so that a typo is a
 * usage error (exit 2) rather than a server refusal, and the result is
 * written in the canonical form the server documents (upper-case 'T' and
 * 'Z', seconds present). */
#ifndef HZ_CLI_TIMEARG_H
#define HZ_CLI_TIMEARG_H

#include <stddef.h>

#include "cli.h"

/* Room for the longest canonical form ("YYYY-MM-DDTHH:MM:SS.fffffffff+HH:MM"). */
#define HZ_TIMEARG_SIZE 40

/* Validates in and writes its canonical form to out. Returns 0, or -1
 * when in is not one of the accepted forms (out is then ""). */
int hz_timearg_normalize(const char *in, char out[HZ_TIMEARG_SIZE]);

/* The accepted forms, for error messages. */
#define HZ_TIMEARG_FORMS \
  "RFC 3339, e.g. 2024-04-05T08:30:00Z or 2024-04-05T16:30:00+08:00, or a date 2024-04-05"

/* The command option name (e.g. "since") normalized into out, "" when it
 * was not given. Returns HZ_EXIT_OK, or HZ_EXIT_USAGE after saying why. */
int hz_cli_time_opt(hz_cli_t *cli, const char *name, char out[HZ_TIMEARG_SIZE]);

#endif
