/* "whoami": the calling token's own record (Admin/WhoAmI): a quick check
 * that --addr and --token are right and what the token may do. */
#include "calls.h"
#include "commands.h"
#include "tokeninfo.h"

#define WHOAMI_METHOD "/huizong.v1.Admin/WhoAmI"

static int run_whoami(hz_cli_t *cli) {
  Huizong__V1__WhoAmIRequest req = HUIZONG__V1__WHO_AM_IREQUEST__INIT;
  ProtobufCMessage *resp;
  int rc = hz_cli_unary(cli, WHOAMI_METHOD, &req.base, &huizong__v1__token_info__descriptor, &resp,
                        NULL);
  if (rc != HZ_EXIT_OK)
    return rc;
  rc = hz_token_print(cli, (Huizong__V1__TokenInfo *)resp);
  protobuf_c_message_free_unpacked(resp, NULL);
  return rc;
}

const hz_cli_cmd_t hz_cmd_whoami = {
    .name = "whoami",
    .summary = "show the calling token's record (name, role, region)",
    .run = run_whoami,
};
