"""The demo county (deploy/demo) end to end: `deploy/demo/load.sh ADDR
ADMIN_TOKEN` loads it into a real huizongd on a private PostgreSQL through
the built CLIs (huizong-admin imports and tokens, huizong submit and
rollup); then grpcio checks, through Aggregation.Rollup, the figures the
two seed reports state, and a second load.sh run is an idempotent replay.

The expected figures are the reports' own words (deploy/demo/README.md):
固定资产投资4.9个亿 (stored in 万元 as 49000) 同比增长28%, 社零2.55亿元 +16.9%,
规上工业产值1.28亿元 +17.4%, 国地两税848万元 of the annual 1550万 (55%),
固投6035万元 of the half-year target 5500万元 (110%), 村级债务 1352 of 4300万元
(31%). Each percentage is also recomputed here from the value and base the
server returns, exactly, with Python's decimal.

load.sh finds the CLIs through HZ_BIN_DIR: `client/` of the build directory
that holds HUIZONGD (`<builddir>/service/huizongd`)."""

import csv
import io
import os
import subprocess
import tempfile
from decimal import Decimal, ROUND_HALF_UP

import grpc

import harness
import pgcluster as pc

D = Decimal
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
DEMO = os.path.join(ROOT, "deploy", "demo")
LOAD_TIMEOUT = 400
CALL_TIMEOUT = 20

JIUJI, WUAN, COUNTY = "420624102", "420624101", "420624"
TOWNS = ["4206241%02d" % i for i in range(10)]  # 420624100 .. 420624109


def agg_pb():
    return pc.pb("huizong/v1/aggregation.proto")


def bin_dir():
    """client/ next to service/ in HUIZONGD's build directory."""
    build = os.path.dirname(os.path.dirname(os.path.abspath(harness.huizongd_path())))
    return os.path.join(build, "client")


def pct(part, whole):
    """part / whole x 100, 2 places, half away from zero."""
    q = (abs(part) * 100 / abs(whole)).quantize(D("0.01"), rounding=ROUND_HALF_UP)
    return format(-q if (part < 0) != (whole < 0) and q else q, "f")


def growth(value, base):
    return pct(value - base, abs(base))


class DemoTest(pc.PgServerTestCase):
    load_fixture = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.state = tempfile.TemporaryDirectory(prefix="hz-demo-state-")
        try:
            cls.admin = pc.token_create_cli(cls.db, "admin", "demo-test-admin")
            cls.first_run = cls.run_load()
        except Exception:
            cls.server.kill()
            cls.state.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.state.cleanup()
        super().tearDownClass()

    @classmethod
    def cli_env(cls, token=None):
        env = dict(harness.server_env())
        env.update({"HZ_BIN_DIR": bin_dir(), "HZ_DEMO_STATE": cls.state.name,
                    "PYTHON": "/usr/bin/python3", "HUIZONG_ADDR": cls.server.address})
        if token:
            env["HUIZONG_TOKEN"] = token
        return env

    @classmethod
    def run_load(cls):
        for exe in ("huizong", "huizong-admin"):
            path = os.path.join(bin_dir(), exe)
            if not os.access(path, os.X_OK):
                raise RuntimeError("%s is not built (load.sh needs it)" % path)
        res = subprocess.run(["bash", os.path.join(DEMO, "load.sh"), cls.server.address,
                              cls.admin], capture_output=True, text=True,
                             timeout=LOAD_TIMEOUT, env=cls.cli_env(), cwd=ROOT)
        if res.returncode != 0:
            raise AssertionError("load.sh failed (%d):\n--- stdout\n%s\n--- stderr\n%s\n"
                                 "--- huizongd\n%s" % (res.returncode, res.stdout[-6000:],
                                                       res.stderr[-6000:],
                                                       cls.server.log_text()[-4000:]))
        return res

    def rollup(self, region, period, codes, group=0, total=False):
        stub = harness.unary(self.server.channel(), "/huizong.v1.Aggregation/Rollup",
                             agg_pb().RollupRequest, agg_pb().RollupResponse)
        req = agg_pb().RollupRequest(region_code=region, period=period, indicator_codes=codes,
                                     group_by=group, include_total=total)
        resp = stub(req, metadata=pc.auth(self.admin), timeout=CALL_TIMEOUT)
        return {(r.region.code, r.indicator.code): r for r in resp.rows}

    def field(self, row, name):
        self.assertTrue(row.HasField(name), "%s/%s: %s unset" % (row.region.code,
                                                                  row.indicator.code, name))
        return getattr(row, name).value

    # --------------------------------------------------------------------

    def test_2022q1_growth_figures(self):
        rows = self.rollup(JIUJI, "2022Q1", ["fai", "retail", "industry_output"])
        for code, unit, value, yoy in (("fai", "万元", "49000", "28.00"),
                                       ("retail", "亿元", "2.55", "16.90"),
                                       ("industry_output", "亿元", "1.28", "17.40")):
            with self.subTest(indicator=code):
                row = rows[(JIUJI, code)]
                self.assertEqual(row.indicator.unit, unit)
                self.assertEqual(D(self.field(row, "value")), D(value))
                self.assertEqual(row.previous_year_period, "2021Q1")
                base = D(self.field(row, "previous_year_value"))
                self.assertEqual(self.field(row, "yoy_growth_pct"), yoy)
                self.assertEqual(growth(D(value), base), yoy,
                                 "the server's base %s does not give %s" % (base, yoy))
                self.assertEqual((row.reporting_units, row.expected_units), (1, 1))
        # 4.9亿元 is 49000万元: the report's own unit, converted exactly.
        self.assertEqual(D(self.field(rows[(JIUJI, "fai")], "value")) / 10000, D("4.9"))

    def test_2022q1_debt_resolution_rate(self):
        rows = self.rollup(JIUJI, "2022Q1", ["debt_locked", "debt_resolved",
                                             "debt_resolution_rate"])
        locked = D(self.field(rows[(JIUJI, "debt_locked")], "value"))
        resolved = D(self.field(rows[(JIUJI, "debt_resolved")], "value"))
        self.assertEqual((locked, resolved), (4300, 1352))
        rate = self.field(rows[(JIUJI, "debt_resolution_rate")], "value")
        self.assertEqual(rate, "31.44")
        self.assertEqual(pct(resolved, locked), rate)

    def test_statistics_reading(self):
        """Issue 11 in the demo: the rate changes in points, 本月 and 1–3月累计
        for the monthly indicators, and the partial year 2022 (only 2022Q1)
        compared like for like with 2021Q1 rather than the whole of 2021."""
        rate = self.rollup(JIUJI, "2022Q1", ["debt_resolution_rate"])[(JIUJI, "debt_resolution_rate")]
        self.assertEqual(self.field(rate, "yoy_change_pp"), "23.58")
        self.assertFalse(rate.HasField("yoy_growth_pct"), "a rate has no relative growth")
        month = self.rollup(JIUJI, "202203", ["electricity"])[(JIUJI, "electricity")]
        self.assertEqual((month.ytd.from_period, month.ytd.to_period), ("202201", "202203"))
        self.assertGreater(D(month.ytd.value.value), D(self.field(month, "value")))
        fai = self.rollup(JIUJI, "2022", ["fai"])[(JIUJI, "fai")]
        self.assertEqual((fai.coverage.covered, fai.coverage.total), (1, 4))
        self.assertEqual(list(fai.coverage.covered_periods), ["2022Q1"])
        self.assertTrue(fai.yoy_same_subperiods)
        self.assertEqual(self.field(fai, "yoy_growth_pct"), "28.00", "2022Q1 against 2021Q1 only")
        out = self.first_run.stdout
        self.assertIn("+23.58个百分点", out)
        self.assertIn("1–3月累计", out)
        self.assertIn("已报 1/4 个季度 (2022Q1)", out)
        self.assertNotIn("MISMATCH", out)

    def test_2013s1_target_and_annual_progress(self):
        rows = self.rollup(WUAN, "2013S1", ["tax", "fai"])
        tax, fai = rows[(WUAN, "tax")], rows[(WUAN, "fai")]
        self.assertEqual(D(self.field(tax, "value")), 848)
        self.assertEqual(tax.annual_period, "2013")
        self.assertEqual(D(self.field(tax, "annual_target")), 1550)
        self.assertEqual(self.field(tax, "annual_progress_pct"), "54.71")
        self.assertEqual(pct(D(848), D(1550)), "54.71")
        self.assertEqual(D(self.field(fai, "value")), 6035, "2013Q1 + 2013Q2")
        self.assertEqual(D(self.field(fai, "target")), 5500)
        self.assertEqual(self.field(fai, "completion_pct"), "109.73")
        self.assertEqual(pct(D(6035), D(5500)), "109.73")

    def test_county_total_is_the_sum_of_its_towns(self):
        G = agg_pb().GroupBy
        rows = self.rollup(COUNTY, "2022Q1", ["fai", "debt_locked", "debt_resolved",
                                              "debt_resolution_rate"],
                           G.Value("GROUP_BY_CHILDREN"), True)
        self.assertEqual(sorted({r for r, _ in rows}), sorted([COUNTY] + TOWNS))
        total = rows[(COUNTY, "fai")]
        towns = [D(self.field(rows[(t, "fai")], "value")) for t in TOWNS
                 if rows[(t, "fai")].HasField("value")]
        self.assertEqual(D(self.field(total, "value")), sum(towns, D(0)))
        self.assertEqual((total.reporting_units, total.expected_units), (len(towns), 10))
        # The county's rate is a ratio of sums.
        locked = D(self.field(rows[(COUNTY, "debt_locked")], "value"))
        resolved = D(self.field(rows[(COUNTY, "debt_resolved")], "value"))
        self.assertEqual(self.field(rows[(COUNTY, "debt_resolution_rate")], "value"),
                         pct(resolved, locked))

    def test_narratives_loaded(self):
        stub = harness.unary(self.server.channel(), "/huizong.v1.Aggregation/GetReport",
                             agg_pb().GetReportRequest, agg_pb().Report)
        for region, period in ((JIUJI, "2022Q1"), (WUAN, "2013S1")):
            with self.subTest(region=region, period=period):
                rep = stub(agg_pb().GetReportRequest(region_code=region, period=period),
                           metadata=pc.auth(self.admin), timeout=CALL_TIMEOUT)
                with open(os.path.join(DEMO, "narratives", "%s-%s.txt" % (region, period)),
                          encoding="utf-8") as f:
                    text = f.read()
                self.assertEqual(rep.narrative.strip(), text.strip())
                self.assertGreater(len(rep.values), 0)
        # The seed reports were submitted by the townships' own tokens.
        who = self.db.query("SELECT DISTINCT submitted_by FROM submissions"
                            " WHERE region_code = '%s' AND period = '2022Q1'" % JIUJI)
        self.assertEqual(who, [("演示-九集镇统计员",)])

    def test_rollup_csv_through_the_cli(self):
        res = subprocess.run([os.path.join(bin_dir(), "huizong"), "rollup", "--region", JIUJI,
                              "--period", "2022Q1", "--indicators", "fai,retail",
                              "--format", "csv"],
                             capture_output=True, text=True, timeout=60,
                             env=self.cli_env(self.admin))
        self.assertEqual(res.returncode, 0, res.stderr)
        rows = list(csv.DictReader(io.StringIO(res.stdout)))
        self.assertEqual([r["indicator_code"] for r in rows], ["fai", "retail"])
        fai = rows[0]
        self.assertEqual((fai["region_code"], fai["unit"], D(fai["value"]), fai["yoy_growth_pct"],
                          fai["previous_year_period"]),
                         (JIUJI, "万元", D(49000), "28.00", "2021Q1"))
        self.assertEqual((D(rows[1]["value"]), rows[1]["yoy_growth_pct"]), (D("2.55"), "16.90"))
        # The server says no: exit 1.
        res = subprocess.run([os.path.join(bin_dir(), "huizong"), "rollup", "--region",
                              "420624999", "--period", "2022Q1", "--format", "csv"],
                             capture_output=True, text=True, timeout=60,
                             env=self.cli_env(self.admin))
        self.assertEqual(res.returncode, 1, res.stdout + res.stderr)

    def test_load_sh_submitted_and_printed_the_rollups(self):
        out, err = self.first_run.stdout, self.first_run.stderr
        sent = [l for l in err.splitlines() if "submissions sent" in l]
        self.assertEqual(len(sent), 1, err)
        self.assertGreater(int(sent[0].split("demo: ", 1)[1].split()[0]), 50, sent[0])
        for title in ("九集镇 2022Q1", "武安镇 2013S1", "南漳县 2022Q1 by township"):
            self.assertIn("== " + title, out)
        # The tables show units and percentages as the analyst reads them.
        self.assertIn("28.00%", out)
        self.assertIn("109.73%", out)

    def test_load_sh_shows_the_rules_at_work(self):
        out = self.first_run.stdout
        sections = out.split("\n== ")
        refused = [s for s in sections if s.startswith("审核 (ERROR)")]
        explained = [s for s in sections if s.startswith("审核 (WARNING)")]
        county = [s for s in sections if s.startswith("审核: 南漳县 2022Q1")]
        self.assertEqual((len(refused), len(explained), len(county)), (1, 1, 1), out)
        # One refused submission with its message, the figures named.
        self.assertIn("FAILED_PRECONDITION", refused[0])
        self.assertIn("已化解村级债务 5000万元 超过锁定债务 4300万元", refused[0])
        self.assertIn("debt_resolved_le_locked", refused[0])
        # One warning accepted with its explanation (a dry run: status and
        # the built-in band's violation of 固定资产投资).
        self.assertIn("outlier.yoy.fai", explained[0])
        self.assertIn("新开工郑万高铁配套物流园项目", explained[0])
        # The growth as evaluated (the message cell may be cut to fit 120
        # columns; the figure column is never cut).
        self.assertIn("108.98", explained[0])
        # The county's check: ten townships, nothing stands.
        self.assertIn("10 township(s) checked; 0 error(s)", county[0])
        # The dry runs stored nothing: 九集镇's seed figures stand.
        self.assertEqual(self.db.query(
            "SELECT trim_scale(value)::text FROM data_values WHERE region_code = '%s'"
            " AND period = '2022Q1' AND indicator_code IN ('debt_resolved', 'fai')"
            " ORDER BY indicator_code" % JIUJI), [("1352",), ("49000",)])
        # The rules were imported from rules.csv, with the band on fai.
        self.assertEqual(self.db.query("SELECT code, severity FROM rules ORDER BY code"),
                         [("debt_resolved_cumulative", "2"), ("debt_resolved_le_locked", "1"),
                          ("medins_paid_le_due", "1")])
        self.assertEqual(self.db.query("SELECT trim_scale(yoy_band)::text FROM indicators"
                                       " WHERE code = 'fai'"), [("50",)])

    def test_second_load_is_an_idempotent_replay(self):
        tables = ("regions", "indicators", "targets", "tokens", "data_values", "submissions",
                  "reports", "audit_log", "rules")
        count_sql = "SELECT " + ", ".join("(SELECT count(*) FROM %s)" % t for t in tables)
        before = dict(zip(tables, self.db.query(count_sql)[0]))
        self.assertGreater(int(before["data_values"]), 1000)
        self.run_load()
        after = dict(zip(tables, self.db.query(count_sql)[0]))
        # Imports of unchanged rows, reused tokens and replayed submissions
        # write nothing, not even audit rows.
        self.assertEqual(after, before, "a second load.sh wrote rows")
        rows = self.rollup(JIUJI, "2022Q1", ["fai"])
        self.assertEqual(self.field(rows[(JIUJI, "fai")], "yoy_growth_pct"), "28.00")


if __name__ == "__main__":
    pc.main()
