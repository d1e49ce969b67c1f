/* "tokens revoke ID": revokes a token at once (Admin/RevokeToken); its
 * next call is UNAUTHENTICATED. --name revokes the active token of that
 * name instead. Prints the token's record as it now stands. */
#include "calls.h"
#include "commands.h"
#include "tokeninfo.h"

#define REVOKE_TOKEN_METHOD "/huizong.v1.Admin/RevokeToken"

static const hz_cli_opt_t tokens_revoke_opts[] = {
    {"name", "NAME", "revoke the active token with this name instead of an ID"},
    {NULL, NULL, NULL},
};

static int run_tokens_revoke(hz_cli_t *cli) {
  const char *name = hz_cli_opt(cli, "name");
  if ((cli->nargs == 1) == (name != NULL))
    return hz_cli_usage(cli, "give either a token ID or --name NAME");
  Huizong__V1__RevokeTokenRequest req = HUIZONG__V1__REVOKE_TOKEN_REQUEST__INIT;
  req.id = cli->nargs == 1 ? cli->args[0] : (char *)"";
  req.name = (char *)(name ? name : "");
  ProtobufCMessage *resp;
  int rc = hz_cli_unary(cli, REVOKE_TOKEN_METHOD, &req.base, &huizong__v1__token_info__descriptor,
                        &resp, NULL);
  if (rc != HZ_EXIT_OK)
    return rc;
  rc = hz_token_print(cli, (Huizong__V1__TokenInfo *)resp);
  protobuf_c_message_free_unpacked(resp, NULL);
  return rc;
}

const hz_cli_cmd_t hz_cmd_tokens_revoke = {
    .name = "tokens revoke",
    .args = "ID",
    .summary = "revoke a token by ID (or --name)",
    .opts = tokens_revoke_opts,
    .min_args = 0,
    .max_args = 1,
    .run = run_tokens_revoke,
};
