/* Token records for output. */
#include "tokeninfo.h"

#include "names.h"
#include "present.h"

const char *const hz_token_fields[HZ_TOKEN_NFIELDS] = {
    "id", "name", "role", "region", "created_at", "created_by", "revoked_at", "last_used_at",
};

void hz_token_cells(const Huizong__V1__TokenInfo *t, const char *cells[HZ_TOKEN_NFIELDS]) {
  cells[0] = t->id;
  cells[1] = t->name;
  cells[2] = hz_name_of(hz_names_role, t->role);
  cells[3] = hz_cell_opt(t->region_code);
  cells[4] = hz_cell_opt(t->created_at);
  cells[5] = hz_cell_opt(t->created_by);
  cells[6] = hz_cell_opt(t->revoked_at);
  cells[7] = hz_cell_opt(t->last_used_at);
}

int hz_token_print(hz_cli_t *cli, const Huizong__V1__TokenInfo *t) {
  const char *cells[HZ_TOKEN_NFIELDS];
  if (!t)
    return hz_cli_error(cli, "the server sent no token record");
  hz_token_cells(t, cells);
  return hz_write_record(cli, HZ_TOKEN_NFIELDS, hz_token_fields, cells);
}
