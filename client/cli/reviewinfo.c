/* Approval and deadline-exception records for output. */
#include "reviewinfo.h"

#include "names.h"
#include "present.h"

const char *const hz_approval_fields[HZ_APPROVAL_NFIELDS] = {
    "region", "period", "state", "approved_by", "approved_at", "last_submitted_at", "comment",
};

void hz_approval_cells(const Huizong__V1__Approval *a, const char *cells[HZ_APPROVAL_NFIELDS]) {
  cells[0] = a->region_code;
  cells[1] = a->period;
  cells[2] = hz_name_of(hz_names_approval_state, a->state);
  cells[3] = hz_cell_opt(a->approved_by);
  cells[4] = hz_cell_opt(a->approved_at);
  cells[5] = hz_cell_opt(a->last_submitted_at);
  cells[6] = hz_cell_opt(a->comment);
}

int hz_approval_print(hz_cli_t *cli, const Huizong__V1__ApprovalResponse *r) {
  if (!r->approval)
    return hz_cli_error(cli, "the server's answer lacks the approval record");
  const char *keys[HZ_APPROVAL_NFIELDS + 1];
  const char *cells[HZ_APPROVAL_NFIELDS + 1];
  hz_approval_cells(r->approval, cells);
  for (size_t i = 0; i < HZ_APPROVAL_NFIELDS; i++)
    keys[i] = hz_approval_fields[i];
  keys[HZ_APPROVAL_NFIELDS] = "changed";
  cells[HZ_APPROVAL_NFIELDS] = hz_cell_bool(r->changed);
  return hz_write_record(cli, HZ_APPROVAL_NFIELDS + 1, keys, cells);
}

const char *const hz_exception_fields[HZ_EXCEPTION_NFIELDS] = {
    "region", "period", "reason", "granted_by", "granted_at", "expires_at",
};

void hz_exception_cells(const Huizong__V1__PeriodException *e,
                        const char *cells[HZ_EXCEPTION_NFIELDS]) {
  cells[0] = e->region_code;
  cells[1] = e->period;
  cells[2] = e->reason;
  cells[3] = hz_cell_opt(e->granted_by);
  cells[4] = hz_cell_opt(e->granted_at);
  cells[5] = hz_cell_opt(e->expires_at);
}
