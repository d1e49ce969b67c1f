/* What an operator sees of each call (issue 16 item 5): when a call is
 * dispatched to its method it gets a request id (the client's
 * x-request-id when it sent a sane one, else one made here and echoed to
 * the client as x-request-id metadata, in the trailers, or the headers
 * of a Trailers-Only answer) and the W3C trace id of its traceparent
 * header if any; when it reaches its final status the loop's metrics
 * count it (status, latency) and one log line says how it ended.
 *
 * The line: at info for a status other than OK (what an operator looks
 * for, with the request and trace ids to find the client's side), at
 * debug for OK, since on a deadline day thousands of calls a second would
 * double the process's write(2) calls and bury the rest; OK calls are
 * counted and timed in /metrics. Calls refused before dispatch (unknown
 * method, bad content-type) are neither counted nor logged here. */
#ifndef HZ_TRANSPORT_OBSERVE_H
#define HZ_TRANSPORT_OBSERVE_H

#include "transport/stream.h"

#define HZ_REQUEST_ID_MAX 64 /* bytes of a client's x-request-id we keep */

/* The call was just dispatched (it has its method). */
void hz_observe_start(hz_call_t *call);
/* The call reached RESPONDED with call->status; once per started call. */
void hz_observe_end(hz_call_t *call);

/* The trace id (32 lower-case hex digits) of a W3C traceparent value
 * "VV-TRACEID-PARENTID-FLAGS" into out[33]; returns 0, or -1 when the
 * value is not a valid traceparent (then it is ignored, as the
 * recommendation says). */
int hz_traceparent_trace_id(const char *value, char out[33]);

#endif
