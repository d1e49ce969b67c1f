/* Reading JSON input files with jansson (Debian's libjansson): the values
 * of `huizong submit` and the rows of a bulk load.
 *
 *   [{"indicator": "fai", "value": "4.9", "comment": "..."}, ...]
 *   {"values": [ ...the same... ]}      ({"rows": [...]} for a bulk load)
 *
 * Each entry is an object whose keys are column names (any spelling the
 * CSV header accepts). A field is a JSON string, an integer (its digits,
 * exactly), or null (empty). A number with a fraction or an exponent is
 * refused with the advice to write it as a string: a JSON parser holds it
 * as a binary double, which would change "4.90" or 0.1 on the money
 * path; exact decimals travel as strings. Unknown keys, other types, and
 * repeated keys (the whole document) are problems. Positions are entries
 * ("item 3"), since a JSON library does not keep the lines of values; a
 * syntax error names its line and column and stops the reading. */
#ifndef HZ_CLI_JSONVALUES_H
#define HZ_CLI_JSONVALUES_H

#include <stddef.h>

#include "csv.h"
#include "diag.h"
#include "valuelist.h"

/* Reads len bytes of JSON (an optional UTF-8 BOM is skipped) into
 * records whose fields follow cols (ignored columns are empty) and whose
 * line is the entry's 1-based number; wrapper is the key of the
 * object form ("values", "rows"). Sets d->unit to "item". Returns 0
 * (check d->total) or -1 when out of memory. */
int hz_json_rows(const char *data, size_t len, const char *wrapper, const hz_csv_column_t *cols,
                 size_t ncols, hz_csv_t *out, hz_diags_t *d);

/* The values form (hz_values_parse for JSON): entries appended to out
 * (line = entry number), blank values counted in out->blank. */
int hz_jsonvalues_parse(const char *data, size_t len, hz_value_list_t *out, hz_diags_t *d);

#endif
