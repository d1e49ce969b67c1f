/* Listings written batch by batch (output.h: hz_out_stream_*): the same
 * formats as hz_out_table, without holding every row. */
#include <stdlib.h>
#include <string.h>

#include "output.h"

int hz_out_stream_begin(hz_out_stream_t *s, hz_out_t *o, const hz_table_t *first) {
  memset(s, 0, sizeof(*s));
  s->o = o;
  int rc = hz_out_select(o, first, &s->idx, &s->n);
  if (rc != 0)
    return rc;
  switch (o->format) {
  case HZ_FORMAT_CSV: return hz_out_csv_rows(o, first, s->idx, s->n, HZ_CSV_HEADER) < 0 ? -1 : 0;
  case HZ_FORMAT_XLSX: return hz_out_xlsx_begin(s, first);
  case HZ_FORMAT_JSON: return 0; /* "[" comes with the first row, so [] stays one line */
  default: return hz_out_text_begin(s, first);
  }
}

static int json_rows(hz_out_stream_t *s, const hz_table_t *batch) {
  hz_out_t *o = s->o;
  for (size_t r = 0; r < batch->nrows; r++) {
    json_t *obj = hz_out_json_row(o, batch, r);
    fputs(s->rows + r ? ",\n  " : "[\n  ", o->out);
    int rc = obj ? json_dumpf(obj, o->out, JSON_PRESERVE_ORDER) : -1;
    json_decref(obj);
    if (rc < 0)
      return -1;
  }
  return ferror(o->out) ? -1 : 0;
}

int hz_out_stream_batch(hz_out_stream_t *s, const hz_table_t *batch) {
  int rc;
  switch (s->o->format) {
  case HZ_FORMAT_CSV: rc = hz_out_csv_rows(s->o, batch, s->idx, s->n, HZ_CSV_ROWS); break;
  case HZ_FORMAT_XLSX: rc = hz_out_xlsx_rows(s, batch); break;
  case HZ_FORMAT_JSON: rc = json_rows(s, batch); break;
  default: rc = hz_out_text_rows(s, batch); break;
  }
  s->rows += batch->nrows;
  fflush(s->o->out);
  return rc;
}

int hz_out_stream_end(hz_out_stream_t *s) {
  int rc = 0;
  if (s->o && s->o->format == HZ_FORMAT_JSON) {
    fputs(s->rows ? "\n]\n" : "[]\n", s->o->out);
    rc = ferror(s->o->out) ? -1 : 0;
  }
  free(s->idx);
  free(s->width);
  free(s->right);
  memset(s, 0, sizeof(*s));
  return rc;
}
