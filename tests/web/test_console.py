"""The web console in a real browser (tests/web/console.mjs, Playwright
driving Debian's Chromium) against a real huizongd serving client/web/dist
with --web-root, on a private PostgreSQL (tests/integration/pgcluster.py).

This file prepares what the scenario needs and checks what it left in the
database independently of the browser: the regions, indicators and tokens
of the integration fixture, last year's and last quarter's figures of two
townships (so 同比 and 环比 have a base and the chart two bars), then runs
`node console.mjs` and reads back the stored value and the approval.

Fails, never skips, when something it needs is missing, saying what to
run: node, client/web/node_modules (npm ci), client/web/dist (npm run
build), Chromium (apt-get install chromium).
"""

import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))

import harness  # noqa: E402
import pgcluster as pc  # noqa: E402

WEB = os.path.join(ROOT, "client", "web")
DIST = os.path.join(WEB, "dist")
CHROMIUM = os.environ.get("HZ_CHROMIUM", "/usr/bin/chromium")
SHOTS = os.environ.get("HZ_SHOTS") or os.path.join(ROOT, "build", "tests", "web", "screenshots")
NODE_TIMEOUT = 420
PERIOD, LAST_YEAR, LAST_QUARTER = "2022Q1", "2021Q1", "2021Q4"
TOWN, OTHER = pc.TOWN_A, pc.TOWN_B  # 武安镇, 九集镇 of 南漳县


def missing_prerequisites():
    """What is not there, each with the command that provides it."""
    out = []
    if not shutil.which("node"):
        out.append("node is not installed: apt-get install nodejs")
    if not os.path.isfile(os.path.join(WEB, "node_modules", "playwright-core", "package.json")):
        out.append("client/web/node_modules is missing: cd client/web && npm ci")
    if not os.path.isfile(os.path.join(DIST, "index.html")):
        out.append("client/web/dist is not built: cd client/web && npm ci && npm run build")
    if not os.access(CHROMIUM, os.X_OK):
        out.append("%s is missing: apt-get install chromium" % CHROMIUM)
    return out


class ConsoleTest(pc.PgServerTestCase):
    server_args = ("--web-root", DIST)

    @classmethod
    def setUpClass(cls):
        missing = missing_prerequisites()
        if missing:
            raise RuntimeError("the console test cannot run:\n  " + "\n  ".join(missing))
        super().setUpClass()

    def submit(self, label, region, period, values):
        req = pc.submit_request(region, period, values)
        pc.call_with_db_retry(self.rep().submit, req, metadata=self.md(label), timeout=20)

    def seed(self):
        self.submit("town_a", TOWN, LAST_YEAR, [("fai", "3.5"), ("tax", "800"), ("pigs", "15000")])
        self.submit("town_a", TOWN, LAST_QUARTER, [("fai", "5"), ("tax", "900")])
        self.submit("town_b", OTHER, PERIOD, [("fai", "2"), ("tax", "300")])
        self.submit("town_b", OTHER, LAST_YEAR, [("fai", "1.6")])

    def run_browser(self):
        fields = [i for i in pc.INDICATORS if i[3] == pc.QUARTER and i[8] is None]
        expect = {
            "first": "fai",
            "typed": [["fai", "4,9"], ["tax", "850"], ["pigs", "16000"]],
            "fai": "4.9",
            "faiShown": "4.9 亿元",
            "yoyShown": "增长40.00%",  # (4.9 - 3.5) / 3.5
            "lastYear": "3.5",
            "fieldCount": len(fields),
            "narrative": "一季度完成固定资产投资4.9亿元。",
            "periodName": "2022年第一季度",
            "townName": "武安镇",
        }
        env = dict(os.environ)
        env.update({
            "HZ_URL": "http://%s" % self.server.address,
            "HZ_WEB_DIR": WEB,
            "HZ_SHOTS": SHOTS,
            "HZ_PERIOD": PERIOD,
            "HZ_TOWN": TOWN,
            "HZ_COUNTY": pc.COUNTY,
            "HZ_TOKEN_TOWN": self.token("town_a"),
            "HZ_TOKEN_COUNTY": self.token("county"),
            "HZ_TOKEN_ADMIN": self.token("admin"),
            "HZ_EXPECT": json.dumps(expect, ensure_ascii=False),
        })
        res = subprocess.run(["node", os.path.join(HERE, "console.mjs")], env=env, cwd=WEB,
                             capture_output=True, text=True, timeout=NODE_TIMEOUT)
        sys.stderr.write(res.stdout + res.stderr)
        self.assertEqual(res.returncode, 0, "the browser scenario failed (output above); "
                         "screenshots so far in %s" % SHOTS)

    def test_console_scenario(self):
        self.seed()
        self.run_browser()
        # What the browser did, read from the database, not from the UI.
        stored = self.db.scalar(
            "SELECT value::text FROM data_values WHERE region_code = '%s'"
            " AND indicator_code = 'fai' AND period = '%s'" % (TOWN, PERIOD))
        self.assertEqual(pc.decimal.Decimal(stored), pc.decimal.Decimal("4.9"))
        approved_by, narrative = self.db.query(
            "SELECT approved_by, narrative FROM reports WHERE region_code = '%s'"
            " AND period = '%s'" % (TOWN, PERIOD))[0]
        self.assertEqual(approved_by, self.fixture.token_names["county"])
        self.assertIn("4.9亿元", narrative)
        for name in ("1-entry-mistyped", "4-dashboard", "6-dashboard-approved", "8-audit"):
            path = os.path.join(SHOTS, name + ".png")
            self.assertTrue(os.path.getsize(path) > 10000, "screenshot %s" % path)


if __name__ == "__main__":
    pc.main()
