/* Reporting a refusal: "error: STATUS: message", or, when the server
 * attached its ProblemList, "error: STATUS: N problems; nothing was
 * stored" followed by every problem of the list (the
 * `huizong-problems-bin` trailer) on its own line, each once, tied to the input file's line wherever it can be: the
 * problem's own `line` (import rows carry theirs), else the line of the
 * request item at `index` (submitted values do not carry one). */
#ifndef HZ_CLI_PROBLEMS_H
#define HZ_CLI_PROBLEMS_H

#include <stddef.h>

#include "cli.h"
#include "huizong/v1/common.pb-c.h"

#define HZ_PROBLEMS_TRAILER "huizong-problems-bin"

/* Maps a request item's index to the file line it came from. */
typedef struct hz_line_map_s {
  const size_t *lines; /* lines[index]; NULL when the request has no file */
  size_t n;            /* entries in lines */
} hz_line_map_t;

/* "line 7: unknown parent 420699", "item 3: ..." or the bare reason for a
 * problem with the request as a whole. map may be NULL. */
void hz_problem_describe(const Huizong__V1__Problem *pr, const hz_line_map_t *map, char *buf,
                         size_t len);

/* The decoded problem list of a status, or NULL when there is none (or it
 * does not parse). Free with protobuf_c_message_free_unpacked. */
Huizong__V1__ProblemList *hz_problems_from_status(const hzc_status_t *st);

/* Prints the error and its problems to cli->err; returns HZ_EXIT_REFUSED.
 * map may be NULL. */
int hz_cli_refused(hz_cli_t *cli, const hzc_status_t *st, const hz_line_map_t *map);

#endif
