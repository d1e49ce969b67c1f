"""A highly available PostgreSQL for the integration tests: one etcd
(single member) and N Patroni nodes, each running PostgreSQL 15, on
loopback with free ports, in a temporary directory owned by the postgres
user (PostgreSQL refuses root; etcd and Patroni run as postgres too).

Each node's Patroni file is rendered from deploy/patroni/patroni.yml, the
shipped sample, so the configuration under test is the one an operator
gets: synchronous_mode with synchronous_commit = on (an acknowledged
COMMIT is on the synchronous standby), primary_start_timeout 0 (a crashed
primary fails over instead of restarting in place), and seconds-long
ttl/loop_wait/retry_timeout so that a failover takes seconds.

`HaCluster.start()` waits until Patroni's REST API (/cluster) shows a
leader and a streaming synchronous standby, creates the "huizong" database
through the leader and migrates it with `huizongd migrate`. `url()` is the
multi-host URL huizongd gets (target_session_attrs=read-write: libpq tries
each host and keeps the one that accepts writes). `switchover()` and
`kill_leader_postmaster()` are the two ways a test moves the primary.

Everything stops at exit, on SIGTERM (meson's timeout) and when a test
fails: Patroni is asked to stop (it stops its PostgreSQL), and whatever is
still alive after a bounded wait is killed, postmasters by the pid in
their data directory; then the directory is removed."""

import atexit
import json
import os
import secrets
import shutil
import signal
import socket
import string
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import harness
import pgcluster as pc

HERE = os.path.dirname(os.path.abspath(__file__))
TEMPLATE = os.path.normpath(os.path.join(HERE, "..", "..", "deploy", "patroni", "patroni.yml"))
PG_BINDIR = os.environ.get("PG_BINDIR", "/usr/lib/postgresql/15/bin")
HOST = "127.0.0.1"
DB_NAME = "huizong"
START_TIMEOUT = 150.0  # bootstrap, two base backups, a synchronous standby (loaded machine)
STOP_TIMEOUT = 20.0   # Patroni's own shutdown, before killing what is left


def free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _as_postgres(argv):
    """argv run as the postgres user when we are root (PostgreSQL refuses
    root), as ourselves otherwise."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--"] + argv
    return argv


def _chown_postgres(path):
    if os.geteuid() == 0:
        import pwd
        pw = pwd.getpwnam("postgres")
        os.chown(path, pw.pw_uid, pw.pw_gid)


def render(template_text, values):
    """The template with every ${NAME} replaced; a name left over (a
    template out of step with this harness) is an error, not a silent
    default."""
    text = string.Template(template_text).substitute(values)
    return text


def http_json(url, method="GET", body=None, timeout=5.0):
    """(status, parsed JSON or text) of one request to a Patroni REST API."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            status, raw = resp.status, resp.read()
    except urllib.error.HTTPError as e:
        status, raw = e.code, e.read()
    try:
        return status, json.loads(raw.decode() or "null")
    except ValueError:
        return status, raw.decode(errors="replace")


class Node:
    """One Patroni node: its ports, directories and process."""

    def __init__(self, cluster, index):
        self.name = "pg%d" % index
        self.dir = os.path.join(cluster.dir, self.name)
        self.data_dir = os.path.join(self.dir, "data")
        self.pg_port = free_port()
        self.rest_port = free_port()
        self.config = os.path.join(self.dir, "patroni.yml")
        self.log_path = os.path.join(self.dir, "patroni.log")
        self.proc = None
        self.frozen_pg = None  # the postmaster's process group while frozen (HaCluster.freeze)

    def rest(self, path):
        return "http://%s:%d%s" % (HOST, self.rest_port, path)

    def postmaster_pid(self):
        """The running postmaster's pid from its data directory, or None."""
        try:
            with open(os.path.join(self.data_dir, "postmaster.pid")) as f:
                pid = int(f.readline().strip())
        except (OSError, ValueError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        return pid


class HaCluster:
    """etcd + nodes Patroni/PostgreSQL nodes; see the module comment."""

    def __init__(self, nodes=3, ttl=10, loop_wait=1, retry_timeout=3):
        self.parent = tempfile.mkdtemp(prefix="hz-ha-")
        os.chmod(self.parent, 0o755)
        self.dir = os.path.join(self.parent, "c")
        os.mkdir(self.dir, 0o700)
        _chown_postgres(self.dir)
        self.password = secrets.token_hex(12)
        self.timing = dict(TTL=ttl, LOOP_WAIT=loop_wait, RETRY_TIMEOUT=retry_timeout)
        self.nodes = [Node(self, i + 1) for i in range(nodes)]
        self.etcd_port = free_port()
        self.etcd_peer_port = free_port()
        self.etcd = None
        self._logs = []

    # -- processes -------------------------------------------------------

    def _spawn(self, argv, log_path):
        log = open(log_path, "ab")
        self._logs.append(log)
        return subprocess.Popen(_as_postgres(argv), stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, cwd="/", start_new_session=True)

    def _mkdir(self, path):
        os.makedirs(path, mode=0o700, exist_ok=True)
        _chown_postgres(path)

    def _start_etcd(self):
        d = os.path.join(self.dir, "etcd")
        self._mkdir(d)
        client = "http://%s:%d" % (HOST, self.etcd_port)
        peer = "http://%s:%d" % (HOST, self.etcd_peer_port)
        self.etcd = self._spawn(["etcd", "--name", "e1", "--data-dir", os.path.join(d, "data"),
                                 "--listen-client-urls", client, "--advertise-client-urls", client,
                                 "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                                 "--initial-cluster", "e1=" + peer,
                                 "--initial-cluster-state", "new"],
                                os.path.join(self.dir, "etcd.log"))
        def healthy():
            body = http_json(client + "/health", timeout=2)[1]
            return isinstance(body, dict) and body.get("health") == "true"
        self._wait(healthy,
                   30, "etcd to be healthy")

    def _render_node(self, node, template):
        self._mkdir(node.dir)
        values = dict(self.timing, SCOPE="huizong", NODE_NAME=node.name, HOST=HOST,
                      ALLOW_CIDR=HOST + "/32",
                      REST_PORT=node.rest_port, PG_PORT=node.pg_port,
                      ETCD_HOSTS="%s:%d" % (HOST, self.etcd_port),
                      DATA_DIR=node.data_dir, BIN_DIR=PG_BINDIR,
                      PGPASS=os.path.join(node.dir, "pgpass"), SOCKET_DIR=node.dir,
                      SUPERUSER_PASSWORD=self.password, REPLICATION_PASSWORD=self.password)
        with open(node.config, "w") as f:
            f.write(render(template, values))
        _chown_postgres(node.config)

    def start(self):
        with open(TEMPLATE) as f:
            template = f.read()
        self._start_etcd()
        for node in self.nodes:
            self._render_node(node, template)
            node.proc = self._spawn(["patroni", node.config], node.log_path)
            if node is self.nodes[0]:
                # The first node bootstraps alone, so it is the first leader.
                self._wait(lambda: self.leader() is not None, START_TIMEOUT, "a first leader")
        self.wait_healthy(START_TIMEOUT, members=len(self.nodes))
        pc.run_psql(self.url("postgres"), 'CREATE DATABASE "%s"' % DB_NAME)
        res = subprocess.run([harness.huizongd_path(), "migrate", "--database-url",
                              self.url(DB_NAME)], capture_output=True, text=True, timeout=120,
                             env=harness.server_env())
        if res.returncode != 0:
            raise RuntimeError("huizongd migrate failed (%d):\n%s%s"
                               % (res.returncode, res.stdout, res.stderr))
        return self

    def stop(self):
        """Stops everything within a bounded time and removes the files."""
        for node in self.nodes:
            if node.proc and node.proc.poll() is None:
                self.thaw(node.name)
                self._signal_group(node.proc, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        for node in self.nodes:
            if node.proc:
                self._wait_exit(node.proc, deadline)
        for node in self.nodes:
            pid = node.postmaster_pid()
            if pid:  # Patroni did not get to stop it
                os.kill(pid, signal.SIGKILL)
        if self.etcd and self.etcd.poll() is None:
            self._signal_group(self.etcd, signal.SIGTERM)
            self._wait_exit(self.etcd, time.monotonic() + 10)
        for log in self._logs:
            log.close()
        self._logs = []
        shutil.rmtree(self.parent, ignore_errors=True)

    @staticmethod
    def _signal_group(proc, sig):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass

    def _wait_exit(self, proc, deadline):
        try:
            proc.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self._signal_group(proc, signal.SIGKILL)
            proc.wait(10)

    # -- state -------------------------------------------------------------

    @staticmethod
    def _wait(predicate, timeout, what):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if predicate():
                    return
            except (OSError, ValueError):
                pass  # a REST API not up yet
            time.sleep(0.2)
        raise AssertionError("HA cluster: timed out after %.0fs waiting for %s" % (timeout, what))

    def members(self):
        """Patroni's view (/cluster of any node that answers): a list of
        {"name", "role", "state", "host", "port", ...}."""
        last = None
        for node in self.nodes:
            try:
                status, body = http_json(node.rest("/cluster"), timeout=2)
            except OSError as e:
                last = e
                continue
            if status == 200 and isinstance(body, dict):
                return body.get("members", [])
        raise OSError("no Patroni REST API answers /cluster (%s)" % last)

    def leader(self):
        """The name of the running leader, or None."""
        for m in self.members():
            if m.get("role") == "leader" and m.get("state") == "running":
                return m["name"]
        return None

    def sync_standby(self):
        """The name of a streaming synchronous standby, or None."""
        for m in self.members():
            if m.get("role") == "sync_standby" and m.get("state") in ("streaming", "running"):
                return m["name"]
        return None

    def wait_healthy(self, timeout, members=2):
        """Waits for a leader, a streaming synchronous standby and, in all,
        `members` running members; returns (leader, sync standby)."""
        def healthy():
            ms = self.members()
            running = [m for m in ms if m.get("state") in ("running", "streaming")]
            return self.leader() and self.sync_standby() and len(running) >= members
        self._wait(healthy, timeout, "a leader and a synchronous standby")
        return self.leader(), self.sync_standby()

    def node(self, name):
        return next(n for n in self.nodes if n.name == name)

    def url(self, dbname=DB_NAME, read_write=True, order=None):
        """The multi-host URL, hosts in node order or in `order` (names)."""
        nodes = [self.node(name) for name in order] if order else self.nodes
        hosts = ",".join("%s:%d" % (HOST, n.pg_port) for n in nodes)
        url = "postgresql://postgres:%s@%s/%s?connect_timeout=5" % (self.password, hosts, dbname)
        return url + ("&target_session_attrs=read-write" if read_write else "")

    def node_url(self, name, dbname=DB_NAME):
        n = self.node(name)
        return "postgresql://postgres:%s@%s:%d/%s" % (self.password, HOST, n.pg_port, dbname)

    # -- moving the primary -------------------------------------------------

    def switchover(self, timeout=60):
        """A planned switchover to the synchronous standby through the
        leader's REST API; returns (old leader, new leader) once the new
        one runs."""
        old, candidate = self.leader(), self.sync_standby()
        if not old or not candidate:
            raise AssertionError("switchover needs a leader and a synchronous standby: %s"
                                 % self.members())
        status, body = http_json(self.node(old).rest("/switchover"), "POST",
                                 {"leader": old, "candidate": candidate}, timeout=30)
        if status != 200:
            raise AssertionError("switchover refused (%d): %s" % (status, body))
        self._wait(lambda: self.leader() == candidate, timeout, "%s to lead" % candidate)
        return old, candidate

    def kill_leader_postmaster(self):
        """kill -9 of the leader's postmaster; returns (leader, the
        synchronous standby expected to take over)."""
        leader, standby = self.leader(), self.sync_standby()
        if not leader or not standby:
            raise AssertionError("failover needs a leader and a synchronous standby: %s"
                                 % self.members())
        pid = self.node(leader).postmaster_pid()
        if not pid:
            raise AssertionError("leader %s has no running postmaster" % leader)
        os.kill(pid, signal.SIGKILL)
        return leader, standby

    def freeze(self, name):
        """SIGSTOP of a node's Patroni and its whole PostgreSQL (postmaster
        and backends, one process group): a machine that hangs. Its
        sockets still accept TCP connections, which nobody answers."""
        node = self.node(name)
        pid = node.postmaster_pid()
        if not pid:
            raise AssertionError("%s has no running postmaster" % name)
        # Patroni starts the postmaster in a session of its own, led by a
        # helper that has exited: the group is the postmaster's, not its pid.
        node.frozen_pg = os.getpgid(pid)
        self._signal_group(node.proc, signal.SIGSTOP)
        os.killpg(node.frozen_pg, signal.SIGSTOP)

    def thaw(self, name):
        node = self.node(name)
        if node.frozen_pg:
            try:
                os.killpg(node.frozen_pg, signal.SIGCONT)
            except ProcessLookupError:
                pass
            node.frozen_pg = None
        self._signal_group(node.proc, signal.SIGCONT)

    def wait_new_leader(self, old, timeout=60):
        self._wait(lambda: self.leader() not in (None, old), timeout, "a leader other than " + old)
        return self.leader()

    def log_tail(self, lines=40):
        out = []
        for path in [os.path.join(self.dir, "etcd.log")] + [n.log_path for n in self.nodes]:
            try:
                with open(path, errors="replace") as f:
                    out.append("== %s\n%s" % (path, "".join(f.readlines()[-lines:])))
            except OSError:
                pass
        return "\n".join(out)


_clusters = []


def _stop_all():
    while _clusters:
        c = _clusters.pop()
        try:
            c.stop()
        except Exception as e:  # exiting anyway: say what stays behind
            sys.stderr.write("hacluster: could not stop %s: %s\n" % (c.parent, e))


def _on_sigterm(signum, _frame):
    for server in pc._servers:
        server.kill()
    _stop_all()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def start_cluster(**kwargs):
    """A started HaCluster, stopped at exit and on SIGTERM whatever
    happens to the test."""
    c = HaCluster(**kwargs)
    _clusters.append(c)
    atexit.register(_stop_all)
    signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        c.start()
    except Exception:
        sys.stderr.write(c.log_tail())
        raise
    return c
