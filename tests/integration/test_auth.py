"""Bearer tokens against real PostgreSQL: missing and bad tokens are
UNAUTHENTICATED, a township token is confined to its own region, a county
token reads its subtree only and cannot submit, revoked tokens are refused
at once, and no secret ever appears in the server's log.

Revocation goes through Admin/RevokeToken when the server has it; while
Admin answers UNIMPLEMENTED the token is revoked in SQL and a fresh server
process is started, since the running one may answer from its token cache
for up to 30 s (that is what RevokeToken exists to avoid)."""

import subprocess
import uuid

import grpc

import harness
import pgcluster as pc
from pgcluster import TOWN_A, TOWN_B, TOWN_C, COUNTY, COUNTY2

SC = grpc.StatusCode


class AuthTest(pc.PgServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # One submission per township, made by admin, to read back later.
        cls.period = pc.fresh_quarter()
        cls.sub = {}
        r = pc.Reporting(cls.server.channel())
        for town in (TOWN_A, TOWN_B, TOWN_C):
            req = pc.submit_request(town, cls.period, [("fai", "1")])
            r.submit(req, metadata=pc.auth(cls.fixture.tokens["admin"]), timeout=15)
            cls.sub[town] = req.submission_id

    def setUp(self):
        self.r = self.rep()

    def get(self, town, label):
        return self.r.get(pc.reporting_pb().GetSubmissionRequest(submission_id=self.sub[town]),
                          metadata=self.md(label), timeout=10)

    def list_ids(self, label, region=""):
        resp = self.r.list(pc.reporting_pb().ListSubmissionsRequest(period=self.period,
                                                                    region_code=region,
                                                                    page_size=1000),
                           metadata=self.md(label), timeout=10)
        return {s.submission_id for s in resp.submissions}

    def all_calls(self, metadata):
        """Every Reporting method once with the given metadata; returns the
        errors (or responses) in a dict by method name."""
        rpb = pc.reporting_pb()
        out = {}
        calls = {
            "Submit": lambda: self.r.submit(pc.submit_request(TOWN_A, pc.fresh_quarter(),
                                                              [("fai", "1")]),
                                            metadata=metadata, timeout=10),
            "SubmitStream": lambda: self.r.stream(iter([pc.submit_request(
                TOWN_A, pc.fresh_quarter(), [("fai", "1")])]), metadata=metadata, timeout=10),
            "GetSubmission": lambda: self.r.get(rpb.GetSubmissionRequest(
                submission_id=self.sub[TOWN_A]), metadata=metadata, timeout=10),
            "ListSubmissions": lambda: self.r.list(rpb.ListSubmissionsRequest(),
                                                   metadata=metadata, timeout=10),
        }
        for name, fn in calls.items():
            try:
                out[name] = fn()
            except grpc.RpcError as e:
                out[name] = e
        return out

    def assert_all_unauthenticated(self, metadata, what):
        before = self.db.counts()
        for name, res in self.all_calls(metadata).items():
            with self.subTest(token=what, method=name):
                self.assertIsInstance(res, grpc.RpcError, "%s with %s answered" % (name, what))
                self.assertEqual(res.code(), SC.UNAUTHENTICATED, res.details())
        self.assertEqual(self.db.counts(), before)

    # -- authentication -------------------------------------------------------

    def test_no_token_unauthenticated(self):
        self.assert_all_unauthenticated((), "no token")

    def test_garbage_tokens_unauthenticated(self):
        admin = self.token("admin")
        hz, tid, secret = admin.split("_", 2)
        prefix = hz + "_" + tid
        flipped = secret[:-1] + ("A" if secret[-1] != "A" else "B")
        for what, header in (
                ("random word", "Bearer xyz"),
                ("bare scheme", "Bearer"),
                ("lowercase prefix", "Bearer HZ_" + admin[3:]),
                ("no scheme", admin),
                ("basic scheme", "Basic " + admin),
                ("wrong secret for a real id", "Bearer %s_%s" % (prefix, flipped)),
                ("unknown id", "Bearer hz_987654321_" + secret),
                ("truncated", "Bearer " + admin[:-5]),
                ("extra text", "Bearer " + admin + "x"),
                ("non-numeric id", "Bearer hz_abc_" + secret),
        ):
            self.assert_all_unauthenticated((("authorization", header),), what)

    def test_secrets_never_logged(self):
        self.all_calls(self.md("town_a"))
        self.all_calls((("authorization", "Bearer hz_1_" + "s3cr3t" * 8),))
        log = self.server.log_text()
        for label, secret in self.fixture.tokens.items():
            self.assertNotIn(secret.split("_", 2)[2], log, "secret of %s in the log" % label)
        self.assertNotIn("s3cr3t" * 8, log)

    # -- township scope -------------------------------------------------------

    def test_township_cannot_submit_for_another_township(self):
        period = pc.fresh_quarter()
        for target in (TOWN_B, TOWN_C):
            with self.subTest(target=target):
                err, _ = self.refused(self.r.submit,
                                      pc.submit_request(target, period, [("fai", "1")]),
                                      "town_a", SC.PERMISSION_DENIED)
                self.assertIn(target, err.details())
        # Nor for the county it belongs to.
        self.refused(self.r.submit, pc.submit_request(COUNTY, period, [("fai", "1")]),
                     "town_a", SC.PERMISSION_DENIED)
        # Even as a dry run.
        self.refused(self.r.submit, pc.submit_request(TOWN_B, period, [("fai", "1")],
                                                      dry_run=True),
                     "town_a", SC.PERMISSION_DENIED)
        # Its own region works with the same token.
        resp = self.r.submit(pc.submit_request(TOWN_A, period, [("fai", "1")]),
                             metadata=self.md("town_a"), timeout=10)
        self.assertEqual(resp.imported, 1)

    def test_township_cannot_reuse_another_townships_id_to_probe(self):
        # The id of B's stored submission, sent by A for A: refused without
        # replaying B's answer.
        req = pc.submit_request(TOWN_A, self.period, [("fai", "1")],
                                submission_id=self.sub[TOWN_B])
        err, _ = self.refused(self.r.submit, req, "town_a", SC.ALREADY_EXISTS)
        self.assertNotIn(TOWN_B, err.details().replace(self.sub[TOWN_B], ""),
                         "the refusal tells township A about township B's submission")

    def test_township_reads_only_its_own_submissions(self):
        self.assertEqual(self.get(TOWN_A, "town_a").submission_id, self.sub[TOWN_A])
        for town in (TOWN_B, TOWN_C):
            with self.subTest(town=town):
                err = harness.rpc_error(self, self.get, town, "town_a")
                self.assert_code(err, SC.PERMISSION_DENIED)
        self.assertEqual(self.list_ids("town_a"), {self.sub[TOWN_A]})
        for region in (TOWN_B, COUNTY):
            with self.subTest(region=region):
                err = harness.rpc_error(self, self.list_ids, "town_a", region)
                self.assert_code(err, SC.PERMISSION_DENIED)

    # -- county scope ---------------------------------------------------------

    def test_county_cannot_submit(self):
        period = pc.fresh_quarter()
        for target in (TOWN_A, COUNTY):
            with self.subTest(target=target):
                self.refused(self.r.submit, pc.submit_request(target, period, [("fai", "1")]),
                             "county", SC.PERMISSION_DENIED)
        before = self.db.counts()
        err = harness.rpc_error(self, self.r.stream,
                                iter([pc.submit_request(TOWN_A, period, [("fai", "1")])]),
                                metadata=self.md("county"), timeout=10)
        self.assert_code(err, SC.PERMISSION_DENIED)
        self.assertEqual(self.db.counts(), before)

    def test_county_reads_its_subtree_only(self):
        self.assertEqual(self.list_ids("county"), {self.sub[TOWN_A], self.sub[TOWN_B]})
        self.assertEqual(self.list_ids("county", COUNTY), {self.sub[TOWN_A], self.sub[TOWN_B]})
        self.assertEqual(self.list_ids("county", TOWN_B), {self.sub[TOWN_B]})
        self.assertEqual(self.list_ids("county2"), {self.sub[TOWN_C]})
        self.assertEqual(self.get(TOWN_B, "county").submission_id, self.sub[TOWN_B])
        err = harness.rpc_error(self, self.get, TOWN_C, "county")
        self.assert_code(err, SC.PERMISSION_DENIED)
        err = harness.rpc_error(self, self.get, TOWN_A, "county2")
        self.assert_code(err, SC.PERMISSION_DENIED)
        for region in (COUNTY2, TOWN_C, pc.CITY):
            with self.subTest(region=region):
                err = harness.rpc_error(self, self.list_ids, "county", region)
                self.assert_code(err, SC.PERMISSION_DENIED)

    def test_admin_reads_everything(self):
        self.assertEqual(self.list_ids("admin"), set(self.sub.values()))
        for town in self.sub:
            self.assertEqual(self.get(town, "admin").submission_id, self.sub[town])

    # -- revocation -----------------------------------------------------------

    def _revoke(self, label):
        """Revokes via Admin/RevokeToken; returns None, or the fresh server
        to use when Admin is not there yet (SQL revoke + restart)."""
        a = pc.admin_pb()
        stub = harness.unary(self.server.channel(), "/huizong.v1.Admin/RevokeToken",
                             a.RevokeTokenRequest, a.TokenInfo)
        name = self.fixture.token_names[label]
        try:
            info = stub(a.RevokeTokenRequest(name=name), metadata=self.md("admin"), timeout=10)
            self.assertEqual(info.name, name)
            self.assertTrue(info.revoked_at)
            return None
        except grpc.RpcError as e:
            if not pc.is_unimplemented(e):
                raise
        self.db.execute("UPDATE tokens SET revoked_at = now() WHERE name = %s"
                        % pc.sql_literal(name))
        return self.start_server()

    def test_revoked_token_refused(self):
        secret = self.fixture.add_token("revokee", "township", TOWN_B)
        period = pc.fresh_quarter()
        # Used once, so the server has it cached.
        self.r.submit(pc.submit_request(TOWN_B, period, [("fai", "1")]),
                      metadata=pc.auth(secret), timeout=10)
        fresh = self._revoke("revokee")
        server = fresh or self.server
        try:
            r = pc.Reporting(server.channel())
            before = self.db.counts()
            err = harness.rpc_error(self, r.submit,
                                    pc.submit_request(TOWN_B, period, [("fai", "2")]),
                                    metadata=pc.auth(secret), timeout=10)
            self.assert_code(err, SC.UNAUTHENTICATED)
            err = harness.rpc_error(self, r.list, pc.reporting_pb().ListSubmissionsRequest(),
                                    metadata=pc.auth(secret), timeout=10)
            self.assert_code(err, SC.UNAUTHENTICATED)
            self.assertEqual(self.db.counts(), before)
            # Other tokens of the same region keep working.
            resp = r.submit(pc.submit_request(TOWN_B, period, [("fai", "3")]),
                            metadata=self.md("town_b"), timeout=10)
            self.assertEqual(resp.updated, 1)
        finally:
            if fresh:
                fresh.stop_and_check(self)

    def test_revocation_reaches_every_server_at_once(self):
        """Two huizongd on one database: a token cached by B and revoked
        through A is refused by B's very next call, read or write, and
        nothing is stored; B keeps serving other tokens from its cache."""
        secret = self.fixture.add_token("revokee2", "township", TOWN_B)
        b = self.start_server()
        try:
            rb = pc.Reporting(b.channel())
            period = pc.fresh_quarter()
            # Two calls on B: the second is answered from B's token cache.
            for v in ("1", "2"):
                rb.submit(pc.submit_request(TOWN_B, period, [("fai", v)]),
                          metadata=pc.auth(secret), timeout=10)
            rb.list(pc.reporting_pb().ListSubmissionsRequest(), metadata=self.md("town_b"),
                    timeout=10)
            self.assertIsNone(self._revoke("revokee2"), "RevokeToken is not available")
            before = self.db.counts()
            err = harness.rpc_error(self, rb.submit,
                                    pc.submit_request(TOWN_B, period, [("fai", "3")]),
                                    metadata=pc.auth(secret), timeout=10)
            self.assert_code(err, SC.UNAUTHENTICATED)
            self.assertIn("revoked", err.details())
            self.assertEqual(self.db.counts(), before)
            err = harness.rpc_error(self, rb.list, pc.reporting_pb().ListSubmissionsRequest(),
                                    metadata=pc.auth(secret), timeout=10)
            self.assert_code(err, SC.UNAUTHENTICATED)
            # Another token of the region, cached on B before, still works.
            rb.list(pc.reporting_pb().ListSubmissionsRequest(), metadata=self.md("town_b"),
                    timeout=10)
        finally:
            b.stop_and_check(self)

    # -- `huizongd token create` ------------------------------------------------

    def _token_cli(self, *args):
        cmd = [harness.huizongd_path(), "token", "create"] + list(args)
        env = harness.server_env({"DATABASE_URL": self.db.url})
        return subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=env)

    def test_cli_token_create_has_the_admin_checks(self):
        """The command creates through hz_create_token, like Admin
        CreateToken: the same refusals, and the audit actor is "local"."""
        name = "cli-" + uuid.uuid4().hex[:8]
        ok = self._token_cli("--role", "township", "--region", TOWN_A, "--name", name)
        self.assertEqual(ok.returncode, 0, ok.stderr)
        secret = ok.stdout.split()[-1]
        who = harness.unary(self.server.channel(), "/huizong.v1.Admin/WhoAmI",
                            pc.admin_pb().WhoAmIRequest, pc.admin_pb().TokenInfo)
        info = who(pc.admin_pb().WhoAmIRequest(), metadata=pc.auth(secret), timeout=10)
        self.assertEqual((info.name, info.region_code, info.created_by), (name, TOWN_A, "local"))
        self.assertEqual(self.db.scalar(
            "SELECT string_agg(actor, ',') FROM audit_log WHERE action = 'token.create'"
            " AND detail LIKE %s" % pc.sql_literal("% " + name + ",%")), "local")

        before = self.db.counts()
        tokens = self.db.scalar("SELECT count(*) FROM tokens")
        dup = self._token_cli("--role", "township", "--region", TOWN_B, "--name", name)
        self.assertEqual(dup.returncode, 1, dup.stderr)
        self.assertIn("already named " + name, dup.stderr)
        county = self._token_cli("--role", "township", "--region", COUNTY,
                                 "--name", "cli-" + uuid.uuid4().hex[:8])
        self.assertEqual(county.returncode, 1, county.stderr)
        self.assertIn("a township token needs a reporting region", county.stderr)
        # The other refusal reasons the command prints (hz_create_token's
        # role_level_mismatch the other way round, and unknown_region).
        town = self._token_cli("--role", "county", "--region", TOWN_A,
                               "--name", "cli-" + uuid.uuid4().hex[:8])
        self.assertEqual(town.returncode, 1, town.stderr)
        self.assertIn("a county token reads a subtree; %s" % TOWN_A, town.stderr)
        nowhere = self._token_cli("--role", "township", "--region", "420624999",
                                  "--name", "cli-" + uuid.uuid4().hex[:8])
        self.assertEqual(nowhere.returncode, 1, nowhere.stderr)
        self.assertEqual(nowhere.stderr, "huizongd token: unknown region 420624999\n")
        self.assertEqual(dup.stdout + county.stdout + town.stdout + nowhere.stdout, "",
                         "a refused create printed a token")
        self.assertEqual(self.db.scalar("SELECT count(*) FROM tokens"), tokens)
        self.assertEqual(self.db.counts(), before)


if __name__ == "__main__":
    pc.main()
