"""The county's review over validation rules (审核, issue 12) against real
PostgreSQL, driven by grpcio and the huizong CLI: Aggregation.Validate
(errors first, then unexplained and explained warnings, township and
figures named; skipped rules only on request; the scope of each role),
Approve refused while an ERROR stands and accepted once the figures are
corrected, ApproveAllSubmitted leaving such townships SUBMITTED and
listing them, GetReport's violations, and `huizong validate` / `huizong
report`.

Stored values are only re-checked on review: the figures that break the
rules are submitted first, the rules imported after (Admin.ImportRules),
as when a county adds a rule in the middle of a reporting round. Each
period of the class has a role of its own, so the tests do not depend on
their order."""

import decimal
import json
import os
import subprocess
import tempfile

import grpc

import harness
import pgcluster as pc
from pgcluster import TOWN_A, TOWN_B, TOWN_A3, TOWN_C, COUNTY, COUNTY2, QUARTER

SC = grpc.StatusCode
CLI_TIMEOUT = 60

DEBT_RULE = "debt_resolved_le_locked"
FAI_RULE = "fai_yoy"
EXPLANATION = "新开工项目3个，投资同比大幅增长"


def D(s):
    return decimal.Decimal(s)


def client_dir():
    d = os.environ.get("HZ_CLIENT_DIR")
    if not d:
        d = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(
            harness.huizongd_path()))), "client")
    return d


def rule_rows():
    """The two rules of the class: an ERROR relation of one report and a
    WARNING on the change against the same quarter a year earlier."""
    a, c = pc.admin_pb(), pc.common_pb()
    return [
        a.RuleRow(line=2, rule=a.ValidationRule(
            code=DEBT_RULE, name="已化解债务不超过锁定债务", left="debt_resolved", op="<=",
            right="debt_locked", severity=c.SEVERITY_ERROR, period_types=[QUARTER],
            message="已化解债务 {left} 超过锁定债务 {right}")),
        a.RuleRow(line=3, rule=a.ValidationRule(
            code=FAI_RULE, name="固定资产投资同比变动不超过50%",
            left="abs(fai - prev_year(fai))", op="<=", right="prev_year(fai) * 0.5",
            severity=c.SEVERITY_WARNING, period_types=[QUARTER],
            message="固定资产投资 {fai} 同比变动超过50%")),
    ]


class ValidateTest(pc.PgServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        try:
            cls._load()
        except Exception:
            cls.server.kill()
            raise

    @classmethod
    def _load(cls):
        year = pc.fresh_year()
        pc.fresh_year()  # the year before is ours too
        cls.p1, cls.p2, cls.p3 = ("%dQ%d" % (year, q) for q in (1, 2, 3))
        before = year - 1
        rep = pc.Reporting(cls.server.channel())
        admin = pc.auth(cls.fixture.tokens["admin"])

        def submit(region, period, values):
            pc.call_with_db_retry(rep.submit, pc.submit_request(region, period, values),
                                  metadata=admin, timeout=30)

        # P1, for Validate and GetReport: an explained warning (武安镇), an
        # ERROR (九集镇), an unexplained warning (李庙镇), an ERROR outside
        # 南漳县 (城关镇).
        submit(TOWN_A, "%dQ1" % before, [("fai", "10")])
        submit(TOWN_A, cls.p1, [("fai", "20", EXPLANATION), ("debt_locked", "100"),
                                ("debt_resolved", "80")])
        # A rule is evaluated for a report holding one of its figures: 九集镇's
        # fai has no year before, 李庙镇 has debt_locked alone (both skipped).
        submit(TOWN_B, cls.p1, [("debt_locked", "4300"), ("debt_resolved", "5000"),
                                ("fai", "7")])
        submit(TOWN_A3, "%dQ1" % before, [("fai", "10")])
        submit(TOWN_A3, cls.p1, [("fai", "30"), ("debt_locked", "50")])
        submit(TOWN_C, cls.p1, [("debt_locked", "1"), ("debt_resolved", "2")])
        # P2, for ApproveAllSubmitted: 武安镇 clean, 九集镇 an ERROR, 李庙镇
        # nothing.
        submit(TOWN_A, cls.p2, [("debt_locked", "10"), ("debt_resolved", "5")])
        submit(TOWN_B, cls.p2, [("debt_locked", "5"), ("debt_resolved", "6")])
        # P3, for Approve: 九集镇 an ERROR, 李庙镇 an unexplained warning.
        submit(TOWN_B, cls.p3, [("debt_locked", "4300"), ("debt_resolved", "5000")])
        submit(TOWN_A3, "%dQ3" % before, [("fai", "10")])
        submit(TOWN_A3, cls.p3, [("fai", "30")])

        a = pc.admin_pb()
        imp = harness.unary(cls.server.channel(), "/huizong.v1.Admin/ImportRules",
                            a.ImportRulesRequest, a.ImportResponse)
        pc.call_with_db_retry(imp, a.ImportRulesRequest(rows=rule_rows()), metadata=admin,
                              timeout=30)

    def setUp(self):
        self.g = harness.pb("huizong/v1/aggregation.proto")
        self.a = pc.admin_pb()
        self.c = pc.common_pb()
        self.r = self.rep()
        chan = self.server.channel()
        self.validate = harness.unary(chan, "/huizong.v1.Aggregation/Validate",
                                      self.g.ValidateRequest, self.g.ValidateResponse)
        self.get_report = harness.unary(chan, "/huizong.v1.Aggregation/GetReport",
                                        self.g.GetReportRequest, self.g.Report)
        self.approve_one = harness.unary(chan, "/huizong.v1.Admin/Approve",
                                         self.a.ApproveRequest, self.a.ApprovalResponse)
        self.approve_all = harness.unary(chan, "/huizong.v1.Admin/ApproveAllSubmitted",
                                         self.a.ApproveAllSubmittedRequest,
                                         self.a.ApproveAllSubmittedResponse)

    def call_validate(self, region, period, label="county", skipped=False):
        return self.validate(self.g.ValidateRequest(region_code=region, period=period,
                                                    include_skipped=skipped),
                             metadata=self.md(label), timeout=30)

    def state(self, region, period):
        rows = self.db.query("SELECT hz_approval_state(last_submitted_at, approved_at) FROM"
                             " reports WHERE region_code = %s AND period = %s"
                             % (pc.sql_literal(region), pc.sql_literal(period)))
        return int(rows[0][0]) if rows else 1

    # -- Validate ------------------------------------------------------------------------

    def test_validate_lists_errors_first_then_unexplained_then_explained(self):
        ERR, WARN = self.c.SEVERITY_ERROR, self.c.SEVERITY_WARNING
        for label in ("county", "admin"):
            with self.subTest(caller=label):
                resp = self.call_validate(COUNTY, self.p1, label)
                self.assertEqual((resp.region.code, resp.region.name, resp.period),
                                 (COUNTY, "南漳县", self.p1))
                got = [(v.severity, v.region_code, v.region_name, v.rule_code, v.skipped)
                       for v in resp.violations]
                self.assertEqual(got, [
                    (ERR, TOWN_B, "九集镇", DEBT_RULE, False),
                    (WARN, TOWN_A3, "李庙镇", FAI_RULE, False),
                    (WARN, TOWN_A, "武安镇", FAI_RULE, False),
                ])
                self.assertEqual((resp.error_count, resp.warning_count, resp.explained_count,
                                  resp.units_checked), (1, 1, 1, 3))
                err, unexplained, explained = resp.violations
                # The figures named: the message filled, both sides exact.
                self.assertIn("5000", err.message)
                self.assertIn("4300", err.message)
                self.assertIn("已化解债务", err.message)
                self.assertEqual((D(err.left_value), err.op, D(err.right_value)),
                                 (D("5000"), "<=", D("4300")))
                self.assertEqual((err.indicator_code, err.period, err.rule_name),
                                 ("debt_resolved", self.p1, "已化解债务不超过锁定债务"))
                # |30 - 10| against 10 x 0.5, and |20 - 10| likewise.
                self.assertEqual((D(unexplained.left_value), D(unexplained.right_value)),
                                 (D("20"), D("5")))
                self.assertEqual(unexplained.explanation, "")
                self.assertIn("30", unexplained.message)
                self.assertEqual((D(explained.left_value), D(explained.right_value)),
                                 (D("10"), D("5")))
                self.assertEqual((explained.indicator_code, explained.explanation),
                                 ("fai", EXPLANATION))

    def test_skipped_rules_only_on_request(self):
        plain = self.call_validate(COUNTY, self.p1)
        self.assertFalse([v for v in plain.violations if v.skipped], plain)
        full = self.call_validate(COUNTY, self.p1, skipped=True)
        # The violations as without the flag, then the rules with a
        # missing operand: 九集镇 has no fai a year earlier, 李庙镇 no
        # debt_resolved.
        self.assertEqual(list(full.violations)[:3], list(plain.violations))
        skipped = [(v.region_code, v.rule_code) for v in full.violations[3:]]
        self.assertEqual(skipped, [(TOWN_B, FAI_RULE), (TOWN_A3, DEBT_RULE)])
        for v in full.violations[3:]:
            self.assertTrue(v.skipped, v)
            self.assertTrue(v.skip_reason, v)
            self.assertEqual((v.left_value, v.right_value), ("", ""))
        self.assertEqual((full.error_count, full.warning_count, full.explained_count),
                         (1, 1, 1))

    def test_validate_scope(self):
        # A county sees its subtree: one township of it alone.
        one = self.call_validate(TOWN_B, self.p1, "county")
        self.assertEqual([(v.region_code, v.rule_code) for v in one.violations],
                         [(TOWN_B, DEBT_RULE)])
        self.assertEqual(one.units_checked, 1)
        # The other county sees its own townships only.
        other = self.call_validate(COUNTY2, self.p1, "county2")
        self.assertEqual([(v.region_code, v.rule_code) for v in other.violations],
                         [(TOWN_C, DEBT_RULE)])
        # A township sees its own region (named or by default).
        for region in (TOWN_B, ""):
            own = self.call_validate(region, self.p1, "town_b")
            self.assertEqual(own.region.code, TOWN_B)
            self.assertEqual([v.rule_code for v in own.violations], [DEBT_RULE])
        for region, label, code in ((COUNTY, "town_b", SC.PERMISSION_DENIED),
                                    (TOWN_B, "town_a", SC.PERMISSION_DENIED),
                                    (COUNTY, "county2", SC.PERMISSION_DENIED),
                                    ("420699", "admin", SC.NOT_FOUND),
                                    ("42x", "admin", SC.INVALID_ARGUMENT)):
            with self.subTest(region=region, caller=label):
                with self.assertRaises(grpc.RpcError) as cm:
                    self.call_validate(region, self.p1, label)
                self.assert_code(cm.exception, code)
                self.assertIn(region, cm.exception.details())
        with self.assertRaises(grpc.RpcError) as cm:
            self.call_validate(COUNTY, "2022Q5")
        self.assert_code(cm.exception, SC.INVALID_ARGUMENT)
        self.assertIn("period", cm.exception.details())

    def test_validate_of_a_period_nobody_reported(self):
        resp = self.call_validate(COUNTY, "%sQ4" % self.p1[:4], skipped=True)
        self.assertEqual((len(resp.violations), resp.units_checked, resp.error_count), (0, 0, 0))

    # -- Approve / ApproveAllSubmitted ---------------------------------------------------

    def test_approve_refused_while_an_error_stands_then_accepted_after_correction(self):
        S = self.c.ApprovalState
        req = self.a.ApproveRequest(region_code=TOWN_B, period=self.p3, comment="审核通过")
        err, plist = self.refused(self.approve_one, req, "county", SC.FAILED_PRECONDITION)
        self.assertIsNotNone(plist, "no huizong-problems-bin trailer")
        self.assertEqual(len(plist.problems), 1, plist)
        pr = plist.problems[0]
        self.assertEqual((pr.kind, pr.rule_code, pr.indicator_code, pr.key),
                         (self.c.PROBLEM_KIND_RULE_ERROR, DEBT_RULE, "debt_resolved",
                          "%s/debt_resolved/%s" % (TOWN_B, self.p3)))
        for figure in ("5000", "4300"):
            self.assertIn(figure, pr.reason)
            self.assertIn(figure, err.details())
        self.assertEqual(plist.total, 1)
        self.assertEqual(self.state(TOWN_B, self.p3), S.Value("APPROVAL_STATE_SUBMITTED"))

        # The township corrects the figure (the rule holds for it now).
        self.r.submit(pc.submit_request(TOWN_B, self.p3, [("debt_resolved", "4000")]),
                      metadata=self.md("town_b"), timeout=30)
        self.assertEqual(self.call_validate(TOWN_B, self.p3).error_count, 0)
        resp = self.approve_one(req, metadata=self.md("county"), timeout=30)
        self.assertTrue(resp.changed)
        self.assertEqual(resp.approval.state, S.Value("APPROVAL_STATE_APPROVED"))
        self.assertEqual(self.state(TOWN_B, self.p3), S.Value("APPROVAL_STATE_APPROVED"))

        # A warning does not block: 李庙镇's unexplained one stands.
        v = self.call_validate(TOWN_A3, self.p3)
        self.assertEqual((v.error_count, v.warning_count), (0, 1))
        resp = self.approve_one(self.a.ApproveRequest(region_code=TOWN_A3, period=self.p3),
                                metadata=self.md("admin"), timeout=30)
        self.assertEqual(resp.approval.state, S.Value("APPROVAL_STATE_APPROVED"))

    def test_approve_all_submitted_skips_a_township_with_an_error(self):
        S = self.c.ApprovalState
        resp = self.approve_all(self.a.ApproveAllSubmittedRequest(region_code=COUNTY,
                                                                  period=self.p2),
                                metadata=self.md("county"), timeout=30)
        self.assertEqual([ap.region_code for ap in resp.approved], [TOWN_A])
        self.assertEqual(list(resp.missing_region_codes), [TOWN_A3])
        self.assertEqual(len(resp.blocked), 1, resp)
        b = resp.blocked[0]
        self.assertEqual((b.kind, b.rule_code, b.indicator_code, b.key),
                         (self.c.PROBLEM_KIND_RULE_ERROR, DEBT_RULE, "debt_resolved",
                          "%s/debt_resolved/%s" % (TOWN_B, self.p2)))
        self.assertIn("6", b.reason)
        self.assertEqual(self.state(TOWN_A, self.p2), S.Value("APPROVAL_STATE_APPROVED"))
        self.assertEqual(self.state(TOWN_B, self.p2), S.Value("APPROVAL_STATE_SUBMITTED"))
        self.assertEqual(self.db.scalar(
            "SELECT count(*) FROM audit_log WHERE action = 'approve' AND period = %s"
            % pc.sql_literal(self.p2)), "1")
        # Again: nothing new approved, 九集镇 still blocked.
        again = self.approve_all(self.a.ApproveAllSubmittedRequest(region_code=COUNTY,
                                                                   period=self.p2),
                                 metadata=self.md("admin"), timeout=30)
        self.assertEqual((len(again.approved), again.already_approved_count,
                          [b.key.split("/")[0] for b in again.blocked]), (0, 1, [TOWN_B]))

    # -- GetReport -----------------------------------------------------------------------

    def test_get_report_shows_standing_violations(self):
        ERR, WARN = self.c.SEVERITY_ERROR, self.c.SEVERITY_WARNING
        rb = self.get_report(self.g.GetReportRequest(region_code=TOWN_B, period=self.p1),
                             metadata=self.md("town_b"), timeout=30)
        self.assertEqual([(v.severity, v.rule_code, v.region_code, v.period)
                          for v in rb.violations], [(ERR, DEBT_RULE, TOWN_B, self.p1)])
        self.assertIn("5000", rb.violations[0].message)
        ra = self.get_report(self.g.GetReportRequest(region_code=TOWN_A, period=self.p1),
                             metadata=self.md("county"), timeout=30)
        self.assertEqual([(v.severity, v.rule_code, v.explanation, v.skipped)
                          for v in ra.violations], [(WARN, FAI_RULE, EXPLANATION, False)])
        # Its value carries the same comment the explanation is read from.
        fai = [v for v in ra.values if v.indicator.code == "fai"][0]
        self.assertEqual(fai.comment, EXPLANATION)
        # Skipped rules are not violations: 李庙镇 has no debt_resolved.
        r3 = self.get_report(self.g.GetReportRequest(region_code=TOWN_A3, period=self.p1),
                             metadata=self.md("admin"), timeout=30)
        self.assertEqual([(v.rule_code, v.explanation) for v in r3.violations],
                         [(FAI_RULE, "")])

    # -- the CLI -------------------------------------------------------------------------

    def cli(self, *args, label="county", fmt=None):
        cmd = [os.path.join(client_dir(), "huizong")] + list(args)
        cmd += ["--addr", self.server.address, "--timeout", "20", "--token", self.token(label)]
        if fmt:
            cmd += ["--format", fmt]
        env = {k: v for k, v in os.environ.items() if not k.startswith("HUIZONG_")}
        # A wide terminal: tables fit the width they are given (cutting
        # names and messages with "…"), and these tests read whole cells.
        env["COLUMNS"] = "400"
        return subprocess.run(cmd, capture_output=True, text=True, timeout=CLI_TIMEOUT, env=env)

    def test_cli_validate_names_townships_and_figures_and_exits_1_on_an_error(self):
        res = self.cli("validate", "--region", COUNTY, "--period", self.p1)
        self.assertEqual(res.returncode, 1, res.stdout + res.stderr)
        self.assertIn("error", res.stderr)
        lines = res.stdout.splitlines()
        self.assertIn("3 township(s) checked", lines[0])
        self.assertIn("1 error(s)", lines[0])
        rows = [l for l in lines if l.startswith(("error", "warning", "skipped"))]
        self.assertEqual([r.split()[0] for r in rows], ["error", "warning", "warning"])
        for want in (TOWN_B, "九集镇", DEBT_RULE, "5000", "4300"):
            self.assertIn(want, rows[0])
        self.assertIn("李庙镇", rows[1])
        self.assertIn("武安镇", rows[2])
        self.assertIn(EXPLANATION, rows[2])
        self.assertNotIn("skipped", res.stdout)

        js = self.cli("validate", "--region", COUNTY, "--period", self.p1, "--skipped",
                      fmt="json")
        self.assertEqual(js.returncode, 1, js.stderr)
        out = json.loads(js.stdout)
        self.assertEqual([(o["severity"], o["region"]) for o in out],
                         [("error", TOWN_B), ("warning", TOWN_A3), ("warning", TOWN_A),
                          ("skipped", TOWN_B), ("skipped", TOWN_A3)])
        self.assertTrue(out[3]["skip_reason"])
        self.assertEqual(out[2]["explanation"], EXPLANATION)

        # Warnings alone: exit 0.
        ok = self.cli("validate", "--region", TOWN_A, "--period", self.p1, fmt="csv")
        self.assertEqual(ok.returncode, 0, ok.stderr)
        csv_rows = ok.stdout.lstrip("\ufeff").splitlines()
        self.assertTrue(csv_rows[0].startswith("severity,region,name,rule"), csv_rows)
        self.assertEqual(len(csv_rows), 2, csv_rows)
        self.assertIn(EXPLANATION, csv_rows[1])
        # Outside the token's scope: the server says no, exit 1.
        denied = self.cli("validate", "--region", COUNTY, "--period", self.p1, label="county2")
        self.assertEqual(denied.returncode, 1)
        self.assertIn("PERMISSION_DENIED", denied.stderr)
        usage = self.cli("validate", "--region", COUNTY)
        self.assertEqual(usage.returncode, 2)

    def test_cli_approve_names_what_blocks(self):
        one = self.cli("approve", "--region", TOWN_B, "--period", self.p1)
        self.assertEqual(one.returncode, 1, one.stdout + one.stderr)
        self.assertIn("FAILED_PRECONDITION", one.stderr)
        self.assertIn("已化解债务 5000 超过锁定债务 4300", one.stderr)
        all_ = self.cli("approve", "--all-submitted", "--region", COUNTY, "--period", self.p2)
        self.assertEqual(all_.returncode, 0, all_.stdout + all_.stderr)
        blocked = [l for l in all_.stdout.splitlines() if l.startswith("blocked:")]
        self.assertEqual(len(blocked), 1, all_.stdout)
        for want in ("%s/debt_resolved/%s" % (TOWN_B, self.p2), DEBT_RULE):
            self.assertIn(want, blocked[0])

    def test_cli_report_shows_violations(self):
        res = self.cli("report", "--region", TOWN_A, "--period", self.p1)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn("violations (审核):", res.stdout)
        tail = res.stdout.split("violations (审核):", 1)[1]
        self.assertIn(FAI_RULE, tail)
        self.assertIn(EXPLANATION, tail)
        js = self.cli("report", "--region", TOWN_B, "--period", self.p1, fmt="json")
        self.assertEqual(js.returncode, 0, js.stderr)
        out = json.loads(js.stdout)
        self.assertEqual([(v["severity"], v["rule"], v["left"], v["right"])
                          for v in out["violations"]],
                         [("error", DEBT_RULE, "5000", "4300")])

    def test_cli_submit_dry_runs_show_the_refusal_and_the_accepted_warning(self):
        with tempfile.TemporaryDirectory(prefix="hz-validate-") as tmp:
            bad, explained = (os.path.join(tmp, n) for n in ("bad.csv", "explained.csv"))
            with open(bad, "w", encoding="utf-8") as f:
                f.write("indicator,value,comment\ndebt_resolved,150,\n")
            with open(explained, "w", encoding="utf-8") as f:
                f.write("indicator,value,comment\nfai,40,%s\n" % EXPLANATION)
            before = self.db.counts()
            res = self.cli("submit", "--region", TOWN_A, "--period", self.p1, "--file", bad,
                           "--dry-run", label="town_a")
            self.assertEqual(res.returncode, 1, res.stdout + res.stderr)
            self.assertIn("FAILED_PRECONDITION", res.stderr)
            self.assertIn("已化解债务 150 超过锁定债务 100", res.stderr)
            res = self.cli("submit", "--region", TOWN_A, "--period", self.p1, "--file",
                           explained, "--dry-run", label="town_a")
            self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
            tail = res.stdout.split("warnings (审核, accepted with their explanations):", 1)
            self.assertEqual(len(tail), 2, res.stdout)
            self.assertIn(FAI_RULE, tail[1])
            self.assertIn(EXPLANATION, tail[1])
            self.assertEqual(self.db.counts(), before, "a dry run stored rows")


if __name__ == "__main__":
    pc.main()
