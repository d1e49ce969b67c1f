"""What the CLIs print for people in a Chinese county office (issue 14's
output side, issue 11's CLI display), against the real huizongd and
PostgreSQL: headers in the locale's language (LANG=zh_CN.UTF-8 -> 本期,
同比; LANG=C -> English; --lang overrides), times in China Standard Time
(+08:00, --tz overrides, --since read in that zone), a compact rollup by
township that fits 120 columns for the demo county's indicators, CSV
with a byte-order mark for Excel, xlsx read back with zipfile + XML
(number cells, units in the header), typed JSON, each refusal problem
printed once, the missing-token message, level names in either
language, --columns, and the townships that have not reported named.
Expected figures come from psql, not from the CLI."""

import csv
import datetime
import decimal
import io
import json
import os
import re
import subprocess
import unicodedata
import xml.etree.ElementTree as ET
import zipfile

import pgcluster as pc
from pgcluster import TOWN_A, TOWN_B, TOWN_A3, COUNTY
from test_cli import CliTestBase, client_dir, CLI_TIMEOUT

HERE = os.path.dirname(os.path.abspath(__file__))
DEMO_INDICATORS = os.path.join(HERE, "..", "..", "deploy", "demo", "indicators.csv")
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
CST = datetime.timezone(datetime.timedelta(hours=8))


def width(line):
    """Terminal columns of a line (East Asian Wide/Fullwidth count twice)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


class CliOutputTest(CliTestBase):

    def run_cli(self, prog, *args, label="admin", lang="C", env_extra=None, token=None):
        """A CLI run with a chosen locale and no terminal; the environment
        carries no HUIZONG_*, LC_* or COLUMNS of the developer's."""
        cmd = [os.path.join(client_dir(), prog)] + list(args)
        cmd += ["--addr", self.server.address, "--timeout", "20"]
        tok = token if token is not None else (self.token(label) if label else None)
        if tok:
            cmd += ["--token", tok]
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("HUIZONG_", "LC_", "LANG", "COLUMNS"))}
        env["LANG"] = lang
        env.update(env_extra or {})
        res = subprocess.run(cmd, capture_output=True, timeout=CLI_TIMEOUT, env=env)
        res.cmdline = " ".join(cmd[:1] + [a if a != tok else "<token>" for a in cmd[1:]])
        res.text_out = res.stdout.decode("utf-8", "replace")
        res.stderr = res.stderr.decode("utf-8", "replace")
        return res

    def good(self, res):
        self.assertEqual(res.returncode, 0, "%s\n%s\n%s" % (res.cmdline, res.text_out, res.stderr))
        return res

    def submit_values(self, region, period, rows):
        path = self.values_csv("v-%s-%s.csv" % (region, period), rows)
        self.ok(self.submit_file(region, period, path))

    # -- language of headers and messages ---------------------------------------------

    def test_headers_follow_the_locale(self):
        period = pc.fresh_quarter()
        last_year = "%d%s" % (int(period[:4]) - 1, period[4:])
        self.submit_values(TOWN_A, last_year, [("fai", "1000000"), ("tax", "800")])
        self.submit_values(TOWN_A, period, [("fai", "1234567.5"), ("tax", "848")])
        args = ("rollup", "--region", TOWN_A, "--period", period, "--indicators", "fai,tax")
        zh = self.good(self.run_cli("huizong", *args, lang="zh_CN.UTF-8")).text_out
        header = zh.splitlines()[2]
        for word in ("地区", "指标", "单位", "本期", "同比"):
            self.assertIn(word, header, zh)
        en = self.good(self.run_cli("huizong", *args, lang="C")).text_out
        header = en.splitlines()[2]
        for word in ("region", "indicator", "unit", "this period", "YoY"):
            self.assertIn(word, header, en)
        self.assertNotIn("本期", en)
        # --lang wins over the locale, both ways.
        self.assertIn("this period", self.good(self.run_cli(
            "huizong", *args, "--lang", "en", lang="zh_CN.UTF-8")).text_out)
        self.assertIn("本期", self.good(self.run_cli(
            "huizong", *args, "--lang", "zh", lang="C")).text_out)
        # LC_ALL outranks LANG.
        self.assertIn("本期", self.good(self.run_cli(
            "huizong", *args, lang="C", env_extra={"LC_ALL": "zh_CN.UTF-8"})).text_out)
        # Thousands separators in the table only: csv and json keep the figure.
        self.assertIn("1,234,567.5", en)
        rows = list(csv.DictReader(io.StringIO(self.good(self.run_cli(
            "huizong", *args, "--format", "csv")).text_out)))
        self.assertEqual(rows[0]["value"], "1234567.5")
        out = json.loads(self.good(self.run_cli("huizong", *args, "--format", "json")).text_out)
        self.assertEqual(out[0]["value"], "1234567.5")

    def test_missing_token_says_what_to_do_in_the_locale(self):
        args = ("rollup", "--region", COUNTY, "--period", "2022Q1")
        res = self.run_cli("huizong", *args, label=None)
        self.assertEqual(res.returncode, 1, res.stderr)
        self.assertIn("set HUIZONG_TOKEN or pass --token", res.stderr)
        self.assertEqual(len(res.stderr.strip().splitlines()), 1, res.stderr)
        res = self.run_cli("huizong", *args, label=None, lang="zh_CN.UTF-8")
        self.assertEqual(res.returncode, 1, res.stderr)
        self.assertIn("请设置 HUIZONG_TOKEN 或使用 --token", res.stderr)
        # A token the server does not know: say so, not "set one".
        res = self.run_cli("huizong", *args, token="hz_1_notarealtoken", label=None)
        self.assertEqual(res.returncode, 1, res.stderr)
        self.assertIn("UNAUTHENTICATED", res.stderr)
        self.assertIn("token was refused", res.stderr)

    def test_each_problem_of_a_refusal_is_printed_once(self):
        period = pc.fresh_quarter()
        path = self.write("twice.csv", "indicator,value\nfai,4.9\nnope_x,1\npigs,-5\n")
        res = self.run_cli("huizong", "submit", "--region", TOWN_A, "--period", period,
                           "--file", path, label="town_a")
        self.assertEqual(res.returncode, 1, res.stderr)
        self.assertEqual(res.stderr.count("nope_x"), 1, res.stderr)
        self.assertEqual(res.stderr.count("pigs"), 1, res.stderr)
        self.assertEqual(len([l for l in res.stderr.splitlines() if "error" in l]), 1, res.stderr)
        self.assertIn("2 problems", res.stderr)

    # -- times ------------------------------------------------------------------------

    def test_times_in_china_standard_time(self):
        period = pc.fresh_quarter()
        self.submit_values(TOWN_A, period, [("fai", "1")])
        at = datetime.datetime.fromisoformat(self.db.scalar(
            "SELECT to_char(max(committed_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS')"
            " FROM submissions WHERE region_code = %s AND period = %s"
            % (pc.sql_literal(TOWN_A), pc.sql_literal(period)))).replace(
                tzinfo=datetime.timezone.utc)
        local = at.astimezone(CST).strftime("%Y-%m-%d %H:%M:%S +08:00")
        out = self.good(self.run_cli("huizong", "completeness", "--region", COUNTY, "--period",
                                     period, label="county")).text_out
        row = [l for l in out.splitlines() if l.startswith(TOWN_A)]
        self.assertEqual(len(row), 1, out)
        self.assertIn(local, row[0])
        self.assertNotRegex(out, r"\d{2}:\d{2}:\d{2}\.\d+Z")
        utc = self.good(self.run_cli("huizong", "completeness", "--region", COUNTY, "--period",
                                     period, "--tz", "UTC", label="county")).text_out
        self.assertIn(at.strftime("%Y-%m-%d %H:%M:%S +00:00"), utc)
        # --since without a zone is read in China Standard Time: one second
        # after the commit (local) finds nothing of it, one second before does.
        before = (at - datetime.timedelta(seconds=1)).astimezone(CST).strftime("%Y-%m-%d %H:%M:%S")
        after = (at + datetime.timedelta(seconds=1)).astimezone(CST).strftime("%Y-%m-%d %H:%M:%S")
        got = json.loads(self.good(self.run_cli(
            "huizong-admin", "audit", "--period", period, "--since", before, "--limit", "0",
            "--format", "json")).text_out)
        self.assertTrue(any(e["region"] == TOWN_A for e in got), got)
        got = json.loads(self.good(self.run_cli(
            "huizong-admin", "audit", "--period", period, "--since", after, "--limit", "0",
            "--format", "json")).text_out)
        self.assertEqual(got, [])
        # JSON keeps the wire's RFC 3339 UTC.
        rec = json.loads(self.good(self.run_cli(
            "huizong", "completeness", "--region", COUNTY, "--period", period, "--format",
            "json", label="county")).text_out)
        stamp = [u for u in rec if u["region"] == TOWN_A][0]["last_submitted_at"]
        self.assertTrue(stamp.endswith("Z"), stamp)

    # -- fitting the terminal -------------------------------------------------------------

    def test_rollup_by_children_fits_120_columns_with_the_demo_indicators(self):
        # The demo's quarterly indicators (long Chinese names) the fixture lacks.
        have = {r[0] for r in self.db.query("SELECT code FROM indicators")}
        with open(DEMO_INDICATORS, encoding="utf-8") as f:
            text = f.read()
        rows = list(csv.DictReader(io.StringIO(text)))
        rows = [r for r in rows if r["code"] not in have and r["frequency"] == "quarter"
                and not r["numerator"]]
        self.assertGreater(len(rows), 10)
        out = io.StringIO()
        w = csv.DictWriter(out, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)
        self.ok(self.admin("indicators", "import", self.write("demo_ind.csv", out.getvalue())))
        codes = [r["code"] for r in rows]
        period = pc.fresh_quarter()
        for i, town in enumerate((TOWN_A, TOWN_B)):
            self.submit_values(town, period, [(c, str(12345.67 * (i + 1) + k))
                                              for k, c in enumerate(codes)])
        res = self.good(self.run_cli("huizong", "rollup", "--region", COUNTY, "--period", period,
                                     "--by", "children", label="county", lang="zh_CN.UTF-8"))
        lines = res.text_out.splitlines()
        self.assertGreater(len(lines), len(codes), res.text_out)
        self.assertLessEqual(max(width(l) for l in lines), 120, res.text_out)
        self.assertIn("本期", lines[2])
        self.assertIn("24,691.34", res.text_out)
        # A narrower terminal ($COLUMNS): long names are cut first, then
        # columns on the right are left out, with a note saying so.
        res = self.good(self.run_cli("huizong", "rollup", "--region", COUNTY, "--period", period,
                                     "--by", "children", label="county",
                                     env_extra={"COLUMNS": "60"}))
        self.assertLessEqual(max(width(l) for l in res.text_out.splitlines()), 60, res.text_out)
        self.assertIn("\u2026", res.text_out)
        res = self.good(self.run_cli("huizong", "rollup", "--region", COUNTY, "--period", period,
                                     "--by", "children", label="county",
                                     env_extra={"COLUMNS": "40"}))
        self.assertLessEqual(max(width(l) for l in res.text_out.splitlines()), 40, res.text_out)
        self.assertIn("--columns", res.stderr)
        # --columns: exactly those, in that order, in any format; a name
        # the listing lacks is a usage error naming the choices.
        res = self.good(self.run_cli("huizong", "rollup", "--region", COUNTY, "--period", period,
                                     "--by", "children", "--columns", "indicator_code,region_code,value",
                                     "--format", "csv", label="county"))
        self.assertEqual(res.text_out.splitlines()[0], "indicator_code,region_code,value")
        res = self.run_cli("huizong", "rollup", "--region", COUNTY, "--period", period,
                           "--columns", "bogus", label="county")
        self.assertEqual(res.returncode, 2, res.stderr)
        self.assertIn("yoy_growth_pct", res.stderr)
        res = self.good(self.run_cli("huizong", "rollup", "--region", COUNTY, "--period", period,
                                     "--columns", "all", "--format", "csv", label="county"))
        header = res.text_out.splitlines()[0].split(",")
        for key in ("yoy_change_pp", "ytd_value", "ytd_yoy_growth_pct", "coverage_covered",
                    "change_basis"):
            self.assertIn(key, header)

    def test_levels_accepted_in_either_language(self):
        period = pc.fresh_quarter()
        self.submit_values(TOWN_A, period, [("fai", "2")])
        outs = []
        for by in ("township", "level:township", "level:4", "乡镇", "镇"):
            outs.append(json.loads(self.good(self.run_cli(
                "huizong", "rollup", "--region", COUNTY, "--period", period, "--indicators", "fai",
                "--by", by, "--format", "json", label="county")).text_out))
        self.assertEqual(len(outs[0]), 3, outs[0])
        for o in outs[1:]:
            self.assertEqual(o, outs[0])
        children = json.loads(self.good(self.run_cli(
            "huizong", "rollup", "--region", COUNTY, "--period", period, "--indicators", "fai",
            "--by", "下级", "--format", "json", label="county")).text_out)
        self.assertEqual(children, outs[0])
        res = self.run_cli("huizong", "rollup", "--region", COUNTY, "--period", period,
                           "--by", "galaxy", label="county")
        self.assertEqual(res.returncode, 2, res.stderr)
        # Period types too: 季度 is a quarter.
        self.good(self.run_cli("huizong-admin", "windows", "set", "--period-type", "季度",
                               "--days", "0"))
        self.assertEqual(self.db.query("SELECT period_type::text, days_after_end::text FROM"
                                       " submission_windows"), [("3", "0")])
        self.db.execute("DELETE FROM submission_windows")

    # -- formats -----------------------------------------------------------------------

    def test_csv_bom_for_excel(self):
        args = ("rollup", "--region", COUNTY, "--period", "2022Q1", "--indicators", "fai",
                "--format", "csv")
        plain = self.good(self.run_cli("huizong", *args, label="county")).stdout
        self.assertFalse(plain.startswith(b"\xef\xbb\xbf"))
        bom = self.good(self.run_cli("huizong", *args, "--bom", label="county")).stdout
        self.assertTrue(bom.startswith(b"\xef\xbb\xbfregion_code,"), bom[:40])
        self.assertEqual(bom[3:], plain)
        env = self.good(self.run_cli("huizong", *args, label="county",
                                     env_extra={"HUIZONG_CSV_BOM": "1"})).stdout
        self.assertEqual(env, bom)
        # --output writes the file instead of standard output.
        path = os.path.join(self.tmp, "out.csv")
        res = self.good(self.run_cli("huizong", *args, "--bom", "--output", path, label="county"))
        self.assertEqual(res.stdout, b"")
        with open(path, "rb") as f:
            self.assertEqual(f.read(), bom)

    def sheet(self, path):
        """Rows of the first sheet of an xlsx: lists of (ref, type, text),
        blank cells filled in (xlsx leaves them out)."""
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
            shared = []
            if "xl/sharedStrings.xml" in names:
                for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", NS):
                    shared.append("".join(t.text or "" for t in si.iter(
                        "{%s}t" % NS["m"])))
            root = ET.fromstring(z.read("xl/worksheets/sheet1.xml"))
            wb = ET.fromstring(z.read("xl/workbook.xml"))
        rows = []
        for row in root.find("m:sheetData", NS).findall("m:row", NS):
            cells = []
            for c in row.findall("m:c", NS):
                t = c.get("t", "n")
                v = c.find("m:v", NS)
                text = v.text if v is not None else ""
                if t == "s":
                    text = shared[int(text)]
                col = 0
                for ch in re.match(r"[A-Z]+", c.get("r")).group(0):
                    col = col * 26 + ord(ch) - 64
                while len(cells) < col - 1:
                    cells.append(("", "blank", ""))
                cells.append((c.get("r"), t, text))
            rows.append(cells)
        sheets = [s.get("name") for s in wb.find("m:sheets", NS).findall("m:sheet", NS)]
        return rows, sheets

    def test_xlsx_has_number_cells_and_units_in_the_header(self):
        period = pc.fresh_quarter()
        self.submit_values(TOWN_A, period, [("fai", "1234567.5")])
        path = os.path.join(self.tmp, "rollup.xlsx")
        self.good(self.run_cli("huizong", "rollup", "--region", TOWN_A, "--period", period,
                               "--indicators", "fai", "--format", "xlsx", "--output", path,
                               lang="zh_CN.UTF-8"))
        rows, sheets = self.sheet(path)
        self.assertEqual(sheets, ["rollup"])
        header = [c[2] for c in rows[0]]
        self.assertIn("本期", header)
        self.assertIn("同比(%)", header)
        self.assertIn("同比增减(百分点)", header)
        self.assertIn("全年进度(%)", header)
        col = header.index("本期")
        value = rows[1][col]
        self.assertEqual(value[1], "n", value)
        self.assertEqual(decimal.Decimal(value[2]), decimal.Decimal("1234567.5"))
        self.assertEqual(rows[1][header.index("指标")][1:], ("s", "固定资产投资"))
        units = rows[1][header.index("已报单位")]
        self.assertEqual((units[1], units[2]), ("n", "1"))
        # Booleans are boolean cells; without --output it is a usage error.
        path = os.path.join(self.tmp, "sub.xlsx")
        self.good(self.run_cli("huizong", "submit", "--region", TOWN_A, "--period", period,
                               "--file", self.values_csv("x.csv", [("fai", "1")]), "--dry-run",
                               "--format", "xlsx", "--output", path, label="town_a"))
        rows, _ = self.sheet(path)
        header = [c[2] for c in rows[0]]
        dry = rows[1][header.index("dry run")]
        self.assertEqual((dry[1], dry[2]), ("b", "1"))
        res = self.run_cli("huizong", "rollup", "--region", TOWN_A, "--period", period,
                           "--format", "xlsx")
        self.assertEqual(res.returncode, 2, res.stderr)
        self.assertIn("--output", res.stderr)

    def test_json_is_typed(self):
        period = pc.fresh_quarter()
        path = self.values_csv("typed.csv", [("fai", "4.9"), ("tax", "848")])
        out = json.loads(self.good(self.run_cli(
            "huizong", "submit", "--region", TOWN_A, "--period", period, "--file", path,
            "--dry-run", "--format", "json", label="town_a")).text_out)[0]
        self.assertIs(out["dry_run"], True)
        self.assertIs(out["replayed"], False)
        self.assertEqual(out["imported"], 2)
        self.assertIsInstance(out["imported"], int)
        self.submit_values(TOWN_A, period, [("fai", "4.9")])
        rows = json.loads(self.good(self.run_cli(
            "huizong", "rollup", "--region", COUNTY, "--period", period, "--indicators", "fai",
            "--format", "json", label="county")).text_out)
        self.assertEqual(rows[0]["value"], "4.9")  # a decimal figure stays a string
        self.assertEqual((rows[0]["reporting_units"], rows[0]["expected_units"]), (1, 3))
        # The existing keys stay; new fields are snake_case as in the proto.
        for key in ("region_code", "indicator_code", "yoy_growth_pct", "previous_year_value",
                    "annual_progress_pct", "yoy_change_pp", "ytd_value", "coverage_covered"):
            self.assertIn(key, rows[0])
        comp = json.loads(self.good(self.run_cli(
            "huizong", "completeness", "--region", COUNTY, "--period", period, "--format",
            "json", label="county")).text_out)
        self.assertIs(comp[0]["exception_open"], False)
        self.assertIsInstance(comp[0]["values"], int)

    # -- the statisticians' figures (issue 11) --------------------------------------------

    def two_years(self):
        last, this = pc.fresh_year(), pc.fresh_year()
        self.assertEqual(this, last + 1)
        return last, this

    def test_rates_change_in_points_and_partial_years_say_so(self):
        last, this = self.two_years()
        # growth: unit "%", so it changes in percentage points.
        self.submit_values(TOWN_A, "%dQ1" % last, [("growth", "7.86"), ("fai", "10")])
        self.submit_values(TOWN_A, "%dQ1" % this, [("growth", "31.44"), ("fai", "12")])
        for q in (2, 3, 4):
            self.submit_values(TOWN_A, "%dQ%d" % (last, q), [("fai", "10")])
        args = ("rollup", "--region", TOWN_A, "--period", "%dQ1" % this, "--indicators",
                "growth,fai")
        zh = self.good(self.run_cli("huizong", *args, lang="zh_CN.UTF-8")).text_out
        growth = [l for l in zh.splitlines() if "同比增长率" in l]
        self.assertEqual(len(growth), 1, zh)
        self.assertIn("+23.58个百分点", growth[0])
        self.assertNotIn("+300", growth[0])  # never a relative growth of a rate
        fai = [l for l in zh.splitlines() if "固定资产投资" in l][0]
        self.assertIn("+20.00%", fai)
        en = self.good(self.run_cli("huizong", *args)).text_out
        self.assertIn("+23.58 pp", en)
        rows = {r["indicator_code"]: r for r in json.loads(self.good(self.run_cli(
            "huizong", *args, "--format", "json")).text_out)}
        self.assertEqual(rows["growth"]["yoy_change_pp"], "23.58")
        self.assertIsNone(rows["growth"]["yoy_growth_pct"])
        self.assertEqual(rows["growth"]["change_basis"], "points")
        self.assertEqual(rows["fai"]["yoy_growth_pct"], "20.00")
        self.assertIsNone(rows["fai"]["yoy_change_pp"])
        # The year with only Q1: coverage 1 of 4, compared like with like.
        year = ("rollup", "--region", TOWN_A, "--period", str(this), "--indicators", "fai")
        zh = self.good(self.run_cli("huizong", *year, lang="zh_CN.UTF-8")).text_out
        self.assertIn("1/4季: Q1", zh)
        self.assertIn("覆盖", zh)
        self.assertIn("1 of 4 quarters: Q1", self.good(self.run_cli("huizong", *year)).text_out)
        row = json.loads(self.good(self.run_cli("huizong", *year, "--format", "json")).text_out)[0]
        self.assertEqual((row["coverage_covered"], row["coverage_total"], row["coverage_periods"],
                          row["coverage_complete"]), (1, 4, "%dQ1" % this, False))
        self.assertIs(row["yoy_same_subperiods"], True)
        self.assertEqual(decimal.Decimal(row["previous_year_value"]), decimal.Decimal("10"))

    def test_year_to_date_beside_this_period(self):
        last, this = self.two_years()
        for y, vals in ((last, ("10", "10")), (this, ("12", "13"))):
            for q, v in zip((1, 2), vals):
                self.submit_values(TOWN_A, "%dQ%d" % (y, q), [("fai", v)])
        args = ("rollup", "--region", TOWN_A, "--period", "%dQ2" % this, "--indicators", "fai")
        zh = self.good(self.run_cli("huizong", *args, lang="zh_CN.UTF-8")).text_out
        header, row = zh.splitlines()[2], [l for l in zh.splitlines() if "固定资产投资" in l][0]
        for word in ("本期", "同比", "累计", "累计同比"):
            self.assertIn(word, header)
        self.assertLess(header.index("本期"), header.index("累计"))
        self.assertIn("+30.00%", row)   # 13 against 10
        self.assertIn("+25.00%", row)   # 25 against 20
        out = json.loads(self.good(self.run_cli("huizong", *args, "--format", "json")).text_out)[0]
        self.assertEqual((out["ytd_from_period"], out["ytd_to_period"]),
                         ("%dQ1" % this, "%dQ2" % this))
        self.assertEqual(decimal.Decimal(out["ytd_value"]), decimal.Decimal("25"))
        self.assertEqual(out["ytd_yoy_growth_pct"], "25.00")

    def test_completeness_rates_by_children_and_partial_years(self):
        last, this = self.two_years()
        self.submit_values(TOWN_A, "%dQ1" % this, [("fai", "1")])
        self.submit_values(TOWN_A, "%dQ2" % this, [("fai", "1")])
        self.submit_values(TOWN_B, "%dQ1" % this, [("fai", "1")])
        zh = self.good(self.run_cli("huizong", "completeness", "--region", COUNTY, "--period",
                                    str(this), "--report-type", "季度", label="county",
                                    lang="zh_CN.UTF-8")).text_out
        self.assertIn("报送率", zh)
        self.assertIn("及时率", zh)
        self.assertIn("部分已报", zh)
        self.assertIn("应报", zh)
        groups = json.loads(self.good(self.run_cli(
            "huizong", "completeness", "--region", COUNTY, "--period", str(this),
            "--report-type", "quarter", "--by", "children", "--format", "json",
            label="county")).text_out)
        by = {g["region"]: g for g in groups}
        self.assertEqual(set(by), {TOWN_A, TOWN_B, TOWN_A3})
        self.assertEqual((by[TOWN_A]["expected_reports"], by[TOWN_A]["reported_reports"]),
                         (4, 2))
        self.assertEqual(by[TOWN_A]["reporting_rate_pct"], "50.00")
        self.assertEqual(by[TOWN_A3]["missing_units"], 1)
        table = self.good(self.run_cli(
            "huizong", "completeness", "--region", COUNTY, "--period", str(this),
            "--report-type", "quarter", "--by", "children", label="county",
            lang="zh_CN.UTF-8")).text_out
        self.assertIn("50.00%", table)
        self.assertIn("报送率", table.split("\n\n", 1)[1])

    # -- completeness -------------------------------------------------------------------

    def test_completeness_names_the_townships_that_have_not_reported(self):
        period = pc.fresh_quarter()
        self.submit_values(TOWN_A, period, [("fai", "1")])
        names = dict(self.db.query("SELECT code, name FROM regions WHERE code IN (%s, %s)"
                                   % (pc.sql_literal(TOWN_B), pc.sql_literal(TOWN_A3))))
        zh = self.good(self.run_cli("huizong", "completeness", "--region", COUNTY, "--period",
                                    period, label="county", lang="zh_CN.UTF-8")).text_out
        line = [l for l in zh.splitlines() if l.startswith("未报：")]
        self.assertEqual(len(line), 1, zh)
        for code, name in names.items():
            self.assertIn("%s(%s)" % (name, code), line[0])
        self.assertIn("未报", zh.split("\n\n", 1)[1])  # the state column, in Chinese
        en = self.good(self.run_cli("huizong", "completeness", "--region", COUNTY, "--period",
                                    period, label="county")).text_out
        self.assertIn("not reported:", en)
        self.assertIn("missing", en)


if __name__ == "__main__":
    pc.main()
