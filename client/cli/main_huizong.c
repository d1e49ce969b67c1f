/* huizong: the township clerk's and county analyst's client. Commands are
 * listed here and live in their own files under cmd/. */
#include "cmd/commands.h"

static const hz_cli_cmd_t *const commands[] = {
    &hz_cmd_submit,           &hz_cmd_indicators, &hz_cmd_template,
    &hz_cmd_rollup,           &hz_cmd_series,     &hz_cmd_completeness,
    &hz_cmd_report,           &hz_cmd_validate,   &hz_cmd_export,
    &hz_cmd_approve,          &hz_cmd_reopen,     &hz_cmd_submissions_list,
    &hz_cmd_submissions_show, &hz_cmd_health,     NULL,
};

static const hz_cli_program_t program = {
    .name = "huizong",
    .summary = "Submit township figures to huizongd and read county rollups.",
    .cmds = commands,
};

int main(int argc, char **argv) {
  return hz_cli_main(&program, argc, argv);
}
