/* "submissions list": stored submissions, newest first, without their
 * values (Reporting/ListSubmissions), filtered by region subtree, period,
 * submitting token and time, up to --limit rows. "submissions show ID"
 * prints one with its values. */
#include <stdio.h>

#include "calls.h"
#include "commands.h"
#include "huizong/v1/reporting.pb-c.h"
#include "present.h"
#include "timearg.h"

#define LIST_SUBMISSIONS_METHOD   "/huizong.v1.Reporting/ListSubmissions"
#define SUBMISSIONS_DEFAULT_LIMIT 100

static const hz_cli_opt_t submissions_list_opts[] = {
    {"region", "CODE", "only this region's subtree (default: the token's scope)"},
    {"period", "PERIOD", "only this period"},
    {"by", "NAME", "only submissions made by this token name"},
    {"since", "TIME", "received at or after (RFC 3339, or a date in --tz, default +08:00)"},
    {"until", "TIME", "received before (RFC 3339, or a date in --tz, default +08:00)"},
    {"limit", "N", "most rows shown (default 100; 0 = all)"},
    {"page-size", "N", "rows fetched per call (default: as many as still wanted)"},
    {NULL, NULL, NULL},
};

static const char *const columns[] = {
    "submission_id", "region",  "name",      "period",      "submitted_by", "values",
    "imported",      "updated", "unchanged", "received_at", "committed_at",
};
#define NCOLS (sizeof(columns) / sizeof(columns[0]))

/* Output being built. */
typedef struct rows_s {
  hz_table_t table;  /* the rows */
  hz_strpool_t pool; /* numbers formatted for them */
} rows_t;

static int add_submission(void *ud, const ProtobufCMessage *item) {
  rows_t *r = ud;
  const Huizong__V1__Submission *s = (const void *)item;
  const char *cells[NCOLS] = {
      s->submission_id,
      s->region ? s->region->code : NULL,
      s->region ? hz_cell_opt(s->region->name) : NULL,
      s->period,
      hz_cell_opt(s->submitted_by),
      hz_cell_int(&r->pool, s->value_count),
      hz_cell_int(&r->pool, s->imported),
      hz_cell_int(&r->pool, s->updated),
      hz_cell_int(&r->pool, s->unchanged),
      hz_cell_opt(s->received_at),
      hz_cell_opt(s->committed_at),
  };
  return hz_table_add_row(&r->table, cells) < 0 ? HZ_EXIT_REFUSED : HZ_EXIT_OK;
}

static const char *opt_or_empty(hz_cli_t *cli, const char *name) {
  const char *v = hz_cli_opt(cli, name);
  return v ? v : "";
}

static int run_submissions_list(hz_cli_t *cli) {
  Huizong__V1__ListSubmissionsRequest req = HUIZONG__V1__LIST_SUBMISSIONS_REQUEST__INIT;
  char since[HZ_TIMEARG_SIZE], until[HZ_TIMEARG_SIZE];
  size_t limit;
  int rc;
  if ((rc = hz_cli_time_opt(cli, "since", since)) != HZ_EXIT_OK ||
      (rc = hz_cli_time_opt(cli, "until", until)) != HZ_EXIT_OK ||
      (rc = hz_cli_limit_opt(cli, SUBMISSIONS_DEFAULT_LIMIT, &limit)) != HZ_EXIT_OK)
    return rc;
  req.region_code = (char *)opt_or_empty(cli, "region");
  req.period = (char *)opt_or_empty(cli, "period");
  req.submitted_by = (char *)opt_or_empty(cli, "by");
  req.received_after = since;
  req.received_before = until;
  rows_t rows;
  if (hz_table_init(&rows.table, NCOLS, columns) < 0)
    return hz_cli_error(cli, "out of memory");
  hz_strpool_init(&rows.pool);
  hz_table_set_align(&rows.table, 1, HZ_ALIGN_LEFT);
  hz_table_set_align(&rows.table, 3, HZ_ALIGN_LEFT);
  hz_list_spec_t spec = {
      .method = LIST_SUBMISSIONS_METHOD,
      .resp_desc = &huizong__v1__list_submissions_response__descriptor,
      .items = "submissions",
      .limit = limit,
  };
  int more = 0;
  rc = hz_cli_list(cli, &spec, &req.base, add_submission, &rows, &more);
  if (rc == HZ_EXIT_OK)
    rc = hz_write_table(cli, &rows.table);
  if (rc == HZ_EXIT_OK && more)
    fprintf(cli->err,
            "note: showing the newest %zu submissions; more match "
            "(raise --limit, 0 = all, or narrow the filters)\n",
            limit);
  hz_table_free(&rows.table);
  hz_strpool_free(&rows.pool);
  return rc;
}

const hz_cli_cmd_t hz_cmd_submissions_list = {
    .name = "submissions list",
    .summary = "stored submissions, newest first (without values; see 'submissions show')",
    .opts = submissions_list_opts,
    .run = run_submissions_list,
};
