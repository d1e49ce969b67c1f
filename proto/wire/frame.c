/* Incremental decoder for gRPC length-prefixed messages. */
#include "wire/frame.h"

#include <stdlib.h>
#include <string.h>

void hz_frame_decoder_init(hz_frame_decoder_t *d, size_t max_len) {
  memset(d, 0, sizeof(*d));
  d->max_len = max_len;
}

void hz_frame_decoder_free(hz_frame_decoder_t *d) {
  if (!d)
    return;
  free(d->buf);
  d->buf = NULL;
  d->buf_cap = 0;
}

int hz_frame_decoder_idle(const hz_frame_decoder_t *d) {
  return d->prefix_have == 0;
}

void hz_frame_prefix(uint8_t out[HZ_FRAME_PREFIX_LEN], size_t len) {
  out[0] = 0;
  out[1] = (uint8_t)(len >> 24);
  out[2] = (uint8_t)(len >> 16);
  out[3] = (uint8_t)(len >> 8);
  out[4] = (uint8_t)len;
}

/* Validates a complete prefix and makes room for the body it announces. */
static int start_body(hz_frame_decoder_t *d) {
  uint8_t flag = d->prefix[0];
  size_t len = ((size_t)d->prefix[1] << 24) | ((size_t)d->prefix[2] << 16) |
               ((size_t)d->prefix[3] << 8) | (size_t)d->prefix[4];

  d->declared_len = len;
  if (flag == 1)
    return HZ_FRAME_ECOMPRESSED;
  if (flag != 0)
    return HZ_FRAME_EFLAG;
  if (len > d->max_len)
    return HZ_FRAME_ETOOBIG;
  if (len > d->buf_cap) {
    uint8_t *nb = realloc(d->buf, len);
    if (!nb)
      return HZ_FRAME_ENOMEM;
    d->buf = nb;
    d->buf_cap = len;
  }
  d->body_len = len;
  d->body_have = 0;
  return 0;
}

static int deliver(hz_frame_decoder_t *d, const uint8_t *msg, size_t len, hz_frame_msg_cb cb,
                   void *ud) {
  d->prefix_have = 0;
  d->body_len = d->body_have = 0;
  return cb(ud, msg, len) ? HZ_FRAME_ECALLBACK : 0;
}

int hz_frame_decoder_feed(hz_frame_decoder_t *d, const uint8_t *data, size_t len,
                          hz_frame_msg_cb cb, void *ud) {
  while (len > 0) {
    if (d->prefix_have < HZ_FRAME_PREFIX_LEN) {
      size_t take = HZ_FRAME_PREFIX_LEN - d->prefix_have;
      if (take > len)
        take = len;
      memcpy(d->prefix + d->prefix_have, data, take);
      d->prefix_have += take;
      data += take;
      len -= take;
      if (d->prefix_have < HZ_FRAME_PREFIX_LEN)
        return 0;
      int r = start_body(d);
      if (r < 0)
        return r;
      if (d->body_len == 0) {
        /* An empty message still gets a valid pointer: a callback may hand
         * it to memcpy, which must not see NULL even for 0 bytes. */
        static const uint8_t empty[1];
        r = deliver(d, d->buf ? d->buf : empty, 0, cb, ud);
        if (r < 0)
          return r;
        continue;
      }
      /* A whole body already in this chunk is delivered without a copy. */
      if (len >= d->body_len) {
        size_t n = d->body_len;
        r = deliver(d, data, n, cb, ud);
        if (r < 0)
          return r;
        data += n;
        len -= n;
        continue;
      }
    }
    size_t want = d->body_len - d->body_have;
    size_t take = want < len ? want : len;
    memcpy(d->buf + d->body_have, data, take);
    d->body_have += take;
    data += take;
    len -= take;
    if (d->body_have == d->body_len) {
      int r = deliver(d, d->buf, d->body_len, cb, ud);
      if (r < 0)
        return r;
    }
  }
  return 0;
}
