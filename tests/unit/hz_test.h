/* A small self-registering unit test framework. Include this header from
 * exactly one .c file per test executable: it defines the registry (which
 * exists only in test binaries), the assertion macros and main().
 *
 *   HZ_TEST(frame_split_byte_by_byte) {
 *     HZ_ASSERT_INT_EQ(decode(...), 0);
 *   }
 *
 * main() runs every test in registration order, or only those named on the
 * command line (`--list` prints the names), and reports in TAP so meson
 * shows one line per test. A failed assertion prints both sides and ends
 * the current test (longjmp, so helpers called from a test may assert
 * too); the other tests still run. Exit status: 0 all passed, 1 a test
 * failed, 2 usage error. */
#ifndef HZ_TEST_H
#define HZ_TEST_H

#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct hz_test_case_s hz_test_case_t;

/* One registered test; the nodes are static objects made by HZ_TEST. */
struct hz_test_case_s {
  const char *name;     /* the identifier given to HZ_TEST */
  void (*fn)(void);     /* the test body */
  hz_test_case_t *next; /* registration order */
  int selected;         /* chosen to run by argv (or by default) */
};

/* Registry and per-run state of this test binary. Constructors run before
 * main, in one thread, so plain statics are enough here. */
typedef struct hz_test_state_s {
  hz_test_case_t *head;  /* first registered test */
  hz_test_case_t **tail; /* where the next registration links in */
  jmp_buf abort_test;    /* where a failed assertion unwinds to */
  int failed;            /* the running test has failed */
  char detail[4096];     /* first failure message of the running test */
  size_t detail_len;     /* bytes used in detail */
} hz_test_state_t;

static hz_test_state_t hz_test_state_;

static inline void hz_test_register_(hz_test_case_t *tc) {
  if (!hz_test_state_.tail)
    hz_test_state_.tail = &hz_test_state_.head;
  *hz_test_state_.tail = tc;
  hz_test_state_.tail = &tc->next;
}

#define HZ_TEST(name)                                                              \
  static void hz_test_fn_##name(void);                                             \
  static hz_test_case_t hz_test_case_##name = {#name, hz_test_fn_##name, NULL, 0}; \
  __attribute__((constructor)) static void hz_test_reg_##name(void) {              \
    hz_test_register_(&hz_test_case_##name);                                       \
  }                                                                                \
  static void hz_test_fn_##name(void)

/* Appends to the failure text (it is printed as TAP diagnostics later,
 * after the test's result line). */
__attribute__((format(printf, 1, 2))) static inline void hz_test_note_(const char *fmt, ...) {
  hz_test_state_t *st = &hz_test_state_;
  size_t room = sizeof(st->detail) - st->detail_len;
  if (room <= 1)
    return;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(st->detail + st->detail_len, room, fmt, ap);
  va_end(ap);
  if (n > 0)
    st->detail_len += (size_t)n < room ? (size_t)n : room - 1;
}

__attribute__((noreturn)) static inline void hz_test_abort_(void) {
  hz_test_state_.failed = 1;
  longjmp(hz_test_state_.abort_test, 1);
}

__attribute__((noreturn)) static inline void hz_test_fail_int_(const char *file, int line,
                                                               const char *ea, const char *eb,
                                                               intmax_t a, intmax_t b) {
  hz_test_note_("%s:%d: expected %s == %s\n  left:  %jd\n  right: %jd\n", file, line, ea, eb, a, b);
  hz_test_abort_();
}

__attribute__((noreturn)) static inline void hz_test_fail_uint_(const char *file, int line,
                                                                const char *ea, const char *eb,
                                                                uintmax_t a, uintmax_t b) {
  hz_test_note_("%s:%d: expected %s == %s\n  left:  %ju\n  right: %ju\n", file, line, ea, eb, a, b);
  hz_test_abort_();
}

static inline void hz_test_check_str_(const char *file, int line, const char *ea, const char *eb,
                                      const char *a, const char *b) {
  if (a && b && strcmp(a, b) == 0)
    return;
  if (!a && !b)
    return;
  hz_test_note_("%s:%d: expected %s == %s\n  left:  %s%s%s\n  right: %s%s%s\n", file, line, ea, eb,
                a ? "\"" : "", a ? a : "NULL", a ? "\"" : "", b ? "\"" : "", b ? b : "NULL",
                b ? "\"" : "");
  hz_test_abort_();
}

/* Prints up to 16 bytes around off as hex, marking the differing byte. */
static inline void hz_test_hex_window_(const char *label, const uint8_t *p, size_t len,
                                       size_t off) {
  size_t from = off > 8 ? off - 8 : 0;
  size_t to = from + 16 < len ? from + 16 : len;
  hz_test_note_("  %s[%zu..%zu):", label, from, to);
  for (size_t i = from; i < to; i++)
    hz_test_note_(i == off ? " [%02x]" : " %02x", p[i]);
  hz_test_note_("\n");
}

static inline void hz_test_check_mem_(const char *file, int line, const char *ea, const char *eb,
                                      const void *a, const void *b, size_t len) {
  const uint8_t *pa = a, *pb = b;
  if (len == 0)
    return;
  if (!pa || !pb) {
    hz_test_note_("%s:%d: expected %s == %s (%zu bytes)\n  %s is NULL\n", file, line, ea, eb, len,
                  !pa ? "left" : "right");
    hz_test_abort_();
  }
  size_t off = 0;
  while (off < len && pa[off] == pb[off])
    off++;
  if (off == len)
    return;
  hz_test_note_("%s:%d: expected %s == %s (%zu bytes), first difference at "
                "offset %zu\n",
                file, line, ea, eb, len, off);
  hz_test_hex_window_("left ", pa, len, off);
  hz_test_hex_window_("right", pb, len, off);
  hz_test_abort_();
}

#define HZ_ASSERT_INT_EQ(a, b)                                     \
  do {                                                             \
    intmax_t hz_a_ = (intmax_t)(a), hz_b_ = (intmax_t)(b);         \
    if (hz_a_ != hz_b_)                                            \
      hz_test_fail_int_(__FILE__, __LINE__, #a, #b, hz_a_, hz_b_); \
  } while (0)

/* For sizes and uint64_t values that may not fit intmax_t. */
#define HZ_ASSERT_UINT_EQ(a, b)                                     \
  do {                                                              \
    uintmax_t hz_a_ = (uintmax_t)(a), hz_b_ = (uintmax_t)(b);       \
    if (hz_a_ != hz_b_)                                             \
      hz_test_fail_uint_(__FILE__, __LINE__, #a, #b, hz_a_, hz_b_); \
  } while (0)

#define HZ_ASSERT_STR_EQ(a, b) hz_test_check_str_(__FILE__, __LINE__, #a, #b, (a), (b))

#define HZ_ASSERT_MEM_EQ(a, b, len) hz_test_check_mem_(__FILE__, __LINE__, #a, #b, (a), (b), (len))

#define HZ_ASSERT_TRUE(cond)                                                  \
  do {                                                                        \
    if (!(cond)) {                                                            \
      hz_test_note_("%s:%d: expected true: %s\n", __FILE__, __LINE__, #cond); \
      hz_test_abort_();                                                       \
    }                                                                         \
  } while (0)

#define HZ_ASSERT_FALSE(cond)                                                  \
  do {                                                                         \
    if (cond) {                                                                \
      hz_test_note_("%s:%d: expected false: %s\n", __FILE__, __LINE__, #cond); \
      hz_test_abort_();                                                        \
    }                                                                          \
  } while (0)

/* Marks tests named on the command line; returns -1 for an unknown name. */
static inline int hz_test_select_(int argc, char **argv) {
  hz_test_case_t *tc;
  if (argc < 2) {
    for (tc = hz_test_state_.head; tc; tc = tc->next)
      tc->selected = 1;
    return 0;
  }
  for (int i = 1; i < argc; i++) {
    int found = 0;
    for (tc = hz_test_state_.head; tc; tc = tc->next) {
      if (strcmp(tc->name, argv[i]) == 0) {
        tc->selected = 1;
        found = 1;
      }
    }
    if (!found) {
      fprintf(stderr, "%s: no test named %s (try --list)\n", argv[0], argv[i]);
      return -1;
    }
  }
  return 0;
}

/* Prints the buffered failure text as TAP diagnostics ("# " per line). */
static inline void hz_test_print_detail_(void) {
  const char *p = hz_test_state_.detail;
  while (*p) {
    const char *nl = strchr(p, '\n');
    size_t n = nl ? (size_t)(nl - p) : strlen(p);
    printf("# %.*s\n", (int)n, p);
    p += n + (nl ? 1 : 0);
  }
}

static inline double hz_test_now_ms_(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Runs one test; volatile keeps the start time valid across longjmp. */
static inline int hz_test_run_one_(hz_test_case_t *tc, int number) {
  hz_test_state_t *st = &hz_test_state_;
  volatile double start = hz_test_now_ms_();
  st->failed = 0;
  st->detail_len = 0;
  st->detail[0] = '\0';
  if (setjmp(st->abort_test) == 0)
    tc->fn();
  double ms = hz_test_now_ms_() - start;
  printf("%s %d - %s (%.1f ms)\n", st->failed ? "not ok" : "ok", number, tc->name, ms);
  if (st->failed)
    hz_test_print_detail_();
  fflush(stdout);
  return st->failed;
}

int main(int argc, char **argv) {
  hz_test_case_t *tc;
  if (argc == 2 && strcmp(argv[1], "--list") == 0) {
    for (tc = hz_test_state_.head; tc; tc = tc->next)
      printf("%s\n", tc->name);
    return 0;
  }
  if (hz_test_select_(argc, argv) < 0)
    return 2;
  int planned = 0, number = 0, failures = 0;
  for (tc = hz_test_state_.head; tc; tc = tc->next)
    planned += tc->selected;
  printf("1..%d\n", planned);
  fflush(stdout);
  for (tc = hz_test_state_.head; tc; tc = tc->next)
    if (tc->selected)
      failures += hz_test_run_one_(tc, ++number);
  printf("# %d passed, %d failed\n", planned - failures, failures);
  return failures ? 1 : 0;
}

#endif
