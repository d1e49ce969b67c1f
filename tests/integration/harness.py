"""Shared harness for the integration tests: drives the real huizongd with
independent clients (Debian's python3-grpcio, and hyper-h2 for protocol
edges).

It generates Python protobuf classes from proto/ with `protoc --python_out`
once per process, starts huizongd on an ephemeral port (read back from its
"listening on" line), stops it with a signal and insists on exit code 0,
and hands out grpcio channels.

Configuration comes from the environment, set by tests/integration/
meson.build; each test file can also be run by hand:

    HUIZONGD=build/service/huizongd /usr/bin/python3 tests/integration/test_health.py

HUIZONGD        path of the huizongd executable (required)
HZ_PROTO_DIR    the proto/ source directory (default: ../../proto)
HZ_PROTO_FILES  ':'-separated .proto paths relative to it (default: all)
HZ_KEEP_LOGS    if set, print every server's stderr when it stops
HZ_SERVER_THREADS  if set, every huizongd starts with --threads N (a test's
                own --threads comes later and wins); unset, the daemon's
                default (the cores available)

A private PostgreSQL cluster (DATABASE_URL) plugs in at `server_env()`:
the environment every huizongd gets is built there, and `ServerTestCase`
is where a per-class cluster would be started and removed.
pgcluster.py builds on this for the database-backed tests: one cluster
per test file, a database per class (`PgServerTestCase`), reference data
and tokens.
"""

import atexit
import importlib
import importlib.util
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

import grpc

HERE = os.path.dirname(os.path.abspath(__file__))
PROTO_DIR = os.environ.get("HZ_PROTO_DIR") or os.path.join(HERE, "..", "..", "proto")
# The brief fixes "huizongd: listening on 127.0.0.1:PORT (h2c|tls)"; a log
# level tag after "huizongd:" (the logger adds one) is tolerated, and so is
# the same message as the "msg" of a --log-format json line.
LISTEN_RE = re.compile(rb'(?:huizongd:(?: [a-z]+:)? |"msg":")'
                       rb"listening on 127\.0\.0\.1:(\d+) \((h2c|tls)\)")
START_TIMEOUT = 15.0
STOP_TIMEOUT = 10.0

# grpcio must never route our loopback calls through a proxy from the
# environment; all other options are grpcio's defaults.
BASE_CHANNEL_OPTIONS = [("grpc.enable_http_proxy", 0)]


def huizongd_path():
    path = os.environ.get("HUIZONGD")
    if not path:
        raise RuntimeError("HUIZONGD is not set (path of the huizongd executable)")
    if not os.access(path, os.X_OK):
        raise RuntimeError("HUIZONGD=%s is not an executable file" % path)
    return path


# --------------------------------------------------------------------------
# Protobuf classes generated at run time

def _proto_file_list():
    listed = [p for p in os.environ.get("HZ_PROTO_FILES", "").split(":") if p]
    if listed:
        return listed
    found = []
    for root, _dirs, files in os.walk(PROTO_DIR):
        for f in files:
            if f.endswith(".proto"):
                found.append(os.path.relpath(os.path.join(root, f), PROTO_DIR))
    return sorted(found)


class _Protos:
    """protoc --python_out into a temporary directory, loaded on demand.

    Files under grpc/ would import as `grpc.health.v1...`, which collides
    with grpcio's own `grpc` package, so those are loaded from their path
    under a private module name; the rest import normally (they import
    each other as `huizong.v1.x_pb2`)."""

    def __init__(self):
        self.files = _proto_file_list()
        self.outdir = tempfile.mkdtemp(prefix="hz-pb2-")
        atexit.register(shutil.rmtree, self.outdir, True)
        cmd = ["protoc", "--python_out=" + self.outdir, "-I" + PROTO_DIR] + self.files
        res = subprocess.run(cmd, capture_output=True, text=True)
        if res.returncode != 0:
            raise RuntimeError("protoc failed: %s\n%s" % (" ".join(cmd), res.stderr))
        sys.path.insert(0, self.outdir)
        self.modules = {}

    def module(self, proto_path):
        if proto_path in self.modules:
            return self.modules[proto_path]
        if proto_path not in self.files:
            raise KeyError("%s is not among the proto files %s" % (proto_path, self.files))
        rel = proto_path[: -len(".proto")] + "_pb2"
        if rel.startswith("grpc/"):
            name = "hzpb_" + rel.replace("/", "_")
            spec = importlib.util.spec_from_file_location(
                name, os.path.join(self.outdir, rel + ".py"))
            mod = importlib.util.module_from_spec(spec)
            sys.modules[name] = mod
            spec.loader.exec_module(mod)
        else:
            mod = importlib.import_module(rel.replace("/", "."))
        self.modules[proto_path] = mod
        return mod


_protos = None


def pb(proto_path):
    """The generated module for a .proto path relative to proto/, e.g.
    pb("grpc/health/v1/health.proto").HealthCheckRequest."""
    global _protos
    if _protos is None:
        _protos = _Protos()
    return _protos.module(proto_path)


def health_pb():
    return pb("grpc/health/v1/health.proto")


# --------------------------------------------------------------------------
# The server under test

def threads_args():
    """--threads from HZ_SERVER_THREADS, so that the whole suite runs with
    one loop or several without editing a test."""
    n = os.environ.get("HZ_SERVER_THREADS", "")
    if not n:
        return []
    if not n.isdigit() or int(n) < 1:
        raise RuntimeError("HZ_SERVER_THREADS=%r is not a number of loops" % n)
    return ["--threads", n]


def server_loops():
    """How many event loops each huizongd of this run has: HZ_SERVER_THREADS,
    else the daemon's default, the cores this process may run on (what
    uv_available_parallelism() reads). Tests of one pool's bounds scale
    --db-connections and --db-queue by it, since those are per process
    and split across the loops."""
    n = os.environ.get("HZ_SERVER_THREADS", "")
    return int(n) if n.isdigit() and int(n) > 0 else len(os.sched_getaffinity(0))


def server_env(extra=None):
    """Environment for huizongd. Settings inherited from the developer's
    shell would make runs differ, so huizong's own variables are dropped;
    tests pass what they need (later: DATABASE_URL of a private cluster)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("HUIZONG_") and k != "DATABASE_URL"}
    env.update(extra or {})
    return env


class Server:
    """One huizongd process listening on 127.0.0.1 on a port it picks."""

    def __init__(self, args=(), env=None):
        self.args = list(args)
        self.env = server_env(env)
        self.proc = None
        self.port = None
        self.scheme = None
        self.log = bytearray()
        self._log_lock = threading.Lock()
        self._listening = threading.Event()
        self._readers = []
        self._channels = []

    # -- lifecycle --------------------------------------------------------

    def start(self):
        cmd = [huizongd_path(), "--listen", "127.0.0.1:0"] + threads_args() + self.args
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     env=self.env)
        for stream, watch in ((self.proc.stderr, True), (self.proc.stdout, False)):
            t = threading.Thread(target=self._drain, args=(stream, watch), daemon=True)
            t.start()
            self._readers.append(t)
        deadline = time.monotonic() + START_TIMEOUT
        while not self._listening.wait(0.05):
            if self.proc.poll() is not None:
                self._join_readers()
                raise RuntimeError("huizongd %s exited with %s before listening:\n%s"
                                   % (" ".join(self.args), self.proc.returncode, self.log_text()))
            if time.monotonic() > deadline:
                self.kill()
                raise RuntimeError("huizongd did not print its listening line in %.0fs:\n%s"
                                   % (START_TIMEOUT, self.log_text()))
        return self

    def _drain(self, stream, watch):
        """Keeps the pipe empty (a full pipe would block the server) and
        watches stderr for the listening line."""
        for line in iter(stream.readline, b""):
            with self._log_lock:
                self.log += line
            if watch and not self._listening.is_set():
                m = LISTEN_RE.search(line)
                if m:
                    self.port = int(m.group(1))
                    self.scheme = m.group(2).decode()
                    self._listening.set()
        stream.close()

    def _join_readers(self):
        for t in self._readers:
            t.join(5)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def send_signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self, sig=signal.SIGTERM, timeout=STOP_TIMEOUT):
        """Sends sig and waits; returns the exit code, or None (after a
        SIGKILL) when the server did not exit in time."""
        self.close_channels()
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
                self._join_readers()
                return None
        self._join_readers()
        if os.environ.get("HZ_KEEP_LOGS"):
            sys.stderr.write("--- huizongd log ---\n%s\n" % self.log_text())
        return self.proc.returncode

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def stop_and_check(self, testcase, sig=signal.SIGTERM, timeout=STOP_TIMEOUT):
        code = self.stop(sig, timeout)
        testcase.assertEqual(code, 0, "huizongd did not exit cleanly with 0 after %s "
                             "(exit code %s; None = still running after %.0fs):\n%s"
                             % (signal.Signals(sig).name, code, timeout, self.log_text()))

    def log_text(self):
        with self._log_lock:
            return self.log.decode("utf-8", "replace")

    # -- clients ----------------------------------------------------------

    @property
    def address(self):
        return "127.0.0.1:%d" % self.port

    def channel(self, options=()):
        ch = grpc.insecure_channel(self.address, options=BASE_CHANNEL_OPTIONS + list(options))
        self._channels.append(ch)
        return ch

    def secure_channel(self, root_pem, options=()):
        creds = grpc.ssl_channel_credentials(root_certificates=root_pem)
        ch = grpc.secure_channel(self.address, creds,
                                 options=BASE_CHANNEL_OPTIONS + list(options))
        self._channels.append(ch)
        return ch

    def close_channels(self):
        for ch in self._channels:
            ch.close()
        self._channels = []

    def connect_raw(self, timeout=5.0):
        return socket.create_connection(("127.0.0.1", self.port), timeout=timeout)


# --------------------------------------------------------------------------
# grpcio helpers

def raw(b):
    return b


def unary(channel, path, req_cls=None, resp_cls=None):
    """A unary callable; without classes it sends and returns raw bytes."""
    return channel.unary_unary(
        path,
        request_serializer=req_cls.SerializeToString if req_cls else raw,
        response_deserializer=resp_cls.FromString if resp_cls else raw)


def server_stream(channel, path, req_cls, resp_cls):
    return channel.unary_stream(path, request_serializer=req_cls.SerializeToString,
                                response_deserializer=resp_cls.FromString)


def bidi(channel, path, req_cls, resp_cls):
    return channel.stream_stream(path, request_serializer=req_cls.SerializeToString,
                                 response_deserializer=resp_cls.FromString)


def health_check(channel):
    h = health_pb()
    return unary(channel, "/grpc.health.v1.Health/Check",
                 h.HealthCheckRequest, h.HealthCheckResponse)


def health_watch(channel):
    h = health_pb()
    return server_stream(channel, "/grpc.health.v1.Health/Watch",
                         h.HealthCheckRequest, h.HealthCheckResponse)


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def unknown_field(number, payload):
    """A length-delimited field the message does not declare: proto3
    parsers must skip it, so it pads a request without changing it."""
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def assert_serving(testcase, channel, timeout=5.0):
    h = health_pb()
    resp = health_check(channel)(h.HealthCheckRequest(service=""), timeout=timeout)
    testcase.assertEqual(resp.status, h.HealthCheckResponse.SERVING)


def rpc_error(testcase, fn, *args, **kwargs):
    """Calls fn expecting a grpc.RpcError and returns it."""
    try:
        result = fn(*args, **kwargs)
    except grpc.RpcError as e:
        return e
    testcase.fail("expected an RPC error, got a result: %r" % (result,))


# --------------------------------------------------------------------------
# TLS material made with the openssl CLI

def make_tls_material(directory):
    """A throw-away CA and a server certificate for 127.0.0.1 and
    localhost signed by it. Returns dict of paths: ca, cert, key."""
    def run(*args):
        res = subprocess.run(["openssl"] + list(args), cwd=directory,
                             capture_output=True, text=True)
        if res.returncode != 0:
            raise RuntimeError("openssl %s failed:\n%s" % (" ".join(args), res.stderr))

    with open(os.path.join(directory, "server.ext"), "w") as f:
        f.write("subjectAltName = IP:127.0.0.1, DNS:localhost\n"
                "basicConstraints = critical, CA:FALSE\n"
                "keyUsage = critical, digitalSignature, keyEncipherment\n"
                "extendedKeyUsage = serverAuth\n")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    run("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
        "-subj", "/CN=huizong test CA")
    run("req", *ec, "-keyout", "server.key", "-out", "server.csr",
        "-subj", "/CN=localhost")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "server.ext")
    return {k: os.path.join(directory, v) for k, v in
            (("ca", "ca.pem"), ("cert", "server.pem"), ("key", "server.key"))}


# --------------------------------------------------------------------------
# Test case base

class ServerTestCase(unittest.TestCase):
    """Starts one huizongd per test class (with `server_args`), checks
    after every test that it is still running, and at the end that it
    stops cleanly with exit code 0 on SIGTERM."""

    server_args = ()

    @classmethod
    def setUpClass(cls):
        cls.server = Server(cls.server_args).start()

    @classmethod
    def tearDownClass(cls):
        code = cls.server.stop()
        if code != 0:
            raise AssertionError("huizongd did not exit cleanly with 0 on SIGTERM (exit code %s):\n%s"
                                 % (code, cls.server.log_text()))

    def tearDown(self):
        if not self.server.alive():
            self.fail("huizongd died during this test (exit code %s):\n%s"
                      % (self.server.proc.returncode, self.server.log_text()))


def main():
    huizongd_path()  # fail loudly, not with a skip, when not configured
    unittest.main(verbosity=2)
