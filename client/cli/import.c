/* Shared steps of the CSV import commands. */
#include "import.h"

#include <stdlib.h>
#include <string.h>

#include "calls.h"
#include "infile.h"
#include "present.h"

int hz_import_open(hz_import_t *im, hz_cli_t *cli, const hz_csv_column_t *cols, size_t ncols) {
  memset(im, 0, sizeof(*im));
  im->cli = cli;
  im->path = cli->args[0];
  hz_diags_init(&im->diags);
  char *data;
  size_t len;
  char err[300];
  if (hz_infile_read(im->path, &data, &len, err, sizeof(err)) < 0)
    return hz_cli_usage(cli, "%s", err);
  int parsed = hz_csv_parse(&im->csv, data, len, &im->diags);
  free(data);
  if (parsed < 0)
    return hz_cli_error(cli, "out of memory reading %s", im->path);
  if (hz_csv_map_columns(&im->csv, cols, ncols, &im->layout, &im->diags) < 0)
    return HZ_EXIT_OK; /* the header's problems are reported by the verdict */
  im->first = im->layout.first;
  im->nrows = im->csv.nrecords - im->first;
  for (size_t i = 0; i < im->nrows; i++)
    hz_csv_check_record(hz_import_row(im, i), cols, &im->layout, &im->diags);
  if (im->nrows == 0 && im->diags.total == 0)
    hz_diags_add(&im->diags, 0, "the file has no rows");
  return HZ_EXIT_OK;
}

void hz_import_close(hz_import_t *im) {
  hz_csv_free(&im->csv);
  hz_diags_free(&im->diags);
}

const hz_csv_record_t *hz_import_row(const hz_import_t *im, size_t i) {
  return &im->csv.records[im->first + i];
}

const char *hz_import_get(const hz_import_t *im, size_t i, size_t col) {
  return hz_csv_get(hz_import_row(im, i), &im->layout, col);
}

int hz_import_verdict(hz_import_t *im) {
  if (im->diags.oom)
    return hz_cli_error(im->cli, "out of memory reading %s", im->path);
  if (im->diags.total == 0)
    return HZ_EXIT_OK;
  fprintf(im->cli->err, "error: %s: %zu problem%s; nothing was sent\n", im->path, im->diags.total,
          im->diags.total == 1 ? "" : "s");
  hz_diags_print(&im->diags, im->cli->err);
  return HZ_EXIT_USAGE;
}

int hz_import_print_summary(hz_cli_t *cli, const Huizong__V1__ImportResponse *r) {
  hz_strpool_t pool;
  hz_strpool_init(&pool);
  static const char *const keys[] = {"received", "created", "updated", "unchanged", "dry_run"};
  const char *values[] = {
      hz_cell_int(&pool, r->received), hz_cell_int(&pool, r->created),
      hz_cell_int(&pool, r->updated),  hz_cell_int(&pool, r->unchanged),
      hz_cell_bool(r->dry_run),
  };
  int rc = hz_write_record(cli, sizeof(keys) / sizeof(keys[0]), keys, values);
  hz_strpool_free(&pool);
  return rc;
}

int hz_import_send(hz_cli_t *cli, const char *method, const ProtobufCMessage *req) {
  ProtobufCMessage *resp;
  int rc = hz_cli_unary(cli, method, req, &huizong__v1__import_response__descriptor, &resp, NULL);
  if (rc != HZ_EXIT_OK)
    return rc;
  rc = hz_import_print_summary(cli, (Huizong__V1__ImportResponse *)resp);
  protobuf_c_message_free_unpacked(resp, NULL);
  return rc;
}
