/* "submit": sends one township's values for one period (Reporting/Submit)
 * from a CSV (UTF-8 or GBK), xlsx or JSON file, optionally with the
 * report's narrative; with --bulk, many townships and periods from one
 * sheet (bulk.h).
 *
 * The file may be a sheet written by `huizong template`: its descriptive
 * columns are ignored by name, blank values are "not reported this time",
 * and an indicator may be given by its name when no other indicator has
 * that name (the catalog is read first, Admin/ListIndicators). An
 * indicator the server does not know is reported with the nearest codes
 * and names ("did you mean retail (社会消费品零售总额)?").
 *
 * Every problem of the file is reported with its line before anything is
 * sent (exit 2). The submission id is generated here (or given), and the
 * call is retried with that same id when the server is unavailable or the
 * deadline passes: the server's idempotency turns a retry of a submission
 * that did commit into a replay of its answer, so data is never doubled.
 * Refusals list every problem against the file's lines. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

#include "bulk.h"
#include "commands.h"
#include "huizong/v1/reporting.pb-c.h"
#include "infile.h"
#include "names.h"
#include "present.h"
#include "problems.h"
#include "suggest.h"
#include "uuid.h"
#include "valuesfile.h"
#include "violations.h"

#define SUBMIT_METHOD         "/huizong.v1.Reporting/Submit"
/* Attempts in all; the waits between them double from the first delay
 * up to the cap: 0.2, 0.4, 0.8, 1.6, 3 s. */
#define SUBMIT_ATTEMPTS       6
#define SUBMIT_FIRST_DELAY_MS 200
#define SUBMIT_MAX_DELAY_MS   3000

static const hz_cli_opt_t submit_opts[] = {
    {"region", "CODE", "the township's region code (required with --file)"},
    {"period", "PERIOD", "period code, e.g. 2022Q1, 2022S1, 202203, 2022 (required with --file)"},
    {"file", "FILE", "values file: CSV, xlsx or JSON (see above); - for stdin"},
    {"bulk", "FILE", "a sheet of many townships and periods (region,period,indicator,value,...)"},
    {"dry-run", NULL, "validate only: the server stores nothing"},
    {"narrative-file", "FILE", "UTF-8 text of the report's narrative (工作总结)"},
    {"submission-id", "UUID", "idempotency key; default: a new random UUID (printed)"},
    {NULL, NULL, NULL},
};

/* Everything one submission needs, owned here. */
typedef struct submit_s {
  hz_cli_t *cli;                     /* the command line */
  const char *file;                  /* --file */
  char id[HZ_WIRE_UUID_TEXT_SIZE];   /* submission id used */
  hz_value_list_t values;            /* the file's values */
  const char *unit;                  /* how the file's positions are named: line, row, item */
  hz_catalog_t cat;                  /* the indicator catalog (names, hints) */
  char *narrative;                   /* --narrative-file text, or NULL */
  size_t *lines;                     /* request index -> file line */
  Huizong__V1__IndicatorValue *iv;   /* request values */
  Huizong__V1__IndicatorValue **ivp; /* pointers to them */
  Huizong__V1__SubmitRequest req;    /* the request */
} submit_t;

/* How messages name the values file. */
static const char *file_label(const submit_t *s) {
  return strcmp(s->file, "-") == 0 ? "standard input" : s->file;
}

static void submit_free(submit_t *s) {
  hz_value_list_free(&s->values);
  hz_catalog_free(&s->cat);
  free(s->narrative);
  free(s->lines);
  free(s->iv);
  free(s->ivp);
}

/* Names in place of codes: each becomes its indicator's code. */
static void resolve_names(submit_t *s, hz_diags_t *d) {
  for (size_t i = 0; i < s->values.n; i++) {
    hz_value_entry_t *e = &s->values.items[i];
    const char *code;
    if (hz_catalog_code(&s->cat, e->indicator, e->line, &code, d) < 0 || code == e->indicator)
      continue;
    char *copy = strdup(code);
    if (!copy) {
      d->oom = 1;
      return;
    }
    free(e->indicator);
    e->indicator = copy;
  }
}

/* Reads and checks the values file; exit code. */
static int load_values(submit_t *s) {
  hz_cli_t *cli = s->cli;
  char *data;
  size_t len;
  char err[300];
  if (hz_infile_read(s->file, &data, &len, err, sizeof(err)) < 0)
    return hz_cli_usage(cli, "%s", err);
  hz_diags_t d;
  hz_diags_init(&d);
  hz_values_format_t fmt = hz_values_guess_format(s->file, data, len);
  int rc = HZ_EXIT_OK;
  int parsed = hz_values_parse(file_label(s), data, len, fmt, &s->values, &d, cli->err, cli->lang);
  free(data);
  s->unit = d.unit ? d.unit : "line";
  if (parsed == 0 && d.total == 0 && s->values.n > 0)
    rc = hz_catalog_fetch_lenient(cli, &s->cat);
  if (rc == HZ_EXIT_OK && parsed == 0)
    resolve_names(s, &d);
  if (rc != HZ_EXIT_OK) {
    /* the catalog's refusal is printed */
  } else if (parsed < 0 || d.oom) {
    rc = hz_cli_error(cli, "out of memory reading %s", file_label(s));
  } else if (d.total > 0) {
    fprintf(cli->err, "error: %s: %zu problem%s; nothing was sent\n", file_label(s), d.total,
            d.total == 1 ? "" : "s");
    hz_diags_print(&d, cli->err);
    rc = HZ_EXIT_USAGE;
  } else if (s->values.blank > 0) {
    fprintf(cli->err,
            hz_cli_tr(cli, "%s: %zu indicators without a value: not reported this time\n",
                      "%s: %zu 个指标未填数值, 本次不报送\n"),
            file_label(s), s->values.blank);
  }
  hz_diags_free(&d);
  return rc;
}

static int load_narrative(submit_t *s, const char *path) {
  hz_cli_t *cli = s->cli;
  char *data;
  size_t len, line;
  char err[300];
  if (hz_infile_read(path, &data, &len, err, sizeof(err)) < 0)
    return hz_cli_usage(cli, "%s", err);
  if (hz_infile_check_utf8(data, len, &line) < 0) {
    free(data);
    return hz_cli_usage(cli, "%s: line %zu is not valid UTF-8 text (save it as UTF-8)", path, line);
  }
  if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
    memmove(data, data + 3, len - 2);
  s->narrative = data;
  return HZ_EXIT_OK;
}

static int build_request(submit_t *s, const char *region, const char *period) {
  size_t n = s->values.n;
  s->lines = calloc(n ? n : 1, sizeof(*s->lines));
  s->iv = calloc(n ? n : 1, sizeof(*s->iv));
  s->ivp = calloc(n ? n : 1, sizeof(*s->ivp));
  if (!s->lines || !s->iv || !s->ivp)
    return -1;
  for (size_t i = 0; i < n; i++) {
    const hz_value_entry_t *e = &s->values.items[i];
    huizong__v1__indicator_value__init(&s->iv[i]);
    s->iv[i].indicator_code = e->indicator;
    s->iv[i].value = e->value;
    s->iv[i].comment = e->comment;
    s->ivp[i] = &s->iv[i];
    s->lines[i] = e->line;
  }
  huizong__v1__submit_request__init(&s->req);
  s->req.submission_id = s->id;
  s->req.region_code = (char *)region;
  s->req.period = (char *)period;
  s->req.values = s->ivp;
  s->req.n_values = n;
  s->req.narrative = s->narrative ? s->narrative : (char *)"";
  s->req.dry_run = hz_cli_flag(s->cli, "dry-run") > 0;
  return 0;
}

static int retryable(int code) {
  return code == HZ_STATUS_UNAVAILABLE || code == HZ_STATUS_DEADLINE_EXCEEDED;
}

/* The wait before attempt number next (2..): doubling, capped, with +-20 %
 * jitter so that townships cut off together do not return in lockstep. */
static long backoff_ms(int next) {
  long ms = SUBMIT_FIRST_DELAY_MS;
  for (int i = 2; i < next && ms < SUBMIT_MAX_DELAY_MS; i++)
    ms *= 2;
  unsigned char r;
  if (RAND_bytes(&r, 1) == 1)
    ms = ms * (80 + (long)r * 40 / 255) / 100;
  return ms > SUBMIT_MAX_DELAY_MS ? SUBMIT_MAX_DELAY_MS : ms;
}

static void sleep_ms(long ms) {
  struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0)
    ;
}

static int print_summary(hz_cli_t *cli, const Huizong__V1__SubmitResponse *r) {
  hz_strpool_t pool;
  hz_strpool_init(&pool);
  static const char *const keys[] = {
      "submission_id", "region",  "period",      "status",
      "imported",      "updated", "unchanged",   "narrative_updated",
      "replayed",      "dry_run", "received_at", "committed_at",
  };
  const char *values[] = {
      r->submission_id,
      r->region_code,
      r->period,
      hz_name_of(hz_names_submission_status, r->status),
      hz_cell_int(&pool, r->imported),
      hz_cell_int(&pool, r->updated),
      hz_cell_int(&pool, r->unchanged),
      hz_cell_bool(r->narrative_updated),
      hz_cell_bool(r->replayed),
      hz_cell_bool(r->dry_run),
      hz_cell_opt(r->received_at),
      hz_cell_opt(r->committed_at),
  };
  int rc = hz_write_record(cli, sizeof(keys) / sizeof(keys[0]), keys, values);
  hz_strpool_free(&pool);
  /* Accepted WARNING violations (核实性审核) with their explanations. */
  if (rc == HZ_EXIT_OK && cli->format == HZ_FORMAT_TABLE && r->n_warnings > 0) {
    fputs("\nwarnings (审核, accepted with their explanations):\n", cli->out);
    rc = hz_violations_write(cli, r->warnings, r->n_warnings, 0, 0);
  }
  return rc;
}

/* Sends the request until it is answered or the attempts run out. */
static int send_with_retries(submit_t *s) {
  hz_cli_t *cli = s->cli;
  hzc_client_t *client;
  int rc = hz_cli_client(cli, &client);
  if (rc != HZ_EXIT_OK)
    return rc;
  hzc_call_opts_t opts = hz_cli_call_opts(cli);
  hzc_status_t st;
  hzc_status_init(&st);
  for (int attempt = 1;; attempt++) {
    ProtobufCMessage *resp = NULL;
    if (hzc_client_unary_opts(client, SUBMIT_METHOD, &opts, &s->req.base,
                              &huizong__v1__submit_response__descriptor, &resp, &st) == HZC_OK) {
      rc = print_summary(cli, (Huizong__V1__SubmitResponse *)resp);
      protobuf_c_message_free_unpacked(resp, NULL);
      break;
    }
    if (!retryable(st.code) || attempt >= SUBMIT_ATTEMPTS) {
      rc = hz_catalog_refused(cli, &st, &s->cat, s->lines, s->values.n, s->unit);
      if (retryable(st.code))
        fprintf(cli->err,
                "gave up after %d attempts; the submission may or may not be stored: "
                "retry with --submission-id %s (never doubles data)\n",
                attempt, s->id);
      break;
    }
    long wait = backoff_ms(attempt + 1);
    fprintf(cli->err,
            "warning: attempt %d of %d: %s: %s; retrying in %.1f s with "
            "submission id %s\n",
            attempt, SUBMIT_ATTEMPTS, hz_status_name(st.code), hzc_status_message(&st),
            (double)wait / 1000.0, s->id);
    hzc_status_reset(&st);
    sleep_ms(wait);
  }
  hzc_status_reset(&st);
  return rc;
}

static int run_submit(hz_cli_t *cli) {
  const char *region = hz_cli_opt(cli, "region");
  const char *period = hz_cli_opt(cli, "period");
  const char *given_id = hz_cli_opt(cli, "submission-id");
  const char *narrative = hz_cli_opt(cli, "narrative-file");
  submit_t s = {.cli = cli, .file = hz_cli_opt(cli, "file")};
  hz_value_list_init(&s.values);
  const char *bulk = hz_cli_opt(cli, "bulk");
  if (bulk && (s.file || region || period || given_id || narrative))
    return hz_cli_usage(cli, "--bulk takes the regions and periods from the sheet: it goes "
                             "without --file, --region, --period, --submission-id and "
                             "--narrative-file");
  if (bulk)
    return hz_bulk_run(cli, bulk);
  if (!region || !*region)
    return hz_cli_usage(cli, "--region is required");
  if (!period || !*period)
    return hz_cli_usage(cli, "--period is required");
  if (!s.file || !*s.file)
    return hz_cli_usage(cli, "--file (or --bulk) is required");
  if (given_id && hz_wire_uuid_check(given_id) != 0)
    return hz_cli_usage(cli,
                        "--submission-id '%s' is not a UUID "
                        "(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)",
                        given_id);
  if (given_id)
    snprintf(s.id, sizeof(s.id), "%s", given_id);
  else if (hz_cli_uuid_v4(s.id) < 0)
    return hz_cli_error(cli, "no randomness available for a submission id");

  int rc = load_values(&s);
  if (rc == HZ_EXIT_OK && narrative)
    rc = load_narrative(&s, narrative);
  if (rc == HZ_EXIT_OK && s.values.n == 0 && (!s.narrative || !*s.narrative))
    rc = hz_cli_usage(cli,
                      "%s has no values and there is no --narrative-file: "
                      "nothing to submit",
                      file_label(&s));
  if (rc == HZ_EXIT_OK && build_request(&s, region, period) < 0)
    rc = hz_cli_error(cli, "out of memory");
  if (rc == HZ_EXIT_OK)
    rc = send_with_retries(&s);
  submit_free(&s);
  return rc;
}

const hz_cli_cmd_t hz_cmd_submit = {
    .name = "submit",
    .summary = "submit a township's values from a CSV, xlsx or JSON file; --bulk for many",
    .help =
        "CSV: indicator,value[,comment], UTF-8 (with or without BOM) or GBK/GB18030 (the\n"
        "encoding assumed is named), an optional header line, RFC 4180 quotes. xlsx: the\n"
        "first sheet, the same columns. Headers in English or Chinese (指标代码, 本期数值,\n"
        "备注); name/指标名称, unit/计量单位 and last_year/上年同期 columns (as `huizong\n"
        "template` writes them) are ignored; a blank value is not reported this time; an\n"
        "indicator may be given by its name when the name is unique. JSON:\n"
        "[{\"indicator\":\"fai\",\"value\":\"4.9\",\"comment\":\"...\"}] or {\"values\":[...]};\n"
        "decimals as strings (integers may be numbers).\n"
        "--bulk FILE: columns region,period,indicator,value[,comment] (CSV, xlsx or JSON\n"
        "{\"rows\":[...]}), one SubmitStream with a request per (region, period), progress\n"
        "on stderr, a summary per group; submission ids come from the content, so a\n"
        "re-run stores nothing new. Exit 1 when any group was refused.\n"
        "Problems in the file are listed with their lines and nothing is sent (exit 2).\n"
        "UNAVAILABLE and DEADLINE_EXCEEDED are retried (6 attempts, 0.2 s doubling to\n"
        "3 s) with the same submission id, which the server deduplicates.",
    .opts = submit_opts,
    .run = run_submit,
};
