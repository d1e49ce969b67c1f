/* Admin regions: ImportRegions (one hz_import_regions call per request),
 * ListRegions (pre-order from the closure table, paged by region code) and
 * GetRegion (the scope check, the region, its ancestors and its children
 * in one job). */
#include <string.h>

#include "api/admin/admin.h"
#include "api/pgtext.h"
#include "domain/ident.h"

#define REGIONS_PAGE_DEFAULT 1000
#define REGIONS_PAGE_MAX     10000
#define LEVEL_MAX            HUIZONG__V1__REGION_LEVEL__REGION_LEVEL_VILLAGE

/* Where each Region column is in a result (db/sql/admin.def: every region
 * statement selects the same names). */
typedef struct region_cols_s {
  int code, name, level, parent_code, reporting; /* the row; -1 when absent */
  int depth, child_count; /* computed: distance from the tree's root, children */
} region_cols_t;

static region_cols_t region_cols(const PGresult *r) {
  return (region_cols_t){
      .code = hz_db_col(r, "code"),
      .name = hz_db_col(r, "name"),
      .level = hz_db_col(r, "level"),
      .parent_code = hz_db_col(r, "parent_code"),
      .reporting = hz_db_col(r, "reporting"),
      .depth = hz_db_col(r, "depth"),
      .child_count = hz_db_col(r, "child_count"),
  };
}

static Huizong__V1__Region *region_from_row(hz_rpc_t *rpc, const PGresult *r,
                                            const region_cols_t *c, int row) {
  Huizong__V1__Region *g = hz_arena_alloc(hz_rpc_arena(rpc), sizeof(*g));
  if (!g)
    return NULL;
  huizong__v1__region__init(g);
  g->code = (char *)hz_rpc_cell(rpc, r, row, c->code);
  g->name = (char *)hz_rpc_cell(rpc, r, row, c->name);
  g->level = (Huizong__V1__RegionLevel)hz_rpc_cell_int(r, row, c->level);
  g->parent_code = (char *)hz_rpc_cell(rpc, r, row, c->parent_code);
  g->reporting = hz_rpc_cell_bool(r, row, c->reporting);
  g->depth = hz_rpc_cell_int(r, row, c->depth);
  g->child_count = hz_rpc_cell_int(r, row, c->child_count);
  return g->code && g->name && g->parent_code ? g : NULL;
}

/* The first limit rows of r (all when limit < 0) as a Region array; -1
 * when out of memory. */
static int regions_from_rows(hz_rpc_t *rpc, const PGresult *r, int limit,
                             Huizong__V1__Region ***out, size_t *n) {
  int rows = PQntuples(r);
  if (limit >= 0 && rows > limit)
    rows = limit;
  *n = 0;
  *out = NULL;
  if (rows == 0)
    return 0;
  region_cols_t c = region_cols(r);
  Huizong__V1__Region **v = hz_arena_alloc(hz_rpc_arena(rpc), (size_t)rows * sizeof(*v));
  if (!v)
    return -1;
  for (int i = 0; i < rows; i++)
    if (!(v[i] = region_from_row(rpc, r, &c, i)))
      return -1;
  *out = v;
  *n = (size_t)rows;
  return 0;
}

/* ---- ImportRegions ------------------------------------------------------ */

/* The server's own checks of one row; bad fields become NULL so the
 * database skips them. Returns -1 when the call was finished. */
static int check_region_row(hz_rpc_t *rpc, hz_admin_import_t *imp, int i,
                            const Huizong__V1__RegionRow *row, const char **code, const char **name,
                            int32_t *level, const char **parent) {
  const char *why;
  *code = *name = *parent = NULL;
  *level = HZ_ADMIN_NULL_INT;
  if (!row->code[0]) {
    if (hz_admin_problem(rpc, imp, i, HZ_PK_MISSING, "code", "region code is missing"))
      return -1;
  } else if (hz_region_code_validate(row->code)) {
    if (hz_admin_problem(rpc, imp, i, HZ_PK_MALFORMED, "code",
                         "malformed region code %s: expected 2 to 12 digits",
                         hz_admin_quote(rpc, row->code)))
      return -1;
  } else {
    *code = row->code;
  }
  if (!row->name[0]) {
    if (hz_admin_problem(rpc, imp, i, HZ_PK_MISSING, "name", "name is missing"))
      return -1;
  } else if ((why = hz_admin_text_problem(row->name, HZ_ADMIN_MAX_NAME, 0))) {
    if (hz_admin_problem(rpc, imp, i, HZ_PK_MALFORMED, "name", "name %s", why))
      return -1;
  } else {
    *name = row->name;
  }
  if (row->level == HUIZONG__V1__REGION_LEVEL__REGION_LEVEL_UNSPECIFIED) {
    if (hz_admin_problem(rpc, imp, i, HZ_PK_MISSING, "level",
                         "level is missing (1 province, 2 city, 3 county, 4 township, 5 village)"))
      return -1;
  } else if ((int)row->level < 0 || (int)row->level > LEVEL_MAX) {
    if (hz_admin_problem(rpc, imp, i, HZ_PK_MALFORMED, "level",
                         "unknown level %d (1 province, 2 city, 3 county, 4 township, 5 village)",
                         (int)row->level))
      return -1;
  } else {
    *level = (int32_t)row->level;
  }
  if (!row->parent_code[0]) {
    *parent = "";
  } else if (hz_region_code_validate(row->parent_code)) {
    if (hz_admin_problem(rpc, imp, i, HZ_PK_MALFORMED, "parent_code",
                         "malformed parent code %s: expected 2 to 12 digits",
                         hz_admin_quote(rpc, row->parent_code)))
      return -1;
  } else {
    *parent = row->parent_code;
  }
  return 0;
}

void hz_admin_import_regions(hz_rpc_t *rpc, ProtobufCMessage *msg) {
  Huizong__V1__ImportRegionsRequest *req = (Huizong__V1__ImportRegionsRequest *)msg;
  size_t n = req->n_rows;
  hz_admin_import_t *imp = hz_admin_import_new(rpc, n, req->dry_run, 0);
  if (!imp)
    return;
  hz_arena_t *a = hz_rpc_arena(rpc);
  const char **codes = hz_arena_alloc(a, n * sizeof(char *));
  const char **names = hz_arena_alloc(a, n * sizeof(char *));
  const char **parents = hz_arena_alloc(a, n * sizeof(char *));
  int32_t *levels = hz_arena_alloc(a, n * sizeof(int32_t));
  const char **params = hz_admin_params(rpc, 8);
  if (!codes || !names || !parents || !levels || !params) {
    hz_rpc_oom(rpc);
    return;
  }
  for (size_t i = 0; i < n; i++) {
    const Huizong__V1__RegionRow *row = req->rows[i];
    imp->rows.lines[i] = row->line;
    imp->rows.keys[i] = row->code;
    if (check_region_row(rpc, imp, (int)i, row, &codes[i], &names[i], &levels[i], &parents[i]))
      return;
  }
  params[0] = hz_admin_int_array(a, imp->rows.lines, n);
  params[1] = hz_admin_text_array(rpc, codes, n);
  params[2] = hz_admin_text_array(rpc, names, n);
  params[3] = hz_admin_int_array(a, levels, n);
  params[4] = hz_admin_text_array(rpc, parents, n);
  params[5] = hz_admin_validate_only(imp);
  params[6] = hz_admin_actor_id(rpc);
  params[7] = rpc->who.name;
  for (int i = 0; i < 8; i++)
    if (!params[i]) {
      hz_rpc_oom(rpc);
      return;
    }
  hz_db_stmt_t q = {.id = HZ_STMT_ADMIN_IMPORT_REGIONS, .values = params};
  hz_rpc_query(rpc, &q, 1, hz_admin_import_done, imp);
}

/* ---- ListRegions ----------------------------------------------------------- */

typedef struct list_regions_s {
  const char *root; /* subtree root, NULL for the whole forest (admin) */
  int page_size;    /* rows shown; the job asks for one more */
} list_regions_t;

static void on_regions_listed(hz_rpc_t *rpc, const hz_db_result_t *res, void *tag) {
  list_regions_t *st = tag;
  if (hz_rpc_db_failed(rpc, res))
    return;
  if (st->root && hz_rpc_scope_verdict(rpc, res->results[0], "root_code", st->root))
    return;
  const PGresult *r = res->results[res->nresults - 1];
  Huizong__V1__ListRegionsResponse out = HUIZONG__V1__LIST_REGIONS_RESPONSE__INIT;
  if (regions_from_rows(rpc, r, st->page_size, &out.regions, &out.n_regions)) {
    hz_rpc_oom(rpc);
    return;
  }
  if (PQntuples(r) > st->page_size &&
      !(out.next_page_token = hz_admin_page_token(rpc, out.regions[out.n_regions - 1]->code)))
    return;
  hz_rpc_reply(rpc, &out.base);
}

/* Filter checks; -1 after finishing the call. */
static int check_list_regions(hz_rpc_t *rpc, const Huizong__V1__ListRegionsRequest *req) {
  if (req->root_code[0] && hz_region_code_validate(req->root_code)) {
    hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "root_code: malformed region code %s",
                  hz_admin_quote(rpc, req->root_code));
    return -1;
  }
  if (req->max_depth < 0) {
    hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "max_depth: must not be negative (0 = all)");
    return -1;
  }
  if ((int)req->level < 0 || (int)req->level > LEVEL_MAX) {
    hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "level: unknown level %d", (int)req->level);
    return -1;
  }
  return 0;
}

void hz_admin_list_regions(hz_rpc_t *rpc, ProtobufCMessage *msg) {
  Huizong__V1__ListRegionsRequest *req = (Huizong__V1__ListRegionsRequest *)msg;
  const char *after;
  if (check_list_regions(rpc, req) ||
      hz_admin_page_after(rpc, req->page_token, hz_region_code_validate, &after))
    return;
  int page = hz_rpc_page_size(rpc, req->page_size, REGIONS_PAGE_DEFAULT, REGIONS_PAGE_MAX);
  if (page < 0)
    return;
  hz_arena_t *a = hz_rpc_arena(rpc);
  list_regions_t *st = hz_arena_zalloc(a, sizeof(*st));
  const char **check = hz_admin_params(rpc, 2);
  const char **params = hz_admin_params(rpc, 6);
  if (!st || !check || !params) {
    hz_rpc_oom(rpc);
    return;
  }
  /* Without a root a scoped token lists its own subtree. */
  st->root = req->root_code[0] ? req->root_code : hz_rpc_scope_param(rpc);
  st->page_size = page;
  params[0] = st->root;
  params[1] = hz_pg_int(a, req->max_depth);
  params[2] = hz_pg_int(a, (int)req->level);
  params[3] = req->reporting_only ? "t" : "f";
  params[4] = after;
  params[5] = hz_pg_int(a, page + 1);
  if (!params[1] || !params[2] || !params[5]) {
    hz_rpc_oom(rpc);
    return;
  }
  hz_db_stmt_t q[2];
  int n = 0;
  if (st->root)
    q[n++] = hz_rpc_scope_stmt(rpc, check, st->root);
  q[n++] = (hz_db_stmt_t){.id = HZ_STMT_ADMIN_LIST_REGIONS, .values = params};
  hz_rpc_query(rpc, q, n, on_regions_listed, st);
}

/* ---- GetRegion --------------------------------------------------------------- */

static void on_region_got(hz_rpc_t *rpc, const hz_db_result_t *res, void *tag) {
  const char *code = tag;
  if (hz_rpc_db_failed(rpc, res) || hz_rpc_scope_verdict(rpc, res->results[0], "code", code))
    return;
  Huizong__V1__GetRegionResponse out = HUIZONG__V1__GET_REGION_RESPONSE__INIT;
  Huizong__V1__Region **self;
  size_t nself;
  if (regions_from_rows(rpc, res->results[1], 1, &self, &nself) ||
      regions_from_rows(rpc, res->results[2], -1, &out.ancestors, &out.n_ancestors) ||
      regions_from_rows(rpc, res->results[3], -1, &out.children, &out.n_children)) {
    hz_rpc_oom(rpc);
    return;
  }
  /* Deleted after the scope check: a later statement may read a newer
   * snapshot than the first. */
  if (nself != 1) {
    hz_rpc_finish(rpc, HZ_STATUS_NOT_FOUND, "code: unknown region %s", code);
    return;
  }
  out.region = self[0];
  hz_rpc_reply(rpc, &out.base);
}

void hz_admin_get_region(hz_rpc_t *rpc, ProtobufCMessage *msg) {
  Huizong__V1__GetRegionRequest *req = (Huizong__V1__GetRegionRequest *)msg;
  if (!req->code[0]) {
    hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "code: region code is missing");
    return;
  }
  if (hz_region_code_validate(req->code)) {
    hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "code: malformed region code %s",
                  hz_admin_quote(rpc, req->code));
    return;
  }
  const char **check = hz_admin_params(rpc, 2);
  const char **one = hz_admin_params(rpc, 1);
  if (!check || !one) {
    hz_rpc_oom(rpc);
    return;
  }
  one[0] = req->code;
  hz_db_stmt_t q[4] = {
      hz_rpc_scope_stmt(rpc, check, req->code),
      {.id = HZ_STMT_ADMIN_GET_REGION, .values = one},
      {.id = HZ_STMT_ADMIN_REGION_ANCESTORS, .values = one},
      {.id = HZ_STMT_ADMIN_REGION_CHILDREN, .values = one},
  };
  hz_rpc_query(rpc, q, 4, on_region_got, req->code);
}
