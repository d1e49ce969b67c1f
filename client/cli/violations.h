/* Validation-rule violations (审核) as the CLIs show them: `huizong
 * validate` lists those under a region, `huizong report` those of one
 * township. One row per violation: its severity (error = 强制性审核, the
 * figures must be corrected; warning = 核实性审核, explained or not;
 * skipped = could not be evaluated), the township, the rule, the filled
 * message, the figures as evaluated and the explanation (the value's
 * comment). */
#ifndef HZ_CLI_VIOLATIONS_H
#define HZ_CLI_VIOLATIONS_H

#include <stddef.h>

#include <jansson.h>

#include "cli.h"
#include "huizong/v1/common.pb-c.h"

/* "error", "warning" or "skipped" (not evaluated). */
const char *hz_violation_severity(const Huizong__V1__RuleViolation *v);

/* The rows as a table in the command's format (JSON: an array of objects).
 * with_region adds the township's code and name, with_skip the reason a
 * skipped rule gives. Returns an HZ_EXIT code. */
int hz_violations_write(hz_cli_t *cli, Huizong__V1__RuleViolation *const *v, size_t n,
                        int with_region, int with_skip);

/* The same rows as a JSON array alone, for a command's own document (a
 * new reference, NULL when out of memory). */
json_t *hz_violations_json(Huizong__V1__RuleViolation *const *v, size_t n);

#endif
