/* A strict reader for the JSON form of a submission's values:
 *
 *   [{"indicator": "fai", "value": "4.9", "comment": "..."}, ...]
 *   {"values": [ ...the same... ]}
 *
 * "value" is a JSON string or a JSON number; either way its text is kept
 * verbatim ("4.90" and 4.90 both stay "4.90") and never passes through a
 * double. Numbers with an exponent (1e3) are refused, since exact decimals
 * have none. "comment" is optional (a string or null). Unknown or repeated
 * keys, other value types, and anything that is not RFC 8259 JSON in UTF-8
 * are problems reported with their line; a syntax error stops the reading
 * (what follows cannot be trusted), shape problems do not. */
#ifndef HZ_CLI_JSONVALUES_H
#define HZ_CLI_JSONVALUES_H

#include <stddef.h>

#include "diag.h"
#include "valuelist.h"

/* Reads len bytes of data (an optional UTF-8 BOM is skipped) into out,
 * appending the entries without problems. Returns 0 (check d->total) or
 * -1 when out of memory. */
int hz_jsonvalues_parse(const char *data, size_t len, hz_value_list_t *out, hz_diags_t *d);

#endif
