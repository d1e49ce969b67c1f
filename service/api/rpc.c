/* Authentication, role checks, database jobs and status mapping for the
 * huizong.v1 handlers. */
#include "api/rpc.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/pgtext.h"

static void rpc_deliver(hz_rpc_t *rpc);

/* ---- lifecycle ---------------------------------------------------------- */

/* The states each state may be entered from (bit per hz_rpc_state_t).
 * FINISHED from anywhere but itself: a refusal, a failure or a cancel can
 * end the call at any point, once. */
#define FROM(s) (1u << (s))
static const unsigned rpc_entered_from[] = {
    [HZ_RPC_NEW] = 0,
    [HZ_RPC_AUTHENTICATING] = FROM(HZ_RPC_NEW),
    [HZ_RPC_READY] = FROM(HZ_RPC_AUTHENTICATING),
    [HZ_RPC_FINISHED] = FROM(HZ_RPC_NEW) | FROM(HZ_RPC_AUTHENTICATING) | FROM(HZ_RPC_READY),
};
#undef FROM

/* The one transition function: a wrong old state is a bug of this file. */
static void rpc_enter(hz_rpc_t *rpc, hz_rpc_state_t to) {
  assert(rpc_entered_from[to] & (1u << rpc->lifecycle));
  rpc->lifecycle = to;
}

/* ---- jobs -------------------------------------------------------------- */

static void unlink_job(hz_rpc_t *rpc, hz_rpc_job_t *j) {
  hz_rpc_job_t **pp = &rpc->jobs;
  while (*pp && *pp != j)
    pp = &(*pp)->next;
  if (*pp) {
    *pp = j->next;
    rpc->njobs--;
  }
}

/* The job's answer as its handler sees it: without the live check. */
static hz_db_result_t handler_view(const hz_rpc_job_t *j, const hz_db_result_t *res) {
  hz_db_result_t v = *res;
  if (j->live_check) {
    v.results = res->results + 1;
    v.nresults = res->nresults - 1;
  }
  return v;
}

/* Reads the live check's verdict. Returns 0 to go on to the handler, or -1
 * after finishing the call (token revoked or removed, or the check itself
 * could not run). */
static int live_verdict(hz_rpc_t *rpc, const hz_db_result_t *res) {
  const PGresult *r = res->results[0];
  if (r && PQresultStatus(r) == PGRES_TUPLES_OK) {
    rpc->live_unchecked = 0;
    return 0;
  }
  if (!res->unavailable && !strncmp(res->sqlstate, "28", 2)) {
    /* Revoked elsewhere: drop the entry so this server's next call with
     * the token reads (and caches) its revoked row. */
    hz_token_cache_forget(&rpc->app->tokens, rpc->who.token_id);
    hz_rpc_finish(rpc, HZ_STATUS_UNAUTHENTICATED, "token has been revoked");
    return -1;
  }
  hz_rpc_fail_db(rpc, res);
  return -1;
}

void hz_rpc_job_done(void *data, const hz_db_result_t *res) {
  hz_rpc_job_t *j = data;
  hz_rpc_t *rpc = j->rpc;
  unlink_job(rpc, j);
  if (hz_rpc_finished(rpc))
    return;
  /* The continuation may finish the call and keep running: hold it. */
  hz_call_t *call = rpc->call;
  hz_call_hold(call);
  if (!j->live_check || !live_verdict(rpc, res)) {
    hz_db_result_t view = handler_view(j, res);
    j->cb(rpc, &view, j->tag);
  }
  hz_call_release(call);
}

/* stmts with hz_token_live in front, in the arena; NULL when out of memory. */
static const hz_db_stmt_t *with_live_check(hz_rpc_t *rpc, const hz_db_stmt_t *stmts, int n) {
  hz_arena_t *a = hz_rpc_arena(rpc);
  hz_db_stmt_t *all = hz_arena_alloc(a, (size_t)(n + 1) * sizeof(*all));
  const char **params = hz_arena_alloc(a, sizeof(*params));
  if (!all || !params || !(params[0] = hz_pg_int(a, rpc->who.token_id)))
    return NULL;
  all[0] = (hz_db_stmt_t){.id = HZ_STMT_TOKEN_LIVE, .values = params};
  memcpy(all + 1, stmts, (size_t)n * sizeof(*all));
  return all;
}

int hz_rpc_query(hz_rpc_t *rpc, const hz_db_stmt_t *stmts, int n, hz_rpc_db_fn cb, void *tag) {
  if (!rpc->app->db) {
    hz_rpc_finish(rpc, HZ_STATUS_UNAVAILABLE, "no database configured (set DATABASE_URL)");
    return -1;
  }
  if (n < 1 || n > HZ_RPC_MAX_STMTS) {
    hz_log_error(&rpc->app->ctx->log, "%s: a job of %d statements", rpc->def->path, n);
    hz_rpc_finish(rpc, HZ_STATUS_INTERNAL, "internal error: a job of %d statements", n);
    return -1;
  }
  int live = rpc->live_unchecked;
  if (live)
    stmts = with_live_check(rpc, stmts, n++);
  hz_rpc_job_t *j = stmts ? hz_rpc_job_link(rpc, cb, tag) : NULL;
  if (!j) {
    hz_rpc_oom(rpc);
    return -1;
  }
  j->live_check = live;
  return hz_rpc_job_submitted(
      rpc, j, hz_db_pool_submit(rpc->app->db, stmts, n, hz_rpc_job_done, j, &j->job));
}

hz_rpc_job_t *hz_rpc_job_link(hz_rpc_t *rpc, hz_rpc_db_fn cb, void *tag) {
  hz_rpc_job_t *j = hz_arena_zalloc(hz_rpc_arena(rpc), sizeof(*j));
  if (!j)
    return NULL;
  j->rpc = rpc;
  j->cb = cb;
  j->tag = tag;
  /* Linked first: a connection failing inside submit completes the job
   * (and unlinks it) before submit returns. */
  j->next = rpc->jobs;
  rpc->jobs = j;
  rpc->njobs++;
  return j;
}

int hz_rpc_job_submitted(hz_rpc_t *rpc, hz_rpc_job_t *j, int r) {
  if (r == 0)
    return 0;
  unlink_job(rpc, j);
  if (r == -EAGAIN)
    hz_rpc_finish(rpc, HZ_STATUS_RESOURCE_EXHAUSTED, "server queue full; retry later");
  else if (r == -ENOMEM)
    hz_rpc_oom(rpc);
  else
    hz_rpc_finish(rpc, HZ_STATUS_UNAVAILABLE, "database unavailable; retry later");
  return -1;
}

/* ---- page size --------------------------------------------------------- */

int hz_rpc_page_size(hz_rpc_t *rpc, int32_t requested, int def, int cap) {
  if (requested < 0) {
    hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "page_size: must not be negative (0 = %d)", def);
    return -1;
  }
  if (requested == 0)
    return def;
  return requested > cap ? cap : requested;
}

/* ---- finishing --------------------------------------------------------- */

static void cancel_jobs(hz_rpc_t *rpc) {
  for (hz_rpc_job_t *j = rpc->jobs; j; j = j->next) {
    if (j->read)
      hz_db_read_cancel(j->read);
    else
      hz_db_job_cancel(j->job);
  }
  rpc->jobs = NULL;
  rpc->njobs = 0;
}

void hz_rpc_finish(hz_rpc_t *rpc, hz_status_code_t code, const char *fmt, ...) {
  if (hz_rpc_finished(rpc))
    return;
  rpc_enter(rpc, HZ_RPC_FINISHED);
  cancel_jobs(rpc);
  char *msg = NULL;
  if (fmt) {
    va_list ap;
    va_start(ap, fmt);
    msg = hz_arena_vprintf(hz_rpc_arena(rpc), fmt, ap);
    va_end(ap);
  }
  hz_call_finish(rpc->call, code, msg ? "%s" : NULL, msg);
}

void hz_rpc_reply(hz_rpc_t *rpc, const ProtobufCMessage *msg) {
  if (hz_rpc_finished(rpc))
    return;
  hz_call_send(rpc->call, msg);
  hz_rpc_finish(rpc, HZ_STATUS_OK, NULL);
}

void hz_rpc_reply_packed(hz_rpc_t *rpc, const uint8_t *msg, size_t len) {
  if (hz_rpc_finished(rpc))
    return;
  hz_call_send_packed(rpc->call, msg, len);
  hz_rpc_finish(rpc, HZ_STATUS_OK, NULL);
}

/* ---- authentication ---------------------------------------------------- */

static int role_allowed(hz_rpc_t *rpc) {
  if (rpc->def->roles & HZ_ROLE_BIT(rpc->who.role))
    return 1;
  hz_rpc_finish(rpc, HZ_STATUS_PERMISSION_DENIED, "role %s may not call %s",
                hz_role_name(rpc->who.role), rpc->def->path);
  return 0;
}

static void authenticated(hz_rpc_t *rpc, const hz_token_entry_t *e) {
  hz_arena_t *a = hz_rpc_arena(rpc);
  if (e->revoked) {
    hz_rpc_finish(rpc, HZ_STATUS_UNAUTHENTICATED, "token has been revoked");
    return;
  }
  rpc->who.token_id = e->id;
  rpc->who.name = hz_arena_strdup(a, e->name);
  rpc->who.role = e->role;
  rpc->who.region = e->region ? hz_arena_strdup(a, e->region) : NULL;
  if (!rpc->who.name || (e->region && !rpc->who.region)) {
    hz_rpc_oom(rpc);
    return;
  }
  if (!role_allowed(rpc))
    return;
  rpc_enter(rpc, HZ_RPC_READY);
  rpc_deliver(rpc);
}

typedef struct auth_state_s {
  int64_t id;       /* token id presented */
  uint8_t hash[32]; /* hash of the secret presented */
} auth_state_t;

static void ignore_result(void *data, const hz_db_result_t *res) {
  (void)data;
  (void)res; /* last_used_at is best effort: a lost update only ages it */
}

/* Records that a token was used. It runs on cache misses only, so the
 * column is accurate to the cache lifetime (HZ_TOKEN_CACHE_TTL_MS), and on
 * its own job: the call does not wait for it. */
static void note_token_use(hz_app_t *app, int64_t id) {
  char idtext[24];
  snprintf(idtext, sizeof(idtext), "%lld", (long long)id);
  const char *params[] = {idtext};
  hz_db_stmt_t q = {.id = HZ_STMT_TOKEN_USED, .values = params};
  hz_db_pool_submit(app->db, &q, 1, ignore_result, NULL, NULL);
}

static void on_token_row(hz_rpc_t *rpc, const hz_db_result_t *res, void *tag) {
  auth_state_t *st = tag;
  if (hz_rpc_db_failed(rpc, res))
    return;
  const PGresult *r = res->results[0];
  if (PQntuples(r) != 1) {
    hz_rpc_finish(rpc, HZ_STATUS_UNAUTHENTICATED, "invalid token");
    return;
  }
  /* TOKEN_BY_ID's columns (db/sql/scaffold.def), by name. */
  int c_name = hz_db_col(r, "name"), c_role = hz_db_col(r, "role"),
      c_region = hz_db_col(r, "region_code"), c_hash = hz_db_col(r, "secret_hash"),
      c_revoked = hz_db_col(r, "revoked");
  if (c_name < 0 || c_role < 0 || c_region < 0 || c_hash < 0 || c_revoked < 0) {
    hz_rpc_finish(rpc, HZ_STATUS_INTERNAL, "internal error: token row without its columns");
    return;
  }
  uint8_t stored[32];
  size_t n = 0;
  unsigned char *raw = PQunescapeBytea((const unsigned char *)PQgetvalue(r, 0, c_hash), &n);
  if (!raw || n != 32) {
    PQfreemem(raw);
    hz_rpc_finish(rpc, HZ_STATUS_UNAUTHENTICATED, "invalid token");
    return;
  }
  memcpy(stored, raw, 32);
  PQfreemem(raw);
  hz_app_t *app = rpc->app;
  uint64_t now = uv_now(app->ctx->loop);
  /* Cache the stored hash, then judge the presented one against it. */
  hz_token_cache_put(&app->tokens, st->id, stored, PQgetvalue(r, 0, c_name),
                     atoi(PQgetvalue(r, 0, c_role)), PQgetvalue(r, 0, c_region),
                     PQgetvalue(r, 0, c_revoked)[0] == 't', now);
  const hz_token_entry_t *e = hz_token_cache_get(&app->tokens, st->id, now);
  if (!e || !hz_token_hash_equal(e->hash, st->hash)) {
    hz_rpc_finish(rpc, HZ_STATUS_UNAUTHENTICATED, "invalid token");
    return;
  }
  if (!e->revoked)
    note_token_use(app, st->id);
  authenticated(rpc, e);
}

static void start_auth(hz_rpc_t *rpc) {
  rpc_enter(rpc, HZ_RPC_AUTHENTICATING);
  auth_state_t *st = hz_arena_zalloc(hz_rpc_arena(rpc), sizeof(*st));
  if (!st) {
    hz_rpc_oom(rpc);
    return;
  }
  const char *h = hz_call_metadata(rpc->call, "authorization");
  if (!h) {
    hz_rpc_finish(rpc, HZ_STATUS_UNAUTHENTICATED,
                  "missing authorization metadata: send 'authorization: Bearer <token>'");
    return;
  }
  if (hz_token_parse(h, &st->id, st->hash)) {
    hz_rpc_finish(rpc, HZ_STATUS_UNAUTHENTICATED, "malformed bearer token");
    return;
  }
  hz_app_t *app = rpc->app;
  const hz_token_entry_t *e = hz_token_cache_get(&app->tokens, st->id, uv_now(app->ctx->loop));
  if (e) {
    if (!hz_token_hash_equal(e->hash, st->hash)) {
      hz_rpc_finish(rpc, HZ_STATUS_UNAUTHENTICATED, "invalid token");
      return;
    }
    /* The entry may be older than a revocation on another server: the
     * call's first job confirms it (hz_rpc_query). */
    rpc->live_unchecked = !e->revoked;
    authenticated(rpc, e);
    return;
  }
  const char **params = hz_arena_alloc(hz_rpc_arena(rpc), sizeof(char *));
  if (!params || !(params[0] = hz_pg_int(hz_rpc_arena(rpc), st->id))) {
    hz_rpc_oom(rpc);
    return;
  }
  hz_db_stmt_t q = {.id = HZ_STMT_TOKEN_BY_ID, .values = params};
  hz_rpc_query(rpc, &q, 1, on_token_row, st);
}

/* ---- dispatch ----------------------------------------------------------- */

static void rpc_deliver(hz_rpc_t *rpc) {
  while (rpc->pending && !hz_rpc_finished(rpc)) {
    hz_rpc_pending_t *p = rpc->pending;
    rpc->pending = p->next;
    if (!rpc->pending)
      rpc->pending_tail = NULL;
    rpc->def->on_message(rpc, p->msg);
  }
  if (rpc->half_closed && !hz_rpc_finished(rpc) && rpc->def->on_half_close)
    rpc->def->on_half_close(rpc);
}

/* The call's rpc, made on its first input; NULL when the input has no one
 * to go to: the rpc is finished, or could not be made (the call is then
 * finished here, out of memory). */
static hz_rpc_t *live_rpc_of(hz_call_t *call) {
  hz_rpc_t *rpc = hz_call_data(call);
  if (rpc)
    return hz_rpc_finished(rpc) ? NULL : rpc;
  rpc = hz_arena_zalloc(hz_call_arena(call), sizeof(*rpc));
  if (!rpc) {
    hz_call_finish(call, HZ_STATUS_RESOURCE_EXHAUSTED, HZ_CALL_OOM_MESSAGE);
    return NULL;
  }
  const hz_rpc_binding_t *b = hz_call_method(call)->data;
  rpc->call = call;
  rpc->def = b->def;
  rpc->app = b->app;
  hz_call_set_data(call, rpc);
  return rpc;
}

static void on_message(hz_call_t *call, ProtobufCMessage *msg) {
  hz_rpc_t *rpc = live_rpc_of(call);
  if (!rpc)
    return;
  if (rpc->lifecycle == HZ_RPC_READY) {
    rpc->def->on_message(rpc, msg);
    return;
  }
  hz_rpc_pending_t *p = hz_arena_alloc(hz_call_arena(call), sizeof(*p));
  if (!p) {
    hz_rpc_oom(rpc);
    return;
  }
  p->msg = msg;
  p->next = NULL;
  if (rpc->pending_tail)
    rpc->pending_tail->next = p;
  else
    rpc->pending = p;
  rpc->pending_tail = p;
  if (rpc->lifecycle == HZ_RPC_NEW)
    start_auth(rpc);
}

static void on_half_close(hz_call_t *call) {
  hz_rpc_t *rpc = live_rpc_of(call);
  if (!rpc)
    return;
  rpc->half_closed = 1;
  if (rpc->lifecycle == HZ_RPC_READY) {
    if (rpc->def->on_half_close)
      rpc->def->on_half_close(rpc);
  } else if (rpc->lifecycle == HZ_RPC_NEW) {
    start_auth(rpc); /* a stream with no messages still needs a caller */
  }
}

static void on_drain(hz_call_t *call) {
  hz_rpc_t *rpc = hz_call_data(call);
  if (rpc && rpc->lifecycle == HZ_RPC_READY && rpc->def->on_drain)
    rpc->def->on_drain(rpc);
}

static void on_cancel(hz_call_t *call) {
  hz_rpc_t *rpc = hz_call_data(call);
  if (!rpc) {
    hz_call_finish(call, HZ_STATUS_CANCELLED, NULL);
    return;
  }
  hz_rpc_finish(rpc, HZ_STATUS_CANCELLED, NULL);
}

int hz_rpc_register(hz_app_t *app, const hz_rpc_def_t *defs, size_t n) {
  for (size_t i = 0; i < n; i++) {
    /* The method's data binds the definition to the app; the app frees it. */
    hz_rpc_binding_t *pair = malloc(sizeof(*pair));
    if (!pair)
      return -ENOMEM;
    pair->def = &defs[i];
    pair->app = app;
    hz_method_t m = {
        .path = defs[i].path,
        .kind = defs[i].kind,
        .input = defs[i].input,
        .on_message = on_message,
        .on_half_close = on_half_close,
        .on_cancel = on_cancel,
        .on_drain = on_drain,
        .data = pair,
    };
    int r = hz_registry_add(&app->ctx->registry, &m);
    if (r) {
      free(pair);
      return r;
    }
    pair->next = app->bindings;
    app->bindings = pair;
  }
  return 0;
}

/* ---- scope and cells ----------------------------------------------------- */

const char *hz_rpc_scope_param(const hz_rpc_t *rpc) {
  return rpc->who.role == HZ_ROLE_ADMIN ? NULL : rpc->who.region;
}

hz_db_stmt_t hz_rpc_scope_stmt(hz_rpc_t *rpc, const char **params, const char *root) {
  params[0] = root;
  params[1] = hz_rpc_scope_param(rpc);
  return (hz_db_stmt_t){.id = HZ_STMT_SCOPE_CHECK, .values = params};
}

int hz_rpc_scope_verdict(hz_rpc_t *rpc, const PGresult *r, const char *field, const char *root) {
  if (PQntuples(r) != 1) {
    hz_rpc_finish(rpc, HZ_STATUS_INTERNAL, "scope check answered %d rows", PQntuples(r));
    return -1;
  }
  if (!hz_rpc_cell_bool(r, 0, hz_db_col(r, "known"))) {
    hz_rpc_finish(rpc, HZ_STATUS_NOT_FOUND, "%s: unknown region %s", field, root);
    return -1;
  }
  /* Naming the token's own root tells its holder where it may look. */
  if (!hz_rpc_cell_bool(r, 0, hz_db_col(r, "in_scope"))) {
    hz_rpc_finish(rpc, HZ_STATUS_PERMISSION_DENIED,
                  "%s: region %s is outside this token's scope (%s)", field, root,
                  rpc->who.region ? rpc->who.region : "none");
    return -1;
  }
  return 0;
}

const char *hz_rpc_cell(hz_rpc_t *rpc, const PGresult *r, int row, int col) {
  if (PQgetisnull(r, row, col))
    return "";
  return hz_arena_strndup(hz_rpc_arena(rpc), PQgetvalue(r, row, col),
                          (size_t)PQgetlength(r, row, col));
}

int hz_rpc_cell_int(const PGresult *r, int row, int col) {
  /* PostgreSQL writes an integer as -?digits, and a NULL as "": read by
   * hand, as atoi would (issue 15: strtol and PQgetisnull were a twentieth
   * of a computed Rollup, five integers a row); other text takes atoi. */
  const char *s = PQgetvalue(r, row, col); /* NULL: no such cell */
  if (!s)
    return 0;
  const char *p = s + (s[0] == '-');
  int v = 0, digits = 0;
  for (; *p >= '0' && *p <= '9' && digits < 9; p++, digits++)
    v = v * 10 + (*p - '0');
  if (*p != '\0')
    return atoi(s);
  return s[0] == '-' ? -v : v;
}

int hz_rpc_cell_bool(const PGresult *r, int row, int col) {
  return !PQgetisnull(r, row, col) && PQgetvalue(r, row, col)[0] == 't';
}

int hz_rpc_cell_null(const PGresult *r, int row, int col) {
  return PQgetisnull(r, row, col);
}
