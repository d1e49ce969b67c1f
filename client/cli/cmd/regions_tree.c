/* "regions tree": the region hierarchy drawn as an indented tree, one
 * region per line, codes indented by depth and names starting in one
 * column whatever the codes' widths (names are padded by display width so
 * the level column lines up under Chinese text too). CSV and JSON give the
 * same rows flat, with their depth. */
#include <stdlib.h>

#include "commands.h"
#include "present.h"
#include "regionrows.h"

/* Spaces of indentation per level of depth. */
#define TREE_INDENT 2

static const hz_cli_opt_t regions_tree_opts[] = {
    {"region", "CODE", "draw only this region's subtree"},
    {"max-depth", "N", "levels below the root to draw (default all)"},
    {"page-size", "N", "rows fetched per call (default: the server's); all pages are shown"},
    {NULL, NULL, NULL},
};

static const char *cell(const hz_table_t *t, size_t r, size_t c) {
  const char *v = t->cells[r * t->ncols + c];
  return v ? v : "";
}

static size_t indent_of(const hz_table_t *t, size_t r, long base) {
  long d = strtol(cell(t, r, HZ_REGION_COL_DEPTH), NULL, 10) - base;
  return d > 0 ? (size_t)d * TREE_INDENT : 0;
}

static void spaces(FILE *f, size_t n) {
  while (n-- > 0)
    fputc(' ', f);
}

static int draw_tree(hz_cli_t *cli, const hz_table_t *t) {
  /* Depths are absolute; a subtree is drawn from its own root. */
  long base = t->nrows ? strtol(cell(t, 0, HZ_REGION_COL_DEPTH), NULL, 10) : 0;
  size_t code_w = 0, name_w = 0;
  for (size_t r = 0; r < t->nrows; r++) {
    size_t w = indent_of(t, r, base) + hz_display_width(cell(t, r, HZ_REGION_COL_CODE));
    if (w > code_w)
      code_w = w;
    if (hz_display_width(cell(t, r, HZ_REGION_COL_NAME)) > name_w)
      name_w = hz_display_width(cell(t, r, HZ_REGION_COL_NAME));
  }
  for (size_t r = 0; r < t->nrows; r++) {
    size_t ind = indent_of(t, r, base);
    const char *code = cell(t, r, HZ_REGION_COL_CODE);
    const char *name = cell(t, r, HZ_REGION_COL_NAME);
    spaces(cli->out, ind);
    fputs(code, cli->out);
    spaces(cli->out, code_w - ind - hz_display_width(code) + 2);
    fputs(name, cli->out);
    spaces(cli->out, name_w - hz_display_width(name) + 2);
    fputs(cell(t, r, HZ_REGION_COL_LEVEL), cli->out);
    fputc('\n', cli->out);
  }
  return ferror(cli->out) ? HZ_EXIT_REFUSED : HZ_EXIT_OK;
}

static int run_regions_tree(hz_cli_t *cli) {
  hz_region_query_t q;
  int rc = hz_region_query_from_cli(cli, &q);
  if (rc != HZ_EXIT_OK)
    return rc;
  hz_table_t t;
  rc = hz_region_rows_fetch(cli, &q, &t);
  if (rc == HZ_EXIT_OK)
    rc = cli->format == HZ_FORMAT_TABLE ? draw_tree(cli, &t) : hz_write_table(cli, &t);
  hz_table_free(&t);
  return rc;
}

const hz_cli_cmd_t hz_cmd_regions_tree = {
    .name = "regions tree",
    .summary = "draw the region hierarchy as an indented tree",
    .opts = regions_tree_opts,
    .run = run_regions_tree,
};
