/* The Prometheus exposition (core/metrics_text.c): label values escaped as
 * the text format requires, service and method split from the path,
 * histogram buckets cumulative with +Inf equal to the count, sums over
 * every loop's struct, in-flight as started minus finished, and the
 * traceparent parser used for the logs (transport/observe.c). */
#include <stdlib.h>
#include <string.h>

#include "core/metrics.h"
#include "hz_test.h"
#include "transport/observe.h"

static hz_metrics_t loop_a, loop_b; /* large; zeroed per test */

/* A registry of the given paths (no handlers: only names are rendered). */
static void registry_of(hz_registry_t *r, const char *const *paths, size_t n) {
  hz_registry_init(r);
  for (size_t i = 0; i < n; i++) {
    hz_method_t m = {.path = paths[i]};
    HZ_ASSERT_INT_EQ(hz_registry_add(r, &m), 0);
  }
}

static char *render(const hz_registry_t *r, size_t nloops, const char *version) {
  const hz_metrics_t *loops[] = {&loop_a, &loop_b};
  hz_metrics_view_t v = {loops, nloops, r, version, "abc1234", 1796300000.5};
  char *out = NULL;
  size_t len = 0;
  HZ_ASSERT_INT_EQ(hz_metrics_render(&v, &out, &len), 0);
  HZ_ASSERT_UINT_EQ(strlen(out), len);
  return out;
}

static void has(const char *text, const char *line) {
  if (!strstr(text, line)) {
    fprintf(stderr, "missing line:\n%s\nin:\n%s\n", line, text);
    HZ_ASSERT_TRUE(strstr(text, line) != NULL);
  }
}

HZ_TEST(label_values_are_escaped) {
  hz_metrics_init(&loop_a);
  const char *paths[] = {"/we\"ird\\svc/Me\nthod"};
  hz_registry_t r;
  registry_of(&r, paths, 1);
  hz_metrics_call(&loop_a, 0, 3, 1000);
  char *out = render(&r, 1, "1.0 \"q\"\\");
  has(out, "huizong_grpc_calls_total{service=\"we\\\"ird\\\\svc\",method=\"Me\\nthod\","
           "code=\"INVALID_ARGUMENT\"} 1\n");
  has(out, "huizong_build_info{version=\"1.0 \\\"q\\\"\\\\\",commit=\"abc1234\"} 1\n");
  /* No raw newline inside a sample: every line is a comment or a sample. */
  for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n"))
    HZ_ASSERT_TRUE(line[0] == '#' || strncmp(line, "huizong_", 8) == 0);
  free(out);
  hz_registry_free(&r);
}

HZ_TEST(histogram_is_cumulative_and_summed_over_loops) {
  hz_metrics_init(&loop_a);
  hz_metrics_init(&loop_b);
  const char *paths[] = {"/huizong.v1.Aggregation/Rollup", "/huizong.v1.Reporting/Submit"};
  hz_registry_t r;
  registry_of(&r, paths, 2);
  hz_metrics_call(&loop_a, 0, 0, 400000);       /* 0.4 ms: first bucket */
  hz_metrics_call(&loop_b, 0, 0, 500000);       /* exactly 0.5 ms: still the first */
  hz_metrics_call(&loop_b, 0, 14, 3000000);     /* 3 ms, UNAVAILABLE */
  hz_metrics_call(&loop_a, 0, 0, 20000000000u); /* 20 s: only +Inf */
  hz_metric_add(&loop_a.calls_started, 3);
  hz_metric_add(&loop_b.calls_started, 3); /* 6 started, 4 finished */
  char *out = render(&r, 2, "0.1.0");
  const char *lab = "{service=\"huizong.v1.Aggregation\",method=\"Rollup\"";
  char line[256];
  snprintf(line, sizeof(line), "huizong_grpc_call_duration_seconds_bucket%s,le=\"0.0005\"} 2\n",
           lab);
  has(out, line);
  snprintf(line, sizeof(line), "huizong_grpc_call_duration_seconds_bucket%s,le=\"0.0025\"} 2\n",
           lab);
  has(out, line);
  snprintf(line, sizeof(line), "huizong_grpc_call_duration_seconds_bucket%s,le=\"0.005\"} 3\n",
           lab);
  has(out, line);
  snprintf(line, sizeof(line), "huizong_grpc_call_duration_seconds_bucket%s,le=\"10\"} 3\n", lab);
  has(out, line);
  snprintf(line, sizeof(line), "huizong_grpc_call_duration_seconds_bucket%s,le=\"+Inf\"} 4\n", lab);
  has(out, line);
  snprintf(line, sizeof(line), "huizong_grpc_call_duration_seconds_count%s} 4\n", lab);
  has(out, line);
  snprintf(line, sizeof(line), "huizong_grpc_call_duration_seconds_sum%s} 20.003900000\n", lab);
  has(out, line);
  snprintf(line, sizeof(line), "huizong_grpc_calls_total%s,code=\"OK\"} 3\n", lab);
  has(out, line);
  has(out, "huizong_grpc_calls_in_flight 2\n");
  has(out, "huizong_event_loops 2\n");
  /* A method nobody called has no samples (absent means zero). */
  HZ_ASSERT_TRUE(strstr(out, "method=\"Submit\"") == NULL);
  free(out);
  hz_registry_free(&r);
}

HZ_TEST(gauges_and_families_present) {
  hz_metrics_init(&loop_a);
  hz_registry_t r;
  registry_of(&r, NULL, 0);
  hz_metric_set(&loop_a.pool_size, 4);
  hz_metric_set(&loop_a.pool_busy, 1);
  hz_metric_add(&loop_a.conns_accepted, 5);
  hz_metric_add(&loop_a.conns_closed, 2);
  hz_metric_add(&loop_a.conns_h2, 2);
  hz_metric_add(&loop_a.conns_h1, 1);
  hz_metric_add(&loop_a.conns_h1_closed, 1);
  hz_metric_add(&loop_a.pool_wait_ns, 1500000000u);
  char *out = render(&r, 1, "0.1.0");
  has(out, "# TYPE huizong_db_pool_connections gauge\nhuizong_db_pool_connections 4\n");
  has(out, "huizong_db_pool_connections_busy 1\n");
  has(out, "huizong_connections_open{protocol=\"h2\"} 2\n");
  has(out, "huizong_connections_open{protocol=\"http1\"} 0\n");
  has(out, "huizong_connections_open{protocol=\"undecided\"} 1\n");
  has(out, "huizong_db_pool_wait_seconds_total 1.500000000\n");
  has(out, "# TYPE huizong_rollup_cache_hits_total counter\n");
  has(out, "huizong_process_start_time_seconds 1796300000.500\n");
  free(out);
  hz_registry_free(&r);
}

HZ_TEST(traceparent_trace_id) {
  char id[33];
  HZ_ASSERT_INT_EQ(
      hz_traceparent_trace_id("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", id), 0);
  HZ_ASSERT_STR_EQ(id, "4bf92f3577b34da6a3ce929d0e0e4736");
  /* A later version may add fields after a dash. */
  HZ_ASSERT_INT_EQ(
      hz_traceparent_trace_id("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x", id), 0);
  const char *bad[] = {
      NULL,
      "",
      "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  /* version ff */
      "00-00000000000000000000000000000000-00f067aa0ba902b7-01",  /* zero trace */
      "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",  /* zero parent */
      "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",  /* upper case */
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x", /* 00 is 55 long */
      "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    HZ_ASSERT_INT_EQ(hz_traceparent_trace_id(bad[i], id), -1);
}
