/* The metrics server's one page (--metrics-listen): GET or HEAD /metrics
 * (a query string is ignored) answers 200 with the server's page function
 * (the Prometheus text exposition, Content-Type text/plain;
 * version=0.0.4); any other path 404 and any other method 405, both with a
 * line saying what this port serves. gRPC is never dispatched here.
 * Parsing, bounds and malformed requests (400) are the shared HTTP/1.1
 * and HTTP/2 code's, as on the gRPC port. */
#ifndef HZ_TRANSPORT_METRICS_PAGE_H
#define HZ_TRANSPORT_METRICS_PAGE_H

#include "transport/stream.h"

/* Answers call, whose headers are complete, on a page server. */
void hz_metrics_page_answer(hz_call_t *call);

#endif
