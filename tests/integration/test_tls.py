"""TLS: a CA and server certificate made with the openssl CLI for this run;
grpcio verifies the chain; ALPN h2 and TLS 1.2+ are negotiated; a plaintext
client is refused cleanly while TLS clients keep being served."""

import shutil
import socket
import ssl
import tempfile
import unittest

import grpc

import harness
from harness import health_pb


class TlsTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="hz-tls-")
        cls.tls = harness.make_tls_material(cls.tmp)
        with open(cls.tls["ca"], "rb") as f:
            cls.ca_pem = f.read()
        cls.server = harness.Server(["--tls-cert", cls.tls["cert"],
                                     "--tls-key", cls.tls["key"]]).start()

    @classmethod
    def tearDownClass(cls):
        code = cls.server.stop()
        shutil.rmtree(cls.tmp, True)
        if code != 0:
            raise AssertionError("huizongd did not exit cleanly with 0 (exit code %s):\n%s"
                                 % (code, cls.server.log_text()))

    def tearDown(self):
        if not self.server.alive():
            self.fail("huizongd died during this test:\n%s" % self.server.log_text())

    def test_listening_line_says_tls(self):
        self.assertEqual(self.server.scheme, "tls")

    def test_health_check_over_tls(self):
        ch = self.server.secure_channel(self.ca_pem)
        harness.assert_serving(self, ch)

    def test_watch_over_tls(self):
        h = health_pb()
        ch = self.server.secure_channel(self.ca_pem)
        call = harness.health_watch(ch)(h.HealthCheckRequest(service=""), timeout=10)
        self.assertEqual(next(call).status, h.HealthCheckResponse.SERVING)
        call.cancel()

    def test_alpn_h2_and_tls12_or_later(self):
        ctx = ssl.create_default_context(cafile=self.tls["ca"])
        ctx.set_alpn_protocols(["h2"])
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=5) as raw:
            with ctx.wrap_socket(raw, server_hostname="localhost") as s:
                self.assertEqual(s.selected_alpn_protocol(), "h2")
                self.assertIn(s.version(), ("TLSv1.2", "TLSv1.3"))

    def test_wrong_ca_is_rejected_by_client(self):
        # Sanity check of the test itself: verification is really on.
        other = tempfile.mkdtemp(prefix="hz-tls-other-")
        try:
            with open(harness.make_tls_material(other)["ca"], "rb") as f:
                ch = self.server.secure_channel(f.read())
            err = harness.rpc_error(self, harness.health_check(ch),
                                    health_pb().HealthCheckRequest(), timeout=5)
            self.assertEqual(err.code(), grpc.StatusCode.UNAVAILABLE, err.details())
        finally:
            shutil.rmtree(other, True)
        harness.assert_serving(self, self.server.secure_channel(self.ca_pem))

    def test_plaintext_client_fails_cleanly_server_keeps_serving(self):
        good = self.server.secure_channel(self.ca_pem)
        harness.assert_serving(self, good)
        plain = self.server.channel()
        err = harness.rpc_error(self, harness.health_check(plain),
                                health_pb().HealthCheckRequest(), timeout=5)
        self.assertIn(err.code(), (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED,
                                   grpc.StatusCode.INTERNAL), err.details())
        # The raw HTTP/2 preface on the TLS port: the server closes it.
        with self.server.connect_raw() as s:
            s.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + b"\x00" * 64)
            s.settimeout(5)
            got = b""
            try:
                while True:
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    got += chunk
            except ConnectionResetError:
                pass
            # Reaching here (EOF or reset) rather than timing out is the point.
        harness.assert_serving(self, good)
        harness.assert_serving(self, self.server.secure_channel(self.ca_pem))

    def test_tls_handshake_without_alpn_h2_is_not_served_as_grpc(self):
        # A TLS client that offers only http/1.1 must not get a hung
        # connection: either the handshake fails or the server closes.
        ctx = ssl.create_default_context(cafile=self.tls["ca"])
        ctx.set_alpn_protocols(["http/1.1"])
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=5) as raw:
            try:
                with ctx.wrap_socket(raw, server_hostname="localhost") as s:
                    self.assertNotEqual(s.selected_alpn_protocol(), "http/1.1")
                    s.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
                    s.settimeout(5)
                    while s.recv(4096):
                        pass
            except (ssl.SSLError, ConnectionResetError):
                pass
        harness.assert_serving(self, self.server.secure_channel(self.ca_pem))


if __name__ == "__main__":
    harness.main()
