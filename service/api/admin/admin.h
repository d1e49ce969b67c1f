/* Shared by the files of the huizong.v1.Admin service: the handlers each
 * file implements, and the helpers they have in common (import plumbing
 * over api/problems.h's problem list, text checks, SQL array literals).
 * Scope checks are the scaffold's (hz_rpc_scope_stmt), page tokens
 * api/pgtext.h's, out of memory hz_rpc_oom. Private to the files of
 * service/api/admin/. */
#ifndef HZ_APP_ADMIN_INTERNAL_H
#define HZ_APP_ADMIN_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "api/pgtext.h"
#include "api/problems.h"
#include "api/rpc.h"
#include "huizong/v1/admin.pb-c.h"
#include "huizong/v1/common.pb-c.h"

/* Rows one import may carry; more is INVALID_ARGUMENT. */
#define HZ_ADMIN_MAX_IMPORT_ROWS 100000

/* Longest names, units and descriptions accepted, in bytes. */
#define HZ_ADMIN_MAX_NAME        200
#define HZ_ADMIN_MAX_UNIT        32
#define HZ_ADMIN_MAX_DESCRIPTION 4000

/* Marks SQL NULL in the integer arrays given to hz_admin_int_array. */
#define HZ_ADMIN_NULL_INT INT32_MIN

/* Problem kinds by their proto numbers, for brevity. */
enum {
  HZ_PK_MALFORMED = HUIZONG__V1__PROBLEM_KIND__PROBLEM_KIND_MALFORMED,
  HZ_PK_MISSING = HUIZONG__V1__PROBLEM_KIND__PROBLEM_KIND_MISSING_FIELD,
  HZ_PK_UNKNOWN = HUIZONG__V1__PROBLEM_KIND__PROBLEM_KIND_UNKNOWN_REFERENCE,
  HZ_PK_DUPLICATE = HUIZONG__V1__PROBLEM_KIND__PROBLEM_KIND_DUPLICATE,
  HZ_PK_OUT_OF_BOUNDS = HUIZONG__V1__PROBLEM_KIND__PROBLEM_KIND_OUT_OF_BOUNDS,
  HZ_PK_CYCLE = HUIZONG__V1__PROBLEM_KIND__PROBLEM_KIND_CYCLE,
};

/* An import's rows as problems name them. */
typedef struct hz_admin_rows_s {
  int n;                   /* rows in the request */
  int32_t *lines;          /* source line of each row (0 = unknown) */
  const char **keys;       /* identifying key of each row, for Problem.key */
  const char **indicators; /* indicator of each row, or NULL for none */
} hz_admin_rows_t;

/* An import under way: its rows, its problems, and what to echo. */
typedef struct hz_admin_import_s {
  hz_admin_rows_t rows;   /* how problems name each row */
  hz_problems_t problems; /* the server's and the database's, in row order */
  int dry_run;            /* echoed in the reply; the database only validates */
} hz_admin_import_t;

/* ---- handlers (one file per resource) ---- */

void hz_admin_import_regions(hz_rpc_t *rpc, ProtobufCMessage *msg);
void hz_admin_list_regions(hz_rpc_t *rpc, ProtobufCMessage *msg);
void hz_admin_get_region(hz_rpc_t *rpc, ProtobufCMessage *msg);
void hz_admin_import_indicators(hz_rpc_t *rpc, ProtobufCMessage *msg);
void hz_admin_list_indicators(hz_rpc_t *rpc, ProtobufCMessage *msg);
void hz_admin_create_token(hz_rpc_t *rpc, ProtobufCMessage *msg);
void hz_admin_list_tokens(hz_rpc_t *rpc, ProtobufCMessage *msg);
void hz_admin_revoke_token(hz_rpc_t *rpc, ProtobufCMessage *msg);
void hz_admin_who_am_i(hz_rpc_t *rpc, ProtobufCMessage *msg);
void hz_admin_import_targets(hz_rpc_t *rpc, ProtobufCMessage *msg);
void hz_admin_list_targets(hz_rpc_t *rpc, ProtobufCMessage *msg);
void hz_admin_import_rules(hz_rpc_t *rpc, ProtobufCMessage *msg);
void hz_admin_list_rules(hz_rpc_t *rpc, ProtobufCMessage *msg);
void hz_admin_set_rule_active(hz_rpc_t *rpc, ProtobufCMessage *msg);

/* ---- imports ---- */

/* Checks the row count (empty or over HZ_ADMIN_MAX_IMPORT_ROWS is
 * INVALID_ARGUMENT) and allocates the import with room for n rows.
 * Returns NULL after finishing the call. */
hz_admin_import_t *hz_admin_import_new(hz_rpc_t *rpc, size_t n, int dry_run, int with_indicators);

/* Records a problem the server found in row index (printf-style reason).
 * Returns 0, or -1 after finishing the call (out of memory). */
int hz_admin_problem(hz_rpc_t *rpc, hz_admin_import_t *imp, int index, int kind, const char *field,
                     const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* "t" when the database must only validate: a dry run, or problems found
 * already (the database still reports its own, for the full list). */
const char *hz_admin_validate_only(const hz_admin_import_t *imp);

/* Continuation of every import job: the statement returns problem rows
 * (kind, idx, field, reason) and one summary row (kind 0 with created,
 * updated, unchanged). Refuses with every problem or replies with the
 * counts. tag is the hz_admin_import_t. */
void hz_admin_import_done(hz_rpc_t *rpc, const hz_db_result_t *res, void *tag);

/* ---- requests ---- */

/* Why s is unacceptable as free text (not UTF-8, a control character
 * other than newline and tab when multiline, longer than max bytes), or
 * NULL when it is fine. */
const char *hz_admin_text_problem(const char *s, size_t max, int multiline);

/* s quoted for a message: at most 40 bytes of it, control bytes shown as
 * '?', cut at a character boundary. */
const char *hz_admin_quote(hz_rpc_t *rpc, const char *s);

/* A Decimal message for a nullable numeric column (in the call's arena),
 * NULL when the cell is NULL; sets *oom when memory ran out. */
Huizong__V1__Decimal *hz_admin_decimal_cell(hz_rpc_t *rpc, const PGresult *r, int row, int col,
                                            int *oom);

/* ---- paging (api/pgtext.h's token, for lists ordered by a key alone) ---- */

/* The key a request's page_token names, checked with key_ok: *key is NULL
 * for no token. Returns 0, or -1 after finishing the call (INVALID_ARGUMENT
 * "page_token: malformed", or out of memory). */
int hz_admin_page_after(hz_rpc_t *rpc, const char *token, hz_page_key_check_fn key_ok,
                        const char **key);

/* The next_page_token naming key, the last row shown; NULL after finishing
 * the call (out of memory). */
char *hz_admin_page_token(hz_rpc_t *rpc, const char *key);

/* ---- SQL parameters ---- */

/* {1,2,NULL} from v; HZ_ADMIN_NULL_INT entries become NULL. */
char *hz_admin_int_array(hz_arena_t *a, const int32_t *v, size_t n);

/* Parameter array of n strings in the call's arena. */
const char **hz_admin_params(hz_rpc_t *rpc, int n);

/* The caller's token id, the actor parameter of audit rows. */
const char *hz_admin_actor_id(hz_rpc_t *rpc);

/* An SQL ARRAY literal of rows strings, or NULL after finishing the call. */
char *hz_admin_text_array(hz_rpc_t *rpc, const char **items, size_t n);

#endif
