/* What a request is, once its headers are in, on either carrier (on the
 * metrics server, every request is metrics_page.c's instead):
 *   POST with a gRPC or gRPC-Web content-type -> a call (stream.c
 *       dispatches it through the method table; HTTP/1.1 takes gRPC-Web
 *       only, as native gRPC needs HTTP/2 trailers);
 *   POST with anything else                    -> 415;
 *   GET / HEAD                                 -> the console's files
 *       (static.c), or 405 when it carries a gRPC content-type;
 *   OPTIONS                                    -> CORS preflight (cors.c);
 *   any other method                           -> 405.
 * Plain answers (everything but a call) are built here in the call's
 * arena and sent by the carrier (hz_stream_respond_plain).
 *
 * Lifetimes: a hz_plain_t and its strings live in the call's arena; bodies
 * point at static text, embedded assets or arena copies. */
#ifndef HZ_TRANSPORT_ROUTE_H
#define HZ_TRANSPORT_ROUTE_H

#include "transport/stream.h"

/* The verb of a :method value. */
hz_verb_t hz_route_verb(const char *v, size_t len);

/* Called once the request headers are complete. Returns 1 when the
 * request was answered as plain HTTP (or refused), 0 for a call. */
int hz_route_request(hz_call_t *call);

/* A plain answer with status, set on call (headers: nosniff); NULL when
 * out of memory, after answering RESOURCE_EXHAUSTED. */
hz_plain_t *hz_route_plain(hz_call_t *call, int status);
/* Adds a header (strings must live as long as the call). */
void hz_route_header(hz_plain_t *p, const char *name, const char *value);
/* Answers call with status and a text/plain body (copied). */
void hz_route_text(hz_call_t *call, int status, const char *text);

#endif
