/* Every subcommand of huizong and huizong-admin, each defined in its own
 * cmd_*.c file and listed in the tables of main_huizong.c / main_admin.c. */
#ifndef HZ_CLI_COMMANDS_H
#define HZ_CLI_COMMANDS_H

#include "cli.h"

extern const hz_cli_cmd_t hz_cmd_health; /* cmd_health.c */

#endif
