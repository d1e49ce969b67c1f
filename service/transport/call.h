/* What a handler sees of a gRPC call. Handlers run on the loop and may
 * answer later (after a database reply): they queue response messages with
 * hz_call_send and end the call exactly once with hz_call_finish, even
 * after on_cancel. Everything else (headers, framing, trailers, deadlines,
 * flow control) belongs to the transport. */
#ifndef HZ_TRANSPORT_CALL_H
#define HZ_TRANSPORT_CALL_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/registry.h"
#include "wire/status.h"

struct hz_ctx_s;

struct hz_ctx_s *hz_call_ctx(const hz_call_t *call);
const hz_method_t *hz_call_method(const hz_call_t *call);
/* The per-call arena; released when the call is over. */
hz_arena_t *hz_call_arena(hz_call_t *call);
/* Request metadata by lower-case name (e.g. "authorization"), or NULL. */
const char *hz_call_metadata(const hz_call_t *call, const char *name);
/* "ip:port" of the client. */
const char *hz_call_peer(const hz_call_t *call);
/* Milliseconds until the client's deadline; UINT64_MAX without one. */
uint64_t hz_call_deadline_left_ms(const hz_call_t *call);

/* Keeps the call (and its arena) alive across code that may finish it
 * from outside a transport callback, such as a database answer whose
 * handler finishes the call and then returns up its own stack. Every hold
 * is paired with a release, after which the call may be gone. */
void hz_call_hold(hz_call_t *call);
void hz_call_release(hz_call_t *call);

/* Handler-private state. */
void hz_call_set_data(hz_call_t *call, void *data);
void *hz_call_data(const hz_call_t *call);

/* True once the call can no longer deliver a response (cancelled, deadline
 * passed, connection gone, or already finished). */
int hz_call_is_done(const hz_call_t *call);

/* Queues one response message. Returns 0, 1 when the output queue is above
 * the high-water mark (the method's on_drain fires once it empties), or
 * -ECANCELED / -ENOMEM, or -ENOBUFS when the client is not taking what is
 * already queued and the call went over its output budget (the stream is
 * reset; on_cancel follows from the loop, the handler still finishes). */
int hz_call_send(hz_call_t *call, const ProtobufCMessage *msg);
/* Same for a message already packed (len bytes at msg, copied). */
int hz_call_send_packed(hz_call_t *call, const uint8_t *msg, size_t len);

/* Adds trailing metadata sent with the final status. Names ending in
 * "-bin" carry binary values, base64-encoded here. Returns 0 or -ENOMEM. */
int hz_call_add_trailer(hz_call_t *call, const char *name, const void *value, size_t len);

/* Ends the call with a status and a message (printf-style; may be NULL for
 * none). The call must not be touched afterwards. */
void hz_call_finish(hz_call_t *call, hz_status_code_t code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The one answer to running out of a call's memory (its arena, a budget):
 * RESOURCE_EXHAUSTED with this text, wherever it happens. */
#define HZ_CALL_OOM_MESSAGE "call exceeds its memory limit"

#endif
