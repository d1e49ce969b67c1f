/* The huizong.v1.Admin service: its method table, and what its handlers
 * share — problem lists and the refusal they turn into (status chosen by
 * ProblemKind, bounded grpc-message summary, serialized ProblemList in the
 * huizong-problems-bin trailer), the import continuation, paging and text
 * checks. The handlers live in admin_regions.c, admin_indicators.c,
 * admin_tokens.c and admin_targets.c. */
#include "app/admin_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "app/pgtext.h"

/* A refusal's grpc-message stays short: percent-encoding may triple it and
 * the trailer block must stay within what gRPC clients accept (8 KiB by
 * default) together with the problem list. */
#define SUMMARY_MAX 480
/* Serialized ProblemList budget; base64 makes it 4/3 larger on the wire. */
#define PROBLEMS_TRAILER_MAX 3072
#define PROBLEMS_TRAILER "huizong-problems-bin"
/* How much of a rejected value a message quotes. */
#define QUOTE_MAX 40

#define ADMIN_ONLY HZ_ROLE_BIT(HZ_ROLE_ADMIN)

static const hz_rpc_def_t admin_defs[] = {
    {"/huizong.v1.Admin/ImportRegions", HZ_RPC_UNARY,
     &huizong__v1__import_regions_request__descriptor, ADMIN_ONLY, hz_admin_import_regions, NULL},
    {"/huizong.v1.Admin/ListRegions", HZ_RPC_UNARY,
     &huizong__v1__list_regions_request__descriptor, HZ_ROLES_ALL, hz_admin_list_regions, NULL},
    {"/huizong.v1.Admin/GetRegion", HZ_RPC_UNARY, &huizong__v1__get_region_request__descriptor,
     HZ_ROLES_ALL, hz_admin_get_region, NULL},
    {"/huizong.v1.Admin/ImportIndicators", HZ_RPC_UNARY,
     &huizong__v1__import_indicators_request__descriptor, ADMIN_ONLY, hz_admin_import_indicators,
     NULL},
    {"/huizong.v1.Admin/ListIndicators", HZ_RPC_UNARY,
     &huizong__v1__list_indicators_request__descriptor, HZ_ROLES_ALL, hz_admin_list_indicators,
     NULL},
    {"/huizong.v1.Admin/CreateToken", HZ_RPC_UNARY,
     &huizong__v1__create_token_request__descriptor, ADMIN_ONLY, hz_admin_create_token, NULL},
    {"/huizong.v1.Admin/ListTokens", HZ_RPC_UNARY, &huizong__v1__list_tokens_request__descriptor,
     ADMIN_ONLY, hz_admin_list_tokens, NULL},
    {"/huizong.v1.Admin/RevokeToken", HZ_RPC_UNARY,
     &huizong__v1__revoke_token_request__descriptor, ADMIN_ONLY, hz_admin_revoke_token, NULL},
    {"/huizong.v1.Admin/WhoAmI", HZ_RPC_UNARY, &huizong__v1__who_am_i_request__descriptor,
     HZ_ROLES_ALL, hz_admin_who_am_i, NULL},
    {"/huizong.v1.Admin/ImportTargets", HZ_RPC_UNARY,
     &huizong__v1__import_targets_request__descriptor, ADMIN_ONLY, hz_admin_import_targets, NULL},
    {"/huizong.v1.Admin/ListTargets", HZ_RPC_UNARY,
     &huizong__v1__list_targets_request__descriptor, HZ_ROLES_ALL, hz_admin_list_targets, NULL},
};

int hz_admin_register(hz_app_t *app) {
  return hz_rpc_register(app, admin_defs, sizeof(admin_defs) / sizeof(admin_defs[0]));
}

void hz_admin_oom(hz_rpc_t *rpc) {
  hz_rpc_finish(rpc, HZ_STATUS_RESOURCE_EXHAUSTED, "call exceeds its memory limit");
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

/* INVALID_ARGUMENT if any problem is a malformed request, else NOT_FOUND
 * if any names something unknown, else FAILED_PRECONDITION (common.proto). */
static hz_status_code_t problems_status(const hz_admin_problems_t *ps) {
  int not_found = 0;
  for (size_t i = 0; i < ps->n; i++) {
    switch ((int)ps->items[i]->kind) {
    case HZ_PK_MALFORMED:
    case HZ_PK_MISSING:
    case HZ_PK_DUPLICATE:
    case HZ_PK_OUT_OF_BOUNDS:
    case HZ_PK_CYCLE:
      return HZ_STATUS_INVALID_ARGUMENT;
    case HZ_PK_UNKNOWN:
      not_found = 1;
      break;
    default:
      break;
    }
  }
  return not_found ? HZ_STATUS_NOT_FOUND : HZ_STATUS_FAILED_PRECONDITION;
}

static char *problem_text(hz_arena_t *a, const Huizong__V1__Problem *p) {
  if (p->line > 0)
    return hz_arena_printf(a, "line %d: %s", p->line, p->reason);
  if (p->index >= 0)
    return hz_arena_printf(a, "row %d: %s", p->index + 1, p->reason);
  return hz_arena_strdup(a, p->reason);
}

/* "3 problems: line 7: unknown parent 420699; line 9: ...; and 1 more". */
static char *problems_summary(hz_arena_t *a, const hz_admin_problems_t *ps) {
  char buf[SUMMARY_MAX + 64];
  int len = snprintf(buf, sizeof(buf), "%zu problem%s: ", ps->n, ps->n == 1 ? "" : "s");
  size_t shown = 0;
  for (; shown < ps->n; shown++) {
    const char *t = problem_text(a, ps->items[shown]);
    if (!t)
      return NULL;
    size_t tl = strlen(t);
    size_t need = tl + (shown ? 2 : 0);
    if ((size_t)len + need > SUMMARY_MAX) {
      if (shown == 0) {
        /* Even one problem is too long: cut it at a character boundary. */
        size_t room = SUMMARY_MAX - (size_t)len - 3;
        while (room > 0 && ((unsigned char)t[room] & 0xC0) == 0x80)
          room--;
        memcpy(buf + len, t, room);
        len += (int)room;
        memcpy(buf + len, "...", 4);
        len += 3;
        shown = 1;
      }
      break;
    }
    len += snprintf(buf + len, sizeof(buf) - (size_t)len, "%s%s", shown ? "; " : "", t);
  }
  if (shown < ps->n)
    snprintf(buf + len, sizeof(buf) - (size_t)len, "; and %zu more", ps->n - shown);
  return hz_arena_strdup(a, buf);
}

static size_t varint_size(size_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    n++;
  }
  return n;
}

/* The ProblemList trailer: as many problems as fit the budget, in order,
 * with total counting all of them. */
static int problems_trailer(hz_rpc_t *rpc, const hz_admin_problems_t *ps) {
  Huizong__V1__ProblemList list = HUIZONG__V1__PROBLEM_LIST__INIT;
  size_t used = 1 + varint_size(ps->n); /* the total field */
  size_t fit = 0;
  for (; fit < ps->n; fit++) {
    size_t sz = protobuf_c_message_get_packed_size(&ps->items[fit]->base);
    size_t field = 1 + varint_size(sz) + sz;
    if (used + field > PROBLEMS_TRAILER_MAX)
      break;
    used += field;
  }
  list.problems = ps->items;
  list.n_problems = fit;
  list.total = (int32_t)ps->n;
  size_t len = protobuf_c_message_get_packed_size(&list.base);
  uint8_t *buf = hz_arena_alloc(hz_rpc_arena(rpc), len ? len : 1);
  if (!buf)
    return -ENOMEM;
  protobuf_c_message_pack(&list.base, buf);
  return hz_call_add_trailer(rpc->call, PROBLEMS_TRAILER, buf, len);
}

static void refuse(hz_rpc_t *rpc, hz_admin_problems_t *ps) {
  hz_arena_t *a = hz_rpc_arena(rpc);
  if (problems_merge(a, ps)) {
    hz_admin_oom(rpc);
    return;
  }
  char *summary = problems_summary(a, ps);
  if (!summary || problems_trailer(rpc, ps)) {
    hz_admin_oom(rpc);
    return;
  }
  hz_rpc_finish(rpc, problems_status(ps), "%s", summary);
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
  if (!res->ok) {
    hz_rpc_fail_db(rpc, res);
    return;
  }
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

int hz_admin_page_size(hz_rpc_t *rpc, int32_t requested, int def, int cap) {
  if (requested < 0) {
    hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "page_size: must not be negative (0 = %d)",
                  def);
    return -1;
  }
  if (requested == 0)
    return def;
  return requested > cap ? cap : requested;
}

/* Length of the UTF-8 sequence at s (at most left bytes), 0 if invalid:
 * no overlong forms, no surrogates, nothing above U+10FFFF. */
static size_t utf8_char(const unsigned char *s, size_t left) {
  unsigned c = s[0];
  size_t n;
  unsigned min;
  if (c < 0x80)
    return 1;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
    min = 0x80;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    min = 0x800;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    min = 0x10000;
  } else {
    return 0;
  }
  if (left < n)
    return 0;
  unsigned cp = c & (0x3F >> (n - 1));
  for (size_t i = 1; i < n; i++) {
    if ((s[i] & 0xC0) != 0x80)
      return 0;
    cp = (cp << 6) | (s[i] & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return n;
}

const char *hz_admin_text_problem(const char *s, size_t max, int multiline) {
  size_t len = strlen(s);
  if (len > max)
    return "too long";
  const unsigned char *p = (const unsigned char *)s;
  for (size_t i = 0; i < len;) {
    if (p[i] < 0x20 || p[i] == 0x7F) {
      if (!(multiline && (p[i] == '\n' || p[i] == '\t' || p[i] == '\r')))
        return "contains a control character";
    }
    size_t n = utf8_char(p + i, len - i);
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
  buf[w++] = '"';
  while (i < len) {
    size_t n = p[i] < 0x80 ? 1 : utf8_char(p + i, len - i);
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
