"""Several event loops in one huizongd (--threads): the loops' SO_REUSEPORT
listeners really share the connections, one SIGTERM drains every loop,
the database pool is the process's --db-connections split across the
loops (at least one each), the port is the process's own (a second
process cannot silently join it) and --threads is checked like every
other number. Loop counts come from the per-loop lines each loop logs when
it drains and when it stops."""

import re
import socket
import threading
import time

import grpc

import harness
import pgcluster as pc
from harness import health_pb

# A separate TCP connection per channel: grpcio otherwise shares one
# subchannel (one connection) between channels to the same address.
OWN_CONNECTION = [("grpc.use_local_subchannel_pool", 1)]
ACCEPTED_RE = re.compile(r"loop stopped after accepting (\d+) connections \(loop (\d+)\)")
DRAINING_RE = re.compile(r"huizongd: info: draining (\d+) connections \(loop (\d+)\)")
LISTENING_RE = re.compile(r"listening on 127\.0\.0\.1:\d+ \(h2c\)")
CONNECTIONS = 40


def per_loop(regex, text):
    """{loop number: count} from the per-loop lines matching regex."""
    found = {}
    for m in regex.finditer(text):
        found[int(m.group(2))] = int(m.group(1))
    return found


def start(*args):
    return harness.Server(["--threads", "2"] + list(args)).start()


def check_on_own_connections(server, n):
    """n health checks, each on a connection of its own; all SERVING."""
    h = health_pb()
    for _ in range(n):
        channel = grpc.insecure_channel(server.address,
                                        harness.BASE_CHANNEL_OPTIONS + OWN_CONNECTION)
        try:
            resp = harness.health_check(channel)(h.HealthCheckRequest(service=""), timeout=10)
        finally:
            channel.close()
        assert resp.status == h.HealthCheckResponse.SERVING, resp


class SpreadTest(harness.unittest.TestCase):

    def test_connections_land_on_both_loops(self):
        server = start()
        try:
            check_on_own_connections(server, CONNECTIONS)
        finally:
            self.assertEqual(server.stop(), 0, server.log_text())
        log = server.log_text()
        accepted = per_loop(ACCEPTED_RE, log)
        self.assertEqual(sorted(accepted), [1, 2], log)
        # The kernel hashes each connection's addresses to a loop: with 40
        # connections, all on one loop would happen once in 2^39 runs.
        self.assertGreater(accepted[1], 0, log)
        self.assertGreater(accepted[2], 0, log)
        self.assertEqual(accepted[1] + accepted[2], CONNECTIONS, log)
        self.assertEqual(len(LISTENING_RE.findall(log)), 1, log)
        self.assertTrue(log.rstrip().endswith("huizongd: info: stopped"), log)

    def test_one_loop_logs_as_before(self):
        server = harness.Server(["--threads", "1"]).start()
        try:
            check_on_own_connections(server, 4)
        finally:
            self.assertEqual(server.stop(), 0, server.log_text())
        log = server.log_text()
        self.assertNotIn("(loop ", log)
        self.assertEqual(len(LISTENING_RE.findall(log)), 1, log)


class DrainTest(harness.unittest.TestCase):

    def test_sigterm_drains_every_loop(self):
        # A Watch open on each of 20 connections; SIGTERM must reach both
        # loops: every Watch hears NOT_SERVING and ends UNAVAILABLE (the
        # health service's shutdown hook, run by each loop's own drain).
        server = start()
        h = health_pb()
        channels, calls = [], []
        try:
            for _ in range(20):
                ch = grpc.insecure_channel(server.address,
                                           harness.BASE_CHANNEL_OPTIONS + OWN_CONNECTION)
                channels.append(ch)
                call = harness.health_watch(ch)(h.HealthCheckRequest(service=""), timeout=30)
                self.assertEqual(next(call).status, h.HealthCheckResponse.SERVING)
                calls.append(call)
            results = [None] * len(calls)

            def finish(i):
                seen = []
                try:
                    for msg in calls[i]:
                        seen.append(msg.status)
                except grpc.RpcError as e:
                    results[i] = (seen, e.code())
                    return
                results[i] = (seen, grpc.StatusCode.OK)

            readers = [threading.Thread(target=finish, args=(i,)) for i in range(len(calls))]
            for t in readers:
                t.start()
            server.send_signal(harness.signal.SIGTERM)
            for t in readers:
                t.join(30)
            code = server.proc.wait(harness.STOP_TIMEOUT)
        finally:
            for ch in channels:
                ch.close()
            if server.alive():
                server.kill()
        server._join_readers()
        log = server.log_text()
        self.assertEqual(code, 0, log)
        for seen, status in results:
            self.assertEqual(seen, [h.HealthCheckResponse.NOT_SERVING], log)
            self.assertEqual(status, grpc.StatusCode.UNAVAILABLE, log)
        self.assertIn("SIGTERM: draining 20 connections", log)
        draining = per_loop(DRAINING_RE, log)
        self.assertEqual(sorted(draining), [1, 2], log)
        self.assertGreater(draining[1], 0, log)
        self.assertGreater(draining[2], 0, log)
        self.assertEqual(draining[1] + draining[2], 20, log)
        self.assertEqual(sorted(per_loop(ACCEPTED_RE, log)), [1, 2], log)
        self.assertTrue(log.rstrip().endswith("huizongd: info: stopped"), log)


class PortTest(harness.unittest.TestCase):

    def test_second_process_cannot_share_the_port(self):
        # SO_REUSEPORT would let another process with the same user join
        # the address and take half the connections; the first loop's
        # plain bind refuses that.
        first = start()
        try:
            second = harness.Server(["--threads", "2"])
            second.args = ["--listen", "127.0.0.1:%d" % first.port, "--threads", "2"]
            cmd = [harness.huizongd_path()] + second.args
            proc = harness.subprocess.run(cmd, env=harness.server_env(), capture_output=True,
                                          timeout=harness.START_TIMEOUT)
            self.assertEqual(proc.returncode, 1, proc.stderr)
            self.assertIn(b"cannot listen on 127.0.0.1:%d: address already in use" % first.port,
                          proc.stderr)
            check_on_own_connections(first, 4)
        finally:
            self.assertEqual(first.stop(), 0, first.log_text())

    def test_threads_out_of_range_refused(self):
        for bad in ("0", "257", "two"):
            proc = harness.subprocess.run([harness.huizongd_path(), "--threads", bad],
                                          env=harness.server_env(), capture_output=True,
                                          timeout=harness.START_TIMEOUT)
            self.assertEqual(proc.returncode, 2, proc.stderr)
            self.assertIn(b"--threads: '%s' is not a number in 1..256" % bad.encode(), proc.stderr)
        proc = harness.subprocess.run([harness.huizongd_path()],
                                      env=harness.server_env({"HUIZONG_THREADS": "0"}),
                                      capture_output=True, timeout=harness.START_TIMEOUT)
        self.assertEqual(proc.returncode, 2, proc.stderr)
        self.assertIn(b"HUIZONG_THREADS", proc.stderr)


def backends(db):
    return db.count("pg_stat_activity WHERE datname = current_database()"
                    " AND pid <> pg_backend_pid() AND backend_type = 'client backend'")


def wait_backends(db, want, timeout=20.0):
    deadline = time.monotonic() + timeout
    while True:
        n = backends(db)
        if n == want or time.monotonic() > deadline:
            return n
        time.sleep(0.1)


class PoolSplitTest(pc.PgServerTestCase):
    """--db-connections is per process: 3 over 2 loops is 2 + 1."""

    server_args = ("--threads", "2", "--db-connections", "3")

    def list_on_own_connections(self, server, n):
        r = pc.reporting_pb()
        for _ in range(n):
            channel = grpc.insecure_channel(server.address,
                                            harness.BASE_CHANNEL_OPTIONS + OWN_CONNECTION)
            try:
                stub = harness.unary(channel, "/huizong.v1.Reporting/ListSubmissions",
                                     r.ListSubmissionsRequest, r.ListSubmissionsResponse)
                pc.call_with_db_retry(stub, r.ListSubmissionsRequest(page_size=1),
                                      metadata=pc.auth(self.fixture.tokens["town_a"]))
            finally:
                channel.close()

    def test_pool_is_split_across_loops(self):
        self.list_on_own_connections(self.server, 20)
        self.assertEqual(wait_backends(self.db, 3), 3)

    def test_one_connection_each_at_least(self):
        self.server.stop()
        server = None
        try:
            server = self.start_server(["--db-connections", "1"])
            self.list_on_own_connections(server, 20)
            self.assertEqual(wait_backends(self.db, 2), 2)
            self.assertEqual(server.stop(), 0, server.log_text())
        finally:
            if server is not None and server.alive():
                server.kill()
            type(self).server = self.start_server()


if __name__ == "__main__":
    pc.main()
