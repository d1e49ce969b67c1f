/* The web console's files over HTTP GET and HEAD (HTTP/1.1 and HTTP/2).
 *
 * Where from: --web-root DIR when given, read per request (the console is
 * a handful of files; a reload picks up a rebuild); else the table built
 * into the binary from client/web/dist (web_assets.h; empty when the
 * build had no console).
 *
 * Path grammar: the request path up to "?" or "#", percent-decoded, split
 * on "/"; empty and "." segments dropped; a ".." segment, a NUL, a "\"
 * or a malformed %-escape is refused (400) before anything is looked up,
 * so no path leaves the root; under --web-root the resolved file must also
 * still lie inside the resolved root (no symlink out of it).
 *
 * Answers:
 *   "/"                                -> index.html
 *   a file that exists                 -> 200 (304 when If-None-Match has
 *                                         its ETag)
 *   a missing path, last segment
 *   without a dot (a console route)    -> index.html
 *   a missing path with a dot          -> 404
 *   no console at all                  -> 404 saying how to build it
 * Headers: content-type by extension, ETag, Cache-Control (immutable
 * for the content-hashed files under /assets/, no-cache otherwise), a
 * strict Content-Security-Policy (no inline script; connect-src 'self'
 * and the --cors-origin origins), nosniff, no-referrer.
 *
 * Lifetimes: bodies point into the embedded table, or into the call's
 * arena (files under --web-root). */
#ifndef HZ_TRANSPORT_STATIC_H
#define HZ_TRANSPORT_STATIC_H

#include "transport/stream.h"

/* Answers a GET or HEAD request on call with a plain response. */
void hz_static_answer(hz_call_t *call);

#endif
