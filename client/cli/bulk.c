/* The bulk load's reading half: the sheet into (region, period) groups,
 * names resolved to codes, local problems, content-derived ids. */
#include "bulk.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "infile.h"
#include "uuid.h"
#include "valuesfile.h"

/* The namespace of bulk submission ids (a fixed random UUID): ids of
 * other name-based schemes never collide with these. */
static const unsigned char bulk_ns[16] = {0x3b, 0x8e, 0x51, 0x0c, 0x92, 0x47, 0x4f, 0x1d,
                                          0xa6, 0x2e, 0x7d, 0x05, 0xc4, 0x19, 0x88, 0x6a};

void hz_bulk_init(hz_bulk_t *b, hz_cli_t *cli, const char *label) {
  memset(b, 0, sizeof(*b));
  b->cli = cli;
  b->label = label;
  b->unit = "line";
}

void hz_bulk_free(hz_bulk_t *b) {
  for (size_t i = 0; i < b->n; i++) {
    free(b->g[i].region);
    free(b->g[i].period);
    free(b->g[i].problems);
    hz_value_list_free(&b->g[i].values);
  }
  free(b->g);
  free(b->slots);
  hz_catalog_free(&b->cat);
  memset(b, 0, sizeof(*b));
}

static uint64_t key_hash(const char *region, const char *period) {
  uint64_t h = 1469598103934665603ull; /* FNV-1a */
  for (const char *p = region; *p; p++)
    h = (h ^ (unsigned char)*p) * 1099511628211ull;
  h = (h ^ 0x1f) * 1099511628211ull;
  for (const char *p = period; *p; p++)
    h = (h ^ (unsigned char)*p) * 1099511628211ull;
  return h;
}

static size_t *find_slot(hz_bulk_t *b, const char *region, const char *period) {
  size_t mask = b->nslots - 1, i = (size_t)key_hash(region, period) & mask;
  for (;; i = (i + 1) & mask) {
    size_t s = b->slots[i];
    if (s == 0 ||
        (strcmp(b->g[s - 1].region, region) == 0 && strcmp(b->g[s - 1].period, period) == 0))
      return &b->slots[i];
  }
}

/* Keeps the table at most half full. */
static int grow_slots(hz_bulk_t *b) {
  if (b->nslots && (b->n + 1) * 2 <= b->nslots)
    return 0;
  size_t n = b->nslots ? b->nslots * 2 : 256;
  size_t *old = b->slots, oldn = b->nslots;
  b->slots = calloc(n, sizeof(*b->slots));
  if (!b->slots) {
    b->slots = old;
    return -1;
  }
  b->nslots = n;
  for (size_t i = 0; i < oldn; i++)
    if (old[i])
      *find_slot(b, b->g[old[i] - 1].region, b->g[old[i] - 1].period) = old[i];
  free(old);
  return 0;
}

hz_bulk_group_t *hz_bulk_group(hz_bulk_t *b, const char *region, const char *period) {
  if (grow_slots(b) < 0)
    return NULL;
  size_t *slot = find_slot(b, region, period);
  if (*slot)
    return &b->g[*slot - 1];
  if (b->n == b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 64;
    hz_bulk_group_t *g = realloc(b->g, cap * sizeof(*g));
    if (!g)
      return NULL;
    b->g = g;
    b->cap = cap;
  }
  hz_bulk_group_t *g = &b->g[b->n];
  memset(g, 0, sizeof(*g));
  g->region = strdup(region);
  g->period = strdup(period);
  if (!g->region || !g->period) {
    free(g->region);
    free(g->period);
    return NULL;
  }
  *slot = ++b->n;
  return g;
}

/* Appends "len:text" so that no content can imitate another's. */
static int put_field(char **buf, size_t *len, size_t *cap, const char *s) {
  size_t sl = strlen(s), need = *len + sl + 24;
  if (need > *cap) {
    size_t c = *cap ? *cap : 256;
    while (c < need)
      c *= 2;
    char *p = realloc(*buf, c);
    if (!p)
      return -1;
    *buf = p;
    *cap = c;
  }
  *len += (size_t)snprintf(*buf + *len, *cap - *len, "%zu:%s", sl, s);
  return 0;
}

static int group_id(hz_bulk_group_t *g) {
  char *buf = NULL;
  size_t len = 0, cap = 0;
  int rc = put_field(&buf, &len, &cap, "huizong-bulk-v1");
  rc |= put_field(&buf, &len, &cap, g->region);
  rc |= put_field(&buf, &len, &cap, g->period);
  for (size_t i = 0; i < g->values.n && rc == 0; i++) {
    const hz_value_entry_t *e = &g->values.items[i];
    rc |= put_field(&buf, &len, &cap, e->indicator);
    rc |= put_field(&buf, &len, &cap, e->value);
    rc |= put_field(&buf, &len, &cap, e->comment);
  }
  if (rc == 0)
    rc = hz_cli_uuid_v5(bulk_ns, buf, len, g->id);
  free(buf);
  return rc;
}

int hz_bulk_ids(hz_bulk_t *b) {
  for (size_t i = 0; i < b->n; i++)
    if (group_id(&b->g[i]) < 0)
      return -1;
  return 0;
}

/* An indicator given twice in one group: the server would refuse the
 * whole group; the sheet's two rows say more. */
static void check_duplicates(const hz_bulk_t *b, hz_diags_t *d) {
  for (size_t k = 0; k < b->n; k++) {
    const hz_value_list_t *l = &b->g[k].values;
    for (size_t i = 1; i < l->n; i++)
      for (size_t j = 0; j < i; j++)
        if (strcmp(l->items[i].indicator, l->items[j].indicator) == 0) {
          hz_diags_add(d, l->items[i].line, "%s %s: indicator %s is already on %s %zu",
                       b->g[k].region, b->g[k].period, l->items[i].indicator, b->unit,
                       l->items[j].line);
          break;
        }
  }
}

/* One data row into its group. Returns 0, or -1 when out of memory. */
static int take_row(hz_bulk_t *b, const hz_csv_record_t *r, const hz_csv_layout_t *lay,
                    hz_diags_t *d) {
  if (hz_csv_check_record(r, hz_bulk_columns, lay, d) < 0)
    return 0;
  const char *value = hz_csv_get(r, lay, HZ_BCOL_VALUE);
  if (!*value) {
    b->blank++;
    return 0;
  }
  const char *code = hz_csv_get(r, lay, HZ_BCOL_INDICATOR);
  if (hz_catalog_code(&b->cat, code, r->line, &code, d) < 0)
    return 0;
  hz_bulk_group_t *g =
      hz_bulk_group(b, hz_csv_get(r, lay, HZ_BCOL_REGION), hz_csv_get(r, lay, HZ_BCOL_PERIOD));
  if (!g ||
      hz_value_list_add(&g->values, r->line, code, value, hz_csv_get(r, lay, HZ_BCOL_COMMENT)) < 0)
    return -1;
  b->nvalues++;
  return 0;
}

/* Reads and groups the sheet; exit code (problems printed). */
static int load(hz_bulk_t *b, const char *path) {
  hz_cli_t *cli = b->cli;
  char *data, err[300];
  size_t len;
  if (hz_infile_read(path, &data, &len, err, sizeof(err)) < 0)
    return hz_cli_usage(cli, "%s", err);
  hz_diags_t d;
  hz_diags_init(&d);
  hz_rows_t rows;
  int rc = hz_rows_read(b->label, data, len, hz_values_guess_format(path, data, len),
                        hz_bulk_columns, hz_bulk_ncolumns, &rows, &d, cli->err, cli->lang);
  free(data);
  b->unit = d.unit ? d.unit : "line";
  int exit = HZ_EXIT_OK;
  if (rc == 0 && !rows.bad_header && rows.csv.nrecords > rows.layout.first)
    exit = hz_catalog_fetch_lenient(cli, &b->cat);
  for (size_t i = rows.layout.first;
       exit == HZ_EXIT_OK && rc == 0 && !rows.bad_header && i < rows.csv.nrecords; i++)
    rc = take_row(b, &rows.csv.records[i], &rows.layout, &d);
  hz_rows_free(&rows);
  if (exit == HZ_EXIT_OK && rc == 0)
    check_duplicates(b, &d);
  if (exit == HZ_EXIT_OK && (rc < 0 || d.oom))
    exit = hz_cli_error(cli, "out of memory reading %s", b->label);
  else if (exit == HZ_EXIT_OK && d.total > 0) {
    fprintf(cli->err, "error: %s: %zu problem%s; nothing was sent\n", b->label, d.total,
            d.total == 1 ? "" : "s");
    hz_diags_print(&d, cli->err);
    exit = HZ_EXIT_USAGE;
  } else if (exit == HZ_EXIT_OK && b->n == 0)
    exit = hz_cli_usage(cli, "%s has no values to submit", b->label);
  hz_diags_free(&d);
  return exit;
}

int hz_bulk_run(hz_cli_t *cli, const char *path) {
  hz_bulk_t b;
  hz_bulk_init(&b, cli, strcmp(path, "-") == 0 ? "standard input" : path);
  b.dry_run = hz_cli_flag(cli, "dry-run") > 0;
  int rc = load(&b, path);
  if (rc == HZ_EXIT_OK && hz_bulk_ids(&b) < 0)
    rc = hz_cli_error(cli, "cannot derive the submission ids (SHA-1 unavailable)");
  if (rc == HZ_EXIT_OK)
    rc = hz_bulk_send(&b);
  hz_bulk_free(&b);
  return rc;
}
