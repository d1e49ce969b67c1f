/* The command-line framework both CLIs are built on: common options and
 * their environment variables, subcommand dispatch through a table,
 * per-command options, help text, exit codes, and the one place that turns
 * a gRPC status into "error: STATUS: message". A command is an
 * hz_cli_cmd_t in its own file under cmd/, listed in a program's table
 * (cmd/commands.h says how to add one). */
#ifndef HZ_CLI_H
#define HZ_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hzclient.h"
#include "output.h"

/* Exit codes promised by the design brief. */
enum {
  HZ_EXIT_OK = 0,      /* success */
  HZ_EXIT_REFUSED = 1, /* the server said no, or could not be reached */
  HZ_EXIT_USAGE = 2,   /* bad command line */
};

#define HZ_CLI_DEFAULT_ADDR       "127.0.0.1:50051"
#define HZ_CLI_DEFAULT_TIMEOUT_MS 30000

/* A command-specific option. */
typedef struct hz_cli_opt_s {
  const char *name;    /* long name without "--"; NULL ends a list */
  const char *metavar; /* placeholder of its value; NULL for a flag */
  const char *help;    /* one line for --help */
} hz_cli_opt_t;

typedef struct hz_cli_s hz_cli_t;

/* A subcommand. */
typedef struct hz_cli_cmd_s {
  const char *name;          /* one or more words: "health", "tokens create" */
  const char *args;          /* synopsis of positional arguments, or NULL */
  const char *summary;       /* one line for the command list */
  const char *help;          /* more for 'COMMAND --help' (may span lines), or NULL */
  const hz_cli_opt_t *opts;  /* its own options, NULL-name terminated; may be NULL */
  size_t min_args;           /* fewest positional arguments accepted */
  size_t max_args;           /* most positional arguments accepted */
  int (*run)(hz_cli_t *cli); /* returns an HZ_EXIT_* code */
} hz_cli_cmd_t;

/* A whole CLI: its name and its NULL-terminated command table. */
typedef struct hz_cli_program_s {
  const char *name;                /* "huizong" */
  const char *summary;             /* what it is for, one line */
  const hz_cli_cmd_t *const *cmds; /* commands, NULL-terminated */
} hz_cli_program_t;

/* Everything a command sees. */
struct hz_cli_s {
  const hz_cli_program_t *prog; /* the running CLI */
  const hz_cli_cmd_t *cmd;      /* the chosen command */
  const char *addr;             /* --addr / HUIZONG_ADDR / default */
  const char *token;            /* --token / HUIZONG_TOKEN, NULL if none */
  const char *ca;               /* --ca / HUIZONG_CA, NULL if none */
  int64_t timeout_ms;           /* --timeout in ms, 0 = no deadline */
  int timeout_set;              /* --timeout was given explicitly */
  hz_format_t format;           /* --format (also in o.format) */
  hz_lang_t lang;               /* --lang / the locale (also in o.lang) */
  int tz_minutes;               /* --tz / HUIZONG_TZ / +08:00 (also in o.tz_minutes) */
  hz_out_t o;                   /* where and how results go: output.h */
  const char **values;          /* per command option: last value given, or NULL */
  int *counts;                  /* per command option: times given */
  const char **given;           /* every option value in command-line order,
                                 * for options that may be repeated */
  int *given_opt;               /* index of the option each given[] belongs to */
  size_t ngiven;                /* entries in given and given_opt */
  char **args;                  /* positional arguments */
  size_t nargs;                 /* how many */
  hzc_client_t *client;         /* opened on first use by hz_cli_client */
  FILE *out;                    /* results */
  FILE *err;                    /* diagnostics */
};

/* Parses argv, runs the command, returns the process exit code. */
int hz_cli_main(const hz_cli_program_t *prog, int argc, char **argv);

/* Value of a command option, NULL when not given. */
const char *hz_cli_opt(const hz_cli_t *cli, const char *name);
/* How many times a command option (typically a flag) was given. */
int hz_cli_flag(const hz_cli_t *cli, const char *name);
/* The k-th value (from 0, in command-line order) of an option that may be
 * repeated, e.g. "--action approve --action reopen"; NULL past the last. */
const char *hz_cli_opt_nth(const hz_cli_t *cli, const char *name, int k);
/* A required command option: stores its (non-empty) value and returns
 * HZ_EXIT_OK, or prints "--name is required" and returns HZ_EXIT_USAGE. */
int hz_cli_need(hz_cli_t *cli, const char *name, const char **value);

/* The connected client, opened with the common options. Returns HZ_EXIT_OK
 * or, after printing why, the exit code to return. */
int hz_cli_client(hz_cli_t *cli, hzc_client_t **out);

/* Call options carrying the command-line deadline. */
hzc_call_opts_t hz_cli_call_opts(const hz_cli_t *cli);

/* Prints "error: STATUS_NAME: message" and returns HZ_EXIT_REFUSED. An
 * UNAUTHENTICATED answer also says what to do about the token. */
int hz_cli_fail(hz_cli_t *cli, const hzc_status_t *st);
/* Prints "error: ..." plus a pointer to --help; returns HZ_EXIT_USAGE. */
int hz_cli_usage(hz_cli_t *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints "error: ..." for a local failure; returns HZ_EXIT_REFUSED. */
int hz_cli_error(hz_cli_t *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints "note: ..." (localized prefix) to cli->err. */
void hz_cli_note(hz_cli_t *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The text of a message in the command line's language. */
const char *hz_cli_msg(const hz_cli_t *cli, hz_msg_t id);
/* The English or Chinese of a phrase, by the command line's language. */
const char *hz_cli_tr(const hz_cli_t *cli, const char *en, const char *zh);

#endif
