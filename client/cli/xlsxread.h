/* Reading the first worksheet of an Excel workbook (.xlsx, Office Open
 * XML) for `huizong submit` and the bulk load: libzip opens the package,
 * expat parses its XML (workbook, relationships, shared strings, the
 * sheet). Cells come out as text, the way a CSV would hold them:
 *
 *   - shared strings (t="s", rich text runs joined, phonetic runs left
 *     out), inline strings (t="inlineStr") and formula strings (t="str")
 *     as written;
 *   - numbers exactly as stored in the cell's XML, never through a
 *     double: "4.9" stays "4.9"; a stored exponent ("1.2E-3", what Excel
 *     writes for very large or small numbers) is rewritten as the same
 *     decimal without one ("0.0012");
 *   - booleans as TRUE/FALSE, errors as their text (#DIV/0!);
 *   - missing cells and rows are empty; spaces around a cell are dropped
 *     and rows whose cells are all empty are skipped, as in a CSV.
 *
 * Every record's line is the sheet's row number, so problems name the row
 * a clerk sees in Excel. Why not a hand-written reader: ZIP (deflate,
 * data descriptors, ZIP64) and XML (entities, namespaces, encodings) are
 * the libraries' business. Sizes are bounded (HZ_XLSX_MAX_XML of
 * uncompressed XML per part) so a small "zip bomb" cannot exhaust memory. */
#ifndef HZ_CLI_XLSXREAD_H
#define HZ_CLI_XLSXREAD_H

#include <stddef.h>

#include "csv.h"

/* Most uncompressed bytes read from one part of the package. */
#define HZ_XLSX_MAX_XML (256u * 1024u * 1024u)

/* True when data starts like a ZIP file ("PK\3\4"). */
int hz_xlsx_sniff(const char *data, size_t len);

/* Reads the first worksheet of the workbook in data into out (records
 * with their row numbers as lines). Returns 0, or -1 with the reason in
 * err (errlen bytes); out is then empty. */
int hz_xlsx_read(const char *data, size_t len, hz_csv_t *out, char *err, size_t errlen);

#endif
