/* The package side of the xlsx reader: opening the ZIP with libzip,
 * finding the first sheet through the workbook and its relationships,
 * and feeding a part's XML to expat in chunks. The sheet's cells are
 * xlsxsheet.c's. */
#include "xlsxread.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <expat.h>
#include <zip.h>

#include "xlsxint.h"

int hz_xlsx_sniff(const char *data, size_t len) {
  return len >= 4 && memcmp(data, "PK\x03\x04", 4) == 0;
}

const char *hz_xlsx_local(const char *name) {
  const char *colon = strrchr(name, ':');
  return colon ? colon + 1 : name;
}

const char *hz_xlsx_attr(const char **atts, const char *local) {
  for (size_t i = 0; atts[i]; i += 2)
    if (strcmp(hz_xlsx_local(atts[i]), local) == 0)
      return atts[i + 1];
  return NULL;
}

int hz_xlsx_parse_part(zip_t *za, const char *name, hz_xlsx_handlers_t *h, char *err,
                       size_t errlen) {
  zip_file_t *zf = zip_fopen(za, name, 0);
  if (!zf) {
    snprintf(err, errlen, "the workbook has no part %s (is it really an .xlsx file?)", name);
    return -1;
  }
  XML_Parser p = XML_ParserCreate(NULL);
  if (!p) {
    zip_fclose(zf);
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  XML_SetUserData(p, h->ud);
  XML_SetElementHandler(p, h->start, h->end);
  XML_SetCharacterDataHandler(p, h->text);
  h->parser = p;
  char buf[64 * 1024];
  size_t total = 0;
  int rc = 0;
  for (;;) {
    zip_int64_t n = zip_fread(zf, buf, sizeof(buf));
    if (n < 0) {
      snprintf(err, errlen, "cannot read %s from the workbook: %s", name,
               zip_error_strerror(zip_file_get_error(zf)));
      rc = -1;
      break;
    }
    total += (size_t)n;
    if (total > HZ_XLSX_MAX_XML) {
      snprintf(err, errlen, "%s is larger than %u MiB uncompressed", name, HZ_XLSX_MAX_XML >> 20);
      rc = -1;
      break;
    }
    if (XML_Parse(p, buf, (int)n, n == 0) == XML_STATUS_ERROR) {
      if (h->failed)
        snprintf(err, errlen, "%s", h->failed);
      else
        snprintf(err, errlen, "%s: XML error at line %lu: %s", name,
                 (unsigned long)XML_GetCurrentLineNumber(p), XML_ErrorString(XML_GetErrorCode(p)));
      rc = -1;
      break;
    }
    if (n == 0)
      break;
  }
  XML_ParserFree(p);
  h->parser = NULL;
  zip_fclose(zf);
  return rc;
}

void hz_xlsx_stop(hz_xlsx_handlers_t *h, const char *why) {
  if (!h->failed)
    h->failed = why;
  if (h->parser)
    XML_StopParser(h->parser, XML_FALSE);
}

/* ---- workbook.xml and its relationships ---- */

/* What the workbook and its relationships say. */
typedef struct book_s {
  hz_xlsx_handlers_t h; /* parser callbacks, ud = this */
  char sheet_rid[64];   /* r:id of the first <sheet> */
  char sheet_path[256]; /* its part name, e.g. "xl/worksheets/sheet1.xml" */
  char sst_path[256];   /* the shared strings part, "" when none */
} book_t;

static void book_start(void *ud, const char *name, const char **atts) {
  book_t *b = ud;
  if (strcmp(hz_xlsx_local(name), "sheet") == 0 && !b->sheet_rid[0]) {
    const char *rid = hz_xlsx_attr(atts, "id");
    if (rid)
      snprintf(b->sheet_rid, sizeof(b->sheet_rid), "%s", rid);
  }
}

/* A relationship target is relative to xl/ unless it starts with '/'. */
static void part_name(char *out, size_t len, const char *target) {
  if (target[0] == '/')
    snprintf(out, len, "%s", target + 1);
  else
    snprintf(out, len, "xl/%s", target);
}

static int ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcmp(s + n - m, suffix) == 0;
}

static void rels_start(void *ud, const char *name, const char **atts) {
  book_t *b = ud;
  if (strcmp(hz_xlsx_local(name), "Relationship") != 0)
    return;
  const char *id = hz_xlsx_attr(atts, "Id");
  const char *target = hz_xlsx_attr(atts, "Target");
  const char *type = hz_xlsx_attr(atts, "Type");
  if (!target)
    return;
  if (id && strcmp(id, b->sheet_rid) == 0)
    part_name(b->sheet_path, sizeof(b->sheet_path), target);
  else if (type && ends_with(type, "/sharedStrings"))
    part_name(b->sst_path, sizeof(b->sst_path), target);
}

static void ignore_end(void *ud, const char *name) {
  (void)ud;
  (void)name;
}

static void ignore_text(void *ud, const char *s, int len) {
  (void)ud;
  (void)s;
  (void)len;
}

/* Finds the first sheet's part and the shared strings part. Workbooks
 * without relationships (some minimal writers) fall back to the names
 * every writer uses. */
static int find_parts(zip_t *za, book_t *b, char *err, size_t errlen) {
  snprintf(b->sheet_path, sizeof(b->sheet_path), "xl/worksheets/sheet1.xml");
  snprintf(b->sst_path, sizeof(b->sst_path), "xl/sharedStrings.xml");
  b->h = (hz_xlsx_handlers_t){.ud = b, .start = book_start, .end = ignore_end, .text = ignore_text};
  if (zip_name_locate(za, "xl/workbook.xml", 0) < 0)
    return 0;
  if (hz_xlsx_parse_part(za, "xl/workbook.xml", &b->h, err, errlen) < 0)
    return -1;
  if (!b->sheet_rid[0]) {
    snprintf(err, errlen, "the workbook has no worksheet");
    return -1;
  }
  if (zip_name_locate(za, "xl/_rels/workbook.xml.rels", 0) < 0)
    return 0;
  b->sst_path[0] = '\0';
  b->h.start = rels_start;
  return hz_xlsx_parse_part(za, "xl/_rels/workbook.xml.rels", &b->h, err, errlen);
}

int hz_xlsx_read(const char *data, size_t len, hz_csv_t *out, char *err, size_t errlen) {
  memset(out, 0, sizeof(*out));
  zip_error_t ze;
  zip_error_init(&ze);
  zip_source_t *src = zip_source_buffer_create(data, len, 0, &ze);
  zip_t *za = src ? zip_open_from_source(src, ZIP_RDONLY, &ze) : NULL;
  if (!za) {
    snprintf(err, errlen, "not a readable .xlsx workbook (%s)", zip_error_strerror(&ze));
    if (src)
      zip_source_free(src);
    zip_error_fini(&ze);
    return -1;
  }
  zip_error_fini(&ze);
  book_t b;
  memset(&b, 0, sizeof(b));
  hz_xlsx_strings_t sst = {0};
  int rc = find_parts(za, &b, err, errlen);
  if (rc == 0 && b.sst_path[0] && zip_name_locate(za, b.sst_path, 0) >= 0)
    rc = hz_xlsx_read_strings(za, b.sst_path, &sst, err, errlen);
  if (rc == 0)
    rc = hz_xlsx_read_sheet(za, b.sheet_path, &sst, out, err, errlen);
  hz_xlsx_strings_free(&sst);
  zip_discard(za); /* read-only: nothing to write back */
  if (rc < 0)
    hz_csv_free(out);
  return rc;
}
