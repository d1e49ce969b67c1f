"""A raw-socket HTTP/1.1 client for protocol tests of huizongd's
HTTP/1.1 side (gRPC-Web and the console's files): requests written byte
for byte, responses read with their framing checked (Content-Length or
chunked), so a test sees exactly what the server sent. Also the gRPC-Web
body helpers: frames, the 0x80 trailer frame, base64 text mode."""

import base64
import socket

from h2client import grpc_frame, split_grpc_messages  # noqa: F401 (re-exported)

WEB = "application/grpc-web+proto"
WEB_TEXT = "application/grpc-web-text+proto"


class Response:
    """One HTTP/1.1 response."""

    def __init__(self, status, reason, headers, body, chunks):
        self.status = status
        self.reason = reason
        self.headers = headers   # list of (lower-case name, value) as str
        self.body = body         # bytes, de-chunked
        self.chunks = chunks     # list of chunk payloads, None without chunking

    def header(self, name):
        for k, v in self.headers:
            if k == name:
                return v
        return None

    def all(self, name):
        return [v for k, v in self.headers if k == name]

    def __repr__(self):
        return "<HTTP %d %s %r body=%r>" % (self.status, self.reason, self.headers,
                                            self.body[:200])


class H1:
    """One connection; send() then read() one response at a time."""

    def __init__(self, port, timeout=15.0, sock=None):
        self.sock = sock or socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.settimeout(timeout)
        self.buf = b""
        self.port = port

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send(self, data):
        self.sock.sendall(data)

    def request(self, method, path, headers=(), body=b"", content_length=True):
        lines = ["%s %s HTTP/1.1" % (method, path), "Host: 127.0.0.1:%d" % self.port]
        lines += ["%s: %s" % kv for kv in headers]
        if content_length and (body or method == "POST"):
            lines.append("Content-Length: %d" % len(body))
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + body

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError("server closed the connection; got %r" % self.buf[:300])
        self.buf += data

    def _line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _take(self, n):
        while len(self.buf) < n:
            self._fill()
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def read(self, head_only=False):
        """The next response. head_only: a HEAD request's (no body)."""
        status_line = self._line().decode("latin-1")
        version, status, reason = (status_line.split(" ", 2) + [""])[:3]
        if version != "HTTP/1.1":
            raise ValueError("bad status line %r" % status_line)
        headers = []
        while True:
            line = self._line()
            if not line:
                break
            k, v = line.decode("latin-1").split(":", 1)
            headers.append((k.strip().lower(), v.strip()))
        resp = Response(int(status), reason, headers, b"", None)
        if head_only or resp.status in (204, 304):
            return resp
        if resp.header("transfer-encoding") == "chunked":
            resp.chunks = []
            while True:
                size = int(self._line().split(b";")[0], 16)
                data = self._take(size)
                if self._take(2) != b"\r\n":
                    raise ValueError("chunk not followed by CRLF")
                if size == 0:
                    break
                resp.chunks.append(data)
            resp.body = b"".join(resp.chunks)
        else:
            resp.body = self._take(int(resp.header("content-length")))
        return resp

    def closed_within(self, seconds):
        """True when the server closes the connection within seconds
        (whatever else it sends first)."""
        self.sock.settimeout(seconds)
        try:
            while True:
                if not self.sock.recv(65536):
                    return True
        except socket.timeout:
            return False
        except ConnectionResetError:
            return True


def web_post(path, message=b"", text=False, headers=(), frame=None):
    """(headers, body) of a gRPC-Web request with one message."""
    body = frame if frame is not None else grpc_frame(message)
    if text:
        body = base64.b64encode(body)
    hdrs = [("Content-Type", WEB_TEXT if text else WEB), ("X-Grpc-Web", "1")] + list(headers)
    return hdrs, body


def web_frames(resp_body, text=False):
    """(flag, payload) frames of a gRPC-Web response body; text bodies are
    decoded 4 characters at a time, as a browser client does."""
    if text:
        raw = b""
        for i in range(0, len(resp_body), 4):
            raw += base64.b64decode(resp_body[i:i + 4])
        resp_body = raw
    return split_grpc_messages(resp_body)


def parse_trailer(payload):
    """The 0x80 frame's header lines as a dict (lower-case names)."""
    out = {}
    for line in payload.decode("latin-1").split("\r\n"):
        if line:
            k, v = line.split(":", 1)
            out[k.strip().lower()] = v.strip()
    return out


def decode_bin(value):
    """A -bin header value (base64, padding optional)."""
    return base64.b64decode(value + "=" * (-len(value) % 4))
