/* Text fields checked on the encoded request (see pbtext.h). */
#include "wire/pbtext.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "wire/utf8.h"

/* One (tag, value) of an encoding. */
typedef struct field_s {
  uint32_t number;     /* field number (0 matches no field) */
  unsigned wire;       /* wire type: 0, 1, 2 or 5 */
  const uint8_t *body; /* wire type 2: the value's bytes */
  size_t len;          /* their number */
} field_t;

static int read_varint(const uint8_t **p, const uint8_t *end, uint64_t *v) {
  uint64_t r = 0;
  for (unsigned i = 0; i < 10; i++) {
    if (*p == end)
      return -EBADMSG;
    uint8_t b = *(*p)++;
    r |= (uint64_t)(b & 0x7F) << (7 * i);
    if (!(b & 0x80)) {
      *v = r;
      return 0;
    }
  }
  return -EBADMSG; /* more than 10 bytes is no 64-bit varint */
}

/* Reads the field at *p and steps past it. */
static int next_field(const uint8_t **p, const uint8_t *end, field_t *f) {
  uint64_t tag, n;
  const uint8_t *tag_at = *p;
  /* As protobuf-c reads tags: at most 5 bytes, the field number is the
   * 32 bits above the wire type. Number 0 is no field of any message; it
   * is skipped like an unknown one (protobuf-c refuses it in some spellings
   * and not in others: either way no string hides in it). */
  if (read_varint(p, end, &tag) || *p - tag_at > 5)
    return -EBADMSG;
  f->number = (uint32_t)(tag >> 3);
  f->wire = (unsigned)(tag & 7);
  f->body = NULL;
  f->len = 0;
  size_t left;
  switch (f->wire) {
  case 0: return read_varint(p, end, &n);
  case 1:
  case 5:
    left = (size_t)(end - *p);
    if (left < (f->wire == 1 ? 8u : 4u))
      return -EBADMSG;
    *p += f->wire == 1 ? 8 : 4;
    return 0;
  case 2:
    if (read_varint(p, end, &n) || n > (uint64_t)(end - *p))
      return -EBADMSG;
    f->body = *p;
    f->len = (size_t)n;
    *p += n;
    return 0;
  default: /* groups (3, 4) and the unassigned 6, 7 */ return -EBADMSG;
  }
}

/* 1 with err->why set when s is not UTF-8 without NUL, else 0. The first
 * problem in byte order is the one reported. */
static int check_text(const uint8_t *s, size_t n, hz_pb_text_error_t *err) {
  size_t bad;
  if (hz_wire_utf8_check((const char *)s, n, &bad) == 0)
    return 0;
  err->why = s[bad] == 0 ? "contains a NUL byte" : "is not valid UTF-8";
  err->offset = bad;
  return 1;
}

/* How many times field number occurs in [start, at): the index of the
 * occurrence at `at` in a repeated field. The bytes were read once already. */
static size_t occurrences(const uint8_t *start, const uint8_t *at, uint32_t number) {
  size_t count = 0;
  field_t f;
  while (start < at && next_field(&start, at, &f) == 0)
    count += f.number == number;
  return count;
}

/* Puts "name" or "name[index]" (and a dot) in front of err->path. When the
 * path would not fit, its front is dropped and marked "...". */
static void prepend(hz_pb_text_error_t *err, const ProtobufCFieldDescriptor *fd, int repeated,
                    size_t index) {
  char both[2 * HZ_PB_TEXT_PATH_MAX + 32];
  int n;
  if (repeated)
    n = snprintf(both, sizeof(both), "%s[%zu]%s%s", fd->name, index, err->path[0] ? "." : "",
                 err->path);
  else
    n = snprintf(both, sizeof(both), "%s%s%s", fd->name, err->path[0] ? "." : "", err->path);
  if (n < 0)
    return;
  size_t len = (size_t)n < sizeof(both) ? (size_t)n : sizeof(both) - 1;
  if (len < sizeof(err->path)) {
    memcpy(err->path, both, len + 1);
    return;
  }
  size_t keep = sizeof(err->path) - 4; /* "..." and the NUL */
  memcpy(err->path, "...", 3);
  memcpy(err->path + 3, both + len - keep, keep + 1);
}

static int check_message(const ProtobufCMessageDescriptor *desc, const uint8_t *start,
                         const uint8_t *end, unsigned depth, hz_pb_text_error_t *err) {
  const uint8_t *p = start;
  while (p < end) {
    const uint8_t *at = p;
    field_t f;
    if (next_field(&p, end, &f))
      return -EBADMSG;
    if (f.wire != 2)
      continue; /* strings and messages are length-delimited */
    const ProtobufCFieldDescriptor *fd = protobuf_c_message_descriptor_get_field(desc, f.number);
    if (!fd)
      continue; /* unknown field: protobuf-c keeps it as bytes */
    int r = 0;
    if (fd->type == PROTOBUF_C_TYPE_STRING) {
      r = check_text(f.body, f.len, err);
    } else if (fd->type == PROTOBUF_C_TYPE_MESSAGE) {
      if (depth + 1 >= HZ_PB_TEXT_MAX_DEPTH)
        return -EBADMSG;
      r = check_message(fd->descriptor, f.body, f.body + f.len, depth + 1, err);
    }
    if (r < 0)
      return r;
    if (r > 0) {
      int repeated = fd->label == PROTOBUF_C_LABEL_REPEATED;
      prepend(err, fd, repeated, repeated ? occurrences(start, at, f.number) : 0);
      return 1;
    }
  }
  return 0;
}

int hz_pb_text_check(const ProtobufCMessageDescriptor *desc, const uint8_t *data, size_t len,
                     hz_pb_text_error_t *err) {
  err->path[0] = '\0';
  err->why = NULL;
  err->offset = 0;
  if (len == 0)
    return 0;
  return check_message(desc, data, data + len, 0, err);
}
