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

/* Keyset page tokens, the one next_page_token format of every huizong.v1
 * list: lower-case hex of "<timestamp>|<key>", the position of the last
 * row shown. Lists ordered by time (newest first) give that row's
 * timestamp and its id; lists ordered by a key alone give "" and the key
 * (a code, an id, "region/indicator/period"). Opaque to clients, at most
 * HZ_PAGE_TOKEN_MAX hex digits, and checked on the way back against the
 * list's own grammar, so a forged token is INVALID_ARGUMENT and never a
 * SQL error. Why hex: keys may hold any character their grammar allows,
 * and the token stays one URL- and header-safe word. */
#define HZ_PAGE_TOKEN_MAX 256

/* 0 when key fits a list's key grammar (domain/ident.h's validators fit). */
typedef int (*hz_page_key_check_fn)(const char *key);

/* ts is "" for a list ordered by key alone; NULL when memory ran out. */
char *hz_page_token_encode(hz_arena_t *a, const char *ts, const char *key);

/* Decodes a token of one list: timed lists need a timestamp of 10-40
 * characters PostgreSQL can parse ([0-9-T:.Z+ ]), untimed ones an empty
 * one; the key must be non-empty and pass key_ok. Returns 0, -EINVAL for
 * anything else (outputs untouched), or -ENOMEM. */
int hz_page_token_decode_for(hz_arena_t *a, const char *tok, int timed, hz_page_key_check_fn key_ok,
                             const char **ts, const char **key);

/* hz_page_token_decode_for a timed list keyed by a UUID or serial id: the
 * key is [0-9a-f-]. */
int hz_page_token_decode(hz_arena_t *a, const char *tok, const char **ts, const char **key);

#endif
