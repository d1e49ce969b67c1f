/* libFuzzer target for the request text check (wire/pbtext.h), which reads
 * every request's bytes before protobuf-c does. Differential against
 * protobuf-c on three message types (a huizong request with repeated
 * sub-messages, one with repeated rows, and google.protobuf's recursive
 * FileDescriptorProto for depth):
 *   - the check never calls a message malformed that protobuf-c accepts,
 *     unless it nests deeper than HZ_PB_TEXT_MAX_DEPTH;
 *   - when it passes a message protobuf-c accepts, every string protobuf-c
 *     produced is well-formed UTF-8;
 *   - a reported path is a terminated string within its buffer.
 * Input layout: [type byte][message bytes ...]. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "descriptor.pb-c.h"
#include "huizong/v1/admin.pb-c.h"
#include "huizong/v1/reporting.pb-c.h"
#include "wire/pbtext.h"
#include "wire/utf8.h"

static const ProtobufCMessageDescriptor *const types[] = {
    &huizong__v1__submit_request__descriptor,
    &huizong__v1__import_regions_request__descriptor,
    &google__protobuf__file_descriptor_proto__descriptor,
};

static void check_string(const char *s) {
  size_t n = strlen(s);
  if (hz_wire_utf8_check(s, n, NULL) != 0)
    abort(); /* the check passed text protobuf-c then handed over invalid */
}

/* Walks an unpacked message: checks its strings when strings is set,
 * returns its depth (0 for no sub-messages). */
static unsigned walk(const ProtobufCMessage *m, int strings) {
  const ProtobufCMessageDescriptor *d = m->descriptor;
  unsigned deepest = 0;
  for (unsigned i = 0; i < d->n_fields; i++) {
    const ProtobufCFieldDescriptor *f = &d->fields[i];
    if (f->type != PROTOBUF_C_TYPE_STRING && f->type != PROTOBUF_C_TYPE_MESSAGE)
      continue;
    const char *base = (const char *)m + f->offset;
    size_t count = 1;
    const void *const *items = (const void *const *)base;
    if (f->label == PROTOBUF_C_LABEL_REPEATED) {
      count = *(const size_t *)((const char *)m + f->quantifier_offset);
      items = *(const void *const *const *)base;
    } else if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
      if (*(const uint32_t *)((const char *)m + f->quantifier_offset) != f->id)
        continue;
    }
    for (size_t k = 0; k < count; k++) {
      if (!items[k])
        continue;
      if (f->type == PROTOBUF_C_TYPE_STRING) {
        if (strings)
          check_string(items[k]);
      } else {
        unsigned depth = 1 + walk(items[k], strings);
        if (depth > deepest)
          deepest = depth;
      }
    }
  }
  return deepest;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  const ProtobufCMessageDescriptor *d = types[data[0] % (sizeof(types) / sizeof(types[0]))];
  const uint8_t *msg = data + 1;
  size_t len = size - 1;
  hz_pb_text_error_t err;
  memset(&err, 0x5A, sizeof(err));
  int r = hz_pb_text_check(d, msg, len, &err);
  if (r != 0 && r != 1 && r != -EBADMSG)
    abort();
  if (r == 1 && (!err.why || !memchr(err.path, '\0', sizeof(err.path)) || !err.path[0]))
    abort();
  ProtobufCMessage *m = protobuf_c_message_unpack(d, NULL, len, msg);
  if (m) {
    unsigned depth = walk(m, r == 0);
    if (r == -EBADMSG && depth < HZ_PB_TEXT_MAX_DEPTH)
      abort(); /* refused a message protobuf-c accepts */
    protobuf_c_message_free_unpacked(m, NULL);
  }
  return 0;
}
