/* grpc.health.v1.Health: Check and Watch for the whole server ("") and for
 * every service in the method table. Shutdown and a lost database flip the
 * status to NOT_SERVING and tell the watchers. */
#ifndef HZ_RPC_HEALTH_H
#define HZ_RPC_HEALTH_H

#include "core/context.h"

typedef struct hz_health_watch_s hz_health_watch_t;

typedef struct hz_health_s {
  hz_ctx_t *ctx;               /* owning context */
  int serving;                 /* 1 SERVING, 0 NOT_SERVING */
  hz_health_watch_t *watchers; /* open Watch calls */
} hz_health_t;

/* Registers Check and Watch. */
int hz_health_register(hz_health_t *h, hz_ctx_t *ctx);
/* Sets the server-wide status and notifies watchers on a change. */
void hz_health_set_serving(hz_health_t *h, int serving);
/* Shutdown hook: NOT_SERVING, then end every Watch with UNAVAILABLE. */
void hz_health_shutdown(void *h);

#endif
