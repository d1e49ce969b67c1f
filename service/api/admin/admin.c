/* The huizong.v1.Admin service's reference data and tokens: its method
 * table, and what its handlers share: the import plumbing (the server's
 * problems and the database's in one api/problems.h list, the import
 * continuation), page tokens of key-ordered lists, and text checks. The
 * handlers live in regions.c, indicators.c, tokens.c and targets.c. */
#include "api/admin/admin.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "wire/utf8.h"

/* How much of a rejected value a message quotes. */
#define QUOTE_MAX 40

#define ADMIN_ONLY HZ_ROLE_BIT(HZ_ROLE_ADMIN)

#define ADMIN_METHOD(method, type, allowed, handler)                                       \
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
    ADMIN_METHOD("ListIndicators", list_indicators_request, HZ_ROLES_ALL, hz_admin_list_indicators),
    ADMIN_METHOD("CreateToken", create_token_request, ADMIN_ONLY, hz_admin_create_token),
    ADMIN_METHOD("ListTokens", list_tokens_request, ADMIN_ONLY, hz_admin_list_tokens),
    ADMIN_METHOD("RevokeToken", revoke_token_request, ADMIN_ONLY, hz_admin_revoke_token),
    ADMIN_METHOD("WhoAmI", who_am_irequest, HZ_ROLES_ALL, hz_admin_who_am_i),
    ADMIN_METHOD("ImportTargets", import_targets_request, ADMIN_ONLY, hz_admin_import_targets),
    ADMIN_METHOD("ListTargets", list_targets_request, HZ_ROLES_ALL, hz_admin_list_targets),
    ADMIN_METHOD("ImportRules", import_rules_request, ADMIN_ONLY, hz_admin_import_rules),
    ADMIN_METHOD("ListRules", list_rules_request, HZ_ROLES_ALL, hz_admin_list_rules),
    ADMIN_METHOD("SetRuleActive", set_rule_active_request, ADMIN_ONLY, hz_admin_set_rule_active),
};

int hz_admin_register(hz_app_t *app) {
  return hz_rpc_register(app, admin_defs, sizeof(admin_defs) / sizeof(admin_defs[0]));
}

/* ---- problems ----------------------------------------------------------- */

/* Records a problem about row index, naming the row as imp->rows does. */
static int problem_add(hz_admin_import_t *imp, int index, int kind, const char *field,
                       const char *reason) {
  int line = 0;
  const char *key = NULL, *indicator = NULL;
  if (index >= 0 && index < imp->rows.n) {
    line = imp->rows.lines[index];
    key = imp->rows.keys[index];
    indicator = imp->rows.indicators ? imp->rows.indicators[index] : NULL;
  }
  return hz_problems_add(&imp->problems, index, line, kind, field, indicator, key, reason);
}

int hz_admin_problem(hz_rpc_t *rpc, hz_admin_import_t *imp, int index, int kind, const char *field,
                     const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *reason = hz_arena_vprintf(hz_rpc_arena(rpc), fmt, ap);
  va_end(ap);
  if (!reason || problem_add(imp, index, kind, field, reason)) {
    hz_rpc_oom(rpc);
    return -1;
  }
  return 0;
}

/* ---- imports ---------------------------------------------------------- */

hz_admin_import_t *hz_admin_import_new(hz_rpc_t *rpc, size_t n, int dry_run, int with_indicators) {
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
    hz_problems_init(&imp->problems, a);
  }
  if (!imp || !imp->rows.lines || !imp->rows.keys || (with_indicators && !imp->rows.indicators)) {
    hz_rpc_oom(rpc);
    return NULL;
  }
  return imp;
}

const char *hz_admin_validate_only(const hz_admin_import_t *imp) {
  return imp->dry_run || imp->problems.total ? "t" : "f";
}

/* The import functions' columns (db/sql/admin.def ADMIN_IMPORT_*). */
typedef struct import_cols_s {
  int kind, idx, field, reason;    /* a problem row (kind > 0) */
  int created, updated, unchanged; /* the summary row (kind 0) */
} import_cols_t;

static import_cols_t import_cols(const PGresult *r) {
  return (import_cols_t){
      .kind = hz_db_col(r, "kind"),
      .idx = hz_db_col(r, "idx"),
      .field = hz_db_col(r, "field"),
      .reason = hz_db_col(r, "reason"),
      .created = hz_db_col(r, "created"),
      .updated = hz_db_col(r, "updated"),
      .unchanged = hz_db_col(r, "unchanged"),
  };
}

void hz_admin_import_done(hz_rpc_t *rpc, const hz_db_result_t *res, void *tag) {
  hz_admin_import_t *imp = tag;
  if (hz_rpc_db_failed(rpc, res))
    return;
  const PGresult *r = res->results[0];
  import_cols_t c = import_cols(r);
  int summary = -1;
  for (int row = 0; row < PQntuples(r); row++) {
    int kind = hz_rpc_cell_int(r, row, c.kind);
    if (kind == 0) {
      summary = row;
      continue;
    }
    /* Strings stay in the result until this returns; the list copies. */
    if (problem_add(imp, hz_rpc_cell_int(r, row, c.idx), kind, PQgetvalue(r, row, c.field),
                    PQgetvalue(r, row, c.reason))) {
      hz_rpc_oom(rpc);
      return;
    }
  }
  if (imp->problems.total) {
    hz_problems_refuse(rpc, &imp->problems);
    return;
  }
  if (summary < 0) {
    hz_rpc_finish(rpc, HZ_STATUS_INTERNAL, "import answered without a summary");
    return;
  }
  Huizong__V1__ImportResponse out = HUIZONG__V1__IMPORT_RESPONSE__INIT;
  out.received = imp->rows.n;
  out.created = hz_rpc_cell_int(r, summary, c.created);
  out.updated = hz_rpc_cell_int(r, summary, c.updated);
  out.unchanged = hz_rpc_cell_int(r, summary, c.unchanged);
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

/* ---- paging ---------------------------------------------------------------- */

int hz_admin_page_after(hz_rpc_t *rpc, const char *token, hz_page_key_check_fn key_ok,
                        const char **key) {
  const char *ts;
  *key = NULL;
  if (!token[0])
    return 0;
  int rc = hz_page_token_decode_for(hz_rpc_arena(rpc), token, 0, key_ok, &ts, key);
  if (rc == -ENOMEM) {
    hz_rpc_oom(rpc);
    return -1;
  }
  if (rc) {
    hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "page_token: malformed");
    return -1;
  }
  return 0;
}

char *hz_admin_page_token(hz_rpc_t *rpc, const char *key) {
  char *tok = hz_page_token_encode(hz_rpc_arena(rpc), "", key);
  if (!tok)
    hz_rpc_oom(rpc);
  return tok;
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
    hz_rpc_oom(rpc);
  return s;
}

Huizong__V1__Decimal *hz_admin_decimal_cell(hz_rpc_t *rpc, const PGresult *r, int row, int col,
                                            int *oom) {
  if (hz_rpc_cell_null(r, row, col))
    return NULL;
  Huizong__V1__Decimal *d = hz_arena_alloc(hz_rpc_arena(rpc), sizeof(*d));
  if (!d) {
    *oom = 1;
    return NULL;
  }
  huizong__v1__decimal__init(d);
  d->value = (char *)hz_rpc_cell(rpc, r, row, col);
  return d;
}
