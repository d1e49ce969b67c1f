/* How the review workflow's records are shown: an approval (one township,
 * one period) by approve, reopen and approve --all-submitted; a deadline
 * exception by periods reopen and periods exceptions. Each record has the
 * same fields wherever it appears. */
#ifndef HZ_CLI_REVIEWINFO_H
#define HZ_CLI_REVIEWINFO_H

#include "cli.h"
#include "huizong/v1/admin.pb-c.h"

#define HZ_APPROVAL_NFIELDS 7

/* Column names of an approval record. */
extern const char *const hz_approval_fields[HZ_APPROVAL_NFIELDS];

/* Fills cells (HZ_APPROVAL_NFIELDS) from a; they point into a or are
 * constants. Empty fields (no approver yet ...) become absent cells. */
void hz_approval_cells(const Huizong__V1__Approval *a, const char *cells[HZ_APPROVAL_NFIELDS]);

/* Prints an Approve/Reopen answer as one record: the approval's fields
 * and "changed". Returns an HZ_EXIT code. */
int hz_approval_print(hz_cli_t *cli, const Huizong__V1__ApprovalResponse *r);

#define HZ_EXCEPTION_NFIELDS 6

/* Column names of a deadline exception. */
extern const char *const hz_exception_fields[HZ_EXCEPTION_NFIELDS];

/* Fills cells (HZ_EXCEPTION_NFIELDS) from e; an empty expiry (none) is an
 * absent cell. */
void hz_exception_cells(const Huizong__V1__PeriodException *e,
                        const char *cells[HZ_EXCEPTION_NFIELDS]);

#endif
