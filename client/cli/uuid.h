/* Submission ids: random (version 4) UUIDs in RFC 4122 text form, drawn
 * from OpenSSL's CSPRNG so two townships never collide. */
#ifndef HZ_CLI_UUID_H
#define HZ_CLI_UUID_H

/* Length of the text form plus its NUL. */
#define HZ_UUID_STRLEN 37

/* Writes a new lower-case v4 UUID. Returns 0, or -1 if no randomness. */
int hz_uuid_v4(char out[HZ_UUID_STRLEN]);

/* True for the 8-4-4-4-12 hex text form (any version, either case). */
int hz_uuid_valid(const char *s);

#endif
