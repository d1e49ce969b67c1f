"""huizong.v1.Reporting against real PostgreSQL, driven by grpcio: what an
accepted Submit stores (exact NUMERIC values, one audit row per change,
the narrative, the counts), every refusal with its status and its
ProblemList trailer (and that nothing at all is stored after one),
dry_run, idempotency on submission_id both ways and under concurrency,
SubmitStream, GetSubmission and ListSubmissions.

Each test uses periods of its own year (pgcluster.fresh_*), so row counts
per period belong to that test alone; table-wide counts are compared
before/after a refusal."""

import decimal
import threading

import grpc

import harness
import pgcluster as pc
from pgcluster import TOWN_A, TOWN_B, TOWN_C, COUNTY, CITY, PROVINCE

SC = grpc.StatusCode


def kinds():
    return pc.common_pb().ProblemKind


def status():
    return pc.reporting_pb().SubmissionStatus


def D(s):
    return decimal.Decimal(s)


class SubmitTestBase(pc.PgServerTestCase):

    def setUp(self):
        self.r = self.rep()

    def submit(self, req, label="town_a", timeout=15):
        return self.r.submit(req, metadata=self.md(label), timeout=timeout)

    def stored(self, region, period):
        """{indicator: (value text, comment, submission id)} for a region/period."""
        rows = self.db.query(
            "SELECT indicator_code, value::text, comment, submission_id::text FROM data_values"
            " WHERE region_code = %s AND period = %s" % (pc.sql_literal(region),
                                                        pc.sql_literal(period)))
        return {r[0]: (r[1], r[2], r[3]) for r in rows}

    def audit_rows(self, submission_id):
        return self.db.query(
            "SELECT indicator_code, old_value::text, new_value::text, actor, region_code, period,"
            " token_id IS NOT NULL FROM audit_log WHERE action = 'value.set'"
            " AND submission_id = %s ORDER BY indicator_code" % pc.sql_literal(submission_id))

    def submissions_for(self, region, period):
        return self.db.count("submissions WHERE region_code = %s AND period = %s"
                             % (pc.sql_literal(region), pc.sql_literal(period)))


# ----------------------------------------------------------------------------

class AcceptedTest(SubmitTestBase):

    def test_values_stored_exactly_with_audit_rows_and_narrative(self):
        period = pc.fresh_quarter()
        narrative = "一季度，全镇完成固定资产投资4.9个亿，同比增长28%。\n税收848万元。"
        req = pc.submit_request(TOWN_A, period, [("fai", "4.90", "含省重点项目"),
                                                 ("tax", "848"),
                                                 ("pigs", "160000"),
                                                 ("balance", "-12.50")],
                                narrative=narrative)
        resp = self.submit(req)
        self.assertEqual(resp.status, status().SUBMISSION_STATUS_ACCEPTED)
        self.assertEqual((resp.imported, resp.updated, resp.unchanged), (4, 0, 0))
        self.assertTrue(resp.narrative_updated)
        self.assertFalse(resp.replayed)
        self.assertFalse(resp.dry_run)
        self.assertEqual(resp.code, 0)
        self.assertEqual(len(resp.problems), 0)
        self.assertEqual((resp.submission_id, resp.region_code, resp.period),
                         (req.submission_id, TOWN_A, period))
        self.assertTrue(resp.received_at.endswith("Z"), resp.received_at)
        self.assertTrue(resp.committed_at.endswith("Z"), resp.committed_at)

        sid = req.submission_id
        self.assertEqual(self.stored(TOWN_A, period), {
            "fai": ("4.9", "含省重点项目", sid),
            "tax": ("848", "", sid),
            "pigs": ("160000", "", sid),
            "balance": ("-12.5", "", sid),
        })
        actor = self.fixture.token_names["town_a"]
        self.assertEqual(self.audit_rows(sid), [
            ("balance", None, "-12.5", actor, TOWN_A, period, "t"),
            ("fai", None, "4.9", actor, TOWN_A, period, "t"),
            ("pigs", None, "160000", actor, TOWN_A, period, "t"),
            ("tax", None, "848", actor, TOWN_A, period, "t"),
        ])
        self.assertEqual(self.db.scalar(
            "SELECT narrative FROM reports WHERE region_code = %s AND period = %s"
            % (pc.sql_literal(TOWN_A), pc.sql_literal(period))), narrative)
        row = self.db.query(
            "SELECT imported, updated, unchanged, submitted_by, region_code, period, value_count"
            " FROM submissions WHERE id = %s" % pc.sql_literal(sid))
        self.assertEqual(row, [("4", "0", "0", actor, TOWN_A, period, "4")])

    def test_decimal_forms_normalised_and_limits_accepted(self):
        # (as sent, what PostgreSQL must hold) — "balance" has no bounds.
        cases = [
            ("4.90", "4.9"), ("-12.50", "-12.5"), ("007", "7"), ("0", "0"), ("-0.00", "0"),
            ("0.000001", "0.000001"), ("123456.100000", "123456.1"),
            ("99999999999999999999", "99999999999999999999"),
            ("-99999999999999999999.999999", "-99999999999999999999.999999"),
            ("00000000000000000001.5", "1.5"),
        ]
        for sent, want in cases:
            with self.subTest(sent=sent):
                period = pc.fresh_quarter()
                self.submit(pc.submit_request(TOWN_A, period, [("balance", sent)]))
                got = self.stored(TOWN_A, period)["balance"][0]
                self.assertEqual(got, want)

    def test_same_values_with_new_id_all_unchanged_and_no_audit(self):
        period = pc.fresh_quarter()
        values = [("fai", "4.9"), ("tax", "848"), ("pigs", "160000")]
        first = self.submit(pc.submit_request(TOWN_A, period, values))
        self.assertEqual(first.imported, 3)
        before = self.db.counts()
        # Same values in another spelling: still unchanged.
        again = pc.submit_request(TOWN_A, period, [("fai", "4.900"), ("tax", "0848"),
                                                   ("pigs", "160000")])
        resp = self.submit(again)
        self.assertEqual((resp.imported, resp.updated, resp.unchanged), (0, 0, 3))
        self.assertFalse(resp.replayed)
        after = self.db.counts()
        self.assertEqual(after["audit_log"], before["audit_log"],
                         "unchanged values wrote audit rows")
        self.assertEqual(after["data_values"], before["data_values"])
        self.assertEqual(after["submissions"], before["submissions"] + 1)
        self.assertEqual(self.audit_rows(again.submission_id), [])
        # The stored rows still name the submission that last changed them.
        self.assertEqual({v[2] for v in self.stored(TOWN_A, period).values()},
                         {first.submission_id})

    def test_one_changed_value_is_one_update_and_one_audit_row(self):
        period = pc.fresh_quarter()
        self.submit(pc.submit_request(TOWN_A, period, [("fai", "4.9"), ("tax", "848")]))
        before = self.db.counts()
        req = pc.submit_request(TOWN_A, period, [("fai", "5.25"), ("tax", "848")])
        resp = self.submit(req)
        self.assertEqual((resp.imported, resp.updated, resp.unchanged), (0, 1, 1))
        self.assertEqual(self.audit_rows(req.submission_id), [
            ("fai", "4.9", "5.25", self.fixture.token_names["town_a"], TOWN_A, period, "t")])
        after = self.db.counts()
        self.assertEqual(after["audit_log"], before["audit_log"] + 1)
        self.assertEqual(after["data_values"], before["data_values"])
        stored = self.stored(TOWN_A, period)
        self.assertEqual(stored["fai"][0], "5.25")
        self.assertEqual(stored["fai"][2], req.submission_id)
        self.assertEqual(stored["tax"][0], "848")

    def test_comment_only_change_is_an_update_audited_with_both_comments(self):
        period = pc.fresh_quarter()
        first = pc.submit_request(TOWN_A, period, [("fai", "4.9", "初步统计"), ("tax", "848")])
        self.submit(first)
        # Dry run first: it predicts what the submission will count.
        fix = [("fai", "4.90", "快报数"), ("tax", "848")]
        dry = self.submit(pc.submit_request(TOWN_A, period, fix, dry_run=True))
        self.assertEqual((dry.imported, dry.updated, dry.unchanged), (0, 1, 1))
        before = self.db.counts()
        req = pc.submit_request(TOWN_A, period, fix)
        resp = self.submit(req)
        self.assertEqual((resp.imported, resp.updated, resp.unchanged), (0, 1, 1))
        self.assertEqual(self.db.counts()["audit_log"], before["audit_log"] + 1)
        sid = req.submission_id
        self.assertEqual(self.db.query(
            "SELECT indicator_code, old_value::text, new_value::text, old_comment, new_comment"
            " FROM audit_log WHERE action = 'value.set' AND submission_id = %s"
            % pc.sql_literal(sid)), [("fai", "4.9", "4.9", "初步统计", "快报数")])
        self.assertEqual(self.stored(TOWN_A, period)["fai"], ("4.9", "快报数", sid))
        self.assertEqual(self.stored(TOWN_A, period)["tax"][2], first.submission_id)
        self.assertEqual(self.db.query(
            "SELECT imported, updated, unchanged FROM submissions WHERE id = %s"
            % pc.sql_literal(sid)), [("0", "1", "1")])
        # GetAudit shows both comments of the change.
        a = pc.admin_pb()
        get_audit = harness.unary(self.server.channel(), "/huizong.v1.Admin/GetAudit",
                                  a.GetAuditRequest, a.GetAuditResponse)
        entries = get_audit(a.GetAuditRequest(submission_id=sid), metadata=self.md("admin"),
                            timeout=15).entries
        self.assertEqual([(e.indicator_code, e.old_value.value, e.new_value.value,
                           e.old_comment, e.new_comment) for e in entries],
                         [("fai", "4.9", "4.9", "初步统计", "快报数")])
        first_entries = get_audit(a.GetAuditRequest(submission_id=first.submission_id,
                                                    indicator_code="fai"),
                                  metadata=self.md("admin"), timeout=15).entries
        self.assertEqual([(e.HasField("old_value"), e.old_comment, e.new_comment)
                          for e in first_entries], [(False, "", "初步统计")])
        # Clearing the comment is a change too; the same comment again is not.
        resp = self.submit(pc.submit_request(TOWN_A, period, [("fai", "4.9")]))
        self.assertEqual((resp.imported, resp.updated, resp.unchanged), (0, 1, 0))
        self.assertEqual(self.stored(TOWN_A, period)["fai"][1], "")
        before = self.db.counts()
        resp = self.submit(pc.submit_request(TOWN_A, period, [("fai", "4.9")]))
        self.assertEqual((resp.imported, resp.updated, resp.unchanged), (0, 0, 1))
        self.assertEqual(self.db.counts()["audit_log"], before["audit_log"])

    def test_values_not_listed_keep_their_stored_values(self):
        period = pc.fresh_quarter()
        self.submit(pc.submit_request(TOWN_A, period, [("fai", "4.9"), ("tax", "848")]))
        resp = self.submit(pc.submit_request(TOWN_A, period, [("tax", "900"), ("pigs", "7")]))
        self.assertEqual((resp.imported, resp.updated, resp.unchanged), (1, 1, 0))
        self.assertEqual({k: v[0] for k, v in self.stored(TOWN_A, period).items()},
                         {"fai": "4.9", "tax": "900", "pigs": "7"})

    def test_narrative_only_and_empty_narrative_keeps_stored(self):
        period = pc.fresh_quarter()
        resp = self.submit(pc.submit_request(TOWN_A, period, [], narrative="只有文字"))
        self.assertEqual(resp.status, status().SUBMISSION_STATUS_ACCEPTED)
        self.assertTrue(resp.narrative_updated)
        self.assertEqual((resp.imported, resp.updated, resp.unchanged), (0, 0, 0))
        resp = self.submit(pc.submit_request(TOWN_A, period, [("fai", "1")]))
        self.assertFalse(resp.narrative_updated)
        self.assertEqual(self.db.scalar(
            "SELECT narrative FROM reports WHERE region_code = %s AND period = %s"
            % (pc.sql_literal(TOWN_A), pc.sql_literal(period))), "只有文字")
        resp = self.submit(pc.submit_request(TOWN_A, period, [], narrative="只有文字"))
        self.assertFalse(resp.narrative_updated, "same narrative reported as changed")

    def test_values_at_the_bounds_are_accepted(self):
        period = pc.fresh_quarter()
        resp = self.submit(pc.submit_request(TOWN_A, period, [
            ("fai", "0"), ("growth", "-100"), ("pigs", "100000000")]))
        self.assertEqual(resp.imported, 3)
        period = pc.fresh_quarter()
        resp = self.submit(pc.submit_request(TOWN_A, period, [("growth", "1000.000000")]))
        self.assertEqual(self.stored(TOWN_A, period)["growth"][0], "1000")

    def test_admin_submits_for_any_township_as_itself(self):
        period = pc.fresh_quarter()
        req = pc.submit_request(TOWN_C, period, [("fai", "3")])
        self.submit(req, label="admin")
        self.assertEqual(self.audit_rows(req.submission_id)[0][3], "test-admin")

    def test_each_period_type_at_its_indicator(self):
        y = pc.fresh_year()
        for period, code in (("%d" % y, "gdp"), ("%dQ4" % y, "fai"), ("%d12" % y, "vacc"),
                             ("%d07" % y, "m_a")):
            with self.subTest(period=period):
                self.submit(pc.submit_request(TOWN_B, period, [(code, "1")]), label="town_b")
                self.assertEqual(self.stored(TOWN_B, period)[code][0], "1")


# ----------------------------------------------------------------------------

class RefusalTest(SubmitTestBase):

    def refuse(self, req, code, label="town_a"):
        return self.refused(self.r.submit, req, label, code)

    def test_malformed_decimals(self):
        K = kinds()
        for bad in ("4,9", "1e3", "1E3", "NaN", "nan", "Infinity", "-Infinity", "1" * 21,
                    "-" + "1" * 21, "0.1234567", "", " 4.9", "4.9 ", "+4.9", "1,000", "--1",
                    "0x10", "4.", ".5", "4..9", "4.9.1", "１２", "4\u00a0000", "12万"):
            with self.subTest(value=bad):
                period = pc.fresh_quarter()
                req = pc.submit_request(TOWN_A, period, [("tax", "1"), ("balance", bad)])
                err, plist = self.refuse(req, SC.INVALID_ARGUMENT)
                self.assert_problems(plist, [(1, K.PROBLEM_KIND_MALFORMED, "value", "balance")])
                self.assertEqual(self.stored(TOWN_A, period), {})

    def test_unknown_indicator_not_found(self):
        K = kinds()
        period = pc.fresh_quarter()
        err, plist = self.refuse(pc.submit_request(TOWN_A, period, [("fai", "1"), ("nope", "2")]),
                                 SC.NOT_FOUND)
        self.assert_problems(plist, [(1, K.PROBLEM_KIND_UNKNOWN_REFERENCE, None, "nope")])
        self.assertIn("nope", err.details())

    def test_wrong_period_type_failed_precondition(self):
        K = kinds()
        y = pc.fresh_year()
        for period, code in (("%dQ1" % y, "vacc"), ("%d01" % y, "fai"), ("%dQ2" % y, "gdp"),
                             ("%dS1" % y, "fai"), ("%d" % y, "fai")):
            with self.subTest(period=period, indicator=code):
                err, plist = self.refuse(pc.submit_request(TOWN_A, period, [(code, "1")]),
                                         SC.FAILED_PRECONDITION)
                self.assert_problems(plist, [(0, K.PROBLEM_KIND_WRONG_PERIOD_TYPE, None, code)])

    def test_outside_bounds(self):
        K = kinds()
        for code, value in (("fai", "-1"), ("fai", "-0.000001"), ("growth", "1000.000001"),
                            ("growth", "-100.5"), ("pigs", "100000001")):
            with self.subTest(indicator=code, value=value):
                period = pc.fresh_quarter()
                err, plist = self.refuse(
                    pc.submit_request(TOWN_A, period, [("tax", "5"), (code, value)]),
                    SC.INVALID_ARGUMENT)
                self.assert_problems(plist, [(1, K.PROBLEM_KIND_OUT_OF_BOUNDS, "value", code)])

    def test_indicator_twice_in_one_request(self):
        K = kinds()
        period = pc.fresh_quarter()
        err, plist = self.refuse(pc.submit_request(
            TOWN_A, period, [("fai", "1"), ("tax", "2"), ("fai", "1")]), SC.INVALID_ARGUMENT)
        self.assert_problems(plist, [(2, K.PROBLEM_KIND_DUPLICATE, None, "fai")])

    def test_region_that_is_not_a_reporting_leaf(self):
        K = kinds()
        for region in (COUNTY, CITY, PROVINCE):
            with self.subTest(region=region):
                err, plist = self.refuse(
                    pc.submit_request(region, pc.fresh_quarter(), [("fai", "1")]),
                    SC.FAILED_PRECONDITION, label="admin")
                self.assert_problems(plist, [(-1, K.PROBLEM_KIND_NOT_REPORTING, "region_code", None)])
                self.assertIn(region, err.details())

    def test_unknown_region_not_found(self):
        K = kinds()
        err, plist = self.refuse(pc.submit_request("420624999", pc.fresh_quarter(), [("fai", "1")]),
                                 SC.NOT_FOUND, label="admin")
        self.assert_problems(plist, [(-1, K.PROBLEM_KIND_UNKNOWN_REFERENCE, "region_code", None)])
        self.assertIn("420624999", err.details())

    def test_malformed_region_code(self):
        K = kinds()
        for region in ("4206a4101", "", "x", "4" * 40):
            with self.subTest(region=region):
                err, plist = self.refuse(pc.submit_request(region, pc.fresh_quarter(),
                                                           [("fai", "1")]),
                                         SC.INVALID_ARGUMENT, label="admin")
                self.assert_problems(plist, [(-1, K.PROBLEM_KIND_MALFORMED, "region_code", None)])

    def test_malformed_period_names_the_accepted_forms(self):
        K = kinds()
        for period in ("2022Q5", "2022Q0", "2022S3", "202213", "202200", "2022-01", "22Q1",
                       "2022M1", "2022q1", "", "2022W01", "Q1 2022", "2022Q1 "):
            with self.subTest(period=period):
                err, plist = self.refuse(pc.submit_request(TOWN_A, period, [("fai", "1")]),
                                         SC.INVALID_ARGUMENT)
                self.assert_problems(plist, [(-1, K.PROBLEM_KIND_MALFORMED, "period", None)])
                reason = plist.problems[0].reason
                for form in ("2022", "2022S1", "2022Q1", "202201"):
                    self.assertIn(form, reason)
                self.assertIn("2022Q1", err.details())

    def test_malformed_submission_id(self):
        K = kinds()
        good = pc.new_id()
        for sid in ("not-a-uuid", "", good.replace("-", ""), "{%s}" % good, good + "0",
                    good[:-1], good[:-1] + "g", "urn:uuid:" + good):
            with self.subTest(submission_id=sid):
                req = pc.submit_request(TOWN_A, pc.fresh_quarter(), [("fai", "1")],
                                        submission_id=sid)
                req.submission_id = sid
                err, plist = self.refuse(req, SC.INVALID_ARGUMENT)
                self.assert_problems(plist, [(-1, K.PROBLEM_KIND_MALFORMED, "submission_id", None)])

    def test_empty_submission(self):
        K = kinds()
        err, plist = self.refuse(pc.submit_request(TOWN_A, pc.fresh_quarter(), []),
                                 SC.INVALID_ARGUMENT)
        self.assert_problems(plist, [(-1, K.PROBLEM_KIND_MISSING_FIELD, None, None)])

    def test_ratio_indicator_is_computed_not_submitted(self):
        K = kinds()
        err, plist = self.refuse(pc.submit_request(TOWN_A, pc.fresh_quarter(),
                                                   [("debt_ratio", "50")]),
                                 SC.FAILED_PRECONDITION)
        self.assert_problems(plist, [(0, K.PROBLEM_KIND_NOT_REPORTING, None, "debt_ratio")])

    def test_several_problems_every_one_listed_in_order(self):
        K = kinds()
        period = pc.fresh_quarter()
        req = pc.submit_request(TOWN_A, period, [
            ("fai", "4.9"),          # 0 fine
            ("tax", "4,9"),          # 1 malformed
            ("nope", "1"),           # 2 unknown
            ("vacc", "3"),           # 3 monthly indicator in a quarter
            ("pigs", "-5"),          # 4 below its minimum
            ("fai", "4.9"),          # 5 twice
            ("balance", "1e3"),      # 6 malformed
            ("growth", "2000"),      # 7 above its maximum
        ])
        err, plist = self.refuse(req, SC.INVALID_ARGUMENT)
        self.assert_problems(plist, [
            (1, K.PROBLEM_KIND_MALFORMED, "value", "tax"),
            (2, K.PROBLEM_KIND_UNKNOWN_REFERENCE, None, "nope"),
            (3, K.PROBLEM_KIND_WRONG_PERIOD_TYPE, None, "vacc"),
            (4, K.PROBLEM_KIND_OUT_OF_BOUNDS, "value", "pigs"),
            (5, K.PROBLEM_KIND_DUPLICATE, None, "fai"),
            (6, K.PROBLEM_KIND_MALFORMED, "value", "balance"),
            (7, K.PROBLEM_KIND_OUT_OF_BOUNDS, "value", "growth"),
        ])
        self.assertTrue(err.details().startswith("7 problems"), err.details())
        for p in plist.problems:
            self.assertIn(p.indicator_code, p.reason)
        self.assertEqual(self.stored(TOWN_A, period), {}, "the valid value was stored")
        self.assertEqual(self.submissions_for(TOWN_A, period), 0)

    def test_status_follows_problem_kinds(self):
        # NOT_FOUND beats FAILED_PRECONDITION; INVALID_ARGUMENT beats both.
        K = kinds()
        period = pc.fresh_quarter()
        err, plist = self.refuse(pc.submit_request(TOWN_A, period, [("vacc", "1"), ("nope", "1")]),
                                 SC.NOT_FOUND)
        self.assert_problems(plist, [(0, K.PROBLEM_KIND_WRONG_PERIOD_TYPE, None, "vacc"),
                                     (1, K.PROBLEM_KIND_UNKNOWN_REFERENCE, None, "nope")])

    def test_request_and_value_problems_listed_together(self):
        # A malformed period does not hide a malformed value: both are
        # knowable without the database, and the brief asks for every
        # problem in one answer.
        K = kinds()
        req = pc.submit_request(TOWN_A, "2022Q9", [("fai", "4,9")])
        err, plist = self.refuse(req, SC.INVALID_ARGUMENT)
        self.assert_problems(plist, [(-1, K.PROBLEM_KIND_MALFORMED, "period", None),
                                     (0, K.PROBLEM_KIND_MALFORMED, "value", "fai")])

    def test_approved_period_failed_precondition(self):
        # Approval is stored state; set it directly (Approve belongs to Admin).
        period = pc.fresh_quarter()
        self.submit(pc.submit_request(TOWN_A, period, [("fai", "1")]))
        self.db.execute("UPDATE reports SET approved_by = '县统计局', approved_at = now()"
                        " WHERE region_code = %s AND period = %s"
                        % (pc.sql_literal(TOWN_A), pc.sql_literal(period)))
        err, _ = self.refuse(pc.submit_request(TOWN_A, period, [("fai", "2")]),
                             SC.FAILED_PRECONDITION)
        self.assertIn("县统计局", err.details())
        self.assertEqual(self.stored(TOWN_A, period)["fai"][0], "1")

    def test_thousands_of_problems_bounded_but_counted(self):
        period = pc.fresh_quarter()
        req = pc.submit_request(TOWN_A, period, [("x%04d" % i, "1,0") for i in range(3000)])
        err, plist = self.refuse(req, SC.INVALID_ARGUMENT)
        self.assertIsNotNone(plist)
        self.assertGreaterEqual(plist.total, 3000)
        self.assertGreater(len(plist.problems), 0)
        self.assertLessEqual(len(plist.problems), plist.total)
        self.assertLess(len(err.details()), 4096)
        indexes = [p.index for p in plist.problems]
        self.assertEqual(indexes, sorted(indexes))

    def test_refused_id_is_not_reserved(self):
        sid = pc.new_id()
        period = pc.fresh_quarter()
        self.refuse(pc.submit_request(TOWN_A, period, [("fai", "-1")], submission_id=sid),
                    SC.INVALID_ARGUMENT)
        resp = self.submit(pc.submit_request(TOWN_A, period, [("fai", "1")], submission_id=sid))
        self.assertEqual(resp.status, status().SUBMISSION_STATUS_ACCEPTED)
        self.assertFalse(resp.replayed)


# ----------------------------------------------------------------------------

class DryRunTest(SubmitTestBase):

    def test_valid_dry_run_counts_stores_nothing_and_does_not_reserve_the_id(self):
        period = pc.fresh_quarter()
        sid = pc.new_id()
        values = [("fai", "4.9"), ("tax", "848")]
        before = self.db.counts()
        resp = self.submit(pc.submit_request(TOWN_A, period, values, submission_id=sid,
                                             narrative="试算", dry_run=True))
        self.assertEqual(resp.status, status().SUBMISSION_STATUS_VALIDATED)
        self.assertTrue(resp.dry_run)
        self.assertEqual((resp.imported, resp.updated, resp.unchanged), (2, 0, 0))
        self.assertTrue(resp.narrative_updated)
        self.assertFalse(resp.replayed)
        self.assertEqual(resp.committed_at, "")
        self.assertEqual(self.db.counts(), before, "a dry run stored rows")
        # The id is free: the real submission with it is a first, not a replay.
        real = self.submit(pc.submit_request(TOWN_A, period, values, submission_id=sid,
                                             narrative="试算"))
        self.assertEqual(real.status, status().SUBMISSION_STATUS_ACCEPTED)
        self.assertFalse(real.replayed)
        self.assertEqual((real.imported, real.updated, real.unchanged), (2, 0, 0))
        self.assertEqual(self.submissions_for(TOWN_A, period), 1)

    def test_dry_run_predicts_updates(self):
        period = pc.fresh_quarter()
        self.submit(pc.submit_request(TOWN_A, period, [("fai", "4.9"), ("tax", "848")]))
        before = self.db.counts()
        resp = self.submit(pc.submit_request(TOWN_A, period, [("fai", "5"), ("tax", "848"),
                                                              ("pigs", "1")], dry_run=True))
        self.assertEqual((resp.imported, resp.updated, resp.unchanged), (1, 1, 1))
        self.assertEqual(self.db.counts(), before)
        self.assertEqual(self.stored(TOWN_A, period)["fai"][0], "4.9")

    def test_dry_run_refusals_have_the_same_statuses(self):
        K = kinds()
        for values, code, kind in (
                ([("fai", "4,9")], SC.INVALID_ARGUMENT, K.PROBLEM_KIND_MALFORMED),
                ([("nope", "1")], SC.NOT_FOUND, K.PROBLEM_KIND_UNKNOWN_REFERENCE),
                ([("vacc", "1")], SC.FAILED_PRECONDITION, K.PROBLEM_KIND_WRONG_PERIOD_TYPE),
                ([("fai", "-1")], SC.INVALID_ARGUMENT, K.PROBLEM_KIND_OUT_OF_BOUNDS),
                ([("fai", "1"), ("fai", "1")], SC.INVALID_ARGUMENT, K.PROBLEM_KIND_DUPLICATE)):
            with self.subTest(values=values):
                req = pc.submit_request(TOWN_A, pc.fresh_quarter(), values, dry_run=True)
                err, plist = self.refused(self.r.submit, req, "town_a", code)
                self.assertEqual([p.kind for p in plist.problems], [kind])
        err, _ = self.refused(self.r.submit, pc.submit_request(COUNTY, pc.fresh_quarter(),
                                                               [("fai", "1")], dry_run=True),
                              "admin", SC.FAILED_PRECONDITION)
        err, _ = self.refused(self.r.submit, pc.submit_request(TOWN_A, "2022Q7", [("fai", "1")],
                                                               dry_run=True),
                              "town_a", SC.INVALID_ARGUMENT)

    def test_dry_run_does_not_touch_a_used_id(self):
        # Same id, same content as a stored submission, as a dry run: the
        # stored one stays the only one, with its original answer.
        period = pc.fresh_quarter()
        req = pc.submit_request(TOWN_A, period, [("fai", "1")])
        first = self.submit(req)
        before = self.db.counts()
        req.dry_run = True
        resp = self.submit(req)
        self.assertIn(resp.status, (status().SUBMISSION_STATUS_ACCEPTED,
                                    status().SUBMISSION_STATUS_VALIDATED))
        self.assertEqual(self.db.counts(), before)
        self.assertEqual(first.imported, 1)


# ----------------------------------------------------------------------------

class IdempotencyTest(SubmitTestBase):

    def test_same_id_same_content_replays_the_original_answer(self):
        period = pc.fresh_quarter()
        req = pc.submit_request(TOWN_A, period, [("fai", "4.9"), ("tax", "848")],
                                narrative="原文")
        first = self.submit(req)
        self.assertFalse(first.replayed)
        before = self.db.counts()
        for _ in range(3):
            again = self.submit(req)
            self.assertTrue(again.replayed)
            self.assertEqual(again.status, status().SUBMISSION_STATUS_ACCEPTED)
            for field in ("submission_id", "imported", "updated", "unchanged",
                          "narrative_updated", "received_at", "committed_at"):
                self.assertEqual(getattr(again, field), getattr(first, field), field)
        self.assertEqual(self.db.counts(), before, "a replay wrote rows")

    def test_replay_after_later_changes_still_answers_the_original(self):
        period = pc.fresh_quarter()
        req = pc.submit_request(TOWN_A, period, [("fai", "4.9")])
        first = self.submit(req)
        self.submit(pc.submit_request(TOWN_A, period, [("fai", "6")]))
        before = self.db.counts()
        again = self.submit(req)
        self.assertTrue(again.replayed)
        self.assertEqual((again.imported, again.updated, again.unchanged), (1, 0, 0))
        self.assertEqual(again.committed_at, first.committed_at)
        self.assertEqual(self.db.counts(), before)
        self.assertEqual(self.stored(TOWN_A, period)["fai"][0], "6", "a replay re-applied old values")

    def test_same_id_other_content_already_exists(self):
        period = pc.fresh_quarter()
        sid = pc.new_id()
        self.submit(pc.submit_request(TOWN_A, period, [("fai", "4.9"), ("tax", "848")],
                                      submission_id=sid, narrative="n"))
        variants = {
            "other value": pc.submit_request(TOWN_A, period, [("fai", "5"), ("tax", "848")],
                                             submission_id=sid, narrative="n"),
            "fewer values": pc.submit_request(TOWN_A, period, [("fai", "4.9")],
                                              submission_id=sid, narrative="n"),
            "other period": pc.submit_request(TOWN_A, pc.fresh_quarter(),
                                              [("fai", "4.9"), ("tax", "848")],
                                              submission_id=sid, narrative="n"),
            "other narrative": pc.submit_request(TOWN_A, period, [("fai", "4.9"), ("tax", "848")],
                                                 submission_id=sid, narrative="m"),
            "other comment": pc.submit_request(TOWN_A, period, [("fai", "4.9", "估计"),
                                                                ("tax", "848")],
                                               submission_id=sid, narrative="n"),
        }
        for name, req in variants.items():
            with self.subTest(variant=name):
                err, _ = self.refused(self.r.submit, req, "town_a", SC.ALREADY_EXISTS)
                self.assertIn(sid, err.details())
        # Another township (admin may submit anywhere) reusing the id.
        req = pc.submit_request(TOWN_B, period, [("fai", "4.9"), ("tax", "848")],
                                submission_id=sid, narrative="n")
        self.refused(self.r.submit, req, "admin", SC.ALREADY_EXISTS)
        self.assertEqual(self.stored(TOWN_A, period)["fai"][0], "4.9")

    def _concurrently(self, requests, label="town_a"):
        """Sends each request from its own thread and channel at once;
        returns the responses or errors in order."""
        results = [None] * len(requests)
        barrier = threading.Barrier(len(requests))
        channels = [self.server.channel() for _ in requests]

        def worker(i):
            stub = pc.Reporting(channels[i])
            try:
                barrier.wait(10)
                results[i] = stub.submit(requests[i], metadata=self.md(label), timeout=30)
            except grpc.RpcError as e:
                results[i] = e
            except threading.BrokenBarrierError as e:
                results[i] = e

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(requests))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        self.assertFalse(any(t.is_alive() for t in threads), "a submit hung")
        return results

    def test_concurrent_identical_submits_store_exactly_once(self):
        period = pc.fresh_quarter()
        req = pc.submit_request(TOWN_A, period, [("fai", "4.9"), ("tax", "848"), ("pigs", "1")])
        before = self.db.counts()
        results = self._concurrently([req] * 10)
        for r in results:
            self.assertNotIsInstance(r, Exception, "a concurrent identical submit failed: %r" % (r,))
        originals = [r for r in results if not r.replayed]
        self.assertEqual(len(originals), 1, "exactly one submit must be the original")
        for r in results:
            self.assertEqual((r.imported, r.updated, r.unchanged), (3, 0, 0))
            self.assertEqual(r.committed_at, originals[0].committed_at)
        after = self.db.counts()
        self.assertEqual(after["submissions"], before["submissions"] + 1)
        self.assertEqual(after["data_values"], before["data_values"] + 3)
        self.assertEqual(len(self.audit_rows(req.submission_id)), 3)

    def test_concurrent_same_id_different_content_one_wins(self):
        period = pc.fresh_quarter()
        sid = pc.new_id()
        a = pc.submit_request(TOWN_A, period, [("fai", "1")], submission_id=sid)
        b = pc.submit_request(TOWN_A, period, [("fai", "2")], submission_id=sid)
        results = self._concurrently([a, b] * 4)
        ok = [(i, r) for i, r in enumerate(results) if not isinstance(r, Exception)]
        errs = [r for r in results if isinstance(r, Exception)]
        self.assertTrue(ok, "no submit succeeded: %r" % results)
        winner = ok[0][0] % 2
        for i, r in ok:
            self.assertEqual(i % 2, winner, "both contents were accepted under one id")
        self.assertEqual(sum(1 for _, r in ok if not r.replayed), 1)
        for e in errs:
            self.assertIsInstance(e, grpc.RpcError)
            self.assertEqual(e.code(), SC.ALREADY_EXISTS, e.details())
        self.assertEqual(len(ok), 4)
        self.assertEqual(len(errs), 4)
        self.assertEqual(self.stored(TOWN_A, period)["fai"][0], "12"[winner])
        self.assertEqual(self.submissions_for(TOWN_A, period), 1)

    def test_uppercase_id_is_the_same_submission(self):
        period = pc.fresh_quarter()
        req = pc.submit_request(TOWN_A, period, [("fai", "1")])
        self.submit(req)
        req.submission_id = req.submission_id.upper()
        again = self.submit(req)
        self.assertTrue(again.replayed)
        self.assertEqual(self.submissions_for(TOWN_A, period), 1)


class FirstSubmissionsRaceTest(SubmitTestBase):
    """Concurrent first submissions of one township and period: each is
    serialized on the report, so counts, the audit chain and the stored
    values agree, and none fails with a deadlock (40P01)."""

    # More connections than the default, so that more submissions meet in
    # PostgreSQL at once.
    server_args = ("--db-connections", "8")
    WRITERS = 8
    ROUNDS = 5
    CODES = ("fai", "tax", "pigs", "balance")

    def _race(self, period, rnd):
        reqs = []
        for w in range(self.WRITERS):
            codes = list(self.CODES)
            rnd.shuffle(codes)  # every writer in its own order
            reqs.append(pc.submit_request(TOWN_A, period, [
                (c, "%d.%d" % (w + 1, k), "writer %d" % w) for k, c in enumerate(codes)]))
        barrier = threading.Barrier(len(reqs))
        results = [None] * len(reqs)
        channels = [self.server.channel() for _ in reqs]

        def worker(i):
            try:
                barrier.wait(20)
                results[i] = pc.Reporting(channels[i]).submit(
                    reqs[i], metadata=self.md("town_a"), timeout=60)
            except (grpc.RpcError, threading.BrokenBarrierError) as e:
                results[i] = e

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(reqs))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        self.assertFalse(any(t.is_alive() for t in threads), "a submit hung")
        for r in results:
            if isinstance(r, grpc.RpcError):
                self.fail("a first submission failed: %s %s" % (r.code(), r.details()))
            self.assertNotIsInstance(r, Exception, repr(r))
        return reqs, results

    def _check_round(self, period, reqs, results):
        n = len(self.CODES)
        rows = self.db.query(
            "SELECT indicator_code, old_value::text, new_value::text, old_comment, new_comment,"
            " submission_id::text FROM audit_log WHERE action = 'value.set'"
            " AND region_code = %s AND period = %s ORDER BY indicator_code, id"
            % (pc.sql_literal(TOWN_A), pc.sql_literal(period)))
        stored = self.stored(TOWN_A, period)
        chains = {}
        for code, old, new, old_c, new_c, sid in rows:
            chains.setdefault(code, []).append((old, new, old_c, new_c, sid))
        self.assertEqual(sorted(chains), sorted(self.CODES))
        for code, chain in chains.items():
            self.assertEqual(len(chain), self.WRITERS, "%s: one audit row per writer" % code)
            self.assertIsNone(chain[0][0], "%s: the first row sets a new value" % code)
            for prev, row in zip(chain, chain[1:]):
                self.assertEqual((row[0], row[2]), (prev[1], prev[3]),
                                 "%s %s: old value/comment is not the previous new one: %s"
                                 % (period, code, chain))
            self.assertEqual(stored[code][:2], chain[-1][1:4:2], "%s: final value" % code)
            self.assertEqual(stored[code][2], chain[-1][4])
        by_sid = {}
        for code, old, *_rest, sid in rows:
            by_sid.setdefault(sid, [0, 0])[0 if old is None else 1] += 1
        for req, resp in zip(reqs, results):
            self.assertEqual(resp.imported + resp.updated + resp.unchanged, n)
            self.assertEqual([resp.imported, resp.updated], by_sid.get(req.submission_id),
                             "counts of %s disagree with its audit rows" % req.submission_id)
        self.assertEqual(sum(r.imported for r in results), n)
        self.assertEqual(sum(r.updated for r in results), n * (self.WRITERS - 1))

    def test_concurrent_first_submissions_chain_counts_and_no_deadlock(self):
        import random
        rnd = random.Random(20261203)
        for _ in range(self.ROUNDS):
            period = pc.fresh_quarter()
            reqs, results = self._race(period, rnd)
            self._check_round(period, reqs, results)


# ----------------------------------------------------------------------------

class SubmitStreamTest(SubmitTestBase):

    def stream(self, requests, label="town_a", timeout=60):
        return self.r.stream(iter(requests), metadata=self.md(label), timeout=timeout)

    def test_one_result_per_request_in_order(self):
        K = kinds()
        y = pc.fresh_year()
        reqs = []
        expect = []  # (code, kind or None)
        for i in range(40):
            period = "%d%02d" % (y, i % 12 + 1) if i % 5 else "%dQ%d" % (y, i % 4 + 1)
            code = "m_a" if i % 5 else "fai"
            if i % 7 == 3:
                reqs.append(pc.submit_request(TOWN_A, period, [(code, "1,5")]))
                expect.append((3, K.PROBLEM_KIND_MALFORMED))
            elif i % 11 == 4:
                reqs.append(pc.submit_request(TOWN_A, period, [("nope", "1")]))
                expect.append((5, K.PROBLEM_KIND_UNKNOWN_REFERENCE))
            elif i % 13 == 6:
                reqs.append(pc.submit_request(TOWN_A, "%dQ1" % y, [("vacc", "1")]))
                expect.append((9, K.PROBLEM_KIND_WRONG_PERIOD_TYPE))
            else:
                reqs.append(pc.submit_request(TOWN_A, period, [(code, str(i))]))
                expect.append((0, None))
        before = self.db.counts()
        resp = self.stream(reqs)
        self.assertEqual(len(resp.results), len(reqs))
        for i, (req, res, (code, kind)) in enumerate(zip(reqs, resp.results, expect)):
            with self.subTest(i=i):
                self.assertEqual(res.submission_id, req.submission_id)
                self.assertEqual((res.region_code, res.period), (req.region_code, req.period))
                self.assertEqual(res.code, code, res.message)
                if code:
                    self.assertEqual(res.status, status().SUBMISSION_STATUS_REJECTED)
                    self.assertEqual([p.kind for p in res.problems], [kind])
                    self.assertEqual(res.problem_count, 1)
                    self.assertTrue(res.message)
                    self.assertEqual(self.db.count("submissions WHERE id = %s"
                                                   % pc.sql_literal(req.submission_id)), 0)
                else:
                    self.assertEqual(res.status, status().SUBMISSION_STATUS_ACCEPTED)
                    self.assertEqual(len(res.problems), 0)
                    self.assertEqual(self.db.count("submissions WHERE id = %s"
                                                   % pc.sql_literal(req.submission_id)), 1)
        n_ok = sum(1 for c, _ in expect if c == 0)
        self.assertEqual(resp.accepted, n_ok)
        self.assertEqual(resp.rejected, len(reqs) - n_ok)
        after = self.db.counts()
        self.assertEqual(after["submissions"], before["submissions"] + n_ok)

    def test_long_run_of_refusals_after_a_query_ends_the_stream_cleanly(self):
        # Requests refused without a database round trip complete inside
        # the server's scheduling loop; a long run of them right after one
        # that needed the database, at the end of a half-closed stream, is
        # where a recursive scheduler or an early free would show (the suite
        # also runs under AddressSanitizer).
        y = pc.fresh_year()
        reqs = [pc.submit_request(TOWN_A, "%dQ1" % y, [("fai", "1")])]
        reqs += [pc.submit_request(TOWN_A, "%dQ9" % y, [("fai", "1")]) for _ in range(3000)]
        resp = self.stream(reqs, timeout=120)
        self.assertEqual(len(resp.results), len(reqs))
        self.assertEqual(resp.results[0].code, 0, resp.results[0].message)
        self.assertEqual(resp.accepted, 1)
        self.assertEqual(resp.rejected, 3000)
        self.assertTrue(all(r.code == 3 for r in resp.results[1:]))
        # The server is still serving.
        after = self.submit(pc.submit_request(TOWN_A, "%dQ2" % y, [("fai", "2")]))
        self.assertEqual(after.imported, 1)

    def test_stream_replays_reuses_and_scope_per_request(self):
        period = pc.fresh_quarter()
        stored = pc.submit_request(TOWN_A, period, [("fai", "1")])
        first = self.submit(stored)
        reuse = pc.submit_request(TOWN_A, period, [("fai", "2")],
                                  submission_id=stored.submission_id)
        other_town = pc.submit_request(TOWN_B, period, [("fai", "3")])
        fresh = pc.submit_request(TOWN_A, period, [("tax", "4")])
        dry = pc.submit_request(TOWN_A, period, [("pigs", "5")], dry_run=True)
        resp = self.stream([stored, reuse, other_town, fresh, dry])
        codes = [r.code for r in resp.results]
        self.assertEqual(codes, [0, 6, 7, 0, 0], [r.message for r in resp.results])
        self.assertTrue(resp.results[0].replayed)
        self.assertEqual(resp.results[0].committed_at, first.committed_at)
        self.assertEqual(resp.results[4].status, status().SUBMISSION_STATUS_VALIDATED)
        self.assertEqual(resp.accepted, 2)
        self.assertEqual(resp.rejected, 2)
        self.assertEqual({k: v[0] for k, v in self.stored(TOWN_A, period).items()},
                         {"fai": "1", "tax": "4"})
        self.assertEqual(self.stored(TOWN_B, period), {})

    def test_empty_stream_returns_no_results(self):
        before = self.db.counts()
        resp = self.stream([])
        self.assertEqual(len(resp.results), 0)
        self.assertEqual((resp.accepted, resp.rejected), (0, 0))
        self.assertEqual(self.db.counts(), before)

    def test_five_hundred_requests_all_committed(self):
        # Every township, so that 500 distinct reports need only 9 years
        # (fresh years are past years, and a process has few of them).
        towns = pc.TOWNSHIPS
        per_year = 12 * len(towns)
        years = [pc.fresh_year() for _ in range(500 // per_year + 1)]
        reqs = []
        for i in range(500):
            town = towns[i // 12 % len(towns)]
            period = "%d%02d" % (years[i // per_year], i % 12 + 1)
            reqs.append(pc.submit_request(town, period, [("m_a", str(i)), ("m_b", "%d.5" % i)]))
        resp = self.stream(reqs, label="admin", timeout=120)
        self.assertEqual(resp.accepted, 500, [r.message for r in resp.results if r.code][:5])
        ids = ",".join(pc.sql_literal(r.submission_id) for r in reqs)
        self.assertEqual(self.db.count("submissions WHERE id IN (%s)" % ids), 500)
        self.assertEqual(self.db.count("data_values WHERE submission_id IN (%s)" % ids), 1000)
        self.assertEqual(self.db.count("audit_log WHERE action = 'value.set' AND submission_id IN (%s)"
                                       % ids), 1000)
        got = self.db.query("SELECT period, value::text FROM data_values WHERE indicator_code = 'm_b'"
                            " AND submission_id IN (%s)" % ids)
        want = {(r.period, r.values[1].value) for r in reqs}
        self.assertEqual(set(got), want)


# ----------------------------------------------------------------------------

class ReadTest(SubmitTestBase):

    def list_all(self, req, label, page_size):
        """Follows next_page_token to the end; returns the pages."""
        pages = []
        req.page_size = page_size
        for _ in range(1000):
            resp = self.r.list(req, metadata=self.md(label), timeout=15)
            pages.append(resp)
            if not resp.next_page_token:
                return pages
            req.page_token = resp.next_page_token
        self.fail("ListSubmissions never ran out of pages")

    def test_get_submission_returns_what_was_submitted(self):
        period = pc.fresh_quarter()
        req = pc.submit_request(TOWN_A, period, [("tax", "848.00", "税务局口径"), ("fai", "4.9"),
                                                 ("balance", "-0.5")], narrative="总结")
        resp = self.submit(req)
        sub = self.r.get(pc.reporting_pb().GetSubmissionRequest(submission_id=req.submission_id),
                         metadata=self.md("town_a"), timeout=10)
        self.assertEqual(sub.submission_id, req.submission_id)
        self.assertEqual((sub.region.code, sub.region.name, sub.region.level),
                         (TOWN_A, "武安镇", 4))
        self.assertEqual(sub.period, period)
        self.assertEqual(sub.status, status().SUBMISSION_STATUS_ACCEPTED)
        self.assertEqual((sub.imported, sub.updated, sub.unchanged), (3, 0, 0))
        self.assertEqual(sub.narrative, "总结")
        self.assertEqual(sub.submitted_by, self.fixture.token_names["town_a"])
        self.assertEqual(sub.received_at, resp.received_at)
        self.assertEqual(sub.committed_at, resp.committed_at)
        self.assertEqual(sub.value_count, 3)
        self.assertEqual([(v.indicator_code, D(v.value), v.comment) for v in sub.values],
                         [(v.indicator_code, D(v.value), v.comment) for v in req.values])

    def test_get_submission_errors(self):
        g = pc.reporting_pb().GetSubmissionRequest
        err = harness.rpc_error(self, self.r.get, g(submission_id=pc.new_id()),
                                metadata=self.md("admin"), timeout=10)
        self.assert_code(err, SC.NOT_FOUND)
        for bad in ("", "xyz", pc.new_id() + "0"):
            err = harness.rpc_error(self, self.r.get, g(submission_id=bad),
                                    metadata=self.md("admin"), timeout=10)
            self.assert_code(err, SC.INVALID_ARGUMENT, bad)

    def test_list_pages_until_exhausted_newest_first(self):
        period = pc.fresh_quarter()
        ids = []
        for i in range(7):
            req = pc.submit_request(TOWN_B, period, [("fai", str(i))])
            self.submit(req, label="town_b")
            ids.append(req.submission_id)
        lreq = pc.reporting_pb().ListSubmissionsRequest(period=period)
        pages = self.list_all(lreq, "town_b", 3)
        self.assertEqual([len(p.submissions) for p in pages], [3, 3, 1])
        got = [s.submission_id for p in pages for s in p.submissions]
        self.assertEqual(got, list(reversed(ids)), "not newest first, or rows lost/doubled")
        times = [s.received_at for p in pages for s in p.submissions]
        self.assertEqual(times, sorted(times, reverse=True))
        for p in pages:
            for s in p.submissions:
                self.assertEqual(len(s.values), 0, "ListSubmissions carries values")
                self.assertEqual(s.value_count, 1)
                self.assertEqual(s.region.code, TOWN_B)
        # Exact multiple of the page size: the last page must not repeat.
        pages = self.list_all(pc.reporting_pb().ListSubmissionsRequest(period=period), "town_b", 7)
        self.assertEqual(sum(len(p.submissions) for p in pages), 7)
        pages = self.list_all(pc.reporting_pb().ListSubmissionsRequest(period=period), "town_b", 1)
        self.assertEqual([s.submission_id for p in pages for s in p.submissions],
                         list(reversed(ids)))

    def test_list_filters(self):
        y = pc.fresh_year()
        q1, q2 = "%dQ1" % y, "%dQ2" % y
        made = {}
        for label, town in (("town_a", TOWN_A), ("town_b", TOWN_B), ("town_c", TOWN_C)):
            for period in (q1, q2):
                req = pc.submit_request(town, period, [("fai", "1")])
                self.submit(req, label=label)
                made[(town, period)] = req.submission_id
        L = pc.reporting_pb().ListSubmissionsRequest

        def ids(req, label="admin"):
            pages = self.list_all(req, label, 100)
            return {s.submission_id for p in pages for s in p.submissions}

        self.assertEqual(ids(L(period=q1)), {v for (t, p), v in made.items() if p == q1})
        self.assertEqual(ids(L(period=q2, region_code=COUNTY)),
                         {made[(TOWN_A, q2)], made[(TOWN_B, q2)]})
        self.assertEqual(ids(L(period=q1, region_code=TOWN_C)), {made[(TOWN_C, q1)]})
        self.assertEqual(ids(L(period=q1, region_code=PROVINCE)),
                         {v for (t, p), v in made.items() if p == q1})
        self.assertEqual(ids(L(period=q2, submitted_by=self.fixture.token_names["town_b"])),
                         {made[(TOWN_B, q2)]})
        # Scope: a township without a region filter sees its own only.
        self.assertEqual(ids(L(period=q1), label="town_a"), {made[(TOWN_A, q1)]})
        self.assertEqual(ids(L(period=q1), label="county"),
                         {made[(TOWN_A, q1)], made[(TOWN_B, q1)]})

    def test_list_bad_filters(self):
        L = pc.reporting_pb().ListSubmissionsRequest
        for req, code in ((L(period="2022Q9"), SC.INVALID_ARGUMENT),
                          (L(page_token="zz"), SC.INVALID_ARGUMENT),
                          (L(page_token="00" * 20), SC.INVALID_ARGUMENT),
                          (L(page_size=-1), SC.INVALID_ARGUMENT),
                          (L(received_after="yesterday"), SC.INVALID_ARGUMENT),
                          (L(region_code="42x"), SC.INVALID_ARGUMENT),
                          (L(region_code="420624999"), SC.NOT_FOUND)):
            with self.subTest(req=str(req)):
                err = harness.rpc_error(self, self.r.list, req, metadata=self.md("admin"),
                                        timeout=10)
                self.assert_code(err, code)


if __name__ == "__main__":
    pc.main()
