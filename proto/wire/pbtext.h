/* Text fields of a request, checked on its encoded bytes before protobuf-c
 * unpacks it: every `string` field, at any depth, must be UTF-8 (wire/utf8.h)
 * without NUL bytes.
 *
 * Why on the bytes: protobuf-c copies a string into a NUL-terminated char*
 * and checks nothing, so after unpacking "abc\0def" is "abc" (the rest is
 * lost without a trace) and invalid UTF-8 reaches PostgreSQL, which refuses
 * it as an internal error. Only the encoded form still has both facts.
 *
 * What it reads: the protobuf wire format as far as needed to find strings
 * (tags, the four wire types proto3 uses, lengths), guided by the message's
 * ProtobufCMessageDescriptor; sub-messages are entered, everything else is
 * skipped. It does not decode values: protobuf-c still does that.
 *
 * Grammar accepted: a sequence of (tag varint, value) where the tag takes
 * at most 5 bytes (as protobuf-c reads it; field numbers that no message
 * has, 0 or past 2^29 - 1, are skipped as unknown), the wire type is 0 (varint, at most 10
 * bytes), 1 (8 bytes), 2 (varint length, then that many bytes) or 5 (4
 * bytes), and nothing is cut short. Groups (3, 4) are refused, as protobuf-c
 * refuses them. Sub-messages nest at most HZ_PB_TEXT_MAX_DEPTH deep. */
#ifndef HZ_WIRE_PBTEXT_H
#define HZ_WIRE_PBTEXT_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>
#include <stdint.h>

#define HZ_PB_TEXT_MAX_DEPTH 32
#define HZ_PB_TEXT_PATH_MAX  160

/* Where the first bad text is and what is wrong with it. */
typedef struct hz_pb_text_error_s {
  /* Field path in proto names, repeated fields with their index:
   * "values[2].comment". Cut at the front ("...") if longer. */
  char path[HZ_PB_TEXT_PATH_MAX];
  const char *why; /* "is not valid UTF-8" or "contains a NUL byte" */
  size_t offset;   /* byte of the string where the problem starts */
} hz_pb_text_error_t;

/* Checks the len bytes at data as an encoded message of type desc.
 * Returns 0 when every string field is UTF-8 without NUL, 1 with *err
 * filled when one is not (the first in the encoding), or -EBADMSG when
 * the bytes do not follow the grammar above (protobuf-c would refuse them
 * too; answer as for any malformed message). */
int hz_pb_text_check(const ProtobufCMessageDescriptor *desc, const uint8_t *data, size_t len,
                     hz_pb_text_error_t *err);

#endif
