/* hzc_status_t handling and the gRPC spec's tables that turn HTTP status
 * codes and HTTP/2 RST_STREAM error codes into gRPC status codes. */
#include "internal.h"
#include "metadata.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hzc_status_init(hzc_status_t *st) {
  st->code = HZ_STATUS_OK;
  st->message = NULL;
  st->trailers = NULL;
}

void hzc_status_reset(hzc_status_t *st) {
  free(st->message);
  hzc_metadata_free(st->trailers);
  hzc_status_init(st);
}

void hzc_status_set(hzc_status_t *st, int code, const char *fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  free(st->message);
  hzc_metadata_free(st->trailers);
  st->trailers = NULL;
  st->code = code;
  /* Out of memory keeps the code: the code is what programs act on. */
  st->message = strdup(buf);
}

void hzc_status_move(hzc_status_t *dst, hzc_status_t *src) {
  if (dst == src)
    return;
  free(dst->message);
  hzc_metadata_free(dst->trailers);
  *dst = *src;
  hzc_status_init(src);
}

const char *hzc_status_message(const hzc_status_t *st) {
  return st->message ? st->message : "";
}

const hzc_metadata_t *hzc_status_trailer(const hzc_status_t *st, const char *name) {
  for (const hzc_metadata_t *m = st ? st->trailers : NULL; m; m = m->next)
    if (strcmp(m->name, name) == 0)
      return m;
  return NULL;
}

/* "HTTP to gRPC Status Code Mapping" (grpc/doc/http-grpc-status-mapping.md):
 * used only when a response carries no grpc-status of its own. */
int hzc_status_from_http(int http_status) {
  switch (http_status) {
  case 400: return HZ_STATUS_INTERNAL;
  case 401: return HZ_STATUS_UNAUTHENTICATED;
  case 403: return HZ_STATUS_PERMISSION_DENIED;
  case 404: return HZ_STATUS_UNIMPLEMENTED;
  case 429:
  case 502:
  case 503:
  case 504: return HZ_STATUS_UNAVAILABLE;
  default: return HZ_STATUS_UNKNOWN;
  }
}

/* The RST_STREAM table of PROTOCOL-HTTP2.md ("Errors"). */
int hzc_status_from_h2_error(uint32_t error_code) {
  switch (error_code) {
  case NGHTTP2_REFUSED_STREAM: return HZ_STATUS_UNAVAILABLE;
  case NGHTTP2_CANCEL: return HZ_STATUS_CANCELLED;
  case NGHTTP2_ENHANCE_YOUR_CALM: return HZ_STATUS_RESOURCE_EXHAUSTED;
  case NGHTTP2_INADEQUATE_SECURITY: return HZ_STATUS_PERMISSION_DENIED;
  default: return HZ_STATUS_INTERNAL;
  }
}
