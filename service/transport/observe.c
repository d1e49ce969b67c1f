/* Request ids, trace ids, the call's metrics and its log line (see
 * observe.h). */
#include "transport/observe.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/context.h"
#include "transport/conn.h"

static int is_hex(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
      return 0;
  return 1;
}

static int all_zero(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (s[i] != '0')
      return 0;
  return 1;
}

/* W3C Trace Context, "traceparent Header": version 00 is exactly 55
 * characters; a later version may append "-..." fields; ff is invalid, as
 * are an all-zero trace id or parent id. */
int hz_traceparent_trace_id(const char *v, char out[33]) {
  size_t n = v ? strlen(v) : 0;
  if (n < 55 || v[2] != '-' || v[35] != '-' || v[52] != '-')
    return -1;
  if (!is_hex(v, 2) || memcmp(v, "ff", 2) == 0 || (memcmp(v, "00", 2) == 0 && n != 55) ||
      (n > 55 && v[55] != '-'))
    return -1;
  if (!is_hex(v + 3, 32) || !is_hex(v + 36, 16) || !is_hex(v + 53, 2) || all_zero(v + 3, 32) ||
      all_zero(v + 36, 16))
    return -1;
  memcpy(out, v + 3, 32);
  out[32] = '\0';
  return 0;
}

/* A client's id is kept when short and plain (it lands in logs). */
static int sane_id(const char *s) {
  size_t n = s ? strlen(s) : 0;
  if (n == 0 || n > HZ_REQUEST_ID_MAX)
    return 0;
  for (size_t i = 0; i < n; i++)
    if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'z') ||
          (s[i] >= 'A' && s[i] <= 'Z') || strchr("-_.:", s[i])))
      return 0;
  return 1;
}

void hz_observe_start(hz_call_t *call) {
  hz_ctx_t *ctx = call->ctx;
  call->observed = 1;
  call->started_ns = uv_hrtime();
  if (ctx->metrics)
    hz_metric_add(&ctx->metrics->calls_started, 1);
  const char *given = hz_call_metadata(call, "x-request-id");
  if (sane_id(given)) {
    call->request_id = given;
  } else {
    char id[40];
    int n =
        snprintf(id, sizeof(id), "%016" PRIx64 "%08" PRIx64, ctx->request_salt, ++ctx->request_seq);
    call->request_id = hz_arena_strndup(&call->arena, id, (size_t)n);
    if (call->request_id)
      hz_call_add_trailer(call, "x-request-id", id, (size_t)n);
  }
  char trace[33];
  if (hz_traceparent_trace_id(hz_call_metadata(call, "traceparent"), trace) == 0)
    call->trace_id = hz_arena_strndup(&call->arena, trace, 32);
}

void hz_observe_end(hz_call_t *call) {
  if (!call->observed)
    return;
  call->observed = 0;
  hz_ctx_t *ctx = call->ctx;
  uint64_t ns = uv_hrtime() - call->started_ns;
  size_t index = (size_t)(call->method - ctx->registry.methods);
  hz_metrics_call(ctx->metrics, index, call->status, ns);
  hz_log_level_t level = call->status == HZ_STATUS_OK ? HZ_LOG_DEBUG : HZ_LOG_INFO;
  if (!hz_log_enabled(&ctx->log, level))
    return;
  const char *path = call->method->path, *slash = strrchr(path, '/');
  char service[128];
  snprintf(service, sizeof(service), "%.*s", slash ? (int)(slash - path - 1) : 0, path + 1);
  hz_log_field_t f[] = {
      {"service", service, 0},
      {"method", slash ? slash + 1 : path, 0},
      {"code", hz_status_name(call->status), 0},
      {"duration_ms", NULL, (double)ns / 1e6},
      {"peer", call->conn ? call->conn->peer : "(gone)", 0},
      {"request_id", call->request_id ? call->request_id : "", 0},
      {"trace_id", call->trace_id, 0},
  };
  hz_log_fields(&ctx->log, level, f, call->trace_id ? 7 : 6, "call finished");
}
