"""The two CLIs, `huizong` and `huizong-admin`, end to end against the real
huizongd and PostgreSQL: health, imports, tokens, submitting CSV and JSON
files (refusals listed against the file's lines, dry runs, retries with
one submission id), rollups as CSV and JSON, approve / reopen, deadline
exceptions, the audit trail as JSON, and the exit codes the brief fixes
(0 success, 1 the server said no, 2 usage). What the CLI printed is
checked against the rows psql reads, not against the CLI's own word.

The binaries are found next to huizongd: <builddir>/client/huizong and
<builddir>/client/huizong-admin (HUIZONGD is <builddir>/service/huizongd);
HZ_CLIENT_DIR overrides the directory."""

import csv
import decimal
import hashlib
import io
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time

import pgcluster as pc
from pgcluster import TOWN_A, TOWN_B, TOWN_A3, TOWN_C, COUNTY, COUNTY2, CITY

CLI_TIMEOUT = 60  # seconds a single CLI run may take before the test fails


def client_dir():
    d = os.environ.get("HZ_CLIENT_DIR")
    if not d:
        import harness
        d = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(
            harness.huizongd_path()))), "client")
    return d


def D(s):
    return decimal.Decimal(s)


def lit(v):
    return pc.sql_literal(v)


def free_port():
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class CliTestBase(pc.PgServerTestCase):

    @classmethod
    def setUpClass(cls):
        for prog in ("huizong", "huizong-admin"):
            path = os.path.join(client_dir(), prog)
            if not os.access(path, os.X_OK):
                raise RuntimeError("%s is not built (looked in %s; set HZ_CLIENT_DIR)"
                                   % (prog, client_dir()))
        super().setUpClass()
        cls.tmp = tempfile.mkdtemp(prefix="hz-cli-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)
        super().tearDownClass()

    # -- running the CLIs ------------------------------------------------------------

    def cli(self, prog, *args, label="admin", token=None, addr=None, input=None, fmt=None):
        """Runs a CLI; returns CompletedProcess with text stdout/stderr.
        The server address and token go as flags; the environment carries
        no HUIZONG_* variable of the developer's."""
        cmd = [os.path.join(client_dir(), prog)] + list(args)
        cmd += ["--addr", addr or self.server.address, "--timeout", "20"]
        tok = token if token is not None else (self.token(label) if label else None)
        if tok:
            cmd += ["--token", tok]
        if fmt:
            cmd += ["--format", fmt]
        env = {k: v for k, v in os.environ.items() if not k.startswith("HUIZONG_")}
        res = subprocess.run(cmd, capture_output=True, input=input, timeout=CLI_TIMEOUT, env=env,
                             text=True)
        res.cmdline = " ".join(cmd[:1] + [a if a != tok else "<token>" for a in cmd[1:]])
        return res

    def huizong(self, *args, **kw):
        return self.cli("huizong", *args, **kw)

    def admin(self, *args, **kw):
        return self.cli("huizong-admin", *args, **kw)

    def expect(self, res, code, *stderr_has):
        self.assertEqual(res.returncode, code, "%s\nexit %d\nstdout:\n%s\nstderr:\n%s"
                         % (res.cmdline, res.returncode, res.stdout, res.stderr))
        for s in stderr_has:
            self.assertIn(s, res.stderr, "%s: stderr lacks %r" % (res.cmdline, s))
        return res

    def ok(self, res):
        return self.expect(res, 0)

    def json_out(self, res):
        self.ok(res)
        try:
            return json.loads(res.stdout)
        except ValueError as e:
            self.fail("%s printed no JSON (%s):\n%s" % (res.cmdline, e, res.stdout))

    def record(self, res):
        """The one object of a JSON record output."""
        out = self.json_out(res)
        self.assertIsInstance(out, list)
        self.assertEqual(len(out), 1, out)
        return out[0]

    def write(self, name, text=None, data=None):
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as f:
            f.write(data if data is not None else text.encode("utf-8"))
        return path

    # -- rows ---------------------------------------------------------------------------

    def stored(self, region, period):
        rows = self.db.query("SELECT indicator_code, value::text, comment FROM data_values"
                             " WHERE region_code = %s AND period = %s"
                             % (lit(region), lit(period)))
        return {r[0]: (r[1], r[2]) for r in rows}

    def submission_count(self, region=None, period=None):
        cond = []
        if region:
            cond.append("region_code = %s" % lit(region))
        if period:
            cond.append("period = %s" % lit(period))
        return self.db.count("submissions" + (" WHERE " + " AND ".join(cond) if cond else ""))

    def submit_file(self, region, period, path, *extra, label=None, fmt="json"):
        label = label or {TOWN_A: "town_a", TOWN_B: "town_b", TOWN_C: "town_c"}.get(region,
                                                                                 "admin")
        return self.huizong("submit", "--region", region, "--period", period, "--file", path,
                            *extra, label=label, fmt=fmt)

    def values_csv(self, name, rows):
        return self.write(name, "indicator,value\n" + "".join("%s,%s\n" % r for r in rows))


# ============================================================================

class CliTest(CliTestBase):

    # -- health -----------------------------------------------------------------------

    def test_health(self):
        res = self.ok(self.huizong("health", label=None))
        self.assertEqual(res.stdout.strip(), "SERVING")
        out = self.json_out(self.huizong("health", label=None, fmt="json"))
        self.assertEqual(out, [{"service": "", "status": "SERVING"}])
        # Nobody there: exit 1 with a message that says so, promptly.
        addr = "127.0.0.1:%d" % free_port()
        start = time.monotonic()
        res = self.expect(self.huizong("health", label=None, addr=addr), 1, "error:", addr)
        self.assertLess(time.monotonic() - start, 25, "health took too long to give up")
        self.assertEqual(res.stdout, "")
        self.assertTrue(any(w in res.stderr.lower() for w in ("unavailable", "connect")),
                        res.stderr)
        self.assertEqual(len(res.stderr.strip().splitlines()), 1,
                         "expected one clear line, got:\n" + res.stderr)

    # -- imports ------------------------------------------------------------------------

    def test_regions_import(self):
        before = self.db.count("regions")
        # Header in another column order; a parent after its children;
        # levels by number and by name.
        path = self.write("regions.csv",
                          "name,code,parent_code,level\n"
                          "城关镇,420626100,420626,township\n"
                          "马桥镇,420626101,420626,乡镇\n"
                          "保康县,420626,4206,3\n")
        self.ok(self.admin("regions", "import", path))
        self.assertEqual(self.db.query(
            "SELECT code, name, level::text, parent_code FROM regions WHERE code LIKE '420626%'"
            " ORDER BY code"),
            [("420626", "保康县", "3", "4206"), ("420626100", "城关镇", "4", "420626"),
             ("420626101", "马桥镇", "4", "420626")])
        self.assertEqual(self.db.count("region_paths WHERE ancestor = '42' AND descendant"
                                       " LIKE '420626%'"), 3)
        # Re-import: nothing changes.
        self.ok(self.admin("regions", "import", path))
        self.assertEqual(self.db.count("regions"), before + 3)

        # An unknown parent: refused with its line, nothing stored.
        bad = self.write("regions_bad.csv",
                         "code,name,level,parent_code\n"
                         "420627,南县,county,4206\n"
                         "420627100,北镇,township,420699\n")
        res = self.expect(self.admin("regions", "import", bad), 1, "line 3", "420699")
        self.assertEqual(self.db.count("regions"), before + 3)
        self.assertEqual(self.db.count("regions WHERE code LIKE '420627%'"), 0, res.stderr)
        # A dry run validates without storing.
        dry = self.write("regions_dry.csv", "code,name,level,parent_code\n420628,东县,3,4206\n")
        self.ok(self.admin("regions", "import", "--dry-run", dry))
        self.assertEqual(self.db.count("regions WHERE code = '420628'"), 0)
        # Usage: no file, a county token.
        self.expect(self.admin("regions", "import"), 2)
        self.expect(self.admin("regions", "import", dry, label="county"), 1, "PERMISSION_DENIED")
        self.assertEqual(self.db.count("regions WHERE code = '420628'"), 0)

    def test_indicators_import(self):
        path = self.write("indicators.csv",
                          "code,name,unit,frequency,time_aggregation,region_aggregation,min,max,"
                          "numerator,denominator,factor\n"
                          "cli_a,招商引资到位资金,万元,quarter,sum,sum,0,,,,\n"
                          "cli_b,规上企业数,个,month,last,sum,0,100000,,,\n"
                          "cli_r,资金比率,%,quarter,last,sum,,,cli_a,tax,100\n")
        self.ok(self.admin("indicators", "import", path))
        self.assertEqual(self.db.query(
            "SELECT code, name, unit, period_type::text, time_aggregation::text,"
            " region_aggregation::text, min_value::text, max_value::text,"
            " coalesce(ratio_numerator, ''), coalesce(ratio_denominator, '')"
            " FROM indicators WHERE code LIKE 'cli\\_%' ORDER BY code"),
            [("cli_a", "招商引资到位资金", "万元", "3", "1", "1", "0", None, "", ""),
             ("cli_b", "规上企业数", "个", "4", "2", "1", "0", "100000", "", ""),
             ("cli_r", "资金比率", "%", "3", "2", "1", None, None, "cli_a", "tax")])
        # Usable at once: a value for it goes through the CLI.
        period = pc.fresh_quarter()
        vals = self.values_csv("cli_a.csv", [("cli_a", "12.5")])
        self.ok(self.submit_file(TOWN_A, period, vals))
        self.assertEqual(self.stored(TOWN_A, period), {"cli_a": ("12.5", "")})
        # A refused import names the line and stores nothing.
        bad = self.write("indicators_bad.csv",
                         "code,name,unit,frequency,time_aggregation,region_aggregation,min,max,"
                         "numerator,denominator,factor\n"
                         "cli_c,甲,万元,quarter,sum,sum,0,,,,\n"
                         "cli_d,乙,万元,quarter,last,sum,,,cli_a,no_such,100\n")
        self.expect(self.admin("indicators", "import", bad), 1, "line 3", "no_such")
        self.assertEqual(self.db.count("indicators WHERE code IN ('cli_c', 'cli_d')"), 0)

    # -- tokens ------------------------------------------------------------------------

    def test_tokens_create_prints_the_token_last_and_it_works(self):
        name = "城关镇统计员-" + pc.new_id()[:6]
        res = self.ok(self.admin("tokens", "create", "--role", "township", "--region", TOWN_B,
                                 "--name", name))
        lines = res.stdout.rstrip("\n").split("\n")
        token = lines[-1]
        self.assertEqual(token, token.strip())
        self.assertNotIn(" ", token)
        self.assertGreaterEqual(len(token), 20, res.stdout)
        self.assertIn(name, res.stdout)
        # Stored only as a hash.
        dump = self.db.scalar("SELECT t::text FROM tokens t WHERE name = %s" % lit(name))
        secret = token.split("_", 2)[2] if token.startswith("hz_") else token
        self.assertNotIn(secret, dump)
        self.assertEqual(self.db.count("audit_log WHERE detail LIKE %s" % lit("%" + secret + "%")),
                         0)
        # It works, within its scope only.
        who = self.record(self.admin("whoami", token=token, label=None, fmt="json"))
        self.assertEqual((who.get("name"), who.get("region")), (name, TOWN_B), who)
        period = pc.fresh_quarter()
        vals = self.values_csv("tok.csv", [("fai", "3")])
        out = self.record(self.huizong("submit", "--region", TOWN_B, "--period", period,
                                       "--file", vals, token=token, label=None, fmt="json"))
        self.assertEqual(out["status"], "accepted")
        self.assertEqual(self.db.scalar("SELECT submitted_by FROM submissions WHERE id = %s"
                                        % lit(out["submission_id"])), name)
        self.expect(self.huizong("submit", "--region", TOWN_A, "--period", period, "--file",
                                 vals, token=token, label=None), 1, "PERMISSION_DENIED")
        # JSON carries it as a field.
        name2 = "json-" + pc.new_id()[:6]
        rec = self.record(self.admin("tokens", "create", "--role", "county", "--region", COUNTY,
                                     "--name", name2, fmt="json"))
        self.assertTrue(rec.get("token"), rec)
        stored = self.db.scalar("SELECT encode(secret_hash, 'hex') FROM tokens WHERE name = %s"
                                % lit(name2))
        part = rec["token"].split("_", 2)[2] if rec["token"].startswith("hz_") else rec["token"]
        self.assertEqual(stored, hashlib.sha256(part.encode()).hexdigest())
        # Refusals and usage.
        self.expect(self.admin("tokens", "create", "--role", "township", "--region", TOWN_A,
                               "--name", "x-" + pc.new_id()[:6], label="county"),
                    1, "PERMISSION_DENIED")
        self.expect(self.admin("tokens", "create", "--role", "township", "--region", TOWN_A), 2)
        self.expect(self.admin("tokens", "create", "--role", "mayor", "--name", "y"), 2)

    # -- submit ---------------------------------------------------------------------------

    def test_submit_csv_with_bom_header_and_comments(self):
        period = pc.fresh_quarter()
        text = ("indicator,value,comment\r\n"
                "fai,4.90,\"含省重点项目, 3个\"\r\n"
                "tax,848,税务局口径\r\n"
                "balance,-12.50,\r\n")
        path = self.write("values.csv", data=b"\xef\xbb\xbf" + text.encode("utf-8"))
        out = self.record(self.submit_file(TOWN_A, period, path))
        self.assertEqual((out["status"], out["imported"], out["replayed"], out["dry_run"]),
                         ("accepted", 3, False, False), out)
        self.assertEqual(self.stored(TOWN_A, period), {
            "fai": ("4.9", "含省重点项目, 3个"), "tax": ("848", "税务局口径"),
            "balance": ("-12.5", "")})
        self.assertEqual(self.db.scalar("SELECT committed_at IS NOT NULL FROM submissions"
                                        " WHERE id = %s" % lit(out["submission_id"])), "t")
        # The table format prints the submission id too.
        period = pc.fresh_quarter()
        res = self.ok(self.submit_file(TOWN_A, period, path, fmt=None))
        sid = self.db.scalar("SELECT id::text FROM submissions WHERE period = %s" % lit(period))
        self.assertIn(sid, res.stdout)

    def test_submit_json_file(self):
        period = pc.fresh_quarter()
        path = self.write("values.json", json.dumps(
            [{"indicator": "fai", "value": "4.9", "comment": "含重点项目"},
             {"indicator": "pigs", "value": 160000}], ensure_ascii=False))
        out = self.record(self.submit_file(TOWN_B, period, path))
        self.assertEqual((out["status"], out["imported"]), ("accepted", 2))
        self.assertEqual(self.stored(TOWN_B, period), {"fai": ("4.9", "含重点项目"),
                                                       "pigs": ("160000", "")})
        # The object form. A number with a fraction would be a binary double
        # to a JSON library: refused with the advice to quote it, nothing sent.
        period = pc.fresh_quarter()
        path = self.write("values2.json", '{"values": [{"indicator": "tax", "value": 848.50},'
                                          ' {"indicator": "balance", "value": "-0.5"}]}')
        self.expect(self.submit_file(TOWN_B, period, path), 2, "item 1:",
                    "write it as a string", "nothing was sent")
        self.assertEqual(self.stored(TOWN_B, period), {})
        path = self.write("values2.json", '{"values": [{"indicator": "tax", "value": "848.50"},'
                                          ' {"indicator": "balance", "value": "-0.5"}]}')
        self.ok(self.submit_file(TOWN_B, period, path))
        self.assertEqual(self.stored(TOWN_B, period), {"tax": ("848.5", ""),
                                                       "balance": ("-0.5", "")})

    def test_server_refusal_prints_every_problem_with_its_line(self):
        period = pc.fresh_quarter()
        before = self.db.counts()
        path = self.write("bad.csv", "indicator,value,comment\n"
                                     "fai,4.9,\n"
                                     "nope,1,\n"
                                     "pigs,-5,\n"
                                     "tax,1,\n"
                                     "vacc,3,\n")
        res = self.expect(self.submit_file(TOWN_A, period, path), 1)
        for line, word in ((3, "nope"), (4, "pigs"), (6, "vacc")):
            hits = [l for l in res.stderr.splitlines()
                    if l.startswith("line %d:" % line) and word in l]
            self.assertEqual(len(hits), 1, "line %d (%s) not reported once:\n%s"
                             % (line, word, res.stderr))
        for line in (2, 5):
            self.assertNotIn("line %d:" % line, res.stderr)
        self.assertEqual(res.stdout, "")
        self.assertEqual(self.db.counts(), before, "a refused submission stored rows")

    def test_file_problems_listed_and_nothing_sent(self):
        period = pc.fresh_quarter()
        before = self.db.counts()
        path = self.write("broken.csv", "indicator,value\n"
                                        "fai,4.9\n"
                                        "tax,1,2,3\n"
                                        ",5\n"
                                        "pigs\n")  # no value: not reported, no problem
        res = self.expect(self.submit_file(TOWN_A, period, path), 2, "line 3", "line 4",
                          "nothing was sent")
        self.assertNotIn("line 2", res.stderr)
        self.assertNotIn("line 5", res.stderr)
        self.assertEqual(self.db.counts(), before)
        # Not a file at all / no values: usage too.
        self.expect(self.submit_file(TOWN_A, period, os.path.join(self.tmp, "missing.csv")), 2)
        self.expect(self.submit_file(TOWN_A, period, self.write("empty.csv", "indicator,value\n")),
                    2)
        self.assertEqual(self.db.counts(), before)

    def test_dry_run_stores_nothing(self):
        period = pc.fresh_quarter()
        before = self.db.counts()
        path = self.values_csv("dry.csv", [("fai", "4.9"), ("tax", "848")])
        out = self.record(self.submit_file(TOWN_A, period, path, "--dry-run"))
        self.assertEqual((out["status"], out["dry_run"], out["imported"]),
                         ("validated", True, 2), out)
        self.assertEqual(self.db.counts(), before)
        # A dry run of a bad file is refused like a real one.
        bad = self.values_csv("dry_bad.csv", [("fai", "4.9"), ("pigs", "-1")])
        self.expect(self.submit_file(TOWN_A, period, bad, "--dry-run"), 1, "line 3")
        self.assertEqual(self.db.counts(), before)

    def test_same_submission_id_twice_is_replayed(self):
        period = pc.fresh_quarter()
        sid = pc.new_id()
        path = self.values_csv("retry.csv", [("fai", "4.9"), ("tax", "848")])
        first = self.record(self.submit_file(TOWN_A, period, path, "--submission-id", sid))
        counts = self.db.counts()
        again = self.record(self.submit_file(TOWN_A, period, path, "--submission-id", sid))
        self.assertEqual((first["submission_id"], first["replayed"]), (sid, False))
        self.assertEqual((again["submission_id"], again["replayed"]), (sid, True))
        self.assertEqual(again["committed_at"], first["committed_at"])
        self.assertEqual(self.db.counts(), counts, "a replay wrote rows")
        self.assertEqual(self.submission_count(TOWN_A, period), 1)
        # The same id with other content: refused.
        other = self.values_csv("retry_other.csv", [("fai", "5")])
        self.expect(self.submit_file(TOWN_A, period, other, "--submission-id", sid), 1,
                    "ALREADY_EXISTS")
        self.assertEqual(self.stored(TOWN_A, period)["fai"][0], "4.9")
        self.expect(self.submit_file(TOWN_A, period, path, "--submission-id", "not-a-uuid"), 2)

    # -- rollup ---------------------------------------------------------------------------

    def test_rollup_csv_and_json(self):
        period = pc.fresh_quarter()
        self.ok(self.submit_file(TOWN_A, period, self.values_csv(
            "ra.csv", [("fai", "4.9"), ("tax", "848")])))
        self.ok(self.submit_file(TOWN_B, period, self.values_csv(
            "rb.csv", [("fai", "1.25"), ("tax", "0.000001")])))
        res = self.ok(self.huizong("rollup", "--region", COUNTY, "--period", period,
                                   "--indicators", "fai,tax", label="county", fmt="csv"))
        rows = list(csv.DictReader(io.StringIO(res.stdout)))
        self.assertEqual([(r["region_code"], r["indicator_code"]) for r in rows],
                         [(COUNTY, "fai"), (COUNTY, "tax")])
        self.assertEqual([D(r["value"]) for r in rows], [D("6.15"), D("848.000001")])
        self.assertEqual([(r["reporting_units"], r["expected_units"]) for r in rows],
                         [("2", "3"), ("2", "3")])
        self.assertEqual(rows[1]["value"], "848.000001", "exact decimal lost on the way out")
        out = self.json_out(self.huizong("rollup", "--region", COUNTY, "--period", period,
                                         "--indicators", "fai", "--by", "children",
                                         label="county", fmt="json"))
        got = {(o["region_code"], o["indicator_code"]): o["value"] for o in out}
        self.assertEqual({k: D(v) if v is not None else None for k, v in got.items()},
                         {(TOWN_A, "fai"): D("4.9"), (TOWN_B, "fai"): D("1.25"),
                          (TOWN_A3, "fai"): None})
        self.assertTrue(all(isinstance(v, (str, type(None))) for v in got.values()),
                        "values must be JSON strings, not numbers")
        # The database's own sum.
        self.assertEqual(D(self.db.scalar(
            "SELECT sum(value)::text FROM data_values WHERE period = %s AND indicator_code = 'fai'"
            " AND region_code IN (%s, %s)" % (lit(period), lit(TOWN_A), lit(TOWN_B)))), D("6.15"))
        self.expect(self.huizong("rollup", "--region", COUNTY2, "--period", period,
                                 label="county"), 1, "PERMISSION_DENIED")
        self.expect(self.huizong("rollup", "--region", "420624999", "--period", period),
                    1, "NOT_FOUND")

    # -- approve / reopen -------------------------------------------------------------------

    def test_approve_and_reopen(self):
        period = pc.fresh_quarter()
        path = self.values_csv("ap.csv", [("fai", "4.9")])
        self.ok(self.submit_file(TOWN_A, period, path))
        county = self.fixture.token_names["county"]
        rec = self.record(self.huizong("approve", "--region", TOWN_A, "--period", period,
                                       "--comment", "已核", label="county", fmt="json"))
        self.assertEqual((rec["region"], rec["period"], rec["state"], rec["approved_by"],
                          rec["comment"], rec["changed"]),
                         (TOWN_A, period, "approved", county, "已核", True), rec)
        self.assertEqual(self.db.scalar(
            "SELECT approved_by FROM reports WHERE region_code = %s AND period = %s"
            % (lit(TOWN_A), lit(period))), county)
        res = self.expect(self.submit_file(TOWN_A, period, self.values_csv("ap2.csv",
                                                                          [("fai", "5")])),
                          1, "FAILED_PRECONDITION", county, rec["approved_at"])
        self.assertEqual(self.stored(TOWN_A, period)["fai"][0], "4.9", res.stderr)
        # Twice: nothing changes, and it says so.
        again = self.huizong("approve", "--region", TOWN_A, "--period", period, label="county",
                             fmt="json")
        self.assertEqual(self.record(again)["changed"], False)
        self.assertIn("already approved", again.stderr)
        # Reopen, then the township may correct its data.
        rec = self.record(self.huizong("reopen", "--region", TOWN_A, "--period", period,
                                       "--reason", "更正", label="county", fmt="json"))
        self.assertEqual((rec["state"], rec["changed"], rec["approved_by"]),
                         ("submitted", True, None), rec)
        self.ok(self.submit_file(TOWN_A, period, self.values_csv("ap3.csv", [("fai", "5")])))
        self.assertEqual(self.stored(TOWN_A, period)["fai"][0], "5")
        rec = self.record(self.huizong("reopen", "--region", TOWN_A, "--period", period,
                                       label="county", fmt="json"))
        self.assertEqual(rec["changed"], False)
        # Refusals.
        self.expect(self.huizong("approve", "--region", TOWN_C, "--period", period,
                                 label="county"), 1, "PERMISSION_DENIED")
        self.expect(self.huizong("approve", "--region", TOWN_A, "--period", period,
                                 label="town_a"), 1, "PERMISSION_DENIED")
        self.expect(self.huizong("approve", "--region", TOWN_B, "--period", period,
                                 label="county"), 1, "FAILED_PRECONDITION")
        self.expect(self.huizong("approve", "--region", TOWN_A, label="county"), 2)
        self.assertEqual(self.db.count("reports WHERE period = %s AND approved_at IS NOT NULL"
                                       % lit(period)), 0)

    def test_approve_all_submitted(self):
        period = pc.fresh_quarter()
        path = self.values_csv("all.csv", [("fai", "1")])
        self.ok(self.submit_file(TOWN_A, period, path))
        self.ok(self.submit_file(TOWN_B, period, path))
        self.ok(self.huizong("approve", "--region", TOWN_B, "--period", period, label="county"))
        out = self.json_out(self.huizong("approve", "--region", COUNTY, "--period", period,
                                         "--all-submitted", label="county", fmt="json"))
        self.assertEqual([a["region"] for a in out["approved"]], [TOWN_A], out)
        self.assertEqual(out["missing_region_codes"], [TOWN_A3])
        self.assertEqual(str(out["already_approved_count"]), "1")
        self.assertEqual(self.db.count("reports WHERE period = %s AND approved_at IS NOT NULL"
                                       % lit(period)), 2)
        res = self.ok(self.huizong("approve", "--region", COUNTY, "--period", period,
                                   "--all-submitted", label="county", fmt="csv"))
        rows = list(csv.DictReader(io.StringIO(res.stdout)))
        self.assertEqual([(r["outcome"], r["region"]) for r in rows], [("missing", TOWN_A3)])
        self.expect(self.huizong("approve", "--region", CITY, "--period", period,
                                 "--all-submitted", label="county"), 1, "PERMISSION_DENIED")

    # -- audit -----------------------------------------------------------------------------

    def db_audit(self, where="true"):
        rows = self.db.query(
            "SELECT to_char(a.at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'),"
            " a.actor, a.action, a.region_code, a.indicator_code, a.period, a.old_value::text,"
            " a.new_value::text, a.submission_id::text, nullif(a.detail, '')"
            " FROM audit_log a WHERE %s ORDER BY a.at DESC, a.id DESC" % where)
        keys = ("time", "actor", "action", "region", "indicator", "period", "old", "new",
                "submission", "detail")
        return [dict(zip(keys, r)) for r in rows]

    def assert_audit_equal(self, got, want):
        self.assertEqual(len(got), len(want), "entries: CLI %d, audit_log %d" % (len(got),
                                                                                 len(want)))
        for g, w in zip(got, want):
            for k, v in w.items():
                if k in ("old", "new") and v is not None and g.get(k) is not None:
                    self.assertEqual(D(g[k]), D(v), (g, w))
                else:
                    self.assertEqual(g.get(k), v, "%s differs:\nCLI %s\nDB  %s" % (k, g, w))

    def test_audit_json(self):
        period = pc.fresh_quarter()
        first = self.record(self.submit_file(TOWN_A, period, self.values_csv(
            "au1.csv", [("fai", "4.9"), ("tax", "848")])))
        second = self.record(self.submit_file(TOWN_A, period, self.values_csv(
            "au2.csv", [("fai", "5.25"), ("tax", "848")])))
        self.ok(self.huizong("approve", "--region", TOWN_A, "--period", period, label="county"))
        out = self.json_out(self.admin("audit", "--limit", "0", fmt="json"))
        self.assert_audit_equal(out, self.db_audit())
        out = self.json_out(self.admin("audit", "--region", TOWN_A, "--period", period,
                                       "--action", "value.set", fmt="json"))
        self.assert_audit_equal(out, self.db_audit(
            "a.region_code = %s AND a.period = %s AND a.action = 'value.set'"
            % (lit(TOWN_A), lit(period))))
        self.assertEqual([(o["indicator"], o["old"], o["new"]) for o in out],
                         [("fai", "4.9", "5.25"), ("tax", None, "848"), ("fai", None, "4.9")])
        out = self.json_out(self.admin("audit", "--submission", second["submission_id"],
                                       fmt="json"))
        self.assertEqual([(o["indicator"], o["old"], o["new"], o["submission"]) for o in out],
                         [("fai", "4.9", "5.25", second["submission_id"])])
        out = self.json_out(self.admin("audit", "--period", period, "--action", "approve,reopen",
                                       "--action", "value.set", "--page-size", "1",
                                       "--limit", "0", fmt="json"))
        self.assert_audit_equal(out, self.db_audit("a.period = %s" % lit(period)))
        self.assertEqual(out[0]["action"], "approve")
        self.assertEqual(out[0]["actor"], self.fixture.token_names["county"])
        since = first["committed_at"]
        out = self.json_out(self.admin("audit", "--since", since, "--limit", "0", fmt="json"))
        self.assert_audit_equal(out, self.db_audit("a.at >= %s::timestamptz" % lit(since)))
        # County: its subtree only; another's is refused.
        out = self.json_out(self.admin("audit", "--limit", "0", label="county", fmt="json"))
        self.assertTrue(out)
        self.assertTrue(all(o["region"] and o["region"].startswith(COUNTY) for o in out),
                        [o["region"] for o in out])
        self.expect(self.admin("audit", "--region", COUNTY2, label="county"), 1,
                    "PERMISSION_DENIED")
        self.expect(self.admin("audit", label="town_a"), 1, "PERMISSION_DENIED")
        self.expect(self.admin("audit", "--since", "yesterday"), 2)
        self.expect(self.admin("audit", "--action", "explode"), 2)

    # -- exit codes ---------------------------------------------------------------------------

    def test_exit_codes(self):
        cases = [
            (("huizong", "--version"), 0, None),
            (("huizong", "health", "--format", "csv"), 0, None),
            (("huizong", "bogus"), 2, "unknown command"),
            (("huizong", "health", "--bogus"), 2, "--bogus"),
            (("huizong", "health", "--format", "xml"), 2, None),
            (("huizong", "rollup", "--region", COUNTY), 2, "--period"),
            (("huizong-admin", "regions"), 2, None),
            (("huizong-admin", "windows", "set", "--period-type", "quarter", "--days", "x"), 2,
             None),
            (("huizong", "rollup", "--region", COUNTY, "--period", "2022Q9"), 1,
             "INVALID_ARGUMENT"),
            (("huizong", "report", "--region", "420624999", "--period", "2022Q1"), 1,
             "NOT_FOUND"),
        ]
        for args, code, text in cases:
            with self.subTest(args=args):
                res = self.cli(*args)
                self.expect(res, code, *((text,) if text else ()))
                if code == 2:
                    self.assertIn("error:", res.stderr)
        self.expect(self.huizong("rollup", "--region", COUNTY, "--period", "2022Q1",
                                 token="hz_1_notarealtoken", label=None), 1, "UNAUTHENTICATED")
        self.expect(self.huizong("rollup", "--region", COUNTY, "--period", "2022Q1", label=None),
                    1, "UNAUTHENTICATED")


# ============================================================================

class CliWindowTest(CliTestBase):
    """Windows are global to the database: these tests have their own and
    leave no window behind."""

    def setUp(self):
        self.db.execute("DELETE FROM submission_windows")

    def tearDown(self):
        self.db.execute("DELETE FROM submission_windows")
        super().tearDown()

    def test_windows_and_periods_reopen(self):
        period = pc.fresh_quarter()
        rec = self.record(self.admin("windows", "set", "--period-type", "quarter", "--days", "10",
                                     fmt="json"))
        self.assertEqual(str(rec.get("days_after_end", rec.get("days"))), "10", rec)
        self.assertEqual(self.db.query("SELECT period_type::text, days_after_end::text"
                                       " FROM submission_windows"), [("3", "10")])
        self.expect(self.admin("windows", "set", "--period-type", "quarter", "--days", "3",
                               label="county"), 1, "PERMISSION_DENIED")
        listed = self.json_out(self.admin("windows", "list", label="town_a", fmt="json"))
        self.assertEqual(len(listed), 4, listed)

        y = int(period[:4])
        deadline = "%d-04-10T16:00:00.000000Z" % y
        path = self.values_csv("late.csv", [("fai", "4.9")])
        res = self.expect(self.submit_file(TOWN_A, period, path), 1, "FAILED_PRECONDITION",
                          deadline)
        self.expect(self.submit_file(TOWN_A, period, path, "--dry-run"), 1, deadline)
        self.assertEqual(self.submission_count(TOWN_A, period), 0, res.stderr)

        # The exception: admin only, reason required.
        self.expect(self.admin("periods", "reopen", "--region", TOWN_A, "--period", period), 2,
                    "--reason")
        self.expect(self.admin("periods", "reopen", "--region", TOWN_A, "--period", period,
                               "--reason", "补报", label="county"), 1, "PERMISSION_DENIED")
        self.expect(self.admin("periods", "reopen", "--region", TOWN_A, "--period", period,
                               "--reason", "补报", "--expires", "someday"), 2)
        self.assertEqual(self.db.count("period_exceptions"), 0)
        rec = self.record(self.admin("periods", "reopen", "--region", TOWN_A, "--period", period,
                                     "--reason", "系统故障, 补报", fmt="json"))
        self.assertEqual((rec["region"], rec["period"], rec["reason"], rec["granted_by"],
                          rec["expires_at"]),
                         (TOWN_A, period, "系统故障, 补报", "test-admin", None), rec)
        self.assertEqual(self.db.query("SELECT region_code, period, reason, granted_by"
                                       " FROM period_exceptions"),
                         [(TOWN_A, period, "系统故障, 补报", "test-admin")])
        out = self.record(self.submit_file(TOWN_A, period, path))
        self.assertEqual(out["status"], "accepted")
        self.assertEqual(self.stored(TOWN_A, period), {"fai": ("4.9", "")})
        self.expect(self.submit_file(TOWN_B, period, path), 1, deadline)
        listed = self.json_out(self.admin("periods", "exceptions", "--region", COUNTY,
                                          label="county", fmt="json"))
        self.assertEqual([(e["region"], e["period"]) for e in listed], [(TOWN_A, period)])
        # An exception that has expired opens nothing.
        self.ok(self.admin("periods", "reopen", "--region", TOWN_B, "--period", period,
                           "--reason", "过期", "--expires", "2001-01-01"))
        self.expect(self.submit_file(TOWN_B, period, path), 1, deadline)
        # Days 0: never closes.
        self.ok(self.admin("windows", "set", "--period-type", "quarter", "--days", "0"))
        self.ok(self.submit_file(TOWN_B, period, path))
        audit = self.json_out(self.admin("audit", "--action", "period.reopen,window.set",
                                         "--limit", "0", fmt="json"))
        self.assertEqual([a["action"] for a in audit],
                         ["window.set", "period.reopen", "period.reopen", "window.set"])


if __name__ == "__main__":
    pc.main()
