/* Command-line parsing, dispatch and help shared by huizong and
 * huizong-admin. Options may come before or after the command words;
 * "--" ends options. */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "timearg.h"

#ifndef HZ_VERSION
#define HZ_VERSION "0"
#endif

/* Options every command accepts. */
static const hz_cli_opt_t common_opts[] = {
    {"addr", "ADDR",
     "server: host:port (h2c) or https://host:port (TLS); env HUIZONG_ADDR, "
     "default " HZ_CLI_DEFAULT_ADDR},
    {"token", "TOKEN", "bearer token; env HUIZONG_TOKEN"},
    {"ca", "FILE", "CA certificate(s) to verify an https:// server; env HUIZONG_CA"},
    {"timeout", "SECONDS", "deadline of each call, 0 for none (default 30)"},
    {"format", "FMT", "output format: table, csv, json or xlsx (default table)"},
    {"output", "FILE", "write results to FILE (needed for xlsx)"},
    {"columns", "A,B", "columns to show, by key or header, or 'all' (default: compact table)"},
    {"bom", NULL, "csv: start with a UTF-8 byte-order mark for Excel; env HUIZONG_CSV_BOM=1"},
    {"lang", "LANG", "zh or en: headers and messages (default: from LC_ALL/LC_MESSAGES/LANG)"},
    {"tz", "ZONE",
     "time zone of printed and typed times, e.g. +08:00, UTC; env HUIZONG_TZ, "
     "default +08:00 (China Standard Time)"},
    {"help", NULL, "show help and exit"},
    {"version", NULL, "print the version and exit"},
    {NULL, NULL, NULL},
};

/* Raw text of the common options until they are validated. */
typedef struct parse_s {
  hz_cli_t *cli;           /* being filled in */
  const char *timeout_raw; /* --timeout as typed */
  const char *format_raw;  /* --format as typed */
  const char *lang_raw;    /* --lang as typed */
  const char *tz_raw;      /* --tz as typed (or HUIZONG_TZ) */
  const char *output;      /* --output */
  const char *columns;     /* --columns */
  int bom;                 /* --bom given */
  int help;                /* --help or -h seen */
  int version;             /* --version seen */
} parse_t;

static const char *env_or(const char *name, const char *fallback) {
  const char *v = getenv(name);
  return v && *v ? v : fallback;
}

static size_t count_opts(const hz_cli_opt_t *opts) {
  size_t n = 0;
  while (opts && opts[n].name)
    n++;
  return n;
}

static int find_opt(const hz_cli_opt_t *opts, const char *name, size_t len) {
  for (size_t i = 0; opts && opts[i].name; i++)
    if (strlen(opts[i].name) == len && strncmp(opts[i].name, name, len) == 0)
      return (int)i;
  return -1;
}

/* "-x..." is an option; "-" alone and "-12.5" are arguments. */
static int is_option(const char *s) {
  return s[0] == '-' && s[1] != '\0' && !(s[1] >= '0' && s[1] <= '9') && s[1] != '.';
}

const char *hz_cli_msg(const hz_cli_t *cli, hz_msg_t id) {
  return hz_msg(cli->lang, id);
}

const char *hz_cli_tr(const hz_cli_t *cli, const char *en, const char *zh) {
  return cli->lang == HZ_LANG_ZH ? zh : en;
}

static void vreport(hz_cli_t *cli, const char *fmt, va_list ap) {
  fputs(hz_cli_msg(cli, HZ_MSG_ERROR), cli->err);
  vfprintf(cli->err, fmt, ap);
  fputc('\n', cli->err);
}

int hz_cli_usage(hz_cli_t *cli, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vreport(cli, fmt, ap);
  va_end(ap);
  if (cli->cmd)
    fprintf(cli->err,
            hz_cli_tr(cli, "Run '%s %s --help' for usage.\n", "用法见 '%s %s --help'。\n"),
            cli->prog->name, cli->cmd->name);
  else
    fprintf(cli->err, hz_cli_tr(cli, "Run '%s --help' for usage.\n", "用法见 '%s --help'。\n"),
            cli->prog->name);
  return HZ_EXIT_USAGE;
}

int hz_cli_error(hz_cli_t *cli, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vreport(cli, fmt, ap);
  va_end(ap);
  return HZ_EXIT_REFUSED;
}

void hz_cli_note(hz_cli_t *cli, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs(hz_cli_msg(cli, HZ_MSG_NOTE), cli->err);
  vfprintf(cli->err, fmt, ap);
  fputc('\n', cli->err);
  va_end(ap);
}

int hz_cli_fail(hz_cli_t *cli, const hzc_status_t *st) {
  const char *msg = hzc_status_message(st);
  fputs(hz_cli_msg(cli, HZ_MSG_ERROR), cli->err);
  /* The next step for the most common first-day mistake: without a token
   * the hint is the whole story; with one, the server's reason comes too. */
  if (st->code == HZ_STATUS_UNAUTHENTICATED && !cli->token)
    fprintf(cli->err, "%s: %s\n", hz_status_name(st->code), hz_cli_msg(cli, HZ_MSG_NO_TOKEN));
  else if (st->code == HZ_STATUS_UNAUTHENTICATED)
    fprintf(cli->err, "%s: %s%s%s\n", hz_status_name(st->code), msg, *msg ? "; " : "",
            hz_cli_msg(cli, HZ_MSG_BAD_TOKEN));
  else if (*msg)
    fprintf(cli->err, "%s: %s\n", hz_status_name(st->code), msg);
  else
    fprintf(cli->err, "%s\n", hz_status_name(st->code));
  return HZ_EXIT_REFUSED;
}

/* Applies a common option; returns 1 if name was one, 0 if not. */
static int apply_common(parse_t *ps, int idx, const char *value) {
  const char *name = common_opts[idx].name;
  if (strcmp(name, "addr") == 0)
    ps->cli->addr = value;
  else if (strcmp(name, "token") == 0)
    ps->cli->token = value;
  else if (strcmp(name, "ca") == 0)
    ps->cli->ca = value;
  else if (strcmp(name, "timeout") == 0)
    ps->timeout_raw = value;
  else if (strcmp(name, "format") == 0)
    ps->format_raw = value;
  else if (strcmp(name, "output") == 0)
    ps->output = value;
  else if (strcmp(name, "columns") == 0)
    ps->columns = value;
  else if (strcmp(name, "bom") == 0)
    ps->bom = 1;
  else if (strcmp(name, "lang") == 0)
    ps->lang_raw = value;
  else if (strcmp(name, "tz") == 0)
    ps->tz_raw = value;
  else if (strcmp(name, "help") == 0)
    ps->help = 1;
  else if (strcmp(name, "version") == 0)
    ps->version = 1;
  return 1;
}

/* Consumes the option at argv[*i] (and its value). cmd_opts may be NULL
 * before the command is known. Returns 0 or an exit code. */
static int take_option(parse_t *ps, const hz_cli_opt_t *cmd_opts, int argc, char **argv, int *i) {
  hz_cli_t *cli = ps->cli;
  const char *arg = argv[*i];
  if (strcmp(arg, "-h") == 0) {
    ps->help = 1;
    (*i)++;
    return 0;
  }
  if (arg[1] != '-')
    return hz_cli_usage(cli, "unknown option '%s'", arg);
  const char *name = arg + 2;
  const char *eq = strchr(name, '=');
  size_t len = eq ? (size_t)(eq - name) : strlen(name);

  int common = find_opt(common_opts, name, len);
  int own = common < 0 ? find_opt(cmd_opts, name, len) : -1;
  if (common < 0 && own < 0)
    return hz_cli_usage(cli, "unknown option '--%.*s'%s", (int)len, name,
                        cli->cmd ? "" : " (command options go after the command)");
  const hz_cli_opt_t *opt = common >= 0 ? &common_opts[common] : &cmd_opts[own];
  const char *value = NULL;
  if (opt->metavar) {
    if (eq)
      value = eq + 1;
    else if (*i + 1 < argc)
      value = argv[++*i];
    else
      return hz_cli_usage(cli, "option '--%s' needs a value (%s)", opt->name, opt->metavar);
  } else if (eq) {
    return hz_cli_usage(cli, "option '--%s' takes no value", opt->name);
  }
  (*i)++;
  if (common >= 0)
    return apply_common(ps, common, value) ? 0 : HZ_EXIT_USAGE;
  cli->values[own] = value;
  cli->counts[own]++;
  if (value) {
    cli->given[cli->ngiven] = value;
    cli->given_opt[cli->ngiven++] = own;
  }
  return 0;
}

/* Number of words of name matched by argv, or 0 unless all of them. */
static size_t words_match(const char *name, int argc, char **argv) {
  size_t words = 0;
  const char *p = name;
  while (*p) {
    const char *sp = strchr(p, ' ');
    size_t len = sp ? (size_t)(sp - p) : strlen(p);
    if ((int)words >= argc || strlen(argv[words]) != len || strncmp(argv[words], p, len) != 0)
      return 0;
    words++;
    p += len;
    while (*p == ' ')
      p++;
  }
  return words;
}

static const hz_cli_cmd_t *find_command(const hz_cli_program_t *prog, int argc, char **argv,
                                        size_t *nwords) {
  const hz_cli_cmd_t *best = NULL;
  *nwords = 0;
  for (size_t k = 0; prog->cmds[k]; k++) {
    size_t n = words_match(prog->cmds[k]->name, argc, argv);
    if (n > *nwords) {
      *nwords = n;
      best = prog->cmds[k];
    }
  }
  return best;
}

/* "regions" alone, where "regions list" and "regions import" exist. */
static int report_unknown_command(hz_cli_t *cli, const char *word) {
  size_t wl = strlen(word);
  char subs[256] = "";
  for (size_t k = 0; cli->prog->cmds[k]; k++) {
    const char *name = cli->prog->cmds[k]->name;
    if (strncmp(name, word, wl) == 0 && name[wl] == ' ') {
      if (*subs)
        strncat(subs, ", ", sizeof(subs) - strlen(subs) - 1);
      strncat(subs, name + wl + 1, sizeof(subs) - strlen(subs) - 1);
    }
  }
  if (*subs)
    return hz_cli_usage(cli, "'%s' needs a subcommand: %s", word, subs);
  return hz_cli_usage(cli, hz_cli_tr(cli, "unknown command '%s'", "未知命令 '%s'"), word);
}

static void print_opts(FILE *f, const hz_cli_opt_t *opts) {
  size_t w = 0;
  char buf[64];
  for (size_t i = 0; opts && opts[i].name; i++) {
    int n = snprintf(buf, sizeof(buf), "--%s%s%s", opts[i].name, opts[i].metavar ? " " : "",
                     opts[i].metavar ? opts[i].metavar : "");
    if ((size_t)n > w)
      w = (size_t)n;
  }
  for (size_t i = 0; opts && opts[i].name; i++) {
    snprintf(buf, sizeof(buf), "--%s%s%s", opts[i].name, opts[i].metavar ? " " : "",
             opts[i].metavar ? opts[i].metavar : "");
    fprintf(f, "  %-*s  %s\n", (int)w, buf, opts[i].help);
  }
}

static void print_program_help(const hz_cli_program_t *prog, FILE *f) {
  fprintf(f, "usage: %s [OPTIONS] COMMAND [ARGS]\n\n%s\n\nCommands:\n", prog->name, prog->summary);
  size_t w = 0;
  for (size_t k = 0; prog->cmds[k]; k++)
    if (strlen(prog->cmds[k]->name) > w)
      w = strlen(prog->cmds[k]->name);
  for (size_t k = 0; prog->cmds[k]; k++)
    fprintf(f, "  %-*s  %s\n", (int)w, prog->cmds[k]->name, prog->cmds[k]->summary);
  fputs("\nOptions (accepted by every command):\n", f);
  print_opts(f, common_opts);
  fprintf(f,
          "\nRun '%s COMMAND --help' for a command's own options.\n"
          "Exit status: 0 success, 1 the server refused or could not be reached, "
          "2 usage error.\n",
          prog->name);
}

static void print_command_help(const hz_cli_program_t *prog, const hz_cli_cmd_t *cmd, FILE *f) {
  fprintf(f, "usage: %s %s [OPTIONS]%s%s\n\n%s\n", prog->name, cmd->name, cmd->args ? " " : "",
          cmd->args ? cmd->args : "", cmd->summary);
  if (cmd->help)
    fprintf(f, "\n%s\n", cmd->help);
  if (cmd->opts && cmd->opts[0].name) {
    fputs("\nOptions:\n", f);
    print_opts(f, cmd->opts);
  }
  fputs("\nCommon options:\n", f);
  print_opts(f, common_opts);
}

static int parse_timeout(const char *s, int64_t *ms) {
  char *end;
  double v = strtod(s, &end);
  if (end == s || *end != '\0' || !isfinite(v) || v < 0 || v > 1e7)
    return -1;
  *ms = (int64_t)llround(v * 1000.0);
  if (v > 0 && *ms == 0)
    *ms = 1;
  return 0;
}

/* The table's width: the terminal's, else $COLUMNS, else the default. */
static size_t output_width(FILE *out) {
  struct winsize ws;
  if (isatty(fileno(out)) && ioctl(fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
    return ws.ws_col;
  const char *env = getenv("COLUMNS");
  char *end;
  long n = env ? strtol(env, &end, 10) : 0;
  if (env && end != env && *end == '\0' && n >= 20 && n <= 10000)
    return (size_t)n;
  return HZ_OUT_DEFAULT_WIDTH;
}

static int env_flag(const char *name) {
  const char *v = getenv(name);
  return v && *v && strcmp(v, "0") != 0 && strcasecmp(v, "no") != 0 && strcasecmp(v, "false") != 0;
}

/* --output, --columns, --bom into cli->o. */
static int open_output(parse_t *ps) {
  hz_cli_t *cli = ps->cli;
  hz_out_t *o = &cli->o;
  if (cli->format == HZ_FORMAT_XLSX && !ps->output)
    return hz_cli_usage(cli, "--format xlsx needs --output FILE");
  if (ps->output && cli->format != HZ_FORMAT_XLSX && strcmp(ps->output, "-") != 0) {
    FILE *f = fopen(ps->output, "w");
    if (!f)
      return hz_cli_usage(cli, "cannot write --output %s: %s", ps->output, strerror(errno));
    cli->out = f;
  }
  hz_out_init(o, cli->format, cli->out, cli->err);
  o->lang = cli->lang;
  o->tz_minutes = cli->tz_minutes;
  o->columns = ps->columns;
  o->path = ps->output;
  o->sheet = cli->cmd->name;
  o->width = cli->format == HZ_FORMAT_TABLE ? output_width(cli->out) : 0;
  /* A byte-order mark first, so Excel in a Chinese locale reads UTF-8. */
  if (cli->format == HZ_FORMAT_CSV && (ps->bom || env_flag("HUIZONG_CSV_BOM")))
    fputs("\xEF\xBB\xBF", cli->out);
  return HZ_EXIT_OK;
}

/* Validates what was typed into the common options. */
static int finish_common(parse_t *ps) {
  hz_cli_t *cli = ps->cli;
  if (ps->timeout_raw) {
    if (parse_timeout(ps->timeout_raw, &cli->timeout_ms) < 0)
      return hz_cli_usage(cli, "invalid --timeout '%s' (seconds, e.g. 5 or 0.5)", ps->timeout_raw);
    cli->timeout_set = 1;
  }
  if (ps->format_raw && hz_format_parse(ps->format_raw, &cli->format) < 0)
    return hz_cli_usage(cli, "invalid --format '%s' (table, csv, json or xlsx)", ps->format_raw);
  if (ps->tz_raw && hz_tz_parse(ps->tz_raw, &cli->tz_minutes) < 0)
    return hz_cli_usage(cli, "invalid --tz '%s' (an offset such as +08:00 or -05:00, or UTC)",
                        ps->tz_raw);
  if (cli->token && !*cli->token)
    cli->token = NULL;
  if (cli->ca && !*cli->ca)
    cli->ca = NULL;
  return open_output(ps);
}

/* Everything after the command words: options and positional arguments. */
static int parse_command_line(parse_t *ps, int argc, char **argv, int i) {
  hz_cli_t *cli = ps->cli;
  size_t nopts = count_opts(cli->cmd->opts);
  cli->values = calloc(nopts ? nopts : 1, sizeof(*cli->values));
  cli->counts = calloc(nopts ? nopts : 1, sizeof(*cli->counts));
  cli->args = calloc((size_t)argc, sizeof(*cli->args));
  /* Each option value takes an argv slot, so argc bounds their number. */
  cli->given = calloc((size_t)argc, sizeof(*cli->given));
  cli->given_opt = calloc((size_t)argc, sizeof(*cli->given_opt));
  if (!cli->values || !cli->counts || !cli->args || !cli->given || !cli->given_opt)
    return hz_cli_error(cli, "out of memory");
  int only_args = 0;
  while (i < argc) {
    if (!only_args && strcmp(argv[i], "--") == 0) {
      only_args = 1;
      i++;
    } else if (!only_args && is_option(argv[i])) {
      int rc = take_option(ps, cli->cmd->opts, argc, argv, &i);
      if (rc != 0)
        return rc;
    } else {
      cli->args[cli->nargs++] = argv[i++];
    }
  }
  return HZ_EXIT_OK;
}

static int dispatch(hz_cli_t *cli, int argc, char **argv) {
  parse_t ps = {.cli = cli, .tz_raw = env_or("HUIZONG_TZ", NULL)};
  int i = 1, rc;
  /* The language first, so that every message (usage errors too) has it. */
  for (int k = 1; k + 1 < argc; k++)
    if (strcmp(argv[k], "--lang") == 0)
      hz_lang_parse(argv[k + 1], &cli->lang);
    else if (strncmp(argv[k], "--lang=", 7) == 0)
      hz_lang_parse(argv[k] + 7, &cli->lang);
  while (i < argc && is_option(argv[i]) && strcmp(argv[i], "--") != 0)
    if ((rc = take_option(&ps, NULL, argc, argv, &i)) != 0)
      return rc;
  if (ps.version) {
    fprintf(cli->out, "%s %s\n", cli->prog->name, HZ_VERSION);
    return HZ_EXIT_OK;
  }
  if (ps.help) {
    print_program_help(cli->prog, cli->out);
    return HZ_EXIT_OK;
  }
  if (i >= argc) {
    print_program_help(cli->prog, cli->err);
    return HZ_EXIT_USAGE;
  }
  size_t nwords;
  cli->cmd = find_command(cli->prog, argc - i, argv + i, &nwords);
  if (!cli->cmd)
    return report_unknown_command(cli, argv[i]);
  if ((rc = parse_command_line(&ps, argc, argv, i + (int)nwords)) != 0)
    return rc;
  if (ps.help || ps.version) {
    if (ps.help)
      print_command_help(cli->prog, cli->cmd, cli->out);
    else
      fprintf(cli->out, "%s %s\n", cli->prog->name, HZ_VERSION);
    return HZ_EXIT_OK;
  }
  if (cli->nargs < cli->cmd->min_args)
    return hz_cli_usage(cli, "missing argument%s%s", cli->cmd->args ? ": " : "",
                        cli->cmd->args ? cli->cmd->args : "");
  if (cli->nargs > cli->cmd->max_args)
    return hz_cli_usage(cli, "unexpected argument '%s'", cli->args[cli->cmd->max_args]);
  if (ps.lang_raw && hz_lang_parse(ps.lang_raw, &cli->lang) < 0)
    return hz_cli_usage(cli, "invalid --lang '%s' (zh or en)", ps.lang_raw);
  if ((rc = finish_common(&ps)) != 0)
    return rc;
  return cli->cmd->run(cli);
}

int hz_cli_main(const hz_cli_program_t *prog, int argc, char **argv) {
  hz_cli_t cli = {
      .prog = prog,
      .addr = env_or("HUIZONG_ADDR", HZ_CLI_DEFAULT_ADDR),
      .token = env_or("HUIZONG_TOKEN", NULL),
      .ca = env_or("HUIZONG_CA", NULL),
      .timeout_ms = HZ_CLI_DEFAULT_TIMEOUT_MS,
      .format = HZ_FORMAT_TABLE,
      .lang = hz_lang_from_env(),
      .tz_minutes = HZ_TZ_DEFAULT_MINUTES,
      .out = stdout,
      .err = stderr,
  };
  int rc = dispatch(&cli, argc, argv);
  hzc_client_close(cli.client);
  /* A command that streams its own output has no sheet to give: say so
   * rather than leave an empty --output behind. */
  if (rc == HZ_EXIT_OK && cli.format == HZ_FORMAT_XLSX && cli.o.sheets == 0) {
    fprintf(cli.err, "%s'%s %s' wrote no listing to %s: use --format csv or json\n",
            hz_msg(cli.lang, HZ_MSG_ERROR), prog->name, cli.cmd ? cli.cmd->name : "",
            cli.o.path ? cli.o.path : "");
    rc = HZ_EXIT_USAGE;
  }
  if (hz_out_close(&cli.o) < 0 && rc == HZ_EXIT_OK)
    rc = HZ_EXIT_REFUSED;
  if (fflush(cli.out) != 0 || ferror(cli.out)) {
    fprintf(cli.err, "%scannot write the output\n", hz_msg(cli.lang, HZ_MSG_ERROR));
    if (rc == HZ_EXIT_OK)
      rc = HZ_EXIT_REFUSED;
  }
  if (cli.out != stdout && fclose(cli.out) != 0 && rc == HZ_EXIT_OK)
    rc = HZ_EXIT_REFUSED;
  free(cli.values);
  free(cli.counts);
  free(cli.args);
  free(cli.given);
  free(cli.given_opt);
  return rc;
}

const char *hz_cli_opt(const hz_cli_t *cli, const char *name) {
  int k = find_opt(cli->cmd->opts, name, strlen(name));
  return k >= 0 ? cli->values[k] : NULL;
}

int hz_cli_flag(const hz_cli_t *cli, const char *name) {
  int k = find_opt(cli->cmd->opts, name, strlen(name));
  return k >= 0 ? cli->counts[k] : 0;
}

const char *hz_cli_opt_nth(const hz_cli_t *cli, const char *name, int k) {
  int opt = find_opt(cli->cmd->opts, name, strlen(name));
  if (opt < 0 || k < 0)
    return NULL;
  for (size_t i = 0; i < cli->ngiven; i++)
    if (cli->given_opt[i] == opt && k-- == 0)
      return cli->given[i];
  return NULL;
}

int hz_cli_need(hz_cli_t *cli, const char *name, const char **value) {
  *value = hz_cli_opt(cli, name);
  if (*value && **value)
    return HZ_EXIT_OK;
  return hz_cli_usage(cli, hz_cli_tr(cli, "--%s is required", "缺少必需的选项 --%s"), name);
}

int hz_cli_client(hz_cli_t *cli, hzc_client_t **out) {
  if (!cli->client) {
    hzc_client_opts_t opts = {
        .token = cli->token,
        .ca_file = cli->ca,
        .timeout_ms = cli->timeout_ms,
        .user_agent = cli->prog->name,
    };
    hzc_status_t st;
    hzc_status_init(&st);
    int rc = hzc_client_open(&cli->client, cli->addr, &opts, &st);
    if (rc != HZC_OK) {
      /* Bad address or CA file: the command line is at fault. */
      fprintf(cli->err, "error: %s\n",
              *hzc_status_message(&st) ? hzc_status_message(&st) : "cannot create the client");
      hzc_status_reset(&st);
      return rc == HZC_EINVAL ? HZ_EXIT_USAGE : HZ_EXIT_REFUSED;
    }
  }
  *out = cli->client;
  return HZ_EXIT_OK;
}

hzc_call_opts_t hz_cli_call_opts(const hz_cli_t *cli) {
  hzc_call_opts_t o = {.timeout_ms = cli->timeout_ms};
  return o;
}
