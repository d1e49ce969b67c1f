/* Cross-origin access to gRPC-Web (the Fetch standard's CORS protocol).
 * Same-origin by default: a page served by this huizongd calls it without
 * CORS. Only origins named by --cors-origin (exact, case-sensitive match
 * of the Origin header) get Access-Control-* headers: on the preflight
 * (OPTIONS: 204 with the methods and request headers gRPC-Web uses, 403
 * for any other origin) and on every gRPC-Web response (Allow-Origin and
 * Expose-Headers, so the page can read grpc-status, grpc-message and
 * huizong-problems-bin). Nothing is refused for a foreign Origin without
 * a preflight: the browser withholds the answer itself, and the token is
 * a header that cannot be sent cross-origin without one.
 *
 * Lifetimes: the strings returned point into the configuration or the
 * call's arena. */
#ifndef HZ_TRANSPORT_CORS_H
#define HZ_TRANSPORT_CORS_H

#include "transport/stream.h"

#define HZ_CORS_MAX_HEADERS 3

/* Sets call->cors_origin when the request's Origin is allowed. */
void hz_cors_check(hz_call_t *call);
/* The CORS headers for call's response; returns how many (0 or more). */
size_t hz_cors_response_headers(const hz_call_t *call, hz_header_t out[HZ_CORS_MAX_HEADERS]);
/* Answers an OPTIONS request (plain 204 or 403). */
void hz_cors_preflight(hz_call_t *call);

#endif
