/* The one problem list of huizong.v1 (Submit, SubmitStream and the Admin
 * imports alike): every problem found in a request, kept in request order
 * as they are added, the status they earn (common.proto ProblemKind
 * precedence), a bounded grpc-message, and the list as the
 * `huizong-problems-bin` trailer.
 *
 * Why insertion keeps request order: a request is checked in two passes,
 * the server's own checks row by row and then the database's, each in row
 * order. Ordering on insertion merges the passes (the server's problem
 * first among those of one row) and lets the cap keep the first
 * HZ_PROBLEMS_MAX_LISTED in request order, not the first found. */
#ifndef HZ_APP_PROBLEMS_H
#define HZ_APP_PROBLEMS_H

#include "api/rpc.h"
#include "huizong/v1/common.pb-c.h"

#define HZ_PROBLEMS_MAX_LISTED  1000 /* problems kept in responses/trailers */
#define HZ_PROBLEMS_TRAILER_MAX 6000 /* serialized bytes in the trailer */
#define HZ_PROBLEMS_SUMMARY_MAX 900  /* characters of grpc-message */

typedef struct hz_problems_s {
  hz_arena_t *arena;            /* the call's: items and their strings */
  Huizong__V1__Problem **items; /* listed problems, by index, stable */
  size_t n;                     /* listed, at most HZ_PROBLEMS_MAX_LISTED */
  size_t cap;                   /* slots allocated in items */
  int total;                    /* found, including those beyond the cap */
} hz_problems_t;

void hz_problems_init(hz_problems_t *p, hz_arena_t *arena);
/* Adds one problem about item index (-1: the request as a whole), after
 * those already listed with an index <= index; when the list is full it
 * drops the last in request order (total still counts it). line is the
 * item's source line (0 = none); NULL strings become "". Strings are
 * copied. Returns 0 or -ENOMEM. */
int hz_problems_add(hz_problems_t *p, int index, int line, int kind, const char *field,
                    const char *indicator, const char *key, const char *reason);
/* The same for a RULE_ERROR / RULE_WARNING problem: Problem.rule_code
 * names the rule, key is the indicator. */
int hz_problems_add_rule(hz_problems_t *p, int index, int kind, const char *field,
                         const char *indicator, const char *rule_code, const char *reason);
/* A RULE_ERROR / RULE_WARNING problem with its own key (Approve's
 * refusal: "region/indicator/period"), field "value". */
int hz_problems_add_rule_keyed(hz_problems_t *p, int index, int kind, const char *indicator,
                               const char *key, const char *rule_code, const char *reason);
hz_status_code_t hz_problems_status(const hz_problems_t *p);
/* "3 problems: value 2 (fai): malformed decimal \"4,9\"; ..." */
char *hz_problems_summary(const hz_problems_t *p);
/* Attaches the trailer and finishes the call with the problems' status. */
void hz_problems_refuse(hz_rpc_t *rpc, const hz_problems_t *p);

#endif
