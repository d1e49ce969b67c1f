/* Completeness: who under a region has reported a period (报送), who was
 * approved, and the reporting and on-time rates (报送率, 及时率) of the
 * reports counted, at any period at or above the report type: a year of
 * monthly reports is 12 expected reports per township (those started so
 * far). The database counts townships x sub-periods in one statement
 * (AGG_COMPLETENESS, migration 013); this file adds the counts up per
 * region and per group and writes the rates (domain/rates.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api/aggregation/aggregation.h"
#include "api/pgtext.h"
#include "domain/approval.h"
#include "domain/group_by.h"
#include "domain/rates.h"

/* The statements, in the order of their results; Q_GROUPS only when the
 * request groups. */
enum { Q_REGION, Q_HEAD, Q_UNITS, Q_GROUPS, Q_N };

/* One call's request, checked. */
typedef struct comp_s {
  const Huizong__V1__CompletenessRequest *req;
  const char *region;  /* the request's, or the caller's own */
  hz_period_t p;       /* the period asked for */
  char *period;        /* its canonical code */
  hz_group_by_t group; /* NONE, CHILDREN or LEVEL */
} comp_t;

/* A group's row of the answer while townships are counted into it. */
typedef struct comp_group_s {
  const char *code;                  /* region code, the search key */
  Huizong__V1__CompletenessGroup *g; /* the wire row */
  hz_rates_t rates;                  /* its townships' counts, summed */
} comp_group_t;

/* Where AGG_COMPLETENESS' columns are, found once per result. */
typedef struct unit_cols_s {
  agg_region_cols_t region;
  int grp, state, submitted_at, submission_id, submitted_by, value_count, approved_by, approved_at,
      exception_open, expected, reported, on_time, late, reported_periods, late_periods,
      missing_periods;
} unit_cols_t;

static unit_cols_t unit_cols(const PGresult *r) {
  return (unit_cols_t){
      .region = agg_region_cols(r),
      .grp = hz_db_col(r, "grp"),
      .state = hz_db_col(r, "state"),
      .submitted_at = hz_db_col(r, "last_submitted_at"),
      .submission_id = hz_db_col(r, "last_submission_id"),
      .submitted_by = hz_db_col(r, "submitted_by"),
      .value_count = hz_db_col(r, "value_count"),
      .approved_by = hz_db_col(r, "approved_by"),
      .approved_at = hz_db_col(r, "approved_at"),
      .exception_open = hz_db_col(r, "exception_open"),
      .expected = hz_db_col(r, "expected"),
      .reported = hz_db_col(r, "reported"),
      .on_time = hz_db_col(r, "on_time"),
      .late = hz_db_col(r, "late"),
      .reported_periods = hz_db_col(r, "reported_periods"),
      .late_periods = hz_db_col(r, "late_periods"),
      .missing_periods = hz_db_col(r, "missing_periods"),
  };
}

/* The wire rates of r; NULL after finishing the call (no memory, or counts
 * that cannot be: a defect, INTERNAL). */
static Huizong__V1__ReportingRates *rates_msg(hz_rpc_t *rpc, const hz_rates_t *r) {
  hz_arena_t *a = hz_rpc_arena(rpc);
  Huizong__V1__ReportingRates *m = hz_arena_alloc(a, sizeof(*m));
  if (!m)
    return hz_rpc_oom(rpc), NULL;
  huizong__v1__reporting_rates__init(m);
  hz_rates_pct_t pct;
  int rc = hz_rates_pct(a, r, &pct);
  if (rc == -EINVAL) {
    hz_log_error(&rpc->app->ctx->log, "%s: inconsistent report counts %lld/%lld/%lld/%lld",
                 rpc->def->path, r->expected, r->reported, r->on_time, r->late);
    hz_rpc_finish(rpc, HZ_STATUS_INTERNAL, "internal error; the server log has the details");
    return NULL;
  }
  if (rc != 0 || (pct.reporting && !(m->reporting_rate_pct = agg_decimal(rpc, pct.reporting))) ||
      (pct.on_time && !(m->on_time_rate_pct = agg_decimal(rpc, pct.on_time))))
    return hz_rpc_oom(rpc), NULL;
  m->expected_reports = (int32_t)r->expected;
  m->reported_reports = (int32_t)r->reported;
  m->on_time_reports = (int32_t)r->on_time;
  m->late_reports = (int32_t)r->late;
  return m;
}

/* Splits "202401,202402" (a period list of AGG_COMPLETENESS) into arena
 * strings; "" is no period. 0 or -ENOMEM. */
static int split_periods(hz_rpc_t *rpc, const PGresult *r, int row, int col, char ***out,
                         size_t *n) {
  *n = 0;
  *out = NULL;
  char *s = (char *)hz_rpc_cell(rpc, r, row, col);
  if (!s)
    return -ENOMEM;
  if (!s[0])
    return 0;
  size_t count = 1;
  for (const char *c = s; *c; c++)
    count += *c == ',';
  if (!(*out = hz_arena_alloc(hz_rpc_arena(rpc), count * sizeof(char *))))
    return -ENOMEM;
  for (char *tok = s, *comma;; tok = comma + 1) {
    (*out)[(*n)++] = tok;
    if (!(comma = strchr(tok, ',')))
      return 0;
    *comma = '\0';
  }
}

/* The sub-period fields of one unit: counts and lists. 0 or -ENOMEM. */
static int unit_reports(hz_rpc_t *rpc, const PGresult *r, int i, const unit_cols_t *c,
                        Huizong__V1__UnitStatus *u, hz_rates_t *counts) {
  *counts = (hz_rates_t){
      .expected = hz_rpc_cell_int(r, i, c->expected),
      .reported = hz_rpc_cell_int(r, i, c->reported),
      .on_time = hz_rpc_cell_int(r, i, c->on_time),
      .late = hz_rpc_cell_int(r, i, c->late),
  };
  if (split_periods(rpc, r, i, c->reported_periods, &u->reported_periods, &u->n_reported_periods) ||
      split_periods(rpc, r, i, c->late_periods, &u->late_periods, &u->n_late_periods) ||
      split_periods(rpc, r, i, c->missing_periods, &u->missing_periods, &u->n_missing_periods))
    return -ENOMEM;
  return 0;
}

/* One unit's status; counts it into out and its counts into *counts.
 * NULL after finishing the call. */
static Huizong__V1__UnitStatus *unit_status(hz_rpc_t *rpc, const PGresult *r, int i,
                                            const unit_cols_t *c,
                                            Huizong__V1__CompletenessResponse *out,
                                            hz_rates_t *counts) {
  Huizong__V1__UnitStatus *u = hz_arena_alloc(hz_rpc_arena(rpc), sizeof(*u));
  Huizong__V1__RegionRef *ref = agg_region_ref(rpc, r, i, &c->region);
  if (!u || !ref)
    return hz_rpc_oom(rpc), NULL;
  huizong__v1__unit_status__init(u);
  u->region = ref;
  u->last_submitted_at = (char *)hz_rpc_cell(rpc, r, i, c->submitted_at);
  u->last_submission_id = (char *)hz_rpc_cell(rpc, r, i, c->submission_id);
  u->last_submitted_by = (char *)hz_rpc_cell(rpc, r, i, c->submitted_by);
  u->value_count = hz_rpc_cell_int(r, i, c->value_count);
  u->approved_by = (char *)hz_rpc_cell(rpc, r, i, c->approved_by);
  u->approved_at = (char *)hz_rpc_cell(rpc, r, i, c->approved_at);
  u->exception_open = hz_rpc_cell_bool(r, i, c->exception_open);
  if (unit_reports(rpc, r, i, c, u, counts))
    return hz_rpc_oom(rpc), NULL;
  if (!(u->rates = rates_msg(rpc, counts)))
    return NULL;
  /* The state as SQL derived it (hz_approval_state at the report type,
   * hz_reporting_state above it; domain/approval.h names the numbers).
   * reported_count is SUBMITTED + APPROVED, as the proto says. */
  u->state = hz_rpc_cell_int(r, i, c->state);
  switch (u->state) {
  case HZ_APPROVAL_APPROVED:
    out->approved_count++;
    out->reported_count++;
    break;
  case HZ_APPROVAL_SUBMITTED: out->reported_count++; break;
  case HZ_APPROVAL_PARTIAL: out->partial_count++; break;
  default:
    out->missing_region_codes[out->n_missing_region_codes++] = ref->code;
    out->missing_count++;
    break;
  }
  return u;
}

static int group_cmp(const void *a, const void *b) {
  return strcmp(((const comp_group_t *)a)->code, ((const comp_group_t *)b)->code);
}

/* The groups of AGG_GROUPS' answer, sorted by code for the search by
 * township. NULL with *n 0 when the request does not group; NULL with *n
 * -1 when out of memory. */
static comp_group_t *groups_load(hz_rpc_t *rpc, const PGresult *r, int *n) {
  *n = r ? PQntuples(r) : 0;
  if (*n == 0)
    return NULL;
  comp_group_t *gs = hz_arena_zalloc(hz_rpc_arena(rpc), (size_t)*n * sizeof(*gs));
  if (!gs)
    return *n = -1, NULL;
  agg_region_cols_t cols = agg_region_cols(r);
  int expected = hz_db_col(r, "expected");
  for (int i = 0; i < *n; i++) {
    Huizong__V1__CompletenessGroup *g = hz_arena_alloc(hz_rpc_arena(rpc), sizeof(*g));
    if (!g || !(gs[i].code = hz_rpc_cell(rpc, r, i, cols.code)))
      return *n = -1, NULL;
    huizong__v1__completeness_group__init(g);
    if (!(g->region = agg_region_ref(rpc, r, i, &cols)))
      return *n = -1, NULL;
    g->expected_units = hz_rpc_cell_int(r, i, expected);
    gs[i].g = g;
  }
  qsort(gs, (size_t)*n, sizeof(*gs), group_cmp);
  return gs;
}

/* Counts township row i into its group, if it lies in one. */
static void group_count(comp_group_t *gs, int ngroups, const PGresult *r, int i, int grp_col,
                        const Huizong__V1__UnitStatus *u, const hz_rates_t *counts) {
  if (!ngroups || hz_rpc_cell_null(r, i, grp_col))
    return;
  comp_group_t key = {.code = PQgetvalue(r, i, grp_col)};
  comp_group_t *g = bsearch(&key, gs, (size_t)ngroups, sizeof(*gs), group_cmp);
  if (!g)
    return;
  hz_rates_add(&g->rates, counts);
  if ((int)u->state == (int)HZ_APPROVAL_MISSING)
    g->g->missing_units++;
}

/* The groups' rates and the response's list, in code order. 0, or -1
 * after finishing the call. */
static int groups_finish(hz_rpc_t *rpc, comp_group_t *gs, int n,
                         Huizong__V1__CompletenessResponse *out) {
  if (n == 0)
    return 0;
  out->groups = hz_arena_alloc(hz_rpc_arena(rpc), (size_t)n * sizeof(*out->groups));
  if (!out->groups)
    return hz_rpc_oom(rpc), -1;
  for (int i = 0; i < n; i++) {
    if (!(gs[i].g->rates = rates_msg(rpc, &gs[i].rates)))
      return -1;
    out->groups[out->n_groups++] = gs[i].g;
  }
  return 0;
}

/* Every township's status, counted into out, its groups and the total.
 * 0, or -1 after finishing the call. */
static int units_load(hz_rpc_t *rpc, const PGresult *r, comp_group_t *gs, int ngroups,
                      Huizong__V1__CompletenessResponse *out, hz_rates_t *total) {
  int rows = PQntuples(r);
  hz_arena_t *a = hz_rpc_arena(rpc);
  out->units = hz_arena_alloc(a, (size_t)(rows + 1) * sizeof(*out->units));
  out->missing_region_codes = hz_arena_alloc(a, (size_t)(rows + 1) * sizeof(char *));
  if (!out->units || !out->missing_region_codes)
    return hz_rpc_oom(rpc), -1;
  const unit_cols_t cols = unit_cols(r);
  for (int i = 0; i < rows; i++) {
    hz_rates_t counts;
    Huizong__V1__UnitStatus *u = unit_status(rpc, r, i, &cols, out, &counts);
    if (!u)
      return -1;
    out->units[out->n_units++] = u;
    hz_rates_add(total, &counts);
    group_count(gs, ngroups, r, i, cols.grp, u, &counts);
  }
  out->expected_count = rows;
  return 0;
}

static void on_completeness(hz_rpc_t *rpc, const hz_db_result_t *res, void *tag) {
  comp_t *cq = tag;
  if (hz_rpc_db_failed(rpc, res))
    return;
  Huizong__V1__RegionRef *region =
      agg_region_checked(rpc, res->results[Q_REGION], cq->region, NULL);
  if (!region)
    return;
  if (cq->group == HZ_GROUP_BY_LEVEL && (int)cq->req->level <= (int)region->level) {
    hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT,
                  "level %d is not below the level of region %s (%d)", cq->req->level, region->code,
                  region->level);
    return;
  }
  const PGresult *head = res->results[Q_HEAD];
  Huizong__V1__CompletenessResponse out = HUIZONG__V1__COMPLETENESS_RESPONSE__INIT;
  int ngroups;
  comp_group_t *gs =
      groups_load(rpc, cq->group != HZ_GROUP_BY_NONE ? res->results[Q_GROUPS] : NULL, &ngroups);
  if (ngroups < 0)
    return (void)hz_rpc_oom(rpc);
  hz_rates_t total = {0};
  if (units_load(rpc, res->results[Q_UNITS], gs, ngroups, &out, &total) ||
      groups_finish(rpc, gs, ngroups, &out) || !(out.rates = rates_msg(rpc, &total)))
    return;
  out.region = region;
  out.period = cq->period;
  out.report_period_type = hz_rpc_cell_int(head, 0, hz_db_col(head, "report_period_type"));
  out.deadline = (char *)hz_rpc_cell(rpc, head, 0, hz_db_col(head, "deadline"));
  hz_rpc_reply(rpc, &out.base);
}

/* Request checks beyond region and period; -1 after INVALID_ARGUMENT. */
static int comp_check(hz_rpc_t *rpc, comp_t *cq) {
  const Huizong__V1__CompletenessRequest *req = cq->req;
  int rt = req->report_period_type;
  if (rt != 0 && !hz_period_type_valid(rt)) {
    hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT,
                  "report_period_type must be YEAR, HALF_YEAR, QUARTER, MONTH or unset, not %d",
                  rt);
    return -1;
  }
  if (rt != 0 && !hz_period_finer_or_equal((hz_period_type_t)rt, cq->p.type)) {
    hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT,
                  "report_period_type %s is coarser than period %s (a %s): ask for a period "
                  "at or above the report type, or leave report_period_type unset",
                  hz_period_type_name((hz_period_type_t)rt), cq->period,
                  hz_period_type_name(cq->p.type));
    return -1;
  }
  cq->group = hz_group_by_of(req->group_by);
  if (cq->group == HZ_GROUP_BY_LEVEL &&
      (req->level < HUIZONG__V1__REGION_LEVEL__REGION_LEVEL_PROVINCE ||
       req->level > HUIZONG__V1__REGION_LEVEL__REGION_LEVEL_VILLAGE)) {
    hz_rpc_finish(rpc, HZ_STATUS_INVALID_ARGUMENT, "group by level needs a level 1..5");
    return -1;
  }
  return 0;
}

void agg_completeness(hz_rpc_t *rpc, ProtobufCMessage *msg) {
  hz_arena_t *a = hz_rpc_arena(rpc);
  comp_t *cq = hz_arena_zalloc(a, sizeof(*cq));
  const char **region = hz_arena_alloc(a, 2 * sizeof(char *));
  const char **p = hz_arena_alloc(a, 6 * sizeof(char *));
  if (!cq || !region || !p)
    return (void)hz_rpc_oom(rpc);
  cq->req = (const Huizong__V1__CompletenessRequest *)msg;
  if (!(cq->region = agg_target_region(rpc, cq->req->region_code)) ||
      agg_parse_period(rpc, "period", cq->req->period, &cq->p))
    return;
  if (!(cq->period = agg_period_text(a, &cq->p)))
    return (void)hz_rpc_oom(rpc);
  if (comp_check(rpc, cq))
    return;
  int grouped = cq->group != HZ_GROUP_BY_NONE;
  /* (region, type, start, report type, group, level): AGG_COMPLETENESS;
   * its 2..4 are AGG_RATES_HEAD's (type, start, report type); with
   * (region, group, level, 'f') for AGG_GROUPS. No group is 0: no group
   * at all, so every township's grp is NULL. */
  const char *grp[4] = {cq->region, hz_pg_int(a, grouped ? (int)cq->group : 0),
                        hz_pg_int(a, cq->req->level), "f"};
  const char **groups = hz_arena_alloc(a, 4 * sizeof(char *));
  p[0] = cq->region;
  p[1] = hz_pg_int(a, cq->p.type);
  p[2] = agg_date_text(a, hz_period_start_date(&cq->p));
  p[3] = hz_pg_int(a, cq->req->report_period_type);
  p[4] = grp[1];
  p[5] = grp[2];
  if (!groups || !p[1] || !p[2] || !p[3] || !p[4] || !p[5])
    return (void)hz_rpc_oom(rpc);
  memcpy(groups, grp, sizeof(grp));
  hz_db_stmt_t q[Q_N] = {
      [Q_REGION] = agg_region_stmt(rpc, region, cq->region),
      [Q_HEAD] = {.id = HZ_STMT_AGG_RATES_HEAD, .values = p + 1},
      [Q_UNITS] = {.id = HZ_STMT_AGG_COMPLETENESS, .values = p},
      [Q_GROUPS] = {.id = HZ_STMT_AGG_GROUPS, .values = groups},
  };
  hz_rpc_read_query(rpc, q, grouped ? Q_N : Q_GROUPS, on_completeness, cq);
}
