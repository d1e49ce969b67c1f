/* gRPC length-prefixed message framing (the 5-byte prefix of the gRPC
 * HTTP/2 protocol): an incremental decoder that tolerates messages split
 * across DATA frames and several messages in one frame, and the encoder. */
#ifndef HZ_WIRE_FRAME_H
#define HZ_WIRE_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define HZ_FRAME_PREFIX_LEN 5

enum {
  HZ_FRAME_ETOOBIG = -1,     /* declared length exceeds the decoder's limit */
  HZ_FRAME_ECOMPRESSED = -2, /* compressed flag set; we accept identity only */
  HZ_FRAME_EFLAG = -3,       /* flag byte neither 0 nor 1 */
  HZ_FRAME_ENOMEM = -4,
  HZ_FRAME_ECALLBACK = -5, /* the message callback asked to stop */
};

/* Called once per complete message; the bytes are valid only during the
 * call. Return 0 to continue, non-zero to stop decoding. */
typedef int (*hz_frame_msg_cb)(void *ud, const uint8_t *msg, size_t len);

typedef struct hz_frame_decoder_s {
  uint8_t prefix[HZ_FRAME_PREFIX_LEN]; /* prefix bytes gathered so far */
  size_t prefix_have;                  /* how many of them */
  uint8_t *buf;                        /* body of the message in progress */
  size_t buf_cap;                      /* allocated size of buf */
  size_t body_len;                     /* declared length of that body */
  size_t body_have;                    /* body bytes gathered so far */
  size_t max_len;                      /* receive limit; larger is ETOOBIG */
  size_t declared_len;                 /* length that failed, for messages */
} hz_frame_decoder_t;

void hz_frame_decoder_init(hz_frame_decoder_t *d, size_t max_len);
void hz_frame_decoder_free(hz_frame_decoder_t *d);

/* Feeds bytes; invokes cb for every message completed. Returns 0 or a
 * negative HZ_FRAME_E* code; after an error the decoder must not be fed. */
int hz_frame_decoder_feed(hz_frame_decoder_t *d, const uint8_t *data, size_t len,
                          hz_frame_msg_cb cb, void *ud);

/* True when no partial message is buffered (a clean end of stream). */
int hz_frame_decoder_idle(const hz_frame_decoder_t *d);

/* Writes the 5-byte prefix for an uncompressed message of len bytes. */
void hz_frame_prefix(uint8_t out[HZ_FRAME_PREFIX_LEN], size_t len);

#endif
