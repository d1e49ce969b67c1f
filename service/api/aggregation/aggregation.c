/* huizong.v1.Aggregation: the method table and its registration. One file
 * per RPC (rollup.c, series.c, completeness.c, report.c, export.c,
 * validate.c) over
 * common.c (regions, request fields, the indicator catalog) and cells.c
 * (exact parts by group, indicator and window); aggregation.h is what
 * they share. PostgreSQL aggregates over time and regions (statements in
 * db/sql/aggregation.def); the figures are domain/figures.h's. */
#include "api/aggregation/aggregation.h"
#include "api/api.h"

/* One row per RPC: path, kind, request type, roles allowed, handler, and
 * for the server stream the drain callback that resumes paging. Every
 * role may call each; the region statement limits a township to its own
 * region and a county to its subtree (PERMISSION_DENIED otherwise). */
static const hz_rpc_def_t aggregation_methods[] = {
    {"/huizong.v1.Aggregation/Rollup", HZ_RPC_UNARY, &huizong__v1__rollup_request__descriptor,
     HZ_ROLES_ALL, agg_rollup, NULL, NULL},
    {"/huizong.v1.Aggregation/Series", HZ_RPC_UNARY, &huizong__v1__series_request__descriptor,
     HZ_ROLES_ALL, agg_series, NULL, NULL},
    {"/huizong.v1.Aggregation/Completeness", HZ_RPC_UNARY,
     &huizong__v1__completeness_request__descriptor, HZ_ROLES_ALL, agg_completeness, NULL, NULL},
    {"/huizong.v1.Aggregation/GetReport", HZ_RPC_UNARY,
     &huizong__v1__get_report_request__descriptor, HZ_ROLES_ALL, agg_get_report, NULL, NULL},
    {"/huizong.v1.Aggregation/ExportValues", HZ_RPC_SERVER_STREAM,
     &huizong__v1__export_values_request__descriptor, HZ_ROLES_ALL, agg_export_values, NULL,
     agg_export_drained},
    {"/huizong.v1.Aggregation/Validate", HZ_RPC_UNARY, &huizong__v1__validate_request__descriptor,
     HZ_ROLES_ALL, agg_validate, NULL, NULL},
};

int hz_aggregation_register(hz_app_t *app) {
  return hz_rpc_register(app, aggregation_methods,
                         sizeof(aggregation_methods) / sizeof(aggregation_methods[0]));
}
