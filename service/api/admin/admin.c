/* The huizong.v1.Admin service's reference data and tokens: its method
 * table, and what its handlers share — problem lists merged from the
 * server's checks and the database's, refused through api/problems.h, the
 * import continuation, scope checks, paging and text checks. The handlers
 * live in admin_regions.c, admin_indicators.c, admin_tokens.c and
 * admin_targets.c. */
#include "api/admin/admin.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "api/pgtext.h"
#include "api/problems.h"
#include "wire/utf8.h"

/* How much of a rejected value a message quotes. */
#define QUOTE_MAX 40

#define ADMIN_ONLY HZ_ROLE_BIT(HZ_ROLE_ADMIN)

#define ADMIN_METHOD(method, type, allowed, handler)                                          \
  {                                                                                        \
    .path = "/huizong.v1.Admin/" method, .kind = HZ_RPC_UNARY,                             \
    .input = &huizong__v1__##type##__descriptor, .roles = (allowed), .on_message = handler \
  }

/* The review workflow and the audit trail of the same service register
 * their own methods (review.c, audit.c). */
static const hz_rpc_def_t admin_defs[] = {
    ADMIN_METHOD("ImportRegions", import_regions_request, ADMIN_ONLY, hz_admin_import_regions),
    ADMIN_METHOD("ListRegions", list_regions_request, HZ_ROLES_ALL, hz_admin_list_regions),
    ADMIN_METHOD("GetRegion", get_region_request, HZ_ROLES_ALL, hz_admin_get_region),
    ADMIN_METHOD("ImportIndicators", import_indicators_request, ADMIN_ONLY,
                 hz_admin_import_indicators),
    ADMIN_METHOD("ListIndicators", list_indicators_request, HZ_ROLES_ALL,
                 hz_admin_list_indicators),
    ADMIN_METHOD("CreateToken", create_token_request, ADMIN_ONLY, hz_admin_create_token),
    ADMIN_METHOD("ListTokens", list_tokens_request, ADMIN_ONLY, hz_admin_list_tokens),
    ADMIN_METHOD("RevokeToken", revoke_token_request, ADMIN_ONLY, hz_admin_revoke_token),
    ADMIN_METHOD("WhoAmI", who_am_irequest, HZ_ROLES_ALL, hz_admin_who_am_i),
    ADMIN_METHOD("ImportTargets", import_targets_request, ADMIN_ONLY, hz_admin_import_targets),
    ADMIN_METHOD("ListTargets", list_targets_request, HZ_ROLES_ALL, hz_admin_list_targets),
};

int hz_admin_register(hz_app_t *app) {
  return hz_rpc_register(app, admin_defs, sizeof(admin_defs) / sizeof(admin_defs[0]));
}

void hz_admin_oom(hz_rpc_t *rpc) {
  hz_rpc_oom(rpc);
}

/* ---- problem lists ---------------------------------------------------- */

static int problems_grow(hz_arena_t *a, hz_admin_problems_t *ps) {
  if (ps->n < ps->cap)
    return 0;
  size_t cap = ps->cap ? 2 * ps->cap : 16;
  Huizong__V1__Problem **items = hz_arena_alloc(a, cap * sizeof(*items));
  if (!items)
    return -ENOMEM;
  if (ps->n)
    memcpy(items, ps->items, ps->n * sizeof(*items));
  ps->items = items;
  ps->cap = cap;
  return 0;
}

/* Appends a problem about row index, naming the row as imp->rows does. */
static int problems_add(hz_rpc_t *rpc, hz_admin_import_t *imp, int index, int kind,
                        const char *field, const char *reason) {
  hz_arena_t *a = hz_rpc_arena(rpc);
  hz_admin_problems_t *ps = &imp->problems;
  Huizong__V1__Problem *p = hz_arena_alloc(a, sizeof(*p));
  if (!p || problems_grow(a, ps))
    return -ENOMEM;
  huizong__v1__problem__init(p);
  p->index = index;
  p->kind = (Huizong__V1__ProblemKind)kind;
  p->field = (char *)field;
  p->reason = (char *)reason;
  if (index >= 0 && index < imp->rows.n) {
    p->line = imp->rows.lines[index];
    if (imp->rows.keys[index])
      p->key = (char *)imp->rows.keys[index];
    if (imp->rows.indicators && imp->rows.indicators[index])
      p->indicator_code = (char *)imp->rows.indicators[index];
  }
  ps->items[ps->n++] = p;
  return 0;
}

int hz_admin_problem(hz_rpc_t *rpc, hz_admin_import_t *imp, int index, int kind,
                     const char *field, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *reason = hz_arena_vprintf(hz_rpc_arena(rpc), fmt, ap);
  va_end(ap);
  if (!reason || problems_add(rpc, imp, index, kind, field, reason)) {
    hz_admin_oom(rpc);
    return -1;
  }
  return 0;
}

/* The server's problems and the database's are each in row order; merging
 * keeps the server's first among problems of one row. */
static int problems_merge(hz_arena_t *a, hz_admin_problems_t *ps) {
  size_t nl = ps->nlocal, n = ps->n;
  if (nl == 0 || nl == n)
    return 0;
  Huizong__V1__Problem **out = hz_arena_alloc(a, n * sizeof(*out));
  if (!out)
    return -ENOMEM;
  size_t i = 0, j = nl, k = 0;
  while (i < nl && j < n)
    out[k++] = ps->items[j]->index < ps->items[i]->index ? ps->items[j++] : ps->items[i++];
  while (i < nl)
    out[k++] = ps->items[i++];
  while (j < n)
    out[k++] = ps->items[j++];
  ps->items = out;
  return 0;
}

/* The shared refusal (api/problems.h) in request order. */
static void refuse(hz_rpc_t *rpc, hz_admin_problems_t *ps) {
  hz_problems_t out;
  if (problems_merge(hz_rpc_arena(rpc), ps)) {
    hz_admin_oom(rpc);
    return;
  }
  hz_problems_init(&out, hz_rpc_arena(rpc));
  for (size_t i = 0; i < ps->n; i++) {
    const Huizong__V1__Problem *p = ps->items[i];
    if (hz_problems_add(&out, p->index, p->line, (int)p->kind, p->field, p->indicator_code,
                        p->key, p->reason)) {
      hz_admin_oom(rpc);
      return;
    }
  }
  hz_problems_refuse(rpc, &out);
}

/* ---- imports ---------------------------------------------------------- */

hz_admin_import_t *hz_admin_import_new(hz_rpc_t *rpc, size_t n, int dry_run,
                                       int with_indicators) {
  if (n == 0) {
    hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "rows: the import is empty");
    return NULL;
  }
  if (n > HZ_ADMIN_MAX_IMPORT_ROWS) {
    hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT,
                  "rows: %zu rows exceed the limit of %d per import; split the file", n,
                  HZ_ADMIN_MAX_IMPORT_ROWS);
    return NULL;
  }
  hz_arena_t *a = hz_rpc_arena(rpc);
  hz_admin_import_t *imp = hz_arena_zalloc(a, sizeof(*imp));
  if (imp) {
    imp->rows.n = (int)n;
    imp->rows.lines = hz_arena_zalloc(a, n * sizeof(*imp->rows.lines));
    imp->rows.keys = hz_arena_zalloc(a, n * sizeof(*imp->rows.keys));
    if (with_indicators)
      imp->rows.indicators = hz_arena_zalloc(a, n * sizeof(*imp->rows.indicators));
    imp->dry_run = dry_run;
  }
  if (!imp || !imp->rows.lines || !imp->rows.keys ||
      (with_indicators && !imp->rows.indicators)) {
    hz_admin_oom(rpc);
    return NULL;
  }
  return imp;
}

const char *hz_admin_validate_only(const hz_admin_import_t *imp) {
  return imp->dry_run || imp->problems.n ? "t" : "f";
}

void hz_admin_import_done(hz_rpc_t *rpc, const hz_db_result_t *res, void *tag) {
  hz_admin_import_t *imp = tag;
  if (hz_rpc_db_failed(rpc, res))
    return;
  const PGresult *r = res->results[0];
  int summary = -1;
  imp->problems.nlocal = imp->problems.n;
  for (int row = 0; row < PQntuples(r); row++) {
    int kind = hz_rpc_cell_int(r, row, 0);
    if (kind == 0) {
      summary = row;
      continue;
    }
    const char *field = hz_rpc_cell(rpc, r, row, 2);
    const char *reason = hz_rpc_cell(rpc, r, row, 3);
    if (!field || !reason ||
        problems_add(rpc, imp, hz_rpc_cell_int(r, row, 1), kind, field, reason)) {
      hz_admin_oom(rpc);
      return;
    }
  }
  if (imp->problems.n) {
    refuse(rpc, &imp->problems);
    return;
  }
  if (summary < 0) {
    hz_rpc_finish(rpc, HZ_STATUS_INTERNAL, "import answered without a summary");
    return;
  }
  Huizong__V1__ImportResponse out = HUIZONG__V1__IMPORT_RESPONSE__INIT;
  out.received = imp->rows.n;
  out.created = hz_rpc_cell_int(r, summary, 4);
  out.updated = hz_rpc_cell_int(r, summary, 5);
  out.unchanged = hz_rpc_cell_int(r, summary, 6);
  out.dry_run = imp->dry_run;
  hz_rpc_reply(rpc, &out.base);
}

/* ---- requests --------------------------------------------------------- */

const char *hz_admin_text_problem(const char *s, size_t max, int multiline) {
  size_t len = strlen(s);
  if (len > max)
    return "too long";
  const unsigned char *p = (const unsigned char *)s;
  uint32_t cp;
  for (size_t i = 0; i < len;) {
    if (p[i] < 0x20 || p[i] == 0x7F) {
      if (!(multiline && (p[i] == '\n' || p[i] == '\t' || p[i] == '\r')))
        return "contains a control character";
    }
    size_t n = hz_wire_utf8_decode(p + i, len - i, &cp);
    if (!n)
      return "is not valid UTF-8";
    i += n;
  }
  return NULL;
}

const char *hz_admin_quote(hz_rpc_t *rpc, const char *s) {
  char buf[QUOTE_MAX + 8];
  const unsigned char *p = (const unsigned char *)s;
  size_t len = strlen(s), i = 0, w = 0;
  uint32_t cp;
  buf[w++] = '"';
  while (i < len) {
    size_t n = p[i] < 0x80 ? 1 : hz_wire_utf8_decode(p + i, len - i, &cp);
    if (w - 1 + (n ? n : 1) > QUOTE_MAX)
      break;
    if (n <= 1) {
      buf[w++] = (p[i] < 0x20 || p[i] >= 0x7F) ? '?' : (char)p[i];
      i++;
    } else {
      memcpy(buf + w, p + i, n);
      w += n;
      i += n;
    }
  }
  if (i < len) {
    memcpy(buf + w, "...", 3);
    w += 3;
  }
  buf[w++] = '"';
  buf[w] = '\0';
  const char *q = hz_arena_strdup(hz_rpc_arena(rpc), buf);
  return q ? q : "\"\"";
}

hz_db_stmt_t hz_admin_scope_stmt(const char **params) {
  hz_db_stmt_t q = {
      .name = "hz_admin_region_scope",
      .sql = "SELECT $1::text IS NULL OR EXISTS (SELECT 1 FROM regions WHERE code = $1),"
             " $2::text IS NULL OR $1::text IS NULL OR EXISTS (SELECT 1 FROM region_paths"
             "   WHERE ancestor = $2 AND descendant = $1)",
      .nparams = 2,
      .values = params,
  };
  return q;
}

int hz_admin_check_root(hz_rpc_t *rpc, const PGresult *r, const char *field, const char *code) {
  if (PQntuples(r) != 1) {
    hz_rpc_finish(rpc, HZ_STATUS_INTERNAL, "scope check answered %d rows", PQntuples(r));
    return -1;
  }
  if (!hz_rpc_cell_bool(r, 0, 0)) {
    hz_rpc_finish(rpc, HZ_STATUS_NOT_FOUND, "%s: unknown region %s", field, code);
    return -1;
  }
  if (!hz_rpc_cell_bool(r, 0, 1)) {
    hz_rpc_finish(rpc, HZ_STATUS_PERMISSION_DENIED,
                  "%s: region %s is outside this token's scope (%s)", field, code,
                  rpc->who.region ? rpc->who.region : "none");
    return -1;
  }
  return 0;
}

/* ---- SQL parameters ---------------------------------------------------- */

char *hz_admin_int_array(hz_arena_t *a, const int32_t *v, size_t n) {
  char *out = hz_arena_alloc(a, 3 + n * 12);
  if (!out)
    return NULL;
  size_t w = 0;
  out[w++] = '{';
  for (size_t i = 0; i < n; i++) {
    if (i)
      out[w++] = ',';
    if (v[i] == HZ_ADMIN_NULL_INT) {
      memcpy(out + w, "NULL", 4);
      w += 4;
    } else {
      w += (size_t)sprintf(out + w, "%d", (int)v[i]);
    }
  }
  out[w++] = '}';
  out[w] = '\0';
  return out;
}

const char **hz_admin_params(hz_rpc_t *rpc, int n) {
  return hz_arena_zalloc(hz_rpc_arena(rpc), (size_t)n * sizeof(char *));
}

const char *hz_admin_actor_id(hz_rpc_t *rpc) {
  return hz_pg_int(hz_rpc_arena(rpc), rpc->who.token_id);
}

char *hz_admin_text_array(hz_rpc_t *rpc, const char **items, size_t n) {
  char *s = hz_pg_text_array(hz_rpc_arena(rpc), items, n);
  if (!s)
    hz_admin_oom(rpc);
  return s;
}
