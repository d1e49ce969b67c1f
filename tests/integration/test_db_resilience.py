"""huizongd when PostgreSQL is slow, full or gone, against a real cluster:

- the loop never blocks: while a Submit waits inside PostgreSQL on a lock
  held by another session, Health answers in well under 200 ms and other
  database calls proceed; the Submit completes once the lock is released;
- the pool's queue is bounded: beyond it calls are RESOURCE_EXHAUSTED;
- database down at the start of a call: UNAVAILABLE at once with a clear
  message (never a hang or INTERNAL), health NOT_SERVING, and recovery
  without a restart when the database is back;
- PostgreSQL restarted in the middle of a stream of submissions that a
  client retries with the same submission_id: every acknowledged
  submission is stored exactly once, nothing doubled.

All tests of this file share one cluster (stopped and started by some of
them); each class has its own database and server."""

import sys
import threading
import time

import grpc

import harness
import pgcluster as pc
from pgcluster import TOWN_A, TOWN_B

SC = grpc.StatusCode
HEALTH_BUDGET = 0.200


def waiting_on_lock(db, like="%hz_submit%"):
    return db.count("pg_stat_activity WHERE datname = current_database()"
                    " AND wait_event_type = 'Lock' AND query LIKE %s" % pc.sql_literal(like))


def wait_until(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError("timed out after %.0fs waiting for %s" % (timeout, what))


class ResilienceBase(pc.PgServerTestCase):

    def setUp(self):
        # A test that stopped the cluster and failed must not take the
        # next one down with it.
        if not self.pg.running():
            self.pg.start()
        pc.wait_serving(self.server.channel())
        self.r = self.rep()
        # Resolve the tokens now, so the calls under test need the
        # database only for their own work.
        for label in ("admin", "town_a", "town_b"):
            pc.call_with_db_retry(self.r.list, pc.reporting_pb().ListSubmissionsRequest(page_size=1),
                                  metadata=self.md(label))

    def timed_health(self, channel):
        h = harness.health_pb()
        check = harness.health_check(channel)
        t0 = time.monotonic()
        resp = check(h.HealthCheckRequest(service=""), timeout=5)
        return time.monotonic() - t0, resp.status


# ----------------------------------------------------------------------------

# A test's calls share one connection, so they run on one loop; pool sizes
# and queue bounds are per process and split across the loops, so these
# give every loop the pool the test means.
LOOPS = harness.server_loops()


class LoopNeverBlocksTest(ResilienceBase):
    server_args = ("--db-connections", str(2 * LOOPS))

    def test_health_answers_while_a_submit_waits_in_the_database(self):
        h = harness.health_pb()
        hchan = self.server.channel()
        self.timed_health(hchan)  # connection set up outside the measurement
        period = pc.fresh_quarter()
        holder = pc.LockHolder(self.db, "LOCK TABLE reports IN EXCLUSIVE MODE", 3)
        try:
            holder.wait_granted("reports", "ExclusiveLock")
            t0 = time.monotonic()
            fut = self.r.submit.future(pc.submit_request(TOWN_A, period, [("fai", "4.9")]),
                                       metadata=self.md("town_a"), timeout=30)
            wait_until(lambda: waiting_on_lock(self.db) > 0, 5,
                       "the Submit to wait on the lock inside PostgreSQL")
            latencies = []
            for _ in range(10):
                dt, st = self.timed_health(hchan)
                self.assertEqual(st, h.HealthCheckResponse.SERVING)
                latencies.append(dt)
                time.sleep(0.05)
            # Another database call runs on the pool's other connection.
            t1 = time.monotonic()
            self.r.list(pc.reporting_pb().ListSubmissionsRequest(page_size=5),
                        metadata=self.md("town_b"), timeout=5)
            list_time = time.monotonic() - t1
            self.assertFalse(fut.done(), "Submit finished while its table was locked")
            self.assertGreater(waiting_on_lock(self.db), 0)
            holder.finish()
            resp = fut.result(timeout=20)
            waited = time.monotonic() - t0
        finally:
            holder.kill()
        self.assertLess(max(latencies), HEALTH_BUDGET,
                        "Health took %s s while a Submit waited in PostgreSQL"
                        % ["%.3f" % x for x in latencies])
        self.assertLess(list_time, 1.0, "ListSubmissions was held up by the locked Submit")
        self.assertEqual(resp.status, pc.reporting_pb().SubmissionStatus.SUBMISSION_STATUS_ACCEPTED)
        self.assertGreater(waited, 1.0)
        self.assertEqual(self.db.scalar("SELECT value::text FROM data_values WHERE region_code = %s"
                                        " AND period = %s AND indicator_code = 'fai'"
                                        % (pc.sql_literal(TOWN_A), pc.sql_literal(period))), "4.9")

    def test_health_answers_while_every_connection_is_held(self):
        # Both pool connections stuck in the database, more calls queued:
        # the loop still answers Health at once.
        hchan = self.server.channel()
        self.timed_health(hchan)
        holder = pc.LockHolder(self.db, "LOCK TABLE reports IN EXCLUSIVE MODE", 3)
        futs = []
        try:
            holder.wait_granted("reports", "ExclusiveLock")
            for town, label in ((TOWN_A, "town_a"), (TOWN_B, "town_b")) * 3:
                futs.append(self.r.submit.future(
                    pc.submit_request(town, pc.fresh_quarter(), [("fai", "1")]),
                    metadata=self.md(label), timeout=30))
            wait_until(lambda: waiting_on_lock(self.db) >= 2, 5, "two Submits waiting on the lock")
            latencies = [self.timed_health(hchan)[0] for _ in range(10)]
            self.assertFalse(any(f.done() for f in futs))
            holder.finish()
            results = [f.result(timeout=30) for f in futs]
        finally:
            holder.kill()
        self.assertLess(max(latencies), HEALTH_BUDGET, ["%.3f" % x for x in latencies])
        self.assertEqual([r.imported for r in results], [1] * 6)


class QueueBoundTest(ResilienceBase):
    server_args = ("--db-connections", str(LOOPS), "--db-queue", str(2 * LOOPS))

    def test_full_queue_resource_exhausted_and_queued_calls_complete(self):
        holder = pc.LockHolder(self.db, "LOCK TABLE reports IN EXCLUSIVE MODE", 3)
        try:
            holder.wait_granted("reports", "ExclusiveLock")
            first = self.r.submit.future(pc.submit_request(TOWN_A, pc.fresh_quarter(),
                                                           [("fai", "1")]),
                                         metadata=self.md("town_a"), timeout=30)
            wait_until(lambda: waiting_on_lock(self.db) > 0, 5, "the first Submit to hold the connection")
            later = [self.r.submit.future(pc.submit_request(TOWN_A, pc.fresh_quarter(),
                                                            [("fai", "2")]),
                                          metadata=self.md("town_a"), timeout=30)
                     for _ in range(6)]
            # Two fit the queue; the other four are refused at once.
            wait_until(lambda: sum(f.done() for f in later) >= 4, 5, "refusals of a full queue")
            refused = [f for f in later if f.done()]
            self.assertEqual(len(refused), 4)
            for f in refused:
                self.assertEqual(f.exception().code(), SC.RESOURCE_EXHAUSTED, f.exception().details())
            dt, _ = self.timed_health(self.server.channel())
            self.assertLess(dt, HEALTH_BUDGET)
            holder.finish()
            self.assertEqual(first.result(timeout=20).imported, 1)
            for f in later:
                if f not in refused:
                    self.assertEqual(f.result(timeout=20).imported, 1)
        finally:
            holder.kill()


# ----------------------------------------------------------------------------

class DatabaseDownTest(ResilienceBase):

    def test_down_at_the_start_of_a_call_then_recovers_by_itself(self):
        h = harness.health_pb()
        period = pc.fresh_quarter()
        unused = self.fixture.add_token("unused", "township", TOWN_A)  # not cached yet
        chan = self.server.channel()
        self.pg.stop()
        try:
            # The pool notices the loss (fast shutdown closes its sockets).
            pc.wait_serving(chan, want=False, timeout=10)
            dt, st = self.timed_health(chan)
            self.assertEqual(st, h.HealthCheckResponse.NOT_SERVING)
            self.assertLess(dt, HEALTH_BUDGET)
            calls = {
                "Submit": lambda md: self.r.submit(
                    pc.submit_request(TOWN_A, period, [("fai", "1")]), metadata=md, timeout=10),
                "GetSubmission": lambda md: self.r.get(pc.reporting_pb().GetSubmissionRequest(
                    submission_id=pc.new_id()), metadata=md, timeout=10),
                "ListSubmissions": lambda md: self.r.list(
                    pc.reporting_pb().ListSubmissionsRequest(), metadata=md, timeout=10),
            }
            for label, md in (("cached token", self.md("town_a")),
                              ("uncached token", pc.auth(unused))):
                for name, fn in calls.items():
                    with self.subTest(method=name, token=label):
                        t0 = time.monotonic()
                        err = harness.rpc_error(self, fn, md)
                        elapsed = time.monotonic() - t0
                        self.assertEqual(err.code(), SC.UNAVAILABLE, err.details())
                        self.assertIn("database", err.details().lower())
                        self.assertLess(elapsed, 3.0, "UNAVAILABLE took %.1fs" % elapsed)
            # A stream while the database is away: refused as a whole or
            # per request, never stored.
            try:
                resp = self.r.stream(iter([pc.submit_request(TOWN_A, period, [("tax", "1")])]),
                                     metadata=self.md("town_a"), timeout=10)
                self.assertEqual([x.code for x in resp.results], [SC.UNAVAILABLE.value[0]])
            except grpc.RpcError as e:
                self.assertEqual(e.code(), SC.UNAVAILABLE, e.details())
            # Still down a few seconds later: still UNAVAILABLE, not a hang.
            time.sleep(2)
            err = harness.rpc_error(self, calls["Submit"], self.md("town_a"))
            self.assertEqual(err.code(), SC.UNAVAILABLE, err.details())
        finally:
            self.pg.start()
        took = pc.wait_serving(chan, want=True, timeout=20)
        resp = self.r.submit(pc.submit_request(TOWN_A, period, [("fai", "1")]),
                             metadata=self.md("town_a"), timeout=10)
        self.assertEqual(resp.imported, 1)
        resp = self.r.submit(pc.submit_request(TOWN_A, period, [("tax", "2")]),
                             metadata=pc.auth(unused), timeout=10)
        self.assertEqual(resp.imported, 1)
        self.assertEqual(self.db.count("data_values WHERE region_code = %s AND period = %s"
                                       % (pc.sql_literal(TOWN_A), pc.sql_literal(period))), 2)
        self.assertLess(took, 20)

    def test_server_started_while_database_is_down(self):
        self.pg.stop()
        server = None
        try:
            server = self.start_server(wait=False)
            chan = server.channel()
            r = pc.Reporting(chan)
            err = harness.rpc_error(self, r.list, pc.reporting_pb().ListSubmissionsRequest(),
                                    metadata=self.md("admin"), timeout=10)
            self.assertEqual(err.code(), SC.UNAVAILABLE, err.details())
            pc.wait_serving(chan, want=False, timeout=10)
            self.pg.start()
            pc.wait_serving(chan, want=True, timeout=20)
            resp = r.submit(pc.submit_request(TOWN_B, pc.fresh_quarter(), [("fai", "1")]),
                            metadata=self.md("town_b"), timeout=10)
            self.assertEqual(resp.imported, 1)
        finally:
            if not self.pg.running():
                self.pg.start()
            if server:
                server.stop_and_check(self)


# ----------------------------------------------------------------------------

class RestartMidStreamTest(ResilienceBase):
    N = 200
    VALUES_PER = 3

    def plan(self):
        """N submissions with distinct (region, month) keys, by admin."""
        towns = pc.TOWNSHIPS
        per_town = -(-self.N // len(towns))
        years = [pc.fresh_year() for _ in range(-(-per_town // 12))]
        reqs = []
        for i in range(self.N):
            town = towns[i % len(towns)]
            k = i // len(towns)
            period = "%d%02d" % (years[k // 12], k % 12 + 1)
            reqs.append(pc.submit_request(town, period, [
                ("m_a", str(i)), ("m_b", "%d.25" % i), ("m_c", "-%d.5" % i)]))
        return reqs

    def check_stored_exactly_once(self, reqs, acks):
        ids = ",".join(pc.sql_literal(r.submission_id) for r in reqs)
        self.assertEqual(self.db.count("submissions WHERE id IN (%s)" % ids), len(reqs))
        rows = self.db.query("SELECT submission_id::text, region_code, period, indicator_code,"
                             " value::text FROM data_values WHERE submission_id IN (%s)" % ids)
        want = {(r.submission_id, r.region_code, r.period, v.indicator_code, v.value)
                for r in reqs for v in r.values}
        self.assertEqual(len(rows), len(want))
        self.assertEqual(set(rows), want)
        bad = self.db.query("SELECT submission_id::text, count(*) FROM audit_log"
                            " WHERE action = 'value.set' AND submission_id IN (%s)"
                            " GROUP BY submission_id HAVING count(*) <> %d" % (ids, self.VALUES_PER))
        self.assertEqual(bad, [], "audit rows doubled or missing")
        self.assertEqual(self.db.count("audit_log WHERE action = 'value.set' AND submission_id IN (%s)"
                                       % ids), len(reqs) * self.VALUES_PER)
        for i, a in enumerate(acks):
            # A re-applied retry would say unchanged/updated instead.
            self.assertEqual((a.imported, a.updated, a.unchanged), (self.VALUES_PER, 0, 0),
                             "submission %d acknowledged as %s" % (i, a))

    def restart_when(self, progress, at, down_seconds=2.0):
        """Waits until progress() >= at, then stops PostgreSQL, keeps it
        down for down_seconds (health must say NOT_SERVING meanwhile) and
        starts it again on the same port."""
        wait_until(lambda: progress() >= at, 120, "%d acknowledged submissions" % at)
        self.pg.stop()
        try:
            pc.wait_serving(self.server.channel(), want=False, timeout=10)
            time.sleep(down_seconds)
        finally:
            self.pg.start()

    def test_restart_during_a_stream_of_submits(self):
        reqs = self.plan()
        acks = [None] * len(reqs)
        failures = {}
        seen = []
        stop = threading.Event()
        md = self.md("admin")
        stub = pc.Reporting(self.server.channel()).submit

        def client():
            for i, req in enumerate(reqs):
                give_up = time.monotonic() + 60
                while not stop.is_set():
                    try:
                        acks[i] = stub(req, metadata=md, timeout=5)
                        break
                    except grpc.RpcError as e:
                        seen.append((i, e.code(), e.details()))
                        if e.code() not in pc.RETRYABLE or time.monotonic() > give_up:
                            failures[i] = (e.code(), e.details())
                            break
                        time.sleep(0.05)
                if i in failures or stop.is_set():
                    return

        t = threading.Thread(target=client, daemon=True)
        t.start()
        try:
            self.restart_when(lambda: sum(a is not None for a in acks), 60)
            t.join(240)
            self.assertFalse(t.is_alive(), "client still submitting after 240 s")
        finally:
            stop.set()
            t.join(30)
        self.assertEqual(failures, {})
        self.assertTrue(all(a is not None for a in acks),
                        "%d of %d acknowledged" % (sum(a is not None for a in acks), len(acks)))
        self.assertTrue(any(code == SC.UNAVAILABLE for _, code, _ in seen),
                        "the restart never reached the client: %s" % seen[:5])
        for _, code, details in seen:
            self.assertIn(code, pc.RETRYABLE, details)
        sys.stderr.write("restart: %d failed attempts (%s), %d acknowledged as replays\n"
                         % (len(seen), sorted({c.name for _, c, _ in seen}),
                            sum(a.replayed for a in acks)))
        pc.wait_serving(self.server.channel(), want=True, timeout=20)
        self.check_stored_exactly_once(reqs, acks)

    def test_restart_during_submitstream_batches(self):
        # Bulk load in batches of 20: a failed call resends the whole batch,
        # a per-request UNAVAILABLE resends that request, same ids always.
        reqs = self.plan()
        acks = [None] * len(reqs)
        failures = {}
        retried = []
        stop = threading.Event()
        md = self.md("admin")
        stream = pc.Reporting(self.server.channel()).stream

        def client():
            for start in range(0, len(reqs), 20):
                pending = list(range(start, min(start + 20, len(reqs))))
                give_up = time.monotonic() + 60
                while pending and not stop.is_set():
                    try:
                        resp = stream(iter([reqs[i] for i in pending]), metadata=md, timeout=10)
                    except grpc.RpcError as e:
                        retried.append(("call", e.code()))
                        if e.code() not in pc.RETRYABLE or time.monotonic() > give_up:
                            failures[pending[0]] = (e.code(), e.details())
                            return
                        time.sleep(0.05)
                        continue
                    if len(resp.results) != len(pending):
                        failures[pending[0]] = ("results", len(resp.results), len(pending))
                        return
                    again = []
                    for i, res in zip(pending, resp.results):
                        if res.code == 0:
                            acks[i] = res
                        elif res.code in (SC.UNAVAILABLE.value[0], SC.DEADLINE_EXCEEDED.value[0]):
                            retried.append(("item", res.code))
                            again.append(i)
                        else:
                            failures[i] = (res.code, res.message)
                            return
                    pending = again
                    if pending:
                        if time.monotonic() > give_up:
                            failures[pending[0]] = ("gave up", len(pending))
                            return
                        time.sleep(0.05)

        t = threading.Thread(target=client, daemon=True)
        t.start()
        try:
            self.restart_when(lambda: sum(a is not None for a in acks), 60)
            t.join(240)
            self.assertFalse(t.is_alive(), "client still loading after 240 s")
        finally:
            stop.set()
            t.join(30)
        self.assertEqual(failures, {})
        self.assertTrue(all(a is not None for a in acks))
        self.assertTrue(retried, "the restart never reached the client")
        sys.stderr.write("restart (stream): %d retries (%d whole calls), %d acknowledged as replays\n"
                         % (len(retried), sum(1 for k, _ in retried if k == "call"),
                            sum(a.replayed for a in acks)))
        pc.wait_serving(self.server.channel(), want=True, timeout=20)
        self.check_stored_exactly_once(reqs, acks)


if __name__ == "__main__":
    pc.main()
