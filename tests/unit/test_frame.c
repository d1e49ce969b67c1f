/* Unit tests for the gRPC length-prefix decoder and encoder (wire/frame.h):
 * messages split anywhere across DATA frames, several per frame, empty
 * messages, the receive limit, the flag byte and callback stops. */
#include "hz_test.h"
#include "wire/frame.h"

#define MAX_MSGS  64
#define MAX_BYTES 16384

/* Copies of every message the decoder delivered, in order. */
typedef struct collector_s {
  size_t count;            /* messages delivered */
  size_t lens[MAX_MSGS];   /* length of each */
  size_t offs[MAX_MSGS];   /* where each starts in data */
  uint8_t data[MAX_BYTES]; /* concatenated bodies */
  size_t used;             /* bytes used in data */
  size_t stop_after;       /* ask the decoder to stop after this many; 0 never */
} collector_t;

static int collect(void *ud, const uint8_t *msg, size_t len) {
  collector_t *c = ud;
  HZ_ASSERT_TRUE(c->count < MAX_MSGS);
  HZ_ASSERT_TRUE(c->used + len <= MAX_BYTES);
  if (len > 0)
    memcpy(c->data + c->used, msg, len);
  c->lens[c->count] = len;
  c->offs[c->count] = c->used;
  c->used += len;
  c->count++;
  return c->stop_after != 0 && c->count >= c->stop_after;
}

/* Appends one uncompressed framed message to buf at *n. */
static void put_message(uint8_t *buf, size_t *n, const void *body, size_t len) {
  hz_frame_prefix(buf + *n, len);
  *n += HZ_FRAME_PREFIX_LEN;
  if (len > 0)
    memcpy(buf + *n, body, len);
  *n += len;
}

/* Fills body with a pattern that differs per message, so that mixed-up or
 * stale bytes show in comparisons. */
static void fill_pattern(uint8_t *body, size_t len, uint8_t seed) {
  for (size_t i = 0; i < len; i++)
    body[i] = (uint8_t)(seed + i * 7);
}

static void assert_message(const collector_t *c, size_t i, const void *body, size_t len) {
  HZ_ASSERT_TRUE(i < c->count);
  HZ_ASSERT_UINT_EQ(c->lens[i], len);
  HZ_ASSERT_MEM_EQ(c->data + c->offs[i], body, len);
}

/* Three messages (300 bytes, empty, 17 bytes) used by the split tests. */
typedef struct sample_s {
  uint8_t wire[512]; /* the framed bytes */
  size_t wire_len;   /* how many */
  uint8_t a[300];    /* first body */
  uint8_t c[17];     /* third body */
} sample_t;

static void make_sample(sample_t *s) {
  fill_pattern(s->a, sizeof(s->a), 1);
  fill_pattern(s->c, sizeof(s->c), 99);
  s->wire_len = 0;
  put_message(s->wire, &s->wire_len, s->a, sizeof(s->a));
  put_message(s->wire, &s->wire_len, NULL, 0);
  put_message(s->wire, &s->wire_len, s->c, sizeof(s->c));
}

static void assert_sample(const collector_t *c, const sample_t *s) {
  HZ_ASSERT_UINT_EQ(c->count, 3);
  assert_message(c, 0, s->a, sizeof(s->a));
  assert_message(c, 1, NULL, 0);
  assert_message(c, 2, s->c, sizeof(s->c));
}

HZ_TEST(prefix_encoding) {
  uint8_t p[HZ_FRAME_PREFIX_LEN];
  hz_frame_prefix(p, 0);
  HZ_ASSERT_MEM_EQ(p, "\x00\x00\x00\x00\x00", 5);
  hz_frame_prefix(p, 1);
  HZ_ASSERT_MEM_EQ(p, "\x00\x00\x00\x00\x01", 5);
  hz_frame_prefix(p, 0x01020304u);
  HZ_ASSERT_MEM_EQ(p, "\x00\x01\x02\x03\x04", 5);
  hz_frame_prefix(p, 0xFFFFFFFFu);
  HZ_ASSERT_MEM_EQ(p, "\x00\xff\xff\xff\xff", 5);
}

HZ_TEST(single_message_one_chunk) {
  hz_frame_decoder_t d;
  collector_t c = {0};
  hz_frame_decoder_init(&d, 1024);
  HZ_ASSERT_INT_EQ(hz_frame_decoder_feed(&d, (const uint8_t *)"\0\0\0\0\x05hello", 10, collect, &c),
                   0);
  HZ_ASSERT_UINT_EQ(c.count, 1);
  assert_message(&c, 0, "hello", 5);
  HZ_ASSERT_TRUE(hz_frame_decoder_idle(&d));
  hz_frame_decoder_free(&d);
}

HZ_TEST(several_messages_in_one_chunk) {
  sample_t s;
  collector_t c = {0};
  hz_frame_decoder_t d;
  make_sample(&s);
  hz_frame_decoder_init(&d, 1024);
  HZ_ASSERT_INT_EQ(hz_frame_decoder_feed(&d, s.wire, s.wire_len, collect, &c), 0);
  assert_sample(&c, &s);
  HZ_ASSERT_TRUE(hz_frame_decoder_idle(&d));
  hz_frame_decoder_free(&d);
}

HZ_TEST(split_byte_by_byte) {
  sample_t s;
  collector_t c = {0};
  hz_frame_decoder_t d;
  make_sample(&s);
  hz_frame_decoder_init(&d, 1024);
  for (size_t i = 0; i < s.wire_len; i++)
    HZ_ASSERT_INT_EQ(hz_frame_decoder_feed(&d, s.wire + i, 1, collect, &c), 0);
  assert_sample(&c, &s);
  HZ_ASSERT_TRUE(hz_frame_decoder_idle(&d));
  hz_frame_decoder_free(&d);
}

/* Every way of cutting the sample into three chunks gives the same result. */
HZ_TEST(every_three_way_split) {
  sample_t s;
  make_sample(&s);
  for (size_t i = 0; i <= s.wire_len; i++) {
    for (size_t j = i; j <= s.wire_len; j += 3) {
      collector_t c = {0};
      hz_frame_decoder_t d;
      hz_frame_decoder_init(&d, 1024);
      HZ_ASSERT_INT_EQ(hz_frame_decoder_feed(&d, s.wire, i, collect, &c), 0);
      HZ_ASSERT_INT_EQ(hz_frame_decoder_feed(&d, s.wire + i, j - i, collect, &c), 0);
      HZ_ASSERT_INT_EQ(hz_frame_decoder_feed(&d, s.wire + j, s.wire_len - j, collect, &c), 0);
      assert_sample(&c, &s);
      HZ_ASSERT_TRUE(hz_frame_decoder_idle(&d));
      hz_frame_decoder_free(&d);
    }
  }
}

HZ_TEST(zero_length_messages) {
  static const uint8_t wire[15] = {0};
  collector_t c = {0};
  hz_frame_decoder_t d;
  hz_frame_decoder_init(&d, 1024);
  HZ_ASSERT_INT_EQ(hz_frame_decoder_feed(&d, wire, sizeof(wire), collect, &c), 0);
  HZ_ASSERT_UINT_EQ(c.count, 3);
  for (size_t i = 0; i < 3; i++)
    HZ_ASSERT_UINT_EQ(c.lens[i], 0);
  HZ_ASSERT_TRUE(hz_frame_decoder_idle(&d));
  hz_frame_decoder_free(&d);
}

HZ_TEST(zero_limit_accepts_only_empty_messages) {
  collector_t c = {0};
  hz_frame_decoder_t d;
  hz_frame_decoder_init(&d, 0);
  HZ_ASSERT_INT_EQ(hz_frame_decoder_feed(&d, (const uint8_t *)"\0\0\0\0\0", 5, collect, &c), 0);
  HZ_ASSERT_UINT_EQ(c.count, 1);
  HZ_ASSERT_INT_EQ(hz_frame_decoder_feed(&d, (const uint8_t *)"\0\0\0\0\x01x", 6, collect, &c),
                   HZ_FRAME_ETOOBIG);
  HZ_ASSERT_UINT_EQ(c.count, 1);
  hz_frame_decoder_free(&d);
}

/* The prefix itself may be cut at any of its four inner points. */
HZ_TEST(prefix_split_across_chunks) {
  uint8_t wire[5 + 3];
  size_t n = 0;
  put_message(wire, &n, "abc", 3);
  for (size_t cut = 1; cut < HZ_FRAME_PREFIX_LEN; cut++) {
    collector_t c = {0};
    hz_frame_decoder_t d;
    hz_frame_decoder_init(&d, 1024);
    HZ_ASSERT_INT_EQ(hz_frame_decoder_feed(&d, wire, cut, collect, &c), 0);
    HZ_ASSERT_UINT_EQ(c.count, 0);
    HZ_ASSERT_FALSE(hz_frame_decoder_idle(&d));
    HZ_ASSERT_INT_EQ(hz_frame_decoder_feed(&d, wire + cut, HZ_FRAME_PREFIX_LEN - cut, collect, &c),
                     0);
    HZ_ASSERT_UINT_EQ(c.count, 0);
    HZ_ASSERT_FALSE(hz_frame_decoder_idle(&d));
    HZ_ASSERT_INT_EQ(hz_frame_decoder_feed(&d, wire + 5, 3, collect, &c), 0);
    HZ_ASSERT_UINT_EQ(c.count, 1);
    assert_message(&c, 0, "abc", 3);
    HZ_ASSERT_TRUE(hz_frame_decoder_idle(&d));
    hz_frame_decoder_free(&d);
  }
}

HZ_TEST(idle_only_between_messages) {
  uint8_t wire[5 + 4];
  size_t n = 0;
  collector_t c = {0};
  hz_frame_decoder_t d;
  put_message(wire, &n, "wxyz", 4);
  hz_frame_decoder_init(&d, 1024);
  HZ_ASSERT_TRUE(hz_frame_decoder_idle(&d));
  HZ_ASSERT_INT_EQ(hz_frame_decoder_feed(&d, wire, 0, collect, &c), 0);
  HZ_ASSERT_TRUE(hz_frame_decoder_idle(&d));
  HZ_ASSERT_INT_EQ(hz_frame_decoder_feed(&d, wire, 5, collect, &c), 0);
  HZ_ASSERT_FALSE(hz_frame_decoder_idle(&d));
  HZ_ASSERT_INT_EQ(hz_frame_decoder_feed(&d, wire + 5, 3, collect, &c), 0);
  HZ_ASSERT_FALSE(hz_frame_decoder_idle(&d));
  HZ_ASSERT_UINT_EQ(c.count, 0);
  HZ_ASSERT_INT_EQ(hz_frame_decoder_feed(&d, wire + 8, 1, collect, &c), 0);
  HZ_ASSERT_TRUE(hz_frame_decoder_idle(&d));
  assert_message(&c, 0, "wxyz", 4);
  hz_frame_decoder_free(&d);
}

HZ_TEST(exactly_at_limit_is_accepted) {
  uint8_t body[100], wire[105];
  size_t n = 0;
  collector_t c = {0};
  hz_frame_decoder_t d;
  fill_pattern(body, sizeof(body), 5);
  put_message(wire, &n, body, sizeof(body));
  hz_frame_decoder_init(&d, sizeof(body));
  /* Split so the body goes through the decoder's own buffer. */
  HZ_ASSERT_INT_EQ(hz_frame_decoder_feed(&d, wire, 50, collect, &c), 0);
  HZ_ASSERT_INT_EQ(hz_frame_decoder_feed(&d, wire + 50, n - 50, collect, &c), 0);
  HZ_ASSERT_UINT_EQ(c.count, 1);
  assert_message(&c, 0, body, sizeof(body));
  hz_frame_decoder_free(&d);
}

HZ_TEST(one_over_limit_fails_before_allocating) {
  uint8_t prefix[HZ_FRAME_PREFIX_LEN];
  collector_t c = {0};
  hz_frame_decoder_t d;
  hz_frame_prefix(prefix, 101);
  hz_frame_decoder_init(&d, 100);
  HZ_ASSERT_INT_EQ(hz_frame_decoder_feed(&d, prefix, sizeof(prefix), collect, &c),
                   HZ_FRAME_ETOOBIG);
  HZ_ASSERT_UINT_EQ(d.declared_len, 101);
  HZ_ASSERT_TRUE(d.buf == NULL);
  HZ_ASSERT_UINT_EQ(d.buf_cap, 0);
  HZ_ASSERT_UINT_EQ(c.count, 0);
  hz_frame_decoder_free(&d);
}

/* A peer announcing 4 GiB must not make us allocate it. */
HZ_TEST(huge_declared_length_fails_before_allocating) {
  collector_t c = {0};
  hz_frame_decoder_t d;
  hz_frame_decoder_init(&d, 4u << 20);
  HZ_ASSERT_INT_EQ(hz_frame_decoder_feed(&d, (const uint8_t *)"\0\xff\xff\xff\xff", 5, collect, &c),
                   HZ_FRAME_ETOOBIG);
  HZ_ASSERT_UINT_EQ(d.declared_len, 0xFFFFFFFFu);
  HZ_ASSERT_TRUE(d.buf == NULL);
  hz_frame_decoder_free(&d);
}

HZ_TEST(too_big_after_good_messages) {
  uint8_t wire[64];
  size_t n = 0;
  collector_t c = {0};
  hz_frame_decoder_t d;
  put_message(wire, &n, "ok", 2);
  hz_frame_prefix(wire + n, 11);
  n += 5;
  hz_frame_decoder_init(&d, 10);
  HZ_ASSERT_INT_EQ(hz_frame_decoder_feed(&d, wire, n, collect, &c), HZ_FRAME_ETOOBIG);
  HZ_ASSERT_UINT_EQ(c.count, 1);
  assert_message(&c, 0, "ok", 2);
  HZ_ASSERT_UINT_EQ(d.declared_len, 11);
  hz_frame_decoder_free(&d);
}

HZ_TEST(compressed_flag_is_rejected) {
  collector_t c = {0};
  hz_frame_decoder_t d;
  hz_frame_decoder_init(&d, 1024);
  HZ_ASSERT_INT_EQ(hz_frame_decoder_feed(&d, (const uint8_t *)"\x01\0\0\0\x03xyz", 8, collect, &c),
                   HZ_FRAME_ECOMPRESSED);
  HZ_ASSERT_UINT_EQ(c.count, 0);
  hz_frame_decoder_free(&d);

  /* Even an empty compressed message, and one split inside the prefix. */
  collector_t c2 = {0};
  hz_frame_decoder_init(&d, 1024);
  HZ_ASSERT_INT_EQ(hz_frame_decoder_feed(&d, (const uint8_t *)"\x01\0", 2, collect, &c2), 0);
  HZ_ASSERT_INT_EQ(hz_frame_decoder_feed(&d, (const uint8_t *)"\0\0\0", 3, collect, &c2),
                   HZ_FRAME_ECOMPRESSED);
  HZ_ASSERT_UINT_EQ(c2.count, 0);
  hz_frame_decoder_free(&d);
}

HZ_TEST(compressed_flag_wins_over_size_limit) {
  collector_t c = {0};
  hz_frame_decoder_t d;
  hz_frame_decoder_init(&d, 10);
  HZ_ASSERT_INT_EQ(hz_frame_decoder_feed(&d, (const uint8_t *)"\x01\0\0\x10\0", 5, collect, &c),
                   HZ_FRAME_ECOMPRESSED);
  HZ_ASSERT_TRUE(d.buf == NULL);
  hz_frame_decoder_free(&d);
}

HZ_TEST(bad_flag_is_rejected) {
  static const uint8_t flags[] = {0x02, 0x03, 0x80, 0xff};
  for (size_t i = 0; i < sizeof(flags); i++) {
    uint8_t wire[6] = {flags[i], 0, 0, 0, 1, 'x'};
    collector_t c = {0};
    hz_frame_decoder_t d;
    hz_frame_decoder_init(&d, 1024);
    HZ_ASSERT_INT_EQ(hz_frame_decoder_feed(&d, wire, sizeof(wire), collect, &c), HZ_FRAME_EFLAG);
    HZ_ASSERT_UINT_EQ(c.count, 0);
    hz_frame_decoder_free(&d);
  }
}

HZ_TEST(callback_stop_ends_feed) {
  sample_t s;
  collector_t c = {0};
  hz_frame_decoder_t d;
  make_sample(&s);
  c.stop_after = 1;
  hz_frame_decoder_init(&d, 1024);
  HZ_ASSERT_INT_EQ(hz_frame_decoder_feed(&d, s.wire, s.wire_len, collect, &c), HZ_FRAME_ECALLBACK);
  HZ_ASSERT_UINT_EQ(c.count, 1);
  assert_message(&c, 0, s.a, sizeof(s.a));
  hz_frame_decoder_free(&d);
}

/* A stop requested on a message assembled in the decoder's buffer (the
 * split path) and on an empty message behaves the same. */
HZ_TEST(callback_stop_on_buffered_and_empty_messages) {
  sample_t s;
  make_sample(&s);
  collector_t c = {0};
  hz_frame_decoder_t d;
  c.stop_after = 1;
  hz_frame_decoder_init(&d, 1024);
  HZ_ASSERT_INT_EQ(hz_frame_decoder_feed(&d, s.wire, 100, collect, &c), 0);
  HZ_ASSERT_INT_EQ(hz_frame_decoder_feed(&d, s.wire + 100, s.wire_len - 100, collect, &c),
                   HZ_FRAME_ECALLBACK);
  HZ_ASSERT_UINT_EQ(c.count, 1);
  assert_message(&c, 0, s.a, sizeof(s.a));
  hz_frame_decoder_free(&d);

  collector_t c2 = {0};
  c2.stop_after = 1;
  hz_frame_decoder_init(&d, 1024);
  HZ_ASSERT_INT_EQ(
      hz_frame_decoder_feed(&d, (const uint8_t *)"\0\0\0\0\0\0\0\0\0\0", 10, collect, &c2),
      HZ_FRAME_ECALLBACK);
  HZ_ASSERT_UINT_EQ(c2.count, 1);
  hz_frame_decoder_free(&d);
}

/* A large message then a small one, both through the buffer: the second
 * must not show bytes left over from the first. */
HZ_TEST(buffer_reuse_has_no_stale_bytes) {
  static uint8_t big[4000], small[10], wire[4100];
  size_t n = 0;
  collector_t c = {0};
  hz_frame_decoder_t d;
  fill_pattern(big, sizeof(big), 3);
  fill_pattern(small, sizeof(small), 200);
  put_message(wire, &n, big, sizeof(big));
  put_message(wire, &n, small, sizeof(small));
  hz_frame_decoder_init(&d, 8192);
  for (size_t i = 0; i < n; i += 7) {
    size_t k = n - i < 7 ? n - i : 7;
    HZ_ASSERT_INT_EQ(hz_frame_decoder_feed(&d, wire + i, k, collect, &c), 0);
  }
  HZ_ASSERT_UINT_EQ(c.count, 2);
  assert_message(&c, 0, big, sizeof(big));
  assert_message(&c, 1, small, sizeof(small));
  hz_frame_decoder_free(&d);
}

HZ_TEST(free_is_safe_twice_and_on_fresh_decoder) {
  hz_frame_decoder_t d;
  hz_frame_decoder_init(&d, 16);
  hz_frame_decoder_free(&d);
  hz_frame_decoder_free(&d);
  hz_frame_decoder_free(NULL);
  HZ_ASSERT_TRUE(d.buf == NULL);
}
