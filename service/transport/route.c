/* Request routing by method and content-type, and plain HTTP answers
 * (see route.h). */
#include "transport/route.h"

#include <string.h>
#include <strings.h>

#include "transport/conn.h"
#include "transport/cors.h"
#include "transport/metrics_page.h"
#include "transport/server.h"
#include "transport/static.h"

hz_verb_t hz_route_verb(const char *v, size_t len) {
  static const struct {
    const char *name;
    hz_verb_t verb;
  } verbs[] = {{"POST", HZ_VERB_POST},
               {"GET", HZ_VERB_GET},
               {"HEAD", HZ_VERB_HEAD},
               {"OPTIONS", HZ_VERB_OPTIONS}};
  for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
    if (strlen(verbs[i].name) == len && memcmp(verbs[i].name, v, len) == 0)
      return verbs[i].verb;
  return HZ_VERB_OTHER;
}

hz_plain_t *hz_route_plain(hz_call_t *call, int status) {
  hz_plain_t *p = hz_arena_alloc(&call->arena, sizeof(*p));
  if (!p) {
    hz_stream_respond(call, HZ_STATUS_RESOURCE_EXHAUSTED, HZ_CALL_OOM_MESSAGE);
    return NULL;
  }
  memset(p, 0, sizeof(*p));
  p->status = status;
  p->no_body = call->verb == HZ_VERB_HEAD || status == 304 || status == 204;
  hz_route_header(p, "x-content-type-options", "nosniff");
  call->plain = p;
  return p;
}

void hz_route_header(hz_plain_t *p, const char *name, const char *value) {
  if (p->nheaders < HZ_PLAIN_MAX_HEADERS)
    p->headers[p->nheaders++] = (hz_header_t){name, value};
}

void hz_route_text(hz_call_t *call, int status, const char *text) {
  hz_plain_t *p = hz_route_plain(call, status);
  if (!p)
    return;
  hz_route_header(p, "content-type", "text/plain; charset=utf-8");
  hz_route_header(p, "cache-control", "no-store");
  p->body = (const uint8_t *)hz_arena_strdup(&call->arena, text ? text : "");
  p->len = p->body ? strlen((const char *)p->body) : 0;
  hz_stream_respond_plain(call);
}

/* A POST: a call unless its content-type (or carrier) says otherwise.
 * On HTTP/2 the refusals stay gRPC-shaped (Trailers-Only with the HTTP
 * status), as a gRPC client expects; on HTTP/1.1 they are plain text. */
static int route_post(hz_call_t *call, int h1) {
  if (call->content_type_ok && !(h1 && call->framing == HZ_FRAMING_GRPC)) {
    if (!(h1 && call->early_code && call->early_http_status != 200))
      return 0;
    hz_route_text(call, call->early_http_status,
                  hz_arena_printf(&call->arena, "%s\n", call->early_message));
    return 1;
  }
  if (!h1) {
    hz_stream_reject(call, 415, HZ_STATUS_UNKNOWN,
                     "content-type is not application/grpc or application/grpc-web");
    return 0;
  }
  hz_route_text(call, 415,
                call->content_type_ok
                    ? "native gRPC (application/grpc) needs HTTP/2; over HTTP/1.1 this server "
                      "speaks application/grpc-web and application/grpc-web-text\n"
                    : "POST takes application/grpc-web or application/grpc-web-text here\n");
  return 1;
}

int hz_route_request(hz_call_t *call) {
  int h1 = call->conn->h1 != NULL;
  if (call->server->page) { /* the --metrics-listen port: no gRPC, no console */
    hz_metrics_page_answer(call);
    return 1;
  }
  hz_cors_check(call);
  if (call->early_code && call->early_http_status != 200 && call->verb != HZ_VERB_POST) {
    hz_route_text(call, call->early_http_status,
                  hz_arena_printf(&call->arena, "%s\n", call->early_message));
    return 1;
  }
  switch ((hz_verb_t)call->verb) {
  case HZ_VERB_POST: return route_post(call, h1);
  case HZ_VERB_OPTIONS: hz_cors_preflight(call); return 1;
  case HZ_VERB_GET:
  case HZ_VERB_HEAD:
    if (!call->content_type_ok) {
      hz_static_answer(call);
      return 1;
    }
    break; /* a gRPC request with the wrong method */
  case HZ_VERB_NONE:
  case HZ_VERB_OTHER: break;
  }
  if (!h1 && call->content_type_ok) {
    hz_stream_reject(call, 405, HZ_STATUS_UNIMPLEMENTED, "gRPC requests use POST");
    return 0;
  }
  hz_plain_t *p = hz_route_plain(call, 405);
  if (!p)
    return 1;
  hz_route_header(p, "allow", "GET, HEAD, POST, OPTIONS");
  hz_route_header(p, "content-type", "text/plain; charset=utf-8");
  static const char msg[] = "method not allowed: this server answers GET and HEAD for the "
                            "console, POST for gRPC-Web, OPTIONS for CORS preflight\n";
  p->body = (const uint8_t *)msg;
  p->len = sizeof(msg) - 1;
  hz_stream_respond_plain(call);
  return 1;
}
