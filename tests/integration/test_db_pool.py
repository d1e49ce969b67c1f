"""The PostgreSQL pool's own guarantees, against a real cluster:

- a failing COMMIT is a failure: an error that PostgreSQL raises at the
  end of a job's implicit transaction (a deferred constraint trigger;
  serialization failures under default_transaction_isolation =
  serializable) fails the call, never answers success with nothing stored;
  under serializable isolation, concurrent writers that retry retryable
  statuses with the same submission_id lose no acknowledged submission;
- a frozen database (SIGSTOP on every PostgreSQL process) is a database
  that is down: calls answer UNAVAILABLE within --db-timeout, health turns
  NOT_SERVING, and both come back by themselves after SIGCONT;
- libpq's messages reach huizongd's logger with a level (no raw libpq line
  on stderr), and a refused connection is logged with libpq's reason, not
  "bad file descriptor";
- every statement is a row of one table (db/sql/*.def) and a connection
  can hold all of them, so the prepared-statement limit cannot be hit by
  accident: one connection prepares every row and PostgreSQL describes it
  as declared (StatementTableTest, stmt_describe); the pool itself Parses
  every row exactly once on one connection, re-sends a refused or aborted
  Parse, and parses a row used twice in one job once (PoolParsesTest,
  pool_names); a one-connection server reaches every row through its RPCs
  with no Parse sent twice (EveryStatementOnOneConnectionTest).

All classes share one cluster; each has its own database and server."""

import os
import random
import re
import signal
import socket
import subprocess
import threading
import time

import grpc

import harness
from pgcluster import wait_until
import pgcluster as pc
from pgcluster import TOWN_A, TOWN_B, TOWN_A3

SC = grpc.StatusCode
ACCEPTED = None  # set lazily: reporting_pb() needs the generated modules


def accepted():
    return pc.reporting_pb().SubmissionStatus.SUBMISSION_STATUS_ACCEPTED




def submission_ids_stored(db, ids):
    found = set()
    for k in range(0, len(ids), 200):
        chunk = ids[k:k + 200]
        rows = db.query("SELECT id::text FROM submissions WHERE id IN (%s)"
                        % ",".join(pc.sql_literal(i) for i in chunk))
        found.update(r[0] for r in rows)
    return found


# ----------------------------------------------------------------------------

class CommitFailureTest(pc.PgServerTestCase):
    MARK = "13.13"

    def test_error_raised_at_commit_fails_the_submit(self):
        # Checked only when the implicit transaction commits, i.e. when the
        # pool's Sync arrives, after every statement has succeeded.
        self.db.execute("""
            CREATE FUNCTION hz_test_refuse_at_commit() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
              IF NEW.value = %s THEN
                RAISE EXCEPTION 'refused at commit (test trigger)';
              END IF;
              RETURN NULL;
            END $$;
            CREATE CONSTRAINT TRIGGER hz_test_refuse AFTER INSERT OR UPDATE ON data_values
              DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
              EXECUTE FUNCTION hz_test_refuse_at_commit();""" % self.MARK)
        try:
            r = self.rep()
            md = self.md("town_a")
            period = pc.fresh_quarter()
            ok = pc.call_with_db_retry(r.submit, pc.submit_request(TOWN_A, period, [("fai", "1.5")]),
                                       metadata=md)
            self.assertEqual(ok.status, accepted())
            before = self.db.counts()
            req = pc.submit_request(TOWN_A, period, [("fai", self.MARK), ("tax", "7")])
            try:
                resp = r.submit(req, metadata=md, timeout=15)
            except grpc.RpcError as e:
                self.assertNotEqual(e.code(), SC.OK)
            else:
                self.fail("Submit answered %s although its commit failed" % resp)
            self.assertEqual(self.db.counts(), before, "rows stored by a failed commit")
            self.assertEqual(self.db.count("submissions WHERE id = %s"
                                           % pc.sql_literal(req.submission_id)), 0)
            self.assertEqual(self.db.scalar(
                "SELECT value::text FROM data_values WHERE region_code = %s AND period = %s"
                " AND indicator_code = 'fai'" % (pc.sql_literal(TOWN_A), pc.sql_literal(period))),
                "1.5")
            # The connection that saw the failed commit still works.
            for _ in range(3):
                resp = r.submit(pc.submit_request(TOWN_A, period, [("tax", "8")]),
                                metadata=md, timeout=15)
                self.assertEqual(resp.status, accepted())
        finally:
            self.db.execute("DROP TRIGGER hz_test_refuse ON data_values;"
                            "DROP FUNCTION hz_test_refuse_at_commit();")


class SerializableWritersTest(pc.PgServerTestCase):
    WRITERS = 4
    PER_WRITER = 40
    SECONDS = 40
    RETRYABLE = (SC.UNAVAILABLE, SC.ABORTED)

    def test_no_acknowledged_submission_is_lost(self):
        self.db.execute("ALTER DATABASE \"%s\" SET default_transaction_isolation = serializable"
                        % self.db.name)
        # A new server: its sessions start after the ALTER.
        server = self.start_server()
        try:
            self.assertEqual(self.db.scalar("SHOW default_transaction_isolation"), "serializable")
            self.run_writers(server)
        finally:
            server.stop_and_check(self)

    def run_writers(self, server):
        periods = [pc.fresh_quarter() for _ in range(2)]
        towns = (TOWN_A, TOWN_B, TOWN_A3)
        codes = ("fai", "tax", "pigs", "balance")
        md = self.md("admin")
        acked, refused, retries = {}, [], []
        lock = threading.Lock()
        give_up = time.monotonic() + self.SECONDS

        def writer(seed):
            rnd = random.Random(seed)
            submit = pc.Reporting(server.channel()).submit
            for k in range(self.PER_WRITER):
                values = [(c, "%d.%02d" % (rnd.randrange(1000), rnd.randrange(100)))
                          for c in rnd.sample(codes, rnd.randrange(1, len(codes) + 1))]
                req = pc.submit_request(rnd.choice(towns), rnd.choice(periods), values)
                for attempt in range(50):
                    if time.monotonic() > give_up:
                        return
                    try:
                        resp = submit(req, metadata=md, timeout=20)
                    except grpc.RpcError as e:
                        if e.code() in self.RETRYABLE:
                            with lock:
                                retries.append((e.code(), e.details()))
                            time.sleep(0.01 * rnd.randrange(5))
                            continue
                        with lock:
                            refused.append((e.code(), e.details()))
                        break
                    with lock:
                        acked[req.submission_id] = resp
                    break

        threads = [threading.Thread(target=writer, args=(i,), daemon=True)
                   for i in range(self.WRITERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(self.SECONDS + 60)
        self.assertFalse(any(t.is_alive() for t in threads), "writers still running")
        self.assertEqual(refused, [], "non-retryable answers")
        self.assertGreater(len(acked), self.WRITERS * 5, "too few submissions went through")
        for code, details in retries:
            if code == SC.UNAVAILABLE and "40001" in details:
                self.assertIn("retry", details)
        stored = submission_ids_stored(self.db, list(acked))
        lost = sorted(set(acked) - stored)
        print("serializable: %d acknowledged, %d retried answers (%s), %d lost"
              % (len(acked), len(retries), sorted({d for _, d in retries})[:3], len(lost)))
        self.assertEqual(lost, [], "%d of %d acknowledged submissions are not in the database"
                         % (len(lost), len(acked)))
        for sid, resp in acked.items():
            self.assertEqual(resp.status, accepted())


# ----------------------------------------------------------------------------

def cluster_pids(pg):
    """The postmaster and every process it started."""
    with open(os.path.join(pg.dir, "data", "postmaster.pid")) as f:
        root = int(f.readline().strip())
    pids = [root]
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        if ppid == root:
            pids.append(int(entry))
    return pids


def signal_all(pids, sig):
    for pid in pids:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass


class FrozenDatabaseTest(pc.PgServerTestCase):
    DB_TIMEOUT = 2
    server_args = ("--db-connections", "2", "--db-timeout", str(DB_TIMEOUT))
    CLIENT_DEADLINE = 30
    BOUND = 12  # well below the client's deadline, generous for a loaded box

    def test_frozen_database_is_unavailable_then_recovers(self):
        h = harness.health_pb()
        r = self.rep()
        md = self.md("town_a")
        chan = self.server.channel()
        period = pc.fresh_quarter()
        pc.call_with_db_retry(r.list, pc.reporting_pb().ListSubmissionsRequest(page_size=1),
                              metadata=md)  # token cached
        pids = cluster_pids(self.pg)
        self.assertGreater(len(pids), 1)
        signal_all(pids, signal.SIGSTOP)
        try:
            t0 = time.monotonic()
            err = harness.rpc_error(self, r.submit,
                                    pc.submit_request(TOWN_A, period, [("fai", "2")]),
                                    metadata=md, timeout=self.CLIENT_DEADLINE)
            took = time.monotonic() - t0
            self.assertEqual(err.code(), SC.UNAVAILABLE, err.details())
            self.assertIn("database", err.details())
            self.assertLess(took, self.BOUND, "UNAVAILABLE took %.1fs" % took)
            # The other (idle) connection is pinged and dropped too.
            pc.wait_serving(chan, want=False, timeout=self.BOUND)
            t0 = time.monotonic()
            for req in (pc.reporting_pb().ListSubmissionsRequest(page_size=1),):
                err = harness.rpc_error(self, r.list, req, metadata=md,
                                        timeout=self.CLIENT_DEADLINE)
                self.assertEqual(err.code(), SC.UNAVAILABLE, err.details())
            self.assertLess(time.monotonic() - t0, self.BOUND)
            self.assertIn("database not responding", self.server.log_text())
        finally:
            signal_all(pids, signal.SIGCONT)
        pc.wait_serving(chan, want=True, timeout=30)
        resp = pc.call_with_db_retry(r.submit, pc.submit_request(TOWN_A, period, [("fai", "3")]),
                                     metadata=md)
        self.assertEqual(resp.status, accepted())
        self.assertEqual(self.db.scalar(
            "SELECT value::text FROM data_values WHERE region_code = %s AND period = %s"
            " AND indicator_code = 'fai'" % (pc.sql_literal(TOWN_A), pc.sql_literal(period))), "3")


# ----------------------------------------------------------------------------

LOG_LINE = re.compile(r"^huizongd: (error|warn|info|debug): ")
# With several event loops (--threads) a loop's lines end in " (loop N)".
LOOP_TAG = r"(?: \(loop \d+\))?"


class LibpqLogTest(pc.PgServerTestCase):

    def test_terminated_backend_is_logged_with_a_level(self):
        r = self.rep()
        md = self.md("town_a")
        pc.call_with_db_retry(r.list, pc.reporting_pb().ListSubmissionsRequest(page_size=1),
                              metadata=md)
        n = int(self.db.scalar(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            " AND backend_type = 'client backend'"))
        self.assertGreater(n, 0)
        wait_until(lambda: "terminating connection" in self.server.log_text(), 10,
                   "the termination to reach the log")
        pc.wait_serving(self.server.channel(), want=True, timeout=20)
        resp = pc.call_with_db_retry(r.submit, pc.submit_request(TOWN_A, pc.fresh_quarter(),
                                                                 [("fai", "1")]), metadata=md)
        self.assertEqual(resp.status, accepted())
        lines = [l for l in self.server.log_text().splitlines() if l.strip()]
        raw = [l for l in lines if not LOG_LINE.match(l)]
        self.assertEqual(raw, [], "lines that did not go through the logger")
        term = [l for l in lines if "terminating connection" in l]
        self.assertTrue(term)
        for l in term:
            self.assertRegex(l, r"^huizongd: warn: database FATAL: terminating connection"
                                r" due to administrator command \(57P01\)%s$" % LOOP_TAG)

    def test_refused_connection_is_logged_with_libpq_reason(self):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()  # nothing listens there now
        server = harness.Server(["--database-url",
                                 "postgresql://nobody@127.0.0.1:%d/none" % port])
        server.start()
        try:
            wait_until(lambda: "database unavailable" in server.log_text(), 15,
                       "the refused connection to be logged")
            log = server.log_text()
        finally:
            server.stop_and_check(self)
        line = [l for l in log.splitlines() if "database unavailable" in l][0]
        self.assertRegex(line, r"^huizongd: warn: ")
        self.assertNotIn("bad file descriptor", log.lower())
        self.assertIn("refused", line.lower())


# ----------------------------------------------------------------------------

class PoolParsesTest(pc.PgServerTestCase):
    """The pool (pool_names drives db/pool.c directly): a refused Parse is
    re-sent, an aborted Parse is re-sent, a row used twice in one job is
    parsed once; and one connection runs every row of the statement table
    twice, sending each row's Parse exactly once."""

    def test_one_connection_parses_every_row_once(self):
        exe = os.environ.get("HZ_POOL_NAMES")
        self.assertTrue(exe and os.access(exe, os.X_OK), "HZ_POOL_NAMES is not set")
        res = subprocess.run([exe, self.db.url], capture_output=True, text=True, timeout=180)
        out = res.stdout + res.stderr
        self.assertEqual(res.returncode, 0, out)
        declared = declared_statement_names()
        self.assertTrue(declared, "the statement table is empty")
        # 4 rules jobs, then every row in two rounds.
        self.assertIn("%d passed, 0 failed" % (4 + 2 * len(declared)), res.stdout)
        # Only the every-row pool logs at debug: its Parses, one per row.
        parsed = POOL_PREPARING_RE.findall(res.stderr)
        self.assertEqual(sorted(parsed), sorted(declared), "each row parsed exactly once")


POOL_PREPARING_RE = re.compile(r"^huizongd: debug: database: preparing (\S+)$", re.M)
PREPARING_RE = re.compile(r"^huizongd: debug: database: preparing ([A-Z0-9_]+)%s$" % LOOP_TAG,
                          re.M)
READ_PREPARING_RE = re.compile(
    r"^huizongd: debug: read database 1: preparing ([A-Z0-9_]+)%s$" % LOOP_TAG, re.M)


def stmt_describe():
    exe = os.environ.get("HZ_STMT_DESCRIBE")
    if not exe or not os.access(exe, os.X_OK):
        raise AssertionError("HZ_STMT_DESCRIBE is not set")
    return exe


def declared_statement_names():
    """Every row of the statement table (db/sql/*.def)."""
    res = subprocess.run([stmt_describe(), "-", "--list"], capture_output=True, text=True,
                         timeout=30, check=True)
    return set(res.stdout.split())


class StatementTableTest(pc.PgServerTestCase):
    """Issue 9 item 20: the statements are declared in one table, so one
    connection can prepare every one of them."""

    def test_every_row_prepares_and_matches_its_description(self):
        """One connection (stmt_describe) prepares every row of the table;
        PostgreSQL's parameter count and column names equal what the row
        declares."""
        res = subprocess.run([stmt_describe(), self.db.url], capture_output=True, text=True,
                             timeout=120)
        out = res.stdout + res.stderr
        self.assertEqual(res.returncode, 0, out)
        self.assertIn("%d passed, 0 failed" % len(declared_statement_names()), out)


class EveryStatementOnOneConnectionTest(pc.PgServerTestCase):
    """Issue 9 item 20, end to end: a server with one database connection
    reaches every row of the statement table through its RPCs (the
    reference data goes in through Admin RPCs of this same server), that
    connection Parses each row once, and no call answers INTERNAL. A row no
    call here reaches fails this test: extend the tour with its RPC. One
    loop (--threads 1): one connection in the whole process is the point."""
    server_args = ("--threads", "1", "--db-connections", "1", "--log-level", "debug")

    @classmethod
    def start_server(cls, extra_args=(), wait=True):
        # The primary itself as a read server (db/replica.h): the reads'
        # statements, READ_FRESH among them, run on its own one-connection
        # pool, and WAL_POSITION on the primary's.
        return super().start_server(["--read-database-url", cls.db.url] + list(extra_args), wait)

    def call(self, service, method, req, label="admin"):
        mod = pc.admin_pb() if service == "Admin" else (
            pc.reporting_pb() if service == "Reporting" else harness.pb("huizong/v1/aggregation.proto"))
        stub = harness.unary(self.server.channel(), "/huizong.v1.%s/%s" % (service, method),
                             getattr(mod, method + "Request"), None)
        try:
            stub(req, metadata=self.md(label), timeout=30)
        except grpc.RpcError as e:
            self.assertNotIn(e.code(), (SC.INTERNAL, SC.UNKNOWN, SC.UNAVAILABLE),
                             "%s/%s: %s" % (service, method, e.details()))
            return e.code()
        return SC.OK

    def test_every_statement_prepared_on_one_connection(self):
        a, rp = pc.admin_pb(), pc.reporting_pb()
        ag = harness.pb("huizong/v1/aggregation.proto")
        year = pc.fresh_year()
        q1, q2, q1_before = "%dQ1" % year, "%dQ2" % year, "%dQ1" % (year - 1)
        r = self.rep()
        sub = pc.submit_request(TOWN_A, q1, [("fai", "4.9"), ("debt_locked", "10"),
                                             ("debt_resolved", "3")], narrative="n")
        pc.call_with_db_retry(r.submit, sub, metadata=self.md("town_a"))
        r.submit(pc.submit_request(TOWN_B, q1, [("fai", "1")]), metadata=self.md("admin"),
                 timeout=30)
        r.submit(pc.submit_request(TOWN_A, q1_before, [("fai", "3.8")]),
                 metadata=self.md("town_a"), timeout=30)
        r.stream(iter([pc.submit_request(TOWN_B, q2, [("tax", "2")])]),
                 metadata=self.md("town_b"), timeout=30)
        calls = [
            ("Reporting", "GetSubmission", rp.GetSubmissionRequest(submission_id=sub.submission_id)),
            ("Reporting", "ListSubmissions", rp.ListSubmissionsRequest(region_code=TOWN_A)),
            ("Admin", "ListRegions", a.ListRegionsRequest()),
            ("Admin", "GetRegion", a.GetRegionRequest(code=pc.COUNTY)),
            ("Admin", "ListIndicators", a.ListIndicatorsRequest()),
            ("Admin", "WhoAmI", a.WhoAmIRequest()),
            ("Admin", "ListTokens", a.ListTokensRequest()),
            ("Admin", "ImportTargets", a.ImportTargetsRequest(rows=[a.TargetRow(
                line=2, region_code=pc.COUNTY, indicator_code="fai", period=str(year),
                value="20")])),
            ("Admin", "ListTargets", a.ListTargetsRequest()),
            ("Admin", "ImportRules", a.ImportRulesRequest(rows=[a.RuleRow(
                line=2, rule=a.ValidationRule(code="tour", name="巡检", left="debt_resolved",
                                              op="<=", right="debt_locked", severity=1,
                                              message="{left} > {right}"))])),
            ("Admin", "ListRules", a.ListRulesRequest(include_inactive=True)),
            ("Admin", "SetRuleActive", a.SetRuleActiveRequest(code="tour", active=False,
                                                              reason="tour")),
            ("Admin", "Approve", a.ApproveRequest(region_code=TOWN_A, period=q1)),
            ("Admin", "Reopen", a.ReopenRequest(region_code=TOWN_A, period=q1, reason="again")),
            ("Admin", "ApproveAllSubmitted", a.ApproveAllSubmittedRequest(region_code=pc.COUNTY,
                                                                          period=q1)),
            ("Admin", "ListSubmissionWindows", a.ListSubmissionWindowsRequest()),
            ("Admin", "SetSubmissionWindow", a.SetSubmissionWindowRequest(period_type=1,
                                                                          days_after_end=0)),
            ("Admin", "SetOpenFuturePeriods", a.SetOpenFuturePeriodsRequest(period_type=1,
                                                                            count=0)),
            ("Admin", "ReopenPeriod", a.ReopenPeriodRequest(region_code=TOWN_A, period=q1,
                                                            reason="late")),
            ("Admin", "ListPeriodExceptions", a.ListPeriodExceptionsRequest()),
            ("Admin", "GetAudit", a.GetAuditRequest(region_code=pc.COUNTY)),
            ("Admin", "RevokeToken", a.RevokeTokenRequest(
                name=self.fixture.token_names["county2"])),
            ("Aggregation", "Rollup", ag.RollupRequest(region_code=pc.COUNTY, period=q1)),
            ("Aggregation", "Rollup", ag.RollupRequest(region_code=pc.COUNTY, period=str(year),
                                                       group_by=2, include_total=True)),
            ("Aggregation", "Series", ag.SeriesRequest(region_code=pc.COUNTY, from_period=q1_before,
                                                       to_period=q2)),
            ("Aggregation", "Completeness", ag.CompletenessRequest(region_code=pc.COUNTY,
                                                                   period=q1)),
            ("Aggregation", "Completeness", ag.CompletenessRequest(
                region_code=pc.CITY, period=str(year), report_period_type=3, group_by=2)),
            ("Aggregation", "GetReport", ag.GetReportRequest(region_code=TOWN_A, period=q1)),
            ("Aggregation", "Validate", ag.ValidateRequest(region_code=pc.COUNTY, period=q1,
                                                           include_skipped=True)),
            ("Aggregation", "ExportValues", ag.ExportValuesRequest(
                region_code=pc.COUNTY, from_period=str(year - 1), to_period=str(year))),
        ]
        for service, method, req in calls:
            self.call(service, method, req)
        # Scope checks are made for tokens below admin.
        for label in ("county", "town_a"):
            self.call("Reporting", "ListSubmissions", rp.ListSubmissionsRequest(), label)
            self.call("Admin", "GetAudit", a.GetAuditRequest(), label)
            self.call("Aggregation", "Rollup", ag.RollupRequest(region_code=TOWN_A, period=q1),
                      label)
            self.call("Admin", "ListTargets", a.ListTargetsRequest(), label)
        log = self.server.log_text()
        prepared = PREPARING_RE.findall(log)
        read_prepared = READ_PREPARING_RE.findall(log)
        for names in (prepared, read_prepared):
            self.assertEqual(len(names), len(set(names)),
                             "a name was prepared twice on one connection")
        self.assertIn("READ_FRESH", read_prepared)
        self.assertIn("AGG_VALUES", read_prepared)
        declared = declared_statement_names()
        self.assertTrue(declared, "the statement table is empty")
        self.assertEqual(sorted(declared - set(prepared) - set(read_prepared)), [],
                         "declared statements this test never prepared")
        self.assertNotIn("SQL error", log)
        print("one connection prepared %d names (%d declared)" % (len(set(prepared)), len(declared)))



PREPARED_ANY_RE = re.compile(r"^huizongd: debug: database: preparing (\S+?)%s$" % LOOP_TAG, re.M)


class ReportingStatementsDeclaredTest(pc.PgServerTestCase):
    """Every statement huizong.v1.Reporting runs is a row of the statement
    table (db/sql/reporting.def), so none can be typed twice and drift; and
    the rows' columns, read by name, carry what they say."""
    server_args = ("--db-connections", "1", "--log-level", "debug")

    def test_reporting_prepares_only_declared_statements(self):
        r, rp = self.rep(), pc.reporting_pb()
        year = pc.fresh_year()
        q1, q2 = "%dQ1" % year, "%dQ2" % year
        # The reference data went in through Admin RPCs: only what follows counts.
        log_start = len(self.server.log_text())
        sub = pc.submit_request(TOWN_A, q1, [("fai", "4.90", "note"), ("tax", "1")],
                                narrative="n")
        pc.call_with_db_retry(r.submit, sub, metadata=self.md("town_a"))
        out = r.stream(iter([pc.submit_request(TOWN_A, q2, [("tax", "2")]),
                             pc.submit_request(TOWN_A, q2, [("fai", "oops")])]),
                       metadata=self.md("town_a"), timeout=30)
        self.assertEqual([x.code for x in out.results], [0, 3])
        got = r.get(rp.GetSubmissionRequest(submission_id=sub.submission_id.upper()),
                    metadata=self.md("county"), timeout=30)
        self.assertEqual((got.submission_id, got.region.code, got.period, got.imported,
                          got.value_count, got.narrative),
                         (sub.submission_id, TOWN_A, q1, 2, 2, "n"))
        self.assertTrue(got.region.name and got.region.level > 0, got.region)
        self.assertTrue(got.received_at and got.committed_at and got.submitted_by)
        self.assertEqual([(v.indicator_code, v.value, v.comment) for v in got.values],
                         [("fai", "4.9", "note"), ("tax", "1", "")])
        first = r.list(rp.ListSubmissionsRequest(region_code=TOWN_A, page_size=1),
                       metadata=self.md("admin"), timeout=30)
        self.assertEqual(len(first.submissions), 1)
        self.assertTrue(first.next_page_token)
        rest = r.list(rp.ListSubmissionsRequest(region_code=TOWN_A, page_size=1,
                                                page_token=first.next_page_token),
                      metadata=self.md("admin"), timeout=30)
        self.assertNotEqual(rest.submissions[0].submission_id,
                            first.submissions[0].submission_id)
        r.list(rp.ListSubmissionsRequest(), metadata=self.md("town_a"), timeout=30)
        prepared = set(PREPARED_ANY_RE.findall(self.server.log_text()[log_start:]))
        self.assertTrue(prepared, "nothing was prepared (is --log-level debug in effect?)")
        self.assertEqual(sorted(prepared - declared_statement_names()), [],
                         "Reporting prepared statements the table does not declare")

if __name__ == "__main__":
    pc.main()
