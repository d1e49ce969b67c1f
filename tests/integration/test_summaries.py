"""leaf_summaries (migration 005) against real PostgreSQL: the triggers on
data_values keep every township's per-period summary equal to what a
GROUP BY over data_values gives, through inserts, value corrections that
move a minimum, maximum or the latest value, comment-only updates,
deletes and TRUNCATE; hz_summaries_rebuild() writes the same rows; two
transactions adding months of one township at once both land. Only years
are summarised (hz_summary_types); shorter windows read the values.

The expected rows are computed here by plain SQL over data_values, not by
the functions under test. The rollups built on the summaries are checked
figure by figure in test_aggregation.py and, at province scale, against a
plain GROUP BY in tests/bench/rollup_bench.sh."""

import threading
import unittest
import uuid

import pgcluster as pc
from pgcluster import TOWN_A, TOWN_B

# The reference: every summarised period type (years) above each stored
# value, aggregated from data_values directly.
SUMMARISED_TYPES = (1,)
EXPECTED_SQL = """
SELECT d.region_code, d.indicator_code, t.pt,
  CASE t.pt WHEN 1 THEN date_trunc('year', d.period_start)::date
            WHEN 2 THEN make_date(extract(year FROM d.period_start)::int,
                                  CASE WHEN extract(month FROM d.period_start) <= 6 THEN 1 ELSE 7 END, 1)
            ELSE date_trunc('quarter', d.period_start)::date END AS ps,
  count(*), sum(d.value), min(d.value), max(d.value),
  (array_agg(d.value ORDER BY d.period_start DESC))[1], max(d.period_start)
FROM data_values d JOIN unnest('{%s}'::smallint[]) AS t(pt) ON t.pt < d.period_type
GROUP BY 1, 2, 3, 4""" % ",".join(str(t) for t in SUMMARISED_TYPES)

STORED_SQL = """
SELECT region_code, indicator_code, period_type, period_start, n, total, low, high, latest,
       latest_start FROM leaf_summaries"""

# Two monthly indicators and a quarterly one of the test catalog. Summaries
# hold every figure any time aggregation needs, whatever the indicator's.
FLOW = "m_a"
STOCK = "m_b"
QUARTERLY = "pigs"


def month_start(period):
    return "%s-%s-01" % (period[:4], period[4:6])


class SummariesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cluster = pc.cluster()
        cls.db = cls.cluster.new_database("summaries")
        pc.load_regions_sql(cls.db)
        pc.load_indicators_sql(cls.db)
        types = [int(r[0]) for r in cls.db.query("SELECT pt FROM hz_summary_types ORDER BY pt")]
        assert tuple(types) == SUMMARISED_TYPES, types
        kinds = dict(cls.db.query("SELECT code, period_type || ':' || time_aggregation FROM indicators"
                                  " WHERE code IN ('%s', '%s')" % (FLOW, STOCK)))
        assert kinds == {FLOW: "4:1", STOCK: "4:1"}, kinds

    @classmethod
    def tearDownClass(cls):
        cls.db.drop()

    def setUp(self):
        self.db.execute("TRUNCATE data_values")
        self.assertEqual(self.db.count("leaf_summaries"), 0, "TRUNCATE left summaries behind")

    def put(self, region, indicator, period, value, comment=""):
        self.db.execute(
            "INSERT INTO data_values (region_code, indicator_code, period, period_type,"
            " period_start, value, comment, submission_id) VALUES ('%s', '%s', '%s', 4, '%s', %s,"
            " '%s', '%s') ON CONFLICT (region_code, indicator_code, period) DO UPDATE"
            " SET value = EXCLUDED.value, comment = EXCLUDED.comment"
            % (region, indicator, period, month_start(period), value, comment, uuid.uuid4()))

    def assert_consistent(self):
        stored = sorted(tuple(r) for r in self.db.query(STORED_SQL))
        expected = sorted(tuple(r) for r in self.db.query(EXPECTED_SQL))
        self.assertEqual(stored, expected)
        return stored

    def summary(self, region, indicator, pt, ps):
        rows = self.db.query(
            "SELECT n, total, low, high, latest, latest_start FROM leaf_summaries"
            " WHERE region_code = '%s' AND indicator_code = '%s' AND period_type = %d"
            " AND period_start = '%s'" % (region, indicator, pt, ps))
        return tuple(rows[0]) if rows else None

    def test_inserts_extend_the_year(self):
        for period, value in (("202301", "10.5"), ("202302", "-3"), ("202305", "7.25"),
                              ("202312", "0")):
            self.put(TOWN_A, FLOW, period, value)
        self.put(TOWN_B, FLOW, "202302", "100")
        self.assert_consistent()
        self.assertEqual(self.summary(TOWN_A, FLOW, 1, "2023-01-01"),
                         ("4", "14.75", "-3", "10.5", "0", "2023-12-01"))
        self.assertEqual(self.summary(TOWN_B, FLOW, 1, "2023-01-01"),
                         ("1", "100", "100", "100", "100", "2023-02-01"))
        # Half years and quarters are read from the values themselves.
        self.assertEqual(self.summary(TOWN_A, FLOW, 2, "2023-01-01"), None)
        self.assertEqual(self.summary(TOWN_A, FLOW, 3, "2023-04-01"), None)

    def test_a_set_with_arrays_of_unequal_length_is_refused(self):
        # leaf_summaries expands a set's arrays side by side: a short one
        # would read as NULL figures, so the table refuses it (028).
        self.put(TOWN_A, FLOW, "202301", "1")
        with self.assertRaises(RuntimeError) as caught:
            self.db.execute("UPDATE leaf_summary_sets SET total = total || 0::numeric"
                            " WHERE region_code = '%s'" % TOWN_A)
        self.assertIn("leaf_summary_sets_parallel", str(caught.exception))
        self.assert_consistent()

    def test_quarterly_values_summarise_to_the_year(self):
        for q, start, value in (("2023Q1", "2023-01-01", "5"), ("2023Q3", "2023-07-01", "2")):
            self.db.execute(
                "INSERT INTO data_values (region_code, indicator_code, period, period_type,"
                " period_start, value, submission_id) VALUES ('%s', '%s', '%s', 3, '%s', %s,"
                " gen_random_uuid())" % (TOWN_A, QUARTERLY, q, start, value))
        stored = self.assert_consistent()
        self.assertEqual(sorted((r[2], r[3]) for r in stored), [("1", "2023-01-01")])
        self.assertEqual(self.summary(TOWN_A, QUARTERLY, 1, "2023-01-01")[4], "2")

    def test_earlier_month_arriving_late_does_not_become_latest(self):
        self.put(TOWN_A, STOCK, "202306", "60")
        self.put(TOWN_A, STOCK, "202303", "30")  # a late report of March
        self.assert_consistent()
        self.assertEqual(self.summary(TOWN_A, STOCK, 1, "2023-01-01")[4:], ("60", "2023-06-01"))

    def test_corrections_move_min_max_and_latest(self):
        for period, value in (("202301", "5"), ("202302", "9"), ("202303", "1")):
            self.put(TOWN_A, FLOW, period, value)
        self.put(TOWN_A, FLOW, "202302", "4")   # the maximum comes down
        self.put(TOWN_A, FLOW, "202303", "6")   # the minimum and latest go up
        self.assert_consistent()
        self.assertEqual(self.summary(TOWN_A, FLOW, 1, "2023-01-01"),
                         ("3", "15", "4", "6", "6", "2023-03-01"))

    def test_comment_only_update_keeps_summaries(self):
        self.put(TOWN_A, FLOW, "202301", "5")
        before = self.assert_consistent()
        self.put(TOWN_A, FLOW, "202301", "5", comment="revised note")
        self.assertEqual(self.assert_consistent(), before)

    def test_delete_shrinks_and_removes_summaries(self):
        self.put(TOWN_A, FLOW, "202301", "5")
        self.put(TOWN_A, FLOW, "202304", "8")
        self.put(TOWN_A, FLOW, "202402", "1")
        self.db.execute("DELETE FROM data_values WHERE period IN ('202304', '202402')")
        self.assert_consistent()
        self.assertIsNone(self.summary(TOWN_A, FLOW, 1, "2024-01-01"))
        self.assertEqual(self.summary(TOWN_A, FLOW, 1, "2023-01-01"),
                         ("1", "5", "5", "5", "5", "2023-01-01"))

    def test_multi_row_statements(self):
        # One statement inserting and updating many rows (as hz_submit does).
        self.put(TOWN_A, FLOW, "202301", "1")
        self.db.execute(
            "INSERT INTO data_values (region_code, indicator_code, period, period_type,"
            " period_start, value, submission_id)"
            " SELECT '%s', '%s', to_char(d, 'YYYYMM'), 4, d, extract(month FROM d) * 1.5,"
            " gen_random_uuid() FROM generate_series('2023-01-01'::date, '2024-12-01', '1 month') d"
            " ON CONFLICT (region_code, indicator_code, period) DO UPDATE SET value = EXCLUDED.value"
            % (TOWN_A, FLOW))
        self.db.execute("UPDATE data_values SET value = value * -2 WHERE period LIKE '2024%'")
        stored = self.assert_consistent()
        self.assertEqual(len([r for r in stored if r[0] == TOWN_A and r[1] == FLOW]), 2)

    def test_rebuild_writes_the_same_rows(self):
        for i, period in enumerate(("202301", "202302", "202307", "202411")):
            self.put(TOWN_A, FLOW, period, str(i * 2 + 1))
            self.put(TOWN_B, STOCK, period, str(10 - i))
        before = self.assert_consistent()
        written = int(self.db.scalar("SELECT hz_summaries_rebuild()"))
        self.assertEqual(written, len(before))
        self.assertEqual(self.assert_consistent(), before)

    def test_bulk_load_with_triggers_off_then_rebuild(self):
        self.db.execute(
            "BEGIN; ALTER TABLE data_values DISABLE TRIGGER USER;"
            " INSERT INTO data_values (region_code, indicator_code, period, period_type,"
            " period_start, value, submission_id) VALUES ('%s', '%s', '202301', 4, '2023-01-01',"
            " 3, gen_random_uuid()); ALTER TABLE data_values ENABLE TRIGGER USER; COMMIT;"
            % (TOWN_A, FLOW))
        self.assertEqual(self.db.count("leaf_summaries"), 0)
        self.db.scalar("SELECT hz_summaries_rebuild()")
        self.assertEqual(len(self.assert_consistent()), 1)

    def test_concurrent_months_of_one_township(self):
        # Each thread adds its own months of the same township and
        # indicators: both write the same year and half-year summaries.
        errors = []

        def add(months):
            try:
                values = ", ".join(
                    "('%s', '%s', '2023%02d', 4, '2023-%02d-01', %d, gen_random_uuid())"
                    % (TOWN_A, ind, m, m, m) for m in months for ind in (FLOW, STOCK))
                for _ in range(10):
                    self.db.execute(
                        "INSERT INTO data_values (region_code, indicator_code, period,"
                        " period_type, period_start, value, submission_id) VALUES %s"
                        " ON CONFLICT (region_code, indicator_code, period)"
                        " DO UPDATE SET value = EXCLUDED.value + 1" % values)
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(e)

        threads = [threading.Thread(target=add, args=(ms,)) for ms in ((1, 2, 3, 7), (4, 5, 6, 12))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        self.assertEqual(errors, [])
        self.assert_consistent()
        self.assertEqual(self.summary(TOWN_A, STOCK, 1, "2023-01-01")[0], "8")


if __name__ == "__main__":
    unittest.main()
