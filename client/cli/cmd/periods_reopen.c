/* "periods reopen": grants one township a deadline exception for one
 * period (Admin/ReopenPeriod): it may submit after its submission window
 * closed, until --expires or for good, recorded with who and why. It does
 * not lift an approval ("huizong reopen" does). */
#include "calls.h"
#include "commands.h"
#include "huizong/v1/admin.pb-c.h"
#include "present.h"
#include "reviewinfo.h"
#include "timearg.h"

#define REOPEN_PERIOD_METHOD "/huizong.v1.Admin/ReopenPeriod"

static const hz_cli_opt_t periods_reopen_opts[] = {
    {"region", "CODE", "the township (required)"},
    {"period", "PERIOD", "the closed period, e.g. 2022Q1 (required)"},
    {"reason", "TEXT", "why, e.g. 系统故障, 补报 (required; stored and audited)"},
    {"expires", "TIME",
     "accept submissions until then (RFC 3339, or a date in --tz, default +08:00); default: no "
     "expiry"},
    {NULL, NULL, NULL},
};

static int run_periods_reopen(hz_cli_t *cli) {
  const char *region, *period, *reason;
  const char *expires = hz_cli_opt(cli, "expires");
  char expires_at[HZ_TIMEARG_SIZE] = "";
  int rc;
  if ((rc = hz_cli_need(cli, "region", &region)) != HZ_EXIT_OK ||
      (rc = hz_cli_need(cli, "period", &period)) != HZ_EXIT_OK ||
      (rc = hz_cli_need(cli, "reason", &reason)) != HZ_EXIT_OK)
    return rc;
  if (expires && hz_timearg_normalize(expires, expires_at) < 0)
    return hz_cli_usage(cli, "invalid --expires '%s' (%s)", expires, HZ_TIMEARG_FORMS);
  Huizong__V1__ReopenPeriodRequest req = HUIZONG__V1__REOPEN_PERIOD_REQUEST__INIT;
  req.region_code = (char *)region;
  req.period = (char *)period;
  req.reason = (char *)reason;
  req.expires_at = expires_at;
  ProtobufCMessage *resp;
  rc = hz_cli_unary(cli, REOPEN_PERIOD_METHOD, &req.base,
                    &huizong__v1__period_exception__descriptor, &resp, NULL);
  if (rc != HZ_EXIT_OK)
    return rc;
  const char *cells[HZ_EXCEPTION_NFIELDS];
  hz_exception_cells((const Huizong__V1__PeriodException *)resp, cells);
  rc = hz_write_record(cli, HZ_EXCEPTION_NFIELDS, hz_exception_fields, cells);
  protobuf_c_message_free_unpacked(resp, NULL);
  return rc;
}

const hz_cli_cmd_t hz_cmd_periods_reopen = {
    .name = "periods reopen",
    .summary = "let a township submit for a period after its deadline (an exception)",
    .help = "Does not lift an approval: 'huizong reopen' does that.",
    .opts = periods_reopen_opts,
    .run = run_periods_reopen,
};
