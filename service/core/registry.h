/* The method table: services register their gRPC methods here at start-up
 * and the transport looks the :path up per stream, so adding a service never
 * touches the transport. */
#ifndef HZ_TRANSPORT_REGISTRY_H
#define HZ_TRANSPORT_REGISTRY_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>

typedef struct hz_call_s hz_call_t;

typedef enum {
  HZ_RPC_UNARY,         /* one request, one response */
  HZ_RPC_CLIENT_STREAM, /* many requests, one response */
  HZ_RPC_SERVER_STREAM, /* one request, many responses */
  HZ_RPC_BIDI,          /* many of both */
} hz_rpc_kind_t;

typedef struct hz_method_s {
  const char *path;                        /* "/package.Service/Method" */
  hz_rpc_kind_t kind;                      /* streaming shape */
  const ProtobufCMessageDescriptor *input; /* request message type */
  /* Each request message, unpacked into the call's arena. For unary and
   * server-streaming methods it runs once, after the client half-closes. */
  void (*on_message)(hz_call_t *call, ProtobufCMessage *msg);
  /* Client-streaming and bidi: the client has sent its last message. */
  void (*on_half_close)(hz_call_t *call);
  /* The call was abandoned (reset, deadline, connection lost, shutdown)
   * while the handler held it. The handler still calls hz_call_finish. */
  void (*on_cancel)(hz_call_t *call);
  /* Server streaming: queued output fell below the low-water mark after
   * hz_call_send reported backpressure. */
  void (*on_drain)(hz_call_t *call);
  void *data; /* the owning service's state */
} hz_method_t;

typedef struct hz_registry_s {
  hz_method_t *methods; /* registration order */
  size_t len;           /* methods in use */
  size_t cap;           /* methods allocated */
} hz_registry_t;

void hz_registry_init(hz_registry_t *r);
void hz_registry_free(hz_registry_t *r);
/* Copies m; returns 0, -EEXIST for a duplicate path, -ENOMEM. */
int hz_registry_add(hz_registry_t *r, const hz_method_t *m);
const hz_method_t *hz_registry_find(const hz_registry_t *r, const char *path, size_t len);

#endif
