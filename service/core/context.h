/* What every layer above core/ shares on one loop: the loop, the
 * configuration, the logger and the method table. Services are not
 * reached through it (main.c owns them and hands each what it needs), so
 * this is not a service locator; a second loop on another core is a second
 * context (service/worker.h). */
#ifndef HZ_CORE_CONTEXT_H
#define HZ_CORE_CONTEXT_H

#include <uv.h>

#include "core/config.h"
#include "core/log.h"
#include "core/registry.h"

typedef struct hz_ctx_s {
  uv_loop_t *loop;           /* the loop that owns all I/O below */
  const hz_config_t *config; /* immutable after start-up */
  hz_log_t log;              /* level filter for this process */
  hz_registry_t registry;    /* gRPC methods served */
  unsigned loop_index;       /* 0-based loop among nloops (--threads) */
  unsigned nloops;           /* loops in the process; a loop's share of a
                              * per-process budget is hz_config_share() */
} hz_ctx_t;

#endif
