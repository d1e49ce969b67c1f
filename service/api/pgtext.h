/* Text forms PostgreSQL parameters take: array literals, bytea hex, and
 * RFC 3339 timestamps. Everything is built in the caller's arena. */
#ifndef HZ_APP_PGTEXT_H
#define HZ_APP_PGTEXT_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"

/* {"a","b",NULL}: items[i] NULL becomes SQL NULL. */
char *hz_pg_text_array(hz_arena_t *a, const char *const *items, size_t n);
/* \x0123... */
char *hz_pg_bytea_hex(hz_arena_t *a, const uint8_t *data, size_t n);
/* Current UTC time as 2022-04-05T08:30:00.123456Z. */
char *hz_pg_now_rfc3339(hz_arena_t *a);
/* Decimal text of v. */
char *hz_pg_int(hz_arena_t *a, long long v);

/* True for "" or text shaped like an RFC 3339 timestamp, so filters reach
 * SQL only when PostgreSQL can parse them. */
int hz_pg_timestamp_ok(const char *s);

/* Keyset page tokens: hex of "<timestamp>|<key>", opaque to clients and
 * checked on the way back so a forged token is INVALID_ARGUMENT, never a
 * SQL error. The key must be [0-9a-f-]. */
char *hz_page_token_encode(hz_arena_t *a, const char *ts, const char *key);
int hz_page_token_decode(hz_arena_t *a, const char *tok, const char **ts, const char **key);

#endif
