/* huizong.v1.Reporting, the service township clients write to: its method
 * table, one row per RPC with the roles that may call it. The handlers
 * live in submit.c, stream.c and submissions.c (see reporting.h). */
#include "api/reporting/reporting.h"

#define TOWNSHIP_OR_ADMIN (HZ_ROLE_BIT(HZ_ROLE_TOWNSHIP) | HZ_ROLE_BIT(HZ_ROLE_ADMIN))

/* Counties read and approve; they do not submit for their townships. */
static const hz_rpc_def_t reporting_methods[] = {
    /* path, kind, request type, roles, on_message, on_half_close, on_drain */
    {"/huizong.v1.Reporting/Submit", HZ_RPC_UNARY, &huizong__v1__submit_request__descriptor,
     TOWNSHIP_OR_ADMIN, hz_reporting_submit, NULL, NULL},
    {"/huizong.v1.Reporting/SubmitStream", HZ_RPC_CLIENT_STREAM,
     &huizong__v1__submit_request__descriptor, TOWNSHIP_OR_ADMIN, hz_reporting_stream_message,
     hz_reporting_stream_half_close, NULL},
    {"/huizong.v1.Reporting/GetSubmission", HZ_RPC_UNARY,
     &huizong__v1__get_submission_request__descriptor, HZ_ROLES_ALL, hz_reporting_get_submission,
     NULL, NULL},
    {"/huizong.v1.Reporting/ListSubmissions", HZ_RPC_UNARY,
     &huizong__v1__list_submissions_request__descriptor, HZ_ROLES_ALL,
     hz_reporting_list_submissions, NULL, NULL},
};

int hz_reporting_register(hz_app_t *app) {
  return hz_rpc_register(app, reporting_methods,
                         sizeof(reporting_methods) / sizeof(reporting_methods[0]));
}
