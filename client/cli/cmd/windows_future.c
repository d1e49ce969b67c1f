/* "windows open-future TYPE N": lets townships submit for the next N
 * periods of a type before they start (Admin/SetOpenFuturePeriods,
 * DHIS2's "open future periods"); 0 closes them again, so that a period
 * opens on its first day, China Standard Time. Prints the stored rule. */
#include <stdlib.h>

#include "calls.h"
#include "commands.h"
#include "huizong/v1/admin.pb-c.h"
#include "names.h"
#include "present.h"

#define OPEN_FUTURE_METHOD "/huizong.v1.Admin/SetOpenFuturePeriods"
#define MAX_OPEN_FUTURE    12 /* the server's bound (SetOpenFuturePeriods) */

static const char *const fields[] = {"period_type", "open_future_periods", "days_after_end",
                                     "updated_at", "updated_by"};
#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

/* Parses N: a whole number 0..MAX_OPEN_FUTURE. Returns 0 or -1. */
static int parse_count(const char *s, int32_t *out) {
  char *end;
  long v = strtol(s, &end, 10);
  if (end == s || *end || v < 0 || v > MAX_OPEN_FUTURE)
    return -1;
  *out = (int32_t)v;
  return 0;
}

static int run_windows_future(hz_cli_t *cli) {
  Huizong__V1__SetOpenFuturePeriodsRequest req = HUIZONG__V1__SET_OPEN_FUTURE_PERIODS_REQUEST__INIT;
  int type_v;
  if (hz_name_parse(hz_names_period_type, cli->args[0], 0, &type_v) < 0)
    return hz_cli_usage(cli, "invalid TYPE '%s' (month, quarter, half_year or year)", cli->args[0]);
  if (parse_count(cli->args[1], &req.count) < 0)
    return hz_cli_usage(cli, "invalid N '%s' (a whole number 0..%d; 0 = none open early)",
                        cli->args[1], MAX_OPEN_FUTURE);
  req.period_type = type_v;
  ProtobufCMessage *resp;
  int rc = hz_cli_unary(cli, OPEN_FUTURE_METHOD, &req.base,
                        &huizong__v1__submission_window__descriptor, &resp, NULL);
  if (rc != HZ_EXIT_OK)
    return rc;
  const Huizong__V1__SubmissionWindow *w = (const void *)resp;
  hz_strpool_t pool;
  hz_strpool_init(&pool);
  const char *cells[NFIELDS] = {
      hz_name_of(hz_names_period_type, w->period_type),
      hz_cell_int(&pool, w->open_future_periods),
      hz_cell_int(&pool, w->days_after_end),
      hz_cell_opt(w->updated_at),
      hz_cell_opt(w->updated_by),
  };
  rc = hz_write_record(cli, NFIELDS, fields, cells);
  hz_strpool_free(&pool);
  protobuf_c_message_free_unpacked(resp, NULL);
  return rc;
}

const hz_cli_cmd_t hz_cmd_windows_future = {
    .name = "windows open-future",
    .args = "TYPE N",
    .summary = "let townships submit for the next N periods of a type before they start",
    .help = "A period is accepted from its first day (China Standard Time); earlier\n"
            "submissions are refused (FAILED_PRECONDITION naming the first day). N opens\n"
            "the N periods after the current one (0..12); 0 closes them again. TYPE is\n"
            "month, quarter, half_year or year. Audited like 'windows set'.",
    .min_args = 2,
    .max_args = 2,
    .run = run_windows_future,
};
