"""Codes sort as bytes (COLLATE "C") whatever the database's collation:
a database whose default collation is ICU en-US (which puts '_' before
'-', '.' and digits) lists indicators, pages through them, reports values
and rolls up by children in byte order of the codes, as the server's own
comparisons (strcmp) and its page tokens expect.

Indicator codes allow lower-case letters, digits, '_', '.' and '-'
(service/domain/ident.c); region codes are digits only, which every
collation orders alike, so the differing orders come from indicators."""

import harness
import pgcluster as pc
from pgcluster import TOWN_A, TOWN_B, COUNTY

# Byte order: z-3 (0x2d) < z.4 (0x2e) < z1 (0x31) < z_2 (0x5f) < za (0x61);
# ICU en-US: z_2 < z-3 < z.4 < z1 < za.
CODES = ("za", "z_2", "z1", "z.4", "z-3")


def agg_pb():
    return pc.pb("huizong/v1/aggregation.proto")


class ByteOrderTest(pc.PgServerTestCase):

    icu_locale = "en-US"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        try:
            a = pc.admin_pb()
            rows = [a.IndicatorRow(line=2 + i, indicator=pc.indicator_pb(
                        code, "指标 " + code, "万元", pc.QUARTER, pc.T_SUM, pc.R_SUM, None, None,
                        None)) for i, code in enumerate(CODES)]
            harness.unary(cls.server.channel(), "/huizong.v1.Admin/ImportIndicators",
                          a.ImportIndicatorsRequest, a.ImportResponse)(
                a.ImportIndicatorsRequest(rows=rows), metadata=pc.auth(cls.fixture.tokens["admin"]),
                timeout=30)
        except Exception:
            cls.server.kill()
            raise

    def setUp(self):
        self.chan = self.server.channel()
        self.g = agg_pb()

    def test_database_collation_is_not_byte_order(self):
        # Without this the other tests would prove nothing.
        self.assertEqual(self.db.scalar("SELECT 'z_2' < 'z1'"), "t")
        self.assertEqual(self.db.scalar("SELECT 'z_2' COLLATE \"C\" < 'z1'"), "f")

    def test_list_indicators_pages_in_byte_order(self):
        a = pc.admin_pb()
        stub = harness.unary(self.chan, "/huizong.v1.Admin/ListIndicators",
                             a.ListIndicatorsRequest, a.ListIndicatorsResponse)
        req = a.ListIndicatorsRequest(page_size=2)
        got = []
        for _ in range(100):
            resp = stub(req, metadata=self.md("admin"), timeout=15)
            got.extend(i.code for i in resp.indicators)
            if not resp.next_page_token:
                break
            req.page_token = resp.next_page_token
        want = sorted([i[0] for i in pc.INDICATORS] + list(CODES),
                      key=lambda c: c.encode())
        self.assertEqual(got, want)

    def test_report_and_rollup_by_children_in_byte_order(self):
        period = pc.fresh_quarter()
        r = pc.Reporting(self.chan)
        for town, label in ((TOWN_A, "town_a"), (TOWN_B, "town_b")):
            r.submit(pc.submit_request(town, period, [(c, "1") for c in CODES]),
                     metadata=self.md(label), timeout=15)
        want = sorted(CODES, key=lambda c: c.encode())
        report = harness.unary(self.chan, "/huizong.v1.Aggregation/GetReport",
                               self.g.GetReportRequest, self.g.Report)(
            self.g.GetReportRequest(region_code=TOWN_A, period=period),
            metadata=self.md("admin"), timeout=15)
        self.assertEqual([v.indicator.code for v in report.values], want)
        rollup = harness.unary(self.chan, "/huizong.v1.Aggregation/Rollup",
                               self.g.RollupRequest, self.g.RollupResponse)(
            self.g.RollupRequest(region_code=COUNTY, period=period,
                                 group_by=self.g.GROUP_BY_CHILDREN),
            metadata=self.md("admin"), timeout=15)
        by_region = {}
        for row in rollup.rows:
            by_region.setdefault(row.region.code, []).append(row.indicator.code)
        self.assertIn(TOWN_A, by_region)
        all_codes = sorted([i[0] for i in pc.INDICATORS if i[3] >= pc.QUARTER] + list(CODES),
                           key=lambda c: c.encode())
        for region, codes in by_region.items():
            self.assertEqual(codes, all_codes, "rollup rows of %s" % region)
        self.assertEqual(list(by_region), sorted(by_region, key=lambda c: c.encode()))


if __name__ == "__main__":
    pc.main()
