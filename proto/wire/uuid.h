/* UUIDs on the wire: the submission id a client chooses (the idempotency
 * key of SubmitValues) and echoes in later calls. Client and server check
 * the same syntax here, so a CLI never sends what huizongd would refuse
 * and never refuses what it would take.
 *
 * Grammar (RFC 4122 text form, either case):
 *   uuid = 8HEXDIG "-" 4HEXDIG "-" 4HEXDIG "-" 4HEXDIG "-" 12HEXDIG
 * No braces, no "urn:uuid:" prefix, no surrounding blanks. Any version and
 * variant is accepted: the id is opaque, only its form is checked.
 *
 * Errors: 0 or -EINVAL. No I/O, no allocation; NULL is -EINVAL. */
#ifndef HZ_WIRE_UUID_H
#define HZ_WIRE_UUID_H

/* Text form of a UUID: 36 characters and a NUL. */
#define HZ_WIRE_UUID_TEXT_SIZE 37

/* 0 when s (NUL-terminated) is a UUID in the form above. Reads at most
 * HZ_WIRE_UUID_TEXT_SIZE bytes, so an oversized input is refused without
 * scanning all of it. */
int hz_wire_uuid_check(const char *s);

/* Checks s and writes it in lower case, the form that is stored and
 * compared, so "ABC..." and "abc..." name the same submission. out is
 * untouched on error. */
int hz_wire_uuid_normalize(const char *s, char out[HZ_WIRE_UUID_TEXT_SIZE]);

#endif
