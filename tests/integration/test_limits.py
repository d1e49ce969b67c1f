"""Receive-size limit and large messages, through stock grpcio: 5 MiB is
refused with RESOURCE_EXHAUSTED under the 4 MiB default, accepted with
--max-message-bytes, and a message grpcio spreads over many DATA frames
is reassembled exactly. Memory in bytes: a burst of large requests held
at once passes --max-held-bytes only as RESOURCE_EXHAUSTED and the
server gives the memory back; a client that never opens its window
cannot make the server queue replies past --max-output-bytes."""

import time

import grpc
import h2.errors
import h2.exceptions
import h2.settings

import h2client
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


def rss_bytes(pid):
    """Resident set size of a process, from /proc/PID/status (VmRSS)."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS for pid %d" % pid)


def rss_is_meaningful(pid):
    """False for an AddressSanitizer build: its allocator quarantines freed
    memory and ignores malloc_trim, so resident size says nothing about
    what the server holds. The budget's refusals are checked either way."""
    with open("/proc/%d/maps" % pid) as f:
        return "libasan" not in f.read()


CHECK = "/grpc.health.v1.Health/Check"


class HeldBytesBudgetTest(harness.ServerTestCase):
    # 16 MiB for everything the calls hold; the burst below is 96 MiB.
    server_args = ("--max-held-bytes", str(16 * MIB))

    def test_burst_of_large_requests_is_bounded_and_memory_returns(self):
        pid = self.server.proc.pid
        channel = self.server.channel()
        harness.assert_serving(self, channel)
        baseline = rss_bytes(pid)
        body = h2client.grpc_frame(padded_check_request("", MIB - 64))
        with h2client.H2Client(self.server.port, timeout=30) as c:
            c.wait_settings()
            # 96 unary calls, each 1 MiB, all received before any ends: the
            # server holds them together (the shape of a burst of large
            # submissions waiting for the database).
            sids = []
            for _ in range(96):
                sid = c.start(CHECK)
                for i in range(0, len(body), 16384):
                    c.pump(timeout=0.001)
                    if c.streams[sid].done:
                        break  # refused: the server stopped reading it
                    c.send_data(sid, body[i:i + 16384])
                sids.append(sid)
            c.wait_until(lambda: False, timeout=1.0)  # let refusals arrive
            peak = rss_bytes(pid)
            for sid in sids:
                if not c.streams[sid].done:
                    c.end(sid)
            results = [c.wait(sid, timeout=30) for sid in sids]
        codes = [r.grpc_status for r in results]
        exhausted = [r for r in results if r.grpc_status == grpc.StatusCode.RESOURCE_EXHAUSTED.value[0]]
        served = codes.count(0)
        self.assertTrue(exhausted, "no call was refused: %s" % codes)
        self.assertGreater(served, 0, codes)
        self.assertEqual(served + len(exhausted), len(codes), codes)
        self.assertIn("--max-held-bytes", exhausted[0].grpc_message)
        self.assertIn("retry", exhausted[0].grpc_message)
        harness.assert_serving(self, channel)
        if not rss_is_meaningful(pid):
            return
        # At most the budget plus one message in flight per refusal, plus
        # allocator slack: nowhere near the 96+ MiB the burst carried.
        self.assertLess(peak - baseline, 56 * MIB, "peak RSS %d, baseline %d" % (peak, baseline))
        harness.assert_serving(self, channel)
        # The memory comes back once the calls are over (bounded wait).
        deadline = time.monotonic() + 10
        while rss_bytes(pid) - baseline >= 24 * MIB and time.monotonic() < deadline:
            time.sleep(0.2)
        self.assertLess(rss_bytes(pid) - baseline, 24 * MIB)


REFLECTION = "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo"


def reflect(channel):
    return channel.stream_stream(REFLECTION, request_serializer=harness.raw,
                                 response_deserializer=harness.raw)


class OutputBudgetTest(harness.ServerTestCase):
    server_args = ("--max-output-bytes", str(2 * MIB))

    def reflection_request(self):
        r = harness.pb("grpc/reflection/v1/reflection.proto")
        return r.ServerReflectionRequest(
            file_containing_symbol="huizong.v1.Reporting").SerializeToString()

    def test_zero_window_client_is_reset_and_memory_bounded(self):
        pid = self.server.proc.pid
        channel = self.server.channel()
        harness.assert_serving(self, channel)
        baseline = rss_bytes(pid)
        msg = h2client.grpc_frame(self.reflection_request())
        with h2client.H2Client(self.server.port, timeout=30) as c:
            # A window of zero: the server may send no DATA at all.
            c.conn.update_settings({h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 0})
            c.flush()
            c.wait_settings()
            sid = c.start(REFLECTION)
            # ~230 KiB of requests: each answer is tens of KiB, so without a
            # bound the replies would be hundreds of MiB.
            for _ in range(80):
                if c.streams[sid].done:
                    break
                c.send_data(sid, msg * 100)
                c.pump(timeout=0.01)
            stream = c.wait(sid, timeout=30)
            self.assertEqual(stream.reset_code, h2.errors.ErrorCodes.ENHANCE_YOUR_CALM, stream)
            self.assertEqual(len(stream.data), 0)
        if rss_is_meaningful(pid):
            self.assertLess(rss_bytes(pid) - baseline, 64 * MIB)
        # Another client is served as usual, reflection included.
        harness.assert_serving(self, channel)
        self.assertEqual(len(list(reflect(channel)(iter([self.reflection_request()]),
                                                    timeout=10))), 1)

    def test_reading_client_gets_every_reply(self):
        # The budget cuts pile-ups for a client that does not read, not a
        # client that does.
        channel = self.server.channel()
        replies = list(reflect(channel)(iter([self.reflection_request()] * 40), timeout=30))
        self.assertEqual(len(replies), 40)


if __name__ == "__main__":
    harness.main()
