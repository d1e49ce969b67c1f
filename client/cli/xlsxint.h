/* What the two halves of the xlsx reader share (xlsxread.c: the package;
 * xlsxsheet.c: shared strings and cells). Not for other modules. */
#ifndef HZ_CLI_XLSXINT_H
#define HZ_CLI_XLSXINT_H

#include <stddef.h>

#include <expat.h>
#include <zip.h>

#include "csv.h"

/* Callbacks for one XML part. */
typedef struct hz_xlsx_handlers_s {
  void *ud;                      /* the parser's user data */
  XML_StartElementHandler start; /* element opened */
  XML_EndElementHandler end;     /* element closed */
  XML_CharacterDataHandler text; /* character data */
  XML_Parser parser;             /* while parsing: to stop it */
  const char *failed;            /* why a handler stopped the parse (static text) */
} hz_xlsx_handlers_t;

/* The workbook's shared strings, by index. */
typedef struct hz_xlsx_strings_s {
  char **v;   /* owned UTF-8 strings */
  size_t n;   /* how many */
  size_t cap; /* allocated */
} hz_xlsx_strings_t;

/* Feeds the part name to expat with h. Returns 0 or -1 with err. */
int hz_xlsx_parse_part(zip_t *za, const char *name, hz_xlsx_handlers_t *h, char *err,
                       size_t errlen);
/* Stops the parse from inside a handler; why is static text. */
void hz_xlsx_stop(hz_xlsx_handlers_t *h, const char *why);
/* An element or attribute name without its namespace prefix. */
const char *hz_xlsx_local(const char *name);
/* The value of the attribute with that local name, or NULL. */
const char *hz_xlsx_attr(const char **atts, const char *local);

int hz_xlsx_read_strings(zip_t *za, const char *part, hz_xlsx_strings_t *sst, char *err,
                         size_t errlen);
void hz_xlsx_strings_free(hz_xlsx_strings_t *sst);
int hz_xlsx_read_sheet(zip_t *za, const char *part, const hz_xlsx_strings_t *sst, hz_csv_t *out,
                       char *err, size_t errlen);

/* Rewrites the number text of a cell without an exponent ("1.5E-3" ->
 * "0.0015"); other text is copied. Returns a malloc'd string or NULL. */
char *hz_xlsx_plain_number(const char *s);

#endif
