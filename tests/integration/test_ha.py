"""huizongd on a highly available PostgreSQL (tests/integration/hacluster.py:
etcd + three Patroni/PostgreSQL 15 nodes, synchronous_mode, rendered from
deploy/patroni/patroni.yml), connected with one multi-host URL
(target_session_attrs=read-write), following the primary by itself:

- a primary fenced read-only (default_transaction_read_only) makes writes
  UNAVAILABLE, never INTERNAL, and the pool drops those connections (a
  read-only session is never kept) and comes back once writes are allowed;
- under a steady Submit load from several client threads (each submission
  with its own id, retried with the same id on UNAVAILABLE or
  DEADLINE_EXCEEDED until accepted): a switchover, then a failover (kill -9
  of the leader's postmaster). Every answer is OK, UNAVAILABLE or
  DEADLINE_EXCEEDED; huizongd serves again within seconds of the new
  leader; and at the end the acknowledged submissions are counted against
  the rows on the new primary: none lost, none doubled. The counts and the
  failover time are printed;
- a Rollup right after an acknowledged Submit on the new primary sees it;
- a primary that hangs (SIGSTOP of its Patroni and PostgreSQL: TCP still
  accepted, nothing answered) while first in huizongd's URL: huizongd
  reaches the new primary anyway (the pool bounds each host and starts
  past the one that hung; libpq alone would start every attempt there).
"""

import sys
import threading
import time
import unittest
import uuid

import grpc

import hacluster
import harness
from pgcluster import wait_until
import pgcluster as pc
from pgcluster import COUNTY, TOWN_A, TOWN_B, TOWNSHIPS

SC = grpc.StatusCode
VALUES_PER = 3
CALL_TIMEOUT = 5          # one attempt
GIVE_UP = 60.0            # one submission's retries
# A client thread's pause between submissions. Without one, four threads
# on a quiet machine used up every fresh year's keys (pc.fresh_year, 1901
# to last year: about 7,500 township-months) within one 89 s run of this
# file, while the failover wait timed out; they also leave Patroni and
# etcd little CPU on 2 cores. At most 4 / PACE submissions a second keeps
# the keys for half an hour and the load steady.
PACE = 0.1
SERVES_AGAIN_WITHIN = 30.0  # generous: "within seconds" on a loaded 2-core machine
APP_NAME = "huizongd-ha-test"
POOL_SIZE = 4             # --db-connections of the class's huizongd


def agg_pb():
    return pc.pb("huizong/v1/aggregation.proto")


class Keys:
    """Distinct (township, month) keys, handed out under a lock."""

    def __init__(self):
        self._lock = threading.Lock()
        self._gen = self._keys()

    @staticmethod
    def _keys():
        while True:
            year = pc.fresh_year()
            for month in range(1, 13):
                for town in TOWNSHIPS:
                    yield town, "%d%02d" % (year, month)

    def next(self):
        with self._lock:
            return next(self._gen)


class Load:
    """Client threads submitting without pause; each submission is retried
    with the same id until accepted or GIVE_UP. Records every attempt."""

    def __init__(self, stub, md, nthreads=4):
        self.stub, self.md = stub, md
        self.keys = Keys()
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.sent = []      # every SubmitRequest, in the order first sent
        self.acks = {}      # submission id -> (response, attempt start, answer time)
        self.errors = []    # (attempt start, code, details)
        self.given_up = []  # submission ids never accepted
        self.threads = [threading.Thread(target=self._run, daemon=True) for _ in range(nthreads)]

    def start(self):
        for t in self.threads:
            t.start()
        return self

    def finish(self, timeout=GIVE_UP + 30):
        self.stop.set()
        deadline = time.monotonic() + timeout
        for t in self.threads:
            t.join(max(0.1, deadline - time.monotonic()))
        return not any(t.is_alive() for t in self.threads)

    def acked(self):
        with self.lock:
            return len(self.acks)

    def _run(self):
        n = 0
        while not self.stop.is_set():
            town, period = self.keys.next()
            n += 1
            req = pc.submit_request(town, period, [("m_a", str(n)), ("m_b", "%d.25" % n),
                                                   ("m_c", "-%d.5" % n)])
            with self.lock:
                self.sent.append(req)
            self._submit(req)
            self.stop.wait(PACE)

    def _submit(self, req):
        give_up = time.monotonic() + GIVE_UP
        while True:
            t0 = time.monotonic()
            try:
                resp = self.stub(req, metadata=self.md, timeout=CALL_TIMEOUT)
            except grpc.RpcError as e:
                with self.lock:
                    self.errors.append((t0, e.code(), e.details()))
                if e.code() not in pc.RETRYABLE or time.monotonic() > give_up:
                    with self.lock:
                        self.given_up.append(req.submission_id)
                    return
                time.sleep(0.05)
                continue
            with self.lock:
                self.acks[req.submission_id] = (resp, t0, time.monotonic())
            return

    def first_error_after(self, t):
        """Start of the first failed attempt started after t, or None."""
        with self.lock:
            times = [start for start, _c, _d in self.errors if start > t]
        return min(times) if times else None

    def back_after(self, t):
        """When service came back after an outage that began after t: the
        answer time of the first acknowledged attempt started after the
        first failed attempt after t (commits the old primary had already
        replicated may still be acknowledged just after a kill), or None."""
        first_error = self.first_error_after(t)
        if first_error is None:
            return None
        with self.lock:
            times = [done for _r, start, done in self.acks.values() if start > first_error]
        return min(times) if times else None

    def longest_gap(self, t_from, t_to):
        """The longest stretch in [t_from, t_to] without an acknowledgement."""
        with self.lock:
            times = sorted(done for _r, _s, done in self.acks.values() if t_from <= done <= t_to)
        points = [t_from] + times + [t_to]
        return max(b - a for a, b in zip(points, points[1:]))




class HaTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.ha = hacluster.start_cluster(nodes=3)
        cls.db = pc.Database(cls.ha, hacluster.DB_NAME)
        url = cls.ha.url() + "&application_name=" + APP_NAME
        # One loop: test_a counts the sessions one pool drops when the
        # primary turns read-only, and a single channel reaches one loop;
        # a second loop's idle sessions would only be dropped on their own
        # first write (the same path). Spreading over loops is test_threads'.
        cls.server = harness.Server(["--database-url", url, "--db-timeout", "5",
                                     "--db-connections", str(POOL_SIZE), "--threads", "1"])
        pc._servers.append(cls.server)
        cls.server.start()
        try:
            pc.wait_serving(cls.server.channel(), timeout=30)
            cls.fixture = pc.Fixture(cls.db, cls.server).load()
        except Exception:
            cls.server.kill()
            raise

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

    def md(self, label="admin"):
        return pc.auth(self.fixture.tokens[label])

    def leader_sql(self, sql):
        return pc.run_psql(self.ha.node_url(self.ha.leader()), sql)

    def server_backends(self):
        """Pids of huizongd's sessions on the leader."""
        rows = self.leader_sql("SELECT pid FROM pg_stat_activity WHERE application_name = '%s'"
                               % APP_NAME)
        return {int(r[0]) for r in rows}

    # ------------------------------------------------------------------

    def test_a_read_only_primary_is_unavailable_and_its_sessions_are_dropped(self):
        stub = pc.Reporting(self.server.channel()).submit
        period = pc.fresh_month()
        pc.call_with_db_retry(stub, pc.submit_request(TOWN_A, period, [("m_a", "1")]),
                              metadata=self.md(), budget=30)
        before = self.server_backends()
        self.assertTrue(before, "huizongd has no session on the leader")
        self.leader_sql("ALTER SYSTEM SET default_transaction_read_only = on")
        self.leader_sql("SELECT pg_reload_conf()")
        try:
            # Writes until no session of before is left. A backend applies
            # the reload before its next command, so each session may
            # still accept the one write it was already reading: at most
            # POOL_SIZE accepted, each in a month of its own.
            codes = []
            year = pc.fresh_year()
            deadline = time.monotonic() + 30
            while self.server_backends() & before:
                self.assertLess(time.monotonic(), deadline, "huizongd kept its sessions to the"
                                " read-only primary: %s" % codes)
                req = pc.submit_request(TOWN_B, "%d%02d" % (year, len(codes) % 12 + 1),
                                        [("m_a", "2")])
                try:
                    stub(req, metadata=self.md(), timeout=CALL_TIMEOUT)
                    codes.append(SC.OK)
                except grpc.RpcError as e:
                    codes.append(e.code())
                    self.assertIn(e.code(), pc.RETRYABLE, e.details())
            self.assertIn(SC.UNAVAILABLE, codes)
            self.assertLessEqual(codes.count(SC.OK), POOL_SIZE,
                                 "writes accepted by a read-only primary: %s" % codes)
            self.assertEqual(codes[-1], SC.UNAVAILABLE, codes)
            # No session to a host that refuses writes is kept, and
            # target_session_attrs=read-write finds no other.
            pc.wait_serving(self.server.channel(), want=False, timeout=20)
        finally:
            self.leader_sql("ALTER SYSTEM RESET default_transaction_read_only")
            self.leader_sql("SELECT pg_reload_conf()")
        pc.wait_serving(self.server.channel(), timeout=30)
        resp = pc.call_with_db_retry(stub, pc.submit_request(TOWN_B, period, [("m_a", "3")]),
                                     metadata=self.md(), budget=30)
        self.assertEqual(resp.imported, 1)
        self.assertEqual(self.db.count("data_values WHERE period = '%s'" % period), 2)

    def test_b_switchover_then_failover_under_load(self):
        self.ha.wait_healthy(60, members=3)
        load = Load(pc.Reporting(self.server.channel()).submit, self.md()).start()
        try:
            wait_until(lambda: load.acked() >= 40, 60, "40 acknowledged submissions")

            t_switch = time.monotonic()
            old, new = self.ha.switchover()
            t_new = time.monotonic()
            at = load.acked()
            wait_until(lambda: load.acked() >= at + 40, 60, "40 submissions after the switchover")
            switch_gap = load.longest_gap(t_switch, time.monotonic())
            self.ha.wait_healthy(60, members=2)

            at = load.acked()
            t_kill = time.monotonic()
            killed, heir = self.ha.kill_leader_postmaster()
            leader = self.ha.wait_new_leader(killed)
            t_leader = time.monotonic()
            wait_until(lambda: load.back_after(t_kill) is not None, 60,
                       "a refused attempt after the kill, then an accepted one")
            t_back = load.back_after(t_kill)
            t_down = load.first_error_after(t_kill)
            wait_until(lambda: load.acked() >= at + 40, 60, "40 submissions after the failover")
        finally:
            finished = load.finish()
        self.assertTrue(finished, "client threads still submitting")
        failover = t_back - t_kill
        sys.stderr.write(
            "switchover %s -> %s: leader in %.2f s, longest stretch without an acknowledgement"
            " %.2f s\nfailover (kill -9 of %s's postmaster) -> %s: leader after %.2f s, first"
            " refused attempt %.2f s after the kill, serving again (first accepted submission"
            " sent after that) %.2f s after the kill, %.2f s after the new leader\n"
            % (old, new, t_new - t_switch, switch_gap, killed, leader, t_leader - t_kill,
               t_down - t_kill, failover, t_back - t_leader))
        self.assertEqual(leader, heir, "Patroni promoted a node that was not the synchronous"
                         " standby")

        # While the primary was away: only retryable answers.
        bad = [(code, details) for _t, code, details in load.errors if code not in pc.RETRYABLE]
        self.assertEqual(bad, [], "answers other than OK/UNAVAILABLE/DEADLINE_EXCEEDED")
        self.assertLess(failover, SERVES_AGAIN_WITHIN)
        self.check_counts(load)
        self.check_read_after_write()

    def test_c_frozen_primary_first_in_the_url(self):
        # A second huizongd whose URL names the leader first. The leader's
        # machine then hangs: it accepts TCP and answers nothing, and libpq
        # (which ignores connect_timeout under PQconnectPoll) would start
        # every connect there again. The pool bounds each host and starts
        # past the one that hung, so huizongd reaches the new primary.
        leader, standby = self.ha.wait_healthy(60, members=2)
        order = [leader] + [n.name for n in self.ha.nodes if n.name != leader]
        url = self.ha.url(order=order) + "&application_name=" + APP_NAME
        server = harness.Server(["--database-url", url, "--db-timeout", "3",
                                 "--db-connections", "2"])
        pc._servers.append(server)
        server.start()
        try:
            pc.wait_serving(server.channel(), timeout=30)
            stub = pc.Reporting(server.channel()).submit
            period = pc.fresh_month()
            self.assertEqual(stub(pc.submit_request(TOWN_A, period, [("m_a", "1")]),
                                  metadata=self.md(), timeout=CALL_TIMEOUT).imported, 1)
            t_freeze = time.monotonic()
            self.ha.freeze(leader)
            try:
                new = self.ha.wait_new_leader(leader, timeout=60)
                t_leader = time.monotonic()
                req = pc.submit_request(TOWN_B, period, [("m_a", "2")])
                codes = []
                deadline = time.monotonic() + SERVES_AGAIN_WITHIN
                resp = None
                while resp is None:
                    try:
                        resp = stub(req, metadata=self.md(), timeout=CALL_TIMEOUT)
                    except grpc.RpcError as e:
                        codes.append(e.code())
                        self.assertIn(e.code(), pc.RETRYABLE, e.details())
                        if time.monotonic() > deadline:
                            self.fail("huizongd never reached the new primary %s while %s (first"
                                      " in its URL) hung: %s\n%s" % (new, leader, codes[-5:],
                                                                     server.log_text()[-3000:]))
                        time.sleep(0.1)
                t_back = time.monotonic()
                # Read on the new leader itself, before the old one wakes:
                # until its Patroni demotes it, a thawed primary still takes
                # read-write sessions (and holds only the first row).
                stored = pc.run_psql(self.ha.node_url(new), "SELECT count(*) FROM data_values"
                                     " WHERE period = '%s'" % period)
            finally:
                self.ha.thaw(leader)
            sys.stderr.write("frozen primary %s (first in the URL): %s leads after %.2f s, first"
                             " accepted submission %.2f s after that\n"
                             % (leader, new, t_leader - t_freeze, t_back - t_leader))
            self.assertEqual(new, standby, "Patroni promoted a node that was not the synchronous"
                             " standby")
            self.assertEqual(resp.imported, 1)
            self.assertEqual(stored, [("2",)])
        finally:
            server.stop_and_check(self)

    def check_counts(self, load):
        sent = {r.submission_id: r for r in load.sent}
        ids = ",".join(pc.sql_literal(i) for i in sent)
        stored = {r[0] for r in self.db.query("SELECT id::text FROM submissions WHERE id IN (%s)"
                                              % ids)}
        acked = set(load.acks)
        lost = acked - stored
        per_key = self.db.query(
            "SELECT region_code, period, count(*) FROM submissions WHERE id IN (%s)"
            " GROUP BY 1, 2 HAVING count(*) > 1" % ids)
        values = self.db.query(
            "SELECT submission_id::text, count(*) FROM data_values WHERE submission_id IN (%s)"
            " GROUP BY 1 HAVING count(*) <> %d" % (ids, VALUES_PER))
        audit = self.db.query(
            "SELECT submission_id::text, count(*) FROM audit_log WHERE action = 'value.set'"
            " AND submission_id IN (%s) GROUP BY 1 HAVING count(*) <> %d" % (ids, VALUES_PER))
        doubled = len(per_key) + len(values) + len(audit)
        replays = sum(1 for resp, _s, _d in load.acks.values() if resp.replayed)
        retryable = sum(1 for _t, c, _d in load.errors if c in pc.RETRYABLE)
        sys.stderr.write(
            "submissions: sent %d, acknowledged %d (%d as replays of a stored one), stored %d,"
            " lost %d, doubled %d, never accepted %d; %d retried attempts (%s)\n"
            % (len(sent), len(acked), replays, len(stored), len(lost), doubled,
               len(load.given_up), retryable, sorted({c.name for _t, c, _d in load.errors})))
        self.assertEqual(load.given_up, [], "submissions never accepted within %.0f s" % GIVE_UP)
        self.assertEqual(acked, set(sent))
        self.assertEqual(sorted(lost), [], "acknowledged submissions missing on the new primary")
        self.assertEqual(stored, acked)
        self.assertEqual((per_key, values, audit), ([], [], []), "doubled submissions")
        want = {(r.submission_id, r.region_code, r.period, v.indicator_code, v.value)
                for r in load.sent for v in r.values}
        rows = self.db.query("SELECT submission_id::text, region_code, period, indicator_code,"
                             " value::text FROM data_values WHERE submission_id IN (%s)" % ids)
        self.assertEqual(set(rows), want)
        for sid, (resp, _s, _d) in load.acks.items():
            self.assertEqual((resp.imported, resp.updated, resp.unchanged), (VALUES_PER, 0, 0),
                             "submission %s acknowledged as %s" % (sid, resp))

    def check_read_after_write(self):
        chan = self.server.channel()
        stub = pc.Reporting(chan).submit
        rollup = harness.unary(chan, "/huizong.v1.Aggregation/Rollup", agg_pb().RollupRequest,
                               agg_pb().RollupResponse)
        period = pc.fresh_month()
        for town, value in ((TOWN_A, "12.34"), (TOWN_B, "0.66")):
            resp = pc.call_with_db_retry(stub, pc.submit_request(town, period, [("m_a", value)],
                                                                 submission_id=str(uuid.uuid4())),
                                         metadata=self.md(), budget=30)
            self.assertEqual(resp.imported, 1)
            got = rollup(agg_pb().RollupRequest(region_code=COUNTY, period=period,
                                                indicator_codes=["m_a"]),
                         metadata=self.md(), timeout=CALL_TIMEOUT)
            rows = [r for r in got.rows if r.region.code == COUNTY and r.indicator.code == "m_a"]
            self.assertEqual(len(rows), 1, got)
            want = "12.34" if town == TOWN_A else "13"
            self.assertEqual(rows[0].value.value, want, "the Rollup missed the Submit before it")


if __name__ == "__main__":
    pc.main()
