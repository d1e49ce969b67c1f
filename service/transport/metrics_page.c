/* GET /metrics on the metrics server (see metrics_page.h). */
#include "transport/metrics_page.h"

#include <stdlib.h>
#include <string.h>

#include "transport/route.h"
#include "transport/server.h"

static int is_metrics_path(const char *path) {
  size_t n = strlen("/metrics");
  return path && strncmp(path, "/metrics", n) == 0 && (path[n] == '\0' || path[n] == '?');
}

/* The page, rendered now and copied into the call's arena (the plain
 * answer's body must live as long as the call). */
static void answer_page(hz_call_t *call) {
  hz_server_t *s = call->server;
  char *text = NULL;
  size_t len = 0;
  if (s->page(s->page_data, &text, &len)) {
    hz_route_text(call, 500, "out of memory rendering the metrics\n");
    return;
  }
  hz_plain_t *p = hz_route_plain(call, 200);
  uint8_t *body = p ? hz_arena_alloc(&call->arena, len ? len : 1) : NULL;
  if (!body) {
    free(text);
    if (p) /* the page outgrew --max-call-bytes: say so in a small answer */
      hz_route_text(call, 503, "the metrics page exceeds a call's memory (--max-call-bytes)\n");
    return;
  }
  memcpy(body, text, len);
  free(text);
  hz_route_header(p, "content-type", "text/plain; version=0.0.4; charset=utf-8");
  hz_route_header(p, "cache-control", "no-store");
  p->body = body;
  p->len = len;
  hz_stream_respond_plain(call);
}

void hz_metrics_page_answer(hz_call_t *call) {
  if (call->verb != HZ_VERB_GET && call->verb != HZ_VERB_HEAD) {
    hz_plain_t *p = hz_route_plain(call, 405);
    if (!p)
      return;
    static const char msg[] = "method not allowed: this port answers GET /metrics only\n";
    hz_route_header(p, "allow", "GET, HEAD");
    hz_route_header(p, "content-type", "text/plain; charset=utf-8");
    p->body = (const uint8_t *)msg;
    p->len = sizeof(msg) - 1;
    hz_stream_respond_plain(call);
    return;
  }
  if (!is_metrics_path(call->path)) {
    hz_route_text(call, 404, "not found: this port serves GET /metrics (Prometheus text)\n");
    return;
  }
  answer_page(call);
}
