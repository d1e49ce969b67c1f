"""How a submission writes (issue 15, migration 017) against real
PostgreSQL, driven by grpcio: new values are plain INSERTs, changed ones an
UPDATE, and the triggers of data_values still keep leaf_summaries and the
change counters right; one audit row per stored change, as ListAudit
(Admin/GetAudit) shows it.

Each test checks what a submission leaves behind, the expected rows
computed here by plain SQL over data_values (never by the functions under
test): a first submission of many values, a resubmission changing some
values, a comment only, keeping one and adding one, an identical
resubmission (nothing written, no counter moved), values loaded by an
administrator's multi-row SQL and then corrected by a submission, and a
TRUNCATE; and how the audit entries are stored since migration 022 (one
audit_value_sets row per submission that changed anything, its entries'
ids drawn in indicator order, read back through the audit_log view and
GetAudit as one entry per change)."""

from decimal import Decimal

import pgcluster as pc
from pgcluster import TOWN_A, TOWN_B

QUARTERLY = ("fai", "tax", "pigs", "balance")

# leaf_summaries as a GROUP BY over data_values gives it (years only, as in
# test_summaries.py).
EXPECTED_SUMMARIES = """
SELECT d.region_code, d.indicator_code, 1, date_trunc('year', d.period_start)::date,
  count(*), sum(d.value), min(d.value), max(d.value),
  (array_agg(d.value ORDER BY d.period_start DESC))[1], max(d.period_start)
FROM data_values d WHERE d.period_type > 1 GROUP BY 1, 2, 3, 4"""
STORED_SUMMARIES = """
SELECT region_code, indicator_code, period_type, period_start, n, total, low, high, latest,
       latest_start FROM leaf_summaries"""


class IngestTest(pc.PgServerTestCase):

    def setUp(self):
        self.r = self.rep()
        a = pc.admin_pb()
        self.audit = self.fixture.admin_stub("GetAudit", a.GetAuditRequest, a.GetAuditResponse)

    def submit(self, region, period, values, label="admin"):
        req = pc.submit_request(region, period, values)
        res = self.r.submit(req, metadata=self.md(label), timeout=30)
        return req.submission_id, res

    def counter(self, region):
        return int(self.db.scalar(
            "SELECT coalesce((SELECT n FROM change_counts WHERE region_code = '%s'), 0)"
            % region))

    def stored(self, region, period):
        """{indicator: (value, comment, submission id)}"""
        rows = self.db.query(
            "SELECT indicator_code, value::text, comment, submission_id::text FROM data_values"
            " WHERE region_code = '%s' AND period = '%s'" % (region, period))
        return {r[0]: (r[1], r[2], r[3]) for r in rows}

    def assert_summaries(self):
        # Figures as numbers: a total kept by differences may carry a scale
        # (11.0) the plain sum does not (11).
        def rows(sql):
            return sorted(tuple(r[:4]) + tuple(Decimal(x) for x in r[4:9]) + (r[9],)
                          for r in self.db.query(sql))
        self.assertEqual(rows(STORED_SUMMARIES), rows(EXPECTED_SUMMARIES))

    def audit_rows(self, submission_id):
        """(indicator, old value, new value, old comment, new comment) of
        the submission's value.set entries as GetAudit lists them, in its
        order (newest first; one submission's rows share their time)."""
        resp = self.audit(pc.admin_pb().GetAuditRequest(submission_id=submission_id,
                                                         page_size=1000),
                          metadata=self.md("admin"), timeout=30)
        out = []
        for e in resp.entries:
            self.assertEqual(e.submission_id, submission_id)
            out.append((e.indicator_code,
                        e.old_value.value if e.HasField("old_value") else None,
                        e.new_value.value, e.old_comment, e.new_comment))
        return out

    def test_first_submission_then_partial_changes(self):
        period = pc.fresh_quarter()
        before = self.counter(TOWN_A)
        first = [("fai", "10.5"), ("tax", "20"), ("pigs", "300", "存栏")]
        sid1, res = self.submit(TOWN_A, period, first)
        self.assertEqual((res.imported, res.updated, res.unchanged), (3, 0, 0))
        self.assertEqual(self.stored(TOWN_A, period),
                         {"fai": ("10.5", "", sid1), "tax": ("20", "", sid1),
                          "pigs": ("300", "存栏", sid1)})
        self.assertEqual(sorted(self.audit_rows(sid1)),
                         [("fai", None, "10.5", "", ""), ("pigs", None, "300", "", "存栏"),
                          ("tax", None, "20", "", "")])
        after_first = self.counter(TOWN_A)
        self.assertGreater(after_first, before)
        self.assert_summaries()

        # fai changes, tax keeps its value with a new comment, pigs stays,
        # balance is new: one statement inserts and updates.
        second = [("fai", "11"), ("tax", "20", "核实"), ("pigs", "300", "存栏"),
                  ("balance", "-4.25")]
        sid2, res = self.submit(TOWN_A, period, second)
        self.assertEqual((res.imported, res.updated, res.unchanged), (1, 2, 1))
        self.assertEqual(self.stored(TOWN_A, period),
                         {"fai": ("11", "", sid2), "tax": ("20", "核实", sid2),
                          "pigs": ("300", "存栏", sid1), "balance": ("-4.25", "", sid2)})
        self.assertEqual(sorted(self.audit_rows(sid2)),
                         [("balance", None, "-4.25", "", ""), ("fai", "10.5", "11", "", ""),
                          ("tax", "20", "20", "", "核实")])
        self.assertEqual(len(self.audit_rows(sid1)), 3, "earlier audit rows changed")
        self.assertGreater(self.counter(TOWN_A), after_first)
        self.assert_summaries()

    def test_identical_resubmission_writes_nothing(self):
        period = pc.fresh_quarter()
        values = [(c, str(i + 1)) for i, c in enumerate(QUARTERLY)]
        sid1, _ = self.submit(TOWN_B, period, values)
        count = self.counter(TOWN_B)
        stored = self.stored(TOWN_B, period)
        audit_before = self.db.count("audit_log")
        sid2, res = self.submit(TOWN_B, period, values)
        self.assertEqual((res.imported, res.updated, res.unchanged), (0, 0, 4))
        self.assertEqual(self.stored(TOWN_B, period), stored)
        self.assertEqual(self.audit_rows(sid2), [])
        self.assertEqual(self.db.count("audit_log"), audit_before)
        # Nothing changed: the stamp of every rollup above stays.
        self.assertEqual(self.counter(TOWN_B), count)
        self.assertEqual(self.db.scalar(
            "SELECT count(*) FROM submissions WHERE id IN ('%s', '%s')" % (sid1, sid2)), "2")

    def test_sql_load_then_submission_corrects_it(self):
        # An administrator's multi-row SQL load (as a restore would write),
        # then a submission changing some of those values.
        period = pc.fresh_quarter()
        year = period[:4]
        count = self.counter(TOWN_A)
        self.db.execute(
            "INSERT INTO data_values (region_code, indicator_code, period, period_type,"
            " period_start, value, submission_id) SELECT '%s', c, '%s', 3, '%s-01-01', v,"
            " gen_random_uuid() FROM unnest('{fai,tax,pigs}'::text[], '{1,2,3}'::numeric[])"
            " AS t(c, v)" % (TOWN_A, period, year))
        self.assertGreater(self.counter(TOWN_A), count)
        self.assert_summaries()
        count = self.counter(TOWN_A)
        sid, res = self.submit(TOWN_A, period, [("fai", "1"), ("tax", "7.5"), ("balance", "9")])
        self.assertEqual((res.imported, res.updated, res.unchanged), (1, 1, 1))
        self.assertEqual(sorted(self.audit_rows(sid)),
                         [("balance", None, "9", "", ""), ("tax", "2", "7.5", "", "")])
        self.assertEqual({k: v[0] for k, v in self.stored(TOWN_A, period).items()},
                         {"fai": "1", "tax": "7.5", "pigs": "3", "balance": "9"})
        self.assertGreater(self.counter(TOWN_A), count)
        self.assert_summaries()

    def test_truncate_then_submit(self):
        period = pc.fresh_quarter()
        self.submit(TOWN_B, period, [("fai", "5"), ("tax", "6")])
        catalog = self.counter("")
        self.db.execute("TRUNCATE data_values")
        self.assertEqual(self.db.count("leaf_summaries"), 0)
        self.assertGreater(self.counter(""), catalog, "TRUNCATE did not move the stamp")
        _, res = self.submit(TOWN_B, period, [("fai", "5"), ("tax", "6")])
        self.assertEqual((res.imported, res.updated, res.unchanged), (2, 0, 0))
        self.assert_summaries()

    def sets(self, submission_id):
        """(n ids, ids ascending, codes) of the submission's audit set rows."""
        return self.db.query(
            "SELECT cardinality(ids), ids = ARRAY(SELECT unnest(ids) ORDER BY 1),"
            " array_to_string(codes, ',') FROM audit_value_sets WHERE submission_id = '%s'"
            % submission_id)

    def test_audit_entries_are_one_row_per_submission(self):
        period = pc.fresh_quarter()
        events = self.db.count("audit_events WHERE action = 'value.set'")
        sid1, _ = self.submit(TOWN_B, period, [("tax", "3"), ("fai", "1"), ("pigs", "2")])
        self.assertEqual(self.sets(sid1), [("3", "t", "fai,pigs,tax")])
        # Changed and new values in one set; the unchanged one not in it.
        sid2, _ = self.submit(TOWN_B, period,
                              [("tax", "3"), ("fai", "1", "核实"), ("balance", "7")])
        self.assertEqual(self.sets(sid2), [("2", "t", "balance,fai")])
        # No change, no set; a replay (same id, same content) neither.
        sid3, _ = self.submit(TOWN_B, period, [("tax", "3")])
        self.assertEqual(self.sets(sid3), [])
        req = pc.submit_request(TOWN_B, period, [("fai", "9")])
        self.r.submit(req, metadata=self.md("admin"), timeout=30)
        n = self.db.count("audit_log")
        res = self.r.submit(req, metadata=self.md("admin"), timeout=30)
        self.assertTrue(res.replayed)
        self.assertEqual(self.db.count("audit_log"), n)
        self.assertEqual(self.sets(req.submission_id), [("1", "t", "fai")])
        # Submissions write no per-value rows any more.
        self.assertEqual(self.db.count("audit_events WHERE action = 'value.set'"), events)
        # The view: one entry per change, ids unique, the set's order and
        # time, as GetAudit lists them (newest first: highest id first).
        rows = self.db.query(
            "SELECT id::text, indicator_code, coalesce(old_value::text, '-'), new_value::text,"
            " coalesce(old_comment, '-'), new_comment FROM audit_log"
            " WHERE submission_id = '%s' ORDER BY at DESC, id DESC" % sid2)
        self.assertEqual([r[1:] for r in rows],
                         [("fai", "1", "1", "", "核实"), ("balance", "-", "7", "-", "")])
        got = self.audit(pc.admin_pb().GetAuditRequest(submission_id=sid2, page_size=1000),
                         metadata=self.md("admin"), timeout=30)
        self.assertEqual([str(e.id) for e in got.entries], [r[0] for r in rows])
        self.assertEqual(self.db.count("(SELECT id FROM audit_log GROUP BY id"
                                       " HAVING count(*) > 1) d"), 0)


if __name__ == "__main__":
    pc.main()
