"""PostgreSQL for the integration tests: a private cluster per test file,
a fresh database per test class, the reference data every test expects,
bearer tokens, and helpers for the huizong.v1 services.

One cluster per process (each test file is one meson test and one
process): `deploy/pg.sh start DIR` makes it (initdb, its own loopback port
and socket directory, run as the postgres user when we are root), the
migrations are applied once to its "huizong" database with `huizongd
migrate`, and each test class then gets `CREATE DATABASE ... TEMPLATE
huizong`, which is a file copy: fast, and no class sees another's rows.
The cluster is removed when the process exits, also on SIGTERM (meson's
timeout) and when a test fails.

Reference data goes in through the Admin RPCs (ImportRegions,
ImportIndicators, CreateToken) when the server has them; while Admin
answers UNIMPLEMENTED it falls back to SQL inserts and `huizongd token
create`, so these tests never depend on the order in which the services
are finished. `FIXTURE_PATH` records which path was taken (printed per
class); HZ_FIXTURE_SQL=1 forces the fallback, to check it still works.

psql is the independent view of what is stored: tests check the rows
themselves, not what the server says it stored.
"""

import atexit
import datetime
import decimal
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import uuid

import grpc

import harness
from harness import pb

HERE = os.path.dirname(os.path.abspath(__file__))
PG_SH = os.environ.get("HZ_PG_SH") or os.path.normpath(
    os.path.join(HERE, "..", "..", "deploy", "pg.sh"))
SQL_TIMEOUT = 60.0
SERVING_TIMEOUT = 20.0

# ----------------------------------------------------------------------------
# Generated classes

def common_pb():
    return pb("huizong/v1/common.proto")


def reporting_pb():
    return pb("huizong/v1/reporting.proto")


def admin_pb():
    return pb("huizong/v1/admin.proto")


# ----------------------------------------------------------------------------
# SQL through psql

def sql_literal(value):
    """A SQL literal for test-controlled values (None -> NULL)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, decimal.Decimal)):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def run_psql(url, sql, timeout=SQL_TIMEOUT):
    """Runs sql (one or more statements) and returns the rows of the last
    result as tuples of str (None for NULL). Raises on any SQL error.
    Records end in NUL (-0); fields are split by 0x1f, which no test
    value contains."""
    cmd = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-t", "-A", "-F", "\x1f", "-0",
           "-P", "null=\\N", "-d", url, "-f", "-"]
    res = subprocess.run(cmd, input=sql.encode(), capture_output=True, timeout=timeout)
    if res.returncode != 0:
        raise RuntimeError("psql failed (%d): %s\nSQL: %s"
                           % (res.returncode, res.stderr.decode(errors="replace"), sql))
    rows = []
    for rec in res.stdout.decode().split("\0"):
        rec = rec.lstrip("\n")
        if rec == "":
            continue
        rows.append(tuple(None if f == "\\N" else f for f in rec.split("\x1f")))
    return rows


# ----------------------------------------------------------------------------
# The cluster

class PgCluster:
    """One private cluster made by deploy/pg.sh in a temporary directory."""

    def __init__(self):
        # pg.sh chowns DIR to postgres; its parent must be searchable by it.
        self.parent = tempfile.mkdtemp(prefix="hz-pgtest-")
        os.chmod(self.parent, 0o755)
        self.dir = os.path.join(self.parent, "pg")
        self.port = None
        self.base_url = None  # .../huizong
        self._db_seq = 0
        self._lock = threading.Lock()

    def _pg_sh(self, *args, timeout=120):
        res = subprocess.run(["bash", PG_SH] + list(args), capture_output=True, text=True,
                             timeout=timeout)
        if res.returncode != 0:
            raise RuntimeError("pg.sh %s failed (%d):\n%s%s" % (" ".join(args), res.returncode,
                                                             res.stdout, res.stderr))
        return res.stdout

    def start(self):
        """Starts (initdb on first use) on the same port as before, if any."""
        args = ["start", self.dir] + ([str(self.port)] if self.port else [])
        out = self._pg_sh(*args)
        url = None
        for line in out.splitlines():
            if line.startswith("DATABASE_URL="):
                url = line[len("DATABASE_URL="):].strip()
        if not url:
            raise RuntimeError("pg.sh start printed no DATABASE_URL:\n%s" % out)
        self.base_url = url
        with open(os.path.join(self.dir, "port")) as f:
            self.port = int(f.read().strip())
        return self

    def stop(self):
        self._pg_sh("stop", self.dir)

    def running(self):
        res = subprocess.run(["psql", "-X", "-q", "-t", "-A", "-d", self.base_url, "-c", "SELECT 1"],
                             capture_output=True, text=True, timeout=10)
        return res.returncode == 0

    def remove(self):
        try:
            if os.path.isdir(self.dir):
                self._pg_sh("remove", self.dir)
        finally:
            shutil.rmtree(self.parent, ignore_errors=True)

    def url(self, dbname):
        return self.base_url.rsplit("/", 1)[0] + "/" + dbname

    def migrate_template(self):
        """Applies the migrations to the "huizong" database, the template
        of every test database; checks that a second run is a no-op."""
        for _run in (1, 2):
            res = subprocess.run([harness.huizongd_path(), "migrate", "--database-url", self.base_url],
                                 capture_output=True, text=True, timeout=120,
                                 env=harness.server_env())
            if res.returncode != 0:
                raise RuntimeError("huizongd migrate failed (%d):\n%s%s"
                                   % (res.returncode, res.stdout, res.stderr))

    def new_database(self, label="t", icu_locale=None):
        """A database cloned from the migrated template; or, with
        icu_locale (e.g. "en-US"), a database whose default collation is
        that ICU locale's (its text sorts unlike bytes), created from
        template0 and migrated on its own, since a clone keeps the
        template's collation."""
        with self._lock:
            self._db_seq += 1
            name = "hz_%s_%d" % (label.lower()[:40], self._db_seq)
        if icu_locale is None:
            run_psql(self.url("postgres"), 'CREATE DATABASE "%s" TEMPLATE huizong' % name)
            return Database(self, name)
        run_psql(self.url("postgres"),
                 "CREATE DATABASE \"%s\" TEMPLATE template0 ENCODING 'UTF8'"
                 " LOCALE_PROVIDER icu ICU_LOCALE %s LOCALE 'C.UTF-8'"
                 % (name, sql_literal(icu_locale)))
        db = Database(self, name)
        res = subprocess.run([harness.huizongd_path(), "migrate", "--database-url", db.url],
                             capture_output=True, text=True, timeout=120,
                             env=harness.server_env())
        if res.returncode != 0:
            raise RuntimeError("huizongd migrate failed (%d):\n%s%s"
                               % (res.returncode, res.stdout, res.stderr))
        return db


class Database:
    """One test database: SQL helpers and row counts."""

    def __init__(self, cluster, name):
        self.cluster = cluster
        self.name = name
        self.url = cluster.url(name)

    def query(self, sql):
        return run_psql(self.url, sql)

    def scalar(self, sql):
        rows = self.query(sql)
        if len(rows) != 1 or len(rows[0]) != 1:
            raise AssertionError("expected one value from %r, got %r" % (sql, rows))
        return rows[0][0]

    def count(self, sql_from_where):
        return int(self.scalar("SELECT count(*) FROM " + sql_from_where))

    def execute(self, sql):
        run_psql(self.url, sql)

    STORED_TABLES = ("data_values", "submissions", "audit_log", "reports")

    def counts(self):
        """Row counts of every table a submission writes."""
        sql = "SELECT " + ", ".join("(SELECT count(*) FROM %s)" % t for t in self.STORED_TABLES)
        row = self.query(sql)[0]
        return dict(zip(self.STORED_TABLES, (int(v) for v in row)))

    def drop(self):
        run_psql(self.cluster.url("postgres"),
                 'DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % self.name)


_cluster = None
_cluster_lock = threading.Lock()


def _remove_cluster():
    global _cluster
    c, _cluster = _cluster, None
    if c is not None:
        try:
            c.remove()
        except Exception as e:  # exiting anyway; say why the directory stays
            sys.stderr.write("pgcluster: could not remove %s: %s\n" % (c.parent, e))


# Servers started through PgServerTestCase.start_server, killed on SIGTERM
# so that none outlives the test process.
_servers = []


def _on_sigterm(signum, _frame):
    # meson kills timed-out tests with SIGTERM: clean up, then die of it.
    for server in _servers:
        server.kill()
    _remove_cluster()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def cluster():
    """This process's cluster, started and migrated on first use."""
    global _cluster
    with _cluster_lock:
        if _cluster is None:
            c = PgCluster()
            atexit.register(_remove_cluster)
            if threading.current_thread() is threading.main_thread():
                signal.signal(signal.SIGTERM, _on_sigterm)
            _cluster = c
            c.start()
            c.migrate_template()
        return _cluster


# ----------------------------------------------------------------------------
# Reference data

PROVINCE, CITY = "42", "4206"
COUNTY, COUNTY2 = "420624", "420625"
TOWN_A, TOWN_B, TOWN_A3 = "420624101", "420624102", "420624103"
TOWN_C, TOWN_D = "420625100", "420625101"
TOWNSHIPS = (TOWN_A, TOWN_B, TOWN_A3, TOWN_C, TOWN_D)

# code, name, level (RegionLevel), parent
REGIONS = [
    (PROVINCE, "湖北省", 1, ""),
    (CITY, "襄阳市", 2, PROVINCE),
    (COUNTY, "南漳县", 3, CITY),
    (TOWN_A, "武安镇", 4, COUNTY),
    (TOWN_B, "九集镇", 4, COUNTY),
    (TOWN_A3, "李庙镇", 4, COUNTY),
    (COUNTY2, "谷城县", 3, CITY),
    (TOWN_C, "城关镇", 4, COUNTY2),
    (TOWN_D, "石花镇", 4, COUNTY2),
]

YEAR, HALF, QUARTER, MONTH = 1, 2, 3, 4
T_SUM, T_LAST = 1, 2
R_SUM, R_AVG, R_NONE = 1, 2, 5

# code, name, unit, period type, time agg, region agg, min, max, ratio
INDICATORS = [
    ("fai", "固定资产投资", "亿元", QUARTER, T_SUM, R_SUM, "0", None, None),
    ("tax", "税收收入", "万元", QUARTER, T_SUM, R_SUM, "0", None, None),
    ("pigs", "生猪存栏", "头", QUARTER, T_LAST, R_SUM, "0", "100000000", None),
    ("growth", "同比增长率", "%", QUARTER, T_LAST, R_NONE, "-100", "1000", None),
    ("balance", "财政收支差额", "万元", QUARTER, T_SUM, R_SUM, None, None, None),
    ("vacc", "加强免疫接种", "人", MONTH, T_SUM, R_SUM, "0", None, None),
    ("m_a", "月度指标甲", "万元", MONTH, T_SUM, R_SUM, None, None, None),
    ("m_b", "月度指标乙", "万元", MONTH, T_SUM, R_SUM, None, None, None),
    ("m_c", "月度指标丙", "万元", MONTH, T_SUM, R_SUM, None, None, None),
    ("gdp", "地区生产总值", "亿元", YEAR, T_SUM, R_SUM, "0", None, None),
    ("debt_locked", "锁定债务", "万元", QUARTER, T_LAST, R_SUM, "0", None, None),
    ("debt_resolved", "化解债务", "万元", QUARTER, T_LAST, R_SUM, "0", None, None),
    ("debt_ratio", "债务化解率", "%", QUARTER, T_LAST, R_SUM, None, None,
     ("debt_resolved", "debt_locked", "100")),
]

# How the last fixture got in: "rpc" (Admin service) or "sql" (fallback).
FIXTURE_PATH = {"regions": None, "indicators": None, "tokens": None}


def auth(token):
    return (("authorization", "Bearer " + token),)


def is_unimplemented(err):
    return isinstance(err, grpc.RpcError) and err.code() == grpc.StatusCode.UNIMPLEMENTED


class _Unimplemented(grpc.RpcError):
    """Stands in for an UNIMPLEMENTED answer when HZ_FIXTURE_SQL is set."""

    def code(self):
        return grpc.StatusCode.UNIMPLEMENTED

    def details(self):
        return "HZ_FIXTURE_SQL is set"


def _closure_rows():
    parent = {c: p for c, _n, _l, p in REGIONS}
    rows = []
    for code, *_ in REGIONS:
        node, depth = code, 0
        while node:
            rows.append((node, code, depth))
            node, depth = parent[node], depth + 1
    return rows


def load_regions_sql(db):
    values = ", ".join("(%s, %s, %d, %s)" % (sql_literal(c), sql_literal(n), l,
                                             sql_literal(p or None))
                       for c, n, l, p in REGIONS)
    paths = ", ".join("(%s, %s, %d)" % (sql_literal(a), sql_literal(d), dep)
                      for a, d, dep in _closure_rows())
    db.execute("BEGIN;"
               "INSERT INTO regions (code, name, level, parent_code) VALUES %s;"
               "INSERT INTO region_paths (ancestor, descendant, depth) VALUES %s;"
               "COMMIT;" % (values, paths))


def load_indicators_sql(db):
    plain = [i for i in INDICATORS if i[8] is None]
    ratios = [i for i in INDICATORS if i[8] is not None]
    stmts = []
    for code, name, unit, pt, ta, ra, lo, hi, ratio in plain + ratios:
        num, den, fac = ratio if ratio else (None, None, None)
        stmts.append("INSERT INTO indicators (code, name, unit, period_type, time_aggregation,"
                     " region_aggregation, min_value, max_value, ratio_numerator,"
                     " ratio_denominator, ratio_factor) VALUES (%s, %s, %s, %d, %d, %d, %s, %s, %s, %s, %s);"
                     % (sql_literal(code), sql_literal(name), sql_literal(unit), pt, ta, ra,
                        sql_literal(lo) + "::numeric" if lo else "NULL",
                        sql_literal(hi) + "::numeric" if hi else "NULL",
                        sql_literal(num), sql_literal(den),
                        sql_literal(fac) + "::numeric" if fac else "NULL"))
    db.execute("BEGIN;" + "".join(stmts) + "COMMIT;")


def token_create_cli(db, role, name, region=None):
    """`huizongd token create`; returns the token (its last stdout line)."""
    args = [harness.huizongd_path(), "token", "create", "--role", role, "--name", name]
    if region:
        args += ["--region", region]
    env = harness.server_env({"DATABASE_URL": db.url})
    res = subprocess.run(args, capture_output=True, text=True, timeout=60, env=env)
    if res.returncode != 0:
        raise RuntimeError("huizongd token create failed (%d): %s" % (res.returncode, res.stderr))
    lines = [l for l in res.stdout.splitlines() if l.strip()]
    if not lines:
        raise RuntimeError("huizongd token create printed no token: %r" % res.stdout)
    return lines[-1].strip()


def region_rows_pb(rows, first_line=2):
    a = admin_pb()
    return [a.RegionRow(line=first_line + i, code=c, name=n, level=l, parent_code=p)
            for i, (c, n, l, p) in enumerate(rows)]


def indicator_pb(code, name, unit, pt, ta, ra, lo, hi, ratio):
    c = common_pb()
    ind = c.Indicator(code=code, name=name, unit=unit, period_type=pt,
                      time_aggregation=ta, region_aggregation=ra)
    if lo is not None:
        ind.min_value.value = lo
    if hi is not None:
        ind.max_value.value = hi
    if ratio:
        ind.ratio.numerator_code, ind.ratio.denominator_code, ind.ratio.factor = ratio
    return ind


ROLE_NAMES = {"township": 1, "county": 2, "admin": 3}


class Fixture:
    """Regions, indicators and tokens of one test database."""

    def __init__(self, db, server):
        self.db = db
        self.server = server
        self.tokens = {}      # label -> secret
        self.token_names = {} # label -> token name
        self.admin_rpc = None # True when Admin answered, False when UNIMPLEMENTED

    def admin_stub(self, method, req_cls, resp_cls):
        return harness.unary(self.server.channel(), "/huizong.v1.Admin/" + method,
                             req_cls, resp_cls)

    def load(self):
        self.tokens["admin"] = token_create_cli(self.db, "admin", "test-admin")
        self.token_names["admin"] = "test-admin"
        self._load_regions()
        self._load_indicators()
        for label, role, region in (("town_a", "township", TOWN_A),
                                    ("town_b", "township", TOWN_B),
                                    ("town_c", "township", TOWN_C),
                                    ("county", "county", COUNTY),
                                    ("county2", "county", COUNTY2)):
            self.add_token(label, role, region)
        return self

    def _admin_call(self, method, req_cls, resp_cls, req):
        if os.environ.get("HZ_FIXTURE_SQL"):
            # Forces the fallback path, to keep it working while unused.
            raise _Unimplemented()
        return call_with_db_retry(self.admin_stub(method, req_cls, resp_cls), req,
                                  metadata=auth(self.tokens["admin"]), timeout=30)

    def _load_regions(self):
        a = admin_pb()
        try:
            self._admin_call("ImportRegions", a.ImportRegionsRequest, a.ImportResponse,
                             a.ImportRegionsRequest(rows=region_rows_pb(REGIONS)))
            self.admin_rpc = True
            FIXTURE_PATH["regions"] = "rpc"
        except grpc.RpcError as e:
            if not is_unimplemented(e):
                raise
            self.admin_rpc = False
            load_regions_sql(self.db)
            FIXTURE_PATH["regions"] = "sql"

    def _load_indicators(self):
        a = admin_pb()
        rows = [a.IndicatorRow(line=2 + i, indicator=indicator_pb(*ind))
                for i, ind in enumerate(INDICATORS)]
        try:
            self._admin_call("ImportIndicators", a.ImportIndicatorsRequest, a.ImportResponse,
                             a.ImportIndicatorsRequest(rows=rows))
            FIXTURE_PATH["indicators"] = "rpc"
        except grpc.RpcError as e:
            if not is_unimplemented(e):
                raise
            load_indicators_sql(self.db)
            FIXTURE_PATH["indicators"] = "sql"

    def add_token(self, label, role, region=None, name=None):
        """A new token (Admin CreateToken, else the CLI); returns the secret."""
        name = name or "%s-%s" % (label, uuid.uuid4().hex[:8])
        a = admin_pb()
        secret = None
        try:
            resp = self._admin_call("CreateToken", a.CreateTokenRequest, a.CreateTokenResponse,
                                    a.CreateTokenRequest(name=name, role=ROLE_NAMES[role],
                                                         region_code=region or ""))
            secret = resp.secret
            FIXTURE_PATH["tokens"] = "rpc"
        except grpc.RpcError as e:
            if not is_unimplemented(e):
                raise
            secret = token_create_cli(self.db, role, name, region)
            FIXTURE_PATH["tokens"] = "sql"
        self.tokens[label] = secret
        self.token_names[label] = name
        return secret


# ----------------------------------------------------------------------------
# Calls

RETRYABLE = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)


def call_with_db_retry(fn, req, timeout=10, budget=20.0, **kwargs):
    """Calls fn, retrying UNAVAILABLE for up to budget seconds: right after
    start the pool may still be connecting. Other errors are raised."""
    deadline = time.monotonic() + budget
    while True:
        try:
            return fn(req, timeout=timeout, **kwargs)
        except grpc.RpcError as e:
            if e.code() != grpc.StatusCode.UNAVAILABLE or time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def wait_serving(channel, want=True, timeout=SERVING_TIMEOUT):
    """Polls Health/Check until it reports SERVING (or NOT_SERVING when
    want is False); returns the seconds it took or raises AssertionError."""
    h = harness.health_pb()
    check = harness.health_check(channel)
    want_status = h.HealthCheckResponse.SERVING if want else h.HealthCheckResponse.NOT_SERVING
    start = time.monotonic()
    last = None
    while time.monotonic() - start < timeout:
        try:
            last = check(h.HealthCheckRequest(service=""), timeout=2).status
            if last == want_status:
                return time.monotonic() - start
        except grpc.RpcError as e:
            last = e.code()
        time.sleep(0.05)
    raise AssertionError("health did not become %s in %.0fs (last: %r)"
                         % (h.HealthCheckResponse.ServingStatus.Name(want_status), timeout, last))


def problems_of(err):
    """The ProblemList from a refusal's huizong-problems-bin trailer, or
    None when there is none."""
    for key, value in err.trailing_metadata() or ():
        if key == "huizong-problems-bin":
            return common_pb().ProblemList.FromString(value)
    return None


def new_id():
    return str(uuid.uuid4())


# From 1901 to last year (China Standard Time): every fresh year lies in
# the past, so its periods have started and are open to submissions (a
# period that has not started is refused, migration 013), and so have the
# next year's up to this year's current period. 1900 stays free for tests
# of the first representable year. A process gets some 125 of them; one
# that needs more gets an error, not periods the server refuses.
_years = iter(range(1901, 9999))
_years_lock = threading.Lock()


def fresh_year():
    """A year no other test of this process uses, so each test's periods
    hold only its own rows. Past: its periods have started."""
    with _years_lock:
        y = next(_years)
    last = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))).year - 1
    if y > last:
        raise AssertionError("fresh_year: no past year left after %d; use fewer fresh years"
                             " in one test file" % last)
    return y


def fresh_quarter():
    return "%dQ1" % fresh_year()


def fresh_month():
    return "%d01" % fresh_year()


class Reporting:
    """Stubs of huizong.v1.Reporting on one channel."""

    def __init__(self, channel):
        r = reporting_pb()
        base = "/huizong.v1.Reporting/"
        self.submit = harness.unary(channel, base + "Submit", r.SubmitRequest, r.SubmitResponse)
        self.get = harness.unary(channel, base + "GetSubmission", r.GetSubmissionRequest,
                                 r.Submission)
        self.list = harness.unary(channel, base + "ListSubmissions", r.ListSubmissionsRequest,
                                  r.ListSubmissionsResponse)
        self.stream = channel.stream_unary(base + "SubmitStream",
                                           request_serializer=r.SubmitRequest.SerializeToString,
                                           response_deserializer=r.SubmitStreamResponse.FromString)


def submit_request(region, period, values, submission_id=None, narrative="", dry_run=False):
    """values: list of (code, value) or (code, value, comment)."""
    r = reporting_pb()
    req = r.SubmitRequest(submission_id=submission_id or new_id(), region_code=region,
                          period=period, narrative=narrative, dry_run=dry_run)
    for v in values:
        req.values.add(indicator_code=v[0], value=v[1], comment=v[2] if len(v) > 2 else "")
    return req


class LockHolder:
    """A psql session that takes `lock_sql` in a transaction and keeps it
    for `seconds`, started in the background (test_db_resilience: a table
    lock a Submit waits on; test_stream_order: the advisory lock hz_submit
    takes first, so the requests behind one queue up)."""

    def __init__(self, db, lock_sql, seconds):
        self.db = db
        script = "BEGIN;\n%s;\nSELECT pg_sleep(%s);\nCOMMIT;\n" % (lock_sql, seconds)
        self.proc = subprocess.Popen(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db.url,
                                      "-f", "-"], stdin=subprocess.PIPE,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.proc.stdin.write(script.encode())
        self.proc.stdin.close()

    def wait_until(self, where, what, timeout=10):
        """Waits until pg_locks l (joined to pg_class c on the relation, if
        any) has a granted lock in this database matching `where`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            n = self.db.count("pg_locks l LEFT JOIN pg_class c ON c.oid = l.relation"
                              " WHERE l.database = (SELECT oid FROM pg_database"
                              "   WHERE datname = current_database())"
                              " AND l.granted AND " + where)
            if n:
                return
            if self.proc.poll() is not None:
                raise RuntimeError("lock session ended early: %s" % self.proc.stderr.read())
            time.sleep(0.02)
        raise AssertionError("%s never granted" % what)

    def wait_granted(self, relation, mode, timeout=10):
        self.wait_until("c.relname = %s AND l.mode = %s" % (sql_literal(relation), sql_literal(mode)),
                        "lock on %s" % relation, timeout)

    def finish(self, timeout=30):
        self.proc.wait(timeout)
        err = self.proc.stderr.read()
        self.proc.stderr.close()
        if self.proc.returncode != 0:
            raise RuntimeError("lock session failed: %s" % err)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if not self.proc.stderr.closed:
            self.proc.stderr.close()


# ----------------------------------------------------------------------------
# Test case base

class PgServerTestCase(unittest.TestCase):
    """One database (cloned from the migrated template) and one huizongd
    using it per test class, with the reference data loaded. Like
    harness.ServerTestCase, checks after each test that the server is
    alive and at the end that it exits 0 on SIGTERM."""

    server_args = ()
    load_fixture = True
    # ICU locale of the class's database default collation (None: the
    # cluster's, C.UTF-8, which sorts text as bytes).
    icu_locale = None

    @classmethod
    def start_server(cls, extra_args=(), wait=True):
        """A huizongd on this class's database; waits until its health
        says SERVING unless wait is False."""
        server = harness.Server(["--database-url", cls.db.url] + list(cls.server_args)
                                + list(extra_args))
        _servers.append(server)
        server.start()
        try:
            if wait:
                wait_serving(server.channel())
        except Exception:
            server.kill()
            raise
        return server

    @classmethod
    def setUpClass(cls):
        cls.pg = cluster()
        cls.db = cls.pg.new_database(cls.__name__, icu_locale=cls.icu_locale)
        cls.server = cls.start_server()
        cls.fixture = None
        try:
            if cls.load_fixture:
                cls.fixture = Fixture(cls.db, cls.server).load()
                sys.stderr.write("%s: reference data via %s\n" % (
                    cls.__name__, ", ".join("%s=%s" % kv for kv in sorted(FIXTURE_PATH.items()))))
        except Exception:
            cls.server.kill()
            raise

    @classmethod
    def tearDownClass(cls):
        code = cls.server.stop()
        if code != 0:
            raise AssertionError("huizongd did not exit cleanly with 0 on SIGTERM (exit code %s):\n%s"
                                 % (code, cls.server.log_text()))

    def tearDown(self):
        if not self.server.alive():
            self.fail("huizongd died during this test (exit code %s):\n%s"
                      % (self.server.proc.returncode, self.server.log_text()))

    # -- helpers for tests ----------------------------------------------------

    def token(self, label):
        return self.fixture.tokens[label]

    def md(self, label):
        return auth(self.token(label))

    def rep(self, channel=None):
        return Reporting(channel or self.server.channel())

    def assert_code(self, err, code, context=""):
        self.assertIsInstance(err, grpc.RpcError)
        self.assertEqual(err.code(), code, "%s: %s %s" % (context, err.code(), err.details()))

    def refused(self, fn, req, label, code, timeout=15):
        """Calls fn expecting refusal `code` and that nothing was stored;
        returns (error, ProblemList or None)."""
        before = self.db.counts()
        try:
            resp = fn(req, metadata=self.md(label), timeout=timeout)
        except grpc.RpcError as e:
            err = e
        else:
            self.fail("expected %s, got a response: %s" % (code, resp))
        self.assert_code(err, code)
        after = self.db.counts()
        self.assertEqual(after, before, "a refused call stored rows (%s)" % err.details())
        return err, problems_of(err)

    def assert_problems(self, plist, expected, total=None):
        """expected: list of (index, kind, field, indicator_code) in order;
        None in a slot means "don't care"."""
        self.assertIsNotNone(plist, "no huizong-problems-bin trailer")
        got = [(p.index, p.kind, p.field, p.indicator_code) for p in plist.problems]
        self.assertEqual(len(got), len(expected), "problems: %s" % plist)
        for g, e in zip(got, expected):
            for gv, ev in zip(g, e):
                if ev is not None:
                    self.assertEqual(gv, ev, "problem %s, expected %s; all: %s" % (g, e, plist))
        for p in plist.problems:
            self.assertTrue(p.reason, "problem without a reason: %s" % p)
        self.assertEqual(plist.total, total if total is not None else len(expected))


def main():
    """Runs the file's tests. Exit status for meson: 0 all passed, 1 a
    failure or error, 77 (meson's SKIP) when none failed but some were
    skipped, so a skipped test is never counted as a pass."""
    harness.huizongd_path()  # fail loudly, not with a skip, when not configured
    prog = unittest.main(verbosity=2, exit=False)
    result = prog.result
    if not result.wasSuccessful():
        sys.exit(1)
    if result.skipped:
        reasons = sorted({reason for _test, reason in result.skipped})
        sys.stderr.write("%d skipped (reported to meson as SKIP):\n  %s\n"
                         % (len(result.skipped), "\n  ".join(reasons)))
        sys.exit(77)
    sys.exit(0)


def wait_until(predicate, timeout, what):
    """Polls predicate every 50 ms until it is true or timeout seconds have
    passed; then fails the test naming what it waited for."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("timed out after %.0fs waiting for %s" % (timeout, what))
