/* gRPC content-type classification (see content_type.h for the grammar). */
#include "wire/content_type.h"

#include <strings.h>

static int is_ows(char c) {
  return c == ' ' || c == '\t';
}

/* Case-insensitive: does v[0..len) start with lit? */
static int has_prefix(const char *v, size_t len, const char *lit, size_t litlen) {
  return len >= litlen && strncasecmp(v, lit, litlen) == 0;
}

/* Where the subtype ends: the first ';' or blank (parameters follow). */
static size_t subtype_end(const char *v, size_t len) {
  size_t i = 0;
  while (i < len && v[i] != ';' && !is_ows(v[i]))
    i++;
  return i;
}

/* What follows the subtype must be parameters or blanks, nothing else. */
static int tail_ok(const char *v, size_t len) {
  size_t i = 0;
  while (i < len && is_ows(v[i]))
    i++;
  return i == len || v[i] == ';';
}

hz_wire_ct_kind_t hz_wire_content_type(const char *v, size_t len, hz_wire_codec_t *codec) {
  static const struct {
    const char *base; /* media type without codec; longest first */
    size_t len;
    hz_wire_ct_kind_t kind;
  } bases[] = {
      {"application/grpc-web-text", 25, HZ_WIRE_CT_GRPC_WEB_TEXT},
      {"application/grpc-web", 20, HZ_WIRE_CT_GRPC_WEB},
      {"application/grpc", 16, HZ_WIRE_CT_GRPC},
  };
  if (codec)
    *codec = HZ_WIRE_CODEC_IMPLIED;
  if (!v)
    return HZ_WIRE_CT_OTHER;
  size_t end = subtype_end(v, len);
  if (!tail_ok(v + end, len - end))
    return HZ_WIRE_CT_OTHER;
  for (size_t b = 0; b < sizeof(bases) / sizeof(bases[0]); b++) {
    size_t n = bases[b].len;
    if (!has_prefix(v, end, bases[b].base, n) || (end > n && v[n] != '+'))
      continue;
    if (codec && end > n)
      *codec = (end - n - 1 == 5 && strncasecmp(v + n + 1, "proto", 5) == 0) ? HZ_WIRE_CODEC_PROTO
                                                                             : HZ_WIRE_CODEC_OTHER;
    return bases[b].kind;
  }
  return HZ_WIRE_CT_OTHER;
}
