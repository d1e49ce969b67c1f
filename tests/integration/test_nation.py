"""The whole-country Rollup (issue 15, migration 019) against real
PostgreSQL, driven by grpcio.

An administrator has no scope root, so RollupRequest.region_code empty
means the country for them: GROUP_BY_CHILDREN gives the root regions (the
provinces), GROUP_BY_LEVEL n every region at level n, and GROUP_BY_NONE or
include_total a row for the country (code "", name 全国, level 0, every
township expected). Everyone else asking with an empty region still gets
their own scope root.

The fixture's province 42 (5 townships) gets a second province, 43, with
one county and two townships (Admin/ImportRegions). Every expected figure
is computed here from the values the test submits."""

from decimal import Decimal as D

import grpc

import pgcluster as pc
from pgcluster import COUNTY, PROVINCE, TOWN_A, TOWN_B, TOWN_C, TOWNSHIPS
from test_aggregation import Aggregation, agg_pb

SC = grpc.StatusCode
CALL_TIMEOUT = 20

PROVINCE2, CITY2, COUNTY3 = "43", "4301", "430102"
TOWN_E, TOWN_F = "430102100", "430102101"
REGIONS2 = [
    (PROVINCE2, "湖南省", 1, ""),
    (CITY2, "长沙市", 2, PROVINCE2),
    (COUNTY3, "芙蓉区", 3, CITY2),
    (TOWN_E, "文艺路街道", 4, COUNTY3),
    (TOWN_F, "朝阳街道", 4, COUNTY3),
]
ALL_TOWNSHIPS = len(TOWNSHIPS) + 2
NATION = ""


class NationTest(pc.PgServerTestCase):
    """Whole-country rollups of an administrator over two provinces."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        a = pc.admin_pb()
        cls.fixture._admin_call("ImportRegions", a.ImportRegionsRequest, a.ImportResponse,
                                a.ImportRegionsRequest(rows=pc.region_rows_pb(REGIONS2)))
        cls.fixture.add_token("town_e", "township", TOWN_E)
        cls.agg = Aggregation(cls.server.channel())

    def submit(self, region, period, values):
        resp = pc.call_with_db_retry(self.rep().submit, pc.submit_request(region, period, values),
                                     metadata=self.md("admin"), timeout=CALL_TIMEOUT)
        self.assertEqual(resp.status, pc.reporting_pb().SUBMISSION_STATUS_ACCEPTED, resp)

    def rollup(self, label="admin", **kw):
        kw.setdefault("indicator_codes", ["fai", "pigs"])
        return self.agg.rollup(agg_pb().RollupRequest(**kw), metadata=self.md(label),
                               timeout=CALL_TIMEOUT)

    @staticmethod
    def figures(resp):
        """{(region code, indicator): (value or None, reporting, expected)}"""
        return {(r.region.code, r.indicator.code):
                (D(r.value.value) if r.HasField("value") else None, r.reporting_units,
                 r.expected_units) for r in resp.rows}

    def load_quarter(self):
        """Values of a fresh quarter in both provinces; returns (q, fai and
        pigs per township)."""
        q = pc.fresh_quarter()
        vals = {TOWN_A: ("1.25", "100"), TOWN_B: ("2.5", "40"), TOWN_C: ("0.125", "7"),
                TOWN_E: ("10", "1000"), TOWN_F: ("3.375", "11")}
        for town, (fai, pigs) in vals.items():
            self.submit(town, q, [("fai", fai), ("pigs", pigs)])
        return q, vals

    def test_children_are_the_provinces_and_the_total_their_sum(self):
        q, vals = self.load_quarter()
        got = self.rollup(period=q, group_by=agg_pb().GROUP_BY_CHILDREN, include_total=True)
        self.assertEqual(got.region.code, NATION)
        self.assertEqual(got.region.name, "全国")
        self.assertEqual(got.region.level, 0)
        self.assertEqual([r.region.code for r in got.rows],
                         [NATION, NATION, PROVINCE, PROVINCE, PROVINCE2, PROVINCE2])
        self.assertEqual(got.rows[0].region.name, "全国")
        fig = self.figures(got)
        # Each province's figures are what a rollup of that province says.
        for prov in (PROVINCE, PROVINCE2):
            own = self.figures(self.rollup(region_code=prov, period=q,
                                           group_by=agg_pb().GROUP_BY_NONE))
            for ind in ("fai", "pigs"):
                self.assertEqual(fig[(prov, ind)], own[(prov, ind)], (prov, ind))
        # The country's are the sum of the two, over every township.
        for j, ind in enumerate(("fai", "pigs")):
            total = fig[(PROVINCE, ind)][0] + fig[(PROVINCE2, ind)][0]
            self.assertEqual(total, sum(D(v[j]) for v in vals.values()))
            self.assertEqual(fig[(NATION, ind)], (total, len(vals), ALL_TOWNSHIPS))
        self.assertEqual(fig[(PROVINCE, "fai")][2], len(TOWNSHIPS))
        self.assertEqual(fig[(PROVINCE2, "fai")][2], 2)

    def test_by_level_and_by_none(self):
        q, vals = self.load_quarter()
        got = self.rollup(period=q, group_by=agg_pb().GROUP_BY_LEVEL, level=3,
                          indicator_codes=["fai"])
        self.assertEqual([r.region.code for r in got.rows], [COUNTY, pc.COUNTY2, COUNTY3])
        fig = self.figures(got)
        self.assertEqual(fig[(COUNTY3, "fai")], (D("13.375"), 2, 2))
        self.assertEqual(fig[(COUNTY, "fai")], (D("3.75"), 2, 3))
        alone = self.figures(self.rollup(period=q, group_by=agg_pb().GROUP_BY_NONE,
                                         indicator_codes=["fai"]))
        self.assertEqual(alone, {(NATION, "fai"): (D("17.25"), 5, ALL_TOWNSHIPS)})

    def test_a_submit_that_returned_is_in_the_next_country_answer(self):
        # The answer cache is on: the country's stamp must move with any
        # township's values, in either province.
        q, _ = self.load_quarter()
        req = dict(period=q, group_by=agg_pb().GROUP_BY_NONE, indicator_codes=["fai"])
        self.assertEqual(self.figures(self.rollup(**req))[(NATION, "fai")][0], D("17.25"))
        self.assertEqual(self.figures(self.rollup(**req))[(NATION, "fai")][0], D("17.25"))
        self.submit(TOWN_F, q, [("fai", "4.375"), ("pigs", "11")])
        self.assertEqual(self.figures(self.rollup(**req))[(NATION, "fai")][0], D("18.25"))

    def test_others_asking_with_an_empty_region_get_their_scope(self):
        q, _ = self.load_quarter()
        town = self.rollup("town_e", period=q, group_by=agg_pb().GROUP_BY_NONE)
        self.assertEqual(town.region.code, TOWN_E)
        self.assertEqual(self.figures(town)[(TOWN_E, "fai")], (D("10"), 1, 1))
        county = self.rollup("county", period=q, group_by=agg_pb().GROUP_BY_CHILDREN,
                             include_total=True)
        self.assertEqual(county.region.code, COUNTY)
        self.assertEqual(sorted({r.region.code for r in county.rows}),
                         sorted([COUNTY, TOWN_A, TOWN_B, pc.TOWN_A3]))
        # A scoped token cannot name the country some other way either.
        with self.assertRaises(grpc.RpcError) as cm:
            self.rollup("county", region_code=PROVINCE2, period=q)
        self.assertEqual(cm.exception.code(), SC.PERMISSION_DENIED)

    def test_only_rollup_takes_the_country(self):
        q = pc.fresh_quarter()
        with self.assertRaises(grpc.RpcError) as cm:
            self.agg.completeness(agg_pb().CompletenessRequest(period=q),
                                  metadata=self.md("admin"), timeout=CALL_TIMEOUT)
        self.assertEqual(cm.exception.code(), SC.INVALID_ARGUMENT)
        self.assertIn("region_code", cm.exception.details())


if __name__ == "__main__":
    pc.main()
