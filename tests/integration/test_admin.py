"""huizong.v1.Admin against real PostgreSQL, driven by grpcio: region,
indicator and target imports (counts, idempotent re-import, refusals with
line numbers, nothing stored after a refusal, dry runs), and the token
lifecycle (CreateToken, ListTokens, RevokeToken taking effect at once,
secrets stored only as hashes), and the one dialect every Admin list
speaks: api/pgtext.h's page token, the scaffold's scope check naming the
request field, api/problems.h's problem list in request order.

Every Admin method is part of the contract: one that answers
UNIMPLEMENTED fails the test that calls it (never a skip, so a method
that silently stops being registered turns the suite red)."""

import hashlib
import itertools

import grpc

import harness
import pgcluster as pc
from pgcluster import TOWN_A, TOWN_B, COUNTY, CITY, PROVINCE

SC = grpc.StatusCode
_codes = itertools.count(10)


def fresh_county():
    """A county code under 4206 that no other test uses (420610..420699,
    skipping the fixture's)."""
    while True:
        code = "4206%02d" % next(_codes)
        if code not in (COUNTY, pc.COUNTY2):
            return code


class AdminTest(pc.PgServerTestCase):

    def setUp(self):
        self.a = pc.admin_pb()
        self.c = pc.common_pb()
        self.chan = self.server.channel()

    def admin(self, method, req, label="admin", timeout=15):
        """Calls Admin/<method>; fails the test if it is UNIMPLEMENTED."""
        req_cls = type(req)
        resp_cls = {
            "ImportRegions": self.a.ImportResponse, "ImportIndicators": self.a.ImportResponse,
            "ImportTargets": self.a.ImportResponse, "CreateToken": self.a.CreateTokenResponse,
            "ListTokens": self.a.ListTokensResponse, "RevokeToken": self.a.TokenInfo,
            "WhoAmI": self.a.TokenInfo, "ListRegions": self.a.ListRegionsResponse,
            "ListIndicators": self.a.ListIndicatorsResponse,
            "ListTargets": self.a.ListTargetsResponse, "GetRegion": self.a.GetRegionResponse,
            "GetAudit": self.a.GetAuditResponse,
        }[method]
        stub = harness.unary(self.chan, "/huizong.v1.Admin/" + method, req_cls, resp_cls)
        try:
            return stub(req, metadata=self.md(label), timeout=timeout)
        except grpc.RpcError as e:
            if pc.is_unimplemented(e):
                self.fail("Admin/%s answered UNIMPLEMENTED (%s)" % (method, e.details()))
            raise

    def admin_refused(self, method, req, code, label="admin"):
        """Expects refusal `code` with nothing stored; returns (err, ProblemList)."""
        tables = ("regions", "region_paths", "indicators", "tokens", "targets", "audit_log")
        counts = lambda: self.db.query("SELECT " + ", ".join("(SELECT count(*) FROM %s)" % t
                                                             for t in tables))[0]
        before = counts()
        try:
            resp = self.admin(method, req, label=label)
        except grpc.RpcError as e:
            self.assertEqual(e.code(), code, e.details())
            self.assertEqual(counts(), before, "a refused %s stored rows" % method)
            return e, pc.problems_of(e)
        self.fail("expected %s from %s, got %s" % (code, method, resp))

    def region_rows(self, rows, first_line=2):
        return pc.region_rows_pb(rows, first_line)

    def counts_of(self, resp):
        return (resp.received, resp.created, resp.updated, resp.unchanged)

    # -- regions ---------------------------------------------------------------

    def test_import_regions_children_first_then_idempotent(self):
        county = fresh_county()
        t1, t2 = county + "100", county + "101"
        rows = [(t1, "光化街道", 4, county), (t2, "酂阳街道", 4, county),
                (county, "老河口市", 3, CITY)]
        resp = self.admin("ImportRegions", self.a.ImportRegionsRequest(rows=self.region_rows(rows)))
        self.assertEqual(self.counts_of(resp), (3, 3, 0, 0))
        got = set(self.db.query("SELECT code, name, level::text, coalesce(parent_code, '')"
                                " FROM regions WHERE code IN (%s)"
                                % ",".join(pc.sql_literal(r[0]) for r in rows)))
        self.assertEqual(got, {(c, n, str(l), p) for c, n, l, p in rows})
        paths = set(self.db.query("SELECT ancestor, depth::text FROM region_paths"
                                  " WHERE descendant = %s" % pc.sql_literal(t1)))
        self.assertEqual(paths, {(t1, "0"), (county, "1"), (CITY, "2"), (PROVINCE, "3")})
        self.assertEqual(self.db.count("regions WHERE code = %s AND reporting" % pc.sql_literal(t1)), 1)
        audit = self.db.count("audit_log")
        again = self.admin("ImportRegions", self.a.ImportRegionsRequest(rows=self.region_rows(rows)))
        self.assertEqual(self.counts_of(again), (3, 0, 0, 3))
        self.assertEqual(self.db.count("audit_log"), audit, "an unchanged re-import was audited")
        renamed = [(t1, "光化街道办事处", 4, county)]
        resp = self.admin("ImportRegions", self.a.ImportRegionsRequest(rows=self.region_rows(renamed)))
        self.assertEqual(self.counts_of(resp), (1, 0, 1, 0))
        self.assertEqual(self.db.scalar("SELECT name FROM regions WHERE code = %s"
                                        % pc.sql_literal(t1)), "光化街道办事处")

    def test_import_regions_dry_run_stores_nothing(self):
        county = fresh_county()
        req = self.a.ImportRegionsRequest(rows=self.region_rows([(county, "试算县", 3, CITY)]),
                                          dry_run=True)
        before = self.db.count("regions")
        resp = self.admin("ImportRegions", req)
        self.assertEqual(self.counts_of(resp), (1, 1, 0, 0))
        self.assertTrue(resp.dry_run)
        self.assertEqual(self.db.count("regions"), before)

    def test_import_regions_unknown_parent_refused_with_line_number(self):
        county = fresh_county()
        rows = [(county, "某县", 3, CITY), (county + "100", "某镇", 4, "420699"),
                (county + "101", "另一镇", 4, county)]
        err, plist = self.admin_refused("ImportRegions",
                                        self.a.ImportRegionsRequest(rows=self.region_rows(rows, 7)),
                                        SC.NOT_FOUND)
        self.assertIsNotNone(plist)
        self.assertEqual([(p.line, p.index, p.kind, p.field) for p in plist.problems],
                         [(8, 1, self.c.PROBLEM_KIND_UNKNOWN_REFERENCE, "parent_code")])
        self.assertIn("420699", plist.problems[0].reason)
        self.assertIn("line 8", err.details())
        self.assertEqual(plist.total, 1)

    def test_import_regions_cycle_refused_with_line_numbers(self):
        a, b = fresh_county(), fresh_county()
        rows = [(a, "甲", 3, b), (b, "乙", 3, a)]
        err, plist = self.admin_refused("ImportRegions",
                                        self.a.ImportRegionsRequest(rows=self.region_rows(rows)),
                                        SC.INVALID_ARGUMENT)
        cyc = [p for p in plist.problems if p.kind == self.c.PROBLEM_KIND_CYCLE]
        self.assertTrue(cyc, "no CYCLE problem in %s" % plist)
        self.assertTrue({p.line for p in cyc} <= {2, 3} and all(p.line for p in cyc), plist)
        self.assertRegex(err.details(), r"line [23]")
        # A loop through stored regions: the city under its own county.
        err, plist = self.admin_refused(
            "ImportRegions",
            self.a.ImportRegionsRequest(rows=self.region_rows([(CITY, "襄阳市", 2, COUNTY)], 5)),
            SC.INVALID_ARGUMENT)
        kinds = {(p.line, p.kind) for p in plist.problems}
        self.assertIn((5, self.c.PROBLEM_KIND_CYCLE), kinds, plist)
        self.assertEqual(self.db.scalar("SELECT parent_code FROM regions WHERE code = %s"
                                        % pc.sql_literal(CITY)), PROVINCE)

    def test_import_regions_malformed_and_duplicate_rows(self):
        county = fresh_county()
        rows = [(county, "某县", 3, CITY), ("42x", "坏", 3, CITY), (county, "某县", 3, CITY),
                (county + "100", "某镇", 0, county)]
        err, plist = self.admin_refused("ImportRegions",
                                        self.a.ImportRegionsRequest(rows=self.region_rows(rows)),
                                        SC.INVALID_ARGUMENT)
        got = {(p.line, p.kind) for p in plist.problems}
        self.assertIn((3, self.c.PROBLEM_KIND_MALFORMED), got, plist)
        self.assertIn((4, self.c.PROBLEM_KIND_DUPLICATE), got, plist)
        self.assertIn(5, {p.line for p in plist.problems}, plist)

    def test_import_regions_empty_invalid_argument(self):
        self.admin_refused("ImportRegions", self.a.ImportRegionsRequest(), SC.INVALID_ARGUMENT)

    # -- indicators ------------------------------------------------------------

    def ind_row(self, line, code, period_type=pc.QUARTER, unit="万元", lo="0", hi=None, ratio=None,
                name="测试指标"):
        return self.a.IndicatorRow(line=line, indicator=pc.indicator_pb(
            code, name, unit, period_type, pc.T_SUM, pc.R_SUM, lo, hi, ratio))

    def test_import_indicators_counts_and_idempotency(self):
        rows = [self.ind_row(2, "x_rev", lo="0", hi="1000000.5"),
                self.ind_row(3, "x_cost"),
                self.ind_row(4, "x_ratio", lo=None, ratio=("x_rev", "x_cost", "100"))]
        resp = self.admin("ImportIndicators", self.a.ImportIndicatorsRequest(rows=rows))
        self.assertEqual(self.counts_of(resp), (3, 3, 0, 0))
        self.assertEqual(self.db.query("SELECT min_value::text, max_value::text, unit,"
                                       " period_type::text FROM indicators WHERE code = 'x_rev'"),
                         [("0", "1000000.5", "万元", "3")])
        self.assertEqual(self.db.query("SELECT ratio_numerator, ratio_denominator,"
                                       " ratio_factor::text FROM indicators WHERE code = 'x_ratio'"),
                         [("x_rev", "x_cost", "100")])
        again = self.admin("ImportIndicators", self.a.ImportIndicatorsRequest(rows=rows))
        self.assertEqual(self.counts_of(again), (3, 0, 0, 3))
        rows[1] = self.ind_row(3, "x_cost", unit="亿元")
        resp = self.admin("ImportIndicators", self.a.ImportIndicatorsRequest(rows=rows))
        self.assertEqual(self.counts_of(resp), (3, 0, 1, 2))
        # Submissions see the new catalog at once.
        period = pc.fresh_quarter()
        r = pc.Reporting(self.server.channel())
        resp = r.submit(pc.submit_request(TOWN_A, period, [("x_rev", "5")]),
                        metadata=self.md("town_a"), timeout=10)
        self.assertEqual(resp.imported, 1)

    def test_import_indicators_refusals(self):
        cases = [
            ([self.ind_row(2, "y_bad", lo="10", hi="1")], SC.INVALID_ARGUMENT, 2),
            ([self.ind_row(2, "Y-Upper")], SC.INVALID_ARGUMENT, 2),
            ([self.ind_row(2, "y_ok"), self.ind_row(3, "y_r", ratio=("nope", "y_ok", "100"))],
             SC.NOT_FOUND, 3),
            ([self.ind_row(2, "y_ok2", period_type=0)], SC.INVALID_ARGUMENT, 2),
            ([self.ind_row(2, "y_ok3", lo="1,5")], SC.INVALID_ARGUMENT, 2),
        ]
        for rows, code, line in cases:
            with self.subTest(rows=[r.indicator.code for r in rows]):
                err, plist = self.admin_refused(
                    "ImportIndicators", self.a.ImportIndicatorsRequest(rows=rows), code)
                self.assertIsNotNone(plist)
                self.assertIn(line, [p.line for p in plist.problems], plist)
                self.assertIn("line %d" % line, err.details())

    def test_frequency_change_with_stored_values_conflict(self):
        self.admin("ImportIndicators", self.a.ImportIndicatorsRequest(
            rows=[self.ind_row(2, "z_freq")]))
        r = pc.Reporting(self.server.channel())
        r.submit(pc.submit_request(TOWN_A, pc.fresh_quarter(), [("z_freq", "1")]),
                 metadata=self.md("town_a"), timeout=10)
        err, plist = self.admin_refused("ImportIndicators", self.a.ImportIndicatorsRequest(
            rows=[self.ind_row(9, "z_freq", period_type=pc.MONTH)]), SC.FAILED_PRECONDITION)
        self.assertEqual([(p.line, p.kind) for p in plist.problems],
                         [(9, self.c.PROBLEM_KIND_CONFLICT)])

    # -- targets ---------------------------------------------------------------

    def target_rows(self, rows, first_line=2):
        return [self.a.TargetRow(line=first_line + i, region_code=r, indicator_code=c, period=p,
                                 value=v) for i, (r, c, p, v) in enumerate(rows)]

    def test_import_targets_stored_exactly_and_audited(self):
        y = pc.fresh_year()
        rows = [(COUNTY, "tax", "%d" % y, "1550"), (TOWN_A, "tax", "%dS1" % y, "5500.00"),
                (TOWN_A, "fai", "%dQ1" % y, "4.90")]
        resp = self.admin("ImportTargets", self.a.ImportTargetsRequest(rows=self.target_rows(rows)))
        self.assertEqual(self.counts_of(resp), (3, 3, 0, 0))
        got = set(self.db.query("SELECT region_code, indicator_code, period, value::text"
                                " FROM targets WHERE period LIKE '%d%%'" % y))
        self.assertEqual(got, {(COUNTY, "tax", "%d" % y, "1550"),
                               (TOWN_A, "tax", "%dS1" % y, "5500"),
                               (TOWN_A, "fai", "%dQ1" % y, "4.9")})
        again = self.admin("ImportTargets", self.a.ImportTargetsRequest(rows=self.target_rows(rows)))
        self.assertEqual(self.counts_of(again), (3, 0, 0, 3))
        rows[0] = (COUNTY, "tax", "%d" % y, "1600")
        resp = self.admin("ImportTargets", self.a.ImportTargetsRequest(rows=self.target_rows(rows)))
        self.assertEqual(self.counts_of(resp), (3, 0, 1, 2))
        self.assertEqual(self.db.query(
            "SELECT old_value::text, new_value::text, actor FROM audit_log WHERE action = 'target.set'"
            " AND region_code = %s AND period = %s ORDER BY id"
            % (pc.sql_literal(COUNTY), pc.sql_literal("%d" % y))),
            [(None, "1550", "test-admin"), ("1550", "1600", "test-admin")])

    def test_import_targets_refusals_with_line_numbers(self):
        y = pc.fresh_year()
        K = self.c
        cases = [
            ([(TOWN_A, "fai", "%d01" % y, "1")], SC.FAILED_PRECONDITION,
             K.PROBLEM_KIND_WRONG_PERIOD_TYPE),
            ([("420624999", "fai", "%dQ1" % y, "1")], SC.NOT_FOUND, K.PROBLEM_KIND_UNKNOWN_REFERENCE),
            ([(TOWN_A, "nope", "%dQ1" % y, "1")], SC.NOT_FOUND, K.PROBLEM_KIND_UNKNOWN_REFERENCE),
            ([(TOWN_A, "fai", "%dQ1" % y, "4,9")], SC.INVALID_ARGUMENT, K.PROBLEM_KIND_MALFORMED),
            ([(TOWN_A, "fai", "%dQ7" % y, "1")], SC.INVALID_ARGUMENT, K.PROBLEM_KIND_MALFORMED),
        ]
        for rows, code, kind in cases:
            with self.subTest(row=rows[0]):
                ok = (TOWN_B, "fai", "%dQ2" % y, "2")
                err, plist = self.admin_refused("ImportTargets", self.a.ImportTargetsRequest(
                    rows=self.target_rows([ok] + rows, 10)), code)
                self.assertEqual([(p.line, p.kind) for p in plist.problems], [(11, kind)])
                self.assertIn("line 11", err.details())

    # -- tokens ------------------------------------------------------------------

    def new_token(self, role, region="", name=None):
        name = name or "tok-" + pc.new_id()[:8]
        resp = self.admin("CreateToken", self.a.CreateTokenRequest(name=name, role=role,
                                                                     region_code=region))
        return name, resp

    def test_create_token_works_and_is_stored_only_as_a_hash(self):
        name, resp = self.new_token(self.c.ROLE_TOWNSHIP, TOWN_B)
        secret = resp.secret
        self.assertTrue(secret)
        self.assertEqual((resp.token.name, resp.token.role, resp.token.region_code),
                         (name, self.c.ROLE_TOWNSHIP, TOWN_B))
        self.assertEqual(resp.token.created_by, "test-admin")
        self.assertEqual(resp.token.revoked_at, "")
        # Nothing stored equals the secret or its secret part; the stored
        # hash is SHA-256 of the secret part.
        part = secret.split("_", 2)[2] if secret.startswith("hz_") else secret
        dump = self.db.query("SELECT t::text FROM tokens t WHERE name = %s" % pc.sql_literal(name))
        self.assertNotIn(part, dump[0][0])
        stored = self.db.scalar("SELECT encode(secret_hash, 'hex') FROM tokens WHERE name = %s"
                                % pc.sql_literal(name))
        self.assertEqual(stored, hashlib.sha256(part.encode()).hexdigest())
        self.assertEqual(self.db.count("audit_log WHERE detail LIKE %s"
                                       % pc.sql_literal("%" + part + "%")), 0)
        r = pc.Reporting(self.server.channel())
        period = pc.fresh_quarter()
        ok = r.submit(pc.submit_request(TOWN_B, period, [("fai", "1")]),
                      metadata=pc.auth(secret), timeout=10)
        self.assertEqual(ok.imported, 1)
        err = harness.rpc_error(self, r.submit, pc.submit_request(TOWN_A, period, [("fai", "1")]),
                                metadata=pc.auth(secret), timeout=10)
        self.assertEqual(err.code(), SC.PERMISSION_DENIED)
        who = harness.unary(self.chan, "/huizong.v1.Admin/WhoAmI", self.a.WhoAmIRequest,
                            self.a.TokenInfo)
        me = who(self.a.WhoAmIRequest(), metadata=pc.auth(secret), timeout=10)
        self.assertEqual((me.name, me.role, me.region_code), (name, self.c.ROLE_TOWNSHIP, TOWN_B))

    def test_create_token_refusals(self):
        """Each refusal's status and sentence: the request checks made in C
        (role names from domain/role.h) and the database's refusal reasons
        (hz_create_token, mapped to a status by api/refusal.c)."""
        R = self.c
        taken, _ = self.new_token(R.ROLE_COUNTY, COUNTY)
        cases = [
            (self.a.CreateTokenRequest(name="", role=R.ROLE_TOWNSHIP, region_code=TOWN_A),
             SC.INVALID_ARGUMENT, "name: a token needs a name"),
            (self.a.CreateTokenRequest(name="n1", role=R.ROLE_UNSPECIFIED, region_code=TOWN_A),
             SC.INVALID_ARGUMENT, "role: unspecified"),
            (self.a.CreateTokenRequest(name="n2", role=R.ROLE_TOWNSHIP), SC.INVALID_ARGUMENT,
             "region_code: a township token needs its region"),
            (self.a.CreateTokenRequest(name="n2c", role=R.ROLE_COUNTY), SC.INVALID_ARGUMENT,
             "region_code: a county token needs its region"),
            # role_level_mismatch, both ways round.
            (self.a.CreateTokenRequest(name="n3", role=R.ROLE_TOWNSHIP, region_code=COUNTY),
             SC.INVALID_ARGUMENT, "a township token needs a reporting region; %s" % COUNTY),
            (self.a.CreateTokenRequest(name="n3c", role=R.ROLE_COUNTY, region_code=TOWN_A),
             SC.INVALID_ARGUMENT, "a county token reads a subtree; %s" % TOWN_A),
            (self.a.CreateTokenRequest(name="n4", role=R.ROLE_ADMIN, region_code=COUNTY),
             SC.INVALID_ARGUMENT, "region_code: an admin token has no region"),
            # unknown_region
            (self.a.CreateTokenRequest(name="n5", role=R.ROLE_TOWNSHIP, region_code="420624999"),
             SC.NOT_FOUND, "unknown region 420624999"),
            # name_taken
            (self.a.CreateTokenRequest(name=taken, role=R.ROLE_COUNTY, region_code=COUNTY),
             SC.ALREADY_EXISTS, "an active token is already named " + taken),
        ]
        for req, code, said in cases:
            with self.subTest(req=str(req)):
                err, _ = self.admin_refused("CreateToken", req, code)
                self.assertIn(said, err.details())
        for label in ("county", "town_a"):
            with self.subTest(caller=label):
                self.admin_refused("CreateToken", self.a.CreateTokenRequest(
                    name="n6", role=R.ROLE_TOWNSHIP, region_code=TOWN_A), SC.PERMISSION_DENIED,
                    label=label)

    def test_list_tokens_without_secrets(self):
        name, resp = self.new_token(self.c.ROLE_COUNTY, COUNTY)
        listed = self.admin("ListTokens", self.a.ListTokensRequest(page_size=1000))
        mine = [t for t in listed.tokens if t.name == name]
        self.assertEqual(len(mine), 1)
        self.assertEqual(mine[0].id, resp.token.id)
        self.assertNotIn(resp.secret.split("_")[-1], listed.SerializeToString().decode("utf-8", "replace"))
        by_region = self.admin("ListTokens", self.a.ListTokensRequest(region_code=COUNTY,
                                                                      role=self.c.ROLE_COUNTY))
        self.assertIn(name, {t.name for t in by_region.tokens})
        self.assertTrue(all(t.region_code == COUNTY and t.role == self.c.ROLE_COUNTY
                            for t in by_region.tokens))

    def test_revoke_token_takes_effect_at_once(self):
        name, resp = self.new_token(self.c.ROLE_TOWNSHIP, TOWN_A)
        r = pc.Reporting(self.server.channel())
        period = pc.fresh_quarter()
        r.submit(pc.submit_request(TOWN_A, period, [("fai", "1")]),
                 metadata=pc.auth(resp.secret), timeout=10)  # now cached by the server
        info = self.admin("RevokeToken", self.a.RevokeTokenRequest(name=name))
        self.assertEqual(info.name, name)
        self.assertTrue(info.revoked_at)
        err = harness.rpc_error(self, r.submit, pc.submit_request(TOWN_A, period, [("fai", "2")]),
                                metadata=pc.auth(resp.secret), timeout=10)
        self.assertEqual(err.code(), SC.UNAUTHENTICATED, err.details())
        self.assertEqual(self.db.scalar("SELECT value::text FROM data_values WHERE region_code = %s"
                                        " AND period = %s AND indicator_code = 'fai'"
                                        % (pc.sql_literal(TOWN_A), pc.sql_literal(period))), "1")
        # Again, by id: unchanged.
        again = self.admin("RevokeToken", self.a.RevokeTokenRequest(id=resp.token.id))
        self.assertEqual(again.revoked_at, info.revoked_at)
        active = self.admin("ListTokens", self.a.ListTokensRequest(page_size=1000))
        self.assertNotIn(name, {t.name for t in active.tokens})
        everything = self.admin("ListTokens", self.a.ListTokensRequest(include_revoked=True,
                                                                       page_size=1000))
        self.assertIn(name, {t.name for t in everything.tokens})
        # The name is free again for a new token.
        self.new_token(self.c.ROLE_TOWNSHIP, TOWN_A, name=name)

    def test_revoke_token_refusals(self):
        """unknown_token is NOT_FOUND and name_ambiguous FAILED_PRECONDITION
        (hz_revoke_token's reasons through api/refusal.c), with the
        database's sentence; malformed requests never reach it."""
        twin = "twin-" + pc.new_id()[:8]
        # Two active tokens of one name: CreateToken refuses that today, a
        # database written before its check (or by hand) may hold it.
        self.db.execute("INSERT INTO tokens (name, role, region_code, secret_hash)"
                        " SELECT %s, 1, %s, sha256(n::text::bytea) FROM generate_series(1, 2) n"
                        % (pc.sql_literal(twin), pc.sql_literal(TOWN_A)))
        self.addCleanup(self.db.execute, "UPDATE tokens SET revoked_at = now() WHERE name = %s"
                        % pc.sql_literal(twin))
        for req, code, said in (
                (self.a.RevokeTokenRequest(name="no-such-token"), SC.NOT_FOUND,
                 "no token is named no-such-token"),
                (self.a.RevokeTokenRequest(id="987654321"), SC.NOT_FOUND,
                 "unknown token id 987654321"),
                (self.a.RevokeTokenRequest(name=twin), SC.FAILED_PRECONDITION,
                 "2 active tokens are named %s; revoke them by id" % twin),
                (self.a.RevokeTokenRequest(), SC.INVALID_ARGUMENT, "id, name:"),
                (self.a.RevokeTokenRequest(id="1", name="test-admin"), SC.INVALID_ARGUMENT,
                 "id, name:")):
            with self.subTest(req=str(req)):
                err, _ = self.admin_refused("RevokeToken", req, code)
                self.assertIn(said, err.details())
        self.assertEqual(self.db.count("tokens WHERE name = %s AND revoked_at IS NULL"
                                       % pc.sql_literal(twin)), 2)
        self.admin_refused("RevokeToken", self.a.RevokeTokenRequest(
            name=self.fixture.token_names["town_b"]), SC.PERMISSION_DENIED, label="county")

    # -- roles -------------------------------------------------------------------

    def test_imports_need_an_admin_token(self):
        county = fresh_county()
        for label in ("town_a", "county"):
            with self.subTest(caller=label):
                self.admin_refused("ImportRegions", self.a.ImportRegionsRequest(
                    rows=self.region_rows([(county, "某县", 3, CITY)])), SC.PERMISSION_DENIED,
                    label=label)
                self.admin_refused("ImportIndicators", self.a.ImportIndicatorsRequest(
                    rows=[self.ind_row(2, "w_x")]), SC.PERMISSION_DENIED, label=label)
                self.admin_refused("ImportTargets", self.a.ImportTargetsRequest(
                    rows=self.target_rows([(TOWN_A, "fai", "2022Q1", "1")])),
                    SC.PERMISSION_DENIED, label=label)


    # -- one dialect: page tokens, scope checks, problem lists -------------------------

    def walk(self, method, req, items, key):
        """Follows next_page_token to the end; every token must be the one
        format (hex of "<timestamp>|<key>", here with no timestamp) naming
        the last row shown. Returns the keys of every row, in order."""
        keys = []
        for _ in range(5000):
            resp = self.admin(method, req)
            page = [key(x) for x in getattr(resp, items)]
            keys += page
            if not resp.next_page_token:
                return keys
            self.assertTrue(page, "a token after an empty page")
            plain = bytes.fromhex(resp.next_page_token).decode()
            self.assertEqual(plain, "|" + page[-1], "%s token names the last row" % method)
            req.page_token = resp.next_page_token
        self.fail("%s did not end" % method)

    def test_every_list_pages_with_the_one_token_format(self):
        y = pc.fresh_year()
        self.admin("ImportTargets", self.a.ImportTargetsRequest(rows=self.target_rows([
            (COUNTY, "tax", "%d" % y, "1"), (TOWN_A, "tax", "%dS1" % y, "2"),
            (TOWN_A, "fai", "%dQ1" % y, "3"), (TOWN_B, "fai", "%dQ1" % y, "4")])))
        self.new_token(self.c.ROLE_COUNTY, COUNTY)
        self.new_token(self.c.ROLE_COUNTY, COUNTY)
        target_key = lambda t: "%s/%s/%s" % (t.region_code, t.indicator_code, t.period)
        lists = [
            ("ListRegions", self.a.ListRegionsRequest, "regions", lambda g: g.code),
            ("ListIndicators", self.a.ListIndicatorsRequest, "indicators", lambda i: i.code),
            ("ListTokens", self.a.ListTokensRequest, "tokens", lambda t: t.id),
            ("ListTargets", lambda **kw: self.a.ListTargetsRequest(period="%dQ1" % y, **kw),
             "targets", target_key),
            ("ListTargets", lambda **kw: self.a.ListTargetsRequest(region_code=TOWN_A, **kw),
             "targets", target_key),
        ]
        for method, make, items, key in lists:
            with self.subTest(method=method):
                whole = self.walk(method, make(page_size=1000), items, key)
                self.assertGreaterEqual(len(whole), 2, method)
                self.assertEqual(self.walk(method, make(page_size=1), items, key), whole)

    def test_every_list_refuses_a_forged_page_token(self):
        hexed = lambda s: s.encode().hex()
        forged = ["zz", "4206", hexed("4206"), hexed("|4206'--"), hexed("|"), hexed("|a/b/c"), hexed("|tax") + "0",
                  hexed("|42")[:-2] + "zz", hexed("2022-04-05|x1")]
        reqs = [("ListRegions", self.a.ListRegionsRequest),
                ("ListIndicators", self.a.ListIndicatorsRequest),
                ("ListTokens", self.a.ListTokensRequest),
                ("ListTargets", self.a.ListTargetsRequest),
                ("GetAudit", self.a.GetAuditRequest)]
        # Each list's own key grammar, and a timestamp only in the list
        # ordered by time: a well-formed token of another list is not a
        # position in this one.
        timed = hexed("2022-04-05T08:30:00Z|4206")
        others = {"ListRegions": [hexed("|tax"), timed], "ListTokens": [hexed("|tax"), timed],
                  "ListIndicators": [hexed("|Tax"), timed],
                  "ListTargets": [hexed("|" + COUNTY), timed], "GetAudit": [hexed("|42")]}
        for method, make in reqs:
            for tok in forged + others[method]:
                with self.subTest(method=method, token=tok):
                    with self.assertRaises(grpc.RpcError) as cm:
                        self.admin(method, make(page_token=tok))
                    self.assertEqual(cm.exception.code(), SC.INVALID_ARGUMENT)
                    self.assertEqual(cm.exception.details(), "page_token: malformed")

    def test_scope_checks_name_the_field_and_the_scope(self):
        cases = [
            ("ListRegions", self.a.ListRegionsRequest(root_code=pc.COUNTY2), "root_code"),
            ("ListTargets", self.a.ListTargetsRequest(region_code=pc.COUNTY2), "region_code"),
            ("GetRegion", self.a.GetRegionRequest(code=pc.COUNTY2), "code"),
            ("GetAudit", self.a.GetAuditRequest(region_code=pc.COUNTY2), "region_code"),
        ]
        for method, req, field in cases:
            with self.subTest(method=method):
                with self.assertRaises(grpc.RpcError) as cm:
                    self.admin(method, req, label="county")
                self.assertEqual(cm.exception.code(), SC.PERMISSION_DENIED)
                self.assertEqual(cm.exception.details(),
                                 "%s: region %s is outside this token's scope (%s)"
                                 % (field, pc.COUNTY2, COUNTY))
                unknown = type(req)()
                unknown.CopyFrom(req)
                setattr(unknown, field, "429901")
                with self.assertRaises(grpc.RpcError) as cm:
                    self.admin(method, unknown)
                self.assertEqual(cm.exception.code(), SC.NOT_FOUND)
                self.assertEqual(cm.exception.details(), "%s: unknown region 429901" % field)
        # Within scope, and a scoped token's own subtree by default.
        got = self.admin("GetRegion", self.a.GetRegionRequest(code=TOWN_A), label="county")
        self.assertEqual((got.region.code, got.ancestors[-1].code), (TOWN_A, COUNTY))
        mine = self.admin("ListRegions", self.a.ListRegionsRequest(), label="county")
        self.assertEqual(mine.regions[0].code, COUNTY)
        self.assertTrue(all(g.code.startswith(COUNTY) for g in mine.regions))

    def test_import_problems_listed_in_row_order_within_the_cap(self):
        """The server's problems (malformed names, rows 2..) and the
        database's (an unknown parent, row 1) form one list in row order;
        beyond the 1000 listed only the count grows."""
        county = fresh_county()
        rows = [(county, "某县", 3, CITY), (county + "100", "某镇", 4, "429901")]
        rows += [(county + "%04d" % (1000 + i), "bad\x01", 4, county) for i in range(1100)]
        err, plist = self.admin_refused(
            "ImportRegions", self.a.ImportRegionsRequest(rows=self.region_rows(rows)),
            SC.INVALID_ARGUMENT)
        self.assertEqual(plist.total, 1101)
        self.assertTrue(plist.problems)
        self.assertEqual((plist.problems[0].index, plist.problems[0].kind),
                         (1, self.c.PROBLEM_KIND_UNKNOWN_REFERENCE))
        self.assertEqual([p.index for p in plist.problems],
                         list(range(1, len(plist.problems) + 1)))
        self.assertTrue(err.details().startswith("1101 problems: line 3: unknown parent"),
                        err.details())

if __name__ == "__main__":
    pc.main()
