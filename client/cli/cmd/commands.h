/* Every subcommand of huizong and huizong-admin. A command is one file in
 * client/cli/cmd/ (named after it: cmd/regions_import.c is "regions
 * import") defining one hz_cli_cmd_t; adding one is that file, its line
 * here, its line in client/meson.build and its entry in the table of
 * main_huizong.c and/or main_admin.c. Shared machinery (options, output,
 * files, calls, presentation) lives one level up, in client/cli/. */
#ifndef HZ_CLI_COMMANDS_H
#define HZ_CLI_COMMANDS_H

#include "cli.h"

extern const hz_cli_cmd_t hz_cmd_health; /* cmd/health.c */

/* huizong: township clerks */
extern const hz_cli_cmd_t hz_cmd_submit;     /* cmd/submit.c */
extern const hz_cli_cmd_t hz_cmd_indicators; /* cmd/indicators.c */
extern const hz_cli_cmd_t hz_cmd_template;   /* cmd/template.c */

/* huizong: county analysts */
extern const hz_cli_cmd_t hz_cmd_rollup;       /* cmd/rollup.c */
extern const hz_cli_cmd_t hz_cmd_series;       /* cmd/series.c */
extern const hz_cli_cmd_t hz_cmd_completeness; /* cmd/completeness.c */
extern const hz_cli_cmd_t hz_cmd_report;       /* cmd/report.c */
extern const hz_cli_cmd_t hz_cmd_export;       /* cmd/export.c */
extern const hz_cli_cmd_t hz_cmd_validate;     /* cmd/validate.c */

/* huizong: review (county analysts; also in huizong-admin) */
extern const hz_cli_cmd_t hz_cmd_approve;          /* cmd/approve.c */
extern const hz_cli_cmd_t hz_cmd_reopen;           /* cmd/reopen.c */
extern const hz_cli_cmd_t hz_cmd_submissions_list; /* cmd/submissions_list.c */
extern const hz_cli_cmd_t hz_cmd_submissions_show; /* cmd/submissions_show.c */

/* huizong-admin */
extern const hz_cli_cmd_t hz_cmd_regions_import;     /* cmd/regions_import.c */
extern const hz_cli_cmd_t hz_cmd_regions_list;       /* cmd/regions_list.c */
extern const hz_cli_cmd_t hz_cmd_regions_tree;       /* cmd/regions_tree.c */
extern const hz_cli_cmd_t hz_cmd_indicators_import;  /* cmd/indicators_import.c */
extern const hz_cli_cmd_t hz_cmd_indicators_list;    /* cmd/indicators_list.c */
extern const hz_cli_cmd_t hz_cmd_tokens_create;      /* cmd/tokens_create.c */
extern const hz_cli_cmd_t hz_cmd_tokens_list;        /* cmd/tokens_list.c */
extern const hz_cli_cmd_t hz_cmd_tokens_revoke;      /* cmd/tokens_revoke.c */
extern const hz_cli_cmd_t hz_cmd_targets_import;     /* cmd/targets_import.c */
extern const hz_cli_cmd_t hz_cmd_targets_list;       /* cmd/targets_list.c */
extern const hz_cli_cmd_t hz_cmd_whoami;             /* cmd/whoami.c */
extern const hz_cli_cmd_t hz_cmd_periods_reopen;     /* cmd/periods_reopen.c */
extern const hz_cli_cmd_t hz_cmd_periods_exceptions; /* cmd/periods_exceptions.c */
extern const hz_cli_cmd_t hz_cmd_windows_list;       /* cmd/windows_list.c */
extern const hz_cli_cmd_t hz_cmd_windows_set;        /* cmd/windows_set.c */
extern const hz_cli_cmd_t hz_cmd_windows_future;     /* cmd/windows_future.c */
extern const hz_cli_cmd_t hz_cmd_audit;              /* cmd/audit.c */
extern const hz_cli_cmd_t hz_cmd_rules_import;       /* cmd/rules_import.c */
extern const hz_cli_cmd_t hz_cmd_rules_list;         /* cmd/rules_list.c */
extern const hz_cli_cmd_t hz_cmd_rules_disable;      /* cmd/rules_disable.c */
extern const hz_cli_cmd_t hz_cmd_rules_enable;       /* cmd/rules_enable.c */

#endif
