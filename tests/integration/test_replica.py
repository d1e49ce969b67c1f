"""Read replicas fresh at commit (issue 16 item 3): huizongd with
--read-database-url naming a real streaming standby of the test cluster
(tests/integration/replica.py).

- StandbyBehindTest: the standby applies commits 10 s late
  (recovery_min_apply_delay). After each of many Submits, Rollup, GetReport,
  Series, Completeness and ExportValues show it at once, while the standby
  itself, asked directly at that moment, has neither replayed the
  primary's position nor the submission.
- StandbyServesTest: with no delay and the standby caught up, the reads
  run on the standby (its hz_rollup_values call count rises by every
  Series and computed Rollup; the primary's does not move) and answer what
  a server without read servers answers. Then the standby is stopped:
  every read still answers, from the primary, with no error and one log
  line for the change; started again, the reads return to it.

Function call counts come from pg_stat_user_functions with track_functions
= 'pl' set on the test database (it replicates to the standby); a server's
counts reach the view within about a second, so they are polled."""

import atexit
import re
import subprocess
import time

import harness
import pgcluster as pc
import replica
from pgcluster import TOWN_A, TOWN_B

CALL_TIMEOUT = 30
STATS_TIMEOUT = 20.0  # function stats reach the view within about a second
RETURN_TIMEOUT = 60.0  # a restarted standby: reconnect backoff (5 s cap) and replay

_standby = None


def standby(delay):
    """The file's one standby of the cluster, created on first use."""
    global _standby
    if _standby is None:
        s = replica.Standby(pc.cluster(), delay=delay)
        _standby = s
        atexit.register(s.remove)
        s.create()
    elif _standby.delay != delay:
        _standby.set_delay(delay)
    return _standby


class Aggregation:
    def __init__(self, channel):
        a = pc.pb("huizong/v1/aggregation.proto")
        base = "/huizong.v1.Aggregation/"
        self.rollup = harness.unary(channel, base + "Rollup", a.RollupRequest, a.RollupResponse)
        self.series = harness.unary(channel, base + "Series", a.SeriesRequest, a.SeriesResponse)
        self.completeness = harness.unary(channel, base + "Completeness", a.CompletenessRequest,
                                          a.CompletenessResponse)
        self.report = harness.unary(channel, base + "GetReport", a.GetReportRequest, a.Report)
        self.export = harness.server_stream(channel, base + "ExportValues",
                                            a.ExportValuesRequest, a.ExportValuesResponse)


def state_lines(log, text):
    """How often each loop logged text: {loop tag: count}. With several
    loops (--threads) each owns its read pools and says so itself."""
    counts = {}
    for line in log.splitlines():
        if text in line:
            m = re.search(r" \(loop (\d+)\)$", line)
            key = m.group(1) if m else ""
            counts[key] = counts.get(key, 0) + 1
    return counts


def rollup_calls(url):
    """hz_rollup_values calls counted by the server at url (this database)."""
    rows = pc.run_psql(url, "SELECT coalesce(sum(calls), 0) FROM pg_stat_user_functions"
                            " WHERE funcname = 'hz_rollup_values'")
    return int(rows[0][0])


def wait_calls(url, at_least, timeout=STATS_TIMEOUT):
    deadline = time.monotonic() + timeout
    n = rollup_calls(url)
    while n < at_least and time.monotonic() < deadline:
        time.sleep(0.2)
        n = rollup_calls(url)
    return n


class ReplicaTestCase(pc.PgServerTestCase):
    DELAY = "0"
    MAX_WAIT_MS = "50"

    @classmethod
    def start_server(cls, extra_args=(), wait=True):
        sb = standby(cls.DELAY)
        # Before the server's first connection: its sessions count calls.
        cls.db.execute("ALTER DATABASE \"%s\" SET track_functions = 'pl'" % cls.db.name)
        cls.standby = sb
        return super().start_server(
            ["--read-database-url", sb.url(cls.db.name), "--read-max-wait-ms", cls.MAX_WAIT_MS,
             "--log-level", "debug"] + list(extra_args), wait)

    def agg(self):
        return Aggregation(self.server.channel())

    def submit(self, region, period, values):
        req = pc.submit_request(region, period, values)
        label = "town_a" if region == TOWN_A else "town_b"
        pc.call_with_db_retry(self.rep().submit, req, metadata=self.md(label))
        return req.submission_id

    def reads(self, agg, period, label="county"):
        """Every read RPC once, about TOWN_A and period; their figures of fai."""
        a = pc.pb("huizong/v1/aggregation.proto")
        md = self.md(label)
        ru = agg.rollup(a.RollupRequest(region_code=pc.COUNTY, period=period,
                                        indicator_codes=["fai"]), metadata=md,
                        timeout=CALL_TIMEOUT)
        se = agg.series(a.SeriesRequest(region_code=pc.COUNTY, from_period=period,
                                        to_period=period, indicator_codes=["fai"]),
                        metadata=md, timeout=CALL_TIMEOUT)
        rep = agg.report(a.GetReportRequest(region_code=TOWN_A, period=period), metadata=md,
                         timeout=CALL_TIMEOUT)
        co = agg.completeness(a.CompletenessRequest(region_code=pc.COUNTY, period=period),
                              metadata=md, timeout=CALL_TIMEOUT)
        ex = list(agg.export(a.ExportValuesRequest(region_code=pc.COUNTY, from_period=period,
                                                   to_period=period), metadata=md,
                             timeout=CALL_TIMEOUT))
        rep_fai = [v.value for v in rep.values if v.indicator.code == "fai"]
        ex_fai = [v.value for page in ex for v in page.records
                  if v.indicator_code == "fai" and v.region_code == TOWN_A]
        return {
            "rollup": ru.rows[0].value.value if ru.rows and ru.rows[0].HasField("value") else None,
            "series": (se.series[0].points[0].value.value
                       if se.series and se.series[0].points[0].HasField("value") else None),
            "report": rep_fai[0] if rep_fai else None,
            "reported": co.reported_count,
            "export": ex_fai[0] if ex_fai else None,
        }, (ru, se, rep, co, ex)


class StandbyBehindTest(ReplicaTestCase):
    DELAY = "10s"
    ROUNDS = 8

    def warm_up(self, agg):
        """Until a read has found the standby behind (its pool connected
        once the standby replayed this database's creation, 10 s late)."""
        deadline = time.monotonic() + 90.0
        while time.monotonic() < deadline:
            period = pc.fresh_quarter()
            self.submit(TOWN_B, period, [("fai", "1")])
            self.reads(agg, period)
            if "read database 1: behind the primary" in self.server.log_text():
                return
            time.sleep(1.0)
        self.fail("no read found the standby behind:\n" + self.server.log_text()[-4000:])

    def test_reads_right_after_submit_never_miss_it(self):
        agg = self.agg()
        self.warm_up(agg)
        behind = 0
        for i in range(self.ROUNDS):
            period = pc.fresh_quarter()
            value = "%d.5" % (i + 3)
            sid = self.submit(TOWN_A, period, [("fai", value)])
            after_submit = replica.primary_lsn(self.db.url)
            got, _ = self.reads(agg, period)
            # At this moment the standby has not applied the submission:
            # a read served there without the check would have missed it.
            replayed = self.standby.replay_lsn()
            seen = pc.run_psql(self.standby.url(self.db.name),
                               "SELECT count(*) FROM submissions WHERE id = %s"
                               % pc.sql_literal(sid))[0][0]
            if replayed < after_submit and seen == "0":
                behind += 1
            self.assertEqual((got["rollup"], got["series"], got["report"], got["export"],
                              got["reported"]), (value,) * 4 + (1,),
                             "round %d (%s): a read missed the submission" % (i, period))
        print("%d rounds; the standby was behind in %d of them" % (self.ROUNDS, behind))
        self.assertEqual(behind, self.ROUNDS, "the standby was not behind: the test proves nothing")
        log = self.server.log_text()
        self.assertNotIn("SQL error", log)
        # One line per state change, not one per read.
        lines = state_lines(log, "read database 1: behind the primary")
        self.assertTrue(lines and set(lines.values()) == {1}, "%s\n%s" % (lines, log[-3000:]))


class StandbyServesTest(ReplicaTestCase):
    DELAY = "0"
    N = 6

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.plain = harness.Server(["--database-url", cls.db.url])
        pc._servers.append(cls.plain)
        cls.plain.start()
        pc.wait_serving(cls.plain.channel())

    @classmethod
    def tearDownClass(cls):
        cls.plain.stop()
        super().tearDownClass()

    def caught_up(self):
        self.standby.wait_replayed(replica.primary_lsn(self.db.url))

    def test_0_environment_and_flag_errors(self):
        # HUIZONG_READ_DATABASE_URL names one read server, as the flag does.
        env_server = harness.Server(["--database-url", self.db.url],
                                    env={"HUIZONG_READ_DATABASE_URL":
                                         self.standby.url(self.db.name)})
        pc._servers.append(env_server)
        env_server.start()
        try:
            pc.wait_serving(env_server.channel())
            period = pc.fresh_quarter()
            self.submit(TOWN_A, period, [("fai", "1")])
            self.caught_up()
            self.series_until_on_standby(Aggregation(env_server.channel()), period,
                                         RETURN_TIMEOUT)
            self.assertIn("1 read database(s)", env_server.log_text())
        finally:
            self.assertEqual(env_server.stop(), 0, env_server.log_text())
        for args, want in ((["--read-database-url", ""], "--read-database-url is empty"),
                           (["--read-max-wait-ms", "soon"], "--read-max-wait-ms")):
            res = subprocess.run([harness.huizongd_path()] + args, capture_output=True,
                                 text=True, timeout=30, env=harness.server_env())
            self.assertEqual(res.returncode, 2, res.stderr)
            self.assertIn(want, res.stderr.splitlines()[0])

    def series_until_on_standby(self, agg, period, timeout):
        """Series until one is counted on the standby (its pool may still be
        reconnecting); returns the standby's count then."""
        a = pc.pb("huizong/v1/aggregation.proto")
        sb_url = self.standby.url(self.db.name)
        start = rollup_calls(sb_url)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            agg.series(a.SeriesRequest(region_code=pc.COUNTY, from_period=period,
                                       to_period=period), metadata=self.md("county"),
                       timeout=CALL_TIMEOUT)
            if wait_calls(sb_url, start + 1, timeout=2.0) > start:
                return
        self.fail("no read reached the standby in %.0fs:\n%s" % (timeout, self.server.log_text()[-3000:]))

    def test_1_reads_run_on_the_standby_and_match_the_primary(self):
        agg = self.agg()
        period = pc.fresh_quarter()
        self.submit(TOWN_A, period, [("fai", "12.25")])
        self.submit(TOWN_B, period, [("fai", "0.75")])
        self.caught_up()
        self.series_until_on_standby(agg, period, RETURN_TIMEOUT)
        sb_url = self.standby.url(self.db.name)
        time.sleep(1.5)  # let the primary's counts settle before the baseline
        sb0, pr0 = rollup_calls(sb_url), rollup_calls(self.db.url)
        answers = []
        for _ in range(self.N):
            got, raw = self.reads(agg, period)
            answers.append(raw)
            self.assertEqual((got["rollup"], got["series"], got["report"], got["export"],
                              got["reported"]), ("13", "13", "12.25", "12.25", 2), got)
        # Each round: one Series and the first round's computed Rollup (the
        # later ones come from the answer cache, after a stamp on the primary).
        sb1 = wait_calls(sb_url, sb0 + self.N + 1)
        time.sleep(1.5)
        pr1 = rollup_calls(self.db.url)
        print("hz_rollup_values calls: standby +%d, primary +%d" % (sb1 - sb0, pr1 - pr0))
        self.assertGreaterEqual(sb1 - sb0, self.N + 1, "reads did not run on the standby")
        self.assertEqual(pr1 - pr0, 0, "reads ran on the primary while the standby was fresh")
        # The same answers as a server that reads only the primary.
        _, plain = self.reads(Aggregation(self.plain.channel()), period)
        for name, x, y in zip(("Rollup", "Series", "GetReport", "Completeness"), answers[-1],
                              plain):
            self.assertEqual(x.SerializeToString(deterministic=True),
                             y.SerializeToString(deterministic=True), name)
        self.assertEqual([p.SerializeToString() for p in answers[-1][4]],
                         [p.SerializeToString() for p in plain[4]], "ExportValues")

    def test_2_standby_down_reads_use_the_primary_then_return(self):
        agg = self.agg()
        period = pc.fresh_quarter()
        self.submit(TOWN_A, period, [("fai", "7")])
        self.caught_up()
        self.series_until_on_standby(agg, period, RETURN_TIMEOUT)
        self.standby.stop()
        try:
            pr0 = rollup_calls(self.db.url)
            for i in range(self.N):
                value = "%d" % (20 + i)
                self.submit(TOWN_A, period, [("fai", value)])
                got, _ = self.reads(agg, period)
                self.assertEqual((got["rollup"], got["series"], got["report"], got["export"],
                                  got["reported"]), (value,) * 4 + (1,), got)
            pr1 = wait_calls(self.db.url, pr0 + self.N)
            self.assertGreaterEqual(pr1 - pr0, self.N, "the primary did not answer the reads")
        finally:
            self.standby.start()
        log = self.server.log_text()
        lines = state_lines(log, "read database 1: unavailable")
        self.assertTrue(lines and set(lines.values()) == {1},
                        "one log line per state change: %s\n%s" % (lines, log[-4000:]))
        # Back: the reads return to the standby by themselves.
        self.caught_up()
        self.series_until_on_standby(agg, period, RETURN_TIMEOUT)
        self.assertIn("read database 1: serving reads", self.server.log_text())


if __name__ == "__main__":
    pc.main()
