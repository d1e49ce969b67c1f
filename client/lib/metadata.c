/* Response metadata entries and base64 decoding of binary ("-bin") values.
 * Padding is optional because the gRPC HTTP/2 protocol lets senders omit
 * it (gRPC C-core does) while others, huizongd among them, send it. */
#include "metadata.h"

#include <stdlib.h>
#include <string.h>

/* Value of a base64 character, or -1 outside the standard alphabet. */
static int b64_value(unsigned char c) {
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+')
    return 62;
  if (c == '/')
    return 63;
  return -1;
}

/* Length without the trailing '=' (at most two, and only in a complete
 * final quantum), or -1 when the padding is misplaced. */
static long strip_padding(const char *in, size_t len) {
  size_t pad = 0;
  while (pad < len && in[len - 1 - pad] == '=')
    pad++;
  if (pad == 0)
    return (long)len;
  if (pad > 2 || len % 4 != 0)
    return -1;
  return (long)(len - pad);
}

int hzc_base64_decode(const char *in, size_t len, uint8_t *out, size_t *out_len) {
  long data = strip_padding(in, len);
  /* One character left over in the last quantum carries only 6 bits. */
  if (data < 0 || data % 4 == 1)
    return -1;
  uint32_t acc = 0;
  int bits = 0;
  size_t n = 0;
  for (long i = 0; i < data; i++) {
    int v = b64_value((unsigned char)in[i]);
    if (v < 0)
      return -1;
    acc = (acc << 6) | (uint32_t)v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (uint8_t)(acc >> bits);
      acc &= (1u << bits) - 1;
    }
  }
  /* Leftover bits of a final partial quantum are ignored: only a
   * non-canonical encoder sets them, and the bytes are complete anyway. */
  *out_len = n;
  return 0;
}

static int is_binary_key(const uint8_t *name, size_t len) {
  return len > 4 && memcmp(name + len - 4, "-bin", 4) == 0;
}

hzc_metadata_t *hzc_metadata_new(const uint8_t *name, size_t namelen, const uint8_t *value,
                                 size_t valuelen) {
  hzc_metadata_t *m = calloc(1, sizeof(*m));
  if (!m)
    return NULL;
  m->name = malloc(namelen + 1);
  /* Decoding never grows the value, so valuelen + 1 always suffices. */
  m->value = malloc(valuelen + 4);
  if (!m->name || !m->value)
    goto fail;
  memcpy(m->name, name, namelen);
  m->name[namelen] = '\0';
  if (is_binary_key(name, namelen)) {
    if (hzc_base64_decode((const char *)value, valuelen, m->value, &m->len) < 0)
      goto fail;
  } else {
    memcpy(m->value, value, valuelen);
    m->len = valuelen;
  }
  m->value[m->len] = '\0';
  return m;

fail:
  hzc_metadata_free(m);
  return NULL;
}

void hzc_metadata_free(hzc_metadata_t *list) {
  while (list) {
    hzc_metadata_t *next = list->next;
    free(list->name);
    free(list->value);
    free(list);
    list = next;
  }
}
