"""The input side of `huizong` end to end against the real huizongd and
PostgreSQL: a GBK CSV read with the encoding named, `huizong indicators`
for a clerk, a template written by `huizong template`, filled in as an
Excel workbook and submitted, blank values not reported, indicator names
in place of codes, did-you-mean for a mistyped code, and `submit --bulk`:
100 townships x 4 quarters through one SubmitStream (counted by a proxy
that reads the HTTP/2 request paths), with progress lines, a refused group
reported with its problem and exit 1, and re-runs that store nothing new.
What the CLI printed is checked against the rows psql reads."""

import csv
import io
import json
import os
import socket
import subprocess
import sys
import threading
import zipfile
from xml.sax.saxutils import escape

import h2.config
import h2.connection
import h2.events

import pgcluster as pc
from pgcluster import TOWN_A, TOWN_B, CITY
from test_cli import CliTestBase, client_dir, CLI_TIMEOUT

BULK_COUNTY = "420626"
BULK_TOWNS = ["420626%03d" % (100 + i) for i in range(100)]

EXTRA_INDICATORS = (
    "code,name,unit,frequency,time_aggregation,region_aggregation,min\n"
    "retail,社会消费品零售总额,万元,quarter,sum,sum,0\n")


class PathCountingProxy:
    """A TCP proxy in front of huizongd that reads the client's HTTP/2
    frames with python3-h2 (only to observe them) and counts the request
    paths, so a test can tell how many calls of each method the CLI made."""

    def __init__(self, target):
        host, port = target.rsplit(":", 1)
        self.target = (host, int(port))
        self.paths = []
        self.lock = threading.Lock()
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.address = "127.0.0.1:%d" % self.sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            threading.Thread(target=self._pump, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, False),
                             daemon=True).start()

    def _pump(self, src, dst, observe):
        observer = None
        if observe:
            observer = h2.connection.H2Connection(h2.config.H2Configuration(
                client_side=False, validate_inbound_headers=False))
            observer.initiate_connection()
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
                if observer is not None:
                    self._observe(observer, data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def _observe(self, observer, data):
        for ev in observer.receive_data(data):
            if isinstance(ev, h2.events.RequestReceived):
                path = dict((k.decode() if isinstance(k, bytes) else k,
                             v.decode() if isinstance(v, bytes) else v)
                            for k, v in ev.headers).get(":path")
                with self.lock:
                    self.paths.append(path)
            elif isinstance(ev, h2.events.DataReceived):
                observer.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
        observer.data_to_send()  # the observer's own frames go nowhere

    def count(self, method):
        with self.lock:
            return sum(1 for p in self.paths if p and p.endswith("/" + method))

    def close(self):
        self.sock.close()


class CliInputTest(CliTestBase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        admin = cls._admin_env()
        path = os.path.join(cls.tmp, "extra_indicators.csv")
        with open(path, "w", encoding="utf-8") as f:
            f.write(EXTRA_INDICATORS)
        cls._run_admin(admin, "indicators", "import", path)
        regions = ["code,name,level,parent_code", "%s,保康县,county,%s" % (BULK_COUNTY, CITY)]
        regions += ["%s,乡镇%d,township,%s" % (t, i, BULK_COUNTY) for i, t in enumerate(BULK_TOWNS)]
        path = os.path.join(cls.tmp, "bulk_regions.csv")
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(regions) + "\n")
        cls._run_admin(admin, "regions", "import", path)

    @classmethod
    def _admin_env(cls):
        return ["--addr", cls.server.address, "--token", cls.fixture.tokens["admin"]]

    @classmethod
    def _run_admin(cls, common, *args):
        res = subprocess.run([os.path.join(client_dir(), "huizong-admin")] + list(args) + common,
                             capture_output=True, text=True, timeout=CLI_TIMEOUT)
        if res.returncode != 0:
            raise RuntimeError("huizong-admin %s failed: %s" % (" ".join(args), res.stderr))

    def run_cli(self, *args, label="admin", lang="en", addr=None, input_bytes=None):
        """huizong with the message language set; returns CompletedProcess
        with text stdout/stderr (stderr is a pipe: plain progress lines)."""
        cmd = [os.path.join(client_dir(), "huizong")] + list(args)
        cmd += ["--addr", addr or self.server.address, "--timeout", "60",
                "--token", self.token(label), "--lang", lang]
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("HUIZONG_") and k not in ("LANG", "LC_ALL", "LC_MESSAGES")}
        res = subprocess.run(cmd, capture_output=True, timeout=CLI_TIMEOUT * 3, env=env,
                             input=input_bytes)
        res.stdout = res.stdout.decode("utf-8")
        res.stderr = res.stderr.decode("utf-8")
        res.cmdline = " ".join(a for a in cmd if a != self.token(label))
        return res

    def run_tty(self, *args):
        """huizong with stderr on a pseudo-terminal (stdout a pipe): returns
        (exit code, stdout text, what the terminal received)."""
        import pty
        import select
        cmd = [os.path.join(client_dir(), "huizong")] + list(args)
        cmd += ["--addr", self.server.address, "--timeout", "60", "--token", self.token("admin"),
                "--lang", "en"]
        master, slave = pty.openpty()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=slave, stdin=subprocess.DEVNULL)
        os.close(slave)
        got = b""
        while True:
            ready, _, _ = select.select([master], [], [], CLI_TIMEOUT)
            if not ready:
                proc.kill()
                self.fail("%s: no terminal output for %ds" % (" ".join(args), CLI_TIMEOUT))
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            got += chunk
        os.close(master)
        out = proc.stdout.read().decode("utf-8")
        proc.stdout.close()
        return proc.wait(timeout=CLI_TIMEOUT), out, got.decode("utf-8", "replace")

    def test_progress_redrawn_on_a_terminal(self):
        year = pc.fresh_year()
        rows = [["region", "period", "indicator", "value"]]
        rows += [[t, "%dQ1" % year, "fai", "1.5"] for t in BULK_TOWNS[:30]]
        path = self.write("tty.csv", "".join(",".join(r) + "\n" for r in rows))
        code, out, term = self.run_tty("submit", "--bulk", path, "--format", "csv")
        self.assertEqual(code, 0, term)
        self.assertEqual(len(out.splitlines()), 31)
        self.assertIn("\r", term)
        self.assertRegex(term, r"\[[#.]{24}\] \d+/30 groups sent")
        self.assertIn("30 groups, 30 values: 30 accepted", term)
        # export: records so far and the rate, on the terminal only.
        code, out, term = self.run_tty("export", "--region", BULK_COUNTY, "--from",
                                       "%dQ1" % year, "--to", "%dQ4" % year, "--format", "csv")
        self.assertEqual(code, 0, term)
        self.assertEqual(len(out.splitlines()), 31)
        self.assertIn("30 records exported in", term)

    # -- encodings ---------------------------------------------------------------------

    def test_gbk_csv_accepted_with_the_encoding_named(self):
        period = pc.fresh_quarter()
        text = "指标代码,本期数值,备注\nfai,4.90,含省重点项目\ntax,848,\n"
        path = self.write("gbk.csv", data=text.encode("gbk"))
        res = self.expect(self.run_cli("submit", "--region", TOWN_A, "--period", period,
                                       "--file", path, "--format", "json", label="town_a"), 0)
        self.assertIn("reading %s: decoded as GB18030" % path, res.stderr)
        self.assertEqual(res.stderr.count("GB18030"), 1, res.stderr)
        self.assertEqual(self.stored(TOWN_A, period),
                         {"fai": ("4.9", "含省重点项目"), "tax": ("848", "")})
        # Chinese messages under a Chinese locale.
        period = pc.fresh_quarter()
        res = self.expect(self.run_cli("submit", "--region", TOWN_A, "--period", period,
                                       "--file", path, label="town_a", lang="zh"), 0)
        self.assertIn("读取 %s: 按 GB18030 编码解读" % path, res.stderr)
        # UTF-8 says nothing about its encoding; bytes that are neither: exit 2.
        period = pc.fresh_quarter()
        utf8 = self.write("utf8.csv", text)
        res = self.expect(self.run_cli("submit", "--region", TOWN_A, "--period", period,
                                       "--file", utf8, label="town_a"), 0)
        self.assertNotIn("decoded as", res.stderr)
        before = self.db.counts()
        bad = self.write("bad.csv", data=b"indicator,value\nfai,\xff\xff\n")
        self.expect(self.run_cli("submit", "--region", TOWN_A, "--period", period, "--file", bad,
                                 label="town_a"), 2, "line 2", "neither UTF-8 nor GB18030")
        self.assertEqual(self.db.counts(), before)

    def test_catalog_never_stops_the_retries_of_a_submission(self):
        """Nothing listens: the catalog cannot be read, yet submit goes on to
        its own call and retries it with one submission id, as before."""
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            dead = "127.0.0.1:%d" % s.getsockname()[1]
        path = self.write("away.csv", "indicator,value\nfai,1\n")
        res = self.expect(self.run_cli("submit", "--region", TOWN_A, "--period",
                                       pc.fresh_quarter(), "--file", path, label="town_a",
                                       addr=dead), 1, "gave up after 6 attempts",
                          "--submission-id")

    # -- codes for clerks --------------------------------------------------------------

    def test_indicators_lists_codes_for_a_clerk(self):
        res = self.expect(self.run_cli("indicators", "--period-type", "季度", "--format", "json",
                                       label="town_a"), 0)
        rows = {r["code"]: r for r in json.loads(res.stdout)}
        self.assertEqual(rows["retail"]["name"], "社会消费品零售总额")
        self.assertEqual((rows["fai"]["unit"], rows["fai"]["frequency"], rows["fai"]["min"]),
                         ("亿元", "quarter", "0"))
        self.assertNotIn("vacc", rows)        # monthly
        self.assertNotIn("debt_ratio", rows)  # computed, never submitted
        want = {r[0] for r in self.db.query("SELECT code FROM indicators WHERE period_type = 3"
                                            " AND ratio_numerator IS NULL")}
        self.assertEqual(set(rows), want)

    def test_chinese_name_accepted_and_retial_gets_a_suggestion(self):
        period = pc.fresh_quarter()
        path = self.write("names.csv", "indicator,value\n固定资产投资,4.9\nretail,120\n")
        self.expect(self.run_cli("submit", "--region", TOWN_B, "--period", period, "--file", path,
                                 label="town_b"), 0)
        self.assertEqual(self.stored(TOWN_B, period), {"fai": ("4.9", ""), "retail": ("120", "")})
        period = pc.fresh_quarter()
        before = self.db.counts()
        path = self.write("typo.csv", "indicator,value\nfai,4.9\nretial,120\n")
        res = self.expect(self.run_cli("submit", "--region", TOWN_B, "--period", period,
                                       "--file", path, label="town_b"), 1, "NOT_FOUND")
        hits = [l for l in res.stderr.splitlines()
                if l.startswith("line 3:") and "did you mean retail (社会消费品零售总额)?" in l]
        self.assertEqual(len(hits), 1, res.stderr)
        self.assertEqual(res.stderr.count("did you mean"), 1, res.stderr)
        # Each problem once: the status summary does not repeat it.
        self.assertEqual(len([l for l in res.stderr.splitlines() if "retial" in l]), 1,
                         res.stderr)
        self.assertEqual(self.db.counts(), before)

    # -- the template, filled in Excel -------------------------------------------------

    def test_template_filled_as_xlsx_and_submitted(self):
        y1, y2 = pc.fresh_year(), pc.fresh_year()  # consecutive: no other test's rows
        self.assertEqual(y2, y1 + 1)
        last, period = "%dQ1" % y1, "%dQ1" % y2
        seed = self.write("last.csv", "indicator,value\nfai,38281.25\nretail,21813.5\n")
        self.expect(self.run_cli("submit", "--region", TOWN_A, "--period", last, "--file", seed,
                                 label="town_a"), 0)
        res = self.expect(self.run_cli("template", "--region", TOWN_A, "--period", period,
                                       label="town_a", lang="zh"), 0)
        rows = list(csv.reader(io.StringIO(res.stdout)))
        self.assertEqual(rows[0], ["指标代码", "指标名称", "计量单位", "上年同期", "本期数值", "备注"])
        sheet = {r[0]: r for r in rows[1:]}
        self.assertEqual(sheet["fai"][1:4], ["固定资产投资", "亿元", "38281.25"])
        self.assertEqual(sheet["retail"][3], "21813.5")
        self.assertEqual(sheet["tax"][3], "")
        self.assertNotIn("vacc", sheet)
        self.assertTrue(all(r[4] == "" and r[5] == "" for r in rows[1:]), rows)
        en = self.expect(self.run_cli("template", "--region", TOWN_A, "--period", period,
                                      label="town_a"), 0)
        self.assertEqual(en.stdout.splitlines()[0], "code,name,unit,last_year,value,comment")

        # The same sheet as a workbook, read back with zipfile: headers,
        # last year's value as a number cell, empty value cells.
        book = os.path.join(self.tmp, "template.xlsx")
        self.expect(self.run_cli("template", "--region", TOWN_A, "--period", period,
                                 "--format", "xlsx", "--output", book, label="town_a",
                                 lang="zh"), 0)
        cells = read_xlsx(book)
        self.assertEqual([cells[(1, c)][1] for c in range(6)], rows[0])
        fai_row = next(r for (r, c), v in cells.items() if c == 0 and v[1] == "fai")
        self.assertEqual(cells[(fai_row, 3)], ("n", "38281.25"))
        self.assertNotIn((fai_row, 4), cells)

        # The clerk fills in two figures in Excel, leaves the rest blank.
        filled = [rows[0]]
        for r in rows[1:]:
            value = {"fai": 49000, "retail": "25500.50"}.get(r[0], "")
            filled.append(r[:4] + [value, "含重点项目" if r[0] == "fai" else ""])
        path = self.write("filled.xlsx", data=xlsx_bytes(filled))
        res = self.expect(self.run_cli("submit", "--region", TOWN_A, "--period", period,
                                       "--file", path, "--format", "json", label="town_a"), 0)
        self.assertEqual(json.loads(res.stdout)[0]["imported"], 2)
        self.assertIn("%d indicators without a value: not reported this time" % (len(rows) - 3),
                      res.stderr)
        self.assertEqual(self.stored(TOWN_A, period),
                         {"fai": ("49000", "含重点项目"), "retail": ("25500.5", "")})

    # -- bulk ----------------------------------------------------------------------------

    def bulk_rows(self, year, refused=None):
        """100 townships x 4 quarters, fai and retail; a blank retail on
        the first township's Q2; `refused` = (town, quarter) gets fai -1."""
        rows = [["region", "period", "indicator", "value", "comment"]]
        for q in range(1, 5):
            for i, town in enumerate(BULK_TOWNS):
                period = "%dQ%d" % (year, q)
                fai = "-1" if refused == (town, period) else "%d.%02d" % (100 + i, q)
                rows.append([town, period, "fai", fai, "批量" if i == 0 else ""])
                retail = "" if (i == 0 and q == 2) else "%d" % (1000 * q + i)
                rows.append([town, period, "retail", retail, ""])
        return rows

    def bulk_stored(self, year):
        return int(self.db.scalar(
            "SELECT count(*) FROM data_values WHERE region_code LIKE '%s%%' AND period LIKE '%dQ%%'"
            % (BULK_COUNTY, year)))

    def test_bulk_100_townships_4_quarters_one_stream(self):
        year = pc.fresh_year()
        bad = (BULK_TOWNS[42], "%dQ3" % year)
        rows = self.bulk_rows(year, refused=bad)
        path = self.write("bulk.csv", "".join(",".join(r) + "\n" for r in rows))
        bad_line = next(i + 1 for i, r in enumerate(rows)
                        if (r[0], r[1], r[2]) == (bad[0], bad[1], "fai"))
        proxy = PathCountingProxy(self.server.address)
        try:
            res = self.run_cli("submit", "--bulk", path, "--format", "csv", addr=proxy.address)
            self.assertEqual(proxy.count("SubmitStream"), 1, proxy.paths)
            self.assertEqual(proxy.count("Submit"), 0, proxy.paths)
        finally:
            proxy.close()
        self.expect(res, 1)
        summary = list(csv.DictReader(io.StringIO(res.stdout)))
        self.assertEqual(len(summary), 400)
        by_state = {}
        for s in summary:
            by_state.setdefault(s["status"], []).append(s)
        self.assertEqual(len(by_state["accepted"]), 399, res.stdout[:2000])
        (refused,) = by_state["refused"]
        self.assertEqual((refused["region"], refused["period"]), bad)
        self.assertIn("INVALID_ARGUMENT", refused["problems"])
        self.assertIn("line %d:" % bad_line, refused["problems"])
        self.assertEqual(refused["problems"].count("fai"), 1, refused["problems"])
        # Progress: plain lines on a pipe, tenths of the groups sent, then the total.
        progress = [l for l in res.stderr.splitlines() if "groups sent" in l]
        self.assertGreaterEqual(len(progress), 10, res.stderr)
        self.assertIn("400/400 groups sent", res.stderr)
        self.assertIn("400 groups, 799 values: 399 accepted, 0 already accepted", res.stderr)
        self.assertNotIn("\r", res.stderr)
        # 399 groups x 2 values, minus the blank one.
        self.assertEqual(self.bulk_stored(year), 399 * 2 - 1)
        self.assertEqual(self.stored(BULK_TOWNS[0], "%dQ1" % year)["fai"], ("100.01", "批量"))
        self.assertNotIn("retail", self.stored(BULK_TOWNS[0], "%dQ2" % year))
        self.assertEqual(self.stored(bad[0], bad[1]), {})

        # A re-run stores nothing new: every accepted group is a replay.
        counts = self.db.counts()
        again = self.expect(self.run_cli("submit", "--bulk", path, "--format", "json"), 1)
        out = json.loads(again.stdout)
        self.assertEqual(sorted({o["status"] for o in out}), ["already accepted", "refused"])
        self.assertEqual(sum(o["status"] == "already accepted" for o in out), 399)
        self.assertEqual(self.db.counts(), counts, "a re-run wrote rows")
        ids = {(o["region"], o["period"]): o["submission_id"] for o in out}
        self.assertEqual(ids, {(s["region"], s["period"]): s["submission_id"] for s in summary})

        # The refused row fixed: that group alone is stored.
        rows[bad_line - 1][3] = "7.5"
        path = self.write("bulk_fixed.csv", "".join(",".join(r) + "\n" for r in rows))
        fixed = self.expect(self.run_cli("submit", "--bulk", path, "--format", "csv"), 0)
        states = [s["status"] for s in csv.DictReader(io.StringIO(fixed.stdout))]
        self.assertEqual((states.count("accepted"), states.count("already accepted")), (1, 399))
        self.assertEqual(self.stored(bad[0], bad[1])["fai"], ("7.5", ""))
        self.assertEqual(self.bulk_stored(year), 400 * 2 - 1)

    def test_bulk_json_and_xlsx_with_chinese_headers(self):
        year = pc.fresh_year()
        doc = {"rows": [{"region": int(TOWN_A), "period": "%dQ1" % year, "indicator": "fai",
                         "value": "1.5"},
                        {"region": TOWN_B, "period": "%dQ1" % year, "indicator": "社会消费品零售总额",
                         "value": 300, "comment": "估算"}]}
        path = self.write("bulk.json", json.dumps(doc, ensure_ascii=False))
        res = self.expect(self.run_cli("submit", "--bulk", path, "--format", "csv"), 0)
        self.assertEqual(len(list(csv.DictReader(io.StringIO(res.stdout)))), 2)
        self.assertEqual(self.stored(TOWN_B, "%dQ1" % year), {"retail": ("300", "估算")})
        sheet = [["地区代码", "地区名称", "报告期", "指标代码", "本期数值", "备注"],
                 [int(TOWN_A), "武安镇", "%dQ2" % year, "fai", 2.25, ""],
                 [int(TOWN_A), "武安镇", "%dQ2" % year, "tax", "", ""],
                 [int(TOWN_B), "九集镇", "%dQ2" % year, "retail", 77, "x"]]
        path = self.write("bulk.xlsx", data=xlsx_bytes(sheet))
        res = self.expect(self.run_cli("submit", "--bulk", path, "--format", "json"), 0)
        self.assertEqual([o["status"] for o in json.loads(res.stdout)], ["accepted", "accepted"])
        self.assertEqual(self.stored(TOWN_A, "%dQ2" % year), {"fai": ("2.25", "")})
        # Local problems: listed by row, nothing sent, exit 2.
        before = self.db.counts()
        sheet[2][3] = "fai"  # fai twice for one township and period
        sheet[2][4] = 3
        path = self.write("dup.xlsx", data=xlsx_bytes(sheet))
        self.expect(self.run_cli("submit", "--bulk", path), 2, "row 3:", "already on row 2",
                    "nothing was sent")
        self.assertEqual(self.db.counts(), before)


class CliBulkDemoTest(pc.PgServerTestCase):
    """The demo's values.csv (deploy/demo: region, period, indicator,
    value, comment) loads with one `huizong submit --bulk`, as the demo's
    load script could instead of one submit per township and period."""

    load_fixture = False

    def test_demo_values_csv_in_one_bulk_load(self):
        demo = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
            os.path.abspath(__file__)))), "deploy", "demo")
        token = pc.token_create_cli(self.db, "admin", "demo-admin")
        common = ["--addr", self.server.address, "--token", token, "--timeout", "120"]
        env = {k: v for k, v in os.environ.items() if not k.startswith("HUIZONG_")}

        def run(prog, *args):
            return subprocess.run([os.path.join(client_dir(), prog)] + list(args) + common,
                                  capture_output=True, text=True, timeout=CLI_TIMEOUT * 5,
                                  env=env)

        for what in ("regions", "indicators"):
            res = run("huizong-admin", what, "import", os.path.join(demo, what + ".csv"))
            self.assertEqual(res.returncode, 0, res.stderr)
        with open(os.path.join(demo, "values.csv"), encoding="utf-8") as f:
            rows = [r for r in csv.DictReader(f) if r["value"].strip()]
        groups = {(r["region"], r["period"]) for r in rows}
        path = os.path.join(demo, "values.csv")
        res = run("huizong", "submit", "--bulk", path, "--format", "json")
        self.assertEqual(res.returncode, 0, res.stderr[-3000:])
        sys.stderr.write("demo bulk load: %s\n" % res.stderr.strip().splitlines()[-1])
        out = json.loads(res.stdout)
        self.assertEqual(len(out), len(groups))
        self.assertEqual({o["status"] for o in out}, {"accepted"})
        self.assertEqual(self.db.count("data_values"), len(rows))
        self.assertEqual(self.db.count("submissions"), len(groups))
        counts = self.db.counts()
        res = run("huizong", "submit", "--bulk", path, "--format", "json")
        self.assertEqual(res.returncode, 0, res.stderr[-3000:])
        self.assertEqual({o["status"] for o in json.loads(res.stdout)}, {"already accepted"})
        self.assertEqual(self.db.counts(), counts)


def read_xlsx(path):
    """The first sheet's cells {(row, col): (type, text)} (type "s" for
    text, "n" for numbers), read with zipfile and ElementTree."""
    import xml.etree.ElementTree as ET
    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        sst = []
        if "xl/sharedStrings.xml" in names:
            for si in ET.fromstring(z.read("xl/sharedStrings.xml")).iter(ns + "si"):
                sst.append("".join(t.text or "" for t in si.iter(ns + "t")))
        sheet = ET.fromstring(z.read("xl/worksheets/sheet1.xml"))
    cells = {}
    for c in sheet.iter(ns + "c"):
        ref = c.get("r")
        col = ord(ref[0]) - ord("A")
        row = int(ref[1:])
        t = c.get("t")
        v = c.find(ns + "v")
        if t == "s":
            cells[(row, col)] = ("s", sst[int(v.text)])
        elif t == "inlineStr":
            cells[(row, col)] = ("s", "".join(x.text or "" for x in c.iter(ns + "t")))
        elif t == "str":
            cells[(row, col)] = ("s", v.text or "")
        elif v is not None:
            cells[(row, col)] = ("n", v.text)
    return cells


def xlsx_bytes(rows):
    """A minimal .xlsx (first sheet only) written with zipfile: strings as
    shared strings, numbers as number cells, empty cells left out."""
    strings, index = [], {}

    def sst(s):
        if s not in index:
            index[s] = len(strings)
            strings.append(s)
        return index[s]

    def col(i):
        return chr(ord("A") + i)

    out = []
    for r, row in enumerate(rows, start=1):
        cells = []
        for c, v in enumerate(row):
            ref = "%s%d" % (col(c), r)
            if v == "" or v is None:
                continue
            if isinstance(v, (int, float)):
                cells.append('<c r="%s"><v>%s</v></c>' % (ref, v))
            else:
                cells.append('<c r="%s" t="s"><v>%d</v></c>' % (ref, sst(str(v))))
        out.append('<row r="%d">%s</row>' % (r, "".join(cells)))
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    files = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        "xl/workbook.xml": '<?xml version="1.0"?><workbook %s xmlns:r="%s"><sheets>'
                           '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
                           % (ns, rel),
        "xl/_rels/workbook.xml.rels":
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="%s/worksheet" '
            'Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="%s/sharedStrings" '
            'Target="sharedStrings.xml"/></Relationships>' % (rel, rel),
        "xl/worksheets/sheet1.xml": '<?xml version="1.0"?><worksheet %s><sheetData>%s'
                                    '</sheetData></worksheet>' % (ns, "".join(out)),
        "xl/sharedStrings.xml": '<?xml version="1.0" encoding="UTF-8"?><sst %s>%s</sst>'
                                % (ns, "".join("<si><t>%s</t></si>" % escape(s)
                                               for s in strings)),
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files.items():
            z.writestr(name, text.encode("utf-8"))
    return buf.getvalue()


if __name__ == "__main__":
    pc.main()
