/* gRPC status codes, their canonical names, and the percent-encoding that
 * grpc-message uses in trailers (gRPC HTTP/2 protocol, "Responses"). */
#ifndef HZ_WIRE_STATUS_H
#define HZ_WIRE_STATUS_H

#include <stddef.h>

typedef enum {
  HZ_STATUS_OK = 0,
  HZ_STATUS_CANCELLED = 1,
  HZ_STATUS_UNKNOWN = 2,
  HZ_STATUS_INVALID_ARGUMENT = 3,
  HZ_STATUS_DEADLINE_EXCEEDED = 4,
  HZ_STATUS_NOT_FOUND = 5,
  HZ_STATUS_ALREADY_EXISTS = 6,
  HZ_STATUS_PERMISSION_DENIED = 7,
  HZ_STATUS_RESOURCE_EXHAUSTED = 8,
  HZ_STATUS_FAILED_PRECONDITION = 9,
  HZ_STATUS_ABORTED = 10,
  HZ_STATUS_OUT_OF_RANGE = 11,
  HZ_STATUS_UNIMPLEMENTED = 12,
  HZ_STATUS_INTERNAL = 13,
  HZ_STATUS_UNAVAILABLE = 14,
  HZ_STATUS_DATA_LOSS = 15,
  HZ_STATUS_UNAUTHENTICATED = 16,
} hz_status_code_t;

/* "INVALID_ARGUMENT" etc.; "UNKNOWN" for codes outside 0..16. */
const char *hz_status_name(int code);

/* Percent-encodes s (len bytes) as grpc-message requires: bytes outside
 * 0x20..0x7E and '%' become %XX. Returns a malloc'd NUL-terminated string
 * (length in *out_len if non-NULL) or NULL when out of memory. */
char *hz_pct_encode(const char *s, size_t len, size_t *out_len);

/* Decodes %XX sequences; a malformed sequence is kept literally, as the
 * protocol asks receivers to do. Returns malloc'd NUL-terminated string. */
char *hz_pct_decode(const char *s, size_t len, size_t *out_len);

#endif
