/* "windows list": how long after its end each period type stays open for
 * submissions (Admin/ListSubmissionWindows). The table spells the rule
 * out ("never" for 0); CSV and JSON carry the number of days alone. */
#include "calls.h"
#include "commands.h"
#include "huizong/v1/admin.pb-c.h"
#include "names.h"
#include "present.h"
#include "statfmt.h"

#define LIST_WINDOWS_METHOD "/huizong.v1.Admin/ListSubmissionWindows"

enum { C_TYPE, C_DAYS, C_UPDATED_AT, C_UPDATED_BY, C_CLOSES, NCOLS };

static const char *const columns[NCOLS] = {
    "period_type", "days_after_end", "updated_at", "updated_by", "closes",
};

static const char *closes_text(const hz_cli_t *cli, hz_strpool_t *p, int days) {
  if (days == 0)
    return hz_cli_tr(cli, "never", "不截止");
  if (cli->lang == HZ_LANG_ZH)
    return hz_strpool_printf(p, "期末后 %d 天", days);
  return hz_strpool_printf(p, "%d day%s after the period ends", days, days == 1 ? "" : "s");
}

static int print_windows(hz_cli_t *cli, const Huizong__V1__ListSubmissionWindowsResponse *r) {
  int table = cli->format == HZ_FORMAT_TABLE;
  hz_table_t t;
  hz_strpool_t pool;
  /* "closes" is the last column, for people: left out of CSV and JSON. */
  if (hz_table_init(&t, table ? NCOLS : NCOLS - 1, columns) < 0)
    return hz_cli_error(cli, "out of memory");
  if (table)
    hz_table_set_flags(&t, C_CLOSES, HZ_COL_TABLE);
  hz_strpool_init(&pool);
  int rc = HZ_EXIT_OK;
  for (size_t i = 0; i < r->n_windows && rc == HZ_EXIT_OK; i++) {
    const Huizong__V1__SubmissionWindow *w = r->windows[i];
    const char *cells[NCOLS] = {
        [C_TYPE] = hz_name_of(hz_names_period_type, w->period_type),
        [C_DAYS] = hz_cell_int(&pool, w->days_after_end),
        [C_UPDATED_AT] = hz_cell_opt(w->updated_at),
        [C_UPDATED_BY] = hz_cell_opt(w->updated_by),
        [C_CLOSES] = closes_text(cli, &pool, w->days_after_end),
    };
    if (hz_table_add_row(&t, cells) < 0)
      rc = hz_cli_error(cli, "out of memory");
  }
  if (rc == HZ_EXIT_OK)
    rc = hz_write_table(cli, &t);
  hz_table_free(&t);
  hz_strpool_free(&pool);
  return rc;
}

static int run_windows_list(hz_cli_t *cli) {
  Huizong__V1__ListSubmissionWindowsRequest req =
      HUIZONG__V1__LIST_SUBMISSION_WINDOWS_REQUEST__INIT;
  ProtobufCMessage *resp;
  int rc = hz_cli_unary(cli, LIST_WINDOWS_METHOD, &req.base,
                        &huizong__v1__list_submission_windows_response__descriptor, &resp, NULL);
  if (rc != HZ_EXIT_OK)
    return rc;
  rc = print_windows(cli, (Huizong__V1__ListSubmissionWindowsResponse *)resp);
  protobuf_c_message_free_unpacked(resp, NULL);
  return rc;
}

const hz_cli_cmd_t hz_cmd_windows_list = {
    .name = "windows list",
    .summary = "submission windows: days after a period's end until it closes, per period type",
    .opts = NULL,
    .run = run_windows_list,
};
