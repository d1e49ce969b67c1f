"""Garbage on raw sockets, slow and never-reading clients, and shutdown by
signal: the server closes bad connections, bounds how long a peer may hold
a connection without progress (preface, headers, writes, idle measured by
calls), keeps serving everyone else, and exits 0 promptly on SIGTERM/SIGINT
even with a Watch open."""

import random
import select
import signal
import socket
import subprocess
import threading
import time
import unittest

import grpc
import h2.config
import h2.connection
import h2.settings

import h2client
import harness
from harness import health_pb

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"


def read_until_closed(sock, timeout=5.0):
    """Reads until the peer closes; returns the bytes read. Raises
    socket.timeout if the server keeps the connection open."""
    sock.settimeout(timeout)
    got = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            return got
        if not chunk:
            return got
        got += chunk
    raise socket.timeout("server kept the connection open for %.0fs" % timeout)


class GarbageTest(harness.ServerTestCase):

    def setUp(self):
        self.channel = self.server.channel()
        harness.assert_serving(self, self.channel)

    def send_garbage_and_expect_close(self, payload, half_close=False):
        with self.server.connect_raw() as s:
            s.sendall(payload)
            if half_close:
                s.shutdown(socket.SHUT_WR)
            try:
                read_until_closed(s)
            except socket.timeout:
                self.fail("server did not close a connection that sent %r..." % payload[:40])
        # Existing and new connections are unaffected.
        harness.assert_serving(self, self.channel)
        harness.assert_serving(self, self.server.channel())

    def test_random_bytes(self):
        rng = random.Random(20240601)
        for size in (1, 24, 100, 4096, 65536):
            self.send_garbage_and_expect_close(bytes(rng.randrange(256) for _ in range(size)))

    def test_http11_request(self):
        # HTTP/1.1 is served (gRPC-Web and the console, test_grpcweb.py and
        # test_static.py): a GET is answered and the connection kept alive
        # until the client says close.
        with self.server.connect_raw() as s:
            s.settimeout(10)
            s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n")
            got = b""
            while b"\r\n\r\n" not in got:
                chunk = s.recv(4096)
                self.assertTrue(chunk, "closed before an answer: %r" % got)
                got += chunk
            self.assertRegex(got, rb"^HTTP/1\.1 (200|404) ")
            s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            rest = read_until_closed(s)
            self.assertIn(b"HTTP/1.1 ", rest)
        harness.assert_serving(self, self.channel)

    def test_http11_upgrade_request(self):
        # No h2c upgrade (RFC 9113 dropped it): the GET is answered as
        # HTTP/1.1, never with 101, and the connection closes.
        with self.server.connect_raw() as s:
            s.sendall(
                b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade, HTTP2-Settings\r\n"
                b"Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n")
            got = read_until_closed(s)
        self.assertRegex(got, rb"^HTTP/1\.1 (200|404) ")
        harness.assert_serving(self, self.channel)

    def test_truncated_preface(self):
        self.send_garbage_and_expect_close(PREFACE[:10], half_close=True)

    def test_preface_then_garbage_frames(self):
        self.send_garbage_and_expect_close(PREFACE + b"\xff" * 200)

    def test_preface_then_oversized_frame_header(self):
        # A frame announcing 16 MiB, more than SETTINGS_MAX_FRAME_SIZE.
        settings = b"\x00\x00\x00\x04\x00\x00\x00\x00\x00"
        self.send_garbage_and_expect_close(PREFACE + settings + b"\xff\xff\xff\x00\x00\x00\x00\x00\x01")

    def test_connect_and_close_immediately(self):
        for _ in range(50):
            s = self.server.connect_raw()
            s.close()
        harness.assert_serving(self, self.channel)

    def test_garbage_connection_held_open_does_not_block_others(self):
        # A peer that sends half a preface and then nothing: whatever the
        # server does with it, other clients are served meanwhile.
        held = [self.server.connect_raw() for _ in range(10)]
        try:
            for s in held:
                s.sendall(PREFACE[:7])
            for _ in range(5):
                harness.assert_serving(self, self.server.channel())
        finally:
            for s in held:
                s.close()

    def test_many_garbage_connections_in_parallel(self):
        rng = random.Random(7)
        payloads = [bytes(rng.randrange(256) for _ in range(rng.randrange(1, 2000)))
                    for _ in range(40)]
        failures = []

        def hit(p):
            try:
                with self.server.connect_raw() as s:
                    s.sendall(p)
                    read_until_closed(s)
            except socket.timeout as e:
                failures.append(str(e))
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server closed first: fine

        threads = [threading.Thread(target=hit, args=(p,)) for p in payloads]
        for t in threads:
            t.start()
        harness.assert_serving(self, self.channel)
        for t in threads:
            t.join(30)
        self.assertEqual(failures, [])
        harness.assert_serving(self, self.server.channel())


def client_preface():
    """The client connection preface and its SETTINGS frame."""
    c = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
    c.initiate_connection()
    return c.data_to_send()


def closed(sock):
    """True once the server has closed sock (EOF or reset); drains what
    it sent. Never blocks."""
    try:
        while select.select([sock], [], [], 0)[0]:
            if not sock.recv(65536):
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    return False


def trickle_until_closed(socks, payload, interval, limit):
    """Sends payload one byte per interval to every socket until the server
    closes them all or limit seconds pass; returns those still open."""
    open_socks = list(socks)
    deadline = time.monotonic() + limit
    i = 0
    while open_socks and time.monotonic() < deadline:
        for s in list(open_socks):
            if closed(s):
                open_socks.remove(s)
                continue
            if payload and i < len(payload):
                try:
                    s.sendall(payload[i:i + 1])
                except (BrokenPipeError, ConnectionResetError):
                    open_socks.remove(s)
        i += 1
        time.sleep(interval)
    return open_socks


class SlowClientTest(harness.ServerTestCase):
    """Every way of holding a connection without progress ends within the
    timeouts (2 s here), while a normal client keeps being served."""

    server_args = ("--handshake-timeout", "2", "--idle-timeout", "2", "--write-timeout", "2")
    N = 20          # connections per case
    LIMIT = 15.0    # seconds before a connection counts as held forever

    def setUp(self):
        self.channel = self.server.channel()
        harness.assert_serving(self, self.channel)

    def connections(self, first=b""):
        socks = [self.server.connect_raw() for _ in range(self.N)]
        for s in socks:
            if first:
                s.sendall(first)
        self.addCleanup(lambda: [s.close() for s in socks])
        return socks

    def assert_all_closed(self, socks, payload=b"", interval=0.5):
        still = trickle_until_closed(socks, payload, interval, self.LIMIT)
        self.assertEqual(len(still), 0, "%d of %d connections still open after %.0fs"
                         % (len(still), len(socks), self.LIMIT))
        harness.assert_serving(self, self.channel)

    def test_silent_connections_closed(self):
        self.assert_all_closed(self.connections())

    def test_preface_trickled_one_byte_at_a_time_closed(self):
        self.assert_all_closed(self.connections(), client_preface())

    def test_idle_is_measured_by_calls_not_bytes(self):
        # After a complete preface, one byte of a PING frame every 0.3 s:
        # bytes keep arriving, but no call ever starts.
        ping = b"\x00\x00\x08\x06\x00\x00\x00\x00\x00" + b"\x01" * 8
        self.assert_all_closed(self.connections(client_preface()), ping * 4, interval=0.3)

    def test_unfinished_request_headers_closed(self):
        # HEADERS without END_HEADERS, then CONTINUATION never comes.
        c = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
        c.initiate_connection()
        headers = (b"\x00\x00\x05\x01\x00\x00\x00\x00\x01"  # HEADERS, no flags, stream 1
                   b"\x83\x86\x44\x01\x2f")                   # :method POST, :scheme http, :path /
        self.assert_all_closed(self.connections(c.data_to_send() + headers))

    def test_client_that_stops_reading_is_cut(self):
        # A client with wide-open HTTP/2 windows that never reads its
        # socket: the server's writes stop making progress.
        r = harness.pb("grpc/reflection/v1/reflection.proto")
        msg = h2client.grpc_frame(r.ServerReflectionRequest(
            file_containing_symbol="huizong.v1.Reporting").SerializeToString())
        socks = []
        for _ in range(3):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.connect(("127.0.0.1", self.server.port))
            c = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
            c.initiate_connection()
            c.update_settings({h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 2 ** 31 - 1})
            c.increment_flow_control_window(2 ** 30)
            c.send_headers(1, [(":method", "POST"), (":scheme", "http"), (":path",
                           "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo"),
                           (":authority", "x"), ("content-type", "application/grpc"),
                           ("te", "trailers")])
            s.sendall(c.data_to_send())
            # The server's SETTINGS and WINDOW_UPDATE open its receive window.
            s.settimeout(5)
            while c.local_flow_control_window(1) < 1 << 17:
                chunk = s.recv(65536)
                self.assertTrue(chunk, "server closed before opening its window")
                c.receive_data(chunk)
            body = msg * 3000  # ~16 MB of replies: more than socket buffers hold
            for i in range(0, len(body), 16384):
                c.send_data(1, body[i:i + 16384])
            s.sendall(c.data_to_send())
            socks.append(s)
        self.addCleanup(lambda: [s.close() for s in socks])
        time.sleep(4)  # nothing read: past the 2 s write timeout
        self.assert_all_closed(socks)


class ListenAddressTest(unittest.TestCase):
    """--listen is parsed by the client's host:port parser (wire/hostport.h)."""

    def run_listen(self, addr):
        return subprocess.run([harness.huizongd_path(), "--listen", addr],
                              stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              env=harness.server_env(), timeout=30)

    def test_malformed_addresses_refused_with_reason(self):
        # "::1:0" was once split at its last colon and bound to [::1];
        # the others were cut by strtol or kept blanks in the host.
        for addr, reason in (("::1:0", "bracket"), ("127.0.0.1:+80", "port"),
                             ("127.0.0.1:", "port"), (" 127.0.0.1:0", ""),
                             ("127.0.0.1:65536", "port"), ("localhost:0", "IP address")):
            res = self.run_listen(addr)
            self.assertEqual(res.returncode, 1, "%r: %s" % (addr, res.stderr))
            self.assertIn("listen address '%s'" % addr, res.stderr)
            self.assertIn(reason, res.stderr, addr)

    def test_bracketed_ipv6_and_port_zero_listen(self):
        proc = subprocess.Popen([harness.huizongd_path(), "--listen", "[::1]:0"],
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, env=harness.server_env())
        self.addCleanup(proc.wait, 10)
        self.addCleanup(proc.kill)
        seen = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = proc.stderr.readline()
            if not line:
                break
            seen.append(line)
            if b"listening on [::1]:" in line:
                return
        self.fail("no listening line for [::1]:0: %r" % seen)


class ShutdownTest(unittest.TestCase):
    """Each test owns its server, since it stops it."""

    def start(self):
        self.server = harness.Server().start()
        self.addCleanup(self.server.kill)
        return self.server

    def test_sigterm_with_open_watch_exits_0(self):
        server = self.start()
        h = health_pb()
        ch = server.channel()
        call = harness.health_watch(ch)(h.HealthCheckRequest(service=""), timeout=60)
        self.assertEqual(next(call).status, h.HealthCheckResponse.SERVING)
        ended = threading.Event()
        outcome = []

        def consume():
            try:
                for msg in call:
                    outcome.append(msg.status)
                outcome.append("ended OK")
            except grpc.RpcError as e:
                outcome.append(e.code())
            ended.set()

        threading.Thread(target=consume, daemon=True).start()
        start = time.monotonic()
        server.send_signal(signal.SIGTERM)
        try:
            code = server.proc.wait(5)
        except Exception:
            code = None
        elapsed = time.monotonic() - start
        self.assertEqual(code, 0, "exit code %s after SIGTERM with a Watch open (%.1fs):\n%s"
                         % (code, elapsed, server.log_text()))
        # The client learns the call is over rather than hanging.
        self.assertTrue(ended.wait(10), "the Watch call did not end after shutdown")
        call.cancel()

    def test_sigint_exits_0(self):
        server = self.start()
        harness.assert_serving(self, server.channel())
        server.stop_and_check(self, signal.SIGINT, timeout=5)

    def test_sigterm_idle_exits_0_and_stops_listening(self):
        server = self.start()
        harness.assert_serving(self, server.channel())
        port = server.port
        server.stop_and_check(self, signal.SIGTERM, timeout=5)
        with self.assertRaises(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=2).close()

    def test_sigterm_during_many_calls_exits_0(self):
        server = self.start()
        h = health_pb()
        check = harness.health_check(server.channel())
        futures = [check.future(h.HealthCheckRequest(service=""), timeout=10) for _ in range(200)]
        server.send_signal(signal.SIGTERM)
        try:
            code = server.proc.wait(10)
        except Exception:
            code = None
        self.assertEqual(code, 0, server.log_text())
        for f in futures:
            # Calls already accepted finish; later ones are refused. None
            # may hang or come back as an INTERNAL error.
            try:
                self.assertEqual(f.result(timeout=10).status, h.HealthCheckResponse.SERVING)
            except grpc.RpcError as e:
                self.assertIn(e.code(), (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED),
                              e.details())


if __name__ == "__main__":
    harness.main()
