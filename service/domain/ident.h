/* Identifiers of the wire contract the server checks: region codes
 * (statistical division codes) and indicator codes. Syntax only; whether
 * one exists is the database's question. No I/O, no allocation. All take
 * NUL-terminated text and return 0 or -EINVAL. Submission UUIDs are
 * checked by wire/uuid.h, one copy for client and server. */
#ifndef HZ_DOMAIN_IDENT_H
#define HZ_DOMAIN_IDENT_H

/* Region codes: ASCII digits only ("42", "420624", "420624100000"). */
#define HZ_REGION_CODE_MIN_LEN 2
#define HZ_REGION_CODE_MAX_LEN 12

/* Indicator codes: [a-z0-9_.-], starting with a letter ("fai"). */
#define HZ_INDICATOR_CODE_MAX_LEN 64

int hz_region_code_validate(const char *s);

int hz_indicator_code_validate(const char *s);

#endif
