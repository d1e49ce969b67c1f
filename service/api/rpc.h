/* The scaffold every huizong.v1 handler runs in: authenticate the bearer
 * token (cache, else one query), check the method's roles, hand the request
 * to the handler, run its database jobs with cancellation, and map failures
 * to statuses. Handlers see an hz_rpc_t and finish through hz_rpc_finish. */
#ifndef HZ_APP_RPC_H
#define HZ_APP_RPC_H

#include "api/api.h"
#include "api/auth.h"
#include "db/pool.h"
#include "db/replica.h"
#include "transport/call.h"

#define HZ_ROLES_ALL   ((1u << HZ_ROLE_TOWNSHIP) | (1u << HZ_ROLE_COUNTY) | (1u << HZ_ROLE_ADMIN))
#define HZ_ROLE_BIT(r) (1u << (r))

typedef struct hz_rpc_s hz_rpc_t;
typedef void (*hz_rpc_msg_fn)(hz_rpc_t *rpc, ProtobufCMessage *msg);
typedef void (*hz_rpc_fn)(hz_rpc_t *rpc);
/* A job's answer; tag is what hz_rpc_query was given. */
typedef void (*hz_rpc_db_fn)(hz_rpc_t *rpc, const hz_db_result_t *res, void *tag);

typedef struct hz_rpc_def_s {
  const char *path;                        /* "/huizong.v1.Reporting/Submit" */
  hz_rpc_kind_t kind;                      /* streaming shape */
  const ProtobufCMessageDescriptor *input; /* request type */
  unsigned roles;                          /* HZ_ROLE_BIT mask allowed to call */
  hz_rpc_msg_fn on_message;                /* each request, after authentication */
  hz_rpc_fn on_half_close;                 /* client-streaming: input complete */
  hz_rpc_fn on_drain;                      /* server-streaming: output queue drained */
} hz_rpc_def_t;

typedef struct hz_rpc_pending_s {
  struct hz_rpc_pending_s *next; /* arrival order */
  ProtobufCMessage *msg;         /* waiting for authentication */
} hz_rpc_pending_t;

typedef struct hz_rpc_job_s {
  struct hz_rpc_job_s *next; /* rpc's jobs in flight */
  hz_rpc_t *rpc;             /* owner */
  hz_db_job_t *job;          /* pool handle, for cancellation */
  hz_db_read_t *read;        /* or the read's (hz_rpc_read_query), NULL */
  hz_rpc_db_fn cb;           /* continuation */
  void *tag;                 /* handler state passed back to cb */
  unsigned live_check : 1;   /* statement 0 is hz_token_live, not the handler's */
} hz_rpc_job_t;

/* Lifecycle of an RPC. Every change goes through one function in rpc.c
 * that asserts the state it leaves (as h2o does):
 *   NEW -> AUTHENTICATING -> READY -> FINISHED, and any state -> FINISHED.
 * Whether the client half-closed is an input fact, not a state: it can
 * arrive in any state and is acted on once READY. */
typedef enum {
  HZ_RPC_NEW = 0,        /* created by the first event; no token looked at */
  HZ_RPC_AUTHENTICATING, /* token verification under way; messages queue */
  HZ_RPC_READY,          /* token verified, role allowed: the handler runs */
  HZ_RPC_FINISHED,       /* status sent or the call cancelled; answers dropped */
} hz_rpc_state_t;

struct hz_rpc_s {
  hz_call_t *call;                /* the gRPC call */
  hz_app_t *app;                  /* shared state */
  const hz_rpc_def_t *def;        /* method definition */
  hz_principal_t who;             /* valid once READY */
  hz_rpc_state_t lifecycle;       /* changed only by rpc.c's rpc_enter */
  unsigned half_closed : 1;       /* the client sent all its input; on_half_close
                                 runs once READY */
  unsigned live_unchecked : 1;    /* authed from the cache: the database has not yet
                                 confirmed the token is unrevoked in this call */
  hz_rpc_pending_t *pending;      /* messages that arrived while AUTHENTICATING */
  hz_rpc_pending_t *pending_tail; /* where the next one is appended */
  hz_rpc_job_t *jobs;             /* database jobs in flight, cancelled on finish */
  int njobs;                      /* length of jobs */
  const char *read_lsn;           /* the primary's WAL position, read once per
                                 call before its first read (api/read.c) */
  void *state;                    /* handler state */
};

/* True once the call has ended: a handler stops producing output. */
static inline int hz_rpc_finished(const hz_rpc_t *rpc) {
  return rpc->lifecycle == HZ_RPC_FINISHED;
}

int hz_rpc_register(hz_app_t *app, const hz_rpc_def_t *defs, size_t n);

static inline hz_arena_t *hz_rpc_arena(hz_rpc_t *rpc) {
  return hz_call_arena(rpc->call);
}

/* Runs a job of at most HZ_RPC_MAX_STMTS statements; cb gets the answer
 * unless the call is cancelled first. Returns 0, or -1 after finishing the
 * call (UNAVAILABLE when the database is down, RESOURCE_EXHAUSTED when the
 * queue is full).
 *
 * Revocation: a call authenticated from the token cache has its jobs start
 * with hz_token_live (migration 009) until one of them confirms the token,
 * in the same round trip and implicit transaction. A token revoked on any
 * server is thus refused (UNAUTHENTICATED, nothing written) by the first
 * job of every later call; cb sees only its own statements' results. */
#define HZ_RPC_MAX_STMTS (HZ_DB_MAX_STMTS - 1)

int hz_rpc_query(hz_rpc_t *rpc, const hz_db_stmt_t *stmts, int n, hz_rpc_db_fn cb, void *tag);

/* A read-only job that may run on a standby (db/replica.h) and is still
 * fresh at commit: for Rollup, Series, Completeness, GetReport and
 * ExportValues. Without read servers it is hz_rpc_query. With them, the
 * call's first read takes the primary's WAL position (one cheap job on the
 * primary, which also carries the token's live check) unless the handler
 * recorded it already (hz_rpc_read_position); every read of the call then
 * runs where that position has been replayed, else on the primary. Same
 * returns and callback as hz_rpc_query. */
int hz_rpc_read_query(hz_rpc_t *rpc, const hz_db_stmt_t *stmts, int n, hz_rpc_db_fn cb, void *tag);

/* For api/read.c, which runs jobs through another submit: a job record
 * linked to the call (cancelled when it finishes), NULL when out of
 * memory; hz_rpc_job_done is the submit's callback with the record as
 * data; hz_rpc_job_submitted takes the submit's return, and on an error
 * unlinks the record and finishes the call as hz_rpc_query does (-1). */
hz_rpc_job_t *hz_rpc_job_link(hz_rpc_t *rpc, hz_rpc_db_fn cb, void *tag);
void hz_rpc_job_done(void *data, const hz_db_result_t *res);
int hz_rpc_job_submitted(hz_rpc_t *rpc, hz_rpc_job_t *j, int r);

/* The WAL_POSITION statement, for a handler that adds it to a job it
 * runs on the primary anyway (Rollup's stamp), after the statements whose
 * answer the read must not be older than. */
hz_db_stmt_t hz_rpc_position_stmt(void);
/* Records WAL_POSITION's answer r as the call's read position. 0, or -1
 * after finishing the call (no memory). */
int hz_rpc_read_position(hz_rpc_t *rpc, const PGresult *r);

/* The status a failed job deserves, chosen by SQLSTATE (class), and its
 * client message (in the call's arena; NULL when memory ran out):
 * UNAVAILABLE for a lost or busy database (retryable), INVALID_ARGUMENT for
 * a value PostgreSQL refused (class 22), INTERNAL for anything unexpected.
 * The client reads a fixed sentence and the SQLSTATE, never PostgreSQL's
 * text (it quotes parameters and statements); that text is logged here,
 * once, at a level fitting the class. For handlers that report a job's
 * failure as one item's result rather than the call's (SubmitStream). */
hz_status_code_t hz_rpc_db_status(hz_rpc_t *rpc, const hz_db_result_t *res, const char **message);

/* Finishes the call with hz_rpc_db_status's verdict. */
void hz_rpc_fail_db(hz_rpc_t *rpc, const hz_db_result_t *res);

/* The early return after a job: `if (hz_rpc_db_failed(rpc, res)) return;`
 * finishes the call with hz_rpc_fail_db's verdict and returns 1 when the
 * job failed, else returns 0. hz_rpc_filter_failed is the same with
 * hz_rpc_fail_filter. */
int hz_rpc_db_failed(hz_rpc_t *rpc, const hz_db_result_t *res);
int hz_rpc_filter_failed(hz_rpc_t *rpc, const hz_db_result_t *res);

/* The one out-of-memory path of a handler: finishes the call with
 * RESOURCE_EXHAUSTED (HZ_CALL_OOM_MESSAGE). */
void hz_rpc_oom(hz_rpc_t *rpc);

/* hz_rpc_fail_db for list calls whose filters reach SQL as text: a data
 * exception (SQLSTATE class 22) is the client's malformed filter. */
void hz_rpc_fail_filter(hz_rpc_t *rpc, const hz_db_result_t *res);

/* The one page-size rule of every list call: 0 means def, larger than cap
 * means cap; negative finishes the call with INVALID_ARGUMENT and returns
 * -1. Lists without their own sizes use HZ_RPC_PAGE_DEFAULT/MAX. */
#define HZ_RPC_PAGE_DEFAULT 100
#define HZ_RPC_PAGE_MAX     1000
int hz_rpc_page_size(hz_rpc_t *rpc, int32_t requested, int def, int cap);

/* Ends the call. Later database answers are dropped. */
void hz_rpc_finish(hz_rpc_t *rpc, hz_status_code_t code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Sends msg and finishes with OK. */
void hz_rpc_reply(hz_rpc_t *rpc, const ProtobufCMessage *msg);
/* Sends an already packed message (copied) and finishes with OK. */
void hz_rpc_reply_packed(hz_rpc_t *rpc, const uint8_t *msg, size_t len);

/* The caller's scope root as an SQL parameter (NULL = everything). */
const char *hz_rpc_scope_param(const hz_rpc_t *rpc);

/* The one scope check of every call that names a region (SCOPE_CHECK in
 * db/sql/scaffold.def): a statement answering whether `root` exists and
 * lies within the caller's scope (params needs room for 2, and must live
 * until the job is done), and the reading of its answer. The verdict
 * returns 0 to go on, or -1 after finishing the call with NOT_FOUND
 * ("<field>: unknown region <root>") or PERMISSION_DENIED ("<field>:
 * region <root> is outside this token's scope (<scope root>)"), field
 * being the request field that named root. */
hz_db_stmt_t hz_rpc_scope_stmt(hz_rpc_t *rpc, const char **params, const char *root);
int hz_rpc_scope_verdict(hz_rpc_t *rpc, const PGresult *r, const char *field, const char *root);

/* Convenience accessors for PGresult text cells (copied into the arena). */
const char *hz_rpc_cell(hz_rpc_t *rpc, const PGresult *r, int row, int col);
int hz_rpc_cell_int(const PGresult *r, int row, int col);
int hz_rpc_cell_bool(const PGresult *r, int row, int col);
int hz_rpc_cell_null(const PGresult *r, int row, int col);

#endif
