"""The statisticians' reading of figures (issue 11, STATISTICS.md) against
real PostgreSQL through grpcio: 累计 (year to date), 百分点 (percentage
points for rates), 同口径 (a partial period compared with the same
sub-periods a year earlier, coverage said), completion that needs a whole
period, cumulative Series, and the change basis of indicators.

Every row is also checked field by field against test_aggregation's Model
(an independent Python reference of the contract); the literal figures
below state the cases a reader should not have to trust the model for."""

import os
import subprocess
import tempfile

import harness
import pgcluster as pc
from test_cli import client_dir
from test_aggregation import (AggTestCase, CALL_TIMEOUT, COUNTY, MONTH, QUARTER, R_SUM, T_AVG,
                              T_LAST, T_SUM, TOWN_A, TOWN_B, Aggregation, agg_pb, dec)

# Indicators of this file: quarterly and monthly flows, a quarterly stock,
# a monthly average, a ratio and a percent-unit indicator.
STAT_INDICATORS = [
    ("s_fai", "固定资产投资", "万元", QUARTER, T_SUM, R_SUM, None),
    ("s_stock", "在库项目", "个", QUARTER, T_LAST, R_SUM, None),
    ("s_month", "社会消费品零售额", "万元", MONTH, T_SUM, R_SUM, None),
    ("s_mavg", "月均从业人员", "人", MONTH, T_AVG, R_SUM, None),
    ("s_mlast", "月末存栏", "头", MONTH, T_LAST, R_SUM, None),
    ("s_locked", "锁定债务", "万元", QUARTER, T_LAST, R_SUM, None),
    ("s_resolved", "化解债务", "万元", QUARTER, T_LAST, R_SUM, None),
    ("s_rate", "债务化解率", "%", QUARTER, T_LAST, R_SUM, ("s_resolved", "s_locked", "100", 2)),
    ("s_pct", "城镇化率", "%", QUARTER, T_LAST, R_SUM, None),
]

GROWTH, POINTS = 1, 2


def q(y, i):
    return "%dQ%d" % (y, i)


class StatisticsTest(AggTestCase):
    extra_indicators = AggTestCase.extra_indicators + STAT_INDICATORS

    def row(self, region, period, code):
        resp = self.rollup(region, period, [code])
        self.assertEqual(len(resp.rows), 1)
        row = resp.rows[0]
        self.assert_row(row, self.model.row(region, code, period), "stat %s" % period)
        return row

    def series(self, region, first, last, codes, cumulative=False):
        req = agg_pb().SeriesRequest(region_code=region, from_period=first, to_period=last,
                                     indicator_codes=list(codes), cumulative=cumulative)
        return self.agg.series(req, metadata=self.md("admin"), timeout=CALL_TIMEOUT)

    # -- deliverable 3: coverage and like-for-like growth ----------------

    def test_a_year_with_one_two_three_and_four_quarters(self):
        y0 = pc.fresh_year()
        y1 = pc.fresh_year()
        last = [(TOWN_A, q(y0, i), "s_fai", v) for i, v in ((1, "100"), (2, "200"), (3, "300"),
                                                            (4, "400"))]
        self.load(last)
        now = {1: "150", 2: "250", 3: "330", 4: "420"}
        for k in range(1, 5):
            self.load([(TOWN_A, q(y1, k), "s_fai", now[k])])
            row = self.row(TOWN_A, "%d" % y1, "s_fai")
            c = row.coverage
            self.assertEqual((c.covered, c.total, list(c.covered_periods), c.complete),
                             (k, 4, [q(y1, i) for i in range(1, k + 1)] if k < 4 else [],
                              k == 4))
            # The base: exactly the same quarters a year earlier.
            base = sum((100 * i for i in range(1, k + 1)))
            self.assertEqual(dec(row, "previous_year_value"), str(base))
            self.assertEqual(row.yoy_same_subperiods, k < 4)
            self.assertIsNone(dec(row, "yoy_change_pp"), "growth indicator: no points")
            # Only Q1 reported: 150 against Q1's 100, never −85% against
            # the whole year before; then 400/300, 730/600, 1150/1000.
            self.assertEqual(dec(row, "yoy_growth_pct"),
                             {1: "50.00", 2: "33.33", 3: "21.67", 4: "15.00"}[k])

    def test_the_issue_case_one_quarter_against_one_quarter(self):
        y0 = pc.fresh_year()
        y1 = pc.fresh_year()
        self.load([(TOWN_A, q(y0, i), "s_fai", v) for i, v in ((1, "4.9"), (2, "5"), (3, "6"),
                                                             (4, "6.81"))]
                  + [(TOWN_A, q(y1, 1), "s_fai", "4.9")])
        row = self.row(TOWN_A, "%d" % y1, "s_fai")
        self.assertEqual((row.coverage.covered, row.coverage.total,
                          list(row.coverage.covered_periods)), (1, 4, [q(y1, 1)]))
        self.assertEqual(dec(row, "previous_year_value"), "4.9")
        self.assertEqual(dec(row, "yoy_growth_pct"), "0.00")
        self.assertTrue(row.yoy_same_subperiods)

    def test_missing_quarter_in_the_middle_restricts_per_region(self):
        y0 = pc.fresh_year()
        y1 = pc.fresh_year()
        self.load([(TOWN_A, q(y0, i), "s_fai", "10") for i in range(1, 5)]
                  + [(TOWN_B, q(y0, i), "s_fai", "1") for i in range(1, 5)]
                  + [(TOWN_A, q(y1, 1), "s_fai", "20"), (TOWN_A, q(y1, 3), "s_fai", "20"),
                     (TOWN_B, q(y1, 2), "s_fai", "2")])
        # The county covers Q1..Q3 (the union): its base is Q1..Q3 of every township.
        row = self.row(COUNTY, "%d" % y1, "s_fai")
        self.assertEqual(list(row.coverage.covered_periods), [q(y1, 1), q(y1, 2), q(y1, 3)])
        self.assertEqual(dec(row, "previous_year_value"), "33")
        # TOWN_A alone covers Q1 and Q3 (a gap): its base is its Q1 and Q3.
        row = self.row(TOWN_A, "%d" % y1, "s_fai")
        self.assertEqual(list(row.coverage.covered_periods), [q(y1, 1), q(y1, 3)])
        self.assertEqual(dec(row, "previous_year_value"), "20")
        self.assertEqual(dec(row, "yoy_growth_pct"), "100.00")

    def test_completion_needs_the_whole_period_progress_stays(self):
        y = pc.fresh_year()
        half, year = "%dS1" % y, "%d" % y
        self.load([(TOWN_B, q(y, 1), "s_fai", "400"), (TOWN_B, q(y, 2), "s_fai", "448")])
        self.set_targets([(TOWN_B, "s_fai", year, "1550"), (TOWN_B, "s_fai", half, "800")])
        row = self.row(TOWN_B, year, "s_fai")
        self.assertEqual((row.coverage.covered, row.coverage.total), (2, 4))
        self.assertIsNone(dec(row, "completion_pct"), "a partial year has no completion")
        self.assertEqual(dec(row, "annual_progress_pct"), "54.71", "848 of 1550")
        row = self.row(TOWN_B, half, "s_fai")
        self.assertTrue(row.coverage.complete)
        self.assertEqual(dec(row, "completion_pct"), "106.00", "the half year is complete")
        self.assertEqual(dec(row.ytd, "annual_progress_pct"), "54.71")

    # -- deliverable 1: year to date ---------------------------------------

    def test_month_indicator_for_a_month_a_quarter_and_a_year(self):
        y0 = pc.fresh_year()
        y1 = pc.fresh_year()
        self.load([(TOWN_A, "%d%02d" % (y0, m), "s_month", str(m)) for m in range(1, 13)]
                  + [(TOWN_A, "%d%02d" % (y1, m), "s_month", str(2 * m)) for m in (1, 2, 3, 5)])
        row = self.row(TOWN_A, "%d03" % y1, "s_month")
        self.assertEqual(dec(row, "value"), "6", "本月")
        self.assertFalse(row.HasField("coverage"), "the indicator's own period")
        y = row.ytd
        self.assertEqual((y.from_period, y.to_period, dec(y, "value")),
                         ("%d01" % y1, "%d03" % y1, "12"), "1–3月累计 = 2 + 4 + 6")
        self.assertEqual((dec(y, "previous_year_value"), dec(y, "yoy_growth_pct")),
                         ("6", "100.00"), "1–3月 a year earlier: 1 + 2 + 3")
        self.assertEqual((y.coverage.covered, y.coverage.total), (3, 3))
        # The quarter Q2: May only (April and June missing).
        row = self.row(TOWN_A, q(y1, 2), "s_month")
        self.assertEqual((row.coverage.covered, row.coverage.total,
                          list(row.coverage.covered_periods)), (1, 3, ["%d05" % y1]))
        self.assertEqual(dec(row, "previous_year_value"), "5", "May a year earlier only")
        self.assertEqual((row.ytd.from_period, dec(row.ytd, "value")), (q(y1, 1), "22"))
        self.assertEqual((row.ytd.coverage.covered, row.ytd.coverage.total), (4, 6))
        self.assertEqual(dec(row.ytd, "previous_year_value"), "11", "1, 2, 3 and 5")
        self.assertTrue(row.ytd.yoy_same_subperiods)
        # The year: 4 of 12 months; no year to date.
        row = self.row(TOWN_A, "%d" % y1, "s_month")
        self.assertEqual((row.coverage.covered, row.coverage.total), (4, 12))
        self.assertFalse(row.HasField("ytd"))

    def test_quarterly_year_to_date_and_the_first_quarter(self):
        y0 = pc.fresh_year()
        y1 = pc.fresh_year()
        self.load([(TOWN_A, q(y0, i), "s_fai", str(i)) for i in range(1, 5)]
                  + [(TOWN_A, q(y1, i), "s_fai", str(10 * i)) for i in range(1, 4)])
        row = self.row(TOWN_A, q(y1, 3), "s_fai")
        self.assertEqual((dec(row, "value"), row.ytd.from_period, dec(row.ytd, "value")),
                         ("30", q(y1, 1), "60"), "Q3 and Q1–Q3")
        self.assertEqual(dec(row.ytd, "previous_year_value"), "6")
        self.assertEqual(dec(row.ytd, "yoy_growth_pct"), "900.00")
        row = self.row(TOWN_A, q(y1, 1), "s_fai")
        self.assertEqual((row.ytd.from_period, row.ytd.to_period), (q(y1, 1), q(y1, 1)))
        self.assertEqual(dec(row.ytd, "value"), dec(row, "value"))

    def test_last_and_average_over_the_year_to_date(self):
        y = pc.fresh_year()
        self.load([(TOWN_A, "%d%02d" % (y, m), "s_mlast", str(100 + m)) for m in (1, 2, 4)]
                  + [(TOWN_B, "%d%02d" % (y, m), "s_mlast", "7") for m in (1, 2)]
                  + [(TOWN_A, "%d%02d" % (y, m), "s_mavg", v)
                     for m, v in ((1, "10"), (2, "11"), (4, "13"))]
                  + [(TOWN_B, "%d01" % y, "s_mavg", "1")])
        row = self.row(COUNTY, "%d05" % y, "s_mlast")
        self.assertEqual(dec(row.ytd, "value"), "111", "latest per township: 104 + 7")
        row = self.row(COUNTY, "%d05" % y, "s_mavg")
        self.assertEqual(dec(row.ytd, "value"), "12.333333",
                         "mean over the window per township: 34/3 + 1")
        self.assertEqual(row.ytd.reporting_units, 2)

    # -- deliverable 2: percentage points ---------------------------------

    def test_ratio_in_points_and_its_year_to_date(self):
        y0 = pc.fresh_year()
        y1 = pc.fresh_year()
        # The demo's 九集镇: 1352 of 4300 (31.44%) against 338 of 4300 (7.86%).
        self.load([(TOWN_B, q(y0, 1), "s_resolved", "338"), (TOWN_B, q(y0, 1), "s_locked", "4300"),
                   (TOWN_B, q(y0, 2), "s_resolved", "500"), (TOWN_B, q(y0, 2), "s_locked", "4300"),
                   (TOWN_B, q(y1, 1), "s_resolved", "1352"),
                   (TOWN_B, q(y1, 1), "s_locked", "4300"),
                   (TOWN_B, q(y1, 2), "s_resolved", "2150"),
                   (TOWN_B, q(y1, 2), "s_locked", "4300")])
        row = self.row(TOWN_B, q(y1, 1), "s_rate")
        self.assertEqual(row.indicator.change_basis, POINTS)
        self.assertEqual((dec(row, "value"), dec(row, "previous_year_value")), ("31.44", "7.86"))
        self.assertEqual(dec(row, "yoy_change_pp"), "23.58")
        self.assertIsNone(dec(row, "yoy_growth_pct"), "never +300%")
        row = self.row(TOWN_B, q(y1, 2), "s_rate")
        self.assertEqual((dec(row, "value"), dec(row, "pop_change_pp")), ("50.00", "18.56"))
        self.assertIsNone(dec(row, "pop_change_pct"))
        # LAST parts: the year to date is the latest quarter's rate.
        self.assertEqual((dec(row.ytd, "value"), dec(row.ytd, "yoy_change_pp")),
                         ("50.00", "38.37"))
        self.assertIsNone(dec(row.ytd, "yoy_growth_pct"))

    def test_percent_unit_is_points_and_import_can_say_otherwise(self):
        y0 = pc.fresh_year()
        y1 = pc.fresh_year()
        self.load([(TOWN_A, q(y0, 1), "s_pct", "40"), (TOWN_A, q(y1, 1), "s_pct", "50")])
        row = self.row(TOWN_A, q(y1, 1), "s_pct")
        self.assertEqual((row.indicator.change_basis, dec(row, "yoy_change_pp")), (POINTS, "10.00"))
        self.assertIsNone(dec(row, "yoy_growth_pct"))
        # Admin: ListIndicators shows the derived bases; import may set one.
        listed = self.list_indicators(["s_fai", "s_pct", "s_rate"])
        self.assertEqual(listed, {"s_fai": GROWTH, "s_pct": POINTS, "s_rate": POINTS})
        self.import_basis("s_pct", "城镇化率", "%", GROWTH)
        self.assertEqual(self.list_indicators(["s_pct"]), {"s_pct": GROWTH})
        row = self.rollup(TOWN_A, q(y1, 1), ["s_pct"]).rows[0]
        self.assertEqual((row.indicator.change_basis, dec(row, "yoy_growth_pct")),
                         (GROWTH, "25.00"))
        self.assertIsNone(dec(row, "yoy_change_pp"))
        # Unspecified again: derived from the unit again; audited both times.
        self.import_basis("s_pct", "城镇化率", "%", 0)
        self.assertEqual(self.list_indicators(["s_pct"]), {"s_pct": POINTS})
        audit = self.db.query("SELECT detail FROM audit_log WHERE indicator_code = 's_pct'"
                              " AND action = 'indicator.set' ORDER BY id")
        self.assertEqual([r[0] for r in audit][-2:], ["change_basis points -> growth",
                                                       "change_basis growth -> points"])
        err = harness.rpc_error(self, self._admin("ImportIndicators", "ImportIndicatorsRequest",
                                                  "ImportResponse"),
                                self.basis_request("s_pct", "城镇化率", "%", 7),
                                metadata=self.md("admin"), timeout=CALL_TIMEOUT)
        self.assertIn("change_basis", err.details())

    def test_cli_import_reads_the_change_basis_column(self):
        def run(text):
            with tempfile.NamedTemporaryFile("w", suffix=".csv", encoding="utf-8",
                                             delete=False) as f:
                f.write(text)
            try:
                cmd = [os.path.join(client_dir(), "huizong-admin"), "indicators", "import", f.name,
                       "--addr", self.server.address, "--token", self.token("admin"),
                       "--timeout", "20"]
                env = {k: v for k, v in os.environ.items() if not k.startswith("HUIZONG_")}
                return subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=env)
            finally:
                os.unlink(f.name)

        head = "code,name,unit,frequency,time_aggregation,region_aggregation,change_basis\n"
        res = run(head + "c_b1,甲,%,quarter,last,sum,增长\n"
                  "c_b2,乙,万元,quarter,sum,sum,百分点\n"
                  "c_b3,丙,%,quarter,last,sum,\n"
                  "c_b4,丁,万元,quarter,sum,sum,points\n")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(self.list_indicators(["c_b1", "c_b2", "c_b3", "c_b4"]),
                         {"c_b1": GROWTH, "c_b2": POINTS, "c_b3": POINTS, "c_b4": POINTS})
        res = run(head + "c_b5,戊,万元,quarter,sum,sum,sideways\n")
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("unknown change basis 'sideways'", res.stderr)
        self.assertEqual(self.list_indicators(["c_b5"]), {})

    def basis_request(self, code, name, unit, basis):
        a, c = pc.admin_pb(), pc.common_pb()
        req = a.ImportIndicatorsRequest()
        req.rows.add(line=2, indicator=c.Indicator(
            code=code, name=name, unit=unit, period_type=QUARTER, time_aggregation=T_LAST,
            region_aggregation=R_SUM, change_basis=basis))
        return req

    def import_basis(self, code, name, unit, basis):
        self._admin("ImportIndicators", "ImportIndicatorsRequest", "ImportResponse")(
            self.basis_request(code, name, unit, basis), metadata=self.md("admin"),
            timeout=CALL_TIMEOUT)

    def list_indicators(self, codes):
        resp = self._admin("ListIndicators", "ListIndicatorsRequest", "ListIndicatorsResponse")(
            pc.admin_pb().ListIndicatorsRequest(codes=codes), metadata=self.md("admin"),
            timeout=CALL_TIMEOUT)
        return {i.code: i.change_basis for i in resp.indicators}

    # -- deliverable 5: cumulative Series and the cache ----------------------

    def test_cumulative_series_and_the_answer_cache(self):
        y = pc.fresh_year()
        self.load([(TOWN_A, "%d%02d" % (y, m), "s_month", str(m)) for m in (1, 2, 3, 5)])
        plain = self.series(TOWN_A, "%d01" % y, "%d06" % y, ["s_month"])
        cum = self.series(TOWN_A, "%d01" % y, "%d06" % y, ["s_month"], cumulative=True)
        self.assertFalse(plain.cumulative)
        self.assertTrue(cum.cumulative)
        val = lambda r: [dec(p, "value") for p in r.series[0].points]
        self.assertEqual(val(plain), ["1", "2", "3", None, "5", None])
        self.assertEqual(val(cum), ["1", "3", "6", "6", "11", "11"])
        cov = [(p.coverage.covered, p.coverage.total) for p in cum.series[0].points]
        self.assertEqual(cov, [(1, 1), (2, 2), (3, 3), (3, 4), (4, 5), (4, 6)])
        self.assertFalse(plain.series[0].points[0].HasField("coverage"))
        # Quarters of a monthly indicator, cumulative: Q1, Q1–Q2.
        qs = self.series(TOWN_A, q(y, 1), q(y, 2), ["s_month"], cumulative=True)
        self.assertEqual(val(qs), ["6", "11"])
        self.assertEqual([(p.coverage.covered, p.coverage.total) for p in qs.series[0].points],
                         [(3, 3), (4, 6)])
        # Asked again in any order, each answer stays its own (the rollup
        # answer cache keys every request field; Series is not cached).
        self.assertEqual(val(self.series(TOWN_A, "%d01" % y, "%d06" % y, ["s_month"])),
                         val(plain))
        self.assertEqual(val(self.series(TOWN_A, "%d01" % y, "%d06" % y, ["s_month"], True)),
                         val(cum))
        # The cached Rollup answer carries the year to date, and a change
        # reaches it.
        first = self.row(TOWN_A, "%d05" % y, "s_month")
        again = self.row(TOWN_A, "%d05" % y, "s_month")
        self.assertEqual(first.SerializeToString(), again.SerializeToString())
        self.assertEqual(dec(again.ytd, "value"), "11")
        self.load([(TOWN_A, "%d04" % y, "s_month", "100")])
        self.assertEqual(dec(self.row(TOWN_A, "%d05" % y, "s_month").ytd, "value"), "111")


if __name__ == "__main__":
    pc.main()
