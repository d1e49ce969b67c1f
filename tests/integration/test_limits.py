"""Receive-size limit and large messages, through stock grpcio: 5 MiB is
refused with RESOURCE_EXHAUSTED under the 4 MiB default, accepted with
--max-message-bytes, and a message grpcio spreads over many DATA frames
is reassembled exactly."""

import grpc

import harness
from harness import health_pb

MIB = 1024 * 1024


def padded_check_request(service, pad_bytes):
    """A HealthCheckRequest whose `service` comes after pad_bytes of an
    undeclared field: the answer depends on the bytes at the very end, so
    it shows the server reassembled and parsed the whole message."""
    tail = health_pb().HealthCheckRequest(service=service).SerializeToString()
    return harness.unknown_field(1000, b"\x5a" * pad_bytes) + tail


class DefaultLimitTest(harness.ServerTestCase):

    def setUp(self):
        self.h = health_pb()
        self.channel = self.server.channel()

    def test_5mib_message_resource_exhausted(self):
        req = self.h.HealthCheckRequest(service="x" * (5 * MIB))
        err = harness.rpc_error(self, harness.health_check(self.channel), req, timeout=30)
        self.assertEqual(err.code(), grpc.StatusCode.RESOURCE_EXHAUSTED, err.details())
        # The connection, and the server, are still fine.
        harness.assert_serving(self, self.channel)

    def test_just_under_4mib_accepted(self):
        body = padded_check_request("", 4 * MIB - 64)
        self.assertLessEqual(len(body), 4 * MIB)
        resp = harness.unary(self.channel, "/grpc.health.v1.Health/Check")(body, timeout=30)
        self.assertEqual(self.h.HealthCheckResponse.FromString(resp).status,
                         self.h.HealthCheckResponse.SERVING)

    def test_just_over_4mib_resource_exhausted(self):
        body = padded_check_request("", 4 * MIB + 1)
        err = harness.rpc_error(self, harness.unary(self.channel, "/grpc.health.v1.Health/Check"),
                                body, timeout=30)
        self.assertEqual(err.code(), grpc.StatusCode.RESOURCE_EXHAUSTED, err.details())

    def test_large_message_split_across_many_data_frames(self):
        # 1 MiB is at least 64 DATA frames at HTTP/2's default 16 KiB frame
        # size; the service name at its end decides the answer.
        check = harness.unary(self.channel, "/grpc.health.v1.Health/Check")
        resp = check(padded_check_request("", MIB), timeout=30)
        self.assertEqual(self.h.HealthCheckResponse.FromString(resp).status,
                         self.h.HealthCheckResponse.SERVING)
        err = harness.rpc_error(self, check, padded_check_request("no.such.Service", MIB),
                                timeout=30)
        self.assertEqual(err.code(), grpc.StatusCode.NOT_FOUND, err.details())

    def test_several_large_messages_concurrently(self):
        check = harness.unary(self.channel, "/grpc.health.v1.Health/Check")
        futures = [check.future(padded_check_request("", 512 * 1024 + i * 1000), timeout=60)
                   for i in range(8)]
        for f in futures:
            self.assertEqual(self.h.HealthCheckResponse.FromString(f.result()).status,
                             self.h.HealthCheckResponse.SERVING)


class RaisedLimitTest(harness.ServerTestCase):
    server_args = ("--max-message-bytes", "8388608")

    def setUp(self):
        self.h = health_pb()
        self.channel = self.server.channel()

    def test_5mib_message_accepted(self):
        # A 5 MiB service name: NOT_FOUND proves the server read it all.
        # grpcio refuses response metadata over 8 KiB by default, so an
        # error text echoing the whole name would show up as a failure.
        req = self.h.HealthCheckRequest(service="x" * (5 * MIB))
        err = harness.rpc_error(self, harness.health_check(self.channel), req, timeout=30)
        self.assertEqual(err.code(), grpc.StatusCode.NOT_FOUND, err.details())

    def test_5mib_padded_request_serving(self):
        resp = harness.unary(self.channel, "/grpc.health.v1.Health/Check")(
            padded_check_request("", 5 * MIB), timeout=30)
        self.assertEqual(self.h.HealthCheckResponse.FromString(resp).status,
                         self.h.HealthCheckResponse.SERVING)

    def test_9mib_still_resource_exhausted(self):
        body = padded_check_request("", 9 * MIB)
        err = harness.rpc_error(self, harness.unary(self.channel, "/grpc.health.v1.Health/Check"),
                                body, timeout=30)
        self.assertEqual(err.code(), grpc.StatusCode.RESOURCE_EXHAUSTED, err.details())


if __name__ == "__main__":
    harness.main()
