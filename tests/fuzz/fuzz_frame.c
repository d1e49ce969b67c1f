/* libFuzzer target for the gRPC length-prefix decoder (wire/frame.h), the
 * parser every request body goes through. Differential: a one-shot
 * reference parse of the whole input must agree with the incremental
 * decoder fed in fuzzer-chosen chunks, message by message, including the
 * error it stops on and whether bytes are left buffered. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire/frame.h"

#define MAX_REF_MSGS 4096

/* What the reference parser found in the stream. */
typedef struct ref_s {
  size_t count;             /* complete messages */
  size_t off[MAX_REF_MSGS]; /* body offset of each */
  size_t len[MAX_REF_MSGS]; /* body length of each */
  int error;                /* HZ_FRAME_E* the stream ends with, or 0 */
  int leftover;             /* a partial message remains at the end */
} ref_t;

/* State shared with the decoder callback. */
typedef struct check_s {
  const ref_t *ref;      /* expected messages */
  const uint8_t *stream; /* the bytes being decoded */
  size_t seen;           /* messages delivered so far */
  size_t stop_after;     /* callback asks to stop after this many; 0 never */
} check_t;

static void reference_parse(const uint8_t *p, size_t n, size_t max_len, ref_t *r) {
  size_t i = 0;
  memset(r, 0, sizeof(*r));
  while (i < n) {
    if (n - i < HZ_FRAME_PREFIX_LEN) {
      r->leftover = 1;
      return;
    }
    size_t len =
        ((size_t)p[i + 1] << 24) | ((size_t)p[i + 2] << 16) | ((size_t)p[i + 3] << 8) | p[i + 4];
    if (p[i] == 1) {
      r->error = HZ_FRAME_ECOMPRESSED;
      return;
    }
    if (p[i] != 0) {
      r->error = HZ_FRAME_EFLAG;
      return;
    }
    if (len > max_len) {
      r->error = HZ_FRAME_ETOOBIG;
      return;
    }
    if (n - i - HZ_FRAME_PREFIX_LEN < len) {
      r->leftover = 1;
      return;
    }
    if (r->count == MAX_REF_MSGS)
      return; /* enough to compare; the rest is not checked */
    r->off[r->count] = i + HZ_FRAME_PREFIX_LEN;
    r->len[r->count] = len;
    r->count++;
    i += HZ_FRAME_PREFIX_LEN + len;
  }
}

static int on_message(void *ud, const uint8_t *msg, size_t len) {
  check_t *c = ud;
  if (c->seen >= c->ref->count) {
    if (c->ref->count == MAX_REF_MSGS)
      return 1; /* past what the reference recorded */
    abort();    /* a message the reference does not have */
  }
  if (len != c->ref->len[c->seen])
    abort();
  if (len > 0 && memcmp(msg, c->stream + c->ref->off[c->seen], len) != 0)
    abort();
  c->seen++;
  return c->stop_after != 0 && c->seen >= c->stop_after;
}

/* Input layout: [limit byte][stop byte][chunk seed][stream ...]. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static ref_t ref;
  if (size < 3)
    return 0;
  size_t max_len = (size_t)data[0] * 3;
  size_t stop_after = data[1] % 8;
  uint32_t seed = data[2] * 2654435761u + 1;
  const uint8_t *stream = data + 3;
  size_t n = size - 3;

  reference_parse(stream, n, max_len, &ref);
  int capped = ref.count == MAX_REF_MSGS;

  check_t c = {&ref, stream, 0, stop_after};
  hz_frame_decoder_t d;
  hz_frame_decoder_init(&d, max_len);
  int r = 0;
  size_t i = 0;
  while (i < n && r == 0) {
    seed = seed * 1103515245u + 12345u;
    size_t chunk = 1 + (seed >> 16) % 64;
    if (chunk > n - i)
      chunk = n - i;
    r = hz_frame_decoder_feed(&d, stream + i, chunk, on_message, &c);
    i += chunk;
  }

  if (!capped) {
    if (stop_after != 0 && stop_after <= ref.count) {
      if (r != HZ_FRAME_ECALLBACK || c.seen != stop_after)
        abort();
    } else {
      if (r != ref.error || c.seen != ref.count)
        abort();
      if (r == 0 && hz_frame_decoder_idle(&d) == ref.leftover)
        abort();
    }
  }
  hz_frame_decoder_free(&d);
  return 0;
}
