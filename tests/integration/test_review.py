"""The review workflow of huizong.v1.Admin against real PostgreSQL, driven
by grpcio: approval and reopening of a township's period (and what a
submission meets afterwards), ApproveAllSubmitted, submission windows and
their deadline exceptions, and the audit trail (GetAudit filters, order,
paging and scope), each state change checked in the rows themselves and
each refusal checked to have stored nothing.

Windows are global to a database, and every period these tests use is
long past its deadline once a window is set, so the window tests have a
class (and database) of their own and start each test with no window; the
audit tests also have their own, so the whole trail is theirs to compare
with psql."""

import datetime
import decimal
import subprocess
import threading
import time
import uuid

import grpc

import harness
import pgcluster as pc
from pgcluster import (TOWN_A, TOWN_B, TOWN_A3, TOWN_C, TOWN_D, COUNTY, COUNTY2, CITY,
                       PROVINCE, REGIONS)

SC = grpc.StatusCode
CST = datetime.timezone(datetime.timedelta(hours=8))


def current_quarter():
    """The quarter of today in China Standard Time: it has started (so it
    is open to submissions) and its deadline lies ahead."""
    today = datetime.datetime.now(CST).date()
    return "%dQ%d" % (today.year, (today.month - 1) // 3 + 1)


def agg_pb():
    return pc.pb("huizong/v1/aggregation.proto")


def D(s):
    return decimal.Decimal(s)


def lit(v):
    return pc.sql_literal(v)


def subtree(root):
    """Region codes under root (root included), from the fixture's tree,
    independently of the server's closure table."""
    children = {}
    for code, _name, _level, parent in REGIONS:
        children.setdefault(parent, []).append(code)
    out, todo = set(), [root]
    while todo:
        node = todo.pop()
        out.add(node)
        todo.extend(children.get(node, ()))
    return out


def period_bounds(period):
    """(period type, first day, first day after) of a period code."""
    y = int(period[:4])
    rest = period[4:]
    if rest == "":
        return pc.YEAR, datetime.date(y, 1, 1), datetime.date(y + 1, 1, 1)
    if rest[0] == "S":
        h = int(rest[1])
        start = datetime.date(y, 1 + 6 * (h - 1), 1)
        end = datetime.date(y + 1, 1, 1) if h == 2 else datetime.date(y, 7, 1)
        return pc.HALF, start, end
    if rest[0] == "Q":
        q = int(rest[1])
        start = datetime.date(y, 1 + 3 * (q - 1), 1)
        end = datetime.date(y + 1, 1, 1) if q == 4 else datetime.date(y, 3 * q + 1, 1)
        return pc.QUARTER, start, end
    m = int(rest)
    end = datetime.date(y + 1, 1, 1) if m == 12 else datetime.date(y, m + 1, 1)
    return pc.MONTH, datetime.date(y, m, 1), end


def deadline_of(period, days):
    """The contract's rule: 00:00 China Standard Time `days` days after the
    period ends, rendered in UTC with microseconds and a Z."""
    _t, _start, end = period_bounds(period)
    local = datetime.datetime.combine(end + datetime.timedelta(days=days), datetime.time(0),
                                      tzinfo=CST)
    return local.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def action_name(enum_value):
    """'value.set' for AUDIT_ACTION_VALUE_SET, as audit_log.action stores it."""
    name = pc.admin_pb().AuditAction.Name(enum_value)
    return name[len("AUDIT_ACTION_"):].lower().replace("_", ".")


def action_enum(name):
    return pc.admin_pb().AuditAction.Value("AUDIT_ACTION_" + name.replace(".", "_").upper())


class ReviewTestBase(pc.PgServerTestCase):
    """Stubs for the Admin review methods and Aggregation reads, and the
    snapshot that shows a refused call stored nothing."""

    # Tables the review workflow writes; compared whole, not just counted,
    # so that an UPDATE (an approval) is caught too. tokens is left out:
    # every call updates its last_used_at.
    SNAPSHOT_TABLES = ("data_values", "submissions", "reports", "audit_log",
                       "period_exceptions", "submission_windows")

    def setUp(self):
        self.a = pc.admin_pb()
        self.c = pc.common_pb()
        self.g = agg_pb()
        self.r = self.rep()
        self.chan = self.server.channel()

    def stub(self, method):
        a, g = self.a, self.g
        admin = {
            "Approve": (a.ApproveRequest, a.ApprovalResponse),
            "Reopen": (a.ReopenRequest, a.ApprovalResponse),
            "ApproveAllSubmitted": (a.ApproveAllSubmittedRequest, a.ApproveAllSubmittedResponse),
            "ListSubmissionWindows": (a.ListSubmissionWindowsRequest,
                                      a.ListSubmissionWindowsResponse),
            "SetSubmissionWindow": (a.SetSubmissionWindowRequest, a.SubmissionWindow),
            "ReopenPeriod": (a.ReopenPeriodRequest, a.PeriodException),
            "ListPeriodExceptions": (a.ListPeriodExceptionsRequest,
                                     a.ListPeriodExceptionsResponse),
            "GetAudit": (a.GetAuditRequest, a.GetAuditResponse),
            "CreateToken": (a.CreateTokenRequest, a.CreateTokenResponse),
            "RevokeToken": (a.RevokeTokenRequest, a.TokenInfo),
        }
        agg = {
            "Completeness": (g.CompletenessRequest, g.CompletenessResponse),
            "GetReport": (g.GetReportRequest, g.Report),
        }
        if method in admin:
            req_cls, resp_cls = admin[method]
            path = "/huizong.v1.Admin/" + method
        else:
            req_cls, resp_cls = agg[method]
            path = "/huizong.v1.Aggregation/" + method
        return harness.unary(self.chan, path, req_cls, resp_cls)

    def call(self, method, req, label="admin", timeout=15):
        return self.stub(method)(req, metadata=self.md(label), timeout=timeout)

    def snapshot(self):
        sql = "SELECT " + ", ".join(
            "(SELECT coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM %s t)" % t
            for t in self.SNAPSHOT_TABLES)
        return dict(zip(self.SNAPSHOT_TABLES, self.db.query(sql)[0]))

    def refused_call(self, method, req, code, label="admin", md=None):
        """Expects refusal `code` and no change to any review table."""
        before = self.snapshot()
        try:
            resp = self.stub(method)(req, metadata=md if md is not None else self.md(label),
                                     timeout=15)
        except grpc.RpcError as e:
            self.assert_code(e, code, "%s as %s" % (method, label))
            after = self.snapshot()
            changed = [t for t in self.SNAPSHOT_TABLES if before[t] != after[t]]
            self.assertEqual(changed, [], "refused %s (%s) changed %s" % (method, e.details(),
                                                                         changed))
            return e
        self.fail("expected %s from %s as %s, got %s" % (code, method, label, resp))

    # -- submissions ------------------------------------------------------------

    def submit(self, region, period, values, label=None, **kw):
        label = label or {TOWN_A: "town_a", TOWN_B: "town_b", TOWN_C: "town_c"}.get(region, "admin")
        req = pc.submit_request(region, period, values, **kw)
        return req, self.r.submit(req, metadata=self.md(label), timeout=15)

    def submit_refused(self, region, period, values, label=None, code=SC.FAILED_PRECONDITION,
                       **kw):
        """A refused Submit: checks the status, that nothing changed, and
        that the closed period is reported as one CONFLICT problem on the
        period. Returns the error."""
        label = label or {TOWN_A: "town_a", TOWN_B: "town_b", TOWN_C: "town_c"}.get(region, "admin")
        req = pc.submit_request(region, period, values, **kw)
        before = self.snapshot()
        try:
            resp = self.r.submit(req, metadata=self.md(label), timeout=15)
        except grpc.RpcError as e:
            err = e
        else:
            self.fail("expected %s for %s %s, got %s" % (code, region, period, resp))
        self.assert_code(err, code)
        self.assertEqual(self.snapshot(), before, "a refused submission changed stored rows")
        plist = pc.problems_of(err)
        K = self.c.ProblemKind
        self.assert_problems(plist, [(-1, K.Value("PROBLEM_KIND_CONFLICT"), "period", None)])
        self.assertIn(period, plist.problems[0].reason)
        return err

    def stored_value(self, region, period, code):
        rows = self.db.query("SELECT value::text FROM data_values WHERE region_code = %s"
                             " AND period = %s AND indicator_code = %s"
                             % (lit(region), lit(period), lit(code)))
        return rows[0][0] if rows else None

    def token_id(self, label):
        return self.db.scalar("SELECT id::text FROM tokens WHERE name = %s AND revoked_at IS NULL"
                              % lit(self.fixture.token_names[label]))

    def name(self, label):
        return self.fixture.token_names[label]

    # -- reads ------------------------------------------------------------------

    def completeness(self, region, period, label="admin"):
        return self.call("Completeness", self.g.CompletenessRequest(region_code=region,
                                                                     period=period), label)

    def report(self, region, period, label="admin"):
        return self.call("GetReport", self.g.GetReportRequest(region_code=region, period=period),
                         label)

    def unit(self, resp, region):
        units = [u for u in resp.units if u.region.code == region]
        self.assertEqual(len(units), 1, "%s not once among the units: %s" % (region, resp))
        return units[0]


# ============================================================================

class ApprovalTest(ReviewTestBase):

    def approve(self, region, period, label="county", comment=""):
        return self.call("Approve", self.a.ApproveRequest(region_code=region, period=period,
                                                          comment=comment), label)

    def reopen(self, region, period, label="county", reason=""):
        return self.call("Reopen", self.a.ReopenRequest(region_code=region, period=period,
                                                        reason=reason), label)

    def approve_all(self, region, period, label="county", comment=""):
        return self.call("ApproveAllSubmitted", self.a.ApproveAllSubmittedRequest(
            region_code=region, period=period, comment=comment), label)

    def audit_rows(self, action, region, period):
        return self.db.query(
            "SELECT actor, token_id::text, detail, to_char(at AT TIME ZONE 'UTC',"
            " 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') FROM audit_log WHERE action = %s"
            " AND region_code = %s AND period = %s ORDER BY id"
            % (lit(action), lit(region), lit(period)))

    def report_row(self, region, period):
        rows = self.db.query(
            "SELECT approved_by, to_char(approved_at AT TIME ZONE 'UTC',"
            " 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), approval_comment FROM reports"
            " WHERE region_code = %s AND period = %s" % (lit(region), lit(period)))
        return rows[0] if rows else None

    # -- approve, then submit ------------------------------------------------------

    def test_approve_then_submit_refused_naming_approver_and_time(self):
        S = self.c.ApprovalState
        period = pc.fresh_quarter()
        first, sub = self.submit(TOWN_A, period, [("fai", "4.9"), ("tax", "848")])
        resp = self.approve(TOWN_A, period, comment="数据已核对")
        self.assertTrue(resp.changed)
        ap = resp.approval
        self.assertEqual((ap.region_code, ap.period, ap.state),
                         (TOWN_A, period, S.Value("APPROVAL_STATE_APPROVED")))
        self.assertEqual(ap.approved_by, self.name("county"))
        self.assertRegex(ap.approved_at, r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
        self.assertGreaterEqual(ap.approved_at, sub.committed_at)
        self.assertEqual(ap.last_submitted_at, sub.committed_at)
        self.assertEqual(ap.comment, "数据已核对")
        self.assertEqual(self.report_row(TOWN_A, period),
                         (self.name("county"), ap.approved_at, "数据已核对"))
        self.assertEqual([r[:3] for r in self.audit_rows("approve", TOWN_A, period)],
                         [(self.name("county"), self.token_id("county"), "数据已核对")])

        # Now closed: to the township, to a dry run, and to an admin alike.
        for label, dry in (("town_a", False), ("town_a", True), ("admin", False)):
            with self.subTest(caller=label, dry_run=dry):
                err = self.submit_refused(TOWN_A, period, [("fai", "5")], label=label,
                                          dry_run=dry)
                self.assertIn(self.name("county"), err.details())
                self.assertIn(ap.approved_at, err.details())
        self.assertEqual(self.stored_value(TOWN_A, period, "fai"), "4.9")
        # A retry of the submission that was accepted before the approval
        # is still its original answer (idempotency), not a refusal.
        again = self.r.submit(first, metadata=self.md("town_a"), timeout=15)
        self.assertTrue(again.replayed)
        self.assertEqual(again.committed_at, sub.committed_at)

    def test_approval_audit_entry_carries_the_approval_time(self):
        # One change, one time: the audit entry of an approval says when
        # it happened, as ApproveAllSubmitted's entries and every value.set
        # entry (= the submission's committed_at) do.
        period = pc.fresh_quarter()
        self.submit(TOWN_A, period, [("fai", "1")])
        ap = self.approve(TOWN_A, period).approval
        self.assertEqual([r[3] for r in self.audit_rows("approve", TOWN_A, period)],
                         [ap.approved_at], "audit time of an approval differs from approved_at")

    def test_approve_twice_changes_nothing(self):
        period = pc.fresh_quarter()
        self.submit(TOWN_B, period, [("fai", "1")])
        first = self.approve(TOWN_B, period, comment="一审")
        self.assertTrue(first.changed)
        before = self.snapshot()
        for label in ("county", "admin"):
            with self.subTest(caller=label):
                again = self.approve(TOWN_B, period, label=label, comment="二审")
                self.assertFalse(again.changed)
                self.assertEqual(again.approval, first.approval)
                self.assertEqual(self.snapshot(), before, "a second approval wrote something")
        self.assertEqual(len(self.audit_rows("approve", TOWN_B, period)), 1)

    # -- reopen ------------------------------------------------------------------

    def test_reopen_then_submit_accepted(self):
        S = self.c.ApprovalState
        period = pc.fresh_quarter()
        _req, sub = self.submit(TOWN_A, period, [("fai", "4.9")])
        ap = self.approve(TOWN_A, period, label="admin").approval
        resp = self.reopen(TOWN_A, period, reason="税收口径更正")
        self.assertTrue(resp.changed)
        self.assertEqual((resp.approval.region_code, resp.approval.period, resp.approval.state),
                         (TOWN_A, period, S.Value("APPROVAL_STATE_SUBMITTED")))
        self.assertEqual((resp.approval.approved_by, resp.approval.approved_at), ("", ""))
        self.assertEqual(resp.approval.last_submitted_at, sub.committed_at)
        self.assertEqual(resp.approval.comment, "税收口径更正")
        self.assertEqual(self.report_row(TOWN_A, period)[:2], (None, None))
        rows = self.audit_rows("reopen", TOWN_A, period)
        self.assertEqual(len(rows), 1)
        actor, token_id, detail, _at = rows[0]
        self.assertEqual((actor, token_id), (self.name("county"), self.token_id("county")))
        self.assertIn("税收口径更正", detail)
        self.assertIn("test-admin", detail, "the reopen entry does not say whose approval it undid")

        _req, resp2 = self.submit(TOWN_A, period, [("fai", "5.25")])
        self.assertEqual((resp2.imported, resp2.updated, resp2.unchanged), (0, 1, 0))
        self.assertEqual(self.stored_value(TOWN_A, period, "fai"), "5.25")
        # And it can be approved again, this time naming the new approver.
        again = self.approve(TOWN_A, period)
        self.assertTrue(again.changed)
        self.assertEqual(again.approval.approved_by, self.name("county"))
        self.assertEqual(again.approval.last_submitted_at, resp2.committed_at)
        self.assertGreater(again.approval.approved_at, ap.approved_at)
        self.assertEqual(len(self.audit_rows("approve", TOWN_A, period)), 2)

    def test_reopen_when_not_approved_changes_nothing(self):
        S = self.c.ApprovalState
        period = pc.fresh_quarter()
        self.submit(TOWN_B, period, [("fai", "1")])
        for region, state in ((TOWN_B, "APPROVAL_STATE_SUBMITTED"),
                              (TOWN_A3, "APPROVAL_STATE_MISSING")):
            with self.subTest(region=region):
                before = self.snapshot()
                resp = self.reopen(region, period, reason="无需")
                self.assertFalse(resp.changed)
                self.assertEqual(resp.approval.state, S.Value(state))
                self.assertEqual((resp.approval.region_code, resp.approval.period),
                                 (region, period))
                self.assertEqual(self.snapshot(), before, "reopening an open period wrote rows")

    # -- refusals -----------------------------------------------------------------

    def test_approve_with_nothing_submitted_failed_precondition(self):
        period = pc.fresh_quarter()
        err = self.refused_call("Approve", self.a.ApproveRequest(region_code=TOWN_A3, period=period),
                                SC.FAILED_PRECONDITION, label="county")
        self.assertIn(TOWN_A3, err.details())
        # A dry run stores nothing, so it does not count as submitted.
        self.submit(TOWN_B, period, [("fai", "1")], dry_run=True)
        self.refused_call("Approve", self.a.ApproveRequest(region_code=TOWN_B, period=period),
                          SC.FAILED_PRECONDITION, label="admin")
        # Nor does a refused one.
        err = harness.rpc_error(self, self.submit, TOWN_B, period, [("fai", "1"), ("nope", "1")])
        self.assertEqual(err.code(), SC.NOT_FOUND, err.details())
        self.refused_call("Approve", self.a.ApproveRequest(region_code=TOWN_B, period=period),
                          SC.FAILED_PRECONDITION, label="county")

    def test_approve_outside_the_county_subtree_permission_denied(self):
        period = pc.fresh_quarter()
        self.submit(TOWN_A, period, [("fai", "1")])
        self.submit(TOWN_C, period, [("fai", "2")])
        A = self.a
        cases = [
            ("county", "Approve", A.ApproveRequest(region_code=TOWN_C, period=period)),
            ("county2", "Approve", A.ApproveRequest(region_code=TOWN_A, period=period)),
            ("county", "ApproveAllSubmitted",
             A.ApproveAllSubmittedRequest(region_code=COUNTY2, period=period)),
            ("county", "ApproveAllSubmitted",
             A.ApproveAllSubmittedRequest(region_code=CITY, period=period)),
            ("county", "ApproveAllSubmitted",
             A.ApproveAllSubmittedRequest(region_code=TOWN_C, period=period)),
        ]
        for label, method, req in cases:
            with self.subTest(caller=label, method=method, region=req.region_code):
                self.refused_call(method, req, SC.PERMISSION_DENIED, label=label)
        # Reopen across the boundary: admin approves TOWN_C, county may not undo it.
        self.approve(TOWN_C, period, label="admin")
        before = self.snapshot()
        self.refused_call("Reopen", A.ReopenRequest(region_code=TOWN_C, period=period),
                          SC.PERMISSION_DENIED, label="county")
        self.assertEqual(self.snapshot(), before)
        self.assertEqual(self.report_row(TOWN_C, period)[0], "test-admin")

    def test_township_token_may_not_approve_or_reopen(self):
        period = pc.fresh_quarter()
        self.submit(TOWN_A, period, [("fai", "1")])
        A = self.a
        for method, req in (("Approve", A.ApproveRequest(region_code=TOWN_A, period=period)),
                            ("Reopen", A.ReopenRequest(region_code=TOWN_A, period=period)),
                            ("ApproveAllSubmitted",
                             A.ApproveAllSubmittedRequest(region_code=TOWN_A, period=period))):
            with self.subTest(method=method):
                self.refused_call(method, req, SC.PERMISSION_DENIED, label="town_a")
                self.refused_call(method, req, SC.UNAUTHENTICATED, md=())
                self.refused_call(method, req, SC.UNAUTHENTICATED, md=pc.auth("hz_bogus_token"))

    def test_approve_bad_arguments(self):
        period = pc.fresh_quarter()
        self.submit(TOWN_A, period, [("fai", "1")])
        A = self.a
        cases = [
            (A.ApproveRequest(region_code=COUNTY, period=period), SC.FAILED_PRECONDITION),
            (A.ApproveRequest(region_code=CITY, period=period), SC.FAILED_PRECONDITION),
            (A.ApproveRequest(region_code="420624999", period=period), SC.NOT_FOUND),
            (A.ApproveRequest(region_code="42x", period=period), SC.INVALID_ARGUMENT),
            (A.ApproveRequest(region_code="", period=period), SC.INVALID_ARGUMENT),
            (A.ApproveRequest(region_code=TOWN_A, period="2022Q5"), SC.INVALID_ARGUMENT),
            (A.ApproveRequest(region_code=TOWN_A, period=""), SC.INVALID_ARGUMENT),
            (A.ApproveRequest(region_code=TOWN_A, period=period, comment="长" * 3000),
             SC.INVALID_ARGUMENT),
        ]
        for req, code in cases:
            with self.subTest(region=req.region_code, period=req.period):
                self.refused_call("Approve", req, code, label="admin")
        for req, code in ((A.ReopenRequest(region_code=TOWN_A, period="2022-01"),
                           SC.INVALID_ARGUMENT),
                          (A.ReopenRequest(region_code=COUNTY, period=period),
                           SC.FAILED_PRECONDITION),
                          (A.ApproveAllSubmittedRequest(region_code="420699", period=period),
                           SC.NOT_FOUND),
                          (A.ApproveAllSubmittedRequest(region_code=COUNTY, period="Q1"),
                           SC.INVALID_ARGUMENT)):
            with self.subTest(req=str(req)):
                self.refused_call(type(req).__name__.replace("Request", ""), req, code)

    # -- ApproveAllSubmitted -----------------------------------------------------------

    def test_approve_all_submitted(self):
        S = self.c.ApprovalState
        period = pc.fresh_quarter()
        _r, sub_a = self.submit(TOWN_A, period, [("fai", "1")])
        self.submit(TOWN_B, period, [("fai", "2")])
        self.submit(TOWN_C, period, [("fai", "3")])  # other county: untouched
        first_b = self.approve(TOWN_B, period).approval
        resp = self.approve_all(COUNTY, period, comment="季度审核")
        self.assertEqual([ap.region_code for ap in resp.approved], [TOWN_A])
        ap = resp.approved[0]
        self.assertEqual((ap.period, ap.state, ap.approved_by),
                         (period, S.Value("APPROVAL_STATE_APPROVED"), self.name("county")))
        self.assertEqual(ap.last_submitted_at, sub_a.committed_at)
        self.assertRegex(ap.approved_at, r"Z$")
        self.assertEqual(resp.already_approved_count, 1)
        self.assertEqual(list(resp.missing_region_codes), [TOWN_A3])
        self.assertEqual(self.report_row(TOWN_A, period)[:2], (self.name("county"), ap.approved_at))
        self.assertEqual(self.report_row(TOWN_B, period)[:2],
                         (self.name("county"), first_b.approved_at), "B's approval was redone")
        self.assertEqual(self.report_row(TOWN_C, period)[:2], (None, None))
        self.assertIsNone(self.report_row(TOWN_A3, period))
        rows = self.audit_rows("approve", TOWN_A, period)
        self.assertEqual(len(rows), 1)
        self.assertEqual(rows[0][0], self.name("county"))
        self.assertIn("季度审核", rows[0][2])
        self.assertEqual(len(self.audit_rows("approve", TOWN_B, period)), 1)
        # The approved township is closed now.
        self.submit_refused(TOWN_A, period, [("fai", "9")])
        # Again: nothing left to approve, nothing written.
        before = self.snapshot()
        again = self.approve_all(COUNTY, period)
        self.assertEqual((len(again.approved), again.already_approved_count,
                          list(again.missing_region_codes)), (0, 2, [TOWN_A3]))
        self.assertEqual(self.snapshot(), before)

    def test_approve_all_is_one_transaction_across_the_subtree(self):
        period = pc.fresh_quarter()
        for town in (TOWN_A, TOWN_B, TOWN_C, TOWN_D):
            self.submit(town, period, [("fai", "1")], label="admin")
        resp = self.approve_all(CITY, period, label="admin", comment="全市")
        self.assertEqual([ap.region_code for ap in resp.approved],
                         [TOWN_A, TOWN_B, TOWN_C, TOWN_D])
        self.assertEqual(list(resp.missing_region_codes), [TOWN_A3])
        self.assertEqual(resp.already_approved_count, 0)
        # One transaction: one approval time for all, and the audit rows
        # carry it too.
        times = {ap.approved_at for ap in resp.approved}
        self.assertEqual(len(times), 1, times)
        stored = self.db.query(
            "SELECT DISTINCT to_char(approved_at AT TIME ZONE 'UTC',"
            " 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') FROM reports WHERE period = %s"
            " AND approved_at IS NOT NULL" % lit(period))
        self.assertEqual(stored, [(times.pop(),)])
        self.assertEqual(self.db.count("audit_log WHERE action = 'approve' AND period = %s"
                                       % lit(period)), 4)
        self.assertEqual(self.db.count(
            "(SELECT DISTINCT at FROM audit_log WHERE action = 'approve' AND period = %s) t"
            % lit(period)), 1)
        # Nothing submitted anywhere: everything missing, nothing written.
        empty = pc.fresh_quarter()
        before = self.snapshot()
        resp = self.approve_all(PROVINCE, empty, label="admin")
        self.assertEqual((len(resp.approved), resp.already_approved_count),
                         (0, 0))
        self.assertEqual(sorted(resp.missing_region_codes),
                         sorted([TOWN_A, TOWN_B, TOWN_A3, TOWN_C, TOWN_D]))
        self.assertEqual(self.snapshot(), before)

    # -- approval time after the submissions it approves ---------------------------------

    def _wait_for(self, sql, what, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.db.scalar(sql) == "t":
                return
            time.sleep(0.05)
        self.fail("timed out waiting until %s" % what)

    def _approval_waits_for_a_submission(self, function, call):
        """An approval that starts, then waits (here: for region_paths,
        which a separate session holds), while a submission commits: its
        approval time must still be later than that submission. The old
        functions read the clock when they started."""
        period = pc.fresh_quarter()
        self.submit(TOWN_A, period, [("fai", "1")])
        app = "hz_hold_%s" % pc.new_id()[:8]
        holder = subprocess.Popen(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d",
                                   self.db.url + "?application_name=" + app],
                                  stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, text=True)
        result = {}
        worker = None
        try:
            holder.stdin.write("BEGIN;\nLOCK TABLE region_paths IN ACCESS EXCLUSIVE MODE;\n")
            holder.stdin.flush()
            self._wait_for("SELECT EXISTS (SELECT 1 FROM pg_locks l JOIN pg_stat_activity a"
                           " ON a.pid = l.pid WHERE a.application_name = '%s' AND l.granted"
                           " AND l.relation = 'region_paths'::regclass)" % app,
                           "the holder has region_paths")

            def approve():
                try:
                    result["resp"] = call(period)
                except grpc.RpcError as e:
                    result["err"] = e

            worker = threading.Thread(target=approve)
            worker.start()
            self._wait_for("SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE query LIKE"
                           " '%%%s(%%' AND wait_event_type = 'Lock' AND pid <> pg_backend_pid())"
                           % function, "the approval waits")
            _req, sub = self.submit(TOWN_A, period, [("fai", "2")])
        finally:
            if holder.poll() is None:
                holder.stdin.write("COMMIT;\n")
                holder.stdin.close()
            holder.wait(30)
            holder_err = holder.stderr.read()
            holder.stderr.close()
            if worker is not None:
                worker.join(60)
        self.assertEqual(holder.returncode, 0, holder_err)
        self.assertNotIn("err", result, result.get("err") and result["err"].details())
        row = self.db.query(
            "SELECT approved_at >= last_submitted_at,"
            " approved_at >= (SELECT max(updated_at) FROM data_values"
            "                 WHERE region_code = r.region_code AND period = r.period),"
            " hz_ts(approved_at), hz_ts(last_submitted_at) FROM reports r"
            " WHERE region_code = %s AND period = %s" % (lit(TOWN_A), lit(period)))
        self.assertEqual(row[0][:2], ("t", "t"),
                         "approved at %s, before the submission it approved (%s)"
                         % (row[0][2], row[0][3]))
        self.assertEqual(row[0][3], sub.committed_at)
        return result["resp"]

    def test_approve_time_is_after_a_submission_it_waited_for(self):
        S = self.c.ApprovalState
        resp = self._approval_waits_for_a_submission(
            "hz_set_approval", lambda period: self.approve(TOWN_A, period))
        self.assertEqual(resp.approval.state, S.Value("APPROVAL_STATE_APPROVED"))

    def test_approve_all_time_is_after_a_submission_it_waited_for(self):
        resp = self._approval_waits_for_a_submission(
            "hz_approve_all", lambda period: self.approve_all(COUNTY, period))
        self.assertEqual([ap.region_code for ap in resp.approved], [TOWN_A])

    # -- visible in the reads -------------------------------------------------------------

    def test_approval_state_in_completeness_and_report(self):
        S = self.c.ApprovalState
        period = pc.fresh_quarter()
        _r, sub_a = self.submit(TOWN_A, period, [("fai", "1"), ("tax", "2")])
        _r, sub_b = self.submit(TOWN_B, period, [("fai", "3")])
        ap = self.approve(TOWN_A, period, comment="通过").approval

        for label in ("county", "admin"):
            with self.subTest(caller=label):
                c = self.completeness(COUNTY, period, label)
                self.assertEqual([u.region.code for u in c.units], [TOWN_A, TOWN_B, TOWN_A3])
                self.assertEqual((c.expected_count, c.reported_count, c.approved_count,
                                  c.missing_count), (3, 2, 1, 1))
                self.assertEqual(list(c.missing_region_codes), [TOWN_A3])
                ua, ub, u3 = (self.unit(c, t) for t in (TOWN_A, TOWN_B, TOWN_A3))
                self.assertEqual((ua.state, ua.approved_by, ua.approved_at),
                                 (S.Value("APPROVAL_STATE_APPROVED"), self.name("county"),
                                  ap.approved_at))
                self.assertEqual(ua.last_submitted_at, sub_a.committed_at)
                self.assertEqual(ua.last_submission_id, sub_a.submission_id)
                self.assertEqual(ua.value_count, 2)
                self.assertEqual((ub.state, ub.approved_by, ub.approved_at),
                                 (S.Value("APPROVAL_STATE_SUBMITTED"), "", ""))
                self.assertEqual(ub.last_submitted_at, sub_b.committed_at)
                self.assertEqual((u3.state, u3.last_submitted_at),
                                 (S.Value("APPROVAL_STATE_MISSING"), ""))

        rep = self.report(TOWN_A, period, label="town_a")
        self.assertEqual((rep.approval.state, rep.approval.approved_by, rep.approval.approved_at,
                          rep.approval.comment, rep.approval.last_submitted_at),
                         (S.Value("APPROVAL_STATE_APPROVED"), self.name("county"), ap.approved_at,
                          "通过", sub_a.committed_at))
        self.assertEqual((rep.approval.region_code, rep.approval.period), (TOWN_A, period))
        self.assertEqual(self.report(TOWN_B, period, "county").approval.state,
                         S.Value("APPROVAL_STATE_SUBMITTED"))
        self.assertEqual(self.report(TOWN_A3, period, "county").approval.state,
                         S.Value("APPROVAL_STATE_MISSING"))

        self.reopen(TOWN_A, period, reason="退回")
        c = self.completeness(PROVINCE, period)
        self.assertEqual((c.expected_count, c.reported_count, c.approved_count, c.missing_count),
                         (5, 2, 0, 3))
        self.assertEqual(self.unit(c, TOWN_A).state, S.Value("APPROVAL_STATE_SUBMITTED"))
        self.assertEqual(self.unit(c, TOWN_A).approved_by, "")
        rep = self.report(TOWN_A, period)
        self.assertEqual((rep.approval.state, rep.approval.approved_by, rep.approval.comment),
                         (S.Value("APPROVAL_STATE_SUBMITTED"), "", "退回"))


# ============================================================================

class WindowTest(ReviewTestBase):
    """Submission windows and deadline exceptions. Each test starts with no
    window configured (rows deleted directly: the server keeps no copy)."""

    def setUp(self):
        super().setUp()
        self.db.execute("DELETE FROM submission_windows")

    def tearDown(self):
        self.db.execute("DELETE FROM submission_windows")
        super().tearDown()

    def set_window(self, period_type, days, label="admin"):
        return self.call("SetSubmissionWindow", self.a.SetSubmissionWindowRequest(
            period_type=period_type, days_after_end=days), label)

    def windows(self, label="admin"):
        return self.call("ListSubmissionWindows", self.a.ListSubmissionWindowsRequest(), label)

    def reopen_period(self, region, period, reason, expires_at="", label="admin"):
        return self.call("ReopenPeriod", self.a.ReopenPeriodRequest(
            region_code=region, period=period, reason=reason, expires_at=expires_at), label)

    def list_exceptions(self, label="admin", page_size=0, **kw):
        """Every page of ListPeriodExceptions; returns (exceptions, pages)."""
        req = self.a.ListPeriodExceptionsRequest(page_size=page_size, **kw)
        out, pages = [], 0
        for _ in range(500):
            resp = self.call("ListPeriodExceptions", req, label)
            pages += 1
            out.extend(resp.exceptions)
            if not resp.next_page_token:
                return out, pages
            req.page_token = resp.next_page_token
        self.fail("ListPeriodExceptions never ran out of pages")

    # -- windows ------------------------------------------------------------------------

    def test_list_and_set_windows_admin_only_and_audited(self):
        P = self.c.PeriodType
        for label in ("town_a", "county", "admin"):
            with self.subTest(caller=label):
                w = self.windows(label).windows
                self.assertEqual([(x.period_type, x.days_after_end, x.updated_at) for x in w],
                                 [(t, 0, "") for t in (pc.YEAR, pc.HALF, pc.QUARTER, pc.MONTH)])
        last_audit = int(self.db.scalar("SELECT coalesce(max(id), 0) FROM audit_log"))
        got = self.set_window(pc.QUARTER, 10)
        self.assertEqual((got.period_type, got.days_after_end, got.updated_by),
                         (pc.QUARTER, 10, "test-admin"))
        self.assertRegex(got.updated_at, r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
        self.assertEqual(self.db.query("SELECT period_type::text, days_after_end::text, updated_by"
                                       " FROM submission_windows"),
                         [("3", "10", "test-admin")])
        w = self.windows("town_b").windows
        self.assertEqual([(x.period_type, x.days_after_end) for x in w],
                         [(pc.YEAR, 0), (pc.HALF, 0), (pc.QUARTER, 10), (pc.MONTH, 0)])
        self.assertEqual((w[2].updated_by, w[2].updated_at), ("test-admin", got.updated_at))
        audit = self.db.query("SELECT actor, region_code, detail FROM audit_log"
                              " WHERE action = 'window.set' AND id > %d ORDER BY id"
                              % last_audit)
        self.assertEqual(len(audit), 1)
        self.assertEqual(audit[0][:2], ("test-admin", None))
        self.assertIn("10", audit[0][2])
        self.assertIn("quarter", audit[0][2])

        A = self.a
        for label, req, code in (
                ("county", A.SetSubmissionWindowRequest(period_type=pc.QUARTER, days_after_end=1),
                 SC.PERMISSION_DENIED),
                ("town_a", A.SetSubmissionWindowRequest(period_type=pc.MONTH, days_after_end=1),
                 SC.PERMISSION_DENIED),
                ("admin", A.SetSubmissionWindowRequest(period_type=P.Value("PERIOD_TYPE_UNSPECIFIED"),
                                                       days_after_end=1), SC.INVALID_ARGUMENT),
                ("admin", A.SetSubmissionWindowRequest(period_type=9, days_after_end=1),
                 SC.INVALID_ARGUMENT),
                ("admin", A.SetSubmissionWindowRequest(period_type=pc.QUARTER, days_after_end=-1),
                 SC.INVALID_ARGUMENT)):
            with self.subTest(caller=label, req=str(req)):
                self.refused_call("SetSubmissionWindow", req, code, label=label)
        self.refused_call("SetSubmissionWindow", A.SetSubmissionWindowRequest(
            period_type=pc.QUARTER, days_after_end=3), SC.UNAUTHENTICATED, md=())

        zero = self.set_window(pc.QUARTER, 0)
        self.assertEqual(zero.days_after_end, 0)
        self.assertEqual(self.windows().windows[2].days_after_end, 0)
        self.assertEqual(self.db.count("audit_log WHERE action = 'window.set' AND id > %d"
                                       % last_audit), 2)

    def test_late_submission_refused_naming_the_deadline(self):
        self.set_window(pc.QUARTER, 10)
        period = pc.fresh_quarter()  # a quarter of the 2000s: long closed
        deadline = deadline_of(period, 10)
        self.assertTrue(deadline.startswith(period[:4] + "-04-10T16:00:00.000000Z"), deadline)
        for label, dry in (("town_a", False), ("town_a", True), ("admin", False)):
            with self.subTest(caller=label, dry_run=dry):
                err = self.submit_refused(TOWN_A, period, [("fai", "1")], label=label, dry_run=dry)
                self.assertIn(deadline, err.details())
        # The other period types have no window: a month of the same year is open.
        month = "%s03" % period[:4]
        _r, ok = self.submit(TOWN_A, month, [("m_a", "1")])
        self.assertEqual(ok.imported, 1)
        # Months across a year end, and years.
        self.set_window(pc.MONTH, 5)
        dec = "%s12" % period[:4]
        err = self.submit_refused(TOWN_A, dec, [("m_a", "1")])
        self.assertIn("%d-01-05T16:00:00.000000Z" % (int(period[:4]) + 1), err.details())
        self.assertEqual(deadline_of(dec, 5), "%d-01-05T16:00:00.000000Z" % (int(period[:4]) + 1))
        self.set_window(pc.YEAR, 31)
        err = self.submit_refused(TOWN_A, period[:4], [("gdp", "1")])
        self.assertIn(deadline_of(period[:4], 31), err.details())
        # A period whose deadline lies ahead is open: the current quarter.
        current = current_quarter()
        _r, ok = self.submit(TOWN_A, current, [("fai", "1")])
        self.assertEqual(ok.imported + ok.updated + ok.unchanged, 1)
        self.assertEqual(self.completeness(COUNTY, current).deadline, deadline_of(current, 10))

    def test_deadline_in_completeness_and_report(self):
        self.set_window(pc.QUARTER, 10)
        self.set_window(pc.HALF, 45)
        self.set_window(pc.MONTH, 1)
        y = pc.fresh_year()
        for period, days in (("%dQ4" % y, 10), ("%dS1" % y, 45), ("%dS2" % y, 45),
                             ("%d02" % y, 1), ("%d" % y, 0), ("2950Q1", 10)):
            with self.subTest(period=period):
                want = deadline_of(period, days) if days else ""
                self.assertEqual(self.completeness(COUNTY, period, "county").deadline, want)
                self.assertEqual(self.report(TOWN_A, period, "town_a").deadline, want)
        # 2024 is a leap year: the February month ends on the 29th.
        self.assertEqual(self.completeness(TOWN_A, "202402").deadline,
                         "2024-03-01T16:00:00.000000Z")

    def test_zero_days_never_closes(self):
        period = pc.fresh_quarter()
        self.set_window(pc.QUARTER, 10)
        self.submit_refused(TOWN_B, period, [("fai", "1")])
        self.set_window(pc.QUARTER, 0)
        _r, ok = self.submit(TOWN_B, period, [("fai", "1")])
        self.assertEqual(ok.imported, 1)
        self.assertEqual(self.completeness(COUNTY, period).deadline, "")
        self.assertEqual(self.report(TOWN_B, period).deadline, "")
        # The oldest quarter the server accepts is open too.
        _r, ok = self.submit(TOWN_B, "1900Q1", [("fai", "1")])
        self.assertEqual(ok.imported, 1)

    # -- exceptions ------------------------------------------------------------------

    def test_exception_admin_only_reason_required_then_accepted(self):
        self.set_window(pc.QUARTER, 10)
        period = pc.fresh_quarter()
        deadline = deadline_of(period, 10)
        self.submit_refused(TOWN_A, period, [("fai", "1")])
        R = self.a.ReopenPeriodRequest
        for label, req, code in (
                ("county", R(region_code=TOWN_A, period=period, reason="r"), SC.PERMISSION_DENIED),
                ("town_a", R(region_code=TOWN_A, period=period, reason="r"), SC.PERMISSION_DENIED),
                ("admin", R(region_code=TOWN_A, period=period, reason=""), SC.INVALID_ARGUMENT),
                ("admin", R(region_code=TOWN_A, period=period, reason="r", expires_at="tomorrow"),
                 SC.INVALID_ARGUMENT),
                ("admin", R(region_code=TOWN_A, period=period, reason="r",
                            expires_at="2024-13-40T00:00:00Z"), SC.INVALID_ARGUMENT),
                ("admin", R(region_code=TOWN_A, period="2022Q5", reason="r"), SC.INVALID_ARGUMENT),
                ("admin", R(region_code="42x", period=period, reason="r"), SC.INVALID_ARGUMENT),
                ("admin", R(region_code="420624999", period=period, reason="r"), SC.NOT_FOUND),
                ("admin", R(region_code=COUNTY, period=period, reason="r"),
                 SC.FAILED_PRECONDITION)):
            with self.subTest(caller=label, req=str(req)):
                self.refused_call("ReopenPeriod", req, code, label=label)
        self.submit_refused(TOWN_A, period, [("fai", "1")])

        exc = self.reopen_period(TOWN_A, period, "系统故障, 补报")
        self.assertEqual((exc.region_code, exc.period, exc.reason, exc.granted_by, exc.expires_at),
                         (TOWN_A, period, "系统故障, 补报", "test-admin", ""))
        self.assertRegex(exc.granted_at, r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
        self.assertEqual(self.db.query(
            "SELECT region_code, period, reason, granted_by, expires_at FROM period_exceptions"
            " WHERE period = %s" % lit(period)),
            [(TOWN_A, period, "系统故障, 补报", "test-admin", None)])
        audit = self.db.query("SELECT actor, token_id::text, detail FROM audit_log"
                              " WHERE action = 'period.reopen' AND region_code = %s AND period = %s"
                              % (lit(TOWN_A), lit(period)))
        self.assertEqual(len(audit), 1)
        self.assertEqual(audit[0][:2], ("test-admin", self.token_id("admin")))
        self.assertIn("系统故障, 补报", audit[0][2])

        _r, ok = self.submit(TOWN_A, period, [("fai", "4.9")])
        self.assertEqual(ok.imported, 1)
        self.assertEqual(self.stored_value(TOWN_A, period, "fai"), "4.9")
        # The exception is for that township alone.
        err = self.submit_refused(TOWN_B, period, [("fai", "1")])
        self.assertIn(deadline, err.details())

        c = self.completeness(COUNTY, period, "county")
        self.assertEqual(c.deadline, deadline)
        self.assertEqual([(u.region.code, u.exception_open) for u in c.units],
                         [(TOWN_A, True), (TOWN_B, False), (TOWN_A3, False)])
        rep = self.report(TOWN_A, period, "town_a")
        self.assertEqual((rep.deadline, rep.exception_open), (deadline, True))
        self.assertFalse(self.report(TOWN_B, period, "county").exception_open)

        # It does not lift an approval.
        self.call("Approve", self.a.ApproveRequest(region_code=TOWN_A, period=period), "county")
        err = self.submit_refused(TOWN_A, period, [("fai", "5")])
        self.assertIn(self.name("county"), err.details())

    def test_expired_exception_still_refused(self):
        self.set_window(pc.QUARTER, 10)
        period = pc.fresh_quarter()
        deadline = deadline_of(period, 10)
        exc = self.reopen_period(TOWN_B, period, "补报 (已过期)",
                                 expires_at="2001-02-03T04:05:06Z")
        self.assertEqual(exc.expires_at, "2001-02-03T04:05:06.000000Z")
        err = self.submit_refused(TOWN_B, period, [("fai", "1")])
        self.assertIn(deadline, err.details())
        self.assertFalse(self.unit(self.completeness(COUNTY, period), TOWN_B).exception_open)
        self.assertFalse(self.report(TOWN_B, period).exception_open)
        # An offset is honoured: 08:00+08:00 is midnight UTC.
        exc = self.reopen_period(TOWN_B, period, "补报", expires_at="2999-01-01T08:00:00+08:00")
        self.assertEqual(exc.expires_at, "2999-01-01T00:00:00.000000Z")
        _r, ok = self.submit(TOWN_B, period, [("fai", "1")])
        self.assertEqual(ok.imported, 1)
        self.assertTrue(self.unit(self.completeness(COUNTY, period), TOWN_B).exception_open)

    def test_list_period_exceptions(self):
        y = pc.fresh_year()
        p1, p2 = "%dQ1" % y, "%dQ2" % y
        made = [self.reopen_period(t, p, "原因 %s %s" % (t, p))
                for t, p in ((TOWN_A, p1), (TOWN_B, p1), (TOWN_C, p1), (TOWN_A, p2))]
        key = lambda e: (e.region_code, e.period, e.reason, e.granted_by, e.granted_at,
                         e.expires_at)

        got, _ = self.list_exceptions(period=p1)
        self.assertEqual([key(e) for e in got], [key(e) for e in reversed(made[:3])])
        got, _ = self.list_exceptions(region_code=COUNTY, period=p1)
        self.assertEqual([e.region_code for e in got], [TOWN_B, TOWN_A])
        got, _ = self.list_exceptions(region_code=TOWN_A)
        self.assertEqual([(e.region_code, e.period) for e in got
                          if e.period in (p1, p2)], [(TOWN_A, p2), (TOWN_A, p1)])
        # County: its subtree only, with or without a region filter.
        got, _ = self.list_exceptions(label="county")
        self.assertTrue(got)
        self.assertTrue(all(e.region_code in subtree(COUNTY) for e in got),
                        [e.region_code for e in got])
        self.assertEqual([key(e) for e in got if e.period in (p1, p2)],
                         [key(made[3]), key(made[1]), key(made[0])])
        got, _ = self.list_exceptions(label="county2", period=p1)
        self.assertEqual([e.region_code for e in got], [TOWN_C])
        # Paging through everything, one at a time: newest first, no
        # duplicates or gaps, and as many as PostgreSQL holds.
        everything, _ = self.list_exceptions(page_size=1000)
        one_by_one, pages = self.list_exceptions(page_size=1)
        self.assertEqual([key(e) for e in one_by_one], [key(e) for e in everything])
        total = self.db.count("period_exceptions")
        self.assertEqual(len(everything), total)
        self.assertGreaterEqual(pages, total)
        times = [e.granted_at for e in everything]
        self.assertEqual(times, sorted(times, reverse=True))

        L = self.a.ListPeriodExceptionsRequest
        for label, req, code in (("county", L(region_code=COUNTY2), SC.PERMISSION_DENIED),
                                 ("county", L(region_code=TOWN_C), SC.PERMISSION_DENIED),
                                 ("town_a", L(), SC.PERMISSION_DENIED),
                                 ("admin", L(region_code="420624999"), SC.NOT_FOUND),
                                 ("admin", L(period="2022Q7"), SC.INVALID_ARGUMENT),
                                 ("admin", L(page_size=-1), SC.INVALID_ARGUMENT),
                                 ("admin", L(page_token="zz"), SC.INVALID_ARGUMENT)):
            with self.subTest(caller=label, req=str(req)):
                self.refused_call("ListPeriodExceptions", req, code, label=label)


# ============================================================================

class AuditTest(ReviewTestBase):
    """A known history (values, a narrative, approvals, a reopen, a window,
    an exception, a token made and revoked), then GetAudit compared with
    the audit_log rows read by psql."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        try:
            cls._make_history()
        except Exception:
            cls.server.kill()
            raise

    @classmethod
    def _make_history(cls):
        a = pc.admin_pb()
        chan = cls.server.channel()
        r = pc.Reporting(chan)
        md = lambda label: pc.auth(cls.fixture.tokens[label])
        y = pc.fresh_year()
        cls.p1, cls.p2, cls.m1 = "%dQ1" % y, "%dQ2" % y, "%d01" % y
        h = cls.history = {}

        def submit(key, label, region, period, values, narrative=""):
            req = pc.submit_request(region, period, values, narrative=narrative)
            h[key] = (req, r.submit(req, metadata=md(label), timeout=15))

        submit("a1", "town_a", TOWN_A, cls.p1, [("fai", "4.9"), ("tax", "848")],
               narrative="一季度工作总结")
        submit("a2", "town_a", TOWN_A, cls.p1, [("fai", "5.25", "更正"), ("tax", "848")])
        submit("b1", "town_b", TOWN_B, cls.p1, [("fai", "1"), ("pigs", "160000")])
        submit("c1", "town_c", TOWN_C, cls.p1, [("fai", "2")])
        submit("a3", "town_a", TOWN_A, cls.p2, [("fai", "-0"), ("balance", "-12.50")])
        submit("m1", "admin", TOWN_A3, cls.m1, [("vacc", "34865")])
        # value.set entries as stored before migration 022, one audit_events
        # row each, between submissions stored as audit_value_sets rows.
        cls.legacy_sid = str(uuid.uuid4())
        cls.db.execute(
            "INSERT INTO audit_events (at, actor, action, region_code, indicator_code, period,"
            " old_value, new_value, submission_id, old_comment, new_comment)"
            " SELECT now(), 'legacy-import', 'value.set', '%s', t.c, '%s', t.o, t.n, '%s',"
            " t.oc, t.nc FROM unnest('{fai,pigs,tax}'::text[], '{1.5,NULL,7}'::numeric[],"
            " '{2,3,8.25}'::numeric[], '{\"\",NULL,旧}'::text[], '{a,b,新}'::text[])"
            " AS t(c, o, n, oc, nc) ORDER BY t.c" % (TOWN_B, cls.p2, cls.legacy_sid))
        submit("b2", "town_b", TOWN_B, cls.p2, [("fai", "3"), ("tax", "9")])

        def call(method, req_cls, resp_cls, req, label):
            return harness.unary(chan, "/huizong.v1.Admin/" + method, req_cls, resp_cls)(
                req, metadata=md(label), timeout=15)

        call("Approve", a.ApproveRequest, a.ApprovalResponse,
             a.ApproveRequest(region_code=TOWN_A, period=cls.p1, comment="初审通过"), "county")
        call("Reopen", a.ReopenRequest, a.ApprovalResponse,
             a.ReopenRequest(region_code=TOWN_A, period=cls.p1, reason="退回更正"), "county")
        call("ApproveAllSubmitted", a.ApproveAllSubmittedRequest, a.ApproveAllSubmittedResponse,
             a.ApproveAllSubmittedRequest(region_code=COUNTY, period=cls.p1, comment="全县"),
             "county")
        call("Approve", a.ApproveRequest, a.ApprovalResponse,
             a.ApproveRequest(region_code=TOWN_C, period=cls.p1), "county2")
        call("SetSubmissionWindow", a.SetSubmissionWindowRequest, a.SubmissionWindow,
             a.SetSubmissionWindowRequest(period_type=pc.YEAR, days_after_end=0), "admin")
        call("ReopenPeriod", a.ReopenPeriodRequest, a.PeriodException,
             a.ReopenPeriodRequest(region_code=TOWN_B, period=cls.p2, reason="补报审批"), "admin")
        cls.new_token_name = "audit-tok-" + pc.new_id()[:8]
        created = call("CreateToken", a.CreateTokenRequest, a.CreateTokenResponse,
                       a.CreateTokenRequest(name=cls.new_token_name, role=pc.ROLE_NAMES["township"],
                                            region_code=TOWN_B), "admin")
        cls.new_token_id = created.token.id
        call("RevokeToken", a.RevokeTokenRequest, a.TokenInfo,
             a.RevokeTokenRequest(id=created.token.id), "admin")

    # -- helpers ---------------------------------------------------------------------------

    COLUMNS = ("id", "time", "actor", "actor_token_id", "action", "region_code",
               "indicator_code", "period", "old_value", "new_value", "submission_id", "detail",
               "old_comment", "new_comment")

    def db_rows(self):
        """Every audit_log row as a dict, newest first, read by psql."""
        rows = self.db.query(
            "SELECT id::text, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'),"
            " actor, coalesce(token_id::text, ''), action, coalesce(region_code, ''),"
            " coalesce(indicator_code, ''), coalesce(period, ''), old_value::text,"
            " new_value::text, coalesce(submission_id::text, ''), detail,"
            " coalesce(old_comment, ''), coalesce(new_comment, '')"
            " FROM audit_log a ORDER BY a.at DESC, a.id DESC")
        return [dict(zip(self.COLUMNS, r)) for r in rows]

    def entry_dict(self, e):
        return {
            "id": str(e.id), "time": e.time, "actor": e.actor,
            "actor_token_id": e.actor_token_id, "action": action_name(e.action),
            "region_code": e.region_code, "indicator_code": e.indicator_code,
            "period": e.period,
            "old_value": e.old_value.value if e.HasField("old_value") else None,
            "new_value": e.new_value.value if e.HasField("new_value") else None,
            "submission_id": e.submission_id, "detail": e.detail,
            "old_comment": e.old_comment, "new_comment": e.new_comment,
        }

    def assert_same_entries(self, entries, rows, context=""):
        got = [self.entry_dict(e) for e in entries]
        self.assertEqual([g["id"] for g in got], [r["id"] for r in rows],
                         "%s: other entries or order than audit_log" % context)
        for g, r in zip(got, rows):
            for k in self.COLUMNS:
                if k in ("old_value", "new_value") and g[k] is not None and r[k] is not None:
                    self.assertEqual(D(g[k]), D(r[k]), "%s: entry %s %s" % (context, g["id"], k))
                    self.assertRegex(g[k], r"^-?\d+(\.\d+)?$")
                else:
                    self.assertEqual(g[k], r[k], "%s: entry %s %s" % (context, g["id"], k))

    def audit(self, label="admin", page_size=0, max_pages=2000, **filters):
        """All entries matching filters, following next_page_token to the
        end. Returns (entries, pages)."""
        actions = filters.pop("actions", [])
        req = self.a.GetAuditRequest(page_size=page_size, **filters)
        req.actions.extend(actions)
        out, pages = [], 0
        for _ in range(max_pages):
            resp = self.call("GetAudit", req, label)
            pages += 1
            out.extend(resp.entries)
            if not resp.next_page_token:
                return out, pages
            self.assertLessEqual(len(resp.entries), page_size or 1000)
            req.page_token = resp.next_page_token
        self.fail("GetAudit never ran out of pages")

    # -- the trail itself ------------------------------------------------------------

    def test_every_entry_matches_the_database_newest_first(self):
        rows = self.db_rows()
        entries, _ = self.audit(page_size=1000)
        self.assert_same_entries(entries, rows, "all")
        keys = [(e.time, e.id) for e in entries]
        self.assertEqual(keys, sorted(keys, reverse=True))
        self.assertNotIn(0, [e.action for e in entries], "an action the enum does not name")

    def test_value_entries_show_old_new_actor_time_and_submission(self):
        req1, resp1 = self.history["a1"]
        req2, resp2 = self.history["a2"]
        town_a = self.name("town_a")
        e1, _ = self.audit(submission_id=req1.submission_id)
        vals = sorted((e.indicator_code, e.HasField("old_value"), e.new_value.value, e.action)
                      for e in e1)
        self.assertEqual(vals, [("", False, "", action_enum("narrative.set")),
                                ("fai", False, "4.9", action_enum("value.set")),
                                ("tax", False, "848", action_enum("value.set"))])
        for e in e1:
            self.assertEqual((e.actor, e.actor_token_id, e.region_code, e.period, e.submission_id),
                             (town_a, self.token_id("town_a"), TOWN_A, self.p1,
                              req1.submission_id))
            self.assertEqual(e.time, resp1.committed_at)
        e2, _ = self.audit(submission_id=req2.submission_id.upper())
        self.assertEqual([(e.indicator_code, e.old_value.value, e.new_value.value) for e in e2],
                         [("fai", "4.9", "5.25")], "unchanged tax must not be audited")
        self.assertEqual(e2[0].time, resp2.committed_at)
        req3, _ = self.history["a3"]
        e3, _ = self.audit(submission_id=req3.submission_id, indicator_code="balance")
        self.assertEqual([(e.HasField("old_value"), D(e.new_value.value)) for e in e3],
                         [(False, D("-12.5"))])

    def test_entries_stored_before_022_are_listed_with_the_new_ones(self):
        got, _ = self.audit(submission_id=self.legacy_sid)
        self.assertEqual([(e.indicator_code, e.old_value.value if e.HasField("old_value")
                           else None, e.new_value.value, e.old_comment, e.new_comment, e.actor)
                          for e in got],
                         [("tax", "7", "8.25", "旧", "新", "legacy-import"),
                          ("pigs", None, "3", "", "b", "legacy-import"),
                          ("fai", "1.5", "2", "", "a", "legacy-import")])
        req, _ = self.history["b2"]
        rows = [r for r in self.db_rows() if r["region_code"] == TOWN_B
                and r["period"] == self.p2 and r["action"] == "value.set"]
        self.assertEqual([r["submission_id"] for r in rows],
                         [req.submission_id] * 2 + [self.legacy_sid] * 3)
        for size in (1, 2, 4):
            entries, _ = self.audit(page_size=size, region_code=TOWN_B, period=self.p2,
                                    actions=[action_enum("value.set")])
            self.assert_same_entries(entries, rows, "page size %d" % size)
        entries, _ = self.audit(page_size=1, indicator_code="tax", region_code=TOWN_B,
                                period=self.p2)
        self.assert_same_entries(entries, [r for r in rows if r["indicator_code"] == "tax"],
                                 "tax")

    def test_review_and_token_changes_are_audited(self):
        county, admin = self.name("county"), "test-admin"
        entries, _ = self.audit(actions=[action_enum(x) for x in (
            "approve", "reopen", "period.reopen", "window.set", "token.create", "token.revoke")])
        by = {}
        for e in entries:
            by.setdefault(action_name(e.action), []).append(e)
        approvals = sorted((e.region_code, e.period, e.actor) for e in by.get("approve", []))
        self.assertEqual(approvals, sorted([(TOWN_A, self.p1, county), (TOWN_A, self.p1, county),
                                            (TOWN_B, self.p1, county),
                                            (TOWN_C, self.p1, self.name("county2"))]))
        self.assertTrue(any("初审通过" in e.detail for e in by["approve"]))
        self.assertTrue(any("全县" in e.detail for e in by["approve"]))
        self.assertEqual([(e.region_code, e.period, e.actor) for e in by["reopen"]],
                         [(TOWN_A, self.p1, county)])
        self.assertIn("退回更正", by["reopen"][0].detail)
        self.assertEqual([(e.region_code, e.period, e.actor) for e in by["period.reopen"]],
                         [(TOWN_B, self.p2, admin)])
        self.assertIn("补报审批", by["period.reopen"][0].detail)
        self.assertEqual([(e.region_code, e.actor) for e in by["window.set"]], [("", admin)])
        made = [e for e in by["token.create"] if self.new_token_name in e.detail]
        revoked = [e for e in by["token.revoke"] if self.new_token_name in e.detail]
        self.assertEqual(len(made), 1, [e.detail for e in by["token.create"]])
        self.assertEqual(len(revoked), 1, [e.detail for e in by.get("token.revoke", [])])
        for e in made + revoked:
            self.assertEqual((e.actor, e.actor_token_id), (admin, self.token_id("admin")))
            self.assertIn("township", e.detail)
            self.assertNotIn("hz_", e.detail.replace(self.new_token_name, ""),
                             "a token entry shows something like a secret")
        self.assertLess(made[0].id, revoked[0].id)
        # Every fixture token made through the Admin API is there as well.
        if self.fixture.admin_rpc:
            for label in ("town_a", "town_b", "town_c", "county", "county2"):
                self.assertTrue(any(self.name(label) in e.detail for e in by["token.create"]),
                                label)

    # -- filters ------------------------------------------------------------------------

    def test_filters_match_the_database(self):
        rows = self.db_rows()
        sub_a1 = self.history["a1"][0].submission_id
        times = sorted({r["time"] for r in rows})
        mid, late = times[len(times) // 3], times[2 * len(times) // 3]
        cases = [
            ({"region_code": COUNTY},
             lambda r: r["region_code"] in subtree(COUNTY)),
            ({"region_code": TOWN_A}, lambda r: r["region_code"] == TOWN_A),
            ({"region_code": COUNTY2}, lambda r: r["region_code"] in subtree(COUNTY2)),
            ({"region_code": PROVINCE}, lambda r: r["region_code"] in subtree(PROVINCE)),
            ({"indicator_code": "fai"}, lambda r: r["indicator_code"] == "fai"),
            ({"period": self.p1}, lambda r: r["period"] == self.p1),
            ({"period": self.m1}, lambda r: r["period"] == self.m1),
            ({"submission_id": sub_a1}, lambda r: r["submission_id"] == sub_a1),
            ({"actions": [action_enum("value.set")]}, lambda r: r["action"] == "value.set"),
            ({"actions": [action_enum("approve"), action_enum("reopen")]},
             lambda r: r["action"] in ("approve", "reopen")),
            ({"actor": self.name("town_a")}, lambda r: r["actor"] == self.name("town_a")),
            ({"actor": "test-admin"}, lambda r: r["actor"] == "test-admin"),
            ({"since": mid}, lambda r: r["time"] >= mid),
            ({"until": mid}, lambda r: r["time"] < mid),
            ({"since": mid, "until": late}, lambda r: mid <= r["time"] < late),
            ({"since": "2000-01-01"}, lambda r: True),
            ({"until": "2000-01-01T00:00:00Z"}, lambda r: False),
            ({"region_code": COUNTY, "indicator_code": "fai", "period": self.p1,
              "actions": [action_enum("value.set")]},
             lambda r: (r["region_code"] in subtree(COUNTY) and r["indicator_code"] == "fai"
                        and r["period"] == self.p1 and r["action"] == "value.set")),
            ({"region_code": TOWN_A, "actor": self.name("county")},
             lambda r: r["region_code"] == TOWN_A and r["actor"] == self.name("county")),
            ({"indicator_code": "no_such"}, lambda r: False),
        ]
        for filters, keep in cases:
            with self.subTest(filters=filters):
                want = [r for r in rows if keep(r)]
                got, _ = self.audit(page_size=1000, **dict(filters))
                self.assert_same_entries(got, want, str(filters))
        # The ones that must not be trivially empty, so the checks above bite.
        for filters in ({"region_code": COUNTY}, {"since": mid, "until": late},
                        {"actions": [action_enum("approve"), action_enum("reopen")]}):
            self.assertTrue(self.audit(**dict(filters))[0], filters)

    def test_since_is_inclusive_and_until_exclusive(self):
        _req, resp = self.history["b1"]
        t = resp.committed_at
        at_t = [r for r in self.db_rows() if r["time"] == t]
        self.assertTrue(at_t)
        got, _ = self.audit(since=t, until=t)
        self.assertEqual(got, [])
        got, _ = self.audit(since=t, actions=[action_enum("value.set")],
                            region_code=TOWN_B, period=self.p1)
        self.assertEqual(sorted(e.indicator_code for e in got), ["fai", "pigs"])
        got, _ = self.audit(until=t, region_code=TOWN_B, period=self.p1,
                            actions=[action_enum("value.set")])
        self.assertEqual(got, [])

    # -- paging ---------------------------------------------------------------------------

    def test_paging_until_exhausted_without_duplicates_or_gaps(self):
        total = self.db.count("audit_log")
        everything, _ = self.audit(page_size=1000)
        self.assertEqual(len(everything), total)
        for size in (1, 2, 3, 7, total, total + 1):
            with self.subTest(page_size=size):
                got, pages = self.audit(page_size=size)
                ids = [e.id for e in got]
                self.assertEqual(len(ids), len(set(ids)), "duplicates across pages")
                self.assertEqual(ids, [e.id for e in everything], "gaps or reordering")
                # ceil(total / size) pages, or one more (empty) when the
                # server cannot tell that a full page was the last.
                self.assertGreaterEqual(pages, -(-total // size))
                self.assertLessEqual(pages, -(-total // size) + 1)
        # Filtered paging, checked against count(*) of the same condition.
        n = self.db.count("audit_log WHERE region_code IN (%s) AND action = 'value.set'"
                          % ",".join(lit(c) for c in sorted(subtree(COUNTY))))
        got, _ = self.audit(page_size=2, region_code=COUNTY, actions=[action_enum("value.set")])
        self.assertEqual(len(got), n)
        self.assertEqual(len({e.id for e in got}), n)
        # The default page is 100 entries at most, with a token when there are more.
        first = self.call("GetAudit", self.a.GetAuditRequest())
        self.assertEqual(len(first.entries), min(total, 100))
        self.assertEqual(bool(first.next_page_token), total > 100)

    def test_paging_is_stable_while_new_entries_arrive(self):
        before = [e.id for e in self.audit(page_size=1000)[0]]
        req = self.a.GetAuditRequest(page_size=3)
        first = self.call("GetAudit", req)
        # A new change lands between pages: newest first, it is above the
        # pages already read and must not shift the following ones.
        period = pc.fresh_quarter()
        self.submit(TOWN_B, period, [("fai", "7")])
        got = [e.id for e in first.entries]
        req.page_token = first.next_page_token
        for _ in range(1000):
            resp = self.call("GetAudit", req)
            got.extend(e.id for e in resp.entries)
            if not resp.next_page_token:
                break
            req.page_token = resp.next_page_token
        self.assertEqual(got, before)
        self.assertEqual(self.db.count("audit_log"), len(before) + 1)

    # -- scope -----------------------------------------------------------------------------

    def test_county_sees_only_its_subtree(self):
        rows = self.db_rows()
        got, _ = self.audit(label="county", page_size=1000)
        codes = {e.region_code for e in got}
        self.assertTrue(codes, "the county sees nothing")
        self.assertLessEqual(codes, subtree(COUNTY), "entries outside the county's subtree")
        self.assertNotIn("", codes, "entries without a region are for administrators")
        got, _ = self.audit(label="county", page_size=1000, region_code=TOWN_B,
                            actions=[action_enum("value.set"), action_enum("approve")])
        self.assert_same_entries(got, [r for r in rows if r["region_code"] == TOWN_B and
                                       r["action"] in ("value.set", "approve")], "county, TOWN_B")
        got, _ = self.audit(label="county2", page_size=1000,
                            actions=[action_enum("value.set"), action_enum("approve")])
        self.assert_same_entries(got, [r for r in rows if r["region_code"] in subtree(COUNTY2)
                                       and r["action"] in ("value.set", "approve")], "county2")
        A = self.a.GetAuditRequest
        for label, req, code in (("county", A(region_code=COUNTY2), SC.PERMISSION_DENIED),
                                 ("county", A(region_code=TOWN_C), SC.PERMISSION_DENIED),
                                 ("county", A(region_code=CITY), SC.PERMISSION_DENIED),
                                 ("town_a", A(), SC.PERMISSION_DENIED),
                                 ("town_a", A(region_code=TOWN_A), SC.PERMISSION_DENIED)):
            with self.subTest(caller=label, region=req.region_code):
                self.refused_call("GetAudit", req, code, label=label)
        self.refused_call("GetAudit", A(), SC.UNAUTHENTICATED, md=())

    def test_county_does_not_see_token_entries(self):
        # admin.proto: "entries without a region, such as token changes,
        # are admin only"; the CLI help says the same of tokens. A token
        # scoped to a township of the county is still a token change.
        got, _ = self.audit(label="county", page_size=1000)
        tokens = [(action_name(e.action), e.region_code, e.detail) for e in got
                  if action_name(e.action) in ("token.create", "token.revoke")]
        self.assertEqual(tokens, [], "a county token sees token changes")
        got, _ = self.audit(label="county", actions=[action_enum("token.create"),
                                                     action_enum("token.revoke")])
        self.assertEqual([e.detail for e in got], [])
        admin_sees, _ = self.audit(actions=[action_enum("token.revoke")])
        self.assertTrue(admin_sees, "the admin does not see the revocation")

    def test_malformed_filters_invalid_argument(self):
        A = self.a.GetAuditRequest
        bad_tok = "".join("%02x" % b for b in b"not a token")
        cases = [
            (A(region_code="42x"), SC.INVALID_ARGUMENT),
            (A(indicator_code="FAI!"), SC.INVALID_ARGUMENT),
            (A(period="2022Q5"), SC.INVALID_ARGUMENT),
            (A(period="2022-01"), SC.INVALID_ARGUMENT),
            (A(submission_id="xyz"), SC.INVALID_ARGUMENT),
            (A(submission_id=pc.new_id() + "0"), SC.INVALID_ARGUMENT),
            (A(actions=[99]), SC.INVALID_ARGUMENT),
            (A(actions=[0]), SC.INVALID_ARGUMENT),
            (A(since="yesterday"), SC.INVALID_ARGUMENT),
            (A(until="2022-13-45T00:00:00Z"), SC.INVALID_ARGUMENT),
            (A(since="2022-01-01T25:00:00Z"), SC.INVALID_ARGUMENT),
            (A(page_size=-1), SC.INVALID_ARGUMENT),
            (A(page_token="zz"), SC.INVALID_ARGUMENT),
            (A(page_token=bad_tok), SC.INVALID_ARGUMENT),
            (A(page_token="00" * 20), SC.INVALID_ARGUMENT),
            (A(region_code="420624999"), SC.NOT_FOUND),
        ]
        for req, code in cases:
            with self.subTest(req=str(req)):
                err = self.refused_call("GetAudit", req, code)
                self.assertTrue(err.details())


if __name__ == "__main__":
    pc.main()
