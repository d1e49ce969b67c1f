/* Unit tests for validation-rule expressions (domain/rule_expr.h): the
 * compiled form of precedence, associativity, unary minus and functions;
 * errors naming the position and what was expected; the bounds; message
 * templates. The evaluation (exact arithmetic, missing operands, division
 * by zero, tolerance, operators) is the database's, tested through
 * hz_rule_violations in tests/integration/test_rules.py. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "domain/rule_expr.h"
#include "hz_test.h"

/* Compiles src and checks its form. */
static void compiles(const char *src, const char *want) {
  char rpn[HZ_RULE_RPN_BUFSIZE];
  hz_rule_error_t err;
  int rc = hz_rule_expr_compile(src, strlen(src), rpn, sizeof(rpn), &err);
  if (rc != 0)
    hz_test_note_("input \"%s\": at %d: %s\n", src, err.pos, err.why);
  HZ_ASSERT_INT_EQ(rc, 0);
  HZ_ASSERT_STR_EQ(rpn, want);
}

/* Refuses src with rc at pos, the reason containing part. */
static void refuses(const char *src, int rc, int pos, const char *part) {
  char rpn[HZ_RULE_RPN_BUFSIZE];
  hz_rule_error_t err;
  int got = hz_rule_expr_compile(src, strlen(src), rpn, sizeof(rpn), &err);
  if (got != rc || err.pos != pos || !strstr(err.why, part))
    hz_test_note_("input \"%s\": rc %d at %d: %s\n", src, got, err.pos, err.why);
  HZ_ASSERT_INT_EQ(got, rc);
  HZ_ASSERT_INT_EQ(err.pos, pos);
  HZ_ASSERT_TRUE(strstr(err.why, part) != NULL);
}

HZ_TEST(operands) {
  compiles("fai", "v:fai");
  compiles("  4.90 ", "#4.9");
  compiles("007", "#7");
  compiles("debt_resolved", "v:debt_resolved");
  compiles("a.b", "v:a.b");
  compiles("a-b", "v:a-b"); /* codes are greedy: a code may contain '-' */
}

HZ_TEST(precedence) {
  compiles("a + b * c", "v:a v:b v:c * +");
  compiles("a * b + c", "v:a v:b * v:c +");
  compiles("(a + b) * c", "v:a v:b + v:c *");
  compiles("a / b - c / d", "v:a v:b / v:c v:d / -");
}

HZ_TEST(associativity) {
  compiles("a - b - c", "v:a v:b - v:c -");
  compiles("a / b / c", "v:a v:b / v:c /");
  compiles("a - (b - c)", "v:a v:b v:c - -");
  compiles("a-b - c", "v:a-b v:c -");
}

HZ_TEST(unary_minus) {
  compiles("-a", "v:a neg");
  compiles("--a", "v:a neg neg");
  compiles("-a * b", "v:a neg v:b *");
  compiles("a * -b", "v:a v:b neg *");
  compiles("a - -1", "v:a #1 neg -");
  compiles("-(a + b)", "v:a v:b + neg");
}

HZ_TEST(functions) {
  compiles("abs(a - b)", "v:a v:b - abs");
  compiles("prev_year(fai)", "py:fai");
  compiles("prev_period( fai )", "pp:fai");
  compiles("ytd(fai) - prev_period(fai) * 1.5", "ytd:fai pp:fai #1.5 * -");
  compiles("abs (fai)", "v:fai abs");
  compiles("(fai - prev_year(fai)) / prev_year(fai) * 100", "v:fai py:fai - py:fai / #100 *");
  compiles("ytd", "v:ytd"); /* a name without '(' is an indicator */
}

HZ_TEST(errors_name_position_and_expectation) {
  refuses("", -EINVAL, 1, "empty expression");
  refuses("   ", -EINVAL, 4, "empty expression");
  refuses("a +", -EINVAL, 4,
          "expected an indicator code, a number, '(' or a function, found the end");
  refuses("a + )", -EINVAL, 5, "found ')'");
  refuses("(a + b", -EINVAL, 7, "expected ')'");
  refuses("a b", -EINVAL, 3, "expected an operator or the end, found 'b'");
  refuses("1.", -EINVAL, 3, "expected a digit after '.'");
  refuses("1.1234567", -EINVAL, 1, "malformed number");
  refuses("sqrt(a)", -EINVAL, 1, "unknown function sqrt(");
  refuses("prev_year(1)", -EINVAL, 11, "prev_year takes an indicator code, found '1'");
  refuses("ytd(a + b)", -EINVAL, 7, "')' closing the indicator code");
  refuses("a * Fai", -EINVAL, 5, "found 'F'");
  refuses("a \x01", -EINVAL, 3, "byte 0x01");
  refuses("abs(a", -EINVAL, 6, "')' closing abs(");
}

HZ_TEST(limits) {
  char src[HZ_RULE_EXPR_MAX_LEN + 2];
  memset(src, ' ', sizeof(src));
  src[0] = 'a';

  {
    char rpn[HZ_RULE_RPN_BUFSIZE];
    hz_rule_error_t err;
    HZ_ASSERT_INT_EQ(hz_rule_expr_compile(src, HZ_RULE_EXPR_MAX_LEN + 1, rpn, sizeof(rpn), &err),
                     -E2BIG);
    HZ_ASSERT_INT_EQ(hz_rule_expr_compile(src, HZ_RULE_EXPR_MAX_LEN, rpn, sizeof(rpn), &err), 0);
  }
  /* 33 parentheses deep: too deep; 10 is fine. */
  char deep[128] = "";
  for (int i = 0; i < 40; i++)
    strcat(deep, "(");
  strcat(deep, "a");
  refuses(deep, -E2BIG, 17, "nested deeper than 32");
  compiles("((((((((((a))))))))))", "v:a");
  /* 65 tokens: too many; 63 fine. */
  char many[512] = "a";
  for (int i = 0; i < 31; i++)
    strcat(many, "+a");
  compiles(many, "v:a v:a + v:a + v:a + v:a + v:a + v:a + v:a + v:a + v:a + v:a + v:a + v:a + "
                 "v:a + v:a + v:a + v:a + v:a + v:a + v:a + v:a + v:a + v:a + v:a + v:a + v:a + "
                 "v:a + v:a + v:a + v:a + v:a + v:a +");
  strcat(many, "+a");
  refuses(many, -E2BIG, 66, "more than 64 operands and operators");
  char code[80] = "";
  memset(code, 'a', 65);
  code[65] = '\0';
  refuses(code, -EINVAL, 1, "longer than 64");
  char tiny[4];
  HZ_ASSERT_INT_EQ(hz_rule_expr_compile("abc", 3, tiny, sizeof(tiny), NULL), -ENOSPC);
  HZ_ASSERT_INT_EQ(hz_rule_expr_compile(NULL, 0, tiny, sizeof(tiny), NULL), -EINVAL);
}

HZ_TEST(templates) {
  char codes[HZ_RULE_TEMPLATE_MAX_LEN + 1];
  hz_rule_error_t err;
  HZ_ASSERT_INT_EQ(
      hz_rule_template_check("已化解债务 {left} 超过锁定债务 {right}", codes, sizeof(codes), &err),
      0);
  HZ_ASSERT_STR_EQ(codes, "");
  HZ_ASSERT_INT_EQ(
      hz_rule_template_check("{name}: fai {fai}, debt {debt_locked}", codes, sizeof(codes), &err),
      0);
  HZ_ASSERT_STR_EQ(codes, "fai debt_locked");
  HZ_ASSERT_INT_EQ(hz_rule_template_check("plain", codes, sizeof(codes), &err), 0);
  HZ_ASSERT_INT_EQ(hz_rule_template_check("x {left", codes, sizeof(codes), &err), -EINVAL);
  HZ_ASSERT_INT_EQ(err.pos, 3);
  HZ_ASSERT_INT_EQ(hz_rule_template_check("x {} y", codes, sizeof(codes), &err), -EINVAL);
  HZ_ASSERT_INT_EQ(hz_rule_template_check("{Left}", codes, sizeof(codes), &err), -EINVAL);
  HZ_ASSERT_TRUE(strstr(err.why, "{left}, {right}, {name} or {CODE}") != NULL);
  HZ_ASSERT_INT_EQ(hz_rule_template_check("a } b", codes, sizeof(codes), &err), -EINVAL);
  HZ_ASSERT_INT_EQ(err.pos, 3);
}
