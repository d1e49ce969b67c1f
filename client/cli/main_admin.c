/* huizong-admin: the administrator's client (regions, indicators, tokens,
 * targets, approvals, audit). Commands live in their own files under cmd/. */
#include "cmd/commands.h"

static const hz_cli_cmd_t *const commands[] = {
    &hz_cmd_regions_import,
    &hz_cmd_regions_list,
    &hz_cmd_regions_tree,
    &hz_cmd_indicators_import,
    &hz_cmd_indicators_list,
    &hz_cmd_tokens_create,
    &hz_cmd_tokens_list,
    &hz_cmd_tokens_revoke,
    &hz_cmd_targets_import,
    &hz_cmd_targets_list,
    &hz_cmd_rules_import,
    &hz_cmd_rules_list,
    &hz_cmd_rules_disable,
    &hz_cmd_rules_enable,
    &hz_cmd_approve,
    &hz_cmd_reopen,
    &hz_cmd_periods_reopen,
    &hz_cmd_periods_exceptions,
    &hz_cmd_windows_list,
    &hz_cmd_windows_set,
    &hz_cmd_windows_future,
    &hz_cmd_audit,
    &hz_cmd_submissions_list,
    &hz_cmd_submissions_show,
    &hz_cmd_whoami,
    &hz_cmd_health,
    NULL,
};

static const hz_cli_program_t program = {
    .name = "huizong-admin",
    .summary = "Administer huizongd: regions, indicators, tokens, targets, approvals, audit.",
    .cmds = commands,
};

int main(int argc, char **argv) {
  return hz_cli_main(&program, argc, argv);
}
