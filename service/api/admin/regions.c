/* Admin regions: ImportRegions (one hz_import_regions call per request),
 * ListRegions (pre-order from the closure table, paged by region code) and
 * GetRegion (a region, its ancestors and its children in one job). */
#include <string.h>

#include "api/admin/admin.h"
#include "api/pgtext.h"
#include "domain/ident.h"

#define REGIONS_PAGE_DEFAULT 1000
#define REGIONS_PAGE_MAX 10000
#define LEVEL_MAX HUIZONG__V1__REGION_LEVEL__REGION_LEVEL_VILLAGE

/* The Region columns every query here selects, for region_from_row. */
#define REGION_COLS                                                                        \
  "r.code, r.name, r.level, coalesce(r.parent_code, ''), r.reporting,"                     \
  " (SELECT max(q.depth) FROM region_paths q WHERE q.descendant = r.code)::integer,"     \
  " (SELECT count(*) FROM regions c WHERE c.parent_code = r.code)::integer"

static Huizong__V1__Region *region_from_row(hz_rpc_t *rpc, const PGresult *r, int row) {
  Huizong__V1__Region *g = hz_arena_alloc(hz_rpc_arena(rpc), sizeof(*g));
  if (!g)
    return NULL;
  huizong__v1__region__init(g);
  g->code = (char *)hz_rpc_cell(rpc, r, row, 0);
  g->name = (char *)hz_rpc_cell(rpc, r, row, 1);
  g->level = (Huizong__V1__RegionLevel)hz_rpc_cell_int(r, row, 2);
  g->parent_code = (char *)hz_rpc_cell(rpc, r, row, 3);
  g->reporting = hz_rpc_cell_bool(r, row, 4);
  g->depth = hz_rpc_cell_int(r, row, 5);
  g->child_count = hz_rpc_cell_int(r, row, 6);
  return g->code && g->name && g->parent_code ? g : NULL;
}

/* Rows from..PQntuples(r) as a Region array; -1 when out of memory. */
static int regions_from_rows(hz_rpc_t *rpc, const PGresult *r, int limit,
                             Huizong__V1__Region ***out, size_t *n) {
  int rows = PQntuples(r);
  if (limit >= 0 && rows > limit)
    rows = limit;
  *n = 0;
  *out = NULL;
  if (rows == 0)
    return 0;
  Huizong__V1__Region **v = hz_arena_alloc(hz_rpc_arena(rpc), (size_t)rows * sizeof(*v));
  if (!v)
    return -1;
  for (int i = 0; i < rows; i++)
    if (!(v[i] = region_from_row(rpc, r, i)))
      return -1;
  *out = v;
  *n = (size_t)rows;
  return 0;
}

/* ---- ImportRegions ------------------------------------------------------ */

/* The server's own checks of one row; bad fields become NULL so the
 * database skips them. Returns -1 when the call was finished. */
static int check_region_row(hz_rpc_t *rpc, hz_admin_import_t *imp, int i,
                            const Huizong__V1__RegionRow *row, const char **code,
                            const char **name, int32_t *level, const char **parent) {
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
    hz_admin_oom(rpc);
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
      hz_admin_oom(rpc);
      return;
    }
  hz_db_stmt_t q = {
      .name = "hz_admin_import_regions",
      .sql = "SELECT * FROM hz_import_regions($1::integer[], $2::text[], $3::text[],"
             " $4::smallint[], $5::text[], $6::boolean, $7::bigint, $8::text)",
      .nparams = 8,
      .values = params,
  };
  hz_rpc_query(rpc, &q, 1, hz_admin_import_done, imp);
}

/* ---- ListRegions ----------------------------------------------------------- */

typedef struct list_regions_s {
  const char *root;  /* subtree root, NULL for the whole forest */
  int page_size;     /* rows per page */
} list_regions_t;

static void on_regions_listed(hz_rpc_t *rpc, const hz_db_result_t *res, void *tag) {
  list_regions_t *st = tag;
  if (hz_rpc_db_failed(rpc, res))
    return;
  if (st->root && hz_admin_check_root(rpc, res->results[0], "root_code", st->root))
    return;
  const PGresult *r = res->results[1];
  Huizong__V1__ListRegionsResponse out = HUIZONG__V1__LIST_REGIONS_RESPONSE__INIT;
  if (regions_from_rows(rpc, r, st->page_size, &out.regions, &out.n_regions)) {
    hz_admin_oom(rpc);
    return;
  }
  if (PQntuples(r) > st->page_size)
    out.next_page_token = out.regions[out.n_regions - 1]->code;
  hz_rpc_reply(rpc, &out.base);
}

void hz_admin_list_regions(hz_rpc_t *rpc, ProtobufCMessage *msg) {
  Huizong__V1__ListRegionsRequest *req = (Huizong__V1__ListRegionsRequest *)msg;
  if (req->root_code[0] && hz_region_code_validate(req->root_code)) {
    hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "root_code: malformed region code %s",
                  hz_admin_quote(rpc, req->root_code));
    return;
  }
  if (req->max_depth < 0) {
    hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "max_depth: must not be negative (0 = all)");
    return;
  }
  if ((int)req->level < 0 || (int)req->level > LEVEL_MAX) {
    hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "level: unknown level %d", (int)req->level);
    return;
  }
  if (req->page_token[0] && hz_region_code_validate(req->page_token)) {
    hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "page_token: malformed");
    return;
  }
  int page = hz_rpc_page_size(rpc, req->page_size, REGIONS_PAGE_DEFAULT, REGIONS_PAGE_MAX);
  if (page < 0)
    return;
  hz_arena_t *a = hz_rpc_arena(rpc);
  list_regions_t *st = hz_arena_zalloc(a, sizeof(*st));
  const char **check = hz_admin_params(rpc, 2);
  const char **params = hz_admin_params(rpc, 6);
  if (!st || !check || !params) {
    hz_admin_oom(rpc);
    return;
  }
  /* Without a root a scoped token lists its own subtree. */
  st->root = req->root_code[0] ? req->root_code : hz_rpc_scope_param(rpc);
  st->page_size = page;
  check[0] = st->root;
  check[1] = hz_rpc_scope_param(rpc);
  params[0] = st->root;
  params[1] = hz_pg_int(a, req->max_depth);
  params[2] = hz_pg_int(a, (int)req->level);
  params[3] = req->reporting_only ? "t" : "f";
  params[4] = req->page_token[0] ? req->page_token : NULL;
  params[5] = hz_pg_int(a, page + 1);
  if (!params[1] || !params[2] || !params[5]) {
    hz_admin_oom(rpc);
    return;
  }
  hz_db_stmt_t q[2] = {
      hz_admin_scope_stmt(check),
      {
          /* Sorting by the root-first path of codes is pre-order with
           * siblings by code; the page token is the last code shown. */
          .name = "hz_admin_list_regions",
          .sql = "SELECT r.code, r.name, r.level, coalesce(r.parent_code, ''), r.reporting,"
                 " a.depth, (SELECT count(*) FROM regions c WHERE c.parent_code = r.code)::integer"
                 " FROM regions r"
                 " CROSS JOIN LATERAL (SELECT array_agg(p.ancestor ORDER BY p.depth DESC) AS path,"
                 "   max(p.depth)::integer AS depth FROM region_paths p"
                 "   WHERE p.descendant = r.code) a"
                 " LEFT JOIN region_paths s ON s.ancestor = $1 AND s.descendant = r.code"
                 " WHERE ($1::text IS NULL OR s.descendant IS NOT NULL)"
                 "   AND ($2::integer = 0 OR coalesce(s.depth, a.depth) <= $2)"
                 "   AND ($3::integer = 0 OR r.level = $3)"
                 "   AND (NOT $4::boolean OR r.reporting)"
                 "   AND ($5::text IS NULL OR a.path > (SELECT array_agg(t.ancestor"
                 "     ORDER BY t.depth DESC) FROM region_paths t WHERE t.descendant = $5))"
                 " ORDER BY a.path LIMIT $6",
          .nparams = 6,
          .values = params,
      },
  };
  hz_rpc_query(rpc, q, 2, on_regions_listed, st);
}

/* ---- GetRegion --------------------------------------------------------------- */

static void on_region_got(hz_rpc_t *rpc, const hz_db_result_t *res, void *tag) {
  const char *code = tag;
  if (hz_rpc_db_failed(rpc, res))
    return;
  const PGresult *self = res->results[0];
  if (PQntuples(self) != 1) {
    hz_rpc_finish(rpc, HZ_STATUS_NOT_FOUND, "code: unknown region %s", code);
    return;
  }
  if (!hz_rpc_cell_bool(self, 0, 7)) {
    hz_rpc_finish(rpc, HZ_STATUS_PERMISSION_DENIED,
                  "code: region %s is outside this token's scope (%s)", code,
                  rpc->who.region ? rpc->who.region : "none");
    return;
  }
  Huizong__V1__GetRegionResponse out = HUIZONG__V1__GET_REGION_RESPONSE__INIT;
  out.region = region_from_row(rpc, self, 0);
  if (!out.region ||
      regions_from_rows(rpc, res->results[1], -1, &out.ancestors, &out.n_ancestors) ||
      regions_from_rows(rpc, res->results[2], -1, &out.children, &out.n_children)) {
    hz_admin_oom(rpc);
    return;
  }
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
  const char **self = hz_admin_params(rpc, 2);
  const char **one = hz_admin_params(rpc, 1);
  if (!self || !one) {
    hz_admin_oom(rpc);
    return;
  }
  self[0] = one[0] = req->code;
  self[1] = hz_rpc_scope_param(rpc);
  /* Ancestors are shown even above a scoped token's root: they only name
   * where its region sits. */
  hz_db_stmt_t q[3] = {
      {
          .name = "hz_admin_get_region",
          .sql = "SELECT " REGION_COLS ", $2::text IS NULL OR EXISTS (SELECT 1 FROM region_paths"
                 " s WHERE s.ancestor = $2 AND s.descendant = r.code)"
                 " FROM regions r WHERE r.code = $1",
          .nparams = 2,
          .values = self,
      },
      {
          .name = "hz_admin_region_ancestors",
          .sql = "SELECT " REGION_COLS " FROM region_paths p JOIN regions r ON r.code = p.ancestor"
                 " WHERE p.descendant = $1 AND p.depth > 0 ORDER BY p.depth DESC",
          .nparams = 1,
          .values = one,
      },
      {
          .name = "hz_admin_region_children",
          .sql = "SELECT " REGION_COLS " FROM regions r WHERE r.parent_code = $1 ORDER BY r.code",
          .nparams = 1,
          .values = one,
      },
  };
  hz_rpc_query(rpc, q, 3, on_region_got, req->code);
}
