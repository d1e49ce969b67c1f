/* ExportValues (server streaming): the raw stored values of a subtree over
 * a period range, in key order, EXPORT_PAGE_ROWS per database round trip
 * and EXPORT_BATCH per message. A page whose messages met backpressure
 * waits for the client to read (agg_export_drained) before the next. */
#include <errno.h>
#include <string.h>

#include "api/aggregation/aggregation.h"

#define EXPORT_PAGE_ROWS 5000 /* the LIMIT of EXPORT_PAGE; a shorter page is the last */
#define EXPORT_BATCH     1000 /* records per stream message */

/* EXPORT_PAGE's parameters by name. */
enum {
  P_REGION,
  P_FROM,
  P_TO,
  P_INDICATORS,
  P_AFTER_REGION,
  P_AFTER_INDICATOR,
  P_AFTER_PERIOD,
  P_PAGE_N
};

typedef struct export_s {
  const char **params; /* EXPORT_PAGE's; the P_AFTER_* move on per page */
  const char **known;  /* EXPORT_KNOWN's: the requested codes */
  char **codes;        /* indicator filter as requested (the request's) */
  size_t ncodes;       /* 0: every indicator */
  int checked;         /* scope and codes verified by the first page */
  int waiting_drain;   /* paused for the client to read */
} export_t;

/* Where EXPORT_PAGE's columns are, found once per page. */
typedef struct page_cols_s {
  int region, indicator, period, value, comment, submission, updated_at;
} page_cols_t;

static void export_next(hz_rpc_t *rpc);

/* Sends rows [from, to) as one message: 0, 1 (sent, but the client is
 * behind: backpressure) or a negative errno. */
static int send_batch(hz_rpc_t *rpc, const PGresult *r, const page_cols_t *c, int from, int to) {
  hz_arena_t *a = hz_rpc_arena(rpc);
  Huizong__V1__ExportValuesResponse out = HUIZONG__V1__EXPORT_VALUES_RESPONSE__INIT;
  /* Records point into the PGresult: the message is packed before return. */
  Huizong__V1__ValueRecord *recs = hz_arena_alloc(a, (size_t)(to - from) * sizeof(*recs));
  Huizong__V1__ValueRecord **ptrs = hz_arena_alloc(a, (size_t)(to - from) * sizeof(*ptrs));
  if (!recs || !ptrs)
    return -ENOMEM;
  for (int i = from; i < to; i++) {
    Huizong__V1__ValueRecord *v = &recs[i - from];
    huizong__v1__value_record__init(v);
    v->region_code = PQgetvalue(r, i, c->region);
    v->indicator_code = PQgetvalue(r, i, c->indicator);
    v->period = PQgetvalue(r, i, c->period);
    v->value = PQgetvalue(r, i, c->value);
    v->comment = PQgetvalue(r, i, c->comment);
    v->submission_id = PQgetvalue(r, i, c->submission);
    v->updated_at = PQgetvalue(r, i, c->updated_at);
    ptrs[i - from] = v;
  }
  out.records = ptrs;
  out.n_records = (size_t)(to - from);
  return hz_call_send(rpc->call, &out.base);
}

/* The first page's checks: region in scope, every requested code known.
 * -1 after refusing. */
static int export_check(hz_rpc_t *rpc, export_t *ex, const PGresult *region,
                        const PGresult *known) {
  if (!agg_region_checked(rpc, region, ex->params[P_REGION], NULL))
    return -1;
  int c_code = hz_db_col(known, "code");
  for (size_t i = 0; i < ex->ncodes; i++) {
    int found = 0;
    for (int k = 0; k < PQntuples(known) && !found; k++)
      found = strcmp(PQgetvalue(known, k, c_code), ex->codes[i]) == 0;
    if (!found) {
      hz_rpc_finish(rpc, HZ_STATUS_NOT_FOUND, "unknown indicator %s", ex->codes[i]);
      return -1;
    }
  }
  ex->checked = 1;
  return 0;
}

/* Sends a page in batches: 0, 1 (backpressure) or -1 after finishing. */
static int send_page(hz_rpc_t *rpc, const PGresult *r, const page_cols_t *c) {
  int rows = PQntuples(r), backpressure = 0;
  for (int i = 0; i < rows; i += EXPORT_BATCH) {
    int sent = send_batch(rpc, r, c, i, i + EXPORT_BATCH < rows ? i + EXPORT_BATCH : rows);
    if (sent < 0) {
      hz_rpc_finish(rpc, sent == -ENOMEM ? HZ_STATUS_RESOURCE_EXHAUSTED : HZ_STATUS_CANCELLED,
                    NULL);
      return -1;
    }
    backpressure |= sent == 1;
  }
  return backpressure;
}

static void on_export_page(hz_rpc_t *rpc, const hz_db_result_t *res, void *tag) {
  export_t *ex = tag;
  if (hz_rpc_db_failed(rpc, res))
    return;
  int idx = 0;
  if (!ex->checked) {
    if (export_check(rpc, ex, res->results[0], res->results[1]))
      return;
    idx = 2;
  }
  const PGresult *r = res->results[idx];
  const page_cols_t c = {
      .region = hz_db_col(r, "region_code"),
      .indicator = hz_db_col(r, "indicator_code"),
      .period = hz_db_col(r, "period"),
      .value = hz_db_col(r, "value"),
      .comment = hz_db_col(r, "comment"),
      .submission = hz_db_col(r, "submission_id"),
      .updated_at = hz_db_col(r, "updated_at"),
  };
  int rows = PQntuples(r), backpressure = send_page(rpc, r, &c);
  if (backpressure < 0)
    return;
  if (rows < EXPORT_PAGE_ROWS) {
    hz_rpc_finish(rpc, HZ_STATUS_OK, NULL);
    return;
  }
  /* The next page starts after this page's last key. */
  hz_arena_t *a = hz_rpc_arena(rpc);
  ex->params[P_AFTER_REGION] = hz_arena_strdup(a, PQgetvalue(r, rows - 1, c.region));
  ex->params[P_AFTER_INDICATOR] = hz_arena_strdup(a, PQgetvalue(r, rows - 1, c.indicator));
  ex->params[P_AFTER_PERIOD] = hz_arena_strdup(a, PQgetvalue(r, rows - 1, c.period));
  if (backpressure)
    ex->waiting_drain = 1; /* agg_export_drained resumes */
  else
    export_next(rpc);
}

/* The next page; the first also checks region and codes in the same job. */
static void export_next(hz_rpc_t *rpc) {
  export_t *ex = rpc->state;
  hz_db_stmt_t q[3];
  int n = 0;
  const char **region = hz_arena_alloc(hz_rpc_arena(rpc), 2 * sizeof(char *));
  if (!region)
    return (void)hz_rpc_oom(rpc);
  if (!ex->checked) {
    q[n++] = agg_region_stmt(rpc, region, ex->params[P_REGION]);
    q[n++] = (hz_db_stmt_t){.id = HZ_STMT_EXPORT_KNOWN, .values = ex->known};
  }
  q[n++] = (hz_db_stmt_t){.id = HZ_STMT_EXPORT_PAGE, .values = ex->params};
  hz_rpc_read_query(rpc, q, n, on_export_page, ex);
}

void agg_export_drained(hz_rpc_t *rpc) {
  export_t *ex = rpc->state;
  if (ex && ex->waiting_drain) {
    ex->waiting_drain = 0;
    export_next(rpc);
  }
}

void agg_export_values(hz_rpc_t *rpc, ProtobufCMessage *msg) {
  const Huizong__V1__ExportValuesRequest *req = (const Huizong__V1__ExportValuesRequest *)msg;
  hz_arena_t *a = hz_rpc_arena(rpc);
  export_t *ex = hz_arena_zalloc(a, sizeof(*ex));
  const char **params = hz_arena_zalloc(a, P_PAGE_N * sizeof(char *));
  const char **known = hz_arena_zalloc(a, sizeof(char *));
  hz_period_t from, to;
  if (!ex || !params || !known)
    return (void)hz_rpc_oom(rpc);
  const char *region = agg_target_region(rpc, req->region_code);
  if (!region || agg_parse_period(rpc, "from_period", req->from_period, &from) ||
      agg_parse_period(rpc, "to_period", req->to_period, &to))
    return;
  if (hz_period_start_date(&from) >= hz_period_end_date(&to)) {
    hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "from_period %s is after to_period %s",
                  req->from_period, req->to_period);
    return;
  }
  int bad;
  params[P_INDICATORS] = agg_codes_param(rpc, req->indicator_codes, req->n_indicator_codes, &bad);
  if (bad)
    return;
  known[0] = params[P_INDICATORS];
  ex->codes = req->indicator_codes;
  ex->ncodes = req->n_indicator_codes;
  params[P_REGION] = region;
  params[P_FROM] = agg_date_text(a, hz_period_start_date(&from));
  params[P_TO] = agg_date_text(a, hz_period_end_date(&to));
  ex->params = params;
  ex->known = known;
  rpc->state = ex;
  export_next(rpc);
}
