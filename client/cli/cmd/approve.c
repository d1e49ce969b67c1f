/* "approve": locks one township's period against further submissions
 * (Admin/Approve), or with --all-submitted approves every township under a
 * region that has submitted for the period, in one transaction
 * (Admin/ApproveAllSubmitted). County tokens act within their subtree.
 *
 * One township: the approval record (state, approver, time) and whether
 * this call changed it; approving an approved period changes nothing.
 * --all-submitted: in a table, a summary line (newly approved, already
 * approved, missing), the missing townships, the violations of those left
 * unapproved because an ERROR rule stands, then the newly approved
 * records; JSON is one object with all of it; CSV has one row per newly
 * approved township (outcome "approved") and per missing one (outcome
 * "missing"); the count of already approved ones is in table and JSON. */
#include <stdio.h>

#include "reviewinfo.h"
#include "calls.h"
#include "commands.h"
#include "huizong/v1/admin.pb-c.h"
#include "present.h"

#define APPROVE_METHOD     "/huizong.v1.Admin/Approve"
#define APPROVE_ALL_METHOD "/huizong.v1.Admin/ApproveAllSubmitted"

static const hz_cli_opt_t approve_opts[] = {
    {"region", "CODE", "the township; with --all-submitted any region above townships (required)"},
    {"period", "PERIOD", "the submitted period, e.g. 2022Q1 (required)"},
    {"comment", "TEXT", "approver's comment, stored and audited"},
    {"all-submitted", NULL, "approve every township under --region that has submitted"},
    {NULL, NULL, NULL},
};

/* Columns of the --all-submitted CSV: an outcome, then the record. */
static const char *const all_csv_cols[HZ_APPROVAL_NFIELDS + 1] = {
    "outcome",           "region",  "period", "state", "approved_by", "approved_at",
    "last_submitted_at", "comment",
};

static void print_all_summary(hz_cli_t *cli, const char *region, const char *period,
                              const Huizong__V1__ApproveAllSubmittedResponse *r) {
  fprintf(cli->out, "%s %s: %zu approved now, %d already approved, %zu missing\n", region, period,
          r->n_approved, r->already_approved_count, r->n_missing_region_codes);
  if (r->n_missing_region_codes > 0) {
    fputs("missing:", cli->out);
    for (size_t i = 0; i < r->n_missing_region_codes; i++)
      fprintf(cli->out, " %s", r->missing_region_codes[i]);
    fputc('\n', cli->out);
  }
  /* Left SUBMITTED: an ERROR rule stands (one line per violation). */
  for (size_t i = 0; i < r->n_blocked; i++)
    fprintf(cli->out, "blocked: %s %s (%s)\n", r->blocked[i]->key, r->blocked[i]->reason,
            r->blocked[i]->rule_code);
  if (r->n_approved > 0)
    fputc('\n', cli->out);
}

static int print_all_json(hz_cli_t *cli, const char *region, const char *period,
                          const Huizong__V1__ApproveAllSubmittedResponse *r) {
  json_t *doc = json_object(), *missing = json_array(), *approved = json_array();
  json_t *blocked = json_array();
  for (size_t i = 0; i < r->n_missing_region_codes; i++)
    json_array_append_new(missing, hz_json_text(r->missing_region_codes[i]));
  /* Left SUBMITTED: an ERROR rule stands (one object per violation). */
  for (size_t i = 0; i < r->n_blocked; i++) {
    static const char *const keys[] = {"key", "rule_code", "indicator_code", "reason"};
    const Huizong__V1__Problem *b = r->blocked[i];
    const char *vals[] = {b->key, b->rule_code, b->indicator_code, b->reason};
    json_array_append_new(blocked, hz_json_object(4, keys, vals));
  }
  for (size_t i = 0; i < r->n_approved; i++) {
    const char *cells[HZ_APPROVAL_NFIELDS];
    hz_approval_cells(r->approved[i], cells);
    json_array_append_new(approved, hz_json_object(HZ_APPROVAL_NFIELDS, hz_approval_fields, cells));
  }
  json_object_set_new(doc, "region", hz_json_text(region));
  json_object_set_new(doc, "period", hz_json_text(period));
  json_object_set_new(doc, "already_approved_count", json_integer(r->already_approved_count));
  json_object_set_new(doc, "missing_region_codes", missing);
  json_object_set_new(doc, "blocked", blocked);
  json_object_set_new(doc, "approved", approved);
  return hz_write_json(cli, doc);
}

/* The CSV rows: newly approved townships, then the missing ones. */
static int fill_all_csv(hz_table_t *t, const char *period,
                        const Huizong__V1__ApproveAllSubmittedResponse *r) {
  const char *row[HZ_APPROVAL_NFIELDS + 1];
  for (size_t i = 0; i < r->n_approved; i++) {
    row[0] = "approved";
    hz_approval_cells(r->approved[i], row + 1);
    if (hz_table_add_row(t, row) < 0)
      return -1;
  }
  for (size_t i = 0; i < r->n_missing_region_codes; i++) {
    const char *missing[HZ_APPROVAL_NFIELDS + 1] = {
        "missing", r->missing_region_codes[i], period, "missing", NULL, NULL, NULL, NULL,
    };
    if (hz_table_add_row(t, missing) < 0)
      return -1;
  }
  return 0;
}

static int print_all(hz_cli_t *cli, const char *region, const char *period,
                     const Huizong__V1__ApproveAllSubmittedResponse *r) {
  if (cli->format == HZ_FORMAT_JSON)
    return print_all_json(cli, region, period, r);
  int csv = cli->format == HZ_FORMAT_CSV;
  hz_table_t t;
  if (hz_table_init(&t, csv ? HZ_APPROVAL_NFIELDS + 1 : HZ_APPROVAL_NFIELDS,
                    csv ? all_csv_cols : hz_approval_fields) < 0)
    return hz_cli_error(cli, "out of memory");
  hz_table_set_align(&t, csv ? 1 : 0, HZ_ALIGN_LEFT); /* codes are names, not numbers */
  int rc = HZ_EXIT_OK;
  if (csv) {
    if (fill_all_csv(&t, period, r) < 0)
      rc = hz_cli_error(cli, "out of memory");
  } else {
    print_all_summary(cli, region, period, r);
    for (size_t i = 0; i < r->n_approved && rc == HZ_EXIT_OK; i++) {
      const char *cells[HZ_APPROVAL_NFIELDS];
      hz_approval_cells(r->approved[i], cells);
      if (hz_table_add_row(&t, cells) < 0)
        rc = hz_cli_error(cli, "out of memory");
    }
  }
  /* An empty table would print a lone header under the summary. */
  if (rc == HZ_EXIT_OK && (csv || t.nrows > 0))
    rc = hz_write_table(cli, &t);
  hz_table_free(&t);
  return rc;
}

static int approve_all(hz_cli_t *cli, const char *region, const char *period, const char *comment) {
  Huizong__V1__ApproveAllSubmittedRequest req = HUIZONG__V1__APPROVE_ALL_SUBMITTED_REQUEST__INIT;
  req.region_code = (char *)region;
  req.period = (char *)period;
  req.comment = (char *)comment;
  ProtobufCMessage *resp;
  int rc = hz_cli_unary(cli, APPROVE_ALL_METHOD, &req.base,
                        &huizong__v1__approve_all_submitted_response__descriptor, &resp, NULL);
  if (rc != HZ_EXIT_OK)
    return rc;
  rc = print_all(cli, region, period, (Huizong__V1__ApproveAllSubmittedResponse *)resp);
  protobuf_c_message_free_unpacked(resp, NULL);
  return rc;
}

static int approve_one(hz_cli_t *cli, const char *region, const char *period, const char *comment) {
  Huizong__V1__ApproveRequest req = HUIZONG__V1__APPROVE_REQUEST__INIT;
  req.region_code = (char *)region;
  req.period = (char *)period;
  req.comment = (char *)comment;
  ProtobufCMessage *resp;
  int rc = hz_cli_unary(cli, APPROVE_METHOD, &req.base, &huizong__v1__approval_response__descriptor,
                        &resp, NULL);
  if (rc != HZ_EXIT_OK)
    return rc;
  const Huizong__V1__ApprovalResponse *r = (const void *)resp;
  if (!r->changed && r->approval)
    fprintf(cli->err, "note: %s %s was already approved; nothing changed\n", region, period);
  rc = hz_approval_print(cli, r);
  protobuf_c_message_free_unpacked(resp, NULL);
  return rc;
}

static int run_approve(hz_cli_t *cli) {
  const char *region, *period;
  const char *comment = hz_cli_opt(cli, "comment");
  int rc;
  if ((rc = hz_cli_need(cli, "region", &region)) != HZ_EXIT_OK ||
      (rc = hz_cli_need(cli, "period", &period)) != HZ_EXIT_OK)
    return rc;
  if (!comment)
    comment = "";
  if (hz_cli_flag(cli, "all-submitted") > 0)
    return approve_all(cli, region, period, comment);
  return approve_one(cli, region, period, comment);
}

const hz_cli_cmd_t hz_cmd_approve = {
    .name = "approve",
    .summary = "approve a township's period (or, with --all-submitted, every submitted one)",
    .help = "An approved period refuses further submissions (FAILED_PRECONDITION naming the\n"
            "approver and time) until 'reopen'. County tokens approve within their subtree.\n"
            "--all-submitted approves, in one transaction, every township under --region\n"
            "that has submitted for --period and lists those that have not (CSV: one row\n"
            "per approved or missing township; the already-approved count is in the table\n"
            "and JSON formats).",
    .opts = approve_opts,
    .run = run_approve,
};
