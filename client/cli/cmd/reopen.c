/* "reopen": undoes a township's approval for a period (Admin/Reopen) so
 * that it may correct its data; prints the record after the call. A period
 * that is not approved is returned unchanged. County tokens act within
 * their subtree. */
#include <stdio.h>

#include "reviewinfo.h"
#include "calls.h"
#include "commands.h"
#include "huizong/v1/admin.pb-c.h"
#include "present.h"

#define REOPEN_METHOD "/huizong.v1.Admin/Reopen"

static const hz_cli_opt_t reopen_opts[] = {
    {"region", "CODE", "the township (required)"},
    {"period", "PERIOD", "the approved period, e.g. 2022Q1 (required)"},
    {"reason", "TEXT", "why it is reopened, stored and audited"},
    {NULL, NULL, NULL},
};

static int run_reopen(hz_cli_t *cli) {
  const char *region, *period;
  const char *reason = hz_cli_opt(cli, "reason");
  int rc;
  if ((rc = hz_cli_need(cli, "region", &region)) != HZ_EXIT_OK ||
      (rc = hz_cli_need(cli, "period", &period)) != HZ_EXIT_OK)
    return rc;
  Huizong__V1__ReopenRequest req = HUIZONG__V1__REOPEN_REQUEST__INIT;
  req.region_code = (char *)region;
  req.period = (char *)period;
  req.reason = (char *)(reason ? reason : "");
  ProtobufCMessage *resp;
  rc = hz_cli_unary(cli, REOPEN_METHOD, &req.base, &huizong__v1__approval_response__descriptor,
                    &resp, NULL);
  if (rc != HZ_EXIT_OK)
    return rc;
  const Huizong__V1__ApprovalResponse *r = (const void *)resp;
  if (!r->changed && r->approval)
    fprintf(cli->err, "note: %s %s was not approved; nothing changed\n", region, period);
  rc = hz_approval_print(cli, r);
  protobuf_c_message_free_unpacked(resp, NULL);
  return rc;
}

const hz_cli_cmd_t hz_cmd_reopen = {
    .name = "reopen",
    .summary = "undo a township's approval for a period so that it may submit again",
    .help = "This lifts an approval. A period closed by its submission window is opened\n"
            "for one township with 'huizong-admin periods reopen' instead.",
    .opts = reopen_opts,
    .run = run_reopen,
};
