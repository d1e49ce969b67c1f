/* The one context a loop owns: configuration, logger, the method table and
 * the services. Everything that would otherwise be global hangs here, so a
 * second loop on another core is a second context. */
#ifndef HZ_CORE_CONTEXT_H
#define HZ_CORE_CONTEXT_H

#include <uv.h>

#include "core/config.h"
#include "core/log.h"
#include "transport/registry.h"

struct hz_server_s;
struct hz_health_s;
struct hz_reflection_s;
struct hz_db_pool_s;
struct hz_app_s;

typedef struct hz_ctx_s {
  uv_loop_t *loop;                    /* the loop that owns all I/O below */
  const hz_config_t *config;          /* immutable after start-up */
  hz_log_t log;                       /* level filter for this process */
  hz_registry_t registry;             /* gRPC methods served */
  struct hz_server_s *server;         /* listener and connections */
  struct hz_health_s *health;         /* grpc.health.v1 state and watchers */
  struct hz_reflection_s *reflection; /* embedded descriptor index */
  struct hz_db_pool_s *db;            /* PostgreSQL pool, NULL without a database */
  struct hz_app_s *app;               /* huizong.v1 services' shared state */
} hz_ctx_t;

#endif
