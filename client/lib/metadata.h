/* Custom response metadata: the list a call collects from its trailers and
 * the base64 decoding that "-bin" keys need (gRPC sends binary values in
 * base64, with or without padding; receivers must accept both). */
#ifndef HZC_METADATA_H
#define HZC_METADATA_H

#include <stddef.h>
#include <stdint.h>

#include "hzclient.h"

/* Decodes standard-alphabet base64 (RFC 4648 section 4), padded or not.
 * out needs room for hzc_base64_decoded_max(len) bytes. Returns 0 with the
 * byte count in *out_len, or -1 for a character outside the alphabet,
 * misplaced padding or an impossible length. */
int hzc_base64_decode(const char *in, size_t len, uint8_t *out, size_t *out_len);

/* Upper bound of the decoded size of len base64 characters. */
static inline size_t hzc_base64_decoded_max(size_t len) {
  return len / 4 * 3 + 3;
}

/* A new entry for name: value (binary keys decoded). Returns NULL when out
 * of memory or when a "-bin" value is not valid base64 (such an entry is
 * dropped, as gRPC implementations do, rather than passed on garbled). */
hzc_metadata_t *hzc_metadata_new(const uint8_t *name, size_t namelen, const uint8_t *value,
                                 size_t valuelen);

/* Frees a whole list. */
void hzc_metadata_free(hzc_metadata_t *list);

#endif
