/* Submission ids: random (version 4) UUIDs in RFC 4122 text form, drawn
 * from OpenSSL's CSPRNG so two townships never collide. Checking an id a
 * user typed is wire/uuid.h's job, shared with huizongd. */
#ifndef HZ_CLI_UUID_H
#define HZ_CLI_UUID_H

#include "wire/uuid.h"

/* Writes a new lower-case v4 UUID. Returns 0, or -1 if no randomness. */
int hz_cli_uuid_v4(char out[HZ_WIRE_UUID_TEXT_SIZE]);

#endif
