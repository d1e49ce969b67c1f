/* Validation-rule expressions (审核公式, issue 12): the parser that turns
 * the text an administrator writes into the compiled form the database
 * evaluates, and the check of a rule's message template. Pure C: no I/O,
 * no allocation.
 *
 * Grammar (whitespace is spaces and tabs between tokens):
 *
 *   expr    := term (('+' | '-') term)*
 *   term    := unary (('*' | '/') unary)*
 *   unary   := '-' unary | primary
 *   primary := DECIMAL | CODE | '(' expr ')' | 'abs' '(' expr ')'
 *            | 'prev_year' '(' CODE ')' | 'prev_period' '(' CODE ')'
 *            | 'ytd' '(' CODE ')'
 *   DECIMAL := digit+ ('.' digit+)?      at most 20 integer and 6 fraction
 *                                        digits, like a submitted value
 *   CODE    := [a-z][a-z0-9_.-]*         an indicator code (ident.h)
 *
 * Codes are read greedily, '-' included (indicator codes may contain
 * it): "a-b" is the code a-b, "a - b" a difference. A name followed by
 * '(' is a function; abs, prev_year, prev_period and ytd are the only
 * ones. Operators of one level associate to the left (a - b - c is
 * (a - b) - c); unary minus binds tighter than '*'.
 *
 * Compiled form: reverse Polish notation, tokens separated by one space,
 * operands in source order (so the first code of the text is the first
 * code of the form):
 *   #DEC            a constant, normalised ("#4.9")
 *   v:CODE          the indicator's value in the report's period
 *   py:CODE         prev_year(CODE): the same period a year earlier
 *   pp:CODE         prev_period(CODE): the period before
 *   ytd:CODE        ytd(CODE): year to date (RollupRow.ytd's window)
 *   + - * /         binary operators
 *   neg abs         unary operators
 * The database evaluates this form (migration 014, hz_rule_rpn_eval), the
 * one definition of the arithmetic, of missing operands and of division
 * by zero; this parser only decides what is well formed.
 *
 * Why bounds: expressions come from the network (Admin.ImportRules), and
 * the database evaluates them at every submission. */
#ifndef HZ_DOMAIN_RULE_EXPR_H
#define HZ_DOMAIN_RULE_EXPR_H

#include <stddef.h>

#define HZ_RULE_EXPR_MAX_LEN   500 /* bytes of one expression */
#define HZ_RULE_EXPR_MAX_DEPTH 32  /* nesting: parentheses, functions, unary minus */
#define HZ_RULE_EXPR_MAX_NODES 64  /* tokens of the compiled form */

/* Room for any compiled form: every node a function of a longest code
 * ("ytd:" + 64 bytes + a space). */
#define HZ_RULE_RPN_BUFSIZE (HZ_RULE_EXPR_MAX_NODES * 70 + 1)

/* Longest message template, in bytes. */
#define HZ_RULE_TEMPLATE_MAX_LEN 500

/* Why an expression or template was refused. */
typedef struct hz_rule_error_s {
  int pos;       /* 1-based byte position of the offending token (0: the whole text) */
  char why[160]; /* e.g. "expected an indicator code, a number, '(' or a function, found ')'" */
} hz_rule_error_t;

/* Parses src (len bytes, no NUL needed) and writes its compiled form,
 * NUL-terminated, to rpn (HZ_RULE_RPN_BUFSIZE bytes always suffice).
 * Returns 0; -EINVAL for a syntax error, -E2BIG past a bound (length,
 * depth, nodes), both with *err filled ("at position N: ..." is the
 * caller's to write from err->pos); -ENOSPC when rpn is too small. */
int hz_rule_expr_compile(const char *src, size_t len, char *rpn, size_t rpn_size,
                         hz_rule_error_t *err);

/* Checks a message template: text with placeholders {left}, {right},
 * {name} and {CODE} (an indicator's value in the report), '{' always
 * opening one. Writes the indicator codes it names, space-separated and
 * NUL-terminated, to codes (empty when none; HZ_RULE_TEMPLATE_MAX_LEN + 1
 * bytes suffice). Returns 0, -EINVAL (unclosed or malformed placeholder;
 * *err names it) or -E2BIG (too long), -ENOSPC when codes is too small. */
int hz_rule_template_check(const char *tmpl, char *codes, size_t codes_size, hz_rule_error_t *err);

#endif
