/* Submission ids: random (version 4) UUIDs in RFC 4122 text form, drawn
 * from OpenSSL's CSPRNG so two townships never collide, and name-based
 * (version 5) ones derived from a submission's content. Checking an id a
 * user typed is wire/uuid.h's job, shared with huizongd. */
#ifndef HZ_CLI_UUID_H
#define HZ_CLI_UUID_H

#include <stddef.h>

#include "wire/uuid.h"

/* Writes a new lower-case v4 UUID. Returns 0, or -1 if no randomness. */
int hz_cli_uuid_v4(char out[HZ_WIRE_UUID_TEXT_SIZE]);

/* A name-based (version 5, SHA-1) UUID of name (len bytes) in the
 * namespace ns, RFC 4122 section 4.3: the same name always gives the same
 * id, which is how a bulk load derives each submission's id from its
 * content so that a re-run is a replay. Returns 0, or -1 if SHA-1 fails. */
int hz_cli_uuid_v5(const unsigned char ns[16], const char *name, size_t len,
                   char out[HZ_WIRE_UUID_TEXT_SIZE]);

#endif
