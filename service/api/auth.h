/* Bearer tokens: "hz_<id>_<secret>". Only SHA-256(secret) is stored; a
 * presented token is looked up by id and its hash compared in constant
 * time. Verified tokens are cached briefly so most calls cost no lookup of
 * their own; whether a cached token was revoked meanwhile (on any server)
 * is asked in the call's first database job instead (api/rpc.h,
 * hz_rpc_query), so a revocation holds from the next call everywhere. */
#ifndef HZ_APP_AUTH_H
#define HZ_APP_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "domain/role.h"

#define HZ_TOKEN_SECRET_BYTES  32
#define HZ_TOKEN_CACHE_BUCKETS 256
#define HZ_TOKEN_CACHE_TTL_MS  30000u

/* Who is calling, once authenticated. Strings live in the call's arena. */
typedef struct hz_principal_s {
  int64_t token_id;   /* tokens.id */
  const char *name;   /* token name: the actor in audit rows */
  int role;           /* hz_role_t */
  const char *region; /* scope; NULL for admin */
} hz_principal_t;

typedef struct hz_token_entry_s {
  struct hz_token_entry_s *next; /* bucket chain */
  int64_t id;                    /* tokens.id */
  uint8_t hash[32];              /* SHA-256 of the secret */
  char *name;                    /* token name */
  char *region;                  /* NULL for admin */
  int role;                      /* hz_role_t, from tokens.role */
  int revoked;                   /* revoked_at set */
  uint64_t fetched_at;           /* uv_now() when loaded */
} hz_token_entry_t;

typedef struct hz_token_cache_s {
  hz_token_entry_t *buckets[HZ_TOKEN_CACHE_BUCKETS]; /* by id */
} hz_token_cache_t;

/* Parses "Bearer hz_<id>_<secret>" into the id and SHA-256 of the secret.
 * Returns 0 or -EINVAL. */
int hz_token_parse(const char *header, int64_t *id, uint8_t hash[32]);
/* Makes a new secret: writes the text form into secret (>= 48 bytes) and its
 * hash. The full token is then "hz_<id>_<secret>". */
int hz_token_new_secret(char *secret, size_t len, uint8_t hash[32]);
void hz_token_hash(const char *secret, uint8_t hash[32]);
/* Constant-time comparison of two hashes. */
int hz_token_hash_equal(const uint8_t a[32], const uint8_t b[32]);

const hz_token_entry_t *hz_token_cache_get(const hz_token_cache_t *c, int64_t id, uint64_t now);
int hz_token_cache_put(hz_token_cache_t *c, int64_t id, const uint8_t hash[32], const char *name,
                       int role, const char *region, int revoked, uint64_t now);
void hz_token_cache_forget(hz_token_cache_t *c, int64_t id);
void hz_token_cache_free(hz_token_cache_t *c);

#endif
