/* How a token's record (never its secret) is shown by the token commands
 * and whoami: the same fields, as one record or as table rows. */
#ifndef HZ_CLI_TOKENINFO_H
#define HZ_CLI_TOKENINFO_H

#include "cli.h"
#include "huizong/v1/admin.pb-c.h"

#define HZ_TOKEN_NFIELDS 8

/* Column names of a token record. */
extern const char *const hz_token_fields[HZ_TOKEN_NFIELDS];

/* Fills cells (HZ_TOKEN_NFIELDS) from t; they point into t. */
void hz_token_cells(const Huizong__V1__TokenInfo *t, const char *cells[HZ_TOKEN_NFIELDS]);

/* Prints t as one record. Returns an HZ_EXIT code. */
int hz_token_print(hz_cli_t *cli, const Huizong__V1__TokenInfo *t);

#endif
