/* Whole-file reads for the CLIs' input files. */
#include "infile.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire/utf8.h"

static int read_stream(FILE *f, const char *path, char **data, size_t *len, char *err,
                       size_t errlen) {
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap);
  if (!buf) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  for (;;) {
    if (n + 1 >= cap) {
      if (cap > HZ_INFILE_MAX) {
        snprintf(err, errlen, "%s is larger than %u MiB", path, HZ_INFILE_MAX >> 20);
        free(buf);
        return -1;
      }
      char *nb = realloc(buf, cap * 2);
      if (!nb) {
        snprintf(err, errlen, "out of memory reading %s", path);
        free(buf);
        return -1;
      }
      buf = nb;
      cap *= 2;
    }
    size_t got = fread(buf + n, 1, cap - n - 1, f);
    n += got;
    if (got == 0) {
      if (ferror(f)) {
        snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
        free(buf);
        return -1;
      }
      break;
    }
  }
  buf[n] = '\0';
  *data = buf;
  *len = n;
  return 0;
}

int hz_infile_read(const char *path, char **data, size_t *len, char *err, size_t errlen) {
  *data = NULL;
  *len = 0;
  if (strcmp(path, "-") == 0)
    return read_stream(stdin, "standard input", data, len, err, errlen);
  FILE *f = fopen(path, "rb");
  if (!f) {
    snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
    return -1;
  }
  int rc = read_stream(f, path, data, len, err, errlen);
  fclose(f);
  return rc;
}

int hz_infile_check_utf8(const char *text, size_t len, size_t *line) {
  size_t bad;
  if (hz_wire_utf8_check(text, len, &bad) == 0)
    return 0;
  size_t ln = 1;
  for (size_t i = 0; i < bad; i++)
    ln += text[i] == '\n';
  *line = ln;
  return -1;
}
