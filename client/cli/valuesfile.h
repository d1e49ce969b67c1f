/* The township's values file for `huizong submit`: CSV (columns
 * indicator,value[,comment], header optional and recognised by the word
 * "indicator") or JSON (see jsonvalues.h), chosen by the file name or,
 * failing that, by its first character. */
#ifndef HZ_CLI_VALUESFILE_H
#define HZ_CLI_VALUESFILE_H

#include <stddef.h>

#include "diag.h"
#include "valuelist.h"

typedef enum {
  HZ_VALUES_CSV = 0,
  HZ_VALUES_JSON,
} hz_values_format_t;

/* .json / .csv by name; otherwise JSON when the first non-blank character
 * (after any BOM) is '[' or '{', else CSV. */
hz_values_format_t hz_values_guess_format(const char *path, const char *data, size_t len);

/* Parses the file's text into out; every problem goes to d with its line.
 * Returns 0 (check d->total) or -1 when out of memory. */
int hz_values_parse(const char *data, size_t len, hz_values_format_t fmt, hz_value_list_t *out,
                    hz_diags_t *d);

#endif
