/* "completeness": who has reported under a region for a period
 * (Aggregation/Completeness): every expected township with its state,
 * last submission and approval. The table is preceded by the counts and
 * the missing townships; CSV and JSON hold the rows alone (the counts
 * follow from them). */
#include "calls.h"
#include "commands.h"
#include "huizong/v1/aggregation.pb-c.h"
#include "names.h"
#include "present.h"

#define COMPLETENESS_METHOD "/huizong.v1.Aggregation/Completeness"

static const hz_cli_opt_t completeness_opts[] = {
    {"region", "CODE", "region at any level; its townships are the expected units (required)"},
    {"period", "PERIOD", "period code (required)"},
    {NULL, NULL, NULL},
};

static const char *const columns[] = {
    "region", "name",        "state",       "last_submitted_at", "last_submitted_by",
    "values", "approved_by", "approved_at", "exception_open",    "last_submission_id",
};
#define NCOLS (sizeof(columns) / sizeof(columns[0]))

static void print_counts(hz_cli_t *cli, const Huizong__V1__CompletenessResponse *r) {
  const Huizong__V1__RegionRef *reg = r->region;
  fprintf(cli->out, "%s %s  %s: %d of %d reported, %d approved, %d missing\n", reg ? reg->code : "",
          reg ? reg->name : "", r->period, r->reported_count, r->expected_count, r->approved_count,
          r->missing_count);
  if (r->deadline && *r->deadline)
    fprintf(cli->out, "deadline: %s\n", r->deadline);
  if (r->n_missing_region_codes > 0) {
    fputs("missing:", cli->out);
    for (size_t i = 0; i < r->n_missing_region_codes; i++)
      fprintf(cli->out, " %s", r->missing_region_codes[i]);
    fputc('\n', cli->out);
  }
  fputc('\n', cli->out);
}

static int print_completeness(hz_cli_t *cli, const Huizong__V1__CompletenessResponse *r) {
  hz_table_t t;
  hz_strpool_t pool;
  if (hz_table_init(&t, NCOLS, columns) < 0)
    return hz_cli_error(cli, "out of memory");
  hz_strpool_init(&pool);
  hz_table_set_align(&t, 0, HZ_ALIGN_LEFT);
  int rc = HZ_EXIT_OK;
  for (size_t i = 0; i < r->n_units && rc == HZ_EXIT_OK; i++) {
    const Huizong__V1__UnitStatus *u = r->units[i];
    const char *cells[NCOLS] = {
        u->region ? u->region->code : NULL,
        u->region ? u->region->name : NULL,
        hz_name_of(hz_names_approval_state, u->state),
        hz_cell_opt(u->last_submitted_at),
        hz_cell_opt(u->last_submitted_by),
        hz_cell_int(&pool, u->value_count),
        hz_cell_opt(u->approved_by),
        hz_cell_opt(u->approved_at),
        hz_cell_bool(u->exception_open),
        hz_cell_opt(u->last_submission_id),
    };
    if (hz_table_add_row(&t, cells) < 0)
      rc = hz_cli_error(cli, "out of memory");
  }
  if (rc == HZ_EXIT_OK) {
    if (cli->format == HZ_FORMAT_TABLE)
      print_counts(cli, r);
    rc = hz_write_table(cli, &t);
  }
  hz_table_free(&t);
  hz_strpool_free(&pool);
  return rc;
}

static int run_completeness(hz_cli_t *cli) {
  Huizong__V1__CompletenessRequest req = HUIZONG__V1__COMPLETENESS_REQUEST__INIT;
  const char *region, *period;
  int rc;
  if ((rc = hz_cli_need(cli, "region", &region)) != HZ_EXIT_OK ||
      (rc = hz_cli_need(cli, "period", &period)) != HZ_EXIT_OK)
    return rc;
  req.region_code = (char *)region;
  req.period = (char *)period;
  ProtobufCMessage *resp;
  rc = hz_cli_unary(cli, COMPLETENESS_METHOD, &req.base,
                    &huizong__v1__completeness_response__descriptor, &resp, NULL);
  if (rc == HZ_EXIT_OK) {
    rc = print_completeness(cli, (Huizong__V1__CompletenessResponse *)resp);
    protobuf_c_message_free_unpacked(resp, NULL);
  }
  return rc;
}

const hz_cli_cmd_t hz_cmd_completeness = {
    .name = "completeness",
    .summary = "which townships under a region have reported for a period",
    .opts = completeness_opts,
    .run = run_completeness,
};
