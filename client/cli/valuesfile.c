/* Values files: format choice and the CSV flavour (the JSON one is in
 * jsonvalues.c). */
#include "valuesfile.h"

#include <string.h>
#include <strings.h>

#include "csv.h"
#include "jsonvalues.h"

static const hz_csv_column_t value_columns[] = {
    {"indicator|indicator_code", 1},
    {"value", 1},
    {"comment", 0},
};
#define NCOLUMNS (sizeof(value_columns) / sizeof(value_columns[0]))

static int ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

hz_values_format_t hz_values_guess_format(const char *path, const char *data, size_t len) {
  if (path && ends_with(path, ".json"))
    return HZ_VALUES_JSON;
  if (path && ends_with(path, ".csv"))
    return HZ_VALUES_CSV;
  size_t i = len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
  while (i < len && strchr(" \t\r\n", data[i]))
    i++;
  return i < len && (data[i] == '[' || data[i] == '{') ? HZ_VALUES_JSON : HZ_VALUES_CSV;
}

static int parse_csv(const char *data, size_t len, hz_value_list_t *out, hz_diags_t *d) {
  hz_csv_t csv;
  hz_csv_layout_t layout;
  int rc = 0;
  if (hz_csv_parse(&csv, data, len, d) < 0) {
    hz_csv_free(&csv);
    return -1;
  }
  if (hz_csv_map_columns(&csv, value_columns, NCOLUMNS, &layout, d) == 0) {
    for (size_t i = layout.first; i < csv.nrecords && rc == 0; i++) {
      const hz_csv_record_t *r = &csv.records[i];
      if (hz_csv_check_record(r, value_columns, &layout, d) < 0)
        continue;
      rc = hz_value_list_add(out, r->line, hz_csv_get(r, &layout, 0), hz_csv_get(r, &layout, 1),
                             hz_csv_get(r, &layout, 2));
    }
  }
  hz_csv_free(&csv);
  return rc;
}

int hz_values_parse(const char *data, size_t len, hz_values_format_t fmt, hz_value_list_t *out,
                    hz_diags_t *d) {
  if (fmt == HZ_VALUES_JSON)
    return hz_jsonvalues_parse(data, len, out, d);
  return parse_csv(data, len, out, d);
}
