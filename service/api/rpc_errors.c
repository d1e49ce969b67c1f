/* How a failed database job becomes the call's status (api/rpc.h:
 * hz_rpc_db_status, hz_rpc_fail_db, hz_rpc_db_failed, the filter variants)
 * and the one out-of-memory path. Apart from rpc.c, whose subject is the
 * call's lifecycle. */
#include "api/rpc.h"

#include <string.h>

/* How one SQLSTATE (five characters) or class (two) is answered. Why a
 * table: the client gets a fixed sentence chosen here, never PostgreSQL's
 * text, which quotes parameters ($n), statements and CONTEXT lines; the raw
 * text goes to the log once, at the level the kind of failure deserves. */
typedef struct db_error_map_s {
  const char *state;     /* SQLSTATE, or its two-character class */
  hz_status_code_t code; /* status the client gets */
  hz_log_level_t level;  /* how loud the raw text is logged */
  const char *message;   /* what the client reads (before " (SQLSTATE x)") */
} db_error_map_t;

static const db_error_map_t db_errors[] = {
    {"57014", HZ_STATUS_UNAVAILABLE, HZ_LOG_WARN, "database busy: a statement timed out; retry"},
    {"40001", HZ_STATUS_UNAVAILABLE, HZ_LOG_INFO,
     "database busy: a concurrent transaction conflicted; retry"},
    {"40P01", HZ_STATUS_UNAVAILABLE, HZ_LOG_WARN, "database busy: a deadlock was broken; retry"},
    {"23505", HZ_STATUS_ALREADY_EXISTS, HZ_LOG_WARN, "an equal record is already stored"},
    {"22001", HZ_STATUS_INVALID_ARGUMENT, HZ_LOG_WARN, "a text is longer than the database allows"},
    {"22003", HZ_STATUS_INVALID_ARGUMENT, HZ_LOG_WARN, "a number is out of the database's range"},
    {"22007", HZ_STATUS_INVALID_ARGUMENT, HZ_LOG_WARN, "a date or time is malformed"},
    {"22008", HZ_STATUS_INVALID_ARGUMENT, HZ_LOG_WARN, "a date or time is out of range"},
    {"22021", HZ_STATUS_INVALID_ARGUMENT, HZ_LOG_WARN, "a text is not valid UTF-8"},
    {"22P02", HZ_STATUS_INVALID_ARGUMENT, HZ_LOG_WARN, "a value is malformed for its type"},
    {"08", HZ_STATUS_UNAVAILABLE, HZ_LOG_WARN, "database unavailable; retry later"},
    {"57", HZ_STATUS_UNAVAILABLE, HZ_LOG_WARN, "database unavailable; retry later"},
    {"53", HZ_STATUS_UNAVAILABLE, HZ_LOG_ERROR, "database out of resources; retry later"},
    {"25", HZ_STATUS_UNAVAILABLE, HZ_LOG_ERROR,
     "database refused the transaction (read-only?); "
     "retry later"},
    {"28", HZ_STATUS_UNAUTHENTICATED, HZ_LOG_INFO, "token has been revoked"},
    {"22", HZ_STATUS_INVALID_ARGUMENT, HZ_LOG_WARN, "a value was refused by the database"},
    {"23", HZ_STATUS_FAILED_PRECONDITION, HZ_LOG_WARN, "the change conflicts with stored data"},
    {"54", HZ_STATUS_RESOURCE_EXHAUSTED, HZ_LOG_WARN, "the request is too large for the database"},
};

/* Anything else is a defect of ours: INTERNAL, logged as an error. */
static const db_error_map_t db_error_other = {"", HZ_STATUS_INTERNAL, HZ_LOG_ERROR,
                                              "internal error; the server log has the details"};

static const db_error_map_t *db_error_find(const char *sqlstate) {
  size_t n = sizeof(db_errors) / sizeof(db_errors[0]);
  for (size_t i = 0; i < n; i++) /* exact codes first: they are listed first */
    if (strlen(db_errors[i].state) == 5 && !strcmp(db_errors[i].state, sqlstate))
      return &db_errors[i];
  for (size_t i = 0; i < n; i++)
    if (strlen(db_errors[i].state) == 2 && !strncmp(db_errors[i].state, sqlstate, 2))
      return &db_errors[i];
  return &db_error_other;
}

/* The raw error on one line: libpq's text ends lines with DETAIL/CONTEXT. */
static const char *one_line(hz_rpc_t *rpc, const char *text) {
  char *s = hz_arena_strdup(hz_rpc_arena(rpc), text ? text : "");
  if (!s)
    return "(no memory to copy the error)";
  size_t n = strlen(s);
  while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
    s[--n] = '\0';
  for (char *p = s; *p; p++)
    if (*p == '\n' || *p == '\t')
      *p = ' ';
  return s;
}

hz_status_code_t hz_rpc_db_status(hz_rpc_t *rpc, const hz_db_result_t *res, const char **message) {
  if (res->unavailable) {
    /* The pool logged the connection's failure when it happened. */
    hz_log(&rpc->app->ctx->log, HZ_LOG_DEBUG, "%s: %s", rpc->def->path, one_line(rpc, res->error));
    *message = "database unavailable; retry later";
    return HZ_STATUS_UNAVAILABLE;
  }
  const db_error_map_t *m = db_error_find(res->sqlstate);
  hz_log(&rpc->app->ctx->log, m->level, "%s: SQLSTATE %s: %s", rpc->def->path, res->sqlstate,
         one_line(rpc, res->error));
  *message = hz_arena_printf(hz_rpc_arena(rpc), "%s (SQLSTATE %s)", m->message,
                             res->sqlstate[0] ? res->sqlstate : "none");
  return m->code;
}

/* what: "" for a handler's job, "malformed filter: " for a list's filter;
 * it prefixes only INVALID_ARGUMENT, the one answer a filter can cause. */
static void fail_db(hz_rpc_t *rpc, const hz_db_result_t *res, const char *what) {
  const char *message = NULL;
  hz_status_code_t code = hz_rpc_db_status(rpc, res, &message);
  if (code != HZ_STATUS_INVALID_ARGUMENT)
    what = "";
  hz_rpc_finish(rpc, code, "%s%s", what, message ? message : "database error");
}

void hz_rpc_fail_db(hz_rpc_t *rpc, const hz_db_result_t *res) {
  fail_db(rpc, res, "");
}

int hz_rpc_db_failed(hz_rpc_t *rpc, const hz_db_result_t *res) {
  if (res->ok)
    return 0;
  hz_rpc_fail_db(rpc, res);
  return 1;
}

int hz_rpc_filter_failed(hz_rpc_t *rpc, const hz_db_result_t *res) {
  if (res->ok)
    return 0;
  hz_rpc_fail_filter(rpc, res);
  return 1;
}

void hz_rpc_oom(hz_rpc_t *rpc) {
  hz_rpc_finish(rpc, HZ_STATUS_RESOURCE_EXHAUSTED, HZ_CALL_OOM_MESSAGE);
}

void hz_rpc_fail_filter(hz_rpc_t *rpc, const hz_db_result_t *res) {
  fail_db(rpc, res, "malformed filter: ");
}
