/* Registration and teardown of the huizong.v1 services. */
#include "api/api.h"

#include <stdlib.h>
#include <string.h>

int hz_app_register(hz_app_t *app, hz_ctx_t *ctx, hz_db_pool_t *db) {
  memset(app, 0, sizeof(*app));
  app->ctx = ctx;
  app->db = db;
  hz_rcache_init(&app->rollups,
                 hz_config_share(ctx->config->rollup_cache_bytes, ctx->nloops, ctx->loop_index, 0));
  int r = hz_reporting_register(app);
  if (r == 0)
    r = hz_admin_register(app);
  if (r == 0)
    r = hz_aggregation_register(app);
  if (r == 0)
    r = hz_review_register(app);
  if (r == 0)
    r = hz_audit_register(app);
  return r;
}

void hz_app_free(hz_app_t *app) {
  if (!app)
    return;
  hz_rpc_binding_t *b = app->bindings;
  while (b) {
    hz_rpc_binding_t *next = b->next;
    free(b);
    b = next;
  }
  app->bindings = NULL;
  hz_token_cache_free(&app->tokens);
  hz_rcache_free(&app->rollups);
}
