/* "tokens list": issued tokens without their secrets (Admin/ListTokens,
 * every page), newest first. */
#include "calls.h"
#include "commands.h"
#include "huizong/v1/admin.pb-c.h"
#include "names.h"
#include "present.h"
#include "tokeninfo.h"

#define LIST_TOKENS_METHOD "/huizong.v1.Admin/ListTokens"

static const hz_cli_opt_t tokens_list_opts[] = {
    {"all", NULL, "include revoked tokens"},
    {"role", "ROLE", "only this role: township, county or admin"},
    {"region", "CODE", "only tokens scoped to exactly this region"},
    {"page-size", "N", "rows fetched per call (default: the server's); all pages are shown"},
    {NULL, NULL, NULL},
};

static int add_page(void *ud, const ProtobufCMessage *msg) {
  hz_table_t *t = ud;
  const Huizong__V1__ListTokensResponse *page = (const void *)msg;
  for (size_t i = 0; i < page->n_tokens; i++) {
    const char *cells[HZ_TOKEN_NFIELDS];
    hz_token_cells(page->tokens[i], cells);
    if (hz_table_add_row(t, cells) < 0)
      return HZ_EXIT_REFUSED;
  }
  return HZ_EXIT_OK;
}

static int run_tokens_list(hz_cli_t *cli) {
  const char *role = hz_cli_opt(cli, "role");
  const char *region = hz_cli_opt(cli, "region");
  Huizong__V1__ListTokensRequest req = HUIZONG__V1__LIST_TOKENS_REQUEST__INIT;
  int role_v = 0;
  if (role && hz_name_parse(hz_names_role, role, 0, &role_v) < 0)
    return hz_cli_usage(cli, "invalid --role '%s' (township, county or admin)", role);
  req.role = role_v;
  req.include_revoked = hz_cli_flag(cli, "all") > 0;
  req.region_code = (char *)(region ? region : "");
  hz_table_t t;
  if (hz_table_init(&t, HZ_TOKEN_NFIELDS, hz_token_fields) < 0)
    return hz_cli_error(cli, "out of memory");
  hz_table_set_align(&t, 0, HZ_ALIGN_RIGHT);
  hz_table_set_align(&t, 3, HZ_ALIGN_LEFT);
  int rc = hz_cli_unary_pages(cli, LIST_TOKENS_METHOD, &req.base,
                              &huizong__v1__list_tokens_response__descriptor, add_page, &t);
  if (rc == HZ_EXIT_OK)
    rc = hz_write_table(cli, &t);
  hz_table_free(&t);
  return rc;
}

const hz_cli_cmd_t hz_cmd_tokens_list = {
    .name = "tokens list",
    .summary = "list tokens (never their secrets)",
    .opts = tokens_list_opts,
    .run = run_tokens_list,
};
