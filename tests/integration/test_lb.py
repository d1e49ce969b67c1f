"""Several huizongd behind Debian's nginx (issue 16): deploy/nginx/huizong.conf
rendered for loopback and run for real, three huizongd on one private
PostgreSQL database behind it.

What is checked, through nginx only:
- TLS termination: native gRPC (grpcio over TLS with the test CA), gRPC-Web
  over HTTP/1.1 inside TLS (raw socket, h1client) and the console's index
  page reach huizongd.
- Reads are fresh at commit across instances: a county Rollup is read on
  every backend first (each caches its answer), then a Submit, then a
  Rollup and a GetReport right after it, answered by another backend (the
  access log's upstream address per x-request-id says which), see the new
  figures, every time.
- Under a steady Submit load from several client threads (each submission
  with a client-chosen submission_id, retried with the same id on
  UNAVAILABLE or DEADLINE_EXCEEDED), one backend stopped with SIGTERM (it
  must exit 0) and another killed with SIGKILL and restarted on its port:
  acknowledged, stored (psql), lost and doubled submissions are counted
  exactly and printed; lost and doubled must be 0; calls spread over all
  three backends and reach the restarted one again (nginx's access log).
- With every backend gone a gRPC client gets UNAVAILABLE with nginx's
  reason (the config's @hz_unavailable), not an HTML error page.

nginx runs as an unprivileged user (nobody when the test runs as root) on
free loopback ports with its own prefix, temp directories, pid file and
error log; the rendering replaces only the lines the config marks SITE.
Everything is bounded in time."""

import os
import shutil
import signal
import socket
import ssl
import sys
import tempfile
import threading
import time
import unittest
import uuid
from decimal import Decimal

import grpc

import harness
import pgcluster as pc
from h1client import H1, WEB, parse_trailer, web_frames, web_post
from nginx_lb import Nginx
from pgcluster import COUNTY, TOWN_A, TOWN_A3, TOWN_B, TOWN_C, TOWN_D

HERE = os.path.dirname(os.path.abspath(__file__))
ENVOY = os.path.normpath(os.path.join(HERE, "..", "..", "deploy", "envoy.yaml"))
CALL_TIMEOUT = 10.0
RETRY_BUDGET = 60.0      # one submission's retries, in seconds
PHASE_TIMEOUT = 90.0     # waiting for the load to make progress
STEP = 30                # acknowledged submissions between two events
CLIENTS = 4
MONTHLY = ("m_a", "m_b", "m_c", "vacc")
RETRYABLE = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)
INDEX_HTML = "<!doctype html><html lang=zh-CN><title>汇总</title><p>test_lb %s</p></html>\n" % (
    uuid.uuid4().hex)


def agg_pb():
    return harness.pb("huizong/v1/aggregation.proto")


# ----------------------------------------------------------------------------
# The load


class Load:
    """CLIENTS threads, each submitting one (township, month) of its own at a
    time with a fresh submission_id, retried with the same id until OK."""

    def __init__(self, port, token, cells):
        self.port = port
        self.token = token
        self.cells = cells          # iterator of (town, period), shared
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.acked = {}             # id -> (town, period, values, SubmitResponse)
        self.sent = {}              # id -> (town, period, values): every id tried
        self.retries = {}           # status name -> count
        self.errors = []            # anything else: fails the test
        self.threads = []

    def run(self):
        for i in range(CLIENTS):
            t = threading.Thread(target=self._client, args=(i,), daemon=True)
            t.start()
            self.threads.append(t)

    def finish(self):
        self.stop.set()
        for t in self.threads:
            t.join(RETRY_BUDGET + 2 * CALL_TIMEOUT)
        return [t for t in self.threads if t.is_alive()]

    def count(self):
        with self.lock:
            return len(self.acked)

    def _next_cell(self):
        with self.lock:
            return next(self.cells, None)

    def _client(self, index):
        ch = grpc.insecure_channel("127.0.0.1:%d" % self.port,
                                   options=harness.BASE_CHANNEL_OPTIONS)
        rep = pc.Reporting(ch)
        seq = 0
        try:
            while not self.stop.is_set():
                cell = self._next_cell()
                if cell is None:
                    self.errors.append("client %d: no cells left" % index)
                    return
                seq += 1
                town, period = cell
                values = [(c, "%d.%03d%d" % (index + 1, seq, k)) for k, c in enumerate(MONTHLY)]
                sid = str(uuid.uuid4())
                req = pc.submit_request(town, period, values, submission_id=sid)
                with self.lock:
                    self.sent[sid] = (town, period, values)
                resp = self._submit(rep, req, index)
                if resp is not None:
                    with self.lock:
                        self.acked[sid] = (town, period, values, resp)
                else:
                    return
        finally:
            ch.close()

    def _submit(self, rep, req, index):
        deadline = time.monotonic() + RETRY_BUDGET
        while True:
            try:
                return rep.submit(req, metadata=pc.auth(self.token), timeout=CALL_TIMEOUT)
            except grpc.RpcError as e:
                if e.code() not in RETRYABLE:
                    self.errors.append("client %d: %s: %s %s" % (index, req.submission_id,
                                                                 e.code(), e.details()))
                    return None
                with self.lock:
                    name = e.code().name
                    self.retries[name] = self.retries.get(name, 0) + 1
                if time.monotonic() > deadline:
                    self.errors.append("client %d: %s still %s after %.0fs of retries"
                                       % (index, req.submission_id, e.code(), RETRY_BUDGET))
                    return None
                time.sleep(0.1)


def cells():
    """(township, month) pairs no other submission of this file uses."""
    towns = (TOWN_A, TOWN_B, TOWN_A3, TOWN_C, TOWN_D)
    while True:
        y = pc.fresh_year()
        for m in range(1, 13):
            for t in towns:
                yield t, "%d%02d" % (y, m)


# ----------------------------------------------------------------------------
# The test


class LoadBalancerTest(pc.PgServerTestCase):
    """The class's own huizongd (PgServerTestCase) loads the reference data
    and is then stopped: the three backends here serve every call."""

    @classmethod
    def setUpClass(cls):
        # The console's files from a directory of the test's own: a build
        # without client/web/dist still has a page to pass through.
        cls.web_root = tempfile.mkdtemp(prefix="hz-lb-web-")
        with open(os.path.join(cls.web_root, "index.html"), "w") as f:
            f.write(INDEX_HTML)
        super().setUpClass()
        code = cls.server.stop()
        if code != 0:
            raise AssertionError("the fixture's huizongd did not exit 0 on SIGTERM (%s):\n%s"
                                 % (code, cls.server.log_text()))
        cls.backends = [cls.backend() for _ in range(3)]
        cls.ports = [b.port for b in cls.backends]
        cls.nginx = Nginx(cls.ports)
        pc._servers.append(cls.nginx)  # killed with the backends on meson's SIGTERM
        try:
            cls.nginx.start()
        except Exception:
            for b in cls.backends:
                b.kill()
            cls.nginx.stop()
            raise
        cls.channel = grpc.insecure_channel("127.0.0.1:%d" % cls.nginx.h2c_port,
                                            options=harness.BASE_CHANNEL_OPTIONS)
        cls.cells = cells()

    @classmethod
    def backend(cls, port=0):
        return cls.start_server(["--listen", "127.0.0.1:%d" % port, "--shutdown-grace", "5",
                                 "--web-root", cls.web_root])

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        for b in cls.backends:
            if b.alive():
                b.stop()
        cls.nginx.stop()
        if os.environ.get("HZ_KEEP_LOGS"):
            sys.stderr.write(cls.nginx.logs())
        cls.nginx.remove()
        shutil.rmtree(cls.web_root, ignore_errors=True)

    def tearDown(self):
        pass  # backends are stopped and killed on purpose here

    def rid(self):
        return "lb-" + uuid.uuid4().hex

    def md(self, label, rid=None):
        return pc.auth(self.token(label)) + ((("x-request-id", rid),) if rid else ())

    def upstream_of(self, rid):
        """The backend that answered the call sent with x-request-id rid
        (nginx writes the line when the call ends, maybe after the client
        has its answer: waits for it, bounded)."""
        deadline = time.monotonic() + 10
        while True:
            found = [e for e in self.nginx.access() if e["rid"] == rid]
            if found or time.monotonic() > deadline:
                break
            time.sleep(0.02)
        self.assertEqual(len(found), 1, "access log lines for %s: %s" % (rid, found))
        return found[0]["upstreams"][-1]

    def county_m_a(self, period, rid=None):
        a = agg_pb()
        rollup = harness.unary(self.channel, "/huizong.v1.Aggregation/Rollup", a.RollupRequest,
                               a.RollupResponse)
        resp = rollup(a.RollupRequest(region_code=COUNTY, period=period, indicator_codes=["m_a"]),
                      metadata=self.md("admin", rid), timeout=CALL_TIMEOUT)
        self.assertEqual(len(resp.rows), 1, resp)
        row = resp.rows[0]
        return Decimal(row.value.value) if row.HasField("value") else None

    # -- TLS, gRPC-Web, console ---------------------------------------------------------

    def test_1_tls_native_grpc_web_and_console(self):
        with open(self.nginx.tls["ca"], "rb") as f:
            ca = f.read()
        creds = grpc.ssl_channel_credentials(root_certificates=ca)
        town, period = next(self.cells)
        with grpc.secure_channel("localhost:%d" % self.nginx.tls_port, creds,
                                 options=harness.BASE_CHANNEL_OPTIONS) as ch:
            resp = pc.Reporting(ch).submit(pc.submit_request(town, period, [("m_a", "12.5")]),
                                           metadata=self.md("admin"), timeout=CALL_TIMEOUT)
            self.assertEqual(resp.imported, 1, resp)

        ctx = ssl.create_default_context(cafile=self.nginx.tls["ca"])
        ctx.set_alpn_protocols(["http/1.1"])
        a = agg_pb()
        req = a.RollupRequest(region_code=COUNTY, period=period, indicator_codes=["m_a"])
        hdrs, body = web_post("/huizong.v1.Aggregation/Rollup", req.SerializeToString(),
                              headers=[("Authorization", "Bearer " + self.token("admin"))])
        raw = socket.create_connection(("127.0.0.1", self.nginx.tls_port), timeout=15)
        with H1(self.nginx.tls_port, sock=ctx.wrap_socket(raw, server_hostname="localhost")) as c:
            self.assertEqual(c.sock.selected_alpn_protocol(), "http/1.1")
            c.send(c.request("POST", "/huizong.v1.Aggregation/Rollup", hdrs, body))
            resp = c.read()
            self.assertEqual(resp.status, 200, resp)
            self.assertEqual(resp.header("content-type"), WEB, resp)
            frames = web_frames(resp.body)
            self.assertEqual([f for f, _ in frames], [0, 0x80], frames)
            self.assertEqual(parse_trailer(frames[1][1])["grpc-status"], "0", frames)
            rows = a.RollupResponse.FromString(frames[0][1]).rows
            self.assertEqual([Decimal(r.value.value) for r in rows], [Decimal("12.5")])
            # The console's page on the same keep-alive connection.
            c.send(c.request("GET", "/", [("Accept", "text/html")]))
            page = c.read()
            self.assertEqual(page.status, 200, page)
            self.assertIn("text/html", page.header("content-type"))
            self.assertEqual(page.body, INDEX_HTML.encode())

    # -- fresh at commit across instances ---------------------------------------------

    def test_2_reads_fresh_at_commit_across_backends(self):
        rep = pc.Reporting(self.channel)
        a = agg_pb()
        report = harness.unary(self.channel, "/huizong.v1.Aggregation/GetReport",
                               a.GetReportRequest, a.Report)
        rounds, elsewhere = 30, 0
        # Periods of its own: the county sum is then this round's value.
        periods = ["%d%02d" % (y, m) for y in (pc.fresh_year(), pc.fresh_year(), pc.fresh_year())
                   for m in range(1, 13)]
        for i in range(rounds):
            town, period = TOWN_A, periods[i]
            for _ in range(len(self.backends)):  # every backend caches the empty answer
                self.assertIsNone(self.county_m_a(period))
            value = "%d.%02d" % (i + 1, i)
            sub_rid = self.rid()
            rep.submit(pc.submit_request(town, period, [("m_a", value)]),
                       metadata=self.md("admin", sub_rid), timeout=CALL_TIMEOUT)
            roll_rid, rep_rid = self.rid(), self.rid()
            self.assertEqual(self.county_m_a(period, roll_rid), Decimal(value),
                             "round %d: a Rollup right after Submit missed it" % i)
            got = report(a.GetReportRequest(region_code=town, period=period),
                         metadata=self.md("admin", rep_rid), timeout=CALL_TIMEOUT)
            self.assertEqual([(v.indicator.code, Decimal(v.value)) for v in got.values],
                             [("m_a", Decimal(value))], "round %d: GetReport" % i)
            sub_at = self.upstream_of(sub_rid)
            if self.upstream_of(roll_rid) != sub_at or self.upstream_of(rep_rid) != sub_at:
                elsewhere += 1
        print("fresh reads: %d rounds, %d with a read answered by another backend than the"
              " Submit" % (rounds, elsewhere))
        self.assertGreaterEqual(elsewhere, rounds // 2,
                                "reads were not spread: the check proves little")

    # -- streams ------------------------------------------------------------

    def test_2b_client_and_server_streams_through_nginx(self):
        """SubmitStream (a client stream of 300 submissions, 1,200 values)
        and ExportValues (a server stream of more than one 1,000-record
        batch) pass nginx whole."""
        year = pc.fresh_year()
        towns = (TOWN_A, TOWN_B, TOWN_A3, TOWN_C, TOWN_D)
        reqs, want = [], {}
        for y in (year, pc.fresh_year(), pc.fresh_year(), pc.fresh_year(), pc.fresh_year()):
            for m in range(1, 13):
                for t in towns:
                    vals = [(c, "%d.%02d%d" % (y, m, k)) for k, c in enumerate(MONTHLY)]
                    reqs.append(pc.submit_request(t, "%d%02d" % (y, m), vals))
                    want.update({(t, c, "%d%02d" % (y, m)): Decimal(v) for c, v in vals})
        resp = pc.Reporting(self.channel).stream(iter(reqs), metadata=self.md("admin"),
                                                 timeout=120)
        self.assertEqual((resp.accepted, resp.rejected, len(resp.results)),
                         (len(reqs), 0, len(reqs)))
        a = agg_pb()
        export = harness.server_stream(self.channel, "/huizong.v1.Aggregation/ExportValues",
                                       a.ExportValuesRequest, a.ExportValuesResponse)
        got, batches = {}, 0
        for batch in export(a.ExportValuesRequest(region_code="42", from_period="%d01" % year,
                                                  to_period="%d12" % (year + 4)),
                            metadata=self.md("admin"), timeout=120):
            batches += 1
            for r in batch.records:
                got[(r.region_code, r.indicator_code, r.period)] = Decimal(r.value)
        self.assertGreater(batches, 1)
        self.assertEqual(got, want)

    # -- load, SIGTERM, SIGKILL ------------------------------------------------------

    def wait_acked(self, load, target, what):
        deadline = time.monotonic() + PHASE_TIMEOUT
        while load.count() < target:
            if load.errors:
                self.fail("client errors %s: %s" % (what, load.errors[:5]))
            if time.monotonic() > deadline:
                self.fail("%s: only %d of %d submissions acknowledged in %.0fs\n%s"
                          % (what, load.count(), target, PHASE_TIMEOUT, self.nginx.logs()))
            time.sleep(0.05)

    def answered_by(self, since, port, until=None):
        return sum(1 for e in self.nginx.access()[since:until]
                   if e["path"] == "/huizong.v1.Reporting/Submit" and e["status"] == "200"
                   and e["upstreams"] and e["upstreams"][-1] == "127.0.0.1:%d" % port)

    def wait_answered(self, load, since, port, n):
        """Until the backend on port answered n Submits (nginx puts a
        failed backend back after fail_timeout, 5 s)."""
        deadline = time.monotonic() + PHASE_TIMEOUT
        while self.answered_by(since, port) < n:
            if load.errors:
                self.fail("client errors after the restart: %s" % load.errors[:5])
            if time.monotonic() > deadline:
                self.fail("the restarted backend answered %d Submits in %.0fs\n%s"
                          % (self.answered_by(since, port), PHASE_TIMEOUT, self.nginx.logs()))
            time.sleep(0.1)

    def test_3_load_survives_sigterm_and_sigkill(self):
        start_lines = len(self.nginx.access())
        load = Load(self.nginx.h2c_port, self.token("admin"), self.cells)
        load.run()
        try:
            self.wait_acked(load, STEP, "before the stops")
            stop_at = len(self.nginx.access())
            term = self.backends[0]
            code = term.stop(signal.SIGTERM, timeout=30)
            self.assertEqual(code, 0, "SIGTERM: huizongd did not drain and exit 0:\n%s"
                             % term.log_text())
            self.wait_acked(load, load.count() + STEP, "after SIGTERM")
            killed = self.backends[1]
            killed.send_signal(signal.SIGKILL)
            killed.proc.wait(10)
            self.wait_acked(load, load.count() + STEP, "after SIGKILL")
            restarted = self.backend(killed.port)
            self.backends[1] = restarted
            back_at = len(self.nginx.access())
            self.wait_answered(load, back_at, killed.port, STEP // 3)
            self.wait_acked(load, load.count() + STEP, "after the restart")
        finally:
            stuck = load.finish()
        self.assertEqual(stuck, [], "client threads still running")
        self.assertEqual(load.errors, [])

        acked, sent = load.acked, load.sent
        ids = ",".join("'%s'" % i for i in sent)
        stored = {r[0] for r in self.db.query("SELECT id FROM submissions WHERE id IN (%s)" % ids)}
        lost = [i for i in acked if i not in stored]
        unacked_stored = [i for i in stored if i not in acked]
        # Each submission wrote its own (township, month): a second
        # submission row, or a second audit row, for one of them is a double.
        periods = ",".join(sorted({"'%s'" % p for _t, p, _v in sent.values()}))
        doubled_subs = int(self.db.scalar(
            "SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM submissions"
            " WHERE period IN (%s) GROUP BY region_code, period) s" % periods))
        doubled_audit = int(self.db.scalar(
            "SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM audit_log"
            " WHERE period IN (%s) GROUP BY region_code, indicator_code, period) s" % periods))
        replayed = [i for i, (_t, _p, _v, r) in acked.items() if r.imported != len(MONTHLY)]
        values = {(r[0], r[1], r[2]): (Decimal(r[3]), r[4]) for r in self.db.query(
            "SELECT region_code, period, indicator_code, value, submission_id FROM data_values"
            " WHERE period IN (%s)" % periods)}
        wrong = []
        for sid, (town, period, vals, _r) in acked.items():
            for code, v in vals:
                if values.get((town, period, code)) != (Decimal(v), sid):
                    wrong.append((sid, town, period, code, v, values.get((town, period, code))))
        print("load through nginx: acknowledged %d, stored %d, lost %d, doubled %d"
              " (extra submission rows %d, extra audit rows %d, answers not the original %d),"
              " stored but never acknowledged %d; client retries %s"
              % (len(acked), len(stored & set(acked)), len(lost),
                 doubled_subs + doubled_audit + len(replayed), doubled_subs, doubled_audit,
                 len(replayed), len(unacked_stored), load.retries or "none"))
        self.assertEqual(lost, [], "acknowledged but not stored")
        self.assertEqual((doubled_subs, doubled_audit, replayed), (0, 0, []), "doubled")
        self.assertEqual(unacked_stored, [], "stored but the client never heard OK")
        self.assertEqual(wrong[:5], [], "stored values differ from the acknowledged ones")

        per = {p: self.answered_by(start_lines, p, stop_at) for p in self.ports}
        after_restart = self.answered_by(back_at, self.ports[1])
        moved = sum(1 for e in self.nginx.access()[start_lines:] if len(e["upstreams"]) > 1)
        print("calls nginx moved to another backend after a failed connect: %d" % moved)
        print("Submit calls answered per backend before the stops (nginx access log): %s;"
              " by the restarted backend after its restart: %d" % (per, after_restart))
        for port, n in per.items():
            self.assertGreaterEqual(n, STEP // 10, "calls not spread: %s" % per)

    # -- nothing left ---------------------------------------------------------

    def test_4_all_backends_down_is_unavailable(self):
        for b in self.backends:
            if b.alive():
                self.assertEqual(b.stop(), 0, b.log_text())
        h = harness.health_pb()
        err = harness.rpc_error(self, harness.health_check(self.channel),
                                h.HealthCheckRequest(), timeout=CALL_TIMEOUT)
        self.assertEqual(err.code(), grpc.StatusCode.UNAVAILABLE, err)
        self.assertIn("no huizongd instance answered", err.details())


class EnvoyConfigTest(unittest.TestCase):
    """deploy/envoy.yaml cannot run here (no Envoy in Debian 12): its YAML
    parses and the rules that make it eject and retry are present."""

    def test_envoy_yaml_ejects_checks_health_and_retries(self):
        import yaml  # python3-yaml, role test
        with open(ENVOY) as f:
            text = f.read()
        self.assertIn("UNTESTED HERE", text.split("\n", 1)[0])
        cfg = yaml.safe_load(text)
        cluster = cfg["static_resources"]["clusters"][0]
        od = cluster["outlier_detection"]
        self.assertGreater(od["enforcing_consecutive_gateway_failure"], 0, od)
        self.assertGreater(od["consecutive_gateway_failure"], 0, od)
        self.assertEqual([h["grpc_health_check"] for h in cluster["health_checks"]],
                         [{"service_name": ""}])
        hcm = cfg["static_resources"]["listeners"][0]["filter_chains"][0]["filters"][0]
        routes = hcm["typed_config"]["route_config"]["virtual_hosts"][0]["routes"]
        retry_on = {(r["match"]["prefix"], "grpc" in r["match"]):
                    r["route"]["retry_policy"]["retry_on"].split(",") for r in routes}
        self.assertIn("unavailable", retry_on[("/", True)])
        self.assertNotIn("unavailable", retry_on[("/huizong.v1.Admin/", False)])


if __name__ == "__main__":
    pc.main()
