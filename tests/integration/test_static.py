"""The web console's files served by huizongd over HTTP/1.1 and HTTP/2
GET (raw sockets and hyper-h2): from --web-root here (a directory this
test writes, with a symbolic link pointing out of it), and the build's
embedded table, which without a built console answers 404 with how to
build it. Also the HTTP/1.1 slow-client deadlines (a head trickled past
--handshake-timeout, a reader that takes none of a large answer within
--write-timeout) and idle keep-alive connections."""

import os
import re
import shutil
import socket
import tempfile
import time
import unittest

import harness
from h1client import H1
from h2client import H2Client, StreamResult

INDEX = b"<!doctype html><html><head><script type=module src=/assets/app-3f2a9c.js></script>" \
        b"</head><body><div id=app></div></body></html>\n"
APP_JS = b"console.log('\xe6\xb1\x87\xe6\x80\xbb');\n"
BIG = 48 << 20  # bytes of a file no socket buffer holds
ORIGIN = "https://other.example.cn"


def make_root():
    root = tempfile.mkdtemp(prefix="hz-web-")
    os.makedirs(os.path.join(root, "assets"))
    files = {"index.html": INDEX, "assets/app-3f2a9c.js": APP_JS,
             "assets/app-77aa.css": b"body{margin:0}\n", "logo.svg": b"<svg/>\n",
             "big.bin": b"\x00" * BIG}
    for name, data in files.items():
        with open(os.path.join(root, name), "wb") as f:
            f.write(data)
    secret_dir = tempfile.mkdtemp(prefix="hz-secret-")
    with open(os.path.join(secret_dir, "secret.txt"), "wb") as f:
        f.write(b"do not serve\n")
    os.symlink(os.path.join(secret_dir, "secret.txt"), os.path.join(root, "escape.txt"))
    os.symlink(secret_dir, os.path.join(root, "outside"))
    return root, secret_dir


class WebRootTest(harness.ServerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.root, cls.secret = make_root()
        cls.server_args = ("--web-root", cls.root, "--cors-origin", ORIGIN,
                           "--handshake-timeout", "2", "--write-timeout", "2",
                           "--idle-timeout", "3")
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(cls.root)
        shutil.rmtree(cls.secret)

    def get(self, path, headers=(), method="GET"):
        with H1(self.server.port) as c:
            c.send(c.request(method, path, headers))
            return c.read(head_only=method == "HEAD")

    def test_index_and_content_types(self):
        for path, ctype, body in (("/", "text/html; charset=utf-8", INDEX),
                                  ("/index.html", "text/html; charset=utf-8", INDEX),
                                  ("/assets/app-3f2a9c.js", "text/javascript; charset=utf-8",
                                   APP_JS),
                                  ("/assets/app-77aa.css", "text/css; charset=utf-8", None),
                                  ("/logo.svg", "image/svg+xml", None)):
            r = self.get(path)
            self.assertEqual(r.status, 200, (path, r))
            self.assertEqual(r.header("content-type"), ctype, path)
            self.assertEqual(r.header("x-content-type-options"), "nosniff")
            if body is not None:
                self.assertEqual(r.body, body)
        r = self.get("/index.html?lang=en#x")
        self.assertEqual(r.body, INDEX)

    def test_caching_headers_and_etag(self):
        asset = self.get("/assets/app-3f2a9c.js")
        self.assertEqual(asset.header("cache-control"), "public, max-age=31536000, immutable")
        index = self.get("/")
        self.assertEqual(index.header("cache-control"), "no-cache")
        for r, path in ((asset, "/assets/app-3f2a9c.js"), (index, "/")):
            etag = r.header("etag")
            self.assertRegex(etag, r'^"[0-9a-f-]+"$')
            again = self.get(path, [("If-None-Match", etag)])
            self.assertEqual(again.status, 304, again)
            self.assertEqual(again.header("etag"), etag)
            self.assertEqual(self.get(path, [("If-None-Match", '"other"')]).status, 200)

    def test_content_security_policy(self):
        csp = self.get("/").header("content-security-policy")
        directives = {d.split()[0]: d.split()[1:] for d in csp.split("; ")}
        self.assertEqual(directives["default-src"], ["'self'"])
        self.assertEqual(directives["script-src"], ["'self'"])  # no inline script
        self.assertEqual(directives["object-src"], ["'none'"])
        self.assertEqual(directives["frame-ancestors"], ["'none'"])
        self.assertEqual(directives["connect-src"], ["'self'", ORIGIN])

    def test_console_routes_fall_back_to_index(self):
        for path in ("/dashboard", "/county/420624/2022Q1", "/entry/"):
            r = self.get(path)
            self.assertEqual((r.status, r.body), (200, INDEX), path)
        for path in ("/missing.js", "/assets/gone-1234.css", "/dashboard/x.png"):
            r = self.get(path)
            self.assertEqual(r.status, 404, path)
            self.assertEqual(r.body, b"not found\n")

    def test_traversal_refused(self):
        for path in ("/../../etc/passwd", "/assets/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd",
                     "/assets/..%2f..%2fetc%2fpasswd", "/a%00b", "/a\\..\\b", "/%zz"):
            r = self.get(path)
            self.assertEqual(r.status, 400, (path, r))
        for path in ("/escape.txt", "/outside/secret.txt"):  # symbolic links out of the root
            r = self.get(path)
            self.assertEqual(r.status, 404, (path, r))
            self.assertNotIn(b"do not serve", r.body)

    def test_head_and_other_methods(self):
        r = self.get("/", method="HEAD")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("content-length"), str(len(INDEX)))
        with H1(self.server.port) as c:  # HEAD sends no body: the next answer follows
            c.send(c.request("HEAD", "/") + c.request("GET", "/logo.svg"))
            c.read(head_only=True)
            self.assertEqual(c.read().body, b"<svg/>\n")
        for method in ("PUT", "DELETE", "PATCH"):
            r = self.get("/", method=method)
            self.assertEqual(r.status, 405, method)
            self.assertIn("GET", r.header("allow"))
        r = self.get("/", [("Content-Type", "text/plain")], method="POST")
        self.assertEqual(r.status, 415)

    def test_request_in_small_pieces(self):
        # Fewer first bytes than tell HTTP/2's preface apart, then the rest.
        with H1(self.server.port) as c:
            for piece in (b"G", b"ET / HT", b"TP/1.1\r\nHo", b"st: x\r\n", b"\r\n"):
                c.send(piece)
                time.sleep(0.1)
            r = c.read()
            self.assertEqual((r.status, r.body), (200, INDEX))

    def test_http2_get(self):
        with H2Client(self.server.port) as c:
            for path, status, body in (("/", 200, INDEX), ("/assets/app-3f2a9c.js", 200, APP_JS),
                                       ("/nope.txt", 404, b"not found\n"),
                                       ("/../etc/passwd", 400, None)):
                sid = c.conn.get_next_available_stream_id()
                c.streams[sid] = StreamResult()
                c.conn.send_headers(sid, [(b":method", b"GET"), (b":scheme", b"http"),
                                          (b":path", path.encode()),
                                          (b":authority", b"127.0.0.1")], end_stream=True)
                c.flush()
                res = c.wait(sid)
                self.assertEqual(res.http_status, status, (path, res))
                if body is not None:
                    self.assertEqual(bytes(res.data), body)
                if status == 200:
                    self.assertIsNotNone(res.header("content-security-policy", "headers"))

    # -- slow clients ----------------------------------------------------------

    def test_head_trickled_past_the_deadline_is_closed(self):
        with H1(self.server.port) as c:
            start = time.monotonic()
            closed = False
            for ch in b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 100:
                try:
                    c.send(bytes([ch]))
                except (BrokenPipeError, ConnectionResetError):
                    closed = True
                    break
                if c.closed_within(0.3):
                    closed = True
                    break
            took = time.monotonic() - start
            self.assertTrue(closed, "a head trickled for %.1fs was not cut" % took)
            self.assertGreaterEqual(took, 1.5, "cut before --handshake-timeout 2")
            self.assertLess(took, 30)
        harness.assert_serving(self, self.server.channel())

    def test_reader_taking_nothing_hits_the_write_timeout(self):
        # A modest receive buffer, set before connecting (the window scale
        # is fixed then): the client holds little, and once the server
        # has given up, what its kernel still had drains fast.
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
        sock.settimeout(15)
        sock.connect(("127.0.0.1", self.server.port))
        with H1(self.server.port, sock=sock) as c:
            c.send(c.request("GET", "/big.bin"))
            time.sleep(6)  # --write-timeout 2, with room for a loaded machine
            got = 0
            c.sock.settimeout(10)
            try:
                while True:
                    data = c.sock.recv(1 << 20)
                    if not data:
                        break
                    got += len(data)
            except ConnectionResetError:
                pass
            self.assertLess(got, BIG, "the whole answer arrived: no write timeout")
        harness.assert_serving(self, self.server.channel())

    def test_idle_keep_alive_connection_is_closed(self):
        with H1(self.server.port) as c:
            c.send(c.request("GET", "/logo.svg"))
            self.assertEqual(c.read().status, 200)
            self.assertTrue(c.closed_within(20), "idle connection kept past --idle-timeout 3")


class NoConsoleTest(harness.ServerTestCase):
    """An empty --web-root: what a build without a console answers."""

    @classmethod
    def setUpClass(cls):
        cls.root = tempfile.mkdtemp(prefix="hz-empty-")
        cls.server_args = ("--web-root", cls.root)
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(cls.root)

    def test_404_says_how_to_build_the_console(self):
        for path in ("/", "/dashboard", "/app.js"):
            with H1(self.server.port) as c:
                c.send(c.request("GET", path))
                r = c.read()
            self.assertEqual(r.status, 404, path)
            self.assertIn(b"cd client/web && npm ci && npm run build", r.body)
            self.assertIn(b"--web-root", r.body)


class EmbeddedTest(harness.ServerTestCase):
    """The table built into this huizongd (meson option web_dist): the
    console when the build had one, else the 404 with how to build it."""

    def test_root(self):
        with H1(self.server.port) as c:
            c.send(c.request("GET", "/"))
            r = c.read()
        if r.status == 200:
            self.assertEqual(r.header("content-type"), "text/html; charset=utf-8")
            self.assertEqual(r.header("cache-control"), "no-cache")
            self.assertIn("script-src 'self'", r.header("content-security-policy"))
            self.assertRegex(r.header("etag"), r'^"[0-9a-f]{20}"$')
            scripts = re.findall(rb'src="?(/assets/[^" >]+)', r.body)
            for src in scripts:  # what index.html loads is embedded too
                with H1(self.server.port) as c:
                    c.send(c.request("GET", src.decode()))
                    a = c.read()
                self.assertEqual(a.status, 200, src)
                self.assertIn("immutable", a.header("cache-control"))
        else:
            self.assertEqual(r.status, 404, r)
            self.assertIn(b"npm run build", r.body)


if __name__ == "__main__":
    harness.main()
