/* Token parsing, hashing, constant-time checks and the verified cache. */
#include "api/auth.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>

void hz_token_hash(const char *secret, uint8_t hash[32]) {
  SHA256((const unsigned char *)secret, strlen(secret), hash);
}

int hz_token_hash_equal(const uint8_t a[32], const uint8_t b[32]) {
  return CRYPTO_memcmp(a, b, 32) == 0;
}

int hz_token_parse(const char *header, int64_t *id, uint8_t hash[32]) {
  if (!header || strncasecmp(header, "Bearer ", 7) != 0)
    return -EINVAL;
  const char *t = header + 7;
  while (*t == ' ')
    t++;
  if (strncmp(t, "hz_", 3) != 0)
    return -EINVAL;
  t += 3;
  int64_t v = 0;
  const char *p = t;
  while (*p >= '0' && *p <= '9' && p - t < 18)
    v = v * 10 + (*p++ - '0');
  if (p == t || *p != '_' || v <= 0)
    return -EINVAL;
  const char *secret = p + 1;
  size_t n = strlen(secret);
  if (n < 16 || n > 128)
    return -EINVAL;
  *id = v;
  hz_token_hash(secret, hash);
  return 0;
}

int hz_token_new_secret(char *secret, size_t len, uint8_t hash[32]) {
  unsigned char raw[HZ_TOKEN_SECRET_BYTES];
  if (len < 48 || RAND_bytes(raw, sizeof(raw)) != 1)
    return -EIO;
  /* base64url without padding: 43 characters, safe in headers and shells. */
  unsigned char b64[64];
  int n = EVP_EncodeBlock(b64, raw, sizeof(raw));
  size_t j = 0;
  for (int i = 0; i < n && b64[i] != '='; i++)
    secret[j++] = b64[i] == '+' ? '-' : b64[i] == '/' ? '_' : (char)b64[i];
  secret[j] = '\0';
  OPENSSL_cleanse(raw, sizeof(raw));
  hz_token_hash(secret, hash);
  return 0;
}

static size_t bucket_of(int64_t id) {
  return (size_t)((uint64_t)id * 11400714819323198485ull >> 56) % HZ_TOKEN_CACHE_BUCKETS;
}

const hz_token_entry_t *hz_token_cache_get(const hz_token_cache_t *c, int64_t id, uint64_t now) {
  for (hz_token_entry_t *e = c->buckets[bucket_of(id)]; e; e = e->next)
    if (e->id == id)
      return now - e->fetched_at < HZ_TOKEN_CACHE_TTL_MS ? e : NULL;
  return NULL;
}

static void entry_free(hz_token_entry_t *e) {
  free(e->name);
  free(e->region);
  free(e);
}

void hz_token_cache_forget(hz_token_cache_t *c, int64_t id) {
  hz_token_entry_t **pp = &c->buckets[bucket_of(id)];
  while (*pp) {
    if ((*pp)->id == id) {
      hz_token_entry_t *e = *pp;
      *pp = e->next;
      entry_free(e);
      return;
    }
    pp = &(*pp)->next;
  }
}

int hz_token_cache_put(hz_token_cache_t *c, int64_t id, const uint8_t hash[32], const char *name,
                       int role, const char *region, int revoked, uint64_t now) {
  hz_token_cache_forget(c, id);
  hz_token_entry_t *e = calloc(1, sizeof(*e));
  if (!e)
    return -ENOMEM;
  e->id = id;
  memcpy(e->hash, hash, 32);
  e->name = strdup(name);
  e->region = region && *region ? strdup(region) : NULL;
  e->role = role;
  e->revoked = revoked;
  e->fetched_at = now;
  if (!e->name || (region && *region && !e->region)) {
    entry_free(e);
    return -ENOMEM;
  }
  size_t b = bucket_of(id);
  e->next = c->buckets[b];
  c->buckets[b] = e;
  return 0;
}

void hz_token_cache_free(hz_token_cache_t *c) {
  if (!c)
    return;
  for (size_t i = 0; i < HZ_TOKEN_CACHE_BUCKETS; i++) {
    hz_token_entry_t *e = c->buckets[i];
    while (e) {
      hz_token_entry_t *next = e->next;
      entry_free(e);
      e = next;
    }
    c->buckets[i] = NULL;
  }
}
