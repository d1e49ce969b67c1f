/* State shared by the huizong.v1 services: the database pool, the token
 * cache and the Rollup answer cache. One per loop, reached through hz_ctx_t.app. */
#ifndef HZ_APP_APP_H
#define HZ_APP_APP_H

#include "api/auth.h"
#include "api/aggregation/cache.h"
#include "core/context.h"
#include "db/pool.h"
#include "db/replica.h"

struct hz_rpc_def_s;

/* Ties a registered method to its definition and the app. */
typedef struct hz_rpc_binding_s {
  struct hz_rpc_binding_s *next;  /* app's list, freed with it */
  const struct hz_rpc_def_s *def; /* static method definition */
  struct hz_app_s *app;           /* shared state */
} hz_rpc_binding_t;

typedef struct hz_app_s {
  hz_ctx_t *ctx;              /* owning context */
  hz_rpc_binding_t *bindings; /* one per registered method */
  hz_db_pool_t *db;           /* PostgreSQL pool (the primary) */
  hz_db_reads_t *reads;       /* read servers for hz_rpc_read_query; NULL
                                 or none: every read on db */
  hz_token_cache_t tokens;    /* verified tokens, short-lived */
  hz_rcache_t rollups;        /* Rollup answers, checked by stamp per call */
} hz_app_t;

/* Registers every huizong.v1 service: Reporting, Aggregation and Admin
 * (with review and audit). db may be NULL: calls then answer UNAVAILABLE. */
int hz_app_register(hz_app_t *app, hz_ctx_t *ctx, hz_db_pool_t *db);
void hz_app_free(hz_app_t *app);

int hz_reporting_register(hz_app_t *app);
int hz_admin_register(hz_app_t *app);
int hz_aggregation_register(hz_app_t *app);
int hz_review_register(hz_app_t *app);
int hz_audit_register(hz_app_t *app);

#endif
