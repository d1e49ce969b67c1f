/* gRPC-Web framing: base64 text both ways and the trailer frame (see
 * web.h for the grammar and lifetimes). */
#include "transport/web.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#define TEXT_STEP 3072 /* base64 characters decoded per step (a multiple of 4) */

static int is_b64(char ch) {
  return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
         ch == '+' || ch == '/' || ch == '=';
}

/* Decodes n characters (a multiple of 4) into out; returns bytes or -1.
 * Why group by group around '=': padding may end each frame a client
 * encoded on its own, and EVP_DecodeBlock takes padding only at the end. */
static int decode_groups(const char *in, size_t n, uint8_t *out) {
  size_t o = 0;
  for (size_t i = 0; i < n;) {
    size_t span = 0;
    while (i + span < n && memchr(in + i + span, '=', 4) == NULL)
      span += 4;
    if (span == 0)
      span = 4; /* one padded group */
    int got = EVP_DecodeBlock(out + o, (const unsigned char *)in + i, (int)span);
    if (got != (int)(span / 4 * 3))
      return -1;
    size_t pad = 0;
    if (in[i + span - 1] == '=')
      pad = in[i + span - 2] == '=' ? 2 : 1;
    /* "=" only at the end of a group, never "x===" */
    if (memchr(in + i, '=', span - pad) != NULL)
      return -1;
    o += (size_t)got - pad;
    i += span;
  }
  return (int)o;
}

int hz_web_text_feed(hz_call_t *call, const uint8_t *data, size_t len, hz_frame_msg_cb cb) {
  char in[TEXT_STEP];
  uint8_t out[TEXT_STEP / 4 * 3];
  size_t pos = 0;
  while (pos < len) {
    size_t n = call->b64_have;
    memcpy(in, call->b64_carry, n);
    while (n < TEXT_STEP && pos < len)
      in[n++] = (char)data[pos++];
    for (size_t i = call->b64_have; i < n; i++)
      if (!is_b64(in[i]))
        return HZ_WEB_EBASE64;
    size_t whole = n / 4 * 4;
    call->b64_have = (uint8_t)(n - whole);
    memcpy(call->b64_carry, in + whole, call->b64_have);
    int got = decode_groups(in, whole, out);
    if (got < 0)
      return HZ_WEB_EBASE64;
    int r = hz_frame_decoder_feed(&call->decoder, out, (size_t)got, cb, call);
    if (r < 0)
      return r;
  }
  return 0;
}

static hz_outbuf_t *outbuf_alloc(size_t len) {
  hz_outbuf_t *b = malloc(sizeof(*b) + len);
  if (!b)
    return NULL;
  b->next = NULL;
  b->off = 0;
  b->len = len;
  return b;
}

hz_outbuf_t *hz_web_encode(const hz_call_t *call, hz_outbuf_t *b) {
  if (!b || call->framing != HZ_FRAMING_WEB_TEXT)
    return b;
  hz_outbuf_t *t = outbuf_alloc(4 * ((b->len + 2) / 3) + 1);
  if (t) {
    t->len = (size_t)EVP_EncodeBlock(t->data, b->data, (int)b->len);
    t->next = NULL;
  }
  free(b);
  return t;
}

/* "name:value\r\n" into p (when not NULL); returns its length. */
static size_t line(uint8_t *p, const char *name, const char *value) {
  size_t n = strlen(name), v = strlen(value);
  if (p) {
    memcpy(p, name, n);
    p[n] = ':';
    memcpy(p + n + 1, value, v);
    memcpy(p + n + 1 + v, "\r\n", 2);
  }
  return n + v + 3;
}

static size_t trailer_lines(const hz_call_t *call, uint8_t *p) {
  char code[12];
  snprintf(code, sizeof(code), "%d", call->status);
  size_t n = line(p, "grpc-status", code);
  if (call->status_message && *call->status_message)
    n += line(p ? p + n : NULL, "grpc-message", call->status_message);
  for (const hz_metadata_t *m = call->trailers; m; m = m->next)
    n += line(p ? p + n : NULL, m->name, m->value);
  return n;
}

hz_outbuf_t *hz_web_trailer_frame(const hz_call_t *call) {
  size_t n = trailer_lines(call, NULL);
  hz_outbuf_t *b = outbuf_alloc(HZ_FRAME_PREFIX_LEN + n);
  if (!b)
    return NULL;
  hz_frame_prefix(b->data, n);
  b->data[0] = 0x80; /* the trailer frame */
  trailer_lines(call, b->data + HZ_FRAME_PREFIX_LEN);
  return hz_web_encode(call, b);
}

const char *hz_web_content_type(const hz_call_t *call) {
  switch ((hz_framing_t)call->framing) {
  case HZ_FRAMING_WEB: return "application/grpc-web+proto";
  case HZ_FRAMING_WEB_TEXT: return "application/grpc-web-text+proto";
  case HZ_FRAMING_GRPC: break;
  }
  return call->proto_subtype ? "application/grpc+proto" : "application/grpc";
}
