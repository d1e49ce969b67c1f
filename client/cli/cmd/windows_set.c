/* "windows set": sets how many days after its end a period type closes
 * for submissions (Admin/SetSubmissionWindow); 0 keeps it open for ever.
 * Prints the stored rule. */
#include <stdlib.h>

#include "calls.h"
#include "commands.h"
#include "huizong/v1/admin.pb-c.h"
#include "names.h"
#include "present.h"

#define SET_WINDOW_METHOD "/huizong.v1.Admin/SetSubmissionWindow"

static const hz_cli_opt_t windows_set_opts[] = {
    {"period-type", "TYPE", "month, quarter, half_year or year (required)"},
    {"days", "N", "days after the period ends; 0 = never closes (required)"},
    {NULL, NULL, NULL},
};

static const char *const fields[] = {"period_type", "days_after_end", "updated_at", "updated_by"};
#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

/* Parses --days: a whole number of days, 0 or more. Returns 0 or -1. */
static int parse_days(const char *s, int32_t *out) {
  char *end;
  long v = strtol(s, &end, 10);
  if (end == s || *end || v < 0 || v > INT32_MAX)
    return -1;
  *out = (int32_t)v;
  return 0;
}

static int run_windows_set(hz_cli_t *cli) {
  const char *type, *days;
  int rc;
  if ((rc = hz_cli_need(cli, "period-type", &type)) != HZ_EXIT_OK ||
      (rc = hz_cli_need(cli, "days", &days)) != HZ_EXIT_OK)
    return rc;
  Huizong__V1__SetSubmissionWindowRequest req = HUIZONG__V1__SET_SUBMISSION_WINDOW_REQUEST__INIT;
  int type_v;
  if (hz_name_parse(hz_names_period_type, type, 0, &type_v) < 0)
    return hz_cli_usage(cli, "invalid --period-type '%s' (month, quarter, half_year or year)",
                        type);
  if (parse_days(days, &req.days_after_end) < 0)
    return hz_cli_usage(cli, "invalid --days '%s' (a whole number, 0 = never closes)", days);
  req.period_type = type_v;
  ProtobufCMessage *resp;
  rc = hz_cli_unary(cli, SET_WINDOW_METHOD, &req.base, &huizong__v1__submission_window__descriptor,
                    &resp, NULL);
  if (rc != HZ_EXIT_OK)
    return rc;
  const Huizong__V1__SubmissionWindow *w = (const void *)resp;
  hz_strpool_t pool;
  hz_strpool_init(&pool);
  const char *cells[NFIELDS] = {
      hz_name_of(hz_names_period_type, w->period_type),
      hz_cell_int(&pool, w->days_after_end),
      hz_cell_opt(w->updated_at),
      hz_cell_opt(w->updated_by),
  };
  rc = hz_write_record(cli, NFIELDS, fields, cells);
  hz_strpool_free(&pool);
  protobuf_c_message_free_unpacked(resp, NULL);
  return rc;
}

const hz_cli_cmd_t hz_cmd_windows_set = {
    .name = "windows set",
    .summary = "set how many days after its end a period type closes for submissions",
    .help = "A period closes N days after it ends; late submissions are refused\n"
            "(FAILED_PRECONDITION naming the deadline) unless 'periods reopen' granted the\n"
            "township an exception. --days 0 keeps periods of that type open for ever.",
    .opts = windows_set_opts,
    .run = run_windows_set,
};
