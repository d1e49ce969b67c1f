/* "report": one township's report for a period (Aggregation/GetReport):
 * its state, values with units and comments, and its narrative. The table
 * format prints the header fields, the values and then the narrative; CSV
 * holds the value rows; JSON is one object with everything, the values as
 * an array. A township that has submitted nothing is not an error: its
 * report is empty with state "missing". Standing validation-rule
 * violations (审核: errors, and warnings with their explanations) follow
 * the values in the table and are an array in JSON. */
#include <string.h>

#include "calls.h"
#include "commands.h"
#include "huizong/v1/aggregation.pb-c.h"
#include "names.h"
#include "present.h"
#include "violations.h"

#define REPORT_METHOD "/huizong.v1.Aggregation/GetReport"

static const hz_cli_opt_t report_opts[] = {
    {"region", "CODE", "township region code (required)"},
    {"period", "PERIOD", "period code (required)"},
    {NULL, NULL, NULL},
};

static const char *const value_cols[] = {
    "indicator", "name", "value", "unit", "comment", "updated_at", "updated_by", "submission_id",
};
#define NVALUE (sizeof(value_cols) / sizeof(value_cols[0]))

static void value_cells(const Huizong__V1__ReportValue *v, const char *cells[NVALUE]) {
  const Huizong__V1__IndicatorRef *ind = v->indicator;
  cells[0] = ind ? ind->code : NULL;
  cells[1] = ind ? ind->name : NULL;
  cells[2] = v->value;
  cells[3] = ind ? hz_cell_opt(ind->unit) : NULL;
  cells[4] = hz_cell_opt(v->comment);
  cells[5] = hz_cell_opt(v->updated_at);
  cells[6] = hz_cell_opt(v->updated_by);
  cells[7] = hz_cell_opt(v->submission_id);
}

static const char *state_of(const Huizong__V1__Report *r) {
  return hz_name_of(hz_names_approval_state, r->approval ? r->approval->state : 0);
}

static int print_json(hz_cli_t *cli, const Huizong__V1__Report *r) {
  const Huizong__V1__Approval *a = r->approval;
  static const char *const keys[] = {
      "region_code", "region_name", "period",   "state",          "last_submitted_at",
      "approved_by", "approved_at", "deadline", "exception_open", "narrative",
  };
  const char *vals[] = {
      r->region ? r->region->code : NULL,
      r->region ? r->region->name : NULL,
      r->period,
      state_of(r),
      a ? hz_cell_opt(a->last_submitted_at) : NULL,
      a ? hz_cell_opt(a->approved_by) : NULL,
      a ? hz_cell_opt(a->approved_at) : NULL,
      hz_cell_opt(r->deadline),
      hz_cell_bool(r->exception_open),
      r->narrative,
  };
  json_t *doc = hz_json_object(sizeof(keys) / sizeof(keys[0]), keys, vals);
  json_t *ids = json_array(), *values = json_array();
  for (size_t i = 0; i < r->n_submission_ids; i++)
    json_array_append_new(ids, hz_json_text(r->submission_ids[i]));
  for (size_t i = 0; i < r->n_values; i++) {
    const char *cells[NVALUE];
    value_cells(r->values[i], cells);
    json_array_append_new(values, hz_json_object(NVALUE, value_cols, cells));
  }
  json_object_set_new(doc, "submission_ids", ids);
  json_object_set_new(doc, "values", values);
  json_object_set_new(doc, "violations", hz_violations_json(r->violations, r->n_violations));
  return hz_write_json(cli, doc);
}

static void print_header(hz_cli_t *cli, const Huizong__V1__Report *r, hz_strpool_t *p) {
  const Huizong__V1__Approval *a = r->approval;
  const char *keys[] = {"region",      "period",      "state",    "last_submitted_at",
                        "approved_by", "approved_at", "deadline", "exception_open",
                        "submissions"};
  const char *vals[] = {
      r->region ? hz_strpool_printf(p, "%s %s", r->region->code, r->region->name) : NULL,
      r->period,
      state_of(r),
      a ? hz_cell_opt(a->last_submitted_at) : NULL,
      a ? hz_cell_opt(a->approved_by) : NULL,
      a ? hz_cell_opt(a->approved_at) : NULL,
      hz_cell_opt(r->deadline),
      r->exception_open ? "true" : NULL,
      hz_cell_int(p, (long long)r->n_submission_ids),
  };
  hz_write_record(cli, sizeof(keys) / sizeof(keys[0]), keys, vals);
  fputc('\n', cli->out);
}

static int print_report(hz_cli_t *cli, const Huizong__V1__Report *r) {
  if (cli->format == HZ_FORMAT_JSON)
    return print_json(cli, r);
  hz_table_t t;
  if (hz_table_init(&t, NVALUE, value_cols) < 0)
    return hz_cli_error(cli, "out of memory");
  int rc = HZ_EXIT_OK;
  for (size_t i = 0; i < r->n_values && rc == HZ_EXIT_OK; i++) {
    const char *cells[NVALUE];
    value_cells(r->values[i], cells);
    if (hz_table_add_row(&t, cells) < 0)
      rc = hz_cli_error(cli, "out of memory");
  }
  hz_strpool_t pool;
  hz_strpool_init(&pool);
  if (rc == HZ_EXIT_OK && cli->format == HZ_FORMAT_TABLE)
    print_header(cli, r, &pool);
  if (rc == HZ_EXIT_OK)
    rc = hz_write_table(cli, &t);
  if (rc == HZ_EXIT_OK && cli->format == HZ_FORMAT_TABLE && r->n_violations > 0) {
    fputs("\nviolations (审核):\n", cli->out);
    rc = hz_violations_write(cli, r->violations, r->n_violations, 0, 0);
  }
  if (rc == HZ_EXIT_OK && cli->format == HZ_FORMAT_TABLE && r->narrative && *r->narrative) {
    size_t n = strlen(r->narrative);
    fprintf(cli->out, "\nnarrative:\n%s%s", r->narrative, r->narrative[n - 1] == '\n' ? "" : "\n");
  }
  hz_strpool_free(&pool);
  hz_table_free(&t);
  return rc;
}

static int run_report(hz_cli_t *cli) {
  Huizong__V1__GetReportRequest req = HUIZONG__V1__GET_REPORT_REQUEST__INIT;
  const char *region, *period;
  int rc;
  if ((rc = hz_cli_need(cli, "region", &region)) != HZ_EXIT_OK ||
      (rc = hz_cli_need(cli, "period", &period)) != HZ_EXIT_OK)
    return rc;
  req.region_code = (char *)region;
  req.period = (char *)period;
  ProtobufCMessage *resp;
  rc = hz_cli_unary(cli, REPORT_METHOD, &req.base, &huizong__v1__report__descriptor, &resp, NULL);
  if (rc == HZ_EXIT_OK) {
    rc = print_report(cli, (Huizong__V1__Report *)resp);
    protobuf_c_message_free_unpacked(resp, NULL);
  }
  return rc;
}

const hz_cli_cmd_t hz_cmd_report = {
    .name = "report",
    .summary = "one township's report for a period: values, narrative, approval state",
    .opts = report_opts,
    .run = run_report,
};
