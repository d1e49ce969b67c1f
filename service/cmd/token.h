/* `huizongd token create`: the operator's bootstrap, straight to the
 * database (no server, no token needed), printing the new token last. */
#ifndef HZ_CMD_TOKEN_H
#define HZ_CMD_TOKEN_H

/* argv[0] is "token". Returns the process exit code. */
int hz_cmd_token(int argc, char **argv, const char *conninfo);

#endif
