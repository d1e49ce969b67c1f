"""TLS: a CA and server certificate made with the openssl CLI for this run;
grpcio verifies the chain; ALPN h2 and TLS 1.2+ are negotiated; a plaintext
client is refused cleanly while TLS clients keep being served."""

import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
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

    def test_tls_alpn_http11_serves_http11(self):
        # A browser offering only http/1.1 gets it (gRPC-Web and the
        # console); a client offering neither h2 nor http/1.1 is refused.
        ctx = ssl.create_default_context(cafile=self.tls["ca"])
        ctx.set_alpn_protocols(["http/1.1"])
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=5) as raw:
            with ctx.wrap_socket(raw, server_hostname="localhost") as s:
                self.assertEqual(s.selected_alpn_protocol(), "http/1.1")
                s.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                s.settimeout(5)
                got = b""
                while True:
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    got += chunk
        self.assertRegex(got, rb"^HTTP/1\.1 (200|404) ")
        # gRPC-Web over TLS HTTP/1.1: Health/Check, SERVING, then the
        # 0x80 trailer frame with the status.
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=5) as raw:
            with ctx.wrap_socket(raw, server_hostname="localhost") as s:
                s.sendall(b"POST /grpc.health.v1.Health/Check HTTP/1.1\r\nHost: localhost\r\n"
                          b"Content-Type: application/grpc-web+proto\r\nContent-Length: 5\r\n"
                          b"Connection: close\r\n\r\n\x00\x00\x00\x00\x00")
                s.settimeout(5)
                got = b""
                while True:
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    got += chunk
        self.assertTrue(got.startswith(b"HTTP/1.1 200 "), got)
        self.assertIn(b"\x00\x00\x00\x00\x02\x08\x01", got)
        # The trailer frame's length depends on the x-request-id that
        # follows the status (transport/observe.h).
        self.assertRegex(got, rb"(?s)\x80\x00\x00\x00.grpc-status:0\r\nx-request-id:[0-9a-f]{24}\r\n")
        ctx = ssl.create_default_context(cafile=self.tls["ca"])
        ctx.set_alpn_protocols(["spdy/3"])
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=5) as raw:
            with self.assertRaises((ssl.SSLError, ConnectionResetError)):
                with ctx.wrap_socket(raw, server_hostname="localhost") as s:
                    s.recv(1)
        harness.assert_serving(self, self.server.secure_channel(self.ca_pem))

    def test_cbc_suite_refused_aead_with_forward_secrecy_accepted(self):
        # RFC 7540 Appendix A: ECDHE-ECDSA-AES128-SHA (CBC) is forbidden
        # under HTTP/2; the GCM suite with the same key exchange is fine.
        self.assertIsNone(tls12_handshake(self.server.port, self.tls["ca"],
                                          "ECDHE-ECDSA-AES128-SHA"))
        self.assertEqual(tls12_handshake(self.server.port, self.tls["ca"],
                                         "ECDHE-ECDSA-AES128-GCM-SHA256"),
                         "ECDHE-ECDSA-AES128-GCM-SHA256")
        harness.assert_serving(self, self.server.secure_channel(self.ca_pem))


def tls12_handshake(port, cafile, ciphers):
    """The cipher a TLS 1.2 handshake offering only `ciphers` (and ALPN h2)
    agrees on, or None when the server refuses it."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(cafile)
    ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    ctx.set_ciphers(ciphers)
    ctx.set_alpn_protocols(["h2"])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        try:
            with ctx.wrap_socket(raw, server_hostname="localhost") as s:
                return s.cipher()[0]
        except (ssl.SSLError, ConnectionResetError):
            return None


class RsaCipherPolicyTest(unittest.TestCase):
    """With an RSA certificate static-RSA suites exist; none is accepted."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="hz-tls-rsa-")
        cls.cert = os.path.join(cls.tmp, "rsa.pem")
        cls.key = os.path.join(cls.tmp, "rsa.key")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                        "-keyout", cls.key, "-out", cls.cert, "-days", "2",
                        "-subj", "/CN=localhost", "-addext",
                        "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                       check=True, capture_output=True)
        cls.server = harness.Server(["--tls-cert", cls.cert, "--tls-key", cls.key]).start()

    @classmethod
    def tearDownClass(cls):
        code = cls.server.stop()
        shutil.rmtree(cls.tmp, True)
        if code != 0:
            raise AssertionError("huizongd exit code %s:\n%s" % (code, cls.server.log_text()))

    def s_client(self, *args, stdin=b""):
        return subprocess.run(["openssl", "s_client", "-connect",
                               "127.0.0.1:%d" % self.server.port, "-alpn", "h2",
                               "-CAfile", self.cert] + list(args),
                              input=stdin, capture_output=True, timeout=20)

    def test_aes128_sha_refused(self):
        res = self.s_client("-tls1_2", "-cipher", "AES128-SHA")
        out = res.stdout.decode(errors="replace")
        self.assertNotEqual(res.returncode, 0, out)
        self.assertIn("Cipher is (NONE)", out)
        self.assertIsNone(tls12_handshake(self.server.port, self.cert, "AES128-SHA"))

    def test_ecdhe_rsa_aes128_gcm_accepted(self):
        res = self.s_client("-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256")
        self.assertIn("Cipher is ECDHE-RSA-AES128-GCM-SHA256", res.stdout.decode(errors="replace"))
        with open(self.cert, "rb") as f:
            harness.assert_serving(self, self.server.secure_channel(f.read()))

    def test_renegotiation_refused(self):
        # s_client's "R" line asks for a TLS 1.2 renegotiation once the
        # handshake is done; the server must answer with a refusal.
        proc = subprocess.Popen(["openssl", "s_client", "-connect",
                                 "127.0.0.1:%d" % self.server.port, "-alpn", "h2", "-tls1_2",
                                 "-CAfile", self.cert],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT)
        lines = []
        reader = threading.Thread(target=lambda: lines.extend(iter(proc.stdout.readline, b"")),
                                  daemon=True)
        reader.start()
        try:
            proc.stdin.write(b"R\n")
            proc.stdin.flush()
            deadline = time.monotonic() + 15
            while (b"no renegotiation" not in b"".join(lines) and proc.poll() is None
                   and time.monotonic() < deadline):
                time.sleep(0.1)
        finally:
            proc.kill()
            proc.wait()
            reader.join(5)
            proc.stdin.close()
            proc.stdout.close()
        out = b"".join(lines).decode(errors="replace")
        self.assertIn("RENEGOTIATING", out)
        self.assertIn("no renegotiation", out)


class SilentSocketTest(unittest.TestCase):
    """Sockets that never send a ClientHello cannot hold every slot."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="hz-tls-silent-")
        cls.tls = harness.make_tls_material(cls.tmp)
        with open(cls.tls["ca"], "rb") as f:
            cls.ca_pem = f.read()
        cls.server = harness.Server(["--tls-cert", cls.tls["cert"], "--tls-key", cls.tls["key"],
                                     "--max-connections", "20",
                                     "--handshake-timeout", "3"]).start()

    @classmethod
    def tearDownClass(cls):
        code = cls.server.stop()
        shutil.rmtree(cls.tmp, True)
        if code != 0:
            raise AssertionError("huizongd exit code %s:\n%s" % (code, cls.server.log_text()))

    def test_silent_sockets_closed_after_handshake_deadline(self):
        silent = [self.server.connect_raw() for _ in range(20)]
        try:
            time.sleep(0.5)
            # Every slot is taken: the server has accepted all 20.
            for s in silent:
                s.settimeout(15)
            start = time.monotonic()
            for s in silent:
                try:
                    self.assertEqual(s.recv(1), b"")
                except ConnectionResetError:
                    pass
            self.assertLess(time.monotonic() - start, 15)
            # A real TLS client gets a slot (waiting for one to free up, as a
            # client whose first attempt met a full server would).
            h = health_pb()
            resp = harness.health_check(self.server.secure_channel(self.ca_pem))(
                h.HealthCheckRequest(service=""), timeout=15, wait_for_ready=True)
            self.assertEqual(resp.status, h.HealthCheckResponse.SERVING)
        finally:
            for s in silent:
                s.close()


if __name__ == "__main__":
    harness.main()
