/* Identifiers of the wire contract: client-chosen submission UUIDs, region
 * codes (statistical division codes) and indicator codes. Syntax only;
 * whether one exists is the database's question. No I/O, no allocation.
 * All take NUL-terminated text and return 0 or -EINVAL. */
#ifndef HZ_DOMAIN_IDENT_H
#define HZ_DOMAIN_IDENT_H

/* Text form of a UUID: 36 characters and a NUL. */
#define HZ_UUID_TEXT_SIZE 37

/* Region codes: ASCII digits only ("42", "420624", "420624100000"). */
#define HZ_REGION_CODE_MIN_LEN 2
#define HZ_REGION_CODE_MAX_LEN 12

/* Indicator codes: [a-z0-9_.-], starting with a letter ("fai"). */
#define HZ_INDICATOR_CODE_MAX_LEN 64

/* RFC 4122 text form 8-4-4-4-12 hex digits, either case; no braces, no
 * "urn:uuid:" prefix. Any version and variant is accepted: the id is
 * opaque, only its form is checked. */
int hz_uuid_validate(const char *s);

/* Validates s and writes it in lower case, the form that is stored and
 * compared, so "ABC..." and "abc..." are the same submission. */
int hz_uuid_normalize(const char *s, char out[HZ_UUID_TEXT_SIZE]);

int hz_region_code_validate(const char *s);

int hz_indicator_code_validate(const char *s);

#endif
