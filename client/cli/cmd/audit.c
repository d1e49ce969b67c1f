/* "audit": the audit trail (Admin/GetAudit), newest first, filtered by
 * region subtree, indicator, period, submission, action, actor and time,
 * read page by page until --limit entries are shown. Old and new values
 * that do not apply, or did not exist (a value set for the first time),
 * are empty cells (null in JSON), never 0. */
#include <stdio.h>

#include "calls.h"
#include "commands.h"
#include "huizong/v1/admin.pb-c.h"
#include "names.h"
#include "present.h"
#include "timearg.h"

#define GET_AUDIT_METHOD    "/huizong.v1.Admin/GetAudit"
#define AUDIT_DEFAULT_LIMIT 100
/* Distinct actions the contract knows; --action cannot name more. */
#define AUDIT_MAX_ACTIONS   16

static const hz_cli_opt_t audit_opts[] = {
    {"region", "CODE", "only entries of this region's subtree (default: the token's scope)"},
    {"indicator", "CODE", "only this indicator"},
    {"period", "PERIOD", "only this period"},
    {"submission", "ID", "only changes made by this submission (UUID)"},
    {"action", "A,B", "only these actions (repeatable; names above)"},
    {"actor", "NAME", "only entries made by this token name"},
    {"since", "TIME",
     "from this time, inclusive (RFC 3339; a date or time without zone is in --tz)"},
    {"until", "TIME",
     "before this time, exclusive (RFC 3339; a date or time without zone is in --tz)"},
    {"limit", "N", "most entries shown (default 100; 0 = all)"},
    {"page-size", "N", "entries fetched per call (default: as many as still wanted)"},
    {NULL, NULL, NULL},
};

static const char *const columns[] = {
    "time",   "actor", "action", "region",     "indicator",
    "period", "old",   "new",    "submission", "detail",
};
#define NCOLS (sizeof(columns) / sizeof(columns[0]))

/* Request and the storage its fields point into. */
typedef struct audit_args_s {
  Huizong__V1__GetAuditRequest req;                    /* the request */
  char since[HZ_TIMEARG_SIZE];                         /* canonical --since */
  char until[HZ_TIMEARG_SIZE];                         /* canonical --until */
  Huizong__V1__AuditAction actions[AUDIT_MAX_ACTIONS]; /* parsed --action values */
  size_t limit;                                        /* --limit, 0 = all */
} audit_args_t;

static void entry_cells(const Huizong__V1__AuditEntry *e, const char *cells[NCOLS]) {
  cells[0] = e->time;
  cells[1] = hz_cell_opt(e->actor);
  cells[2] = hz_name_of(hz_names_audit_action, e->action);
  cells[3] = hz_cell_opt(e->region_code);
  cells[4] = hz_cell_opt(e->indicator_code);
  cells[5] = hz_cell_opt(e->period);
  cells[6] = hz_cell_decimal(e->old_value);
  cells[7] = hz_cell_decimal(e->new_value);
  cells[8] = hz_cell_opt(e->submission_id);
  cells[9] = hz_cell_opt(e->detail);
}

static int add_entry(void *ud, const ProtobufCMessage *item) {
  hz_table_t *t = ud;
  const char *cells[NCOLS];
  entry_cells((const Huizong__V1__AuditEntry *)item, cells);
  return hz_table_add_row(t, cells) < 0 ? HZ_EXIT_REFUSED : HZ_EXIT_OK;
}

/* Every --action, each a name or a comma list, into a->actions. */
static int parse_actions(hz_cli_t *cli, audit_args_t *a) {
  int values[AUDIT_MAX_ACTIONS];
  size_t n = 0;
  char bad[64];
  const char *v;
  for (int k = 0; (v = hz_cli_opt_nth(cli, "action", k)) != NULL; k++) {
    int r = hz_name_parse_list(hz_names_audit_action, v, values, AUDIT_MAX_ACTIONS, &n, bad,
                               sizeof(bad));
    if (r == -2)
      return hz_cli_usage(cli, "more than %d distinct --action values", AUDIT_MAX_ACTIONS);
    if (r < 0) {
      char known[256];
      hz_name_list(hz_names_audit_action, known, sizeof(known));
      return hz_cli_usage(cli, "unknown --action '%s' (%s)", bad, known);
    }
  }
  for (size_t i = 0; i < n; i++)
    a->actions[i] = (Huizong__V1__AuditAction)values[i];
  a->req.actions = a->actions;
  a->req.n_actions = n;
  return HZ_EXIT_OK;
}

static const char *opt_or_empty(hz_cli_t *cli, const char *name) {
  const char *v = hz_cli_opt(cli, name);
  return v ? v : "";
}

static int parse_args(hz_cli_t *cli, audit_args_t *a) {
  huizong__v1__get_audit_request__init(&a->req);
  a->req.region_code = (char *)opt_or_empty(cli, "region");
  a->req.indicator_code = (char *)opt_or_empty(cli, "indicator");
  a->req.period = (char *)opt_or_empty(cli, "period");
  a->req.submission_id = (char *)opt_or_empty(cli, "submission");
  a->req.actor = (char *)opt_or_empty(cli, "actor");
  a->since[0] = a->until[0] = '\0';
  int rc;
  if ((rc = parse_actions(cli, a)) != HZ_EXIT_OK ||
      (rc = hz_cli_time_opt(cli, "since", a->since)) != HZ_EXIT_OK ||
      (rc = hz_cli_time_opt(cli, "until", a->until)) != HZ_EXIT_OK ||
      (rc = hz_cli_limit_opt(cli, AUDIT_DEFAULT_LIMIT, &a->limit)) != HZ_EXIT_OK)
    return rc;
  a->req.since = a->since;
  a->req.until = a->until;
  return HZ_EXIT_OK;
}

static int run_audit(hz_cli_t *cli) {
  audit_args_t a;
  int rc = parse_args(cli, &a);
  if (rc != HZ_EXIT_OK)
    return rc;
  hz_table_t t;
  if (hz_table_init(&t, NCOLS, columns) < 0)
    return hz_cli_error(cli, "out of memory");
  for (size_t c = 0; c < NCOLS; c++)
    if (c != 6 && c != 7)
      hz_table_set_align(&t, c, HZ_ALIGN_LEFT);
  /* The submission id is for --submission and scripts, not for reading. */
  hz_table_set_flags(&t, 8, HZ_COL_DATA);
  hz_list_spec_t spec = {
      .method = GET_AUDIT_METHOD,
      .resp_desc = &huizong__v1__get_audit_response__descriptor,
      .items = "entries",
      .limit = a.limit,
  };
  int more = 0;
  rc = hz_cli_list(cli, &spec, &a.req.base, add_entry, &t, &more);
  if (rc == HZ_EXIT_OK)
    rc = hz_write_table(cli, &t);
  if (rc == HZ_EXIT_OK && more)
    fprintf(cli->err,
            "note: showing the newest %zu entries; more match "
            "(raise --limit, 0 = all, or narrow the filters)\n",
            a.limit);
  hz_table_free(&t);
  return rc;
}

const hz_cli_cmd_t hz_cmd_audit = {
    .name = "audit",
    .summary = "the audit trail, newest first: who changed what, when, from which submission",
    .help = "Filters combine (all must match). --action may be repeated or take a comma list\n"
            "of: value.set, narrative.set, approve, reopen, period.reopen, token.create,\n"
            "token.revoke, region.set, indicator.set, target.set, window.set.\n"
            "County tokens see their subtree; entries without a region (tokens, indicators,\n"
            "windows) are visible to admin tokens only. old/new are empty (null in JSON) when\n"
            "they do not apply or the value was new.",
    .opts = audit_opts,
    .run = run_audit,
};
