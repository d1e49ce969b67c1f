/* libFuzzer target for validation-rule expressions and message templates
 * (domain/rule_expr.h): both arrive from the network in
 * Admin.ImportRules. Whatever the bytes, the parser must return one of its
 * documented codes; an accepted expression's compiled form must be
 * well-formed reverse Polish notation (every operator has its operands,
 * one value remains) within the node bound; a refusal names a position
 * inside the text. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/rule_expr.h"

/* Stack depth of the compiled form: must end at exactly one value. */
static void check_rpn(const char *rpn) {
  int stack = 0, nodes = 0;
  const char *t = rpn;
  while (*t) {
    const char *end = strchr(t, ' ');
    size_t n = end ? (size_t)(end - t) : strlen(t);
    if (n == 0)
      abort();
    nodes++;
    if ((n == 1 && strchr("+-*/", t[0])))
      stack -= 1, stack < 1 ? abort() : (void)0;
    else if ((n == 3 && memcmp(t, "neg", 3) == 0) || (n == 3 && memcmp(t, "abs", 3) == 0))
      stack < 1 ? abort() : (void)0;
    else if (t[0] == '#' || memcmp(t, "v:", 2) == 0 || memcmp(t, "py:", 3) == 0 ||
             memcmp(t, "pp:", 3) == 0 || memcmp(t, "ytd:", 4) == 0)
      stack++;
    else
      abort();
    t += n;
    if (*t == ' ')
      t++;
  }
  if (stack != 1 || nodes > HZ_RULE_EXPR_MAX_NODES)
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char rpn[HZ_RULE_RPN_BUFSIZE];
  hz_rule_error_t err;
  int rc = hz_rule_expr_compile((const char *)data, size, rpn, sizeof(rpn), &err);
  if (rc == 0)
    check_rpn(rpn);
  else if (rc != -EINVAL && rc != -E2BIG)
    abort();
  else if (err.pos < 1 || (size_t)err.pos > size + 1 || err.why[0] == '\0')
    abort();
  char *z = malloc(size + 1);
  if (!z)
    abort();
  memcpy(z, data, size);
  z[size] = '\0';
  char codes[HZ_RULE_TEMPLATE_MAX_LEN + 1];
  rc = hz_rule_template_check(z, codes, sizeof(codes), &err);
  if (rc != 0 && rc != -EINVAL && rc != -E2BIG)
    abort();
  if (rc == 0 && strlen(codes) > strlen(z))
    abort();
  free(z);
  return 0;
}
