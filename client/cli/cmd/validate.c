/* "validate": every validation-rule violation of the reports under a
 * region for one period (Aggregation/Validate), what a county checks
 * before approving (审核): errors first (强制性审核: the figures must be
 * corrected; approval is refused while one stands), then unexplained and
 * explained warnings (核实性审核), township and figures named; with
 * --skipped also the rules that could not be evaluated and why.
 *
 * The table is preceded by a summary line; CSV and JSON hold the rows
 * alone. Exit status 1 when any error stands, so a script can gate an
 * approval on it; 0 when only warnings (or nothing) remain. */
#include <stdio.h>

#include "calls.h"
#include "commands.h"
#include "huizong/v1/aggregation.pb-c.h"
#include "present.h"
#include "violations.h"

#define VALIDATE_METHOD "/huizong.v1.Aggregation/Validate"

static const hz_cli_opt_t validate_opts[] = {
    {"region", "CODE", "region at any level; its townships' reports are checked (required)"},
    {"period", "PERIOD", "period code, e.g. 2022Q1 (required)"},
    {"skipped", NULL, "also list rules that could not be evaluated, with the reason"},
    {NULL, NULL, NULL},
};

static void print_summary(hz_cli_t *cli, const Huizong__V1__ValidateResponse *r) {
  const Huizong__V1__RegionRef *reg = r->region;
  fprintf(cli->out,
          "%s %s  %s: %d township(s) checked; %d error(s) (强制性审核), %d warning(s) "
          "unexplained, %d explained (核实性审核)\n",
          reg ? reg->code : "", reg ? reg->name : "", r->period, r->units_checked, r->error_count,
          r->warning_count, r->explained_count);
  if (r->n_violations > 0)
    fputc('\n', cli->out);
}

static int print_validate(hz_cli_t *cli, const Huizong__V1__ValidateResponse *r, int skipped) {
  if (cli->format == HZ_FORMAT_TABLE)
    print_summary(cli, r);
  int rc = HZ_EXIT_OK;
  /* An empty table would print a lone header under the summary. */
  if (cli->format != HZ_FORMAT_TABLE || r->n_violations > 0)
    rc = hz_violations_write(cli, r->violations, r->n_violations, 1, skipped);
  if (rc == HZ_EXIT_OK && r->error_count > 0) {
    fprintf(cli->err,
            "%d error(s) stand under %s %s: correct the figures; approval is refused until then\n",
            r->error_count, r->region ? r->region->code : "", r->period);
    rc = HZ_EXIT_REFUSED;
  }
  return rc;
}

static int run_validate(hz_cli_t *cli) {
  Huizong__V1__ValidateRequest req = HUIZONG__V1__VALIDATE_REQUEST__INIT;
  const char *region, *period;
  int rc;
  if ((rc = hz_cli_need(cli, "region", &region)) != HZ_EXIT_OK ||
      (rc = hz_cli_need(cli, "period", &period)) != HZ_EXIT_OK)
    return rc;
  req.region_code = (char *)region;
  req.period = (char *)period;
  req.include_skipped = hz_cli_flag(cli, "skipped") > 0;
  ProtobufCMessage *resp;
  rc = hz_cli_unary(cli, VALIDATE_METHOD, &req.base, &huizong__v1__validate_response__descriptor,
                    &resp, NULL);
  if (rc == HZ_EXIT_OK) {
    rc = print_validate(cli, (Huizong__V1__ValidateResponse *)resp, req.include_skipped);
    protobuf_c_message_free_unpacked(resp, NULL);
  }
  return rc;
}

const hz_cli_cmd_t hz_cmd_validate = {
    .name = "validate",
    .summary = "validation-rule violations under a region for a period (审核), errors first",
    .help = "Lists every violation of the validation rules in the stored reports of the\n"
            "townships under --region for --period: errors (强制性审核; Approve is refused\n"
            "while one stands), then warnings without and with an explanation (核实性审核;\n"
            "the explanation is the value's comment). Exit status 1 when an error stands.",
    .opts = validate_opts,
    .run = run_validate,
};
