/* What the aggregation RPCs share: the region statement every job starts
 * with, request checks, parameter text and the indicator catalog. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "api/aggregation/aggregation.h"
#include "api/pgtext.h"
#include "domain/ident.h"

hz_db_stmt_t agg_region_stmt(hz_rpc_t *rpc, const char **params, const char *region) {
  params[0] = region;
  params[1] = hz_rpc_scope_param(rpc);
  return (hz_db_stmt_t){.id = HZ_STMT_AGG_REGION, .values = params};
}

agg_region_cols_t agg_region_cols(const PGresult *r) {
  return (agg_region_cols_t){
      .code = hz_db_col(r, "code"),
      .name = hz_db_col(r, "name"),
      .level = hz_db_col(r, "level"),
  };
}

Huizong__V1__RegionRef *agg_region_ref(hz_rpc_t *rpc, const PGresult *r, int row,
                                       const agg_region_cols_t *cols) {
  Huizong__V1__RegionRef *ref = hz_arena_alloc(hz_rpc_arena(rpc), sizeof(*ref));
  if (!ref)
    return NULL;
  huizong__v1__region_ref__init(ref);
  ref->code = (char *)hz_rpc_cell(rpc, r, row, cols->code);
  ref->name = (char *)hz_rpc_cell(rpc, r, row, cols->name);
  ref->level = hz_rpc_cell_int(r, row, cols->level);
  return ref;
}

Huizong__V1__RegionRef *agg_region_checked(hz_rpc_t *rpc, const PGresult *r, const char *code,
                                           int *reporting) {
  if (PQntuples(r) != 1) {
    hz_rpc_finish(rpc, HZ_STATUS_NOT_FOUND, "unknown region %s", code);
    return NULL;
  }
  if (!hz_rpc_cell_bool(r, 0, hz_db_col(r, "in_scope"))) {
    hz_rpc_finish(rpc, HZ_STATUS_PERMISSION_DENIED, "region %s is outside this token's scope",
                  code);
    return NULL;
  }
  agg_region_cols_t cols = agg_region_cols(r);
  Huizong__V1__RegionRef *ref = agg_region_ref(rpc, r, 0, &cols);
  if (!ref) {
    hz_rpc_oom(rpc);
    return NULL;
  }
  if (reporting)
    *reporting = hz_rpc_cell_bool(r, 0, hz_db_col(r, "reporting"));
  return ref;
}

const char *agg_target_region(hz_rpc_t *rpc, const char *requested) {
  if (requested[0]) {
    if (hz_region_code_validate(requested)) {
      hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "region_code '%s' is malformed", requested);
      return NULL;
    }
    return requested;
  }
  if (rpc->who.region)
    return rpc->who.region;
  hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "region_code is required");
  return NULL;
}

int agg_parse_period(hz_rpc_t *rpc, const char *field, const char *s, hz_period_t *p) {
  if (hz_period_parse(s, p) == 0)
    return 0;
  hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "%s '%s' is not one of %s", field, s,
                hz_period_accepted_forms());
  return -1;
}

char *agg_date_text(hz_arena_t *a, int ymd) {
  return hz_arena_printf(a, "%04d-%02d-%02d", ymd / 10000, ymd / 100 % 100, ymd % 100);
}

char *agg_period_text(hz_arena_t *a, const hz_period_t *p) {
  char buf[HZ_PERIOD_TEXT_SIZE];
  hz_period_format(p, buf);
  return hz_arena_strdup(a, buf);
}

const char *agg_codes_param(hz_rpc_t *rpc, char **codes, size_t n, int *bad) {
  *bad = 0;
  if (n == 0)
    return NULL;
  for (size_t i = 0; i < n; i++)
    if (hz_indicator_code_validate(codes[i])) {
      hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "indicator code '%s' is malformed", codes[i]);
      *bad = 1;
      return NULL;
    }
  return hz_pg_text_array(hz_rpc_arena(rpc), (const char *const *)codes, n);
}

char *agg_int_array(hz_arena_t *a, const int *v, size_t n) {
  char *out = hz_arena_alloc(a, 3 + n * 12);
  if (!out)
    return NULL;
  size_t w = 0;
  out[w++] = '{';
  for (size_t i = 0; i < n; i++)
    w += (size_t)sprintf(out + w, i ? ",%d" : "%d", v[i]);
  out[w++] = '}';
  out[w] = '\0';
  return out;
}

Huizong__V1__Decimal *agg_decimal(hz_rpc_t *rpc, const char *v) {
  if (!v)
    return NULL;
  Huizong__V1__Decimal *d = hz_arena_alloc(hz_rpc_arena(rpc), sizeof(*d));
  if (!d)
    return NULL;
  huizong__v1__decimal__init(d);
  d->value = (char *)v;
  return d;
}

agg_unit_query_t *agg_unit_query_start(hz_rpc_t *rpc, const char *region, const char *period) {
  hz_arena_t *a = hz_rpc_arena(rpc);
  agg_unit_query_t *uq = hz_arena_zalloc(a, sizeof(*uq));
  if (uq) {
    uq->region_params = hz_arena_alloc(a, 2 * sizeof(char *));
    uq->params = hz_arena_alloc(a, 2 * sizeof(char *));
  }
  if (!uq || !uq->region_params || !uq->params)
    return hz_rpc_oom(rpc), NULL;
  if (!(uq->region = agg_target_region(rpc, region)) ||
      agg_parse_period(rpc, "period", period, &uq->p))
    return NULL;
  if (!(uq->period = agg_period_text(a, &uq->p)))
    return hz_rpc_oom(rpc), NULL;
  uq->params[0] = uq->region;
  uq->params[1] = uq->period;
  return uq;
}

hz_db_stmt_t agg_deadline_stmt(hz_rpc_t *rpc, agg_unit_query_t *uq) {
  hz_arena_t *a = hz_rpc_arena(rpc);
  const char **params = hz_arena_alloc(a, 4 * sizeof(char *));
  if (params) {
    params[0] = hz_pg_int(a, uq->p.type);
    params[1] = agg_date_text(a, hz_period_start_date(&uq->p));
    params[2] = uq->region;
    params[3] = uq->period;
  }
  uq->deadline_params = params;
  return (hz_db_stmt_t){.id = HZ_STMT_AGG_DEADLINE, .values = params};
}

/* Where AGG_CATALOG's columns are, found once per result. */
typedef struct catalog_cols_s {
  int code, name, unit, period_type, change_basis, numerator, denominator, factor, scale;
} catalog_cols_t;

/* The row of codes[k] (named codes) or row k (all); -1 after NOT_FOUND. */
static int catalog_row(hz_rpc_t *rpc, const PGresult *r, int code_col, char **codes, size_t ncodes,
                       size_t k) {
  if (!ncodes)
    return (int)k;
  for (int i = 0; i < PQntuples(r); i++)
    if (strcmp(PQgetvalue(r, i, code_col), codes[k]) == 0)
      return i;
  hz_rpc_finish(rpc, HZ_STATUS_NOT_FOUND, "unknown indicator %s", codes[k]);
  return -1;
}

static int catalog_item(hz_rpc_t *rpc, const PGresult *r, int row, const catalog_cols_t *cols,
                        agg_ind_t *ind) {
  ind->ref = hz_arena_alloc(hz_rpc_arena(rpc), sizeof(*ind->ref));
  if (!ind->ref)
    return -ENOMEM;
  huizong__v1__indicator_ref__init(ind->ref);
  ind->ref->code = (char *)hz_rpc_cell(rpc, r, row, cols->code);
  ind->ref->name = (char *)hz_rpc_cell(rpc, r, row, cols->name);
  ind->ref->unit = (char *)hz_rpc_cell(rpc, r, row, cols->unit);
  ind->ref->period_type = hz_rpc_cell_int(r, row, cols->period_type);
  ind->ref->change_basis = hz_rpc_cell_int(r, row, cols->change_basis);
  if (!hz_rpc_cell_null(r, row, cols->numerator)) {
    ind->numerator = hz_rpc_cell(rpc, r, row, cols->numerator);
    ind->denominator = hz_rpc_cell(rpc, r, row, cols->denominator);
    ind->factor = hz_rpc_cell(rpc, r, row, cols->factor);
    ind->scale = hz_rpc_cell_int(r, row, cols->scale);
  }
  return 0;
}

int agg_catalog_load(hz_rpc_t *rpc, const PGresult *r, char **codes, size_t ncodes,
                     hz_period_type_t type, agg_catalog_t *c) {
  hz_arena_t *a = hz_rpc_arena(rpc);
  int rows = PQntuples(r);
  const catalog_cols_t cols = {
      .code = hz_db_col(r, "code"),
      .name = hz_db_col(r, "name"),
      .unit = hz_db_col(r, "unit"),
      .period_type = hz_db_col(r, "period_type"),
      .change_basis = hz_db_col(r, "change_basis"),
      .numerator = hz_db_col(r, "ratio_numerator"),
      .denominator = hz_db_col(r, "ratio_denominator"),
      .factor = hz_db_col(r, "ratio_factor"),
      .scale = hz_db_col(r, "ratio_scale"),
  };
  c->items = hz_arena_zalloc(a, (size_t)(rows + 1) * sizeof(agg_ind_t));
  c->skipped = hz_arena_zalloc(a, (size_t)(rows + 1) * sizeof(char *));
  if (!c->items || !c->skipped)
    return hz_rpc_oom(rpc), -1;
  size_t want = ncodes ? ncodes : (size_t)rows;
  for (size_t k = 0; k < want; k++) {
    int row = catalog_row(rpc, r, cols.code, codes, ncodes, k);
    if (row < 0)
      return -1;
    int freq = hz_rpc_cell_int(r, row, cols.period_type);
    if (freq < (int)type) {
      if (ncodes) {
        hz_rpc_finish(rpc, HZ_STATUS_FAILED_PRECONDITION,
                      "indicator %s is reported by %s; a %s period is finer than that",
                      PQgetvalue(r, row, cols.code), hz_period_type_name(freq),
                      hz_period_type_name(type));
        return -1;
      }
      c->skipped[c->nskipped++] = (char *)hz_rpc_cell(rpc, r, row, cols.code);
      continue;
    }
    if (catalog_item(rpc, r, row, &cols, &c->items[c->n++]))
      return hz_rpc_oom(rpc), -1;
  }
  return 0;
}
