/* Every subcommand of huizong and huizong-admin, each defined in its own
 * cmd_*.c file and listed in the tables of main_huizong.c / main_admin.c. */
#ifndef HZ_CLI_COMMANDS_H
#define HZ_CLI_COMMANDS_H

#include "cli.h"

extern const hz_cli_cmd_t hz_cmd_health; /* cmd_health.c */

/* huizong: township clerks */
extern const hz_cli_cmd_t hz_cmd_submit; /* cmd_submit.c */

/* huizong: county analysts */
extern const hz_cli_cmd_t hz_cmd_rollup;       /* cmd_rollup.c */
extern const hz_cli_cmd_t hz_cmd_series;       /* cmd_series.c */
extern const hz_cli_cmd_t hz_cmd_completeness; /* cmd_completeness.c */
extern const hz_cli_cmd_t hz_cmd_report;       /* cmd_report.c */
extern const hz_cli_cmd_t hz_cmd_export;       /* cmd_export.c */

/* huizong: review (county analysts; also in huizong-admin) */
extern const hz_cli_cmd_t hz_cmd_approve;          /* cmd_approve.c */
extern const hz_cli_cmd_t hz_cmd_reopen;           /* cmd_reopen.c */
extern const hz_cli_cmd_t hz_cmd_submissions_list; /* cmd_submissions_list.c */
extern const hz_cli_cmd_t hz_cmd_submissions_show; /* cmd_submissions_show.c */

/* huizong-admin */
extern const hz_cli_cmd_t hz_cmd_regions_import;    /* cmd_regions_import.c */
extern const hz_cli_cmd_t hz_cmd_regions_list;      /* cmd_regions_list.c */
extern const hz_cli_cmd_t hz_cmd_regions_tree;      /* cmd_regions_tree.c */
extern const hz_cli_cmd_t hz_cmd_indicators_import; /* cmd_indicators_import.c */
extern const hz_cli_cmd_t hz_cmd_indicators_list;   /* cmd_indicators_list.c */
extern const hz_cli_cmd_t hz_cmd_tokens_create;     /* cmd_tokens_create.c */
extern const hz_cli_cmd_t hz_cmd_tokens_list;       /* cmd_tokens_list.c */
extern const hz_cli_cmd_t hz_cmd_tokens_revoke;     /* cmd_tokens_revoke.c */
extern const hz_cli_cmd_t hz_cmd_targets_import;    /* cmd_targets_import.c */
extern const hz_cli_cmd_t hz_cmd_targets_list;      /* cmd_targets_list.c */
extern const hz_cli_cmd_t hz_cmd_whoami;            /* cmd_whoami.c */
extern const hz_cli_cmd_t hz_cmd_periods_reopen;     /* cmd_periods_reopen.c */
extern const hz_cli_cmd_t hz_cmd_periods_exceptions; /* cmd_periods_exceptions.c */
extern const hz_cli_cmd_t hz_cmd_windows_list;       /* cmd_windows_list.c */
extern const hz_cli_cmd_t hz_cmd_windows_set;        /* cmd_windows_set.c */
extern const hz_cli_cmd_t hz_cmd_audit;              /* cmd_audit.c */

#endif
