/* "rules list": the validation rules (Admin/ListRules), by code. */
#include <stdio.h>
#include <string.h>

#include "calls.h"
#include "commands.h"
#include "huizong/v1/admin.pb-c.h"
#include "names.h"
#include "present.h"

#define LIST_RULES_METHOD "/huizong.v1.Admin/ListRules"

static const hz_cli_opt_t rules_list_opts[] = {
    {"all", NULL, "also disabled rules"},
    {NULL, NULL, NULL},
};

static const char *const columns[] = {
    "code",    "name",   "rule",       "severity",   "period_types",
    "message", "active", "updated_at", "updated_by",
};
#define NCOLS (sizeof(columns) / sizeof(columns[0]))

/* "debt_resolved <= debt_locked ± 0.5" */
static const char *rule_text(hz_strpool_t *p, const Huizong__V1__ValidationRule *v) {
  if (v->tolerance && v->tolerance->value[0])
    return hz_strpool_printf(p, "%s %s %s (±%s)", v->left, v->op, v->right, v->tolerance->value);
  return hz_strpool_printf(p, "%s %s %s", v->left, v->op, v->right);
}

static const char *types_text(hz_strpool_t *p, const Huizong__V1__ValidationRule *v) {
  char buf[64] = "";
  size_t len = 0;
  if (v->n_period_types == 0)
    return "every";
  for (size_t k = 0; k < v->n_period_types && len < sizeof(buf) - 16; k++)
    len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", k ? "," : "",
                            hz_name_of(hz_names_period_type, (int)v->period_types[k]));
  return hz_strpool_printf(p, "%s", buf);
}

static int add_rows(hz_table_t *t, hz_strpool_t *p, const Huizong__V1__ListRulesResponse *resp) {
  for (size_t i = 0; i < resp->n_rules; i++) {
    const Huizong__V1__ValidationRule *v = resp->rules[i];
    const char *cells[NCOLS] = {
        v->code,
        v->name,
        rule_text(p, v),
        v->severity == HUIZONG__V1__SEVERITY__SEVERITY_ERROR ? "error" : "warning",
        types_text(p, v),
        v->message,
        hz_cell_bool(v->active),
        hz_cell_opt(v->updated_at),
        hz_cell_opt(v->updated_by),
    };
    if (hz_table_add_row(t, cells) < 0)
      return HZ_EXIT_REFUSED;
  }
  return HZ_EXIT_OK;
}

static int run_rules_list(hz_cli_t *cli) {
  Huizong__V1__ListRulesRequest req = HUIZONG__V1__LIST_RULES_REQUEST__INIT;
  req.include_inactive = hz_cli_flag(cli, "all") > 0;
  ProtobufCMessage *resp;
  int rc = hz_cli_unary(cli, LIST_RULES_METHOD, &req.base,
                        &huizong__v1__list_rules_response__descriptor, &resp, NULL);
  if (rc != HZ_EXIT_OK)
    return rc;
  hz_table_t t;
  hz_strpool_t p;
  hz_strpool_init(&p);
  if (hz_table_init(&t, NCOLS, columns) < 0) {
    protobuf_c_message_free_unpacked(resp, NULL);
    return hz_cli_error(cli, "out of memory");
  }
  rc = add_rows(&t, &p, (const Huizong__V1__ListRulesResponse *)resp);
  if (rc == HZ_EXIT_OK)
    rc = hz_write_table(cli, &t);
  hz_table_free(&t);
  hz_strpool_free(&p);
  protobuf_c_message_free_unpacked(resp, NULL);
  return rc;
}

const hz_cli_cmd_t hz_cmd_rules_list = {
    .name = "rules list",
    .summary = "list validation rules (审核公式)",
    .opts = rules_list_opts,
    .run = run_rules_list,
};
