/* CORS for gRPC-Web: the allowed-origin check, response headers and the
 * preflight answer (see cors.h). */
#include "transport/cors.h"

#include <string.h>

#include "core/context.h"
#include "transport/route.h"

/* What a gRPC-Web client sends besides the simple headers: the token, the
 * content-type, the deadline, and the markers grpc-web clients add. */
#define ALLOW_HEADERS                                                             \
  "authorization, content-type, grpc-timeout, grpc-accept-encoding, x-grpc-web, " \
  "x-user-agent"
/* What a page may read: the status when it comes in the headers
 * (Trailers-Only) and the problems list. */
#define EXPOSE_HEADERS "grpc-status, grpc-message, huizong-problems-bin"

void hz_cors_check(hz_call_t *call) {
  const char *origin = hz_call_metadata(call, "origin");
  const hz_config_t *cfg = call->ctx->config;
  if (!origin)
    return;
  for (uint32_t i = 0; i < cfg->ncors_origins; i++)
    if (strcmp(origin, cfg->cors_origins[i]) == 0)
      call->cors_origin = cfg->cors_origins[i];
}

size_t hz_cors_response_headers(const hz_call_t *call, hz_header_t out[HZ_CORS_MAX_HEADERS]) {
  if (!call->cors_origin)
    return 0;
  out[0] = (hz_header_t){"access-control-allow-origin", call->cors_origin};
  out[1] = (hz_header_t){"access-control-expose-headers", EXPOSE_HEADERS};
  out[2] = (hz_header_t){"vary", "Origin"};
  return 3;
}

void hz_cors_preflight(hz_call_t *call) {
  if (!call->cors_origin) {
    hz_route_text(call, 403,
                  "cross-origin calls are not allowed from this origin; start huizongd with "
                  "--cors-origin ORIGIN to allow a page served elsewhere\n");
    return;
  }
  hz_plain_t *p = hz_route_plain(call, 204);
  if (!p)
    return;
  hz_route_header(p, "access-control-allow-origin", call->cors_origin);
  hz_route_header(p, "access-control-allow-methods", "POST, GET, OPTIONS");
  hz_route_header(p, "access-control-allow-headers", ALLOW_HEADERS);
  hz_route_header(p, "access-control-expose-headers", EXPOSE_HEADERS);
  hz_route_header(p, "access-control-max-age", "600");
  hz_route_header(p, "vary", "Origin");
  hz_stream_respond_plain(call);
}
