/* huizong.v1.Admin/GetAudit: the append-only history, filtered, newest
 * first, keyset-paged. County tokens see their subtree only (entries with
 * no region, such as token changes, are for administrators). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/admin/admin.h"
#include "api/api.h"
#include "api/pgtext.h"
#include "api/rpc.h"
#include "domain/ident.h"
#include "domain/period.h"
#include "huizong/v1/admin.pb-c.h"
#include "wire/uuid.h"

/* audit_log.action text for each AuditAction, by enum number. */
static const char *const action_names[] = {
    NULL,           "value.set",    "narrative.set", "approve",       "reopen",     "period.reopen",
    "token.create", "token.revoke", "region.set",    "indicator.set", "target.set", "window.set",
    "rule.set",
};
#define NACTIONS (sizeof(action_names) / sizeof(action_names[0]))

static int action_of(const char *name) {
  for (size_t i = 1; i < NACTIONS; i++)
    if (!strcmp(action_names[i], name))
      return (int)i;
  return 0;
}

typedef struct audit_q_s {
  int page_size;    /* entries shown; the job asks for one more */
  const char *root; /* region filter: the request's, or the caller's scope */
  int checked;      /* the job starts with the scope check of root */
} audit_q_t;

/* Where each AuditEntry column is in GET_AUDIT's result. */
typedef struct audit_cols_s {
  int id, at, actor, token_id, action, region_code, indicator_code, period;  /* who, what */
  int old_value, new_value, submission_id, detail, old_comment, new_comment; /* the change */
} audit_cols_t;

static audit_cols_t audit_cols(const PGresult *r) {
  return (audit_cols_t){
      .id = hz_db_col(r, "id"),
      .at = hz_db_col(r, "at"),
      .actor = hz_db_col(r, "actor"),
      .token_id = hz_db_col(r, "token_id"),
      .action = hz_db_col(r, "action"),
      .region_code = hz_db_col(r, "region_code"),
      .indicator_code = hz_db_col(r, "indicator_code"),
      .period = hz_db_col(r, "period"),
      .old_value = hz_db_col(r, "old_value"),
      .new_value = hz_db_col(r, "new_value"),
      .submission_id = hz_db_col(r, "submission_id"),
      .detail = hz_db_col(r, "detail"),
      .old_comment = hz_db_col(r, "old_comment"),
      .new_comment = hz_db_col(r, "new_comment"),
  };
}

/* A Decimal for a nullable numeric column: NULL when unset, and *oom set
 * when memory ran out. */
static Huizong__V1__AuditEntry *entry_from_row(hz_rpc_t *rpc, const PGresult *r,
                                               const audit_cols_t *c, int i) {
  Huizong__V1__AuditEntry *e = hz_arena_alloc(hz_rpc_arena(rpc), sizeof(*e));
  if (!e)
    return NULL;
  int oom = 0;
  huizong__v1__audit_entry__init(e);
  e->id = strtoll(PQgetvalue(r, i, c->id), NULL, 10);
  e->time = (char *)hz_rpc_cell(rpc, r, i, c->at);
  e->actor = (char *)hz_rpc_cell(rpc, r, i, c->actor);
  e->actor_token_id = (char *)hz_rpc_cell(rpc, r, i, c->token_id);
  e->action = action_of(PQgetvalue(r, i, c->action));
  e->region_code = (char *)hz_rpc_cell(rpc, r, i, c->region_code);
  e->indicator_code = (char *)hz_rpc_cell(rpc, r, i, c->indicator_code);
  e->period = (char *)hz_rpc_cell(rpc, r, i, c->period);
  e->old_value = hz_admin_decimal_cell(rpc, r, i, c->old_value, &oom);
  e->new_value = hz_admin_decimal_cell(rpc, r, i, c->new_value, &oom);
  e->submission_id = (char *)hz_rpc_cell(rpc, r, i, c->submission_id);
  e->detail = (char *)hz_rpc_cell(rpc, r, i, c->detail);
  e->old_comment = (char *)hz_rpc_cell(rpc, r, i, c->old_comment);
  e->new_comment = (char *)hz_rpc_cell(rpc, r, i, c->new_comment);
  return oom ? NULL : e;
}

static void on_audit(hz_rpc_t *rpc, const hz_db_result_t *res, void *tag) {
  audit_q_t *aq = tag;
  if (hz_rpc_filter_failed(rpc, res))
    return;
  if (aq->checked && hz_rpc_scope_verdict(rpc, res->results[0], "region_code", aq->root))
    return;
  const PGresult *r = res->results[res->nresults - 1];
  audit_cols_t c = audit_cols(r);
  int rows = PQntuples(r), shown = rows > aq->page_size ? aq->page_size : rows;
  hz_arena_t *a = hz_rpc_arena(rpc);
  Huizong__V1__GetAuditResponse out = HUIZONG__V1__GET_AUDIT_RESPONSE__INIT;
  out.entries = hz_arena_alloc(a, (size_t)(rows + 1) * sizeof(void *));
  if (!out.entries) {
    hz_rpc_oom(rpc);
    return;
  }
  for (int i = 0; i < shown; i++)
    if (!(out.entries[out.n_entries++] = entry_from_row(rpc, r, &c, i))) {
      hz_rpc_oom(rpc);
      return;
    }
  /* Newest first: the position is the last entry's (time, id). */
  if (rows > shown && !(out.next_page_token = hz_page_token_encode(
                            a, PQgetvalue(r, shown - 1, c.at), PQgetvalue(r, shown - 1, c.id)))) {
    hz_rpc_oom(rpc);
    return;
  }
  hz_rpc_reply(rpc, &out.base);
}

/* An audit entry's id: a page-token key of digits. */
static int entry_id_ok(const char *key) {
  return strspn(key, "0123456789") == strlen(key) ? 0 : -EINVAL;
}

static int validate(hz_rpc_t *rpc, const Huizong__V1__GetAuditRequest *req) {
  hz_period_t p;
  char uuid[HZ_WIRE_UUID_TEXT_SIZE];
  if (req->region_code[0] && hz_region_code_validate(req->region_code))
    return hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "region_code '%s' is malformed",
                         req->region_code),
           -1;
  if (req->indicator_code[0] && hz_indicator_code_validate(req->indicator_code))
    return hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "indicator_code '%s' is malformed",
                         req->indicator_code),
           -1;
  if (req->period[0] && hz_period_parse(req->period, &p))
    return hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "period '%s' is not one of %s",
                         req->period, hz_period_accepted_forms()),
           -1;
  if (req->submission_id[0] && hz_wire_uuid_normalize(req->submission_id, uuid) != 0)
    return hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "submission_id '%s' is not a UUID",
                         req->submission_id),
           -1;
  if (!hz_pg_timestamp_ok(req->since) || !hz_pg_timestamp_ok(req->until))
    return hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT,
                         "since/until must be RFC 3339 timestamps"),
           -1;
  for (size_t i = 0; i < req->n_actions; i++)
    if (req->actions[i] <= 0 || (size_t)req->actions[i] >= NACTIONS)
      return hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "unknown audit action %d",
                           req->actions[i]),
             -1;
  return 0;
}

/* The position a page token names: *ts NULL for none. -1 after finishing
 * the call. */
static int page_after(hz_rpc_t *rpc, const char *token, const char **ts, const char **id) {
  *ts = *id = NULL;
  if (!token[0])
    return 0;
  int rc = hz_page_token_decode_for(hz_rpc_arena(rpc), token, 1, entry_id_ok, ts, id);
  if (rc == -ENOMEM)
    hz_rpc_oom(rpc);
  else if (rc)
    hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "page_token: malformed");
  return rc ? -1 : 0;
}

/* GET_AUDIT's filters $1..$8 and $12 from the request; -1 when out of
 * memory. */
static int filter_params(hz_rpc_t *rpc, const Huizong__V1__GetAuditRequest *req, const char *root,
                         const char **params) {
  hz_arena_t *a = hz_rpc_arena(rpc);
  const char **actions = hz_arena_alloc(a, (req->n_actions + 1) * sizeof(char *));
  if (!actions)
    return -1;
  for (size_t i = 0; i < req->n_actions; i++)
    actions[i] = action_names[req->actions[i]];
  params[0] = root;
  params[1] = req->indicator_code[0] ? req->indicator_code : NULL;
  params[2] = req->period[0] ? req->period : NULL;
  params[3] = req->submission_id[0] ? req->submission_id : NULL;
  params[4] = req->n_actions ? hz_pg_text_array(a, actions, req->n_actions) : NULL;
  params[5] = req->actor[0] ? req->actor : NULL;
  params[6] = req->since[0] ? req->since : NULL;
  params[7] = req->until[0] ? req->until : NULL;
  /* Token changes are administrators' business, whatever region they name. */
  params[11] = rpc->who.role == HZ_ROLE_ADMIN ? "t" : "f";
  return req->n_actions && !params[4] ? -1 : 0;
}

static void get_audit(hz_rpc_t *rpc, ProtobufCMessage *msg) {
  const Huizong__V1__GetAuditRequest *req = (const Huizong__V1__GetAuditRequest *)msg;
  hz_arena_t *a = hz_rpc_arena(rpc);
  const char *after_ts, *after_id;
  if (validate(rpc, req) || page_after(rpc, req->page_token, &after_ts, &after_id))
    return;
  int page = hz_rpc_page_size(rpc, req->page_size, HZ_RPC_PAGE_DEFAULT, HZ_RPC_PAGE_MAX);
  if (page < 0)
    return;
  audit_q_t *aq = hz_arena_zalloc(a, sizeof(*aq));
  const char **check = hz_arena_alloc(a, 2 * sizeof(char *));
  const char **params = hz_arena_zalloc(a, 12 * sizeof(char *));
  if (!aq || !check || !params) {
    hz_rpc_oom(rpc);
    return;
  }
  aq->page_size = page;
  aq->root = req->region_code[0] ? req->region_code : hz_rpc_scope_param(rpc);
  params[8] = after_ts;
  params[9] = after_id;
  params[10] = hz_pg_int(a, page + 1);
  if (filter_params(rpc, req, aq->root, params) || !params[10]) {
    hz_rpc_oom(rpc);
    return;
  }
  hz_db_stmt_t q[2];
  int n = 0;
  /* The caller's own scope root needs no check; a named region does. */
  if (req->region_code[0]) {
    aq->checked = 1;
    q[n++] = hz_rpc_scope_stmt(rpc, check, req->region_code);
  }
  q[n++] = (hz_db_stmt_t){.id = HZ_STMT_GET_AUDIT, .values = params};
  hz_rpc_query(rpc, q, n, on_audit, aq);
}

static const hz_rpc_def_t audit_methods[] = {
    {"/huizong.v1.Admin/GetAudit", HZ_RPC_UNARY, &huizong__v1__get_audit_request__descriptor,
     HZ_ROLE_BIT(HZ_ROLE_COUNTY) | HZ_ROLE_BIT(HZ_ROLE_ADMIN), get_audit, NULL, NULL},
};

int hz_audit_register(hz_app_t *app) {
  return hz_rpc_register(app, audit_methods, sizeof(audit_methods) / sizeof(audit_methods[0]));
}
