/* Admin tokens: CreateToken (secret made here, only its hash stored by
 * hz_create_token; the full token text leaves once, in the response),
 * ListTokens (never secrets), RevokeToken (hz_revoke_token, then this
 * server's token cache forgets the id so the next call is refused at once)
 * and WhoAmI. */
#include <errno.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "api/admin/admin.h"
#include "api/pgtext.h"
#include "api/refusal.h"
#include "domain/ident.h"
#include "domain/role.h"

#define TOKENS_PAGE_DEFAULT 100
#define TOKENS_PAGE_MAX     1000
/* Token names appear as the actor of audit entries: one short line. */
#define TOKEN_NAME_MAX      100
/* Decimal digits of a token id (tokens.id is a bigint). */
#define TOKEN_ID_DIGITS     18

/* Where each TokenInfo column is in a result (db/sql/admin.def: the token
 * statements select the same names). */
typedef struct token_cols_s {
  int id, name, role, region_code;                      /* who the token is; -1 when absent */
  int created_at, created_by, revoked_at, last_used_at; /* its history, "" for never */
} token_cols_t;

static token_cols_t token_cols(const PGresult *r) {
  return (token_cols_t){
      .id = hz_db_col(r, "id"),
      .name = hz_db_col(r, "name"),
      .role = hz_db_col(r, "role"),
      .region_code = hz_db_col(r, "region_code"),
      .created_at = hz_db_col(r, "created_at"),
      .created_by = hz_db_col(r, "created_by"),
      .revoked_at = hz_db_col(r, "revoked_at"),
      .last_used_at = hz_db_col(r, "last_used_at"),
  };
}

static Huizong__V1__TokenInfo *token_from_row(hz_rpc_t *rpc, const PGresult *r,
                                              const token_cols_t *c, int row) {
  Huizong__V1__TokenInfo *t = hz_arena_alloc(hz_rpc_arena(rpc), sizeof(*t));
  if (!t)
    return NULL;
  huizong__v1__token_info__init(t);
  t->id = (char *)hz_rpc_cell(rpc, r, row, c->id);
  t->name = (char *)hz_rpc_cell(rpc, r, row, c->name);
  t->role = (Huizong__V1__Role)hz_rpc_cell_int(r, row, c->role);
  t->region_code = (char *)hz_rpc_cell(rpc, r, row, c->region_code);
  t->created_at = (char *)hz_rpc_cell(rpc, r, row, c->created_at);
  t->created_by = (char *)hz_rpc_cell(rpc, r, row, c->created_by);
  t->revoked_at = (char *)hz_rpc_cell(rpc, r, row, c->revoked_at);
  t->last_used_at = (char *)hz_rpc_cell(rpc, r, row, c->last_used_at);
  if (!t->id || !t->name || !t->region_code || !t->created_at || !t->created_by || !t->revoked_at ||
      !t->last_used_at)
    return NULL;
  return t;
}

/* A token id as clients show it: 1..18 digits, not zero. */
static int parse_token_id(const char *s, long long *out) {
  size_t len = strnlen(s, TOKEN_ID_DIGITS + 1);
  if (len == 0 || len > TOKEN_ID_DIGITS)
    return -EINVAL;
  long long v = 0;
  for (size_t i = 0; i < len; i++) {
    if (s[i] < '0' || s[i] > '9')
      return -EINVAL;
    v = v * 10 + (s[i] - '0');
  }
  if (v <= 0)
    return -EINVAL;
  *out = v;
  return 0;
}

/* parse_token_id as a page-token key check (ListTokens pages by id). */
static int token_id_ok(const char *s) {
  long long v;
  return parse_token_id(s, &v);
}

/* ---- CreateToken ------------------------------------------------------------- */

typedef struct create_token_s {
  char secret[64];    /* the new secret: shown once, wiped after the reply */
  const char *name;   /* requested name */
  int role;           /* requested role */
  const char *region; /* scope, NULL for admin */
} create_token_t;

/* Request checks that need no database; -1 after finishing the call. */
static int check_create(hz_rpc_t *rpc, const Huizong__V1__CreateTokenRequest *req) {
  const char *why;
  int role = (int)req->role;
  if (!req->name[0]) {
    hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "name: a token needs a name");
    return -1;
  }
  if ((why = hz_admin_text_problem(req->name, TOKEN_NAME_MAX, 0))) {
    hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "name: %s", why);
    return -1;
  }
  if (role < HZ_ROLE_TOWNSHIP || role > HZ_ROLE_ADMIN) {
    hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "role: %s (township, county or admin)",
                  role == 0 ? "unspecified" : "unknown");
    return -1;
  }
  if (role == HZ_ROLE_ADMIN && req->region_code[0]) {
    hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT,
                  "region_code: an admin token has no region (it sees everything)");
    return -1;
  }
  if (role != HZ_ROLE_ADMIN && !req->region_code[0]) {
    hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "region_code: a %s token needs its region",
                  hz_role_name(role));
    return -1;
  }
  if (req->region_code[0] && hz_region_code_validate(req->region_code)) {
    hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "region_code: malformed region code %s",
                  hz_admin_quote(rpc, req->region_code));
    return -1;
  }
  return 0;
}

static void on_token_created(hz_rpc_t *rpc, const hz_db_result_t *res, void *tag) {
  create_token_t *st = tag;
  if (hz_rpc_db_failed(rpc, res)) {
    OPENSSL_cleanse(st->secret, sizeof(st->secret));
    return;
  }
  const PGresult *r = res->results[0];
  if (PQntuples(r) != 1) {
    OPENSSL_cleanse(st->secret, sizeof(st->secret));
    hz_rpc_finish(rpc, HZ_STATUS_INTERNAL, "token creation answered %d rows", PQntuples(r));
    return;
  }
  if (hz_rpc_refused(rpc, r, 0)) {
    OPENSSL_cleanse(st->secret, sizeof(st->secret));
    return;
  }
  Huizong__V1__TokenInfo info = HUIZONG__V1__TOKEN_INFO__INIT;
  Huizong__V1__CreateTokenResponse out = HUIZONG__V1__CREATE_TOKEN_RESPONSE__INIT;
  info.id = (char *)hz_rpc_cell(rpc, r, 0, hz_db_col(r, "id"));
  info.name = (char *)st->name;
  info.role = (Huizong__V1__Role)st->role;
  info.region_code = (char *)(st->region ? st->region : "");
  info.created_at = (char *)hz_rpc_cell(rpc, r, 0, hz_db_col(r, "created_at"));
  info.created_by = (char *)rpc->who.name;
  char *full = hz_arena_printf(hz_rpc_arena(rpc), "hz_%s_%s", info.id, st->secret);
  OPENSSL_cleanse(st->secret, sizeof(st->secret));
  if (!info.id || !info.created_at || !full) {
    hz_rpc_oom(rpc);
    return;
  }
  out.token = &info;
  out.secret = full;
  hz_rpc_reply(rpc, &out.base);
  /* The reply is serialized already; no copy of the secret stays behind. */
  OPENSSL_cleanse(full, strlen(full));
}

void hz_admin_create_token(hz_rpc_t *rpc, ProtobufCMessage *msg) {
  Huizong__V1__CreateTokenRequest *req = (Huizong__V1__CreateTokenRequest *)msg;
  if (check_create(rpc, req))
    return;
  hz_arena_t *a = hz_rpc_arena(rpc);
  create_token_t *st = hz_arena_zalloc(a, sizeof(*st));
  const char **params = hz_admin_params(rpc, 6);
  if (!st || !params) {
    hz_rpc_oom(rpc);
    return;
  }
  uint8_t hash[32];
  if (hz_token_new_secret(st->secret, sizeof(st->secret), hash)) {
    hz_rpc_finish(rpc, HZ_STATUS_INTERNAL, "cannot generate a token secret");
    return;
  }
  st->name = req->name;
  st->role = (int)req->role;
  st->region = req->region_code[0] ? req->region_code : NULL;
  params[0] = st->name;
  params[1] = hz_pg_int(a, st->role);
  params[2] = st->region;
  params[3] = hz_pg_bytea_hex(a, hash, sizeof(hash));
  params[4] = hz_admin_actor_id(rpc);
  params[5] = rpc->who.name;
  if (!params[1] || !params[3] || !params[4]) {
    OPENSSL_cleanse(st->secret, sizeof(st->secret));
    hz_rpc_oom(rpc);
    return;
  }
  hz_db_stmt_t q = {.id = HZ_STMT_ADMIN_CREATE_TOKEN, .values = params};
  if (hz_rpc_query(rpc, &q, 1, on_token_created, st))
    OPENSSL_cleanse(st->secret, sizeof(st->secret));
}

/* ---- ListTokens -------------------------------------------------------------- */

typedef struct list_tokens_s {
  int page_size; /* rows shown; the job asks for one more */
} list_tokens_t;

static void on_tokens_listed(hz_rpc_t *rpc, const hz_db_result_t *res, void *tag) {
  list_tokens_t *st = tag;
  if (hz_rpc_db_failed(rpc, res))
    return;
  const PGresult *r = res->results[0];
  token_cols_t c = token_cols(r);
  int rows = PQntuples(r) > st->page_size ? st->page_size : PQntuples(r);
  Huizong__V1__ListTokensResponse out = HUIZONG__V1__LIST_TOKENS_RESPONSE__INIT;
  if (rows) {
    out.tokens = hz_arena_alloc(hz_rpc_arena(rpc), (size_t)rows * sizeof(*out.tokens));
    if (!out.tokens) {
      hz_rpc_oom(rpc);
      return;
    }
  }
  for (int i = 0; i < rows; i++)
    if (!(out.tokens[i] = token_from_row(rpc, r, &c, i))) {
      hz_rpc_oom(rpc);
      return;
    }
  out.n_tokens = (size_t)rows;
  if (PQntuples(r) > st->page_size &&
      !(out.next_page_token = hz_admin_page_token(rpc, out.tokens[rows - 1]->id)))
    return;
  hz_rpc_reply(rpc, &out.base);
}

void hz_admin_list_tokens(hz_rpc_t *rpc, ProtobufCMessage *msg) {
  Huizong__V1__ListTokensRequest *req = (Huizong__V1__ListTokensRequest *)msg;
  const char *after;
  if ((int)req->role < 0 || (int)req->role > HZ_ROLE_ADMIN) {
    hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "role: unknown role %d", (int)req->role);
    return;
  }
  if (req->region_code[0] && hz_region_code_validate(req->region_code)) {
    hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "region_code: malformed region code %s",
                  hz_admin_quote(rpc, req->region_code));
    return;
  }
  if (hz_admin_page_after(rpc, req->page_token, token_id_ok, &after))
    return;
  int page = hz_rpc_page_size(rpc, req->page_size, TOKENS_PAGE_DEFAULT, TOKENS_PAGE_MAX);
  if (page < 0)
    return;
  hz_arena_t *a = hz_rpc_arena(rpc);
  list_tokens_t *st = hz_arena_zalloc(a, sizeof(*st));
  const char **params = hz_admin_params(rpc, 5);
  if (!st || !params) {
    hz_rpc_oom(rpc);
    return;
  }
  st->page_size = page;
  params[0] = req->include_revoked ? "t" : "f";
  params[1] = hz_pg_int(a, (int)req->role);
  params[2] = req->region_code[0] ? req->region_code : NULL;
  params[3] = after;
  params[4] = hz_pg_int(a, page + 1);
  if (!params[1] || !params[4]) {
    hz_rpc_oom(rpc);
    return;
  }
  hz_db_stmt_t q = {.id = HZ_STMT_ADMIN_LIST_TOKENS, .values = params};
  hz_rpc_query(rpc, &q, 1, on_tokens_listed, st);
}

/* ---- RevokeToken ------------------------------------------------------------- */

static void on_token_revoked(hz_rpc_t *rpc, const hz_db_result_t *res, void *tag) {
  (void)tag;
  if (hz_rpc_db_failed(rpc, res))
    return;
  const PGresult *r = res->results[0];
  if (PQntuples(r) != 1) {
    hz_rpc_finish(rpc, HZ_STATUS_INTERNAL, "revocation answered %d rows", PQntuples(r));
    return;
  }
  if (hz_rpc_refused(rpc, r, 0))
    return;
  token_cols_t c = token_cols(r);
  Huizong__V1__TokenInfo *t = token_from_row(rpc, r, &c, 0);
  if (!t) {
    hz_rpc_oom(rpc);
    return;
  }
  /* Committed: this server refuses the token from its next call on, and so
   * does every other one, whose next call checks the token in its first job
   * (hz_rpc_query). Forgetting it here only spares this server that check. */
  hz_token_cache_forget(&rpc->app->tokens, strtoll(t->id, NULL, 10));
  hz_rpc_reply(rpc, &t->base);
}

void hz_admin_revoke_token(hz_rpc_t *rpc, ProtobufCMessage *msg) {
  Huizong__V1__RevokeTokenRequest *req = (Huizong__V1__RevokeTokenRequest *)msg;
  long long id = 0;
  if (!req->id[0] == !req->name[0]) {
    hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "id, name: give exactly one of them");
    return;
  }
  if (req->id[0] && parse_token_id(req->id, &id)) {
    hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "id: malformed token id %s",
                  hz_admin_quote(rpc, req->id));
    return;
  }
  const char **params = hz_admin_params(rpc, 4);
  if (!params) {
    hz_rpc_oom(rpc);
    return;
  }
  params[0] = id ? req->id : NULL;
  params[1] = id ? NULL : req->name;
  params[2] = hz_admin_actor_id(rpc);
  params[3] = rpc->who.name;
  if (!params[2]) {
    hz_rpc_oom(rpc);
    return;
  }
  hz_db_stmt_t q = {.id = HZ_STMT_ADMIN_REVOKE_TOKEN, .values = params};
  hz_rpc_query(rpc, &q, 1, on_token_revoked, NULL);
}

/* ---- WhoAmI ------------------------------------------------------------------ */

static void on_who(hz_rpc_t *rpc, const hz_db_result_t *res, void *tag) {
  (void)tag;
  if (hz_rpc_db_failed(rpc, res))
    return;
  const PGresult *r = res->results[0];
  if (PQntuples(r) != 1) {
    /* Authenticated from the cache, then deleted: no longer a token. */
    hz_rpc_finish(rpc, HZ_STATUS_UNAUTHENTICATED, "invalid token");
    return;
  }
  token_cols_t c = token_cols(r);
  Huizong__V1__TokenInfo *t = token_from_row(rpc, r, &c, 0);
  if (!t) {
    hz_rpc_oom(rpc);
    return;
  }
  hz_rpc_reply(rpc, &t->base);
}

void hz_admin_who_am_i(hz_rpc_t *rpc, ProtobufCMessage *msg) {
  (void)msg;
  const char **params = hz_admin_params(rpc, 1);
  if (!params || !(params[0] = hz_admin_actor_id(rpc))) {
    hz_rpc_oom(rpc);
    return;
  }
  hz_db_stmt_t q = {.id = HZ_STMT_ADMIN_WHO_AM_I, .values = params};
  hz_rpc_query(rpc, &q, 1, on_who, NULL);
}
