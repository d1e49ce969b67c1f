/* Private to api/reporting/ (huizong.v1.Reporting): what its files share.
 *
 *   submit.c       one Submit request from syntax check to outcome: the
 *                  unary Submit, and each request of a SubmitStream
 *   stream.c       SubmitStream: requests of one stream in the database in
 *                  arrival order, committed in groups (one transaction per
 *                  batch of waiting requests), one result per request
 *   submissions.c  GetSubmission, ListSubmissions
 *   reporting.c    the method table
 *
 * A request's life (hz_submit_t): hz_submit_new when it arrives,
 * hz_submit_prepare (checks that need no stored state, builds the
 * statement), hz_submit_send when its turn comes; the outcome is given to
 * the request's done function exactly once, whichever step decides it. */
#ifndef HZ_API_REPORTING_REPORTING_H
#define HZ_API_REPORTING_REPORTING_H

#include "api/problems.h"
#include "api/rpc.h"
#include "domain/period.h"
#include "huizong/v1/reporting.pb-c.h"
#include "wire/uuid.h"

typedef Huizong__V1__SubmitRequest hz_submit_req_t;
typedef Huizong__V1__SubmitResponse hz_submit_resp_t;

typedef struct hz_submit_s hz_submit_t;
/* Receives the outcome: the unary call replies, a stream records it as
 * this request's result and goes on. */
typedef void (*hz_submit_done_fn)(hz_submit_t *s);

struct hz_submit_s {
  hz_rpc_t *rpc;                     /* the call; its arena holds all below */
  const hz_submit_req_t *req;        /* as received */
  hz_submit_resp_t *resp;            /* the summary; filled on success */
  hz_problems_t problems;            /* every problem found, by us or by hz_submit */
  hz_status_code_t code;             /* outcome, set just before done runs */
  const char *message;               /* outcome text when code != OK; NULL
                                    means the generic "refused" */
  hz_submit_done_fn done;            /* reply (Submit) or collect (SubmitStream) */
  char uuid[HZ_WIRE_UUID_TEXT_SIZE]; /* submission id in lower case: the
                                    stored form, so case does not matter */
  char period[HZ_PERIOD_TEXT_SIZE];  /* canonical code ("2024Q1"), hashed and
                                    stored instead of what the client wrote */
  hz_period_t p;                     /* period type and start for hz_submit */
  const char **values;               /* normalised decimals, request order; NULL
                                    where malformed (stored-state checks
                                    still run on the rest) */
  const char *received_at;           /* RFC 3339, taken when the request arrived (a
                                    stream's request may wait for its turn) */
  hz_db_stmt_t stmt;                 /* the SUBMIT job, built by hz_submit_prepare
                                    and sent when its turn comes */
};

/* A request that has just arrived, with received_at taken now; NULL when
 * memory ran out (the caller ends the call). */
hz_submit_t *hz_submit_new(hz_rpc_t *rpc, const hz_submit_req_t *req, hz_submit_done_fn done);

/* Everything that needs no stored state. Returns 1 when the request needs
 * the database (s->stmt built), 0 when it was refused here (its outcome
 * has run), -1 when the call was finished (out of memory). Refusals here
 * depend on the request alone, so deciding them before earlier requests
 * of a stream are committed gives the answer sequential calls would. */
int hz_submit_prepare(hz_submit_t *s);

/* Runs the statement hz_submit_prepare built; the outcome follows. A pool
 * that cannot take the job (no connection, queue full) ends the call:
 * that is the server's state, not this request's. */
void hz_submit_send(hz_submit_t *s);

/* Reads the answer of a job that ran s->stmt as its statement i into the
 * request's outcome (its done function runs). A job that failed is the
 * request's failure: the caller runs this only when nothing of the job was
 * stored on the request's behalf, or when the request was the job's only
 * statement. */
void hz_submit_result(hz_submit_t *s, const hz_db_result_t *res, int i);

/* Where hz_submit's rule columns are in one result (submit_rules.c). */
typedef struct hz_submit_rule_cols_s {
  int idx, field, indicator, reason;     /* as for any problem row */
  int rule_code, rule_name, severity;    /* the rule */
  int left_value, op, right_value;       /* its figures as evaluated */
  int explanation, skipped, skip_reason; /* a note's state */
} hz_submit_rule_cols_t;

void hz_submit_rule_cols(const PGresult *r, hz_submit_rule_cols_t *c);

/* One rule row of hz_submit (rule_code not NULL): kind 10/11 a problem
 * with its rule code, kind -1 a note appended to the response's warnings
 * or skipped_rules. Returns 0 or -ENOMEM. */
int hz_submit_rule_row(hz_submit_t *s, const PGresult *r, int row, int kind,
                       const hz_submit_rule_cols_t *c);

/* The handlers of the method table (reporting.c). */
void hz_reporting_submit(hz_rpc_t *rpc, ProtobufCMessage *msg);
void hz_reporting_stream_message(hz_rpc_t *rpc, ProtobufCMessage *msg);
void hz_reporting_stream_half_close(hz_rpc_t *rpc);
void hz_reporting_get_submission(hz_rpc_t *rpc, ProtobufCMessage *msg);
void hz_reporting_list_submissions(hz_rpc_t *rpc, ProtobufCMessage *msg);

#endif
