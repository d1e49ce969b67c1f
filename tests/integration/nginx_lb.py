"""Debian's nginx in front of huizongd for the tests: deploy/nginx/huizong.conf
rendered for loopback (only the lines the config marks SITE: backend
addresses, listen ports, certificate and log paths) and run with its own
prefix, temp directories, pid file and error log, as an unprivileged user
(nobody when the tests run as root), on free ports. `Nginx.access()` reads
its access log (the config's `huizong` format): which backend answered
each call, by x-request-id. Used by test_lb.py."""

import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import harness

HERE = os.path.dirname(os.path.abspath(__file__))
CONF = os.path.normpath(os.path.join(HERE, "..", "..", "deploy", "nginx", "huizong.conf"))
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
NGINX_START_TIMEOUT = 20.0


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def render(conf, backends, tls_port, h2c_port, cert, key, access_log):
    """huizong.conf with its SITE lines set for this test; every SITE line
    must be replaced, so a config change that adds one fails here."""
    servers = "".join("    server 127.0.0.1:%d max_fails=1 fail_timeout=5s;\n" % p
                      for p in backends)
    out, n = re.subn(r"(?:    server \S+ max_fails=1 fail_timeout=5s;   # SITE\n)+",
                     lambda _m: servers, conf)
    if n != 2:
        raise AssertionError("expected 2 upstream server lists in %s, found %d" % (CONF, n))
    for pattern, value in ((r"listen 443 ssl http2;", "listen 127.0.0.1:%d ssl http2;" % tls_port),
                           (r"listen \S+:8080 http2;", "listen 127.0.0.1:%d http2;" % h2c_port),
                           (r"ssl_certificate     \S+;", "ssl_certificate %s;" % cert),
                           (r"ssl_certificate_key \S+;", "ssl_certificate_key %s;" % key),
                           (r"access_log \S+ huizong;", "access_log %s huizong;" % access_log)):
        out, n = re.subn(pattern + r"( +# SITE)", lambda m, v=value: v + m.group(1), out)
        if n != 1:
            raise AssertionError("SITE line %r found %d times in %s" % (pattern, n, CONF))
    left = [l for l in out.splitlines() if l.rstrip().endswith("# SITE") and "127.0.0.1" not in l
            and "/hz-lb-" not in l]
    if left:
        raise AssertionError("SITE lines the test does not render: %s" % left)
    return out


class Nginx:
    """Debian's nginx with its own prefix, run unprivileged."""

    def __init__(self, backends):
        self.backends = list(backends)
        self.dir = tempfile.mkdtemp(prefix="hz-lb-")
        os.chmod(self.dir, 0o755)
        self.tls = harness.make_tls_material(self.dir)
        self.tmp = os.path.join(self.dir, "tmp")
        os.mkdir(self.tmp)
        self.access_log = os.path.join(self.dir, "access.log")
        self.error_log = os.path.join(self.dir, "error.log")
        self.tls_port = self.h2c_port = None
        # The tests may run as root; nginx then runs as nobody, as its
        # workers would in production, and its files must be nobody's.
        self.user = {}
        if os.geteuid() == 0:
            self.user = {"user": "nobody", "group": "nogroup", "extra_groups": []}
        self.proc = None
        self.out = None

    def _configure(self):
        """Free ports now, the rendered site and a main nginx.conf."""
        self.tls_port, self.h2c_port = free_port(), free_port()
        with open(CONF) as f:
            site = render(f.read(), self.backends, self.tls_port, self.h2c_port,
                          self.tls["cert"], self.tls["key"], self.access_log)
        with open(os.path.join(self.dir, "huizong.conf"), "w") as f:
            f.write(site)
        with open(os.path.join(self.dir, "nginx.conf"), "w") as f:
            f.write("daemon off;\nmaster_process on;\nworker_processes 1;\n"
                    "pid %(d)s/nginx.pid;\nerror_log %(d)s/error.log info;\n"
                    "events { worker_connections 1024; }\n"
                    "http {\n"
                    "  client_body_temp_path %(t)s/body;\n  proxy_temp_path %(t)s/proxy;\n"
                    "  fastcgi_temp_path %(t)s/fastcgi;\n  uwsgi_temp_path %(t)s/uwsgi;\n"
                    "  scgi_temp_path %(t)s/scgi;\n"
                    "  include %(d)s/huizong.conf;\n}\n" % {"d": self.dir, "t": self.tmp})
        if self.user:
            for root, dirs, files in os.walk(self.dir):
                for name in dirs + files + ["."]:
                    os.chown(os.path.join(root, name), 65534, 65534)

    def cmd(self, *extra):
        return [NGINX, "-p", self.dir, "-c", os.path.join(self.dir, "nginx.conf"),
                "-e", self.error_log] + list(extra)

    def start(self, attempts=3):
        """Starts nginx and waits for both ports; a port taken by another
        process between choosing and binding means new ports and a retry."""
        for attempt in range(attempts):
            self._configure()
            res = subprocess.run(self.cmd("-t"), capture_output=True, text=True, timeout=30,
                                 **self.user)
            if res.returncode != 0:
                raise RuntimeError("nginx -t refused the rendered config:\n%s%s"
                                   % (res.stdout, res.stderr))
            self.out = open(os.path.join(self.dir, "nginx.out"), "ab")
            self.proc = subprocess.Popen(self.cmd(), stdin=subprocess.DEVNULL, stdout=self.out,
                                         stderr=subprocess.STDOUT, **self.user)
            if self._wait_listening():
                return self
            self.out.close()
            if "Address already in use" not in self.logs() or attempt == attempts - 1:
                raise RuntimeError("nginx exited with %s:\n%s"
                                   % (self.proc.returncode, self.logs()))
        return self

    def _wait_listening(self):
        """True once both ports accept; False when nginx exited."""
        deadline = time.monotonic() + NGINX_START_TIMEOUT
        for port in (self.tls_port, self.h2c_port):
            while True:
                if self.proc.poll() is not None:
                    return False
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        self.kill()
                        raise RuntimeError("nginx did not listen on %d:\n%s"
                                           % (port, self.logs()))
                    time.sleep(0.05)
        return True

    def kill(self):
        """Fast shutdown (SIGTERM: the master stops its workers, which a
        SIGKILL of the master alone would leave running), SIGKILL if it
        takes more than 5 s."""
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)  # graceful shutdown
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.out:
            self.out.close()

    def remove(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def logs(self):
        text = ""
        for path in (self.error_log, os.path.join(self.dir, "nginx.out")):
            if os.path.exists(path):
                with open(path, errors="replace") as f:
                    text += "--- %s\n%s" % (path, f.read()[-6000:])
        return text

    def access(self):
        """Access log entries: dicts with path, status, upstreams (list of
        "127.0.0.1:PORT" tried, the last answered), grpc, rid."""
        entries = []
        if not os.path.exists(self.access_log):
            return entries
        line_re = re.compile(r'"POST (\S+) HTTP/[\d.]+" (\d+) up=(.*?) up_status=(.*?) '
                             r'grpc=(\S*) rt=\S+ urt=.*? rid=(\S*)$')
        with open(self.access_log, errors="replace") as f:
            for line in f:
                m = line_re.search(line.rstrip("\n"))
                if not m:
                    continue
                ups = [u.strip() for u in re.split(r"[,:]\s", m.group(3))
                       if u.strip() and u.strip() != "-"]
                entries.append({"path": m.group(1), "status": m.group(2), "upstreams": ups,
                                "grpc": m.group(5), "rid": m.group(6)})
        return entries
