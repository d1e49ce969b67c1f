/* The grpc-timeout request header: up to 8 ASCII digits and a unit
 * (H hours, M minutes, S seconds, m millis, u micros, n nanos). */
#ifndef HZ_WIRE_TIMEOUT_H
#define HZ_WIRE_TIMEOUT_H

#include <stddef.h>
#include <stdint.h>

/* Parses s (len bytes) into milliseconds, rounding sub-millisecond values
 * up so that a tiny positive timeout still expires rather than never.
 * Returns 0 or -1 when malformed. */
int hz_grpc_timeout_parse(const char *s, size_t len, uint64_t *ms);

/* Formats ms as a grpc-timeout value into out (at least 16 bytes). */
void hz_grpc_timeout_format(uint64_t ms, char out[16]);

#endif
