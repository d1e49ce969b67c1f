"""A low-level gRPC-over-HTTP/2 client on hyper-h2 (Debian python3-h2) and
a raw socket, for protocol edges that stock grpcio never produces: DATA
frames cut at chosen places, several messages per frame, bad headers,
the exact frames of a response."""

import socket
import time
import urllib.parse

import h2.config
import h2.connection
import h2.errors
import h2.events
import h2.exceptions
import h2.settings


def grpc_frame(body, flag=0):
    """The 5-byte gRPC length prefix plus body."""
    return bytes([flag]) + len(body).to_bytes(4, "big") + body


def split_grpc_messages(data):
    """Splits a response body into (flag, message) pairs; raises on a
    truncated message."""
    out = []
    i = 0
    while i < len(data):
        if len(data) - i < 5:
            raise ValueError("truncated gRPC prefix in response")
        n = int.from_bytes(data[i + 1:i + 5], "big")
        if len(data) - i - 5 < n:
            raise ValueError("truncated gRPC message in response")
        out.append((data[i], bytes(data[i + 5:i + 5 + n])))
        i += 5 + n
    return out


class _Connection(h2.connection.H2Connection):
    """Lets a test open more streams than the server allows, to see how
    the server treats a client that does."""

    ignore_stream_limit = False

    @property
    def open_outbound_streams(self):
        if self.ignore_stream_limit:
            return 0
        return super().open_outbound_streams


class StreamResult:
    """Everything received on one stream, in order."""

    def __init__(self):
        self.events = []            # h2 event class names, in arrival order
        self.headers = None         # response headers: list of (bytes, bytes)
        self.headers_ended_stream = False  # HEADERS carried END_STREAM (Trailers-Only)
        self.data = bytearray()     # concatenated DATA payloads
        self.data_frames = 0        # how many DATA frames
        self.trailers = None        # trailing headers, if any
        self.ended = False          # END_STREAM seen
        self.reset_code = None      # RST_STREAM error code, if reset

    @property
    def done(self):
        return self.ended or self.reset_code is not None

    def header(self, name, where=None):
        """Value of a header from the trailers, or the headers of a
        Trailers-Only response; where='headers' looks only there."""
        name = name.encode() if isinstance(name, str) else name
        blocks = {"headers": [self.headers], "trailers": [self.trailers]}.get(
            where, [self.trailers, self.headers])
        for block in blocks:
            for k, v in block or ():
                if k == name:
                    return v
        return None

    @property
    def http_status(self):
        v = self.header(":status", "headers")
        return int(v) if v is not None else None

    @property
    def grpc_status(self):
        v = self.header("grpc-status")
        return int(v) if v is not None else None

    @property
    def grpc_message_raw(self):
        return self.header("grpc-message")

    @property
    def grpc_message(self):
        raw = self.grpc_message_raw
        if raw is None:
            return None
        return urllib.parse.unquote_to_bytes(raw.decode("ascii")).decode("utf-8", "replace")

    def messages(self):
        return split_grpc_messages(self.data)

    def __repr__(self):
        return ("StreamResult(events=%s, headers=%s, trailers=%s, data=%d bytes, reset=%s)"
                % (self.events, self.headers, self.trailers, len(self.data), self.reset_code))


class H2Client:
    """One HTTP/2 connection (h2c, prior knowledge) to 127.0.0.1:port."""

    def __init__(self, port, timeout=10.0):
        self.port = port
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.conn = _Connection(h2.config.H2Configuration(client_side=True,
                                                           header_encoding=None))
        self.conn.initiate_connection()
        self.streams = {}
        self.remote_settings = None   # the server's first SETTINGS, as a dict
        self.terminated = None        # ConnectionTerminated event, if any
        self.closed = False           # socket reached EOF
        self.flush()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- sending ------------------------------------------------------------

    def flush(self):
        data = self.conn.data_to_send()
        if data:
            self.sock.sendall(data)

    def request_headers(self, path, content_type="application/grpc", extra=()):
        hdrs = [(b":method", b"POST"), (b":scheme", b"http"), (b":path", path.encode()),
                (b":authority", ("127.0.0.1:%d" % self.port).encode())]
        if content_type is not None:
            hdrs.append((b"content-type", content_type.encode()))
        hdrs.append((b"te", b"trailers"))
        for k, v in extra:
            hdrs.append((k.encode() if isinstance(k, str) else k,
                         v.encode() if isinstance(v, str) else v))
        return hdrs

    def start(self, path, content_type="application/grpc", extra=(), end_stream=False):
        """Sends request HEADERS; returns the new stream id."""
        sid = self.conn.get_next_available_stream_id()
        self.streams[sid] = StreamResult()
        self.conn.send_headers(sid, self.request_headers(path, content_type, extra),
                               end_stream=end_stream)
        self.flush()
        return sid

    def send_data(self, sid, data, end_stream=False):
        """Sends data as exactly one DATA frame (waiting for window)."""
        deadline = time.monotonic() + 10
        while self.conn.local_flow_control_window(sid) < len(data):
            if time.monotonic() > deadline:
                raise TimeoutError("no flow-control window to send %d bytes" % len(data))
            self.pump(timeout=0.2)
        self.conn.send_data(sid, data, end_stream=end_stream)
        self.flush()

    def send_chunks(self, sid, chunks, end_stream=True):
        """Each chunk becomes one DATA frame; END_STREAM on the last one."""
        chunks = list(chunks)
        for i, c in enumerate(chunks):
            self.send_data(sid, c, end_stream=end_stream and i == len(chunks) - 1)
        if end_stream and not chunks:
            self.end(sid)

    def end(self, sid):
        self.conn.end_stream(sid)
        self.flush()

    def reset(self, sid, code=h2.errors.ErrorCodes.CANCEL):
        self.conn.reset_stream(sid, code)
        self.flush()

    def call(self, path, body_chunks, content_type="application/grpc", extra=(), timeout=10.0):
        """A complete request; returns the StreamResult when it is done."""
        sid = self.start(path, content_type, extra)
        self.send_chunks(sid, body_chunks)
        return self.wait(sid, timeout)

    # -- receiving ----------------------------------------------------------

    def pump(self, timeout=0.5):
        """Reads what arrives within timeout and dispatches it. Returns
        False once the server closed the connection."""
        if self.closed:
            return False
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            return True
        except ConnectionResetError:
            data = b""
        if not data:
            self.closed = True
            return False
        for ev in self.conn.receive_data(data):
            self._dispatch(ev)
        self.flush()
        return True

    def _stream(self, sid):
        return self.streams.setdefault(sid, StreamResult())

    def _dispatch(self, ev):
        sid = getattr(ev, "stream_id", None)
        if sid:
            self._stream(sid).events.append(type(ev).__name__)
        if isinstance(ev, h2.events.ResponseReceived):
            s = self._stream(sid)
            s.headers = list(ev.headers)
            s.headers_ended_stream = ev.stream_ended is not None
        elif isinstance(ev, h2.events.DataReceived):
            s = self._stream(sid)
            s.data += ev.data
            s.data_frames += 1
            if ev.flow_controlled_length:
                try:
                    self.conn.acknowledge_received_data(ev.flow_controlled_length, sid)
                except h2.exceptions.StreamClosedError:
                    pass
        elif isinstance(ev, h2.events.TrailersReceived):
            self._stream(sid).trailers = list(ev.headers)
        elif isinstance(ev, h2.events.StreamEnded):
            self._stream(sid).ended = True
        elif isinstance(ev, h2.events.StreamReset):
            self._stream(sid).reset_code = ev.error_code
        elif isinstance(ev, h2.events.RemoteSettingsChanged):
            if self.remote_settings is None:
                self.remote_settings = {int(k): v.new_value
                                        for k, v in ev.changed_settings.items()}
        elif isinstance(ev, h2.events.ConnectionTerminated):
            self.terminated = ev

    def wait_until(self, predicate, timeout=10.0):
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                return False
            if not self.pump(timeout=min(0.5, max(0.01, deadline - time.monotonic()))):
                return predicate()
        return True

    def wait(self, sid, timeout=10.0):
        s = self._stream(sid)
        if not self.wait_until(lambda: s.done, timeout):
            raise TimeoutError("stream %d not finished after %.1fs: %r (terminated=%r, closed=%s)"
                               % (sid, timeout, s, self.terminated, self.closed))
        return s

    def wait_settings(self, timeout=5.0):
        if not self.wait_until(lambda: self.remote_settings is not None, timeout):
            raise TimeoutError("server sent no SETTINGS")
        return self.remote_settings


MAX_CONCURRENT_STREAMS = h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS
REFUSED_STREAM = h2.errors.ErrorCodes.REFUSED_STREAM
