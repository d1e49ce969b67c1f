"""grpc.health.v1.Health through stock grpcio: Check and Watch, unknown
methods and services, 64 concurrent calls on one connection and a
deadline that expires while the server holds the call."""

import threading
import time

import grpc

import harness
from harness import health_pb


class HealthTest(harness.ServerTestCase):

    def setUp(self):
        self.channel = self.server.channel()
        self.h = health_pb()

    def test_check_overall_serving(self):
        resp = harness.health_check(self.channel)(self.h.HealthCheckRequest(service=""),
                                                  timeout=5)
        self.assertEqual(resp.status, self.h.HealthCheckResponse.SERVING)

    def test_check_with_empty_body(self):
        # An empty message is a valid HealthCheckRequest (service "").
        resp = harness.unary(self.channel, "/grpc.health.v1.Health/Check")(b"", timeout=5)
        self.assertEqual(self.h.HealthCheckResponse.FromString(resp).status,
                         self.h.HealthCheckResponse.SERVING)

    def test_check_unknown_service_not_found(self):
        err = harness.rpc_error(self, harness.health_check(self.channel),
                                self.h.HealthCheckRequest(service="no.such.Service"), timeout=5)
        self.assertEqual(err.code(), grpc.StatusCode.NOT_FOUND, err.details())

    def test_check_unknown_service_chinese_name_in_message(self):
        # grpc-message is percent-encoded on the wire; grpcio decodes it.
        name = "汇总.不存在的服务"
        err = harness.rpc_error(self, harness.health_check(self.channel),
                                self.h.HealthCheckRequest(service=name), timeout=5)
        self.assertEqual(err.code(), grpc.StatusCode.NOT_FOUND)
        self.assertIn(name, err.details() or "")

    def test_check_long_unknown_service_name_not_found(self):
        # The name is client input; echoing all of it into grpc-message
        # would exceed what clients accept in metadata (grpcio: 8 KiB) or
        # what fits a header block at all. The answer must still be a
        # plain NOT_FOUND.
        for n in (10 * 1024, 100 * 1024):
            err = harness.rpc_error(self, harness.health_check(self.channel),
                                    self.h.HealthCheckRequest(service="y" * n), timeout=5)
            self.assertEqual(err.code(), grpc.StatusCode.NOT_FOUND,
                             "%d-byte name: %s" % (n, err.details()))

    def test_watch_first_message_serving_then_cancel(self):
        call = harness.health_watch(self.channel)(self.h.HealthCheckRequest(service=""),
                                                  timeout=10)
        first = next(call)
        self.assertEqual(first.status, self.h.HealthCheckResponse.SERVING)
        call.cancel()
        with self.assertRaises(grpc.RpcError) as cm:
            next(call)
        self.assertEqual(cm.exception.code(), grpc.StatusCode.CANCELLED)
        harness.assert_serving(self, self.channel)

    def test_watch_unknown_service_reports_service_unknown(self):
        # health-checking.md: Watch on an unknown service sends
        # SERVICE_UNKNOWN and keeps the call open.
        call = harness.health_watch(self.channel)(
            self.h.HealthCheckRequest(service="no.such.Service"), timeout=10)
        first = next(call)
        self.assertEqual(first.status, self.h.HealthCheckResponse.SERVICE_UNKNOWN)
        call.cancel()

    def test_cancelled_watches_release_their_streams(self):
        # More cancelled Watches, one after another on one connection, than
        # any sane per-connection stream limit: if cancelled streams were
        # not released, later ones would be refused.
        watch = harness.health_watch(self.channel)
        for i in range(300):
            call = watch(self.h.HealthCheckRequest(service=""), timeout=10)
            self.assertEqual(next(call).status, self.h.HealthCheckResponse.SERVING,
                             "watch %d" % i)
            call.cancel()
        harness.assert_serving(self, self.channel)

    def test_unknown_method_unimplemented(self):
        err = harness.rpc_error(self, harness.unary(self.channel, "/grpc.health.v1.Health/Nope"),
                                b"", timeout=5)
        self.assertEqual(err.code(), grpc.StatusCode.UNIMPLEMENTED, err.details())

    def test_unknown_service_unimplemented(self):
        err = harness.rpc_error(self, harness.unary(self.channel, "/no.such.Service/Method"),
                                b"", timeout=5)
        self.assertEqual(err.code(), grpc.StatusCode.UNIMPLEMENTED, err.details())

    def test_unknown_method_streaming_unimplemented(self):
        call = self.channel.stream_stream("/huizong.v1.NoSuch/Stream",
                                          request_serializer=harness.raw,
                                          response_deserializer=harness.raw)
        with self.assertRaises(grpc.RpcError) as cm:
            list(call(iter([b"", b""]), timeout=5))
        self.assertEqual(cm.exception.code(), grpc.StatusCode.UNIMPLEMENTED)

    def test_64_concurrent_checks_on_one_channel(self):
        check = harness.health_check(self.channel)
        futures = [check.future(self.h.HealthCheckRequest(service=""), timeout=20)
                   for _ in range(64)]
        statuses = [f.result().status for f in futures]
        self.assertEqual(statuses, [self.h.HealthCheckResponse.SERVING] * 64)

    def test_64_concurrent_watches_open_at_once(self):
        # Long-lived streams, all open at the same time on one connection.
        watch = harness.health_watch(self.channel)
        calls = [watch(self.h.HealthCheckRequest(service=""), timeout=30) for _ in range(64)]
        try:
            for i, call in enumerate(calls):
                self.assertEqual(next(call).status, self.h.HealthCheckResponse.SERVING,
                                 "watch %d" % i)
            harness.assert_serving(self, self.channel)
        finally:
            for call in calls:
                call.cancel()

    def test_deadline_expires_during_watch(self):
        start = time.monotonic()
        call = harness.health_watch(self.channel)(self.h.HealthCheckRequest(service=""),
                                                  timeout=0.5)
        with self.assertRaises(grpc.RpcError) as cm:
            for _ in call:
                pass
        elapsed = time.monotonic() - start
        self.assertEqual(cm.exception.code(), grpc.StatusCode.DEADLINE_EXCEEDED)
        self.assertGreater(elapsed, 0.4)
        self.assertLess(elapsed, 5.0)
        harness.assert_serving(self, self.channel)

    def test_concurrent_channels_from_threads(self):
        # Several connections at once, each with a few calls.
        errors = []

        def worker():
            try:
                ch = self.server.channel()
                check = harness.health_check(ch)
                for _ in range(20):
                    r = check(self.h.HealthCheckRequest(service=""), timeout=10)
                    if r.status != self.h.HealthCheckResponse.SERVING:
                        errors.append(r.status)
            except Exception as e:  # reported below, with the others
                errors.append(e)

        threads = [threading.Thread(target=worker) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        self.assertEqual(errors, [])


if __name__ == "__main__":
    harness.main()
