"""The gRPC HTTP/2 protocol rules, checked frame by frame with an
independent low-level client (hyper-h2): content-types, length prefixes
that do not align with DATA frames, several messages per frame,
compression, bad content-type and protobuf, percent-encoded grpc-message,
Trailers-Only, grpc-timeout, and the concurrent-stream limit."""

import time

import harness
from h2client import (H2Client, MAX_CONCURRENT_STREAMS, REFUSED_STREAM, StreamResult,
                      grpc_frame, split_grpc_messages)
from harness import health_pb

PROTOCOL_ERROR = 0x1  # RFC 9113 error code

CHECK = "/grpc.health.v1.Health/Check"
WATCH = "/grpc.health.v1.Health/Watch"

OK, DEADLINE_EXCEEDED, NOT_FOUND, UNIMPLEMENTED = 0, 4, 5, 12
INVALID_ARGUMENT, INTERNAL = 3, 13


class ProtocolTest(harness.ServerTestCase):

    def setUp(self):
        self.h = health_pb()
        self.client = H2Client(self.server.port)
        self.addCleanup(self.client.close)

    # -- helpers --------------------------------------------------------------

    def check_body(self, service="", pad=0):
        body = self.h.HealthCheckRequest(service=service).SerializeToString()
        if pad:
            body = harness.unknown_field(1000, b"p" * pad) + body
        return body

    def assert_grpc_response(self, res, status):
        self.assertEqual(res.http_status, 200, res)
        ctype = res.header("content-type", "headers") or b""
        self.assertTrue(ctype.startswith(b"application/grpc"), res)
        self.assertEqual(res.grpc_status, status, "%r message=%r" % (res, res.grpc_message))

    def assert_serving_response(self, res):
        self.assert_grpc_response(res, OK)
        msgs = res.messages()
        self.assertEqual(len(msgs), 1, res)
        self.assertEqual(msgs[0][0], 0, "response must not be flagged compressed")
        self.assertEqual(self.h.HealthCheckResponse.FromString(msgs[0][1]).status,
                         self.h.HealthCheckResponse.SERVING)

    def assert_connection_usable(self, client=None):
        client = client or self.client
        self.assertIsNone(client.terminated, "server sent GOAWAY: %r" % client.terminated)
        res = client.call(CHECK, [grpc_frame(self.check_body())])
        self.assert_serving_response(res)

    # -- content types and framing ---------------------------------------------

    def test_content_type_application_grpc(self):
        res = self.client.call(CHECK, [grpc_frame(self.check_body())])
        self.assert_serving_response(res)
        self.assertIsNotNone(res.trailers, "status belongs in trailers after a message")

    def test_content_type_application_grpc_proto(self):
        res = self.client.call(CHECK, [grpc_frame(self.check_body())],
                               content_type="application/grpc+proto")
        self.assert_serving_response(res)

    def test_content_type_is_case_insensitive(self):
        # Media types are case-insensitive (RFC 9110 8.3.1); the server once
        # compared bytes and refused these with HTTP 415.
        for ctype, answer in (("Application/GRPC", b"application/grpc"),
                              ("APPLICATION/GRPC+PROTO", b"application/grpc+proto"),
                              ("application/grpc; charset=utf-8", b"application/grpc")):
            res = self.client.call(CHECK, [grpc_frame(self.check_body())], content_type=ctype)
            self.assertEqual(res.http_status, 200, "content-type %r: %r" % (ctype, res))
            self.assert_serving_response(res)
            self.assertEqual(res.header("content-type", "headers"), answer, ctype)

    def test_content_type_kinds(self):
        # Another codec is still gRPC: a gRPC status, not HTTP 415.
        res = self.client.call(CHECK, [grpc_frame(self.check_body())],
                               content_type="application/GRPC+json")
        self.assertEqual(res.http_status, 200, res)
        self.assertEqual(res.grpc_status, UNIMPLEMENTED, res)
        self.assertIn("application/grpc+proto", res.grpc_message or "", res)
        # gRPC-Web is served on the same endpoint with its own framing (the
        # status in a 0x80 body frame, no HTTP/2 trailers; test_grpcweb.py
        # covers it); anything else is not gRPC.
        res = self.client.call(CHECK, [grpc_frame(self.check_body())],
                               content_type="application/grpc-web")
        self.assertEqual(res.http_status, 200, res)
        self.assertEqual(res.header("content-type", "headers"), b"application/grpc-web+proto")
        self.assertIsNone(res.trailers, res)
        self.assertEqual([f for f, _ in split_grpc_messages(bytes(res.data))], [0, 0x80], res)
        res = self.client.call(CHECK, [grpc_frame(self.check_body())],
                               content_type="application/grpcx")
        self.assertEqual(res.http_status, 415, res)
        self.assert_connection_usable()

    def test_prefix_split_across_two_data_frames(self):
        wire = grpc_frame(self.check_body(pad=100))
        for cut in (1, 2, 3, 4):
            res = self.client.call(CHECK, [wire[:cut], wire[cut:]])
            self.assert_serving_response(res)

    def test_prefix_alone_then_body_then_empty_end(self):
        wire = grpc_frame(self.check_body(pad=100))
        res = self.client.call(CHECK, [wire[:5], wire[5:], b""])
        self.assert_serving_response(res)

    def test_body_split_across_many_data_frames(self):
        wire = grpc_frame(self.check_body(pad=3000))
        chunks = [wire[i:i + 7] for i in range(0, len(wire), 7)]
        self.assertGreater(len(chunks), 400)
        res = self.client.call(CHECK, chunks, timeout=20)
        self.assert_serving_response(res)
        # The answer depends on the last bytes: the service name.
        wire = grpc_frame(self.check_body(service="no.such.Service", pad=3000))
        res = self.client.call(CHECK, [wire[i:i + 7] for i in range(0, len(wire), 7)],
                               timeout=20)
        self.assert_grpc_response(res, NOT_FOUND)

    def test_two_messages_in_one_data_frame_on_unary_is_an_error(self):
        body = grpc_frame(self.check_body()) * 2
        res = self.client.call(CHECK, [body])
        self.assertEqual(res.http_status, 200, res)
        self.assertIsNotNone(res.grpc_status, res)
        self.assertNotEqual(res.grpc_status, OK, "a unary method got two requests: %r" % res)
        self.assertEqual(res.messages(), [], "no response message for a rejected call")
        self.assert_connection_usable()

    def test_unary_without_a_message_is_an_error(self):
        res = self.client.call(CHECK, [])
        self.assertIsNotNone(res.grpc_status, res)
        self.assertNotEqual(res.grpc_status, OK, res)
        self.assert_connection_usable()

    def test_several_messages_in_one_frame_on_a_bidi_stream(self):
        r = harness.pb("grpc/reflection/v1/reflection.proto")
        reqs = [r.ServerReflectionRequest(list_services=""),
                r.ServerReflectionRequest(file_by_filename="grpc/health/v1/health.proto"),
                r.ServerReflectionRequest(file_containing_symbol="no.such.Symbol")]
        wire = b"".join(grpc_frame(q.SerializeToString()) for q in reqs)
        res = self.client.call("/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
                               [wire])
        self.assert_grpc_response(res, OK)
        kinds = [r.ServerReflectionResponse.FromString(m).WhichOneof("message_response")
                 for _f, m in res.messages()]
        self.assertEqual(kinds, ["list_services_response", "file_descriptor_response",
                                 "error_response"])

    # -- compression ----------------------------------------------------------

    def assert_unimplemented_with_accept_encoding(self, res):
        self.assertEqual(res.http_status, 200, res)
        self.assertEqual(res.grpc_status, UNIMPLEMENTED, "%r message=%r" % (res, res.grpc_message))
        accept = res.header("grpc-accept-encoding")
        self.assertIsNotNone(accept, "UNIMPLEMENTED for compression must carry "
                             "grpc-accept-encoding: %r" % res)
        self.assertNotIn(b"gzip", accept.split(b","), "advertised an encoding it refuses")

    def test_compressed_flag_unimplemented(self):
        body = self.check_body()
        res = self.client.call(CHECK, [grpc_frame(body, flag=1)],
                               extra=[("grpc-encoding", "gzip")])
        self.assert_unimplemented_with_accept_encoding(res)
        self.assert_connection_usable()

    def test_compressed_flag_without_encoding_header(self):
        res = self.client.call(CHECK, [grpc_frame(self.check_body(), flag=1)])
        self.assertEqual(res.grpc_status, UNIMPLEMENTED, "%r message=%r" % (res, res.grpc_message))
        self.assert_connection_usable()

    def test_grpc_encoding_gzip_header_unimplemented(self):
        res = self.client.call(CHECK, [grpc_frame(self.check_body())],
                               extra=[("grpc-encoding", "gzip")])
        self.assert_unimplemented_with_accept_encoding(res)
        self.assert_connection_usable()

    def test_grpc_encoding_identity_accepted(self):
        res = self.client.call(CHECK, [grpc_frame(self.check_body())],
                               extra=[("grpc-encoding", "identity")])
        self.assert_serving_response(res)

    def test_bad_flag_byte_is_an_error(self):
        res = self.client.call(CHECK, [grpc_frame(self.check_body(), flag=0x80)])
        self.assertIsNotNone(res.grpc_status, res)
        self.assertNotEqual(res.grpc_status, OK, res)
        self.assert_connection_usable()

    # -- bad input --------------------------------------------------------------

    def test_bad_content_type(self):
        for ctype in ("text/plain", "application/json", None):
            res = self.client.call(CHECK, [grpc_frame(self.check_body())], content_type=ctype)
            if res.http_status == 415:
                continue
            self.assertEqual(res.http_status, 200, res)
            self.assertIsNotNone(res.grpc_status, "content-type %r: %r" % (ctype, res))
            self.assertNotEqual(res.grpc_status, OK, "content-type %r accepted: %r" % (ctype, res))
        self.assert_connection_usable()

    def test_unparsable_protobuf(self):
        bad_bodies = [
            b"\xff",                           # truncated varint tag
            b"\x0a\xff\xff\xff\xff\x0f",       # field 1 claims 4 GiB
            b"\x0a\x05ab",                     # field 1 shorter than declared
            b"\x08",                           # varint field with no value
            b"\x07",                           # wire type 7 does not exist
            b"\x0a\x03ab\x00\x0b",             # end-group without start
        ]
        for body in bad_bodies:
            res = self.client.call(CHECK, [grpc_frame(body)])
            self.assertEqual(res.http_status, 200, res)
            self.assertIn(res.grpc_status, (INVALID_ARGUMENT, INTERNAL),
                          "body %r: %r message=%r" % (body, res, res.grpc_message))
        self.assert_connection_usable()

    def test_get_instead_of_post(self):
        sid = self.client.conn.get_next_available_stream_id()
        hdrs = [(b":method", b"GET"), (b":scheme", b"http"), (b":path", CHECK.encode()),
                (b":authority", b"127.0.0.1"), (b"content-type", b"application/grpc"),
                (b"te", b"trailers")]
        self.client.streams[sid] = StreamResult()
        self.client.conn.send_headers(sid, hdrs, end_stream=True)
        self.client.flush()
        res = self.client.wait(sid)
        self.assertTrue(res.http_status in (405, 400) or
                        (res.grpc_status is not None and res.grpc_status != OK) or
                        res.reset_code is not None, res)
        self.assert_connection_usable()

    # -- status, message, Trailers-Only -----------------------------------------

    def test_grpc_message_is_percent_encoded(self):
        name = "汇总服务 100%"
        res = self.client.call(CHECK, [grpc_frame(self.check_body(service=name))])
        self.assert_grpc_response(res, NOT_FOUND)
        raw = res.grpc_message_raw
        self.assertIsNotNone(raw, "NOT_FOUND without grpc-message: %r" % res)
        self.assertTrue(all(0x20 <= b <= 0x7E for b in raw),
                        "grpc-message has bytes outside printable ASCII: %r" % raw)
        self.assertIn(b"%E6%B1%87%E6%80%BB", raw.upper(), raw)
        self.assertIn(b"100%25", raw.upper(), raw)
        self.assertIn(name, res.grpc_message)

    def test_trailers_only_for_unknown_method(self):
        for path in ("/grpc.health.v1.Health/Nope", "/no.such.Service/Method"):
            res = self.client.call(path, [grpc_frame(b"")])
            self.assertTrue(res.headers_ended_stream,
                            "expected one HEADERS frame with END_STREAM: %r" % res)
            self.assertIsNone(res.trailers, res)
            self.assertEqual(res.data_frames, 0, res)
            self.assert_grpc_response(res, UNIMPLEMENTED)
            self.assertEqual(res.events[0], "ResponseReceived", res)

    def test_trailers_only_before_request_ends(self):
        # The server may answer an unknown method as soon as it has the
        # headers, without waiting for the body.
        sid = self.client.start("/no.such.Service/Method")
        res = self.client.wait(sid, timeout=5)
        self.assertTrue(res.headers_ended_stream, res)
        self.assert_grpc_response(res, UNIMPLEMENTED)
        self.assert_connection_usable()

    # -- deadlines ------------------------------------------------------------

    def test_grpc_timeout_on_unfinished_request(self):
        sid = self.client.start(CHECK, extra=[("grpc-timeout", "100m")])
        self.client.send_data(sid, grpc_frame(self.check_body())[:3])  # never completed
        start = time.monotonic()
        res = self.client.wait(sid, timeout=5)
        elapsed = time.monotonic() - start
        self.assertEqual(res.grpc_status, DEADLINE_EXCEEDED, "%r message=%r"
                         % (res, res.grpc_message))
        self.assertGreater(elapsed, 0.05)
        self.assertLess(elapsed, 3.0)
        self.assert_connection_usable()

    def test_grpc_timeout_ends_watch(self):
        sid = self.client.start(WATCH, extra=[("grpc-timeout", "300m")])
        self.client.send_chunks(sid, [grpc_frame(self.check_body())])
        start = time.monotonic()
        res = self.client.wait(sid, timeout=5)
        elapsed = time.monotonic() - start
        msgs = res.messages()
        self.assertGreaterEqual(len(msgs), 1, res)
        self.assertEqual(self.h.HealthCheckResponse.FromString(msgs[0][1]).status,
                         self.h.HealthCheckResponse.SERVING)
        self.assertEqual(res.grpc_status, DEADLINE_EXCEEDED, res)
        self.assertGreater(elapsed, 0.2)
        self.assertLess(elapsed, 3.0)

    def test_generous_grpc_timeout_does_not_fire(self):
        res = self.client.call(CHECK, [grpc_frame(self.check_body())],
                               extra=[("grpc-timeout", "10S")])
        self.assert_serving_response(res)


class StreamLimitTest(harness.ServerTestCase):
    """More streams than SETTINGS_MAX_CONCURRENT_STREAMS: the extra ones
    are refused (RST_STREAM REFUSED_STREAM, RFC 9113 section 5.1.2 allows
    it as a stream error) and the connection goes on serving. A small
    limit keeps the test quick; the default is exercised above."""

    server_args = ("--max-streams", "8")
    LIMIT = 8

    def setUp(self):
        self.h = health_pb()
        self.client = H2Client(self.server.port)
        self.addCleanup(self.client.close)
        self.body = grpc_frame(self.h.HealthCheckRequest(service="").SerializeToString())

    def open_watches(self, n, ignore_limit=False):
        self.client.conn.ignore_stream_limit = ignore_limit
        sids = []
        for _ in range(n):
            sid = self.client.start(WATCH)
            self.client.send_chunks(sid, [self.body], end_stream=True)
            sids.append(sid)
        self.client.conn.ignore_stream_limit = False
        return sids

    def check_refused_and_connection_survives(self, held, extra):
        for sid in extra:
            res = self.client.wait(sid, timeout=5)
            self.assertEqual(res.reset_code, REFUSED_STREAM,
                             "stream over the limit: %r (GOAWAY: %r)" % (res, self.client.terminated))
        self.assertTrue(self.client.wait_until(
            lambda: all(len(self.client.streams[s].data) > 0 for s in held), 10),
            "not all %d held Watch streams answered: %r" % (len(held), self.client.streams))
        for sid in held:
            self.assertFalse(self.client.streams[sid].done,
                             "a held Watch ended: %r" % self.client.streams[sid])
        # Free one slot; the same connection serves a new call.
        self.client.reset(held.pop())
        self.assertIsNone(self.client.terminated, "server sent GOAWAY: %r" % self.client.terminated)
        res = self.client.call(CHECK, [self.body])
        self.assertEqual(res.grpc_status, OK, res)
        self.assertIsNone(self.client.terminated)
        for sid in held:
            self.client.reset(sid)

    def test_advertised_limit(self):
        settings = self.client.wait_settings()
        self.assertEqual(settings.get(MAX_CONCURRENT_STREAMS), self.LIMIT, settings)

    def test_client_ignoring_acknowledged_limit_loses_only_its_connection(self):
        # A client that has acknowledged the limit and still exceeds it
        # breaks the protocol: nghttp2 answers with GOAWAY PROTOCOL_ERROR
        # for that connection (a connection error, which RFC 9113 5.4.1
        # permits for any stream error). The server keeps serving others.
        self.assertEqual(self.client.wait_settings().get(MAX_CONCURRENT_STREAMS), self.LIMIT)
        held = self.open_watches(self.LIMIT)
        self.assertTrue(self.client.wait_until(
            lambda: all(len(self.client.streams[s].data) > 0 for s in held), 10),
            "not all %d Watch streams answered" % self.LIMIT)
        try:
            self.open_watches(3, ignore_limit=True)
        except OSError:
            pass
        self.assertTrue(self.client.wait_until(lambda: self.client.terminated is not None, 5),
                        "no GOAWAY for a client over its acknowledged stream limit")
        self.assertEqual(self.client.terminated.error_code, PROTOCOL_ERROR, self.client.terminated)
        with H2Client(self.server.port) as other:
            res = other.call(CHECK, [self.body])
            self.assertEqual(res.grpc_status, OK, res)

    def test_streams_over_limit_before_settings_are_refused(self):
        # A client that opens its streams right after the preface, before
        # it has read the server's SETTINGS (grpcio can do this on a fresh
        # connection with many calls queued).
        streams = self.open_watches(self.LIMIT + 3, ignore_limit=True)
        self.check_refused_and_connection_survives(streams[:self.LIMIT], streams[self.LIMIT:])

    def test_default_limit_is_bounded(self):
        other = harness.Server().start()
        try:
            with H2Client(other.port) as c:
                limit = c.wait_settings().get(MAX_CONCURRENT_STREAMS)
            self.assertIsNotNone(limit, "no SETTINGS_MAX_CONCURRENT_STREAMS by default")
            self.assertGreaterEqual(limit, 64, "64 concurrent calls must fit on one connection")
            self.assertLess(limit, 100000, "stream limit is not a real bound")
        finally:
            other.stop_and_check(self)


if __name__ == "__main__":
    harness.main()
