/* Reading a whole input file (values, imports, narrative) into memory,
 * with a size bound, "-" meaning standard input. */
#ifndef HZ_CLI_INFILE_H
#define HZ_CLI_INFILE_H

#include <stddef.h>

/* Largest input file accepted: far above what one request may carry. */
#define HZ_INFILE_MAX (64u * 1024u * 1024u)

/* Reads path (or stdin for "-") into a malloc'd, NUL-terminated buffer.
 * Returns 0, or -1 with a reason in err (errlen bytes). */
int hz_infile_read(const char *path, char **data, size_t *len, char *err, size_t errlen);

/* Checks that text is UTF-8 without NUL bytes. Returns 0, or -1 with the
 * 1-based line of the first bad byte in *line. */
int hz_infile_check_utf8(const char *text, size_t len, size_t *line);

#endif
