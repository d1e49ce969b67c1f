/* The content-type of a gRPC request or response, classified once for
 * client and server (and the gRPC-Web gateway to come).
 *
 * Grammar (gRPC over HTTP/2, "Requests"; gRPC-Web protocol; media types
 * per RFC 9110 section 8.3, whose type, subtype and parameter names are
 * case-insensitive):
 *   content-type = base [ "+" codec ] *( OWS ";" [ parameter ] ) OWS
 *   base         = "application/grpc" / "application/grpc-web"
 *                / "application/grpc-web-text"
 *   codec        = *( any byte but ";", SP, HTAB )   ; "proto", "json" ...
 *   OWS          = *( SP / HTAB )
 * Parameters (";charset=utf-8" and the like) are allowed and ignored: the
 * gRPC spec reserves them and no implementation gives them a meaning.
 *
 * Why the codec is reported apart: "application/grpc" means protobuf by
 * convention and "+proto" says so explicitly (a server answers in the form
 * it was asked in); any other codec ("+json") is still gRPC, so a server
 * answers it with a gRPC status (UNIMPLEMENTED), not HTTP 415.
 *
 * Why gRPC-Web is its own kind: the browser console speaks it through a
 * gateway whose framing differs (trailers in the body, base64 for -text);
 * a plain gRPC endpoint must not mistake it for application/grpc.
 *
 * No I/O, no allocation. */
#ifndef HZ_WIRE_CONTENT_TYPE_H
#define HZ_WIRE_CONTENT_TYPE_H

#include <stddef.h>

typedef enum {
  HZ_WIRE_CT_OTHER = 0,     /* not gRPC at all: a server answers HTTP 415 */
  HZ_WIRE_CT_GRPC,          /* application/grpc[+codec] */
  HZ_WIRE_CT_GRPC_WEB,      /* application/grpc-web[+codec]: binary frames */
  HZ_WIRE_CT_GRPC_WEB_TEXT, /* application/grpc-web-text[+codec]: base64 */
} hz_wire_ct_kind_t;

typedef enum {
  HZ_WIRE_CODEC_IMPLIED = 0, /* no "+codec": protobuf by convention */
  HZ_WIRE_CODEC_PROTO,       /* "+proto", any case */
  HZ_WIRE_CODEC_OTHER,       /* any other codec, even an empty one */
} hz_wire_codec_t;

/* Classifies the header value v (len bytes, no NUL needed). When codec is
 * not NULL it receives the codec of a gRPC kind (HZ_WIRE_CODEC_IMPLIED for
 * HZ_WIRE_CT_OTHER). NULL v is HZ_WIRE_CT_OTHER. */
hz_wire_ct_kind_t hz_wire_content_type(const char *v, size_t len, hz_wire_codec_t *codec);

#endif
