/* "rules disable CODE" and "rules enable CODE": switch a validation rule
 * off or on again (Admin/SetRuleActive, audited with the reason). One
 * request and one record for both; only disabling requires a reason, since
 * a rule then stops guarding submissions and the audit must say why. */
#include "calls.h"
#include "commands.h"
#include "huizong/v1/admin.pb-c.h"
#include "present.h"

#define SET_RULE_ACTIVE_METHOD "/huizong.v1.Admin/SetRuleActive"

static const hz_cli_opt_t rules_disable_opts[] = {
    {"reason", "TEXT", "why (recorded in the audit entry; required)"},
    {NULL, NULL, NULL},
};

static const hz_cli_opt_t rules_enable_opts[] = {
    {"reason", "TEXT", "why (recorded in the audit entry)"},
    {NULL, NULL, NULL},
};

static int set_rule_active(hz_cli_t *cli, int active) {
  Huizong__V1__SetRuleActiveRequest req = HUIZONG__V1__SET_RULE_ACTIVE_REQUEST__INIT;
  const char *reason = hz_cli_opt(cli, "reason");
  if (!active && (!reason || !*reason))
    return hz_cli_usage(cli, "rules disable needs --reason TEXT");
  req.code = cli->args[0];
  req.active = active;
  req.reason = (char *)(reason ? reason : "");
  ProtobufCMessage *resp;
  int rc = hz_cli_unary(cli, SET_RULE_ACTIVE_METHOD, &req.base,
                        &huizong__v1__validation_rule__descriptor, &resp, NULL);
  if (rc != HZ_EXIT_OK)
    return rc;
  const Huizong__V1__ValidationRule *v = (const Huizong__V1__ValidationRule *)resp;
  const char *keys[] = {"code", "name", "active", "updated_at", "updated_by"};
  const char *vals[] = {v->code, v->name, hz_cell_bool(v->active), hz_cell_opt(v->updated_at),
                        hz_cell_opt(v->updated_by)};
  rc = hz_write_record(cli, 5, keys, vals);
  protobuf_c_message_free_unpacked(resp, NULL);
  return rc;
}

static int run_rules_disable(hz_cli_t *cli) {
  return set_rule_active(cli, 0);
}

static int run_rules_enable(hz_cli_t *cli) {
  return set_rule_active(cli, 1);
}

const hz_cli_cmd_t hz_cmd_rules_disable = {
    .name = "rules disable",
    .args = "CODE",
    .summary = "disable a validation rule (audited with --reason)",
    .opts = rules_disable_opts,
    .min_args = 1,
    .max_args = 1,
    .run = run_rules_disable,
};

const hz_cli_cmd_t hz_cmd_rules_enable = {
    .name = "rules enable",
    .args = "CODE",
    .summary = "enable a disabled validation rule again (audited)",
    .opts = rules_enable_opts,
    .min_args = 1,
    .max_args = 1,
    .run = run_rules_enable,
};
