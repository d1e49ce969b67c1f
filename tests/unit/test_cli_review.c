/* Unit tests for the parsers behind the review commands of the CLIs:
 * audit action names and comma lists (client/cli/names.h), command-line
 * timestamps (client/cli/timearg.h), and repeatable command options
 * (hz_cli_opt_nth in client/cli/cli.h). */
#include "cli.h"
#include "hz_test.h"
#include "names.h"
#include "timearg.h"

/* ------------------------------------------------------------- actions */

HZ_TEST(audit_action_names_match_the_contract) {
  static const char *const names[] = {
      "value.set",     "narrative.set", "approve",      "reopen",
      "period.reopen", "token.create",  "token.revoke", "region.set",
      "indicator.set", "target.set",    "window.set",   "rule.set",
  };
  /* AuditAction numbers 1..12 in admin.proto, in this order. */
  for (int i = 0; i < 12; i++) {
    int v = -1;
    HZ_ASSERT_INT_EQ(hz_name_parse(hz_names_audit_action, names[i], 0, &v), 0);
    HZ_ASSERT_INT_EQ(v, i + 1);
    HZ_ASSERT_STR_EQ(hz_name_of(hz_names_audit_action, i + 1), names[i]);
  }
  HZ_ASSERT_STR_EQ(hz_name_of(hz_names_audit_action, 0), "");
  HZ_ASSERT_STR_EQ(hz_name_of(hz_names_audit_action, 13), "unknown");
}

HZ_TEST(audit_action_accepts_underscores_and_case) {
  int v = 0;
  HZ_ASSERT_INT_EQ(hz_name_parse(hz_names_audit_action, "VALUE_SET", 0, &v), 0);
  HZ_ASSERT_INT_EQ(v, 1);
  HZ_ASSERT_INT_EQ(hz_name_parse(hz_names_audit_action, "Period.Reopen", 0, &v), 0);
  HZ_ASSERT_INT_EQ(v, 5);
  HZ_ASSERT_INT_EQ(hz_name_parse(hz_names_audit_action, "value set", 0, &v), -1);
  HZ_ASSERT_INT_EQ(hz_name_parse(hz_names_audit_action, "approved", 0, &v), -1);
  HZ_ASSERT_INT_EQ(hz_name_parse(hz_names_audit_action, "3", 0, &v), -1);
}

HZ_TEST(name_list_parses_trims_and_dedupes) {
  int out[16];
  size_t n = 0;
  char bad[32] = "";
  HZ_ASSERT_INT_EQ(hz_name_parse_list(hz_names_audit_action, " approve, reopen ,,value.set", out,
                                      16, &n, bad, sizeof(bad)),
                   0);
  HZ_ASSERT_UINT_EQ(n, 3);
  HZ_ASSERT_INT_EQ(out[0], 3);
  HZ_ASSERT_INT_EQ(out[1], 4);
  HZ_ASSERT_INT_EQ(out[2], 1);
  /* A second option occurrence appends; repeats are dropped. */
  HZ_ASSERT_INT_EQ(hz_name_parse_list(hz_names_audit_action, "reopen,token_create,approve", out, 16,
                                      &n, bad, sizeof(bad)),
                   0);
  HZ_ASSERT_UINT_EQ(n, 4);
  HZ_ASSERT_INT_EQ(out[3], 6);
  /* Empty text and lone commas add nothing. */
  HZ_ASSERT_INT_EQ(hz_name_parse_list(hz_names_audit_action, " , ,", out, 16, &n, bad, sizeof(bad)),
                   0);
  HZ_ASSERT_INT_EQ(hz_name_parse_list(hz_names_audit_action, "", out, 16, &n, bad, sizeof(bad)), 0);
  HZ_ASSERT_UINT_EQ(n, 4);
}

HZ_TEST(name_list_names_the_unknown_item) {
  int out[16];
  size_t n = 0;
  char bad[32] = "";
  HZ_ASSERT_INT_EQ(hz_name_parse_list(hz_names_audit_action, "approve, aprove ,reopen", out, 16, &n,
                                      bad, sizeof(bad)),
                   -1);
  HZ_ASSERT_STR_EQ(bad, "aprove");
  /* An item longer than any name is unknown, not cut down into a match. */
  HZ_ASSERT_INT_EQ(
      hz_name_parse_list(hz_names_audit_action,
                         "approveapproveapproveapproveapproveapproveapproveapproveapprove"
                         "approve",
                         out, 16, &n, bad, sizeof(bad)),
      -1);
  HZ_ASSERT_UINT_EQ(strlen(bad), sizeof(bad) - 1);
}

HZ_TEST(name_list_reports_overflow) {
  int out[2];
  size_t n = 0;
  char bad[32];
  HZ_ASSERT_INT_EQ(hz_name_parse_list(hz_names_audit_action, "approve,approve,reopen", out, 2, &n,
                                      bad, sizeof(bad)),
                   0);
  HZ_ASSERT_UINT_EQ(n, 2);
  HZ_ASSERT_INT_EQ(
      hz_name_parse_list(hz_names_audit_action, "window.set", out, 2, &n, bad, sizeof(bad)), -2);
  HZ_ASSERT_UINT_EQ(n, 2);
}

HZ_TEST(name_list_prints_each_value_once) {
  char buf[256];
  hz_name_list(hz_names_audit_action, buf, sizeof(buf));
  HZ_ASSERT_STR_EQ(buf, "value.set, narrative.set, approve, reopen, period.reopen, "
                        "token.create, token.revoke, region.set, indicator.set, target.set, "
                        "window.set, rule.set");
}

/* ---------------------------------------------------------- timestamps */

static void expect_time(const char *in, const char *want) {
  char out[HZ_TIMEARG_SIZE];
  int rc = hz_timearg_normalize(in, out);
  if (!want) {
    if (rc != -1)
      hz_test_note_("accepted '%s' as '%s'\n", in, out);
    HZ_ASSERT_INT_EQ(rc, -1);
    HZ_ASSERT_STR_EQ(out, "");
    return;
  }
  if (rc != 0)
    hz_test_note_("refused '%s'\n", in);
  HZ_ASSERT_INT_EQ(rc, 0);
  HZ_ASSERT_STR_EQ(out, want);
}

HZ_TEST(timearg_accepts_rfc3339_forms) {
  expect_time("2024-04-05T08:30:00Z", "2024-04-05T08:30:00Z");
  expect_time("2024-04-05t08:30:00z", "2024-04-05T08:30:00Z");
  expect_time("2024-04-05 08:30:00Z", "2024-04-05T08:30:00Z");
  expect_time("2024-04-05T08:30Z", "2024-04-05T08:30:00Z");
  expect_time("2024-04-05T16:30:00+08:00", "2024-04-05T16:30:00+08:00");
  expect_time("2024-04-05T01:00:00-05:30", "2024-04-05T01:00:00-05:30");
  expect_time("2022-04-05T08:30:00.123456Z", "2022-04-05T08:30:00.123456Z");
  expect_time("2022-04-05T08:30:00.1Z", "2022-04-05T08:30:00.1Z");
  expect_time("2022-04-05T08:30:00.123456789+00:00", "2022-04-05T08:30:00.123456789+00:00");
  expect_time("2022-04-05T23:59:59Z", "2022-04-05T23:59:59Z");
}

/* Without a zone, hz_timearg_normalize reads UTC; the CLIs read the --tz
 * zone (hz_timearg_normalize_tz, test_cli_format). */
HZ_TEST(timearg_reads_a_date_as_utc_midnight) {
  expect_time("2024-04-05T08:30:00", "2024-04-05T08:30:00Z");
  expect_time("2024-04-05", "2024-04-05T00:00:00Z");
  expect_time("2024-02-29", "2024-02-29T00:00:00Z");
  expect_time("2000-02-29", "2000-02-29T00:00:00Z");
  expect_time("2022-12-31", "2022-12-31T00:00:00Z");
}

HZ_TEST(timearg_refuses_impossible_dates_and_times) {
  expect_time("2023-02-29", NULL); /* not a leap year */
  expect_time("1900-02-29", NULL); /* century, not a leap year */
  expect_time("2024-04-31", NULL);
  expect_time("2024-13-01", NULL);
  expect_time("2024-00-10", NULL);
  expect_time("2024-01-00", NULL);
  expect_time("0000-01-01", NULL);
  expect_time("2024-04-05T24:00:00Z", NULL);
  expect_time("2024-04-05T08:60:00Z", NULL);
  expect_time("2024-04-05T08:30:60Z", NULL);
  expect_time("2024-04-05T08:30:00+24:00", NULL);
  expect_time("2024-04-05T08:30:00+08:60", NULL);
}

HZ_TEST(timearg_refuses_malformed_text) {
  expect_time("", NULL);
  expect_time("yesterday", NULL);
  expect_time("2024-4-5", NULL);
  expect_time("2024/04/05", NULL);
  expect_time("20240405", NULL);
  expect_time("2024-04-05T", NULL);
  expect_time("2024-04-05T08:30:00 ", NULL);
  expect_time("2024-04-05T08Z", NULL);
  expect_time("2024-04-05T08:30:00.Z", NULL);           /* empty fraction */
  expect_time("2024-04-05T08:30:00.1234567890Z", NULL); /* 10 digits */
  expect_time("2024-04-05T08:30:00+0800", NULL);
  expect_time("2024-04-05T08:30:00Z ", NULL);
  expect_time("2024-04-05x", NULL);
  expect_time(" 2024-04-05", NULL);
  expect_time("2024-04-05T08:30:00Zjunk", NULL);
  char out[HZ_TIMEARG_SIZE];
  HZ_ASSERT_INT_EQ(hz_timearg_normalize(NULL, out), -1);
}

/* ------------------------------------------------- repeatable options */

/* What the test command saw; the command's run() has no user pointer. */
typedef struct seen_s {
  int count;          /* hz_cli_flag("action") */
  const char *v[4];   /* hz_cli_opt_nth("action", 0..3) */
  const char *last;   /* hz_cli_opt("action") */
  const char *other;  /* hz_cli_opt_nth("region", 0) */
  const char *beyond; /* hz_cli_opt_nth("action", count) */
} seen_t;

static seen_t seen;

static int record_options(hz_cli_t *cli) {
  seen.count = hz_cli_flag(cli, "action");
  for (int k = 0; k < 4; k++)
    seen.v[k] = hz_cli_opt_nth(cli, "action", k);
  seen.last = hz_cli_opt(cli, "action");
  seen.other = hz_cli_opt_nth(cli, "region", 0);
  seen.beyond = hz_cli_opt_nth(cli, "action", seen.count);
  return HZ_EXIT_OK;
}

static const hz_cli_opt_t probe_opts[] = {
    {"action", "A", "repeatable"},
    {"region", "CODE", "once"},
    {"flag", NULL, "a flag"},
    {NULL, NULL, NULL},
};

static const hz_cli_cmd_t probe_cmd = {
    .name = "probe",
    .summary = "records its options",
    .opts = probe_opts,
    .run = record_options,
};

static const hz_cli_cmd_t *const probe_cmds[] = {&probe_cmd, NULL};

static const hz_cli_program_t probe_prog = {
    .name = "probe",
    .summary = "test program",
    .cmds = probe_cmds,
};

HZ_TEST(repeated_option_values_are_kept_in_order) {
  char *argv[] = {"probe",    "--format", "csv",      "probe",
                  "--action", "approve",  "--flag",   "--action=reopen,value.set",
                  "--region", "420624",   "--action", "approve",
                  NULL};
  memset(&seen, 0, sizeof(seen));
  HZ_ASSERT_INT_EQ(hz_cli_main(&probe_prog, 12, argv), HZ_EXIT_OK);
  HZ_ASSERT_INT_EQ(seen.count, 3);
  HZ_ASSERT_STR_EQ(seen.v[0], "approve");
  HZ_ASSERT_STR_EQ(seen.v[1], "reopen,value.set");
  HZ_ASSERT_STR_EQ(seen.v[2], "approve");
  HZ_ASSERT_STR_EQ(seen.v[3], NULL);
  HZ_ASSERT_STR_EQ(seen.last, "approve");
  HZ_ASSERT_STR_EQ(seen.other, "420624");
  HZ_ASSERT_STR_EQ(seen.beyond, NULL);
}

HZ_TEST(absent_repeatable_option_has_no_values) {
  char *argv[] = {"probe", "probe", "--region", "42", NULL};
  memset(&seen, 0, sizeof(seen));
  HZ_ASSERT_INT_EQ(hz_cli_main(&probe_prog, 4, argv), HZ_EXIT_OK);
  HZ_ASSERT_INT_EQ(seen.count, 0);
  HZ_ASSERT_STR_EQ(seen.v[0], NULL);
  HZ_ASSERT_STR_EQ(seen.other, "42");
}
