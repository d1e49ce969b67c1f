"""Reporting and on-time rates (报送率, 及时率) and periods that have not
started (issue 11, deliverables 4, 5 and the server side of 6), against
real PostgreSQL, driven by grpcio.

Completeness at a period coarser than the reports aggregates the
sub-period reports: a year of monthly reports is 12 expected reports per
township; per township the sub-periods reported, late and missing and a
state (MISSING / PARTIAL / SUBMITTED / APPROVED); per region and per child
region the expected, reported, on-time and late reports and the two rates.
The expected figures are computed here from what each test submitted (or
from psql), never copied from the server.

A submission for a period that starts after today (China Standard Time)
is FAILED_PRECONDITION naming the period's first day, unless an
administrator opened future periods of its type (Admin.SetOpenFuturePeriods).
Deadlines are China Standard Time whatever the database session's TimeZone.

Windows and open future periods are global to a database: the classes
that set them have a database of their own and put them back after each
test."""

import datetime
import decimal
import os
import subprocess

import grpc

import harness
import pgcluster as pc
from pgcluster import TOWN_A, TOWN_B, TOWN_A3, TOWN_C, TOWN_D, COUNTY, COUNTY2, CITY, PROVINCE

SC = grpc.StatusCode
CST = datetime.timezone(datetime.timedelta(hours=8))
COUNTY_TOWNS = (TOWN_A, TOWN_B, TOWN_A3)


def agg_pb():
    return pc.pb("huizong/v1/aggregation.proto")


def today_cst():
    return datetime.datetime.now(CST).date()


def months(y):
    return ["%d%02d" % (y, m) for m in range(1, 13)]


def quarters(y):
    return ["%dQ%d" % (y, q) for q in range(1, 5)]


def pct(count, expected):
    """The contract's rate: count / expected × 100, exact, rounded once to
    2 places half away from zero; None when nothing is expected."""
    if expected == 0:
        return None
    q = decimal.Decimal(count) * 100 / decimal.Decimal(expected)
    return str(q.quantize(decimal.Decimal("0.01"), rounding=decimal.ROUND_HALF_UP))


def quarter_of(d):
    return "%dQ%d" % (d.year, (d.month - 1) // 3 + 1)


def quarter_start(code):
    y, q = int(code[:4]), int(code[5])
    return datetime.date(y, 3 * q - 2, 1)


def next_quarter(code, n=1):
    y, q = int(code[:4]), int(code[5]) - 1 + n
    return "%dQ%d" % (y + q // 4, q % 4 + 1)


def deadline_of(period_end, days):
    """00:00 China Standard Time `days` days after the period ends, as the
    wire writes it (UTC, microseconds, Z)."""
    local = datetime.datetime.combine(period_end + datetime.timedelta(days=days),
                                      datetime.time(0), tzinfo=CST)
    return local.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class RatesTestBase(pc.PgServerTestCase):
    """Stubs and helpers shared by the classes below."""

    def setUp(self):
        self.g = agg_pb()
        self.a = pc.admin_pb()
        self.c = pc.common_pb()
        self.r = self.rep()
        ch = self.server.channel()
        self._completeness = harness.unary(ch, "/huizong.v1.Aggregation/Completeness",
                                           self.g.CompletenessRequest,
                                           self.g.CompletenessResponse)
        self._admin = {}
        for method, req_cls, resp_cls in (
                ("SetOpenFuturePeriods", self.a.SetOpenFuturePeriodsRequest,
                 self.a.SubmissionWindow),
                ("SetSubmissionWindow", self.a.SetSubmissionWindowRequest,
                 self.a.SubmissionWindow),
                ("ListSubmissionWindows", self.a.ListSubmissionWindowsRequest,
                 self.a.ListSubmissionWindowsResponse),
                ("Approve", self.a.ApproveRequest, self.a.ApprovalResponse),
                ("ReopenPeriod", self.a.ReopenPeriodRequest, self.a.PeriodException)):
            self._admin[method] = harness.unary(ch, "/huizong.v1.Admin/" + method, req_cls,
                                                resp_cls)

    def admin_reopen_period(self, region, period):
        return self.admin("ReopenPeriod", self.a.ReopenPeriodRequest(
            region_code=region, period=period, reason="迟报，经批准补报"))

    def state(self, name):
        return self.c.ApprovalState.Value("APPROVAL_STATE_" + name)

    def admin(self, method, req, label="admin"):
        return self._admin[method](req, metadata=self.md(label), timeout=30)

    def completeness(self, region, period, label="admin", **kw):
        req = self.g.CompletenessRequest(region_code=region, period=period, **kw)
        return pc.call_with_db_retry(self._completeness, req, timeout=30,
                                     metadata=self.md(label))

    def completeness_refused(self, code, region, period, **kw):
        req = self.g.CompletenessRequest(region_code=region, period=period, **kw)
        with self.assertRaises(grpc.RpcError) as cm:
            self._completeness(req, metadata=self.md("admin"), timeout=30)
        self.assertEqual(cm.exception.code(), code, cm.exception.details())
        return cm.exception.details()

    def submit(self, region, period, values, label="admin", **kw):
        return pc.call_with_db_retry(self.r.submit, pc.submit_request(region, period, values, **kw),
                                     timeout=30, metadata=self.md(label))

    def submit_all(self, plan, code):
        """plan: {township: [periods]}; one value of indicator code each."""
        for town, periods in plan.items():
            for i, period in enumerate(periods):
                self.submit(town, period, [(code, str(i + 1))])

    def unit(self, resp, code):
        found = [u for u in resp.units if u.region.code == code]
        self.assertEqual(len(found), 1, "unit %s in %s" % (code, [u.region.code for u in resp.units]))
        return found[0]

    def assert_rates(self, rates, expected, reported, on_time, late):
        self.assertEqual((rates.expected_reports, rates.reported_reports, rates.on_time_reports,
                          rates.late_reports), (expected, reported, on_time, late))
        for field, count in (("reporting_rate_pct", reported), ("on_time_rate_pct", on_time)):
            want = pct(count, expected)
            if want is None:
                self.assertFalse(rates.HasField(field), "%s set with nothing expected" % field)
            else:
                self.assertTrue(rates.HasField(field), field)
                self.assertEqual(getattr(rates, field).value, want, field)


# ============================================================================

class CoarsePeriodTest(RatesTestBase):
    """Completeness of sub-period reports at coarser periods, without
    submission windows (every report on time)."""

    def test_every_month_of_a_year_is_not_missing_for_the_year(self):
        y = pc.fresh_year()
        self.submit_all({TOWN_A: months(y)}, "m_a")
        M = self.c.PeriodType.Value("PERIOD_TYPE_MONTH")
        c = self.completeness(COUNTY, str(y), report_period_type=M)
        self.assertEqual(c.report_period_type, M)
        a = self.unit(c, TOWN_A)
        self.assertEqual(a.state, self.state("SUBMITTED"))
        self.assert_rates(a.rates, 12, 12, 12, 0)
        self.assertEqual(a.rates.reporting_rate_pct.value, "100.00")
        self.assertEqual(list(a.reported_periods), months(y))
        self.assertEqual((list(a.late_periods), list(a.missing_periods)), ([], []))
        self.assertEqual(a.value_count, 1)  # one indicator, m_a, in every month
        latest = self.db.query("SELECT last_submission_id::text FROM reports"
                               " WHERE region_code = '%s' AND period = '%d12'" % (TOWN_A, y))
        self.assertEqual(a.last_submission_id, latest[0][0])
        for town in (TOWN_B, TOWN_A3):
            u = self.unit(c, town)
            self.assertEqual(u.state, self.state("MISSING"))
            self.assert_rates(u.rates, 12, 0, 0, 0)
            self.assertEqual(list(u.missing_periods), months(y))
            self.assertEqual(u.last_submitted_at, "")
        self.assertEqual((c.expected_count, c.reported_count, c.approved_count, c.missing_count,
                          c.partial_count), (3, 1, 0, 2, 0))
        self.assertEqual(list(c.missing_region_codes), sorted([TOWN_B, TOWN_A3]))
        self.assert_rates(c.rates, 36, 12, 12, 0)
        self.assertEqual(c.rates.reporting_rate_pct.value, "33.33")
        # A quarter of the same year by month: 3 of 3.
        q = self.completeness(COUNTY, "%dQ2" % y, report_period_type=M)
        self.assert_rates(self.unit(q, TOWN_A).rates, 3, 3, 3, 0)
        self.assertEqual(list(self.unit(q, TOWN_A).reported_periods),
                         ["%d04" % y, "%d05" % y, "%d06" % y])
        # Unset, a year counts yearly reports (the fixture has a yearly
        # indicator): the monthly reports are not the year's report.
        plain = self.completeness(COUNTY, str(y))
        self.assertEqual(plain.report_period_type, self.c.PeriodType.Value("PERIOD_TYPE_YEAR"))
        self.assertEqual(self.unit(plain, TOWN_A).state, self.state("MISSING"))

    def test_a_year_of_quarterly_reports_one_two_three_and_four_quarters(self):
        y = pc.fresh_year()
        plan = {TOWN_A: quarters(y)[:1], TOWN_B: quarters(y)[:2], TOWN_A3: quarters(y)[:3]}
        self.submit_all(plan, "fai")
        Q = self.c.PeriodType.Value("PERIOD_TYPE_QUARTER")
        c = self.completeness(COUNTY, str(y), report_period_type=Q)
        for town, done in plan.items():
            with self.subTest(town=town):
                u = self.unit(c, town)
                self.assertEqual(u.state, self.state("PARTIAL"))
                self.assert_rates(u.rates, 4, len(done), len(done), 0)
                self.assertEqual(list(u.reported_periods), done)
                self.assertEqual(list(u.missing_periods), quarters(y)[len(done):])
        self.assertEqual((c.reported_count, c.partial_count, c.missing_count), (0, 3, 0))
        self.assert_rates(c.rates, 12, 6, 6, 0)
        self.assertEqual(c.rates.reporting_rate_pct.value, "50.00")
        # The fourth quarter of 李庙镇 makes its year SUBMITTED; approving
        # three of four keeps it SUBMITTED, all four makes it APPROVED.
        self.submit(TOWN_A3, quarters(y)[3], [("fai", "4")])
        for q in quarters(y)[:3]:
            self.admin("Approve", self.a.ApproveRequest(region_code=TOWN_A3, period=q))
        u = self.unit(self.completeness(COUNTY, str(y), report_period_type=Q), TOWN_A3)
        self.assertEqual((u.state, u.approved_by), (self.state("SUBMITTED"), ""))
        self.assert_rates(u.rates, 4, 4, 4, 0)
        self.admin("Approve", self.a.ApproveRequest(region_code=TOWN_A3, period=quarters(y)[3]))
        c = self.completeness(COUNTY, str(y), report_period_type=Q)
        u = self.unit(c, TOWN_A3)
        self.assertEqual((u.state, u.approved_by), (self.state("APPROVED"), "test-admin"))
        self.assertTrue(u.approved_at)
        self.assertEqual((c.approved_count, c.reported_count, c.partial_count), (1, 1, 2))
        # An approved quarter among missing ones is still PARTIAL.
        self.admin("Approve", self.a.ApproveRequest(region_code=TOWN_B, period=quarters(y)[0]))
        u = self.unit(self.completeness(COUNTY, str(y), report_period_type=Q), TOWN_B)
        self.assertEqual((u.state, u.approved_by), (self.state("PARTIAL"), ""))
        # The half year S1 by quarter (the default: no half-yearly indicator).
        s1 = self.completeness(COUNTY, "%dS1" % y)
        self.assertEqual(s1.report_period_type, Q)
        self.assertEqual(self.unit(s1, TOWN_A).state, self.state("PARTIAL"))
        self.assertEqual(self.unit(s1, TOWN_B).state, self.state("SUBMITTED"))
        self.assert_rates(s1.rates, 6, 5, 5, 0)

    def test_the_period_of_the_report_type_behaves_as_before_plus_rates(self):
        y = pc.fresh_year()
        q1 = "%dQ1" % y
        self.submit(TOWN_A, q1, [("fai", "1"), ("tax", "2")])
        c = self.completeness(COUNTY, q1)
        self.assertEqual(c.report_period_type, self.c.PeriodType.Value("PERIOD_TYPE_QUARTER"))
        a = self.unit(c, TOWN_A)
        self.assertEqual((a.state, a.value_count), (self.state("SUBMITTED"), 2))
        self.assert_rates(a.rates, 1, 1, 1, 0)
        self.assertEqual(list(a.reported_periods), [q1])
        b = self.unit(c, TOWN_B)
        self.assertEqual(list(b.missing_periods), [q1])
        self.assertEqual((c.expected_count, c.reported_count, c.missing_count, c.partial_count),
                         (3, 1, 2, 0))
        self.assert_rates(c.rates, 3, 1, 1, 0)
        self.assertEqual(c.rates.reporting_rate_pct.value, "33.33")
        self.assertEqual(c.deadline, "")

    def test_report_period_type_default_and_refusals(self):
        y = pc.fresh_year()
        P = self.c.PeriodType
        for period, want in (("%dQ3" % y, "QUARTER"), ("%dS2" % y, "QUARTER"),
                             ("%d" % y, "YEAR"), ("%d07" % y, "MONTH")):
            with self.subTest(period=period):
                self.assertEqual(self.completeness(COUNTY, period).report_period_type,
                                 P.Value("PERIOD_TYPE_" + want))
        for period, rt in (("%dQ1" % y, "YEAR"), ("%d03" % y, "QUARTER"),
                           ("%dS1" % y, "YEAR")):
            with self.subTest(period=period, report_period_type=rt):
                msg = self.completeness_refused(SC.INVALID_ARGUMENT, COUNTY, period,
                                                report_period_type=P.Value("PERIOD_TYPE_" + rt))
                self.assertIn("report_period_type", msg)
                self.assertIn("coarser", msg)
        msg = self.completeness_refused(SC.INVALID_ARGUMENT, COUNTY, str(y), report_period_type=9)
        self.assertIn("report_period_type", msg)
        self.completeness_refused(SC.INVALID_ARGUMENT, COUNTY, str(y), group_by=3, level=9)
        self.completeness_refused(SC.INVALID_ARGUMENT, COUNTY, str(y), group_by=3, level=3)

    def test_group_by_children_and_level_rates_per_group(self):
        y = pc.fresh_year()
        plan = {TOWN_A: quarters(y), TOWN_B: quarters(y)[:1], TOWN_C: quarters(y)[:2]}
        self.submit_all(plan, "tax")
        Q = self.c.PeriodType.Value("PERIOD_TYPE_QUARTER")
        members = {COUNTY: COUNTY_TOWNS, COUNTY2: (TOWN_C, TOWN_D)}

        def want(towns):
            done = sum(len(plan.get(t, ())) for t in towns)
            missing = sum(1 for t in towns if not plan.get(t))
            return 4 * len(towns), done, missing

        for region, kw in ((CITY, dict(group_by=2)), (PROVINCE, dict(group_by=3, level=3))):
            with self.subTest(region=region, **kw):
                c = self.completeness(region, str(y), report_period_type=Q, **kw)
                self.assertEqual([g.region.code for g in c.groups], [COUNTY, COUNTY2])
                for g in c.groups:
                    towns = members[g.region.code]
                    expected, done, missing = want(towns)
                    self.assertEqual(g.region.level, 3)
                    self.assertTrue(g.region.name)
                    self.assertEqual((g.expected_units, g.missing_units), (len(towns), missing))
                    self.assert_rates(g.rates, expected, done, done, 0)
                expected, done, _missing = want(COUNTY_TOWNS + (TOWN_C, TOWN_D))
                self.assert_rates(c.rates, expected, done, done, 0)
        by_county = {g.region.code: g for g in self.completeness(
            CITY, str(y), report_period_type=Q, group_by=2).groups}
        self.assertEqual(by_county[COUNTY].rates.reporting_rate_pct.value, "41.67")  # 5 of 12
        self.assertEqual(by_county[COUNTY2].rates.reporting_rate_pct.value, "25.00")  # 2 of 8
        # By townships (level 4) at the city: one group per township.
        c = self.completeness(CITY, str(y), report_period_type=Q, group_by=3, level=4)
        self.assertEqual([g.region.code for g in c.groups], sorted(COUNTY_TOWNS + (TOWN_C, TOWN_D)))
        for g in c.groups:
            self.assert_rates(g.rates, 4, len(plan.get(g.region.code, ())),
                              len(plan.get(g.region.code, ())), 0)
        # No grouping: no groups.
        self.assertEqual(len(self.completeness(CITY, str(y), report_period_type=Q).groups), 0)

    def test_counts_match_the_reports_table(self):
        """The region's counts against a plain count of the reports table."""
        y = pc.fresh_year()
        self.submit_all({TOWN_A: months(y)[:7], TOWN_C: months(y)[3:5], TOWN_D: months(y)}, "m_b")
        M = self.c.PeriodType.Value("PERIOD_TYPE_MONTH")
        c = self.completeness(PROVINCE, str(y), report_period_type=M)
        reported = int(self.db.scalar(
            "SELECT count(*) FROM reports WHERE period LIKE '%d__' AND period_type = 4"
            " AND last_submitted_at IS NOT NULL" % y))
        leaves = int(self.db.scalar("SELECT count(*) FROM regions WHERE reporting"))
        self.assert_rates(c.rates, 12 * leaves, reported, reported, 0)


# ============================================================================

class LateReportTest(RatesTestBase):
    """On time and late against submission windows. The year is recent (two
    years back) so that a window of at most 3660 days can put one month's
    deadline behind today and the next month's ahead of it."""

    def tearDown(self):
        self.db.execute("DELETE FROM submission_windows")
        super().tearDown()

    def test_one_month_reported_late(self):
        y = today_cst().year - 2
        self.submit_all({TOWN_A: months(y), TOWN_B: months(y)[1:3]}, "m_c")
        # January's deadline falls 10 days ago, February's some 19 days
        # ahead: every report came in now, so January's is late.
        days = (today_cst() - datetime.date(y, 2, 1)).days - 10
        M = self.c.PeriodType.Value("PERIOD_TYPE_MONTH")
        w = self.admin("SetSubmissionWindow", self.a.SetSubmissionWindowRequest(
            period_type=M, days_after_end=days))
        self.assertEqual(w.days_after_end, days)
        c = self.completeness(COUNTY, str(y), report_period_type=M)
        a = self.unit(c, TOWN_A)
        self.assertEqual(a.state, self.state("SUBMITTED"))
        self.assert_rates(a.rates, 12, 12, 11, 1)
        self.assertEqual(list(a.late_periods), ["%d01" % y])
        self.assertEqual((a.rates.reporting_rate_pct.value, a.rates.on_time_rate_pct.value),
                         ("100.00", "91.67"))
        self.assert_rates(self.unit(c, TOWN_B).rates, 12, 2, 2, 0)
        self.assert_rates(c.rates, 36, 14, 13, 1)
        # The deadline is the period's own: none for years (no year window).
        self.assertEqual(c.deadline, "")
        # January alone: reported, not on time.
        jan = self.completeness(COUNTY, "%d01" % y)
        self.assert_rates(self.unit(jan, TOWN_A).rates, 1, 1, 0, 1)
        self.assertEqual(jan.deadline, deadline_of(datetime.date(y, 2, 1), days))
        # The first accepted submission counts, not the latest: with a
        # first one dated before January's deadline, a later resubmission
        # (through an exception: the window is closed) leaves it on time.
        first = self.db.scalar("SELECT id::text FROM submissions WHERE region_code = '%s'"
                               " AND period = '%d01'" % (TOWN_A, y))
        self.db.execute("UPDATE submissions SET committed_at = '%d-01-20 12:00+08'"
                        " WHERE id = '%s'" % (y, first))
        self.admin_reopen_period(TOWN_A, "%d01" % y)
        year = self.completeness(COUNTY, str(y), report_period_type=M)
        self.assertEqual((self.unit(year, TOWN_A).exception_open,
                          self.unit(year, TOWN_B).exception_open), (True, False))
        self.submit(TOWN_A, "%d01" % y, [("m_c", "99")])
        jan = self.unit(self.completeness(COUNTY, "%d01" % y), TOWN_A)
        self.assert_rates(jan.rates, 1, 1, 1, 0)
        self.assertGreater(jan.last_submitted_at, "%d-02" % (y + 1))
        # Without a window every report is on time again.
        self.admin("SetSubmissionWindow", self.a.SetSubmissionWindowRequest(
            period_type=M, days_after_end=0))
        self.assert_rates(self.completeness(COUNTY, str(y), report_period_type=M).rates,
                          36, 14, 14, 0)

    def test_deadline_is_china_standard_time_whatever_the_session_zone(self):
        """hz_deadline: 月后10日 is the 10th of the following month, 24:00
        Beijing time = 16:00 UTC on the 10th, in any session TimeZone; and
        hz_cst_today is the date in Beijing."""
        M = self.c.PeriodType.Value("PERIOD_TYPE_MONTH")
        self.admin("SetSubmissionWindow", self.a.SetSubmissionWindowRequest(
            period_type=M, days_after_end=10))
        for zone in ("UTC", "America/New_York", "Asia/Tokyo", "Pacific/Kiritimati"):
            with self.subTest(zone=zone):
                before = today_cst()
                rows = self.db.query(
                    "SET TimeZone = '%s'; SELECT hz_ts(hz_deadline(4::smallint, '2024-01-01')),"
                    " hz_ts(hz_deadline(4::smallint, '1941-06-01')),"
                    " hz_cst_today()::text, hz_ts('2024-02-10 00:00+08'::timestamptz)" % zone)
                after = today_cst()
                self.assertEqual(rows[-1][0], "2024-02-10T16:00:00.000000Z")
                # No summer time, whatever the zone database says of 1941.
                self.assertEqual(rows[-1][1], "1941-07-10T16:00:00.000000Z")
                self.assertIn(rows[-1][2], {before.isoformat(), after.isoformat()})
                self.assertEqual(rows[-1][3], "2024-02-09T16:00:00.000000Z")
        got = self.completeness(COUNTY, "202401")
        self.assertEqual(got.deadline, "2024-02-10T16:00:00.000000Z")


# ============================================================================

class FuturePeriodTest(RatesTestBase):
    """No submissions for a period that has not started, unless opened."""

    def tearDown(self):
        self.db.execute("DELETE FROM submission_windows")
        super().tearDown()

    def open_future(self, period_type, count, label="admin"):
        return self.admin("SetOpenFuturePeriods", self.a.SetOpenFuturePeriodsRequest(
            period_type=period_type, count=count), label)

    def refused_not_started(self, town, period, first_day, **kw):
        req = pc.submit_request(town, period, [("fai", "1")], **kw)
        err, plist = self.refused(self.r.submit, req, "admin", SC.FAILED_PRECONDITION)
        want = ("%s starts on %s (China Standard Time); ask an administrator to open future"
                " periods" % (period, first_day.isoformat()))
        self.assertIn(want, err.details())
        self.assertEqual([(p.field, p.reason) for p in plist.problems], [("period", want)])
        return err

    def test_future_quarter_refused_then_opened_audited_and_closed(self):
        Q = self.c.PeriodType.Value("PERIOD_TYPE_QUARTER")
        current = quarter_of(today_cst())
        nxt, after = next_quarter(current), next_quarter(current, 2)
        self.refused_not_started(TOWN_B, nxt, quarter_start(nxt))
        self.refused_not_started(TOWN_B, nxt, quarter_start(nxt), dry_run=True)
        # SubmitStream: the request's own result, the stream goes on.
        out = self.r.stream(iter([pc.submit_request(TOWN_B, nxt, [("fai", "1")]),
                                  pc.submit_request(TOWN_B, current, [("fai", "1")])]),
                            metadata=self.md("admin"), timeout=30)
        self.assertEqual([x.code for x in out.results], [SC.FAILED_PRECONDITION.value[0], 0])
        self.assertIn("starts on %s" % quarter_start(nxt).isoformat(), out.results[0].message)
        self.assertEqual(int(self.db.scalar(
            "SELECT count(*) FROM reports WHERE period = '%s'" % nxt)), 0)

        last_audit = int(self.db.scalar("SELECT coalesce(max(id), 0) FROM audit_log"))
        w = self.open_future(Q, 1)
        self.assertEqual((w.period_type, w.open_future_periods, w.days_after_end, w.updated_by),
                         (Q, 1, 0, "test-admin"))
        listed = self.admin("ListSubmissionWindows", self.a.ListSubmissionWindowsRequest(),
                            "town_a").windows
        self.assertEqual([(x.period_type, x.open_future_periods) for x in listed],
                         [(1, 0), (2, 0), (Q, 1), (4, 0)])
        audit = self.db.query("SELECT action, actor, detail FROM audit_log WHERE id > %d"
                              % last_audit)
        self.assertEqual(len(audit), 1, audit)
        self.assertEqual(audit[0][:2], ("window.set", "test-admin"))
        self.assertIn("quarter", audit[0][2])
        self.assertIn("1 future period", audit[0][2])

        ok = self.submit(TOWN_B, nxt, [("fai", "2")], dry_run=True)
        self.assertEqual(ok.status, pc.reporting_pb().SubmissionStatus.Value(
            "SUBMISSION_STATUS_VALIDATED"))
        self.assertEqual(self.submit(TOWN_B, nxt, [("fai", "2")]).imported, 1)
        self.refused_not_started(TOWN_B, after, quarter_start(after))
        # Not started: nothing is expected of it yet, so it has no rates.
        c = self.completeness(COUNTY, nxt)
        self.assert_rates(c.rates, 0, 0, 0, 0)
        self.assertEqual(self.unit(c, TOWN_B).state, self.state("SUBMITTED"))

        # The window keeps its days; closing again refuses the next quarter.
        self.admin("SetSubmissionWindow", self.a.SetSubmissionWindowRequest(
            period_type=Q, days_after_end=15))
        w = self.open_future(Q, 0)
        self.assertEqual((w.open_future_periods, w.days_after_end), (0, 15))
        self.refused_not_started(TOWN_A, nxt, quarter_start(nxt))
        self.assertEqual(int(self.db.scalar(
            "SELECT count(*) FROM audit_log WHERE action = 'window.set' AND id > %d"
            % last_audit)), 3)

    def test_current_periods_accepted_next_year_refused(self):
        today = today_cst()
        self.assertEqual(self.submit(TOWN_A, quarter_of(today), [("tax", "1")]).imported, 1)
        self.assertEqual(self.submit(TOWN_A, today.strftime("%Y%m"), [("m_a", "1")]).imported, 1)
        self.assertEqual(self.submit(TOWN_A, str(today.year), [("gdp", "1")]).imported, 1)
        nxt = str(today.year + 1)
        req = pc.submit_request(TOWN_A, nxt, [("gdp", "1")])
        err, _plist = self.refused(self.r.submit, req, "admin", SC.FAILED_PRECONDITION)
        self.assertIn("%s starts on %s-01-01 (China Standard Time)" % (nxt, nxt), err.details())
        # Opening months does not open years.
        self.open_future(self.c.PeriodType.Value("PERIOD_TYPE_MONTH"), 12)
        self.refused(self.r.submit, req, "admin", SC.FAILED_PRECONDITION)
        self.open_future(self.c.PeriodType.Value("PERIOD_TYPE_YEAR"), 1)
        self.assertEqual(self.submit(TOWN_A, nxt, [("gdp", "1")]).imported, 1)

    def test_set_open_future_periods_admin_only_and_checked(self):
        Q = self.c.PeriodType.Value("PERIOD_TYPE_QUARTER")
        for label, period_type, count, code in (
                ("county", Q, 1, SC.PERMISSION_DENIED),
                ("town_a", Q, 1, SC.PERMISSION_DENIED),
                ("admin", 0, 1, SC.INVALID_ARGUMENT),
                ("admin", 9, 1, SC.INVALID_ARGUMENT),
                ("admin", Q, -1, SC.INVALID_ARGUMENT),
                ("admin", Q, 13, SC.INVALID_ARGUMENT)):
            with self.subTest(caller=label, period_type=period_type, count=count):
                before = self.db.counts()
                with self.assertRaises(grpc.RpcError) as cm:
                    self.open_future(period_type, count, label)
                self.assertEqual(cm.exception.code(), code, cm.exception.details())
                self.assertEqual(self.db.counts(), before)
        self.assertEqual(self.open_future(Q, 12).open_future_periods, 12)
        self.assertEqual(self.db.query("SELECT period_type::text, open_future_periods::text,"
                                       " days_after_end::text FROM submission_windows"),
                         [("3", "12", "0")])


# ============================================================================

class OpenFutureCliTest(RatesTestBase):
    """`huizong-admin windows open-future TYPE N` (client/cli/cmd/windows_future.c)."""

    def tearDown(self):
        self.db.execute("DELETE FROM submission_windows")
        super().tearDown()

    def admin_cli(self, *args, label="admin"):
        client = os.environ.get("HZ_CLIENT_DIR") or os.path.join(
            os.path.dirname(os.path.dirname(os.path.abspath(harness.huizongd_path()))), "client")
        cmd = [os.path.join(client, "huizong-admin")] + list(args) + [
            "--addr", self.server.address, "--timeout", "20", "--token", self.token(label)]
        env = {k: v for k, v in os.environ.items() if not k.startswith("HUIZONG_")}
        return subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=env)

    def test_open_future_command(self):
        nxt = next_quarter(quarter_of(today_cst()))
        req = pc.submit_request(TOWN_C, nxt, [("fai", "1")])
        self.refused(self.r.submit, req, "admin", SC.FAILED_PRECONDITION)
        res = self.admin_cli("windows", "open-future", "quarter", "2", "--format", "json")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn("2", res.stdout)
        self.assertEqual(self.db.query("SELECT period_type::text, open_future_periods::text"
                                       " FROM submission_windows"), [("3", "2")])
        self.assertEqual(self.submit(TOWN_C, nxt, [("fai", "1")]).imported, 1)
        for args, label, code, says in (
                (("quarter", "13"), "admin", 2, "0..12"),
                (("quarter", "-1"), "admin", 2, "0..12"),
                (("weekly", "1"), "admin", 2, "TYPE"),
                (("quarter",), "admin", 2, ""),
                (("quarter", "1"), "county", 1, "PERMISSION_DENIED")):
            with self.subTest(args=args, caller=label):
                res = self.admin_cli("windows", "open-future", *args, label=label)
                self.assertEqual(res.returncode, code, res.stderr)
                self.assertIn(says, res.stderr)
        self.assertEqual(self.db.query("SELECT open_future_periods::text"
                                       " FROM submission_windows"), [("2",)])
        res = self.admin_cli("windows", "open-future", "quarter", "0")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.refused(self.r.submit, pc.submit_request(TOWN_D, nxt, [("fai", "1")]), "admin",
                     SC.FAILED_PRECONDITION)


if __name__ == "__main__":
    pc.main()
