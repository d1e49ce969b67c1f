/* The import summary of a refused request: every problem found, the status
 * they earn (common.proto ProblemKind precedence), a bounded grpc-message,
 * and the full list as the `huizong-problems-bin` trailer. */
#ifndef HZ_APP_PROBLEMS_H
#define HZ_APP_PROBLEMS_H

#include "api/rpc.h"
#include "huizong/v1/common.pb-c.h"

#define HZ_PROBLEMS_MAX_LISTED 1000  /* problems kept in responses/trailers */
#define HZ_PROBLEMS_TRAILER_MAX 6000 /* serialized bytes in the trailer */
#define HZ_PROBLEMS_SUMMARY_MAX 900  /* characters of grpc-message */

typedef struct hz_problems_s {
  hz_arena_t *arena;               /* where items live */
  Huizong__V1__Problem **items;    /* listed problems, request order */
  size_t n;                        /* listed */
  size_t cap;                      /* allocated */
  int total;                       /* found, including unlisted */
} hz_problems_t;

void hz_problems_init(hz_problems_t *p, hz_arena_t *arena);
/* Adds one problem; strings are copied. Returns 0 or -ENOMEM. */
int hz_problems_add(hz_problems_t *p, int index, int line, int kind, const char *field,
                    const char *indicator, const char *key, const char *reason);
hz_status_code_t hz_problems_status(const hz_problems_t *p);
/* Request order: request-level problems (index -1) first, then by index,
 * keeping the order of problems found for the same item. */
void hz_problems_sort(hz_problems_t *p);
/* "3 problems: value 2 (fai): malformed decimal \"4,9\"; ..." */
char *hz_problems_summary(const hz_problems_t *p);
/* Attaches the trailer and finishes the call with the problems' status. */
void hz_problems_refuse(hz_rpc_t *rpc, const hz_problems_t *p);

#endif
