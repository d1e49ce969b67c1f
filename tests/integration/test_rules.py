"""Validation rules (审核公式, issue 12) against real PostgreSQL through
grpcio: rules imported as data (line-numbered problems, idempotent,
audited), evaluated in the submission's transaction (an ERROR refuses
and is listed with its figures, a WARNING needs an explanation in the
value's comment, dry runs list and write nothing), the year before, the
previous period and the year to date, skipped rules (missing operands,
division by zero), tolerance and every operator (through
hz_rule_violations, the SQL interface), period types, disable/enable,
outlier bands, and the huizong-admin rules commands."""

import os
import subprocess
import tempfile

import grpc

import harness
import pgcluster as pc
from test_cli import client_dir
from pgcluster import MONTH, QUARTER, TOWN_A, TOWN_B, YEAR

SC = grpc.StatusCode
ERROR, WARNING = 1, 2
RULE_ERROR, RULE_WARNING = 10, 11
TIMEOUT = 20


def rule(code, left, op, right, severity=ERROR, types=(QUARTER,), tol=None,
         message="{name}: {left} {right}", name=None):
    r = pc.admin_pb().ValidationRule(code=code, name=name or "规则" + code, left=left, op=op,
                                      right=right, severity=severity, period_types=list(types),
                                      message=message)
    if tol is not None:
        r.tolerance.value = tol
    return r


class RulesTest(pc.PgServerTestCase):

    def setUp(self):
        a = pc.admin_pb()
        ch = self.server.channel()
        base = "/huizong.v1.Admin/"
        self.import_rules = harness.unary(ch, base + "ImportRules", a.ImportRulesRequest,
                                          a.ImportResponse)
        self.list_rules = harness.unary(ch, base + "ListRules", a.ListRulesRequest,
                                        a.ListRulesResponse)
        self.set_active = harness.unary(ch, base + "SetRuleActive", a.SetRuleActiveRequest,
                                        a.ValidationRule)
        self.rs = self.rep()

    # -- helpers --

    def add_rules(self, *rules, dry_run=False):
        """Imports rules (lines 2, 3, ...) and disables them after the test."""
        req = pc.admin_pb().ImportRulesRequest(dry_run=dry_run)
        for n, r in enumerate(rules):
            req.rows.add(line=n + 2, rule=r)
        resp = self.import_rules(req, metadata=self.md("admin"), timeout=TIMEOUT)
        if not dry_run:
            for r in rules:
                self.addCleanup(self.disable, r.code)
        return resp

    def disable(self, code):
        self.set_active(pc.admin_pb().SetRuleActiveRequest(code=code, active=False,
                                                            reason="test over"),
                        metadata=self.md("admin"), timeout=TIMEOUT)

    def submit(self, period, values, region=TOWN_A, dry_run=False):
        req = pc.submit_request(region, period, values, dry_run=dry_run)
        return self.rs.submit(req, metadata=self.md("admin"), timeout=TIMEOUT)

    def refused_rule(self, period, values, region=TOWN_A):
        req = pc.submit_request(region, period, values)
        err, plist = self.refused(self.rs.submit, req, "admin", SC.FAILED_PRECONDITION)
        return [p for p in plist.problems if p.rule_code]

    def violations(self, period, codes, values, comments=None, region=TOWN_A):
        """hz_rule_violations over the given values: (rule_code, left, op,
        right, skipped, skip_reason, message, explanation) rows."""
        def arr(items, typ):
            return "ARRAY[%s]::%s[]" % (", ".join(pc.sql_literal(i) for i in items), typ)
        comments = comments or [""] * len(codes)
        return self.db.query(
            "SELECT rule_code, left_value, op, right_value, skipped, skip_reason, message,"
            " explanation FROM hz_rule_violations(%s, %s, %s, %s, %s)"
            % (pc.sql_literal(region), pc.sql_literal(period), arr(codes, "text"),
               arr(values, "numeric"), arr(comments, "text")))

    # -- an ERROR refuses and lists --

    def test_error_refuses_whole_submission_and_lists_with_figures(self):
        self.add_rules(rule("t1_debt", "debt_resolved", "<=", "debt_locked",
                            message="已化解债务 {left} 超过锁定债务 {right}"))
        p = pc.fresh_quarter()
        probs = self.refused_rule(p, [("fai", "4.9"), ("debt_locked", "4300"),
                                      ("debt_resolved", "5000")])
        self.assertEqual(len(probs), 1)
        pr = probs[0]
        self.assertEqual((pr.kind, pr.rule_code, pr.indicator_code, pr.index),
                         (RULE_ERROR, "t1_debt", "debt_resolved", 2))
        self.assertIn("已化解债务 5000 超过锁定债务 4300", pr.reason)
        self.assertIn("correct the figures", pr.reason)
        # Listed with every other problem: an out-of-bounds value too.
        req = pc.submit_request(TOWN_A, p, [("fai", "-1"), ("debt_locked", "4300"),
                                            ("debt_resolved", "5000")])
        err, plist = self.refused(self.rs.submit, req, "admin", SC.INVALID_ARGUMENT)
        self.assertEqual(sorted(x.kind for x in plist.problems), [5, RULE_ERROR])
        # Holding: accepted, nothing to report.
        resp = self.submit(p, [("debt_locked", "4300"), ("debt_resolved", "4300")])
        self.assertEqual((len(resp.warnings), len(resp.skipped_rules)), (0, 0))
        # Stored values count: a later submission of the one value breaks it.
        self.refused_rule(p, [("debt_resolved", "4300.5")])

    # -- a WARNING needs an explanation --

    def test_warning_refused_without_explanation_accepted_with_it(self):
        self.add_rules(rule("t2_tax", "tax", "<", "1000", severity=WARNING,
                            message="税收收入 {left} 万元偏高"))
        p = pc.fresh_quarter()
        probs = self.refused_rule(p, [("tax", "2000")])
        self.assertEqual([(x.kind, x.rule_code, x.indicator_code, x.field) for x in probs],
                         [(RULE_WARNING, "t2_tax", "tax", "comment")])
        self.assertIn("explain the change in the comment of tax", probs[0].reason)
        self.assertIn("税收收入 2000 万元偏高", probs[0].reason)
        # A dry run with the explanation: the same answer, nothing written.
        before = self.db.counts()
        resp = self.submit(p, [("tax", "2000", "新增一家纳税大户")], dry_run=True)
        self.assertEqual(resp.status, pc.reporting_pb().SUBMISSION_STATUS_VALIDATED)
        self.assertEqual(self.db.counts(), before)
        self.assertEqual(len(resp.warnings), 1)
        resp = self.submit(p, [("tax", "2000", "新增一家纳税大户")])
        w = resp.warnings[0]
        self.assertEqual((w.rule_code, w.severity, w.explanation, w.left_value, w.op,
                          w.right_value, w.indicator_code, w.region_code, w.period),
                         ("t2_tax", WARNING, "新增一家纳税大户", "2000", "<", "1000", "tax",
                          TOWN_A, p))
        self.assertEqual(w.message, "税收收入 2000 万元偏高")
        # The stored comment explains it for later submissions of other values.
        resp = self.submit(p, [("fai", "1")])
        self.assertEqual([x.explanation for x in resp.warnings], ["新增一家纳税大户"])
        # A dry run without the explanation is refused like the real one.
        req = pc.submit_request(TOWN_A, p, [("tax", "3000")], dry_run=True)
        self.refused(self.rs.submit, req, "admin", SC.FAILED_PRECONDITION)

    def test_stream_answers_per_request(self):
        self.add_rules(rule("t3_pigs", "pigs", "<=", "100000", severity=ERROR))
        p1, p2 = pc.fresh_quarter(), pc.fresh_quarter()
        reqs = [pc.submit_request(TOWN_A, p1, [("pigs", "200000")]),
                pc.submit_request(TOWN_A, p2, [("pigs", "5")])]
        resp = self.rs.stream(iter(reqs), metadata=self.md("admin"), timeout=60)
        self.assertEqual(resp.accepted, 1)
        bad = resp.results[0]
        self.assertEqual(bad.code, SC.FAILED_PRECONDITION.value[0])
        self.assertEqual([x.rule_code for x in bad.problems], ["t3_pigs"])

    # -- the year before, the period before, the year to date --

    def test_prev_year_reads_the_stored_year_before(self):
        y0, y1 = pc.fresh_year(), pc.fresh_year()
        while y1 != y0 + 1:
            y0, y1 = y1, pc.fresh_year()
        self.add_rules(rule("t4_py", "fai", ">=", "prev_year(fai) * 0.5",
                            message="投资 {left} 不足上年同期一半 {right}"))
        resp = self.submit("%dQ2" % y0, [("fai", "100")])
        self.assertEqual([(s.rule_code, s.skip_reason) for s in resp.skipped_rules],
                         [("t4_py", "right side: prev_year(fai) has no value for %dQ2"
                           % (y0 - 1))])
        probs = self.refused_rule("%dQ2" % y1, [("fai", "40")])
        self.assertIn("投资 40 不足上年同期一半 50", probs[0].reason)
        self.submit("%dQ2" % y1, [("fai", "50")])

    def test_prev_period_and_ytd(self):
        y = pc.fresh_year()
        self.add_rules(rule("t5_ytd", "ytd(m_a)", "<=", "100", types=(MONTH,)),
                       rule("t5_pp", "m_b", ">=", "prev_period(m_b)", types=(MONTH,)))
        self.submit("%d01" % y, [("m_a", "40"), ("m_b", "10")])
        self.submit("%d02" % y, [("m_a", "50"), ("m_b", "10")])
        probs = self.refused_rule("%d03" % y, [("m_a", "20"), ("m_b", "9")])
        got = {(p.rule_code, p.indicator_code) for p in probs}
        self.assertEqual(got, {("t5_ytd", "m_a"), ("t5_pp", "m_b")})
        rows = {r[0]: r for r in self.violations("%d03" % y, ["m_a", "m_b"], ["20", "9"])}
        self.assertEqual(list(rows["t5_ytd"][1:4]), ["110", "<=", "100"])
        self.assertEqual(list(rows["t5_pp"][1:4]), ["9", ">=", "10"])
        self.submit("%d03" % y, [("m_a", "10"), ("m_b", "10")])

    # -- skipped, never guessed --

    def test_missing_operand_and_division_by_zero_are_skipped(self):
        self.add_rules(rule("t6_miss", "tax", "<=", "balance"),
                       rule("t6_div", "fai / tax", "<=", "10"))
        p = pc.fresh_quarter()
        resp = self.submit(p, [("tax", "0"), ("fai", "5")])
        skipped = {s.rule_code: s for s in resp.skipped_rules}
        self.assertEqual(skipped["t6_miss"].skip_reason,
                         "right side: balance has no value for %s" % p)
        self.assertEqual(skipped["t6_div"].skip_reason, "left side: division by zero")
        self.assertTrue(skipped["t6_div"].skipped)
        self.assertEqual(skipped["t6_div"].left_value, "")
        # With operands the rule decides: 100 / 5 = 20 > 10.
        probs = self.refused_rule(p, [("tax", "5"), ("fai", "100"), ("balance", "10")])
        self.assertEqual([x.rule_code for x in probs], ["t6_div"])

    # -- operators, tolerance, exact arithmetic (the SQL interface) --

    def test_every_operator_and_tolerance(self):
        p = pc.fresh_quarter()
        cases = [("<", "10", "10", True), ("<", "9.99", "10", False),
                 ("<=", "10.000001", "10", True), ("<=", "10", "10", False),
                 ("==", "10.5", "10", True), ("==", "10", "10", False),
                 ("!=", "10", "10", True), ("!=", "11", "10", False),
                 (">=", "9.999", "10", True), (">=", "10", "10", False),
                 (">", "10", "10", True), (">", "10.01", "10", False)]
        rules = [rule("t7_%02d" % i, "fai", op, "tax") for i, (op, _l, _r, _v) in enumerate(cases)]
        self.add_rules(*rules)
        for i, (op, left, right, violated) in enumerate(cases):
            rows = [r for r in self.violations(p, ["fai", "tax"], [left, right])
                    if r[0] == "t7_%02d" % i]
            self.assertEqual(bool(rows), violated, "fai %s %s %s" % (left, op, right))
        # Tolerance: == within ±0.5, <= with +0.5 of slack.
        self.add_rules(rule("t7_tol", "fai", "==", "tax", tol="0.5"),
                       rule("t7_le", "fai", "<=", "tax", tol="0.5"))
        def tol_rows(fai, tax):
            return sorted(r[0] for r in self.violations(p, ["fai", "tax"], [fai, tax])
                          if r[0] in ("t7_tol", "t7_le"))
        self.assertEqual(tol_rows("10.5", "10"), [])
        self.assertEqual(tol_rows("10.6", "10"), ["t7_le", "t7_tol"])
        self.assertEqual(tol_rows("9.4", "10"), ["t7_tol"])
        # Exact: one third times three is not one, (1/3)*3 < 1 holds exactly.
        self.add_rules(rule("t7_exact", "fai / 3 * 3", "==", "fai"))
        rows = [r for r in self.violations(p, ["fai"], ["1"]) if r[0] == "t7_exact"]
        self.assertEqual(len(rows), 1)
        self.assertTrue(rows[0][1].startswith("0.9999999999"), rows)

    def test_period_types_filter(self):
        self.add_rules(rule("t8_month_only", "fai", "<", "0", types=(MONTH,)))
        resp = self.submit(pc.fresh_quarter(), [("fai", "5")])
        self.assertEqual(len(resp.skipped_rules) + len(resp.warnings), 0)
        self.add_rules(rule("t8_every", "gdp", "<", "0", types=()))
        self.refused_rule("%d" % pc.fresh_year(), [("gdp", "5")])

    # -- import: problems with lines, idempotent, audited --

    def test_import_problems_carry_lines(self):
        req = pc.admin_pb().ImportRulesRequest()
        rows = [rule("ok_rule", "fai", "<", "tax"),
                rule("bad_expr", "fai + * tax", "<", "1"),
                rule("bad_ref", "fai", "<", "nosuch"),
                rule("bad_op", "fai", "=<", "1"),
                rule("bad_msg", "fai", "<", "1", message="{fai} and {nosuch2}"),
                rule("ok_rule", "fai", "<", "tax"),
                rule("bad_ratio", "debt_ratio", "<=", "100"),
                rule("bad_const", "1", "<", "2")]
        for n, r in enumerate(rows):
            req.rows.add(line=n + 2, rule=r)
        err, plist = self.refused(self.import_rules, req, "admin", SC.INVALID_ARGUMENT)
        got = [(p.line, p.kind, p.field) for p in plist.problems]
        self.assertEqual(got, [(3, 1, "left"), (4, 3, "right"), (5, 1, "op"), (6, 3, "message"),
                               (7, 4, "code"), (8, 7, "left"), (9, 1, "left")])
        self.assertIn("at position 7", plist.problems[0].reason)
        self.assertIn("already defined on line 2", plist.problems[4].reason)
        self.assertEqual(self.db.count("rules WHERE code = 'ok_rule'"), 0)

    def test_import_idempotent_and_audited(self):
        rules = [rule("t9_a", "fai", "<", "1000"), rule("t9_b", "tax", ">=", "0", tol="1")]
        dry = self.add_rules(*rules, dry_run=True)
        self.assertEqual((dry.created, self.db.count("rules WHERE code LIKE 't9_%'")), (2, 0))
        first = self.add_rules(*rules)
        self.assertEqual((first.created, first.updated, first.unchanged), (2, 0, 0))
        audits = self.db.count("audit_log WHERE action = 'rule.set'")
        second = self.add_rules(*rules)
        self.assertEqual((second.created, second.updated, second.unchanged), (0, 0, 2))
        self.assertEqual(self.db.count("audit_log WHERE action = 'rule.set'"), audits)
        changed = self.add_rules(rule("t9_a", "fai", "<=", "1000"), rules[1])
        self.assertEqual((changed.updated, changed.unchanged), (1, 1))
        detail = self.db.scalar("SELECT detail FROM audit_log WHERE action = 'rule.set'"
                                " ORDER BY id DESC LIMIT 1")
        self.assertEqual(detail, "rule t9_a: op < -> <=")
        listed = self.list_rules(pc.admin_pb().ListRulesRequest(), metadata=self.md("town_a"),
                                 timeout=TIMEOUT)
        b = [r for r in listed.rules if r.code == "t9_b"][0]
        self.assertEqual((b.tolerance.value, b.op, list(b.period_types), b.active,
                          b.severity), ("1", ">=", [QUARTER], True, ERROR))

    def test_disable_enable_audited(self):
        self.add_rules(rule("t10", "pigs", "<", "0"))
        p = pc.fresh_quarter()
        self.refused_rule(p, [("pigs", "5")])
        v = self.set_active(pc.admin_pb().SetRuleActiveRequest(code="t10", active=False,
                                                                reason="口径调整"),
                            metadata=self.md("admin"), timeout=TIMEOUT)
        self.assertFalse(v.active)
        self.assertEqual(self.db.scalar(
            "SELECT detail FROM audit_log WHERE action = 'rule.set' ORDER BY id DESC LIMIT 1"),
            "rule t10 disabled: 口径调整")
        self.submit(p, [("pigs", "5")])
        listed = self.list_rules(pc.admin_pb().ListRulesRequest(), metadata=self.md("admin"),
                                 timeout=TIMEOUT)
        self.assertNotIn("t10", [r.code for r in listed.rules])
        self.set_active(pc.admin_pb().SetRuleActiveRequest(code="t10", active=True),
                        metadata=self.md("admin"), timeout=TIMEOUT)
        self.refused_rule(p, [("pigs", "6")])
        try:
            self.set_active(pc.admin_pb().SetRuleActiveRequest(code="nosuch", active=True),
                            metadata=self.md("admin"), timeout=TIMEOUT)
            self.fail("unknown rule accepted")
        except grpc.RpcError as e:
            self.assert_code(e, SC.NOT_FOUND)
        try:
            self.set_active(pc.admin_pb().SetRuleActiveRequest(code="t10", active=False),
                            metadata=self.md("town_a"), timeout=TIMEOUT)
            self.fail("a township disabled a rule")
        except grpc.RpcError as e:
            self.assert_code(e, SC.PERMISSION_DENIED)

    # -- outlier bands --

    def import_banded(self, rows):
        """rows: (code, unit, yoy_band, pop_band); quarterly SUM indicators."""
        a = pc.admin_pb()
        req = a.ImportIndicatorsRequest()
        for n, (code, unit, yoy, pop) in enumerate(rows):
            ind = pc.indicator_pb(code, "异常" + code, unit, QUARTER, 1, 1, None, None, None)
            if yoy:
                ind.yoy_band.value = yoy
            if pop:
                ind.pop_band.value = pop
            req.rows.add(line=n + 2, indicator=ind)
        call = harness.unary(self.server.channel(), "/huizong.v1.Admin/ImportIndicators",
                             a.ImportIndicatorsRequest, a.ImportResponse)
        return call(req, metadata=self.md("admin"), timeout=TIMEOUT)

    def test_outlier_bands_are_warnings(self):
        resp = self.import_banded([("o_fai", "万元", "50", "100"), ("o_rate", "%", None, "5")])
        self.assertEqual(resp.created, 2)
        self.assertEqual(self.db.scalar("SELECT string_agg(detail, ' | ' ORDER BY id) FROM"
                                        " audit_log WHERE indicator_code = 'o_fai'"
                                        " AND detail LIKE '%band%'"),
                         "yoy_band none -> 50; pop_band none -> 100")
        again = self.import_banded([("o_fai", "万元", "50", "100"), ("o_rate", "%", None, "5")])
        self.assertEqual((again.updated, again.unchanged), (0, 2))
        only = self.import_banded([("o_fai", "万元", "50", "100"), ("o_rate", "%", None, "6")])
        self.assertEqual((only.updated, only.unchanged), (1, 1))
        self.import_banded([("o_fai", "万元", "50", "100"), ("o_rate", "%", None, "5")])
        a = pc.admin_pb()
        listed = harness.unary(self.server.channel(), "/huizong.v1.Admin/ListIndicators",
                               a.ListIndicatorsRequest, a.ListIndicatorsResponse)(
            a.ListIndicatorsRequest(codes=["o_fai", "o_rate"]), metadata=self.md("town_a"),
            timeout=TIMEOUT)
        got = [(i.code, i.yoy_band.value if i.HasField("yoy_band") else None, i.pop_band.value)
               for i in listed.indicators]
        self.assertEqual(got, [("o_fai", "50", "100"), ("o_rate", None, "5")])

        y0, y1 = pc.fresh_year(), pc.fresh_year()
        while y1 != y0 + 1:
            y0, y1 = y1, pc.fresh_year()
        self.submit("%dQ1" % y0, [("o_fai", "100")])
        # +200% on the year before, outside ±50%: explain it.
        probs = self.refused_rule("%dQ1" % y1, [("o_fai", "300")])
        self.assertEqual([(p.kind, p.rule_code, p.indicator_code) for p in probs],
                         [(RULE_WARNING, "outlier.yoy.o_fai", "o_fai")])
        self.assertIn("同比+200%", probs[0].reason)
        self.assertIn("explain the change in the comment of o_fai", probs[0].reason)
        resp = self.submit("%dQ1" % y1, [("o_fai", "300", "新项目开工")])
        w = resp.warnings[0]
        self.assertEqual((w.rule_code, w.left_value, w.op, w.right_value, w.explanation),
                         ("outlier.yoy.o_fai", "200", "<=", "50", "新项目开工"))
        # Within the band: nothing; the previous period's band: +133.33%.
        self.submit("%dQ2" % y0, [("o_fai", "600", "扩建")])
        probs = self.refused_rule("%dQ2" % y1, [("o_fai", "700")])
        self.assertEqual([p.rule_code for p in probs], ["outlier.pop.o_fai"])
        self.assertIn("环比+133.33%", probs[0].reason)
        # Points for a percent indicator: 10% -> 20% is +10 points, outside ±5.
        self.submit("%dQ1" % y1, [("o_rate", "10")])
        probs = self.refused_rule("%dQ2" % y1, [("o_rate", "20"), ("o_fai", "300")])
        self.assertEqual([(p.rule_code, p.indicator_code) for p in probs],
                         [("outlier.pop.o_rate", "o_rate")])
        self.assertIn("环比+10个百分点", probs[0].reason)

    # -- huizong-admin rules --

    def admin_cli(self, *args, csv_text=None):
        path = None
        if csv_text is not None:
            with tempfile.NamedTemporaryFile("w", suffix=".csv", encoding="utf-8",
                                             delete=False) as f:
                f.write(csv_text)
            path = f.name
        try:
            cmd = [os.path.join(client_dir(), "huizong-admin")] + [
                path if a == "FILE" else a for a in args] + [
                "--addr", self.server.address, "--token", self.token("admin"), "--timeout", "20"]
            env = {k: v for k, v in os.environ.items() if not k.startswith("HUIZONG_")}
            return subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=env)
        finally:
            if path:
                os.unlink(path)

    def test_cli_rules_import_list_disable_enable(self):
        head = "code,name,left,op,right,severity,period_types,tolerance,message,description\n"
        good = ("c_debt,已化解债务不超过锁定债务,debt_resolved,<=,debt_locked,错误,quarter,,"
                "已化解债务 {left} 超过锁定债务 {right},\n"
                "c_pigs,生猪存栏核实,pigs,<,100000,警告,quarter;year,0.5,存栏 {left} 头偏高,说明\n")
        bad = ("c_bad1,坏,debt_resolved +,<=,1,错误,quarter,,m,\n"
               "c_bad2,坏,nosuch,<=,1,warning,,,m,\n")
        res = self.admin_cli("rules", "import", "FILE", csv_text=head + good + bad)
        self.assertEqual(res.returncode, 1, res.stdout + res.stderr)
        out = res.stdout + res.stderr
        self.assertIn("line 4", out)
        self.assertIn("position", out)
        self.assertIn("line 5", out)
        self.assertIn("nosuch", out)
        self.assertEqual(self.db.count("rules WHERE code LIKE 'c\\_%'"), 0)
        res = self.admin_cli("rules", "import", "FILE", "--dry-run", csv_text=head + good)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(self.db.count("rules WHERE code LIKE 'c\\_%'"), 0)
        res = self.admin_cli("rules", "import", "FILE", csv_text=head + good)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.addCleanup(self.disable, "c_debt")
        self.addCleanup(self.disable, "c_pigs")
        self.assertEqual(self.db.query("SELECT severity, period_types::text, tolerance::text"
                                       " FROM rules WHERE code = 'c_pigs'"),
                         [("2", "{1,3}", "0.5")])
        res = self.admin_cli("rules", "list", "--format", "csv")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn("c_debt", res.stdout)
        self.assertIn("debt_resolved <= debt_locked", res.stdout)
        res = self.admin_cli("rules", "disable", "c_debt")
        self.assertEqual(res.returncode, 2, "disable without --reason is a usage error")
        res = self.admin_cli("rules", "disable", "c_debt", "--reason", "口径调整")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertFalse(self.db.scalar("SELECT active FROM rules WHERE code = 'c_debt'") == "t")
        res = self.admin_cli("rules", "enable", "c_debt")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(self.db.scalar("SELECT active FROM rules WHERE code = 'c_debt'"), "t")
        res = self.admin_cli("rules", "enable", "c_nosuch")
        self.assertEqual(res.returncode, 1)
        # Bands through indicators import.
        ihead = "code,name,unit,frequency,time_aggregation,region_aggregation,yoy_band,pop_band\n"
        res = self.admin_cli("indicators", "import", "FILE",
                             csv_text=ihead + "c_band,带宽,万元,quarter,sum,sum,30,\n")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(self.db.query("SELECT yoy_band::text, pop_band IS NULL FROM indicators"
                                       " WHERE code = 'c_band'"), [("30", "t")])


if __name__ == "__main__":
    pc.main()
