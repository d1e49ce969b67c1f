/* JSON input through jansson: documents into CSV-like records. */
#include "jsonvalues.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "valuesfile.h"

/* Which column a key names (any '|' spelling, ignoring case), or -1. */
static int column_of(const hz_csv_column_t *cols, size_t ncols, const char *key) {
  size_t kl = strlen(key);
  for (size_t i = 0; i < ncols; i++) {
    const char *spec = cols[i].name;
    while (*spec) {
      const char *bar = strchr(spec, '|');
      size_t sl = bar ? (size_t)(bar - spec) : strlen(spec);
      if (sl == kl && strncasecmp(spec, key, kl) == 0)
        return (int)i;
      spec += sl + (bar ? 1 : 0);
    }
  }
  return -1;
}

static int canon_len(const char *spec) {
  const char *bar = strchr(spec, '|');
  return bar ? (int)(bar - spec) : (int)strlen(spec);
}

/* The text of one field, or NULL with a problem reported. */
static char *field_text(json_t *v, const char *key, size_t item, hz_diags_t *d) {
  char num[32];
  switch (json_typeof(v)) {
  case JSON_STRING: return strdup(json_string_value(v));
  case JSON_NULL: return strdup("");
  case JSON_INTEGER:
    snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    return strdup(num);
  case JSON_REAL:
    hz_diags_add(d, item,
                 "\"%s\" is a JSON number with a fraction or an exponent (%.15g): write it as a "
                 "string, e.g. \"%.15g\", so that its exact digits are kept",
                 key, json_real_value(v), json_real_value(v));
    return NULL;
  default: hz_diags_add(d, item, "\"%s\" must be a string or a number", key); return NULL;
  }
}

/* One entry into fields (ncols slots, NULL = absent). Returns 0 when the
 * entry is usable, 1 when it has problems, -1 when out of memory. */
static int read_entry(json_t *obj, size_t item, const hz_csv_column_t *cols, size_t ncols,
                      char **fields, hz_diags_t *d) {
  if (!json_is_object(obj)) {
    hz_diags_add(d, item, "an entry must be an object {\"%.*s\": ...}", canon_len(cols[0].name),
                 cols[0].name);
    return 1;
  }
  int bad = 0;
  const char *key;
  json_t *v;
  json_object_foreach(obj, key, v) {
    int c = column_of(cols, ncols, key);
    if (c < 0) {
      hz_diags_add(d, item, "unknown key \"%s\"", key);
      bad = 1;
    } else if (!cols[c].ignored) {
      char *t = field_text(v, key, item, d);
      bad |= !t;
      free(fields[c]);
      fields[c] = t;
    }
  }
  for (size_t c = 0; c < ncols; c++) {
    if (!fields[c] && !(fields[c] = strdup("")))
      return -1;
    if (cols[c].required == HZ_CSV_REQUIRED && !fields[c][0] && !bad) {
      hz_diags_add(d, item, "\"%.*s\" is missing", canon_len(cols[c].name), cols[c].name);
      bad = 1;
    }
  }
  return bad;
}

static void free_fields(char **fields, size_t n) {
  for (size_t i = 0; i < n; i++)
    free(fields[i]);
  free(fields);
}

static json_t *entries_of(json_t *root, const char *wrapper, hz_diags_t *d) {
  if (json_is_array(root))
    return root;
  json_t *a = json_is_object(root) ? json_object_get(root, wrapper) : NULL;
  if (json_is_array(a) && json_object_size(root) == 1)
    return a;
  hz_diags_add(d, 0, "the JSON must be an array of entries or {\"%s\": [...]}", wrapper);
  return NULL;
}

int hz_json_rows(const char *data, size_t len, const char *wrapper, const hz_csv_column_t *cols,
                 size_t ncols, hz_csv_t *out, hz_diags_t *d) {
  memset(out, 0, sizeof(*out));
  d->unit = "item";
  if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
    data += 3, len -= 3;
  json_error_t e;
  json_t *root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &e);
  if (!root) {
    const char *hint = strstr(e.text, "too big")       ? " (write large figures as strings)"
                       : strstr(e.text, "decode byte") ? " (the file must be UTF-8)"
                                                       : "";
    hz_diags_add(d, 0, "line %d, column %d: %s%s", e.line, e.column, e.text, hint);
    return 0;
  }
  json_t *arr = entries_of(root, wrapper, d);
  int rc = 0;
  for (size_t i = 0; arr && i < json_array_size(arr) && rc == 0; i++) {
    char **fields = calloc(ncols, sizeof(*fields));
    int r = fields ? read_entry(json_array_get(arr, i), i + 1, cols, ncols, fields, d) : -1;
    if (r == 0 && hz_csv_append(out, i + 1, fields, ncols) == 0)
      continue;
    if (fields)
      free_fields(fields, ncols);
    rc = r < 0 || r == 0 ? -1 : 0;
  }
  json_decref(root);
  return rc;
}

int hz_jsonvalues_parse(const char *data, size_t len, hz_value_list_t *out, hz_diags_t *d) {
  return hz_values_parse("JSON", data, len, HZ_VALUES_JSON, out, d, NULL, HZ_LANG_EN);
}
