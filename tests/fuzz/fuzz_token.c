/* libFuzzer target for the bearer token parser (app/auth.h): the
 * authorization header is read before anything is known about the peer.
 * Acceptance, the id and the secret's hash must agree with an independent
 * reading of the grammar ("Bearer" in any case, spaces, "hz_", 1-18
 * digits with a value above 0, "_", a secret of 16-128 bytes), hashed
 * here through OpenSSL's EVP interface rather than the parser's call; a
 * refusal must leave the outputs alone. */
#include <ctype.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/auth.h"

/* 0 and the id and secret offset, or -1. s is NUL-terminated. */
static int reference_parse(const char *s, int64_t *id, size_t *secret_at) {
  static const char scheme[] = "bearer ";
  size_t i = 0;
  for (; i < sizeof(scheme) - 1; i++)
    if (tolower((unsigned char)s[i]) != scheme[i])
      return -1;
  while (s[i] == ' ')
    i++;
  if (s[i] != 'h' || s[i + 1] != 'z' || s[i + 2] != '_')
    return -1;
  i += 3;
  size_t digits = 0;
  int64_t v = 0;
  while (isdigit((unsigned char)s[i + digits])) {
    if (++digits > 18)
      return -1;
    v = v * 10 + (s[i + digits - 1] - '0');
  }
  if (digits == 0 || s[i + digits] != '_' || v == 0)
    return -1;
  size_t at = i + digits + 1, len = strlen(s + at);
  if (len < 16 || len > 128)
    return -1;
  *id = v;
  *secret_at = at;
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  /* A header value is a C string here: it ends at the first NUL. */
  char *s = malloc(size + 1);
  if (!s)
    return 0;
  memcpy(s, data, size);
  s[size] = '\0';
  int64_t id = -1, want_id = 0;
  uint8_t hash[32], want[32];
  memset(hash, 0x5a, sizeof(hash));
  size_t at = 0;
  int r = hz_token_parse(s, &id, hash);
  int rr = reference_parse(s, &want_id, &at);
  if ((r == 0) != (rr == 0) || (r != 0 && r != -EINVAL))
    abort();
  if (r == 0) {
    unsigned int n = 0;
    if (!EVP_Digest(s + at, strlen(s + at), want, &n, EVP_sha256(), NULL) || n != 32)
      abort();
    if (id != want_id || memcmp(hash, want, 32) != 0)
      abort();
  } else {
    for (size_t k = 0; k < sizeof(hash); k++)
      if (hash[k] != 0x5a)
        abort();
    if (id != -1)
      abort();
  }
  free(s);
  return 0;
}
