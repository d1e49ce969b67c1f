"""gRPC-Web (PROTOCOL-WEB.md) served by huizongd on its one listener, over
raw HTTP/1.1 sockets and over HTTP/2 (hyper-h2), against real PostgreSQL:
the transport translates, the handlers are the native ones.

What is checked: unary calls in binary and text (base64) mode; an
authenticated Aggregation call returning the figures submitted through
native gRPC; server streaming (ExportValues) in several frames; the
status in the 0x80 trailer frame for a handler's error (UNAUTHENTICATED,
INVALID_ARGUMENT with huizong-problems-bin), Trailers-Only (status in the
HTTP headers) for what the transport refuses before a handler runs;
oversized and malformed bodies; keep-alive and pipelining; client
streaming refused; grpc-timeout; CORS only for --cors-origin.

Oversized messages: a message whose 5-byte prefix declares more than
--max-message-bytes is RESOURCE_EXHAUSTED (Trailers-Only, HTTP 200), as on
native gRPC; over HTTP/1.1 the connection then closes ("connection:
close"), since the rest of the body is not read. No HTTP 413: a gRPC-Web
client reads statuses, and 413 would hide the limit's message."""

import base64
from decimal import Decimal

import harness
import pgcluster as pc
from h1client import (H1, WEB, WEB_TEXT, decode_bin, grpc_frame, parse_trailer, web_frames,
                      web_post)
from h2client import H2Client
from pgcluster import COUNTY, TOWN_A, TOWN_B, TOWN_A3

OK, INVALID_ARGUMENT, DEADLINE_EXCEEDED = 0, 3, 4
RESOURCE_EXHAUSTED, UNIMPLEMENTED, UNAUTHENTICATED = 8, 12, 16
CHECK = "/grpc.health.v1.Health/Check"
ROLLUP = "/huizong.v1.Aggregation/Rollup"
EXPORT = "/huizong.v1.Aggregation/ExportValues"
SUBMIT = "/huizong.v1.Reporting/Submit"
SUBMIT_STREAM = "/huizong.v1.Reporting/SubmitStream"
ORIGIN = "https://console.example.cn:8443"
MONTHLY = ("m_a", "m_b", "m_c", "vacc")


def agg_pb():
    return harness.pb("huizong/v1/aggregation.proto")


def bearer(token):
    return [("Authorization", "Bearer " + token)]


class GrpcWebTest(pc.PgServerTestCase):
    server_args = ("--cors-origin", ORIGIN)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.quarter = pc.fresh_quarter()
        cls.years = [pc.fresh_year() for _ in range(8)]
        cls.data = cls._load()

    @classmethod
    def _load(cls):
        """fai for the county's three townships in one quarter, and 1152
        monthly values (more than one ExportValues batch of 1000), all
        through native gRPC."""
        reqs, stored = [], {}
        for i, town in enumerate((TOWN_A, TOWN_B, TOWN_A3)):
            reqs.append(pc.submit_request(town, cls.quarter, [("fai", "%d.25" % (i + 1))]))
            for y in cls.years:
                for m in range(1, 13):
                    vals = [(c, "%d.%d" % (y, m * 10 + k)) for k, c in enumerate(MONTHLY)]
                    reqs.append(pc.submit_request(town, "%d%02d" % (y, m), vals))
                    for c, v in vals:
                        stored[(town, c, "%d%02d" % (y, m))] = v
        resp = pc.Reporting(cls.server.channel()).stream(
            iter(reqs), metadata=pc.auth(cls.fixture.tokens["admin"]), timeout=300)
        assert not [r for r in resp.results if r.code], resp
        return stored

    def h1(self):
        return H1(self.server.port)

    def web_call(self, path, message, text=False, headers=(), conn=None):
        hdrs, body = web_post(path, message, text, headers)
        c = conn or self.h1()
        try:
            c.send(c.request("POST", path, hdrs, body))
            return c.read()
        finally:
            if conn is None:
                c.close()

    def assert_ok_unary(self, resp, text, cls):
        self.assertEqual(resp.status, 200, resp)
        self.assertEqual(resp.header("content-type"), WEB_TEXT if text else WEB)
        self.assertEqual(resp.header("transfer-encoding"), "chunked")
        self.assertIsNone(resp.header("grpc-status"), "status belongs in the trailer frame")
        frames = web_frames(resp.body, text)
        self.assertEqual([f for f, _ in frames], [0, 0x80], frames)
        self.assertEqual(parse_trailer(frames[1][1])["grpc-status"], "0", frames)
        return cls.FromString(frames[0][1])

    # -- unary ----------------------------------------------------------------

    def test_health_check_binary_and_text_over_http1(self):
        h = harness.health_pb()
        for text in (False, True):
            resp = self.web_call(CHECK, h.HealthCheckRequest().SerializeToString(), text)
            msg = self.assert_ok_unary(resp, text, h.HealthCheckResponse)
            self.assertEqual(msg.status, h.HealthCheckResponse.SERVING)
            if text:  # each frame base64 on its own, padded
                self.assertEqual([len(c) % 4 for c in resp.chunks], [0] * len(resp.chunks))

    def test_health_check_binary_and_text_over_http2(self):
        h = harness.health_pb()
        body = grpc_frame(h.HealthCheckRequest().SerializeToString())
        with H2Client(self.server.port) as c:
            for ctype, wire, text in ((WEB, body, False),
                                      (WEB_TEXT, base64.b64encode(body), True)):
                res = c.call(CHECK, [wire], content_type=ctype)
                self.assertEqual(res.http_status, 200, res)
                self.assertEqual(res.header("content-type", "headers"), ctype.encode())
                self.assertIsNone(res.trailers, "gRPC-Web sends no HTTP/2 trailers")
                frames = web_frames(bytes(res.data), text)
                self.assertEqual([f for f, _ in frames], [0, 0x80], res)
                self.assertEqual(h.HealthCheckResponse.FromString(frames[0][1]).status,
                                 h.HealthCheckResponse.SERVING)

    def test_rollup_authenticated_returns_the_submitted_figures(self):
        a = agg_pb()
        req = a.RollupRequest(region_code=COUNTY, period=self.quarter,
                              indicator_codes=["fai"]).SerializeToString()
        for text in (False, True):
            resp = self.web_call(ROLLUP, req, text, bearer(self.token("county")))
            out = self.assert_ok_unary(resp, text, a.RollupResponse)
            self.assertEqual(out.rows[0].value.value, "6.75", out)  # 1.25 + 2.25 + 3.25
            self.assertEqual(out.rows[0].reporting_units, 3)
        with H2Client(self.server.port) as c:
            res = c.call(ROLLUP, [grpc_frame(req)], content_type=WEB,
                         extra=[("authorization", "Bearer " + self.token("county"))])
            frames = web_frames(bytes(res.data))
            self.assertEqual(a.RollupResponse.FromString(frames[0][1]).rows[0].value.value,
                             "6.75")
            self.assertEqual(parse_trailer(frames[-1][1])["grpc-status"], "0")

    # -- errors ---------------------------------------------------------------

    def test_unauthenticated_in_the_trailer_frame(self):
        req = agg_pb().RollupRequest(region_code=COUNTY, period=self.quarter).SerializeToString()
        for text in (False, True):
            resp = self.web_call(ROLLUP, req, text)
            self.assertEqual(resp.status, 200, resp)
            self.assertIsNone(resp.header("grpc-status"))
            frames = web_frames(resp.body, text)
            self.assertEqual([f for f, _ in frames], [0x80], frames)
            tr = parse_trailer(frames[0][1])
            self.assertEqual(tr["grpc-status"], str(UNAUTHENTICATED), tr)
            self.assertIn("authorization", tr.get("grpc-message", "").lower())

    def test_invalid_argument_with_problems_in_the_trailer_frame(self):
        req = pc.submit_request(TOWN_A, pc.fresh_quarter(), [("fai", "-1")]).SerializeToString()
        for text in (False, True):
            resp = self.web_call(SUBMIT, req, text, bearer(self.token("town_a")))
            frames = web_frames(resp.body, text)
            self.assertEqual(frames[-1][0], 0x80, frames)
            tr = parse_trailer(frames[-1][1])
            self.assertEqual(tr["grpc-status"], str(INVALID_ARGUMENT), tr)
            plist = pc.common_pb().ProblemList.FromString(decode_bin(tr["huizong-problems-bin"]))
            self.assertEqual([(p.indicator_code, p.kind) for p in plist.problems],
                             [("fai", pc.common_pb().PROBLEM_KIND_OUT_OF_BOUNDS)], plist)

    def test_trailers_only_for_transport_refusals(self):
        # Unknown method, malformed grpc-timeout: refused before any
        # handler, so the status is in the HTTP headers, the body empty.
        h = harness.health_pb().HealthCheckRequest().SerializeToString()
        for path, headers, code in (("/huizong.v1.Nope/Nothing", (), UNIMPLEMENTED),
                                    (CHECK, [("Grpc-Timeout", "soon")], INVALID_ARGUMENT)):
            resp = self.web_call(path, h, False, headers)
            self.assertEqual(resp.status, 200, resp)
            self.assertEqual(resp.header("grpc-status"), str(code), resp)
            self.assertEqual(resp.header("content-length"), "0")
            self.assertEqual(resp.body, b"")
        with H2Client(self.server.port) as c:
            res = c.call("/huizong.v1.Nope/Nothing", [grpc_frame(h)], content_type=WEB)
            self.assertTrue(res.headers_ended_stream, res)
            self.assertEqual(res.grpc_status, UNIMPLEMENTED, res)

    def test_oversized_message_is_resource_exhausted_and_closes(self):
        with self.h1() as c:
            big = 8 << 20  # over the default --max-message-bytes (4 MiB)
            c.send(c.request("POST", CHECK, [("Content-Type", WEB)], b"", False)
                   .replace(b"\r\n\r\n", b"\r\nContent-Length: %d\r\n\r\n" % (big + 5))
                   + b"\x00" + big.to_bytes(4, "big") + b"\x00" * 1000)
            resp = c.read()
            self.assertEqual(resp.header("grpc-status"), str(RESOURCE_EXHAUSTED), resp)
            self.assertIn("exceeds the limit", resp.header("grpc-message"))
            self.assertEqual(resp.header("connection"), "close")
            self.assertTrue(c.closed_within(10))

    def test_malformed_bodies(self):
        cases = [(WEB_TEXT, b"AAAA!AAA"), (WEB_TEXT, b"AAAAAAA"),       # not base64 / short
                 (WEB, b"\x02\x00\x00\x00\x00"),                         # bad flag byte
                 (WEB, b"\x00\x00\x00\x00\x09abc"),                      # ends inside a message
                 (WEB, grpc_frame(b"\xff\xff"))]                         # not a protobuf
        for ctype, body in cases:
            with self.h1() as c:
                c.send(c.request("POST", CHECK, [("Content-Type", ctype)], body))
                resp = c.read()
                self.assertEqual(resp.status, 200, (body, resp))
                self.assertEqual(resp.header("grpc-status"), str(INVALID_ARGUMENT), (body, resp))
                self.assertTrue(resp.header("grpc-message"), resp)
        # Text mode decoded across chunk boundaries: a body split mid-group.
        h = harness.health_pb()
        wire = base64.b64encode(grpc_frame(h.HealthCheckRequest(service="").SerializeToString()
                                           + b""))
        with self.h1() as c:
            head = c.request("POST", CHECK, [("Content-Type", WEB_TEXT),
                                             ("Transfer-Encoding", "chunked")], b"", False)
            chunked = b"".join(b"%x\r\n%s\r\n" % (len(wire[i:i + 3]), wire[i:i + 3])
                               for i in range(0, len(wire), 3)) + b"0\r\n\r\n"
            c.send(head + chunked)
            self.assert_ok_unary(c.read(), True, h.HealthCheckResponse)

    def test_client_streaming_is_refused(self):
        req = pc.submit_request(TOWN_A, pc.fresh_quarter(), [("fai", "1")]).SerializeToString()
        resp = self.web_call(SUBMIT_STREAM, req, False, bearer(self.token("admin")))
        self.assertEqual(resp.header("grpc-status"), str(UNIMPLEMENTED), resp)
        self.assertIn("gRPC-Web cannot carry", resp.header("grpc-message"))

    def test_grpc_timeout_is_the_deadline(self):
        req = agg_pb().RollupRequest(region_code=COUNTY, period=self.quarter).SerializeToString()
        resp = self.web_call(ROLLUP, req, False,
                             bearer(self.token("county")) + [("Grpc-Timeout", "1n")])
        status = resp.header("grpc-status") or parse_trailer(web_frames(resp.body)[-1][1])[
            "grpc-status"]
        self.assertEqual(status, str(DEADLINE_EXCEEDED), resp)

    # -- server streaming -------------------------------------------------------

    def test_export_values_streams_several_frames(self):
        a = agg_pb()
        y = self.years
        req = a.ExportValuesRequest(region_code=COUNTY, from_period="%d01" % y[0],
                                    to_period="%d12" % y[-1], indicator_codes=list(MONTHLY))
        want = sorted((r, c, p, Decimal(v)) for (r, c, p), v in self.data.items())
        for text in (False, True):
            resp = self.web_call(EXPORT, req.SerializeToString(), text, bearer(self.token("admin")))
            self.assertEqual(resp.status, 200, resp)
            frames = web_frames(resp.body, text)
            flags = [f for f, _ in frames]
            self.assertGreaterEqual(len(flags), 3, flags)
            self.assertEqual(flags, [0] * (len(flags) - 1) + [0x80])
            self.assertEqual(parse_trailer(frames[-1][1])["grpc-status"], "0")
            got = sorted((v.region_code, v.indicator_code, v.period, Decimal(v.value))
                         for _, m in frames[:-1]
                         for v in a.ExportValuesResponse.FromString(m).records)
            self.assertEqual(got, want)
        with H2Client(self.server.port) as c:
            res = c.call(EXPORT, [grpc_frame(req.SerializeToString())], content_type=WEB,
                         extra=[("authorization", "Bearer " + self.token("admin"))], timeout=60)
            frames = web_frames(bytes(res.data))
            self.assertGreaterEqual(len(frames), 3)
            self.assertEqual(parse_trailer(frames[-1][1])["grpc-status"], "0")

    # -- connections --------------------------------------------------------------

    def test_keep_alive_and_pipelining(self):
        h = harness.health_pb()
        msg = h.HealthCheckRequest().SerializeToString()
        with self.h1() as c:
            for text in (False, True, False, True, False):
                self.assert_ok_unary(self.web_call(CHECK, msg, text, conn=c), text,
                                     h.HealthCheckResponse)
            # Three requests in one write: three answers, in order.
            reqs = []
            for i, text in enumerate((True, False, True)):
                hdrs, body = web_post(CHECK, msg, text)
                reqs.append(c.request("POST", CHECK, hdrs, body))
            c.send(b"".join(reqs))
            for text in (True, False, True):
                self.assert_ok_unary(c.read(), text, h.HealthCheckResponse)
            hdrs, body = web_post(CHECK, msg)
            c.send(c.request("POST", CHECK, hdrs + [("Connection", "close")], body))
            self.assertEqual(c.read().header("connection"), "close")
            self.assertTrue(c.closed_within(10))

    def test_native_grpc_over_http1_is_refused(self):
        with self.h1() as c:
            c.send(c.request("POST", CHECK, [("Content-Type", "application/grpc")],
                             grpc_frame(b"")))
            resp = c.read()
            self.assertEqual(resp.status, 415, resp)
            self.assertIn(b"HTTP/2", resp.body)

    def test_request_line_and_header_limits(self):
        with self.h1() as c:
            c.send(b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
            self.assertEqual(c.read().status, 414)
            self.assertTrue(c.closed_within(10))
        with self.h1() as c:
            c.send(b"GET / HTTP/1.1\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(101))
                   + b"\r\n")
            self.assertEqual(c.read().status, 431)
            self.assertTrue(c.closed_within(10))
        with self.h1() as c:
            c.send(b"GET / HTTP/1.1\r\nX-Big: " + b"v" * 20000 + b"\r\n\r\n")
            self.assertEqual(c.read().status, 431)
        with self.h1() as c:  # not HTTP at all
            c.send(b"\x16\x03\x01\x02\x00garbage\r\n\r\n")
            self.assertEqual(c.read().status, 400)
            self.assertTrue(c.closed_within(10))
        harness.assert_serving(self, self.server.channel())

    # -- CORS -------------------------------------------------------------------

    def preflight(self, origin, port=None):
        with H1(port or self.server.port) as c:
            c.send(c.request("OPTIONS", ROLLUP, [
                ("Origin", origin), ("Access-Control-Request-Method", "POST"),
                ("Access-Control-Request-Headers", "authorization,content-type,x-grpc-web")]))
            return c.read()

    def test_cors_for_the_named_origin_only(self):
        ok = self.preflight(ORIGIN)
        self.assertEqual(ok.status, 204, ok)
        self.assertEqual(ok.header("access-control-allow-origin"), ORIGIN)
        allowed = ok.header("access-control-allow-headers")
        for h in ("authorization", "content-type", "x-grpc-web", "grpc-timeout"):
            self.assertIn(h, allowed)
        self.assertEqual(self.preflight("https://evil.example").status, 403)
        h = harness.health_pb().HealthCheckRequest().SerializeToString()
        resp = self.web_call(CHECK, h, False, [("Origin", ORIGIN)])
        self.assertEqual(resp.header("access-control-allow-origin"), ORIGIN)
        expose = resp.header("access-control-expose-headers")
        for name in ("grpc-status", "grpc-message", "huizong-problems-bin"):
            self.assertIn(name, expose)
        resp = self.web_call(CHECK, h, False, [("Origin", "https://evil.example")])
        self.assertIsNone(resp.header("access-control-allow-origin"))
        with H2Client(self.server.port) as c:
            res = c.call(CHECK, [grpc_frame(h)], content_type=WEB, extra=[("origin", ORIGIN)])
            self.assertEqual(res.header("access-control-allow-origin", "headers"),
                             ORIGIN.encode())

    def test_cors_off_by_default(self):
        other = harness.Server(["--database-url", self.db.url]).start()
        try:
            self.assertEqual(self.preflight(ORIGIN, other.port).status, 403)
            h = harness.health_pb().HealthCheckRequest().SerializeToString()
            hdrs, body = web_post(CHECK, h, headers=[("Origin", ORIGIN)])
            with H1(other.port) as c:
                c.send(c.request("POST", CHECK, hdrs, body))
                self.assertIsNone(c.read().header("access-control-allow-origin"))
        finally:
            self.assertEqual(other.stop(), 0)


if __name__ == "__main__":
    pc.main()
