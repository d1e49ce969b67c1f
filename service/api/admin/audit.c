/* huizong.v1.Admin/GetAudit: the append-only history, filtered, newest
 * first, keyset-paged. County tokens see their subtree only (entries with
 * no region, such as token changes, are for administrators). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/pgtext.h"
#include "api/rpc.h"
#include "domain/ident.h"
#include "domain/period.h"
#include "huizong/v1/admin.pb-c.h"
#include "wire/uuid.h"


/* audit_log.action text for each AuditAction, by enum number. */
static const char *const action_names[] = {
    NULL,          "value.set",   "narrative.set", "approve",      "reopen",        "period.reopen",
    "token.create", "token.revoke", "region.set",  "indicator.set", "target.set", "window.set",
};
#define NACTIONS (sizeof(action_names) / sizeof(action_names[0]))

static int action_of(const char *name) {
  for (size_t i = 1; i < NACTIONS; i++)
    if (!strcmp(action_names[i], name))
      return (int)i;
  return 0;
}

typedef struct audit_q_s {
  int page_size;    /* rows wanted */
  const char *root; /* region filter */
  int checked;      /* first statement checks it */
} audit_q_t;

static Huizong__V1__Decimal *decimal_cell(hz_rpc_t *rpc, const PGresult *r, int row, int col) {
  if (hz_rpc_cell_null(r, row, col))
    return NULL;
  Huizong__V1__Decimal *d = hz_arena_alloc(hz_rpc_arena(rpc), sizeof(*d));
  if (!d)
    return NULL;
  huizong__v1__decimal__init(d);
  d->value = (char *)hz_rpc_cell(rpc, r, row, col);
  return d;
}

static void on_audit(hz_rpc_t *rpc, const hz_db_result_t *res, void *tag) {
  audit_q_t *aq = tag;
  if (hz_rpc_filter_failed(rpc, res))
    return;
  if (aq->checked && hz_rpc_scope_verdict(rpc, res->results[0], aq->root))
    return;
  const PGresult *r = res->results[res->nresults - 1];
  int rows = PQntuples(r), shown = rows > aq->page_size ? aq->page_size : rows;
  hz_arena_t *a = hz_rpc_arena(rpc);
  Huizong__V1__GetAuditResponse out = HUIZONG__V1__GET_AUDIT_RESPONSE__INIT;
  out.entries = hz_arena_alloc(a, (size_t)(rows + 1) * sizeof(void *));
  if (!out.entries)
    return (void)hz_rpc_oom(rpc);
  for (int i = 0; i < shown; i++) {
    Huizong__V1__AuditEntry *e = hz_arena_alloc(a, sizeof(*e));
    if (!e)
      return (void)hz_rpc_oom(rpc);
    huizong__v1__audit_entry__init(e);
    e->id = strtoll(PQgetvalue(r, i, 0), NULL, 10);
    e->time = (char *)hz_rpc_cell(rpc, r, i, 1);
    e->actor = (char *)hz_rpc_cell(rpc, r, i, 2);
    e->actor_token_id = (char *)hz_rpc_cell(rpc, r, i, 3);
    e->action = action_of(PQgetvalue(r, i, 4));
    e->region_code = (char *)hz_rpc_cell(rpc, r, i, 5);
    e->indicator_code = (char *)hz_rpc_cell(rpc, r, i, 6);
    e->period = (char *)hz_rpc_cell(rpc, r, i, 7);
    e->old_value = decimal_cell(rpc, r, i, 8);
    e->new_value = decimal_cell(rpc, r, i, 9);
    e->submission_id = (char *)hz_rpc_cell(rpc, r, i, 10);
    e->detail = (char *)hz_rpc_cell(rpc, r, i, 11);
    e->old_comment = (char *)hz_rpc_cell(rpc, r, i, 12);
    e->new_comment = (char *)hz_rpc_cell(rpc, r, i, 13);
    out.entries[out.n_entries++] = e;
  }
  if (rows > shown)
    out.next_page_token =
        hz_page_token_encode(a, PQgetvalue(r, shown - 1, 1), PQgetvalue(r, shown - 1, 0));
  hz_rpc_reply(rpc, &out.base);
}

static int validate(hz_rpc_t *rpc, const Huizong__V1__GetAuditRequest *req) {
  hz_period_t p;
  char uuid[HZ_WIRE_UUID_TEXT_SIZE];
  if (req->region_code[0] && hz_region_code_validate(req->region_code))
    return hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "region_code '%s' is malformed",
                         req->region_code), -1;
  if (req->indicator_code[0] && hz_indicator_code_validate(req->indicator_code))
    return hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "indicator_code '%s' is malformed",
                         req->indicator_code), -1;
  if (req->period[0] && hz_period_parse(req->period, &p))
    return hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "period '%s' is not one of %s",
                         req->period, hz_period_accepted_forms()), -1;
  if (req->submission_id[0] && hz_wire_uuid_normalize(req->submission_id, uuid) != 0)
    return hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "submission_id '%s' is not a UUID",
                         req->submission_id), -1;
  if (!hz_pg_timestamp_ok(req->since) || !hz_pg_timestamp_ok(req->until))
    return hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT,
                         "since/until must be RFC 3339 timestamps"), -1;
  for (size_t i = 0; i < req->n_actions; i++)
    if (req->actions[i] <= 0 || (size_t)req->actions[i] >= NACTIONS)
      return hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "unknown audit action %d",
                           req->actions[i]), -1;
  return 0;
}

static void get_audit(hz_rpc_t *rpc, ProtobufCMessage *msg) {
  const Huizong__V1__GetAuditRequest *req = (const Huizong__V1__GetAuditRequest *)msg;
  hz_arena_t *a = hz_rpc_arena(rpc);
  audit_q_t *aq = hz_arena_zalloc(a, sizeof(*aq));
  const char **check = hz_arena_alloc(a, 2 * sizeof(char *));
  const char **params = hz_arena_zalloc(a, 12 * sizeof(char *));
  const char **actions = hz_arena_alloc(a, (req->n_actions + 1) * sizeof(char *));
  if (!aq || !check || !params || !actions)
    return (void)hz_rpc_oom(rpc);
  if (validate(rpc, req))
    return;
  const char *after_ts = NULL, *after_id = NULL;
  if (req->page_token[0] && (hz_page_token_decode(a, req->page_token, &after_ts, &after_id) ||
                             strspn(after_id, "0123456789") != strlen(after_id))) {
    hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "malformed page_token");
    return;
  }
  for (size_t i = 0; i < req->n_actions; i++)
    actions[i] = action_names[req->actions[i]];
  if ((aq->page_size = hz_rpc_page_size(rpc, req->page_size, HZ_RPC_PAGE_DEFAULT,
                                              HZ_RPC_PAGE_MAX)) < 0)
    return;
  aq->root = req->region_code[0] ? req->region_code : hz_rpc_scope_param(rpc);
  params[0] = aq->root;
  params[1] = req->indicator_code[0] ? req->indicator_code : NULL;
  params[2] = req->period[0] ? req->period : NULL;
  params[3] = req->submission_id[0] ? req->submission_id : NULL;
  params[4] = req->n_actions ? hz_pg_text_array(a, actions, req->n_actions) : NULL;
  params[5] = req->actor[0] ? req->actor : NULL;
  params[6] = req->since[0] ? req->since : NULL;
  params[7] = req->until[0] ? req->until : NULL;
  params[8] = after_ts;
  params[9] = after_id;
  params[10] = hz_pg_int(a, aq->page_size + 1);
  /* Token changes are administrators' business, whatever region they name. */
  params[11] = rpc->who.role == HZ_ROLE_ADMIN ? "t" : "f";
  hz_db_stmt_t q[2];
  int n = 0;
  if (req->region_code[0]) {
    aq->checked = 1;
    q[n++] = hz_rpc_scope_stmt(rpc, check, req->region_code);
  }
  q[n++] = (hz_db_stmt_t){
      .name = "hz_get_audit",
      .sql = "SELECT a.id, hz_ts(a.at), a.actor, coalesce(a.token_id::text, ''), a.action,"
             " coalesce(a.region_code, ''), coalesce(a.indicator_code, ''),"
             " coalesce(a.period, ''), trim_scale(a.old_value)::text,"
             " trim_scale(a.new_value)::text, coalesce(a.submission_id::text, ''), a.detail,"
             " coalesce(a.old_comment, ''), coalesce(a.new_comment, '')"
             " FROM audit_log a"
             " WHERE ($1::text IS NULL OR a.region_code IN"
             "   (SELECT descendant FROM region_paths WHERE ancestor = $1))"
             " AND ($2::text IS NULL OR a.indicator_code = $2)"
             " AND ($3::text IS NULL OR a.period = $3)"
             " AND ($4::uuid IS NULL OR a.submission_id = $4::uuid)"
             " AND ($5::text[] IS NULL OR a.action = ANY ($5::text[]))"
             " AND ($6::text IS NULL OR a.actor = $6)"
             " AND ($7::timestamptz IS NULL OR a.at >= $7::timestamptz)"
             " AND ($8::timestamptz IS NULL OR a.at < $8::timestamptz)"
             " AND ($9::timestamptz IS NULL OR (a.at, a.id) < ($9::timestamptz, $10::bigint))"
             " AND ($12::boolean OR a.action NOT LIKE 'token.%')"
             " ORDER BY a.at DESC, a.id DESC LIMIT $11::integer",
      .nparams = 12,
      .values = params,
  };
  hz_rpc_query(rpc, q, n, on_audit, aq);
}

static const hz_rpc_def_t audit_methods[] = {
    {"/huizong.v1.Admin/GetAudit", HZ_RPC_UNARY, &huizong__v1__get_audit_request__descriptor,
     HZ_ROLE_BIT(HZ_ROLE_COUNTY) | HZ_ROLE_BIT(HZ_ROLE_ADMIN), get_audit, NULL, NULL},
};

int hz_audit_register(hz_app_t *app) {
  return hz_rpc_register(app, audit_methods, sizeof(audit_methods) / sizeof(audit_methods[0]));
}
