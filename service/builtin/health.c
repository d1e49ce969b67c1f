/* grpc.health.v1.Health handlers. */
#include "builtin/health.h"

#include <string.h>

#include "grpc/health/v1/health.pb-c.h"
#include "transport/call.h"

typedef Grpc__Health__V1__HealthCheckRequest health_req_t;
typedef Grpc__Health__V1__HealthCheckResponse health_resp_t;

struct hz_health_watch_s {
  hz_health_watch_t *prev, *next; /* hz_health_t's list of watchers */
  hz_call_t *call;                /* the open Watch */
  const char *service;            /* watched name, call arena */
  int last_sent;                  /* status last sent, to skip repeats */
};

/* A service is known when some registered method path starts with it. */
static int service_known(const hz_health_t *h, const char *service) {
  if (service[0] == '\0')
    return 1;
  size_t n = strlen(service);
  const hz_registry_t *r = &h->ctx->registry;
  for (size_t i = 0; i < r->len; i++) {
    const char *p = r->methods[i].path;
    if (p[0] == '/' && strncmp(p + 1, service, n) == 0 && p[1 + n] == '/')
      return 1;
  }
  return 0;
}

static int status_of(const hz_health_t *h, const char *service) {
  if (!service_known(h, service))
    return GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVICE_UNKNOWN;
  return h->serving ? GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING
                    : GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__NOT_SERVING;
}

static int send_status(hz_call_t *call, int status) {
  health_resp_t resp = GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__INIT;
  resp.status = status;
  return hz_call_send(call, &resp.base);
}

static void check(hz_call_t *call, ProtobufCMessage *msg) {
  hz_health_t *h = hz_call_method(call)->data;
  const health_req_t *req = (const health_req_t *)msg;
  int status = status_of(h, req->service);
  if (status == GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVICE_UNKNOWN) {
    /* Echo a bounded prefix, cut between UTF-8 characters: it is input. */
    size_t len = strlen(req->service), n = len > 100 ? 100 : len;
    while (n > 0 && n < len && ((unsigned char)req->service[n] & 0xC0) == 0x80)
      n--;
    hz_call_finish(call, HZ_STATUS_NOT_FOUND, "unknown service '%.*s%s'", (int)n, req->service,
                   n < len ? "..." : "");
    return;
  }
  send_status(call, status);
  hz_call_finish(call, HZ_STATUS_OK, NULL);
}

static void unlink_watch(hz_health_t *h, hz_health_watch_t *w) {
  if (w->prev)
    w->prev->next = w->next;
  else
    h->watchers = w->next;
  if (w->next)
    w->next->prev = w->prev;
  w->prev = w->next = NULL;
}

static void watch(hz_call_t *call, ProtobufCMessage *msg) {
  hz_health_t *h = hz_call_method(call)->data;
  const health_req_t *req = (const health_req_t *)msg;
  hz_health_watch_t *w = hz_arena_zalloc(hz_call_arena(call), sizeof(*w));
  if (!w) {
    hz_call_finish(call, HZ_STATUS_RESOURCE_EXHAUSTED, "out of memory");
    return;
  }
  w->call = call;
  w->service = req->service;
  w->last_sent = status_of(h, req->service);
  send_status(call, w->last_sent);
  w->next = h->watchers;
  if (h->watchers)
    h->watchers->prev = w;
  h->watchers = w;
  hz_call_set_data(call, w);
}

static void watch_cancelled(hz_call_t *call) {
  hz_health_t *h = hz_call_method(call)->data;
  hz_health_watch_t *w = hz_call_data(call);
  if (w)
    unlink_watch(h, w);
  hz_call_finish(call, HZ_STATUS_CANCELLED, NULL);
}

void hz_health_set_serving(hz_health_t *h, int serving) {
  if (h->serving == serving)
    return;
  h->serving = serving;
  for (hz_health_watch_t *w = h->watchers; w; w = w->next) {
    int status = status_of(h, w->service);
    if (status != w->last_sent) {
      w->last_sent = status;
      send_status(w->call, status);
    }
  }
}

void hz_health_shutdown(void *data) {
  hz_health_t *h = data;
  hz_health_set_serving(h, 0);
  while (h->watchers) {
    hz_health_watch_t *w = h->watchers;
    unlink_watch(h, w);
    hz_call_finish(w->call, HZ_STATUS_UNAVAILABLE, "server is shutting down");
  }
}

int hz_health_register(hz_health_t *h, hz_ctx_t *ctx) {
  h->ctx = ctx;
  h->serving = 1;
  h->watchers = NULL;
  const hz_method_t methods[] = {
      {.path = "/grpc.health.v1.Health/Check",
       .kind = HZ_RPC_UNARY,
       .input = &grpc__health__v1__health_check_request__descriptor,
       .on_message = check,
       .data = h},
      {.path = "/grpc.health.v1.Health/Watch",
       .kind = HZ_RPC_SERVER_STREAM,
       .input = &grpc__health__v1__health_check_request__descriptor,
       .on_message = watch,
       .on_cancel = watch_cancelled,
       .data = h},
  };
  for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
    int r = hz_registry_add(&ctx->registry, &methods[i]);
    if (r)
      return r;
  }
  return 0;
}
