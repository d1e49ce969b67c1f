/* What the huizong-admin import commands share: reading a CSV file with
 * the command's columns, collecting every local problem with its line
 * before anything is sent (exit 2), and printing the server's import
 * summary (received / created / updated / unchanged). Each row sent
 * carries its file line, so the server's problems name it too. */
#ifndef HZ_CLI_IMPORT_H
#define HZ_CLI_IMPORT_H

#include "cli.h"
#include "csv.h"
#include "diag.h"
#include "huizong/v1/admin.pb-c.h"

/* A CSV import file being read. */
typedef struct hz_import_s {
  hz_cli_t *cli;          /* the command line */
  const char *path;       /* the file */
  hz_csv_t csv;           /* its records */
  hz_csv_layout_t layout; /* its columns */
  hz_diags_t diags;       /* its problems so far */
  size_t first;           /* index of the first data record */
  size_t nrows;           /* data records (csv.nrecords - first) */
} hz_import_t;

/* Reads and parses the file named by the command's first argument with
 * cols, checking every record's shape. Returns HZ_EXIT_OK (problems may
 * already be in diags) or an exit code after printing why. */
int hz_import_open(hz_import_t *im, hz_cli_t *cli, const hz_csv_column_t *cols, size_t ncols);
void hz_import_close(hz_import_t *im);

/* The data record i (0-based, header excluded) and its field col. */
const hz_csv_record_t *hz_import_row(const hz_import_t *im, size_t i);
const char *hz_import_get(const hz_import_t *im, size_t i, size_t col);

/* After the rows are built: prints the problems found and returns
 * HZ_EXIT_USAGE, or HZ_EXIT_OK when there are none. */
int hz_import_verdict(hz_import_t *im);

/* The server's counts as a record. */
int hz_import_print_summary(hz_cli_t *cli, const Huizong__V1__ImportResponse *r);

/* Sends a built import request (any Import* method: they all answer an
 * ImportResponse) and prints the server's counts. Returns an HZ_EXIT code. */
int hz_import_send(hz_cli_t *cli, const char *method, const ProtobufCMessage *req);

#endif
