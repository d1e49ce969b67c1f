/* gRPC server reflection (grpc.reflection.v1 and v1alpha, identical on the
 * wire) served from the descriptor set embedded at build time, so tools
 * like grpcurl work with no .proto at hand. */
#ifndef HZ_RPC_REFLECTION_H
#define HZ_RPC_REFLECTION_H

#include <stddef.h>
#include <stdint.h>

#include "core/context.h"

typedef struct hz_reflection_file_s {
  const char *name; /* "huizong/v1/reporting.proto" */
  uint8_t *bytes;   /* serialized FileDescriptorProto */
  size_t len;       /* bytes at bytes */
  size_t *deps;     /* indexes into files of the files it imports: */
  size_t ndeps;     /* a symbol's answer carries that whole closure */
} hz_reflection_file_t;

typedef struct hz_reflection_symbol_s {
  char *name;     /* fully qualified, no leading dot */
  size_t file;    /* index of the defining file */
  int is_message; /* message types answer all_extension_numbers_of_type */
} hz_reflection_symbol_t;

typedef struct hz_reflection_s {
  hz_ctx_t *ctx;                   /* owning context */
  void *set;                       /* the unpacked FileDescriptorSet */
  hz_reflection_file_t *files;     /* one per file in the set */
  size_t nfiles;                   /* entries in files */
  hz_reflection_symbol_t *symbols; /* every message, enum, service, method */
  size_t nsymbols;                 /* entries in symbols (scanned, a few hundred) */
  size_t symbols_cap;              /* allocated */
  char **services;                 /* services in the method table */
  size_t nservices;                /* entries in services (list_services answer) */
} hz_reflection_t;

/* Indexes the embedded descriptor set and registers both reflection
 * services. Call after every other service has registered. */
int hz_reflection_register(hz_reflection_t *r, hz_ctx_t *ctx);
void hz_reflection_free(hz_reflection_t *r);

#endif
