/* "periods exceptions": granted deadline exceptions (Admin/
 * ListPeriodExceptions), newest first, every page. */
#include "calls.h"
#include "commands.h"
#include "huizong/v1/admin.pb-c.h"
#include "present.h"
#include "reviewinfo.h"

#define LIST_EXCEPTIONS_METHOD "/huizong.v1.Admin/ListPeriodExceptions"

static const hz_cli_opt_t periods_exceptions_opts[] = {
    {"region", "CODE", "subtree root (default: the token's scope)"},
    {"period", "PERIOD", "only this period"},
    {"page-size", "N", "rows fetched per call (default: the server's); all pages are shown"},
    {NULL, NULL, NULL},
};

static int add_page(void *ud, const ProtobufCMessage *msg) {
  hz_table_t *t = ud;
  const Huizong__V1__ListPeriodExceptionsResponse *page = (const void *)msg;
  for (size_t i = 0; i < page->n_exceptions; i++) {
    const char *cells[HZ_EXCEPTION_NFIELDS];
    hz_exception_cells(page->exceptions[i], cells);
    if (hz_table_add_row(t, cells) < 0)
      return HZ_EXIT_REFUSED;
  }
  return HZ_EXIT_OK;
}

static int run_periods_exceptions(hz_cli_t *cli) {
  const char *region = hz_cli_opt(cli, "region");
  const char *period = hz_cli_opt(cli, "period");
  Huizong__V1__ListPeriodExceptionsRequest req = HUIZONG__V1__LIST_PERIOD_EXCEPTIONS_REQUEST__INIT;
  req.region_code = (char *)(region ? region : "");
  req.period = (char *)(period ? period : "");
  hz_table_t t;
  if (hz_table_init(&t, HZ_EXCEPTION_NFIELDS, hz_exception_fields) < 0)
    return hz_cli_error(cli, "out of memory");
  hz_table_set_align(&t, 0, HZ_ALIGN_LEFT);
  int rc =
      hz_cli_unary_pages(cli, LIST_EXCEPTIONS_METHOD, &req.base,
                         &huizong__v1__list_period_exceptions_response__descriptor, add_page, &t);
  if (rc == HZ_EXIT_OK)
    rc = hz_write_table(cli, &t);
  hz_table_free(&t);
  return rc;
}

const hz_cli_cmd_t hz_cmd_periods_exceptions = {
    .name = "periods exceptions",
    .summary = "list deadline exceptions granted with 'periods reopen', newest first",
    .opts = periods_exceptions_opts,
    .run = run_periods_exceptions,
};
