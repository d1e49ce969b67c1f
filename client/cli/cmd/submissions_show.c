/* "submissions show ID": one stored submission with the values it carried
 * (Reporting/GetSubmission). The table format prints its fields, the
 * values and then its narrative; CSV holds the value rows; JSON is one
 * object with everything, the values as an array. */
#include <string.h>

#include "calls.h"
#include "commands.h"
#include "huizong/v1/reporting.pb-c.h"
#include "names.h"
#include "present.h"
#include "wire/uuid.h"

#define GET_SUBMISSION_METHOD "/huizong.v1.Reporting/GetSubmission"

static const char *const value_cols[] = {"indicator", "value", "comment"};
#define NVALUE (sizeof(value_cols) / sizeof(value_cols[0]))

static const char *const head_keys[] = {
    "submission_id", "region",       "region_name", "period",   "status",  "submitted_by",
    "received_at",   "committed_at", "value_count", "imported", "updated", "unchanged",
};
#define NHEAD (sizeof(head_keys) / sizeof(head_keys[0]))

static void head_cells(const Huizong__V1__Submission *s, hz_strpool_t *p,
                       const char *cells[NHEAD]) {
  cells[0] = s->submission_id;
  cells[1] = s->region ? s->region->code : NULL;
  cells[2] = s->region ? hz_cell_opt(s->region->name) : NULL;
  cells[3] = s->period;
  cells[4] = hz_name_of(hz_names_submission_status, s->status);
  cells[5] = hz_cell_opt(s->submitted_by);
  cells[6] = hz_cell_opt(s->received_at);
  cells[7] = hz_cell_opt(s->committed_at);
  cells[8] = hz_cell_int(p, s->value_count);
  cells[9] = hz_cell_int(p, s->imported);
  cells[10] = hz_cell_int(p, s->updated);
  cells[11] = hz_cell_int(p, s->unchanged);
}

static void value_cells(const Huizong__V1__IndicatorValue *v, const char *cells[NVALUE]) {
  cells[0] = v->indicator_code;
  cells[1] = v->value;
  cells[2] = hz_cell_opt(v->comment);
}

static int print_json(hz_cli_t *cli, const Huizong__V1__Submission *s, hz_strpool_t *p) {
  const char *head[NHEAD];
  head_cells(s, p, head);
  json_t *doc = hz_json_object(NHEAD, head_keys, head), *values = json_array();
  for (size_t i = 0; i < s->n_values; i++) {
    const char *cells[NVALUE];
    value_cells(s->values[i], cells);
    json_array_append_new(values, hz_json_object(NVALUE, value_cols, cells));
  }
  json_object_set_new(doc, "narrative", hz_json_text(s->narrative));
  json_object_set_new(doc, "value_list", values);
  return hz_write_json(cli, doc);
}

static int print_submission(hz_cli_t *cli, const Huizong__V1__Submission *s) {
  hz_strpool_t pool;
  hz_strpool_init(&pool);
  if (cli->format == HZ_FORMAT_JSON) {
    int rc = print_json(cli, s, &pool);
    hz_strpool_free(&pool);
    return rc;
  }
  hz_table_t t;
  if (hz_table_init(&t, NVALUE, value_cols) < 0) {
    hz_strpool_free(&pool);
    return hz_cli_error(cli, "out of memory");
  }
  int rc = HZ_EXIT_OK;
  for (size_t i = 0; i < s->n_values && rc == HZ_EXIT_OK; i++) {
    const char *cells[NVALUE];
    value_cells(s->values[i], cells);
    if (hz_table_add_row(&t, cells) < 0)
      rc = hz_cli_error(cli, "out of memory");
  }
  int table = cli->format == HZ_FORMAT_TABLE;
  if (rc == HZ_EXIT_OK && table) {
    const char *head[NHEAD];
    head_cells(s, &pool, head);
    rc = hz_write_record(cli, NHEAD, head_keys, head);
    fputc('\n', cli->out);
  }
  if (rc == HZ_EXIT_OK && (!table || t.nrows > 0))
    rc = hz_write_table(cli, &t);
  if (rc == HZ_EXIT_OK && table && s->narrative && *s->narrative) {
    size_t n = strlen(s->narrative);
    fprintf(cli->out, "%snarrative:\n%s%s", t.nrows ? "\n" : "", s->narrative,
            s->narrative[n - 1] == '\n' ? "" : "\n");
  }
  hz_table_free(&t);
  hz_strpool_free(&pool);
  return rc;
}

static int run_submissions_show(hz_cli_t *cli) {
  const char *id = cli->args[0];
  if (hz_wire_uuid_check(id) != 0)
    return hz_cli_usage(cli,
                        "'%s' is not a submission id "
                        "(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)",
                        id);
  Huizong__V1__GetSubmissionRequest req = HUIZONG__V1__GET_SUBMISSION_REQUEST__INIT;
  req.submission_id = (char *)id;
  ProtobufCMessage *resp;
  int rc = hz_cli_unary(cli, GET_SUBMISSION_METHOD, &req.base, &huizong__v1__submission__descriptor,
                        &resp, NULL);
  if (rc != HZ_EXIT_OK)
    return rc;
  rc = print_submission(cli, (const Huizong__V1__Submission *)resp);
  protobuf_c_message_free_unpacked(resp, NULL);
  return rc;
}

const hz_cli_cmd_t hz_cmd_submissions_show = {
    .name = "submissions show",
    .args = "ID",
    .summary = "one stored submission with its values and narrative",
    .min_args = 1,
    .max_args = 1,
    .run = run_submissions_show,
};
