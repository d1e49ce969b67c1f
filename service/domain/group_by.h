/* How a rollup groups its rows: the one definition C and SQL share.
 *
 * The numbers are huizong.v1.GroupBy's (proto/huizong/v1/aggregation.proto)
 * and the p_group argument of hz_rollup_groups (migration 003) accepts
 * exactly these: 1 the region itself, 2 its children, 3 its descendants at
 * one level; any other number selects no group (only the total row when
 * p_total). Why the proto's numbers rather than a private mapping: the
 * request's value then reaches SQL unchanged, and GroupByTest in
 * tests/integration/test_aggregation.py calls hz_rollup_groups with every
 * value of the proto enum and with numbers outside it, so a renumbering on
 * either side fails a test. Header only: no code, no I/O. */
#ifndef HZ_DOMAIN_GROUP_BY_H
#define HZ_DOMAIN_GROUP_BY_H

#include "huizong/v1/aggregation.pb-c.h"

typedef enum {
  HZ_GROUP_BY_NONE = HUIZONG__V1__GROUP_BY__GROUP_BY_NONE,
  HZ_GROUP_BY_CHILDREN = HUIZONG__V1__GROUP_BY__GROUP_BY_CHILDREN,
  HZ_GROUP_BY_LEVEL = HUIZONG__V1__GROUP_BY__GROUP_BY_LEVEL,
} hz_group_by_t;

/* The grouping a request asks for: GROUP_BY_UNSPECIFIED (0) means none, as
 * the proto documents, and so does a number this server does not know (a
 * newer client's), rather than an empty answer. */
static inline hz_group_by_t hz_group_by_of(int requested) {
  switch (requested) {
  case HZ_GROUP_BY_CHILDREN:
  case HZ_GROUP_BY_LEVEL: return (hz_group_by_t)requested;
  default: return HZ_GROUP_BY_NONE;
  }
}

#endif
