/* "tokens create": issues a bearer token (Admin/CreateToken). The secret
 * exists only in this answer, so in table format it is printed alone on
 * the last line of standard output, ready for `| tail -n 1`; CSV and JSON
 * carry it as the "token" field of the record instead. */
#include <stdio.h>

#include "calls.h"
#include "commands.h"
#include "names.h"
#include "present.h"
#include "tokeninfo.h"

#define CREATE_TOKEN_METHOD "/huizong.v1.Admin/CreateToken"

static const hz_cli_opt_t tokens_create_opts[] = {
    {"role", "ROLE", "township, county or admin (required)"},
    {"region", "CODE", "scope: the township (township role) or the subtree root (county role)"},
    {"name", "NAME", "human label, shown in audit entries, e.g. 城关镇统计员 (required)"},
    {NULL, NULL, NULL},
};

static int print_created(hz_cli_t *cli, const Huizong__V1__CreateTokenResponse *r) {
  if (!r->token || !r->secret || !*r->secret)
    return hz_cli_error(cli, "the server's answer lacks the token");
  if (cli->format == HZ_FORMAT_TABLE) {
    int rc = hz_token_print(cli, r->token);
    fprintf(cli->out, "\nThe token is shown only this once; store it now:\n%s\n", r->secret);
    return rc;
  }
  const char *keys[HZ_TOKEN_NFIELDS + 1];
  const char *cells[HZ_TOKEN_NFIELDS + 1];
  hz_token_cells(r->token, cells);
  for (size_t i = 0; i < HZ_TOKEN_NFIELDS; i++)
    keys[i] = hz_token_fields[i];
  keys[HZ_TOKEN_NFIELDS] = "token";
  cells[HZ_TOKEN_NFIELDS] = r->secret;
  return hz_write_record(cli, HZ_TOKEN_NFIELDS + 1, keys, cells);
}

static int run_tokens_create(hz_cli_t *cli) {
  const char *role = hz_cli_opt(cli, "role");
  const char *name = hz_cli_opt(cli, "name");
  const char *region = hz_cli_opt(cli, "region");
  int role_v;
  if (!role)
    return hz_cli_usage(cli, "--role is required (township, county or admin)");
  if (hz_name_parse(hz_names_role, role, 0, &role_v) < 0)
    return hz_cli_usage(cli, "invalid --role '%s' (township, county or admin)", role);
  if (!name || !*name)
    return hz_cli_usage(cli, "--name is required");
  Huizong__V1__CreateTokenRequest req = HUIZONG__V1__CREATE_TOKEN_REQUEST__INIT;
  req.name = (char *)name;
  req.role = role_v;
  req.region_code = (char *)(region ? region : "");
  ProtobufCMessage *resp;
  int rc = hz_cli_unary(cli, CREATE_TOKEN_METHOD, &req.base,
                        &huizong__v1__create_token_response__descriptor, &resp, NULL);
  if (rc != HZ_EXIT_OK)
    return rc;
  rc = print_created(cli, (Huizong__V1__CreateTokenResponse *)resp);
  protobuf_c_message_free_unpacked(resp, NULL);
  return rc;
}

const hz_cli_cmd_t hz_cmd_tokens_create = {
    .name = "tokens create",
    .summary = "issue a bearer token; the token itself is the last line of the output",
    .help = "In table format the token is printed alone on the last line of standard output\n"
            "(e.g. TOKEN=$(huizong-admin tokens create ... | tail -n 1)); in CSV and JSON it\n"
            "is the record's \"token\" field.",
    .opts = tokens_create_opts,
    .run = run_tokens_create,
};
