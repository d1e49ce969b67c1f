"""Metrics and logs an operator can use (issue 16 item 5), against real
PostgreSQL with python3-grpcio: GET /metrics on --metrics-listen parsed by
python3-prometheus-client's own parser; the call counters move by exactly
the calls made (OK, INVALID_ARGUMENT, UNAUTHENTICATED, a Rollup twice so
the answer cache hits), histogram buckets are cumulative with +Inf equal
to the count, the pool and cache gauges are there; the metrics port
answers a malformed request with 400 and 404/405 to anything but GET
/metrics and the server lives; --log-format json writes one object per
line, with each call's request id (echoed to the client as x-request-id)
and a sent traceparent's trace id."""

import datetime
import json
import re
import socket
import urllib.error
import urllib.request

import grpc
from prometheus_client.parser import text_string_to_metric_families

import harness
import pgcluster as pc
from pgcluster import TOWN_A, COUNTY

SC = grpc.StatusCode
CALL_TIMEOUT = 20
HTTP_TIMEOUT = 10
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACEPARENT = "00-%s-00f067aa0ba902b7-01" % TRACE_ID
REPORTING = "huizong.v1.Reporting"
AGGREGATION = "huizong.v1.Aggregation"


def agg_pb():
    return pc.pb("huizong/v1/aggregation.proto")


class Scrape:
    """One parsed exposition: samples by (name, frozen labels)."""

    def __init__(self, text):
        self.text = text
        self.families = {f.name: f for f in text_string_to_metric_families(text)}
        self.samples = {}
        for f in self.families.values():
            for s in f.samples:
                self.samples[(s.name, frozenset(s.labels.items()))] = s.value

    def value(self, name, **labels):
        """The sample's value; 0 for a labelled counter sample not written
        (the server omits zero call counts)."""
        return self.samples.get((name, frozenset(labels.items())), 0)

    def require(self, name, **labels):
        key = (name, frozenset(labels.items()))
        if key not in self.samples:
            raise AssertionError("no sample %s%s in:\n%s" % (name, labels, self.text))
        return self.samples[key]

    def sum(self, name):
        return sum(v for (n, _), v in self.samples.items() if n == name)


class MetricsTest(pc.PgServerTestCase):
    # Two loops: the scrape sums both workers' counters (each connection
    # lands on one loop, so a channel's calls share a loop and a cache).
    server_args = ("--metrics-listen", "127.0.0.1:0", "--log-format", "json",
                   "--log-level", "debug", "--threads", "2")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        m = re.search(r'"msg":"metrics on 127\.0\.0\.1:(\d+) \(http\)"', cls.server.log_text())
        if not m:
            raise AssertionError("no metrics line in the log:\n" + cls.server.log_text())
        cls.metrics_port = int(m.group(1))

    def setUp(self):
        self.r = self.rep()
        a = agg_pb()
        self.rollup = harness.unary(self.server.channel(), "/%s/Rollup" % AGGREGATION,
                                    a.RollupRequest, a.RollupResponse)

    # -- helpers ----------------------------------------------------------

    def scrape(self):
        url = "http://127.0.0.1:%d/metrics" % self.metrics_port
        with urllib.request.urlopen(url, timeout=HTTP_TIMEOUT) as resp:
            self.assertEqual(resp.status, 200)
            self.assertTrue(resp.headers["content-type"].startswith("text/plain; version=0.0.4"))
            return Scrape(resp.read().decode("utf-8"))

    def raw_http(self, data):
        """Sends bytes to the metrics port; returns all it answers (it closes)."""
        with socket.create_connection(("127.0.0.1", self.metrics_port), HTTP_TIMEOUT) as s:
            s.sendall(data)
            chunks = []
            while True:
                b = s.recv(65536)
                if not b:
                    return b"".join(chunks)
                chunks.append(b)

    def submit(self, req, metadata, **kw):
        return self.r.submit.with_call(req, metadata=metadata, timeout=CALL_TIMEOUT, **kw)

    def log_objects(self):
        """Every stderr line as a JSON object (failing on one that is not)."""
        out = []
        for line in self.server.log_text().splitlines():
            try:
                obj = json.loads(line)
            except ValueError:
                self.fail("stderr line is not JSON: %r" % line)
            self.assertIsInstance(obj, dict, line)
            out.append(obj)
        return out

    def call_lines(self, request_id):
        return [o for o in self.log_objects()
                if o.get("msg") == "call finished" and o.get("request_id") == request_id]

    # -- tests ------------------------------------------------------------

    def test_counts_move_by_exactly_the_calls_made(self):
        q = pc.fresh_quarter()
        before = self.scrape()
        self.submit(pc.submit_request(TOWN_A, q, [("fai", "2.5")]), self.md("town_a"))
        with self.assertRaises(grpc.RpcError) as bad:
            self.submit(pc.submit_request(TOWN_A, q, [("fai", "two")]), self.md("town_a"))
        self.assertEqual(bad.exception.code(), SC.INVALID_ARGUMENT)
        with self.assertRaises(grpc.RpcError) as anon:
            self.submit(pc.submit_request(TOWN_A, q, [("fai", "1")]), ())
        self.assertEqual(anon.exception.code(), SC.UNAUTHENTICATED)
        req = agg_pb().RollupRequest(region_code=COUNTY, period=q, indicator_codes=["fai"])
        first = self.rollup(req, metadata=self.md("county"), timeout=CALL_TIMEOUT)
        again = self.rollup(req, metadata=self.md("county"), timeout=CALL_TIMEOUT)
        self.assertEqual(first.SerializeToString(), again.SerializeToString())
        after = self.scrape()

        def moved(name, **labels):
            return after.value(name, **labels) - before.value(name, **labels)

        calls = "huizong_grpc_calls_total"
        sub = dict(service=REPORTING, method="Submit")
        self.assertEqual(moved(calls, code="OK", **sub), 1)
        self.assertEqual(moved(calls, code="INVALID_ARGUMENT", **sub), 1)
        self.assertEqual(moved(calls, code="UNAUTHENTICATED", **sub), 1)
        self.assertEqual(moved(calls, code="OK", service=AGGREGATION, method="Rollup"), 2)
        self.assertEqual(after.sum(calls) - before.sum(calls), 5, after.text)
        count = "huizong_grpc_call_duration_seconds_count"
        self.assertEqual(moved(count, **sub), 3)
        self.assertEqual(moved(count, service=AGGREGATION, method="Rollup"), 2)
        self.assertEqual(moved("huizong_rollup_cache_hits_total"), 1)
        self.assertEqual(moved("huizong_rollup_cache_misses_total"), 1)
        self.assertGreater(after.require("huizong_rollup_cache_bytes"), 0)
        self.assertEqual(after.require("huizong_grpc_calls_in_flight"), 0)
        self.check_histograms(after)
        self.check_gauges(after)

    def check_histograms(self, scrape):
        fam = scrape.families["huizong_grpc_call_duration_seconds"]
        self.assertEqual(fam.type, "histogram")
        series = {}
        for s in fam.samples:
            if s.name.endswith("_bucket"):
                key = (s.labels["service"], s.labels["method"])
                series.setdefault(key, []).append((float(s.labels["le"]), s.value))
        self.assertIn((AGGREGATION, "Rollup"), series)
        for (svc, method), buckets in series.items():
            buckets.sort()
            values = [v for _, v in buckets]
            self.assertEqual(values, sorted(values), "buckets of %s/%s not cumulative" % (svc, method))
            self.assertEqual(buckets[-1][0], float("inf"))
            self.assertEqual(buckets[0][0], 0.0005)
            self.assertEqual(buckets[-2][0], 10.0)
            self.assertEqual(values[-1], scrape.require("huizong_grpc_call_duration_seconds_count",
                                                        service=svc, method=method))
            self.assertGreater(scrape.require("huizong_grpc_call_duration_seconds_sum",
                                              service=svc, method=method), 0)

    def check_gauges(self, scrape):
        # The default pool of 4 (--db-connections), split over the 2 loops.
        self.assertEqual(scrape.require("huizong_db_pool_connections"), 4)
        self.assertEqual(scrape.require("huizong_event_loops"), 2)
        self.assertGreaterEqual(scrape.require("huizong_db_pool_connections_ready"), 1)
        self.assertEqual(scrape.require("huizong_db_pool_connections_busy"), 0)
        self.assertEqual(scrape.require("huizong_db_pool_queue_depth"), 0)
        for name in ("huizong_db_pool_waits_total", "huizong_db_pool_wait_seconds_total",
                     "huizong_db_reconnects_total", "huizong_rollup_cache_evictions_total",
                     "huizong_connections_refused_total"):
            scrape.require(name)
        scrape.require("huizong_db_errors_total", kind="statement")
        scrape.require("huizong_db_errors_total", kind="unavailable")
        # This test's grpcio channel is open, over HTTP/2.
        self.assertGreaterEqual(scrape.require("huizong_connections_open", protocol="h2"), 1)
        self.assertGreaterEqual(scrape.require("huizong_connections_accepted_total"), 1)
        info = scrape.families["huizong_build_info"].samples[0]
        self.assertEqual(info.value, 1)
        self.assertTrue(info.labels["version"] and info.labels["commit"], info.labels)
        start = scrape.require("huizong_process_start_time_seconds")
        now = datetime.datetime.now(datetime.timezone.utc).timestamp()
        self.assertTrue(now - 3600 < start <= now + 1, (start, now))

    def test_metrics_port_refuses_everything_else_and_survives(self):
        answer = self.raw_http(b"GARBAGE / NONSENSE\r\n\r\n")
        self.assertTrue(answer.startswith(b"HTTP/1.1 400 "), answer[:200])
        with self.assertRaises(urllib.error.HTTPError) as nf:
            urllib.request.urlopen("http://127.0.0.1:%d/" % self.metrics_port,
                                   timeout=HTTP_TIMEOUT)
        self.assertEqual(nf.exception.code, 404)
        post = urllib.request.Request("http://127.0.0.1:%d/metrics" % self.metrics_port,
                                      data=b"x", method="POST")
        with self.assertRaises(urllib.error.HTTPError) as na:
            urllib.request.urlopen(post, timeout=HTTP_TIMEOUT)
        self.assertEqual(na.exception.code, 405)
        # A gRPC call to the metrics port is not dispatched.
        ch = grpc.insecure_channel("127.0.0.1:%d" % self.metrics_port,
                                   options=harness.BASE_CHANNEL_OPTIONS)
        try:
            with self.assertRaises(grpc.RpcError):
                harness.unary(ch, "/grpc.health.v1.Health/Check")(b"", timeout=HTTP_TIMEOUT)
        finally:
            ch.close()
        self.assertTrue(self.server.alive())
        self.scrape()  # still answering

    def test_json_log_has_request_and_trace_ids(self):
        q = pc.fresh_quarter()
        md = tuple(self.md("town_a")) + (("traceparent", TRACEPARENT),)
        _, call = self.submit(pc.submit_request(TOWN_A, q, [("fai", "1.5")]), md)
        trailers = dict(call.trailing_metadata() or ())
        rid = trailers.get("x-request-id")
        self.assertTrue(rid and re.fullmatch(r"[0-9a-f]{24}", rid), trailers)
        with self.assertRaises(grpc.RpcError) as bad:
            self.submit(pc.submit_request(TOWN_A, q, [("fai", "x")]),
                        tuple(self.md("town_a")) + (("x-request-id", "client-id-42"),))
        self.assertEqual(bad.exception.code(), SC.INVALID_ARGUMENT)
        # The client's own id is used and not echoed back.
        self.assertNotIn("x-request-id", dict(bad.exception.trailing_metadata() or ()))

        ok = self.call_lines(rid)
        self.assertEqual(len(ok), 1, self.server.log_text())
        line = ok[0]
        self.assertEqual((line["level"], line["service"], line["method"], line["code"]),
                         ("debug", REPORTING, "Submit", "OK"))
        self.assertEqual(line["trace_id"], TRACE_ID)
        self.assertIsInstance(line["duration_ms"], float)
        self.assertTrue(line["peer"].startswith("127.0.0.1:"), line)
        self.assertTrue(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line["time"]), line)
        refused = self.call_lines("client-id-42")
        self.assertEqual(len(refused), 1, self.server.log_text())
        self.assertEqual((refused[0]["level"], refused[0]["code"]), ("info", "INVALID_ARGUMENT"))
        self.assertNotIn("trace_id", refused[0])
        # Every line so far, the start-up ones included, was JSON.
        levels = {o["level"] for o in self.log_objects()}
        self.assertLessEqual(levels, {"error", "warn", "info", "debug"})


if __name__ == "__main__":
    pc.main()
