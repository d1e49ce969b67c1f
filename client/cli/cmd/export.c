/* "export": raw stored values of every township under a region over a
 * period range (Aggregation/ExportValues, server streaming). Rows are
 * printed as each batch arrives, so a large export starts at once and
 * memory stays at one batch: CSV and JSON are written record by record;
 * the table takes its column widths from the first batch (later, longer
 * cells simply push their line wider). A stream that fails midway still
 * leaves well-formed JSON behind, and the exit code says it failed.
 * Progress (records so far, records/s) goes to stderr: redrawn in place
 * on a terminal; without one, a line every five seconds only for an
 * export that runs that long (progress.h). */
#include <stdlib.h>

#include "commands.h"
#include "huizong/v1/aggregation.pb-c.h"
#include "present.h"
#include "problems.h"
#include "progress.h"

#define EXPORT_METHOD "/huizong.v1.Aggregation/ExportValues"

static const hz_cli_opt_t export_opts[] = {
    {"region", "CODE", "subtree root (required)"},
    {"from", "PERIOD", "first period of the range, inclusive, any type (required)"},
    {"to", "PERIOD", "last period of the range, inclusive, any type (required)"},
    {"indicators", "A,B", "only these indicator codes (default all)"},
    {NULL, NULL, NULL},
};

enum { C_REGION, C_INDICATOR, C_PERIOD, C_VALUE, C_COMMENT, C_SUBMISSION, C_UPDATED, NCOLS };

static const char *const columns[NCOLS] = {
    "region", "indicator", "period", "value", "comment", "submission_id", "updated_at",
};

/* Table column order: the comment may hold anything, so it goes last. */
static const int table_order[NCOLS] = {C_REGION,     C_INDICATOR, C_PERIOD, C_VALUE,
                                       C_SUBMISSION, C_UPDATED,   C_COMMENT};

/* Without --timeout an export may run this long (ms): big subtrees take
 * minutes, yet a stalled server must not hang a script for ever. */
#define EXPORT_DEFAULT_TIMEOUT_MS (60 * 60 * 1000)

/* Output state across batches. */
typedef struct out_s {
  hz_cli_t *cli;       /* where to print */
  size_t width[NCOLS]; /* table column widths, fixed by the first batch */
  int started;         /* header (or "[") written */
  size_t records;      /* records printed */
} out_t;

static void record_cells(const Huizong__V1__ValueRecord *r, const char *cells[NCOLS]) {
  cells[C_REGION] = r->region_code;
  cells[C_INDICATOR] = r->indicator_code;
  cells[C_PERIOD] = r->period;
  cells[C_VALUE] = r->value;
  cells[C_COMMENT] = hz_cell_opt(r->comment);
  cells[C_SUBMISSION] = hz_cell_opt(r->submission_id);
  cells[C_UPDATED] = hz_cell_opt(r->updated_at);
}

static void pad(FILE *f, size_t n) {
  while (n-- > 0)
    fputc(' ', f);
}

/* One table line in table_order. */
static void table_line(out_t *o, const char *const *cells) {
  FILE *f = o->cli->out;
  size_t pending = 0;
  for (int k = 0; k < NCOLS; k++) {
    int c = table_order[k];
    const char *v = cells[c] ? cells[c] : "";
    size_t w = hz_display_width(v);
    size_t fill = o->width[c] > w ? o->width[c] - w : 0;
    if (k > 0)
      pending += 2;
    if (c == C_VALUE)
      pending += fill;
    if (*v) {
      pad(f, pending);
      pending = 0;
      /* Controls would break the line structure of the table. */
      for (const char *p = v; *p; p++)
        fputc((unsigned char)*p < 0x20 ? ' ' : *p, f);
    }
    if (c != C_VALUE)
      pending += fill;
  }
  fputc('\n', f);
}

static void fix_widths(out_t *o, const Huizong__V1__ExportValuesResponse *batch) {
  for (int c = 0; c < NCOLS; c++)
    o->width[c] = hz_display_width(columns[c]);
  for (size_t i = 0; i < batch->n_records; i++) {
    const char *cells[NCOLS];
    record_cells(batch->records[i], cells);
    for (int c = 0; c < NCOLS; c++) {
      size_t w = cells[c] ? hz_display_width(cells[c]) : 0;
      if (w > o->width[c])
        o->width[c] = w;
    }
  }
}

static void start(out_t *o, const Huizong__V1__ExportValuesResponse *first) {
  FILE *f = o->cli->out;
  o->started = 1;
  switch (o->cli->format) {
  case HZ_FORMAT_CSV: hz_csv_write_row(f, NCOLS, columns); break;
  case HZ_FORMAT_JSON: fputs("[", f); break;
  default:
    fix_widths(o, first);
    table_line(o, columns);
    for (int k = 0; k < NCOLS; k++) {
      if (k)
        fputs("  ", f);
      for (size_t i = 0; i < o->width[table_order[k]]; i++)
        fputc('-', f);
    }
    fputc('\n', f);
    break;
  }
}

static void print_batch(out_t *o, const Huizong__V1__ExportValuesResponse *batch) {
  if (!o->started)
    start(o, batch);
  FILE *f = o->cli->out;
  for (size_t i = 0; i < batch->n_records; i++) {
    const char *cells[NCOLS];
    record_cells(batch->records[i], cells);
    switch (o->cli->format) {
    case HZ_FORMAT_CSV: hz_csv_write_row(f, NCOLS, cells); break;
    case HZ_FORMAT_JSON:
      fputs(o->records ? ",\n  " : "\n  ", f);
      hz_json_write_object(f, NCOLS, columns, cells);
      break;
    default: table_line(o, cells); break;
    }
    o->records++;
  }
  fflush(f);
}

static void finish(out_t *o) {
  static const Huizong__V1__ExportValuesResponse empty = HUIZONG__V1__EXPORT_VALUES_RESPONSE__INIT;
  if (!o->started)
    start(o, &empty);
  if (o->cli->format == HZ_FORMAT_JSON)
    fputs(o->records ? "\n]\n" : "]\n", o->cli->out);
  fflush(o->cli->out);
}

static int stream_export(hz_cli_t *cli, const Huizong__V1__ExportValuesRequest *req) {
  hzc_client_t *client;
  int rc = hz_cli_client(cli, &client);
  if (rc != HZ_EXIT_OK)
    return rc;
  hzc_call_opts_t opts = {.timeout_ms =
                              cli->timeout_set ? cli->timeout_ms : EXPORT_DEFAULT_TIMEOUT_MS};
  hzc_call_t *call;
  if (hzc_call_start(client, EXPORT_METHOD, &opts, &call) != HZC_OK)
    return hz_cli_error(cli, "cannot start the call");
  if (hzc_call_send(call, &req->base) == HZC_OK)
    hzc_call_close_send(call);
  out_t o = {.cli = cli};
  hz_progress_t p;
  hz_progress_init(&p, cli->err, cli->lang, hz_cli_tr(cli, "records", "条记录"),
                   hz_cli_tr(cli, "records", "条"), 0, 1);
  ProtobufCMessage *msg;
  while (hzc_call_recv(call, &huizong__v1__export_values_response__descriptor, &msg) == 1) {
    print_batch(&o, (Huizong__V1__ExportValuesResponse *)msg);
    protobuf_c_message_free_unpacked(msg, NULL);
    hz_progress_update(&p, o.records, o.records);
  }
  char last[200];
  snprintf(last, sizeof(last),
           hz_cli_tr(cli, "%zu records exported in %.1f s", "导出 %zu 条记录, 用时 %.1f 秒"),
           o.records, hz_progress_now() - p.t0);
  hz_progress_end(&p, last);
  hzc_status_t st;
  hzc_status_init(&st);
  int ok = hzc_call_finish(call, &st) == HZC_OK;
  /* A refusal before any record leaves stdout empty, as for other calls. */
  if (ok || o.started)
    finish(&o);
  rc = ok ? HZ_EXIT_OK : hz_cli_refused(cli, &st, NULL);
  if (!ok && o.started)
    fprintf(cli->err, "the export is incomplete: %zu records were printed\n", o.records);
  hzc_status_reset(&st);
  return rc;
}

static int run_export(hz_cli_t *cli) {
  Huizong__V1__ExportValuesRequest req = HUIZONG__V1__EXPORT_VALUES_REQUEST__INIT;
  const char *region, *from, *to;
  int rc;
  if ((rc = hz_cli_need(cli, "region", &region)) != HZ_EXIT_OK ||
      (rc = hz_cli_need(cli, "from", &from)) != HZ_EXIT_OK ||
      (rc = hz_cli_need(cli, "to", &to)) != HZ_EXIT_OK)
    return rc;
  req.region_code = (char *)region;
  req.from_period = (char *)from;
  req.to_period = (char *)to;
  hz_strpool_t pool;
  hz_strpool_init(&pool);
  char **codes;
  if ((rc = hz_cli_opt_list(cli, "indicators", &pool, &codes, &req.n_indicator_codes)) !=
      HZ_EXIT_OK)
    return rc;
  req.indicator_codes = codes;
  rc = stream_export(cli, &req);
  free(codes);
  hz_strpool_free(&pool);
  return rc;
}

const hz_cli_cmd_t hz_cmd_export = {
    .name = "export",
    .summary = "stream the raw stored values of a subtree over a period range",
    .help = "Rows are printed as they arrive. --timeout bounds the whole stream (default\n"
            "here: one hour instead of 30 s).",
    .opts = export_opts,
    .run = run_export,
};
