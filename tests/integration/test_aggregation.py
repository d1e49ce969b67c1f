"""huizong.v1.Aggregation against real PostgreSQL, driven by grpcio.

Data goes in through the public API (Submit / SubmitStream, Admin
ImportIndicators / ImportTargets / Approve); every expected figure is
computed here, independently of the server, by `Model`: a small reference
implementation of the contract in Python's `decimal` (exact sums,
percentages and ratios rounded half away from zero on the absolute value).
Where a case matters on its own (LAST over a partly reported quarter, ratio
of sums versus average of ratios, a .xx5 boundary ...) the test also states
the literal figure, so a reader need not trust the model.

What the model fixes where the contract leaves a choice, following the
documented behaviour of migrations 003 and 008: each township is
aggregated over time first, then townships over regions. Every figure is
an exact fraction until it is written: a plain figure is rounded once to 6
fraction digits (the precision of every stored value; sums are then
exact), a ratio to its scale, and growth, completion and progress are
computed from the exact figures, never from the rounded texts.

Each class has its own database and server; each test uses years of its
own (pgcluster.fresh_year), so its periods hold only its rows."""

import csv
import decimal
import os
import random
import re
import subprocess
import time
from decimal import Decimal, ROUND_DOWN, ROUND_HALF_UP
from fractions import Fraction

import grpc

import harness
import pgcluster as pc
from pgcluster import (CITY, COUNTY, COUNTY2, PROVINCE, TOWN_A, TOWN_A3, TOWN_B, TOWN_C,
                       TOWN_D, TOWNSHIPS)

SC = grpc.StatusCode
CALL_TIMEOUT = 20

# ----------------------------------------------------------------------------
# Generated classes and stubs


def agg_pb():
    return pc.pb("huizong/v1/aggregation.proto")


class Aggregation:
    """Stubs of huizong.v1.Aggregation on one channel."""

    def __init__(self, channel):
        a = agg_pb()
        base = "/huizong.v1.Aggregation/"
        self.rollup = harness.unary(channel, base + "Rollup", a.RollupRequest, a.RollupResponse)
        self.series = harness.unary(channel, base + "Series", a.SeriesRequest, a.SeriesResponse)
        self.completeness = harness.unary(channel, base + "Completeness", a.CompletenessRequest,
                                          a.CompletenessResponse)
        self.report = harness.unary(channel, base + "GetReport", a.GetReportRequest, a.Report)
        self.export = harness.server_stream(channel, base + "ExportValues",
                                            a.ExportValuesRequest, a.ExportValuesResponse)


# ----------------------------------------------------------------------------
# Periods (DHIS2 codes), independent of the server's parser

MONTHS_OF_TYPE = {1: 12, 2: 6, 3: 3, 4: 1}
YEAR, HALF, QUARTER, MONTH = 1, 2, 3, 4
_PERIOD_RE = re.compile(r"(\d{4})(?:S([12])|Q([1-4])|(0[1-9]|1[0-2]))?")


def parse_period(code):
    """(type, year, index): index 1 for a year, 1..2, 1..4 or 1..12."""
    m = _PERIOD_RE.fullmatch(code)
    if not m:
        raise ValueError("bad period %r" % code)
    y = int(m.group(1))
    if m.group(2):
        return HALF, y, int(m.group(2))
    if m.group(3):
        return QUARTER, y, int(m.group(3))
    if m.group(4):
        return MONTH, y, int(m.group(4))
    return YEAR, y, 1


def format_period(ptype, year, index):
    return {YEAR: "%d" % year, HALF: "%dS%d" % (year, index), QUARTER: "%dQ%d" % (year, index),
            MONTH: "%d%02d" % (year, index)}[ptype]


def month_span(code):
    """(first month as year*12 + month-1, number of months)."""
    t, y, i = parse_period(code)
    n = MONTHS_OF_TYPE[t]
    return y * 12 + (i - 1) * n, n


def period_at(ptype, first_month):
    y, r = divmod(first_month, 12)
    return format_period(ptype, y, r // MONTHS_OF_TYPE[ptype] + 1)


def previous_period(code):
    t = parse_period(code)[0]
    return period_at(t, month_span(code)[0] - MONTHS_OF_TYPE[t])


def year_earlier(code):
    t, y, i = parse_period(code)
    return format_period(t, y - 1, i)


def year_of(code):
    return "%d" % parse_period(code)[1]


def inside(inner, outer):
    s1, n1 = month_span(inner)
    s2, n2 = month_span(outer)
    return s2 <= s1 and s1 + n1 <= s2 + n2


def periods_from_to(first, last):
    t = parse_period(first)[0]
    s, _ = month_span(first)
    e, _ = month_span(last)
    step = MONTHS_OF_TYPE[t]
    return [period_at(t, m) for m in range(s, e + 1, step)]


def in_span(code, win):
    """Whether period `code` lies inside the window (first month, months)."""
    s1, n1 = month_span(code)
    return win[0] <= s1 and s1 + n1 <= win[0] + win[1]


def ytd_span(code):
    """The year-to-date window of a period: January through its last month."""
    s, n = month_span(code)
    y = parse_period(code)[1]
    return y * 12, s + n - y * 12


def span_periods(ptype, win):
    """The periods of a type inside a window, in order."""
    step = MONTHS_OF_TYPE[ptype]
    return [period_at(ptype, m) for m in range(win[0], win[0] + win[1], step)]


def months_of(year):
    return ["%d%02d" % (year, m) for m in range(1, 13)]


# ----------------------------------------------------------------------------
# Exact arithmetic

D = Decimal
_WIDE = decimal.Context(prec=200, rounding=ROUND_DOWN)


def round_away(num, den, scale):
    """num / den rounded half away from zero to `scale` places, as the
    contract's text ("28.00"; "0.00", never "-0.00"). The quotient is
    truncated at 200 digits first, which cannot move it across a rounding
    boundary, then rounded on its absolute value."""
    q = _WIDE.divide(abs(num), abs(den))
    r = q.quantize(D(1).scaleb(-scale), rounding=ROUND_HALF_UP)
    if r != 0 and (num < 0) != (den < 0):
        r = -r
    return format(r, "f")


def frac_text(f, scale, fixed):
    """An exact Fraction written once: rounded half away from zero to
    `scale` places, every place kept when fixed (ratios), else trailing
    zeros dropped (plain figures)."""
    t = round_away(D(f.numerator), D(f.denominator), scale)
    return t if fixed else canon(D(t))


def growth_pct(value, base):
    """同比 / 环比: (value − base) / |base| × 100 of exact figures; None
    when undefined."""
    if value is None or base is None or base == 0:
        return None
    return frac_text((Fraction(value) - Fraction(base)) * 100 / abs(Fraction(base)), 2, True)


def points_pp(value, base):
    """百分点: value − base of exact rates, 2 places; None when undefined."""
    if value is None or base is None:
        return None
    return frac_text(Fraction(value) - Fraction(base), 2, True)


def share_pct(value, whole):
    """Completion and annual progress: value / target × 100."""
    if value is None or whole is None or whole == 0:
        return None
    return frac_text(Fraction(value) * 100 / Fraction(whole), 2, True)


def mean(values):
    """The exact mean, a Fraction."""
    return sum((Fraction(v) for v in values), Fraction(0)) / len(values)


def canon(d):
    """A Decimal as a plain normalised string: "12.5", "-0.000001", "7"."""
    s = format(d, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


# ----------------------------------------------------------------------------
# The catalog of these tests: pgcluster's reference indicators plus these.

T_SUM, T_LAST, T_AVG, T_MIN, T_MAX = 1, 2, 3, 4, 5
R_SUM, R_AVG, R_MIN, R_MAX, R_NONE = 1, 2, 3, 4, 5

# code, name, unit, period type, time agg, region agg, ratio (num, den, factor, scale)
EXTRA_INDICATORS = [
    ("t_sum", "月度流量", "万元", MONTH, T_SUM, R_SUM, None),
    ("t_last", "月末在库项目", "个", MONTH, T_LAST, R_SUM, None),
    ("t_avg", "月均从业人员", "人", MONTH, T_AVG, R_SUM, None),
    ("t_min", "月最低价", "元", MONTH, T_MIN, R_SUM, None),
    ("t_max", "月最高价", "元", MONTH, T_MAX, R_SUM, None),
    ("a_avg", "月均单价", "元", MONTH, T_AVG, R_AVG, None),
    ("r_avg", "平均单价", "元", QUARTER, T_SUM, R_AVG, None),
    ("r_min", "最低产值", "万元", QUARTER, T_SUM, R_MIN, None),
    ("r_max", "最高产值", "万元", QUARTER, T_SUM, R_MAX, None),
    ("r_none", "考核得分", "分", QUARTER, T_LAST, R_NONE, None),
    ("num", "已征收", "万元", QUARTER, T_SUM, R_SUM, None),
    ("den", "应征收", "万元", QUARTER, T_SUM, R_SUM, None),
    ("rate", "征收率", "%", QUARTER, T_SUM, R_SUM, ("num", "den", "100", 0)),
    ("rate4", "征收比", "倍", QUARTER, T_SUM, R_SUM, ("num", "den", "", 4)),
    ("rate1", "征收千分率", "‰", QUARTER, T_SUM, R_SUM, ("num", "den", "1000", 1)),
    # A ratio over an averaged part: flow per average unit price.
    ("per_avg", "单价折合量", "件", MONTH, T_SUM, R_SUM, ("t_sum", "a_avg", "", 2)),
]

# Monthly indicators for the export test only (many rows, cheaply).
EXPORT_INDICATORS = [("x%02d" % i, "导出指标%d" % i, "万元", MONTH, T_SUM, R_SUM, None)
                     for i in range(1, 21)]


class Ind:
    """One indicator as the model sees it."""

    def __init__(self, code, name, unit, ptype, tagg, ragg, ratio):
        self.code, self.name, self.unit, self.ptype = code, name, unit, ptype
        self.tagg, self.ragg = tagg, ragg
        self.ratio = None
        if ratio:
            num, den, factor, scale = ratio
            self.ratio = (num, den, D(factor) if factor else D(1), scale or 2)


def reference_indicators():
    out = []
    for code, name, unit, pt, ta, ra, _lo, _hi, ratio in pc.INDICATORS:
        out.append(Ind(code, name, unit, pt, ta, ra,
                       (ratio[0], ratio[1], ratio[2], 0) if ratio else None))
    return out


# ----------------------------------------------------------------------------
# The reference model

class Model:
    """What the contract says every Aggregation answer must be, computed
    from what the tests submitted (and only what was accepted)."""

    def __init__(self, indicators):
        self.ind = {i.code: i for i in indicators}
        self.regions = {c: (n, l, p) for c, n, l, p in pc.REGIONS}
        self.values = {}   # (leaf, indicator, period) -> Decimal
        self.targets = {}  # (region, indicator, period) -> Decimal

    # -- the tree --
    def subtree(self, region):
        out = [region]
        for code, (_n, _l, parent) in sorted(self.regions.items()):
            if parent == region:
                out += self.subtree(code)
        return out

    def leaves(self, region):
        return sorted(c for c in self.subtree(region) if self.regions[c][1] == 4)

    def children(self, region):
        return sorted(c for c, (_n, _l, p) in self.regions.items() if p == region)

    def group_regions(self, region, group, level, total):
        if group in (0, 1):
            return [region]
        if group == 2:
            rows = self.children(region)
        else:
            rows = sorted(c for c in self.subtree(region)[1:] if self.regions[c][1] == level)
        return ([region] if total else []) + rows

    # -- figures --
    # A window is (first month ordinal, months): a period (month_span) or
    # its year to date (ytd_span). `only`, when given, is the set of the
    # indicator's own periods a restricted base may read (同口径).
    def leaf_value(self, leaf, code, win, only=None):
        """The township's value over the window, aggregated over time."""
        ind = self.ind[code]
        if isinstance(win, str):
            win = month_span(win)
        got = sorted((month_span(p)[0], v) for (l, c, p), v in self.values.items()
                     if l == leaf and c == code and in_span(p, win)
                     and (only is None or p in only))
        if not got:
            return None
        vals = [v for _s, v in got]
        if ind.tagg == T_SUM:
            return sum(vals, D(0))
        if ind.tagg == T_LAST:
            return vals[-1]
        if ind.tagg == T_AVG:
            return mean(vals)
        if ind.tagg == T_MIN:
            return min(vals)
        return max(vals)

    def covered(self, region, code, win):
        """The indicator's own periods inside the window holding a value
        under the region, in order; a ratio's where both parts do."""
        ind = self.ind[code]
        if isinstance(win, str):
            win = month_span(win)
        if ind.ratio:
            a = self.covered(region, ind.ratio[0], win)
            b = set(self.covered(region, ind.ratio[1], win))
            return [p for p in a if p in b]
        leaves = set(self.leaves(region))
        got = {p for (l, c, p) in self.values if l in leaves and c == code and in_span(p, win)}
        return sorted(got, key=lambda p: month_span(p)[0])

    def subperiods(self, code, win):
        ind = self.ind[code]
        return span_periods(ind.ptype, win)

    def restriction(self, region, code, base_of):
        """The periods a year-earlier base of `code` may read when its
        coverage of window base_of is partial, else None (the whole window)."""
        if base_of is None:
            return None
        cov = self.covered(region, code, base_of)
        if 0 < len(cov) < len(self.subperiods(code, base_of)):
            return {year_earlier(p) for p in cov}
        return None

    def plain(self, region, code, win, base_of=None):
        """(value or None, reporting units) of a submitted indicator."""
        ind = self.ind[code]
        only = self.restriction(region, code, base_of)
        vals = [Fraction(v) for v in (self.leaf_value(l, code, win, only)
                                      for l in self.leaves(region)) if v is not None]
        if not vals:
            return None, 0
        if ind.ragg == R_SUM:
            return sum(vals, Fraction(0)), len(vals)
        if ind.ragg == R_AVG:
            return mean(vals), len(vals)
        if ind.ragg == R_MIN:
            return min(vals), len(vals)
        if ind.ragg == R_MAX:
            return max(vals), len(vals)
        # NONE: a value only at the township itself.
        return (vals[0] if self.regions[region][1] == 4 else None), len(vals)

    def exact(self, region, code, win, base_of=None):
        """(exact Fraction or None, reporting units); a ratio divides its
        aggregated parts (a ratio of sums). base_of: the window whose
        coverage restricts this (year-earlier) one, part by part."""
        ind = self.ind[code]
        if not ind.ratio:
            v, n = self.plain(region, code, win, base_of)
            return (None if v is None else Fraction(v)), n
        num_code, den_code, factor, _scale = ind.ratio
        num, _ = self.plain(region, num_code, win, base_of)
        den, _ = self.plain(region, den_code, win, base_of)
        both = sum(1 for l in self.leaves(region)
                   if self.leaf_value(l, num_code, win) is not None
                   and self.leaf_value(l, den_code, win) is not None)
        if num is None or den is None or den == 0:
            return None, both
        return Fraction(num) * Fraction(factor) / Fraction(den), both

    def text(self, code, f):
        """The wire text of an exact figure of indicator `code`."""
        if f is None:
            return None
        ind = self.ind[code]
        return frac_text(f, ind.ratio[3], True) if ind.ratio else frac_text(f, 6, False)

    def figure(self, region, code, period):
        """(value text or None, reporting units)."""
        f, n = self.exact(region, code, period)
        return self.text(code, f), n

    def points(self, code):
        """The change basis: rates, shares and ratios change in points."""
        ind = self.ind[code]
        return bool(ind.ratio) or ind.unit.strip() in ("%", "％")

    def coverage(self, region, code, win):
        cov = self.covered(region, code, win)
        total = len(self.subperiods(code, win))
        # A complete coverage lists no sub-periods (Coverage.covered_periods).
        return {"covered": len(cov), "total": total,
                "covered_periods": cov if len(cov) < total else [],
                "complete": len(cov) == total}

    def changes(self, code, v, base, prefix):
        """The growth or points field of a change, by the change basis."""
        if self.points(code):
            return {prefix + "_pct": None, prefix + "_pp": points_pp(v, base)}
        return {prefix + "_pct": growth_pct(v, base), prefix + "_pp": None}

    def ytd(self, region, code, period, annual_target):
        """The YearToDate fields of a period shorter than a year, else None."""
        t = parse_period(period)[0]
        if t == YEAR:
            return None
        win = ytd_span(period)
        v, rep = self.exact(region, code, win)
        before = (win[0] - 12, win[1])
        yv, _ = self.exact(region, code, before, base_of=win)
        cov = self.coverage(region, code, win)
        partial = 0 < cov["covered"] < cov["total"]
        out = {"from_period": period_at(t, win[0]), "to_period": period,
               "value": self.text(code, v), "reporting_units": rep, "coverage": cov,
               "previous_year_value": self.text(code, yv),
               "annual_progress_pct": share_pct(v, annual_target),
               "yoy_same_subperiods": partial and yv is not None}
        ch = self.changes(code, v, yv, "yoy")
        out["yoy_growth_pct"], out["yoy_change_pp"] = ch["yoy_pct"], ch["yoy_pp"]
        return out

    def row(self, region, code, period):
        """Every field of the RollupRow, as text (None = unset)."""
        ptype = parse_period(period)[0]
        win = month_span(period)
        v, rep = self.exact(region, code, win)
        yp, pp, ap = year_earlier(period), previous_period(period), year_of(period)
        yv, _ = self.exact(region, code, yp, base_of=win)
        # A year's previous period is the year before: the same (restricted) base.
        pv = yv if ptype == YEAR else self.exact(region, code, pp)[0]
        t = self.targets.get((region, code, period))
        at = self.targets.get((region, code, ap))
        cov = self.coverage(region, code, win) if self.ind[code].ptype > ptype else None
        partial = cov is not None and 0 < cov["covered"] < cov["total"]
        yoy, pop = self.changes(code, v, yv, "yoy"), self.changes(code, v, pv, "pop")
        return {
            "region": region, "indicator": code, "value": self.text(code, v),
            "reporting_units": rep, "expected_units": len(self.leaves(region)),
            "previous_year_period": yp, "previous_year_value": self.text(code, yv),
            "yoy_growth_pct": yoy["yoy_pct"], "yoy_change_pp": yoy["yoy_pp"],
            "previous_period": pp, "previous_period_value": self.text(code, pv),
            "pop_change_pct": pop["pop_pct"], "pop_change_pp": pop["pop_pp"],
            "target": None if t is None else canon(t),
            "completion_pct": None if partial else share_pct(v, t),
            "annual_period": ap, "annual_target": None if at is None else canon(at),
            "annual_progress_pct": share_pct(v, at),
            "coverage": cov, "yoy_same_subperiods": partial and yv is not None,
            "ytd": self.ytd(region, code, period, at),
        }

    def codes_for(self, ptype):
        """All-indicator request: (computed codes by code, skipped codes)."""
        fit = sorted(c for c, i in self.ind.items() if i.ptype >= ptype)
        skipped = sorted(c for c, i in self.ind.items() if i.ptype < ptype)
        return fit, skipped


DECIMAL_FIELDS = ("value", "previous_year_value", "yoy_growth_pct", "yoy_change_pp",
                  "previous_period_value", "pop_change_pct", "pop_change_pp", "target",
                  "completion_pct", "annual_target", "annual_progress_pct")
PCT_FIELDS = ("yoy_growth_pct", "yoy_change_pp", "pop_change_pct", "pop_change_pp",
              "completion_pct", "annual_progress_pct")
YTD_DECIMAL_FIELDS = ("value", "previous_year_value", "yoy_growth_pct", "yoy_change_pp",
                      "annual_progress_pct")
VALUE_FIELDS = ("value", "previous_year_value", "previous_period_value", "target",
                "annual_target")
DECIMAL_RE = re.compile(r"-?\d+(\.\d{1,6})?")


def dec(msg, field):
    """A Decimal message field as text, None when unset (undefined)."""
    if not msg.HasField(field):
        return None
    return getattr(msg, field).value


# ----------------------------------------------------------------------------
# Test base

class AggTestCase(pc.PgServerTestCase):
    """The reference fixture plus this file's indicators and two more
    township tokens; helpers that submit through the API and keep the
    model in step."""

    extra_indicators = EXTRA_INDICATORS

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        try:
            cls._import_indicators(cls.extra_indicators)
            cls.fixture.add_token("town_a3", "township", TOWN_A3)
            cls.fixture.add_token("town_d", "township", TOWN_D)
        except Exception:
            cls.server.kill()
            raise
        cls.model = Model(reference_indicators() + [Ind(*i) for i in cls.extra_indicators])

    @classmethod
    def _admin(cls, method, req_name, resp_name):
        a = pc.admin_pb()
        return harness.unary(cls.server.channel(), "/huizong.v1.Admin/" + method,
                             getattr(a, req_name), getattr(a, resp_name))

    @classmethod
    def _import_indicators(cls, rows):
        a, c = pc.admin_pb(), pc.common_pb()
        req = a.ImportIndicatorsRequest()
        # Plain indicators first: a ratio names its parts.
        ordered = [r for r in rows if not r[6]] + [r for r in rows if r[6]]
        for n, (code, name, unit, pt, ta, ra, ratio) in enumerate(ordered):
            ind = c.Indicator(code=code, name=name, unit=unit, period_type=pt,
                              time_aggregation=ta, region_aggregation=ra)
            if ratio:
                ind.ratio.numerator_code, ind.ratio.denominator_code = ratio[0], ratio[1]
                ind.ratio.factor, ind.ratio.scale = ratio[2], ratio[3]
            req.rows.add(line=n + 2, indicator=ind)
        resp = pc.call_with_db_retry(cls._admin("ImportIndicators", "ImportIndicatorsRequest",
                                                "ImportResponse"), req,
                                     metadata=pc.auth(cls.fixture.tokens["admin"]), timeout=30)
        if resp.created != len(rows):
            raise AssertionError("ImportIndicators created %d of %d: %s"
                                 % (resp.created, len(rows), resp))

    def setUp(self):
        self.agg = Aggregation(self.server.channel())
        self.rep = self.rep_stub = pc.Reporting(self.server.channel())

    # -- writing through the API --

    def load(self, values, label="admin"):
        """values: (region, period, indicator, value text). One request per
        (region, period), all in one SubmitStream; every one must be
        accepted. The model learns the values."""
        groups = {}
        for region, period, code, value in values:
            groups.setdefault((region, period), []).append((code, value))
        reqs = [pc.submit_request(r, p, vals) for (r, p), vals in groups.items()]
        resp = self.rep.stream(iter(reqs), metadata=self.md(label), timeout=120)
        bad = [(r.region_code, r.period, r.message) for r in resp.results if r.code]
        self.assertEqual(bad, [], "submissions refused")
        self.assertEqual(resp.accepted, len(reqs))
        for region, period, code, value in values:
            self.model.values[(region, code, period)] = D(value)
        return resp

    def submit(self, region, period, values, label="admin", narrative=""):
        req = pc.submit_request(region, period, values, narrative=narrative)
        resp = self.rep.submit(req, metadata=self.md(label), timeout=CALL_TIMEOUT)
        for v in values:
            self.model.values[(region, v[0], period)] = D(v[1])
        return req, resp

    def set_targets(self, targets):
        """targets: (region, indicator, period, value text)."""
        a = pc.admin_pb()
        req = a.ImportTargetsRequest()
        for n, (region, code, period, value) in enumerate(targets):
            req.rows.add(line=n + 2, region_code=region, indicator_code=code, period=period,
                         value=value)
        self._admin("ImportTargets", "ImportTargetsRequest", "ImportResponse")(
            req, metadata=self.md("admin"), timeout=CALL_TIMEOUT)
        for region, code, period, value in targets:
            self.model.targets[(region, code, period)] = D(value)

    # -- reading --

    def rollup(self, region, period, codes=(), group=0, level=0, total=False, label="admin"):
        req = agg_pb().RollupRequest(region_code=region, period=period,
                                     indicator_codes=list(codes), group_by=group, level=level,
                                     include_total=total)
        return self.agg.rollup(req, metadata=self.md(label), timeout=CALL_TIMEOUT)

    def rows_by(self, resp):
        return {(r.region.code, r.indicator.code): r for r in resp.rows}

    def assert_row(self, got, want, context=""):
        where = "%s %s/%s" % (context, want["region"], want["indicator"])
        name, level, _parent = self.model.regions[want["region"]]
        ind = self.model.ind[want["indicator"]]
        self.assertEqual((got.region.code, got.region.name, got.region.level),
                         (want["region"], name, level), where)
        self.assertEqual((got.indicator.code, got.indicator.name, got.indicator.unit,
                          got.indicator.period_type, got.indicator.change_basis),
                         (ind.code, ind.name, ind.unit, ind.ptype,
                          2 if self.model.points(ind.code) else 1), where)
        for f in ("reporting_units", "expected_units", "previous_year_period",
                  "previous_period", "annual_period", "yoy_same_subperiods"):
            self.assertEqual(getattr(got, f), want[f], "%s: %s" % (where, f))
        self.assert_decimals(got, want, DECIMAL_FIELDS, ind, where)
        self.assert_coverage(got, want["coverage"], where)
        w = want["ytd"]
        if w is None:
            self.assertFalse(got.HasField("ytd"), "%s: ytd must be unset for a year" % where)
            return
        self.assertTrue(got.HasField("ytd"), "%s: ytd unset" % where)
        y, yw = got.ytd, where + " ytd"
        for f in ("from_period", "to_period", "reporting_units", "yoy_same_subperiods"):
            self.assertEqual(getattr(y, f), w[f], "%s: %s" % (yw, f))
        self.assert_decimals(y, w, YTD_DECIMAL_FIELDS, ind, yw)
        self.assert_coverage(y, w["coverage"], yw)

    def assert_coverage(self, got, want, where):
        if want is None:
            self.assertFalse(got.HasField("coverage"), "%s: coverage must be unset" % where)
            return
        self.assertTrue(got.HasField("coverage"), "%s: coverage unset" % where)
        c = got.coverage
        self.assertEqual({"covered": c.covered, "total": c.total,
                          "covered_periods": list(c.covered_periods), "complete": c.complete},
                         want, "%s: coverage" % where)

    def assert_decimals(self, got, want, fields, ind, where):
        for f in fields:
            g, w = dec(got, f), want[f]
            if w is None:
                self.assertIsNone(g, "%s: %s must be unset (undefined), got %r" % (where, f, g))
                continue
            self.assertIsNotNone(g, "%s: %s unset, expected %s" % (where, f, w))
            if f in PCT_FIELDS or (f in VALUE_FIELDS and ind.ratio and f != "target"
                                   and f != "annual_target"):
                # Percentages and ratios: exactly the text, 2 (scale) places.
                self.assertEqual(g, w, "%s: %s" % (where, f))
            else:
                self.assertRegex(g, DECIMAL_RE, "%s: %s is not a decimal" % (where, f))
                self.assertEqual(D(g), D(w), "%s: %s is %s, expected %s" % (where, f, g, w))

    def assert_rollup(self, resp, region, period, codes=(), group=0, level=0, total=False):
        """Every row of resp against the model, in the contract's order."""
        ptype = parse_period(period)[0]
        if codes:
            want_codes, skipped = list(codes), []
        else:
            want_codes, skipped = self.model.codes_for(ptype)
        self.assertEqual(resp.region.code, region)
        self.assertEqual(resp.period, period)
        self.assertEqual(resp.period_type, ptype)
        self.assertEqual(sorted(resp.skipped_indicator_codes), skipped)
        regions = self.model.group_regions(region, group, level, total)
        want = [(r, c) for r in regions for c in want_codes]
        got = [(r.region.code, r.indicator.code) for r in resp.rows]
        self.assertEqual(got, want, "rows (region, indicator) and their order")
        for row, (r, c) in zip(resp.rows, want):
            self.assert_row(row, self.model.row(r, c, period), "rollup %s %s:" % (region, period))

    def check_rollup(self, region, period, codes=(), group=0, level=0, total=False,
                     label="admin"):
        resp = self.rollup(region, period, codes, group, level, total, label)
        self.assert_rollup(resp, region, period, codes, group, level, total)
        return resp

    def check_everywhere(self, period, codes):
        """The period for every region of the tree, in two calls."""
        G = agg_pb().GroupBy
        self.check_rollup(PROVINCE, period, codes, G.Value("GROUP_BY_LEVEL"), 4, True)
        self.check_rollup(CITY, period, codes, G.Value("GROUP_BY_CHILDREN"), 0, True)

    def error(self, fn, req, code, label="admin"):
        err = harness.rpc_error(self, fn, req, metadata=self.md(label), timeout=CALL_TIMEOUT)
        self.assert_code(err, code, str(req).replace("\n", " "))
        return err

    def value_of(self, resp, region, code, field="value"):
        return dec(self.rows_by(resp)[(region, code)], field)


def G(name):
    return agg_pb().GroupBy.Value(name)


def random_value(rng, negative=True, digits=4):
    """A decimal text with up to `digits` fraction digits."""
    lo = -500000 if negative else 0
    v = D(rng.randint(lo, 5000000)).scaleb(-rng.randint(0, digits))
    return canon(v)


# ----------------------------------------------------------------------------

class TimeAggregationTest(AggTestCase):
    """Monthly indicators rolled up to quarter, half year and year with
    every time aggregation, over partly reported periods."""

    CODES = ("t_sum", "t_last", "t_avg", "t_min", "t_max", "a_avg")

    def test_partly_reported_periods_literal(self):
        y = pc.fresh_year()
        # 九集镇 (TOWN_B) reports January and February, not March; in Q2
        # only April; 武安镇 (TOWN_A) reports January and March.
        self.load([
            (TOWN_B, "%d01" % y, "t_last", "5"), (TOWN_B, "%d02" % y, "t_last", "7"),
            (TOWN_B, "%d04" % y, "t_last", "11"),
            (TOWN_B, "%d01" % y, "t_avg", "10"), (TOWN_B, "%d02" % y, "t_avg", "20"),
            (TOWN_A, "%d01" % y, "t_avg", "10"), (TOWN_A, "%d03" % y, "t_avg", "20.5"),
            (TOWN_A, "%d01" % y, "t_last", "100"), (TOWN_A, "%d03" % y, "t_last", "90"),
            (TOWN_B, "%d01" % y, "t_min", "-3"), (TOWN_B, "%d02" % y, "t_min", "2"),
            (TOWN_B, "%d01" % y, "t_max", "-3"), (TOWN_B, "%d02" % y, "t_max", "-2.5"),
            (TOWN_B, "%d01" % y, "t_sum", "1.25"), (TOWN_B, "%d02" % y, "t_sum", "2.000001"),
        ])
        q1 = self.rollup(TOWN_B, "%dQ1" % y, ["t_last", "t_avg", "t_min", "t_max", "t_sum"])
        self.assertEqual(D(self.value_of(q1, TOWN_B, "t_last")), 7,
                         "LAST over Jan, Feb (no Mar) must be February's value")
        self.assertEqual(D(self.value_of(q1, TOWN_B, "t_avg")), 15,
                         "AVERAGE is over the reported months (2), not the quarter's 3")
        self.assertEqual(D(self.value_of(q1, TOWN_B, "t_min")), -3)
        self.assertEqual(D(self.value_of(q1, TOWN_B, "t_max")), D("-2.5"))
        self.assertEqual(D(self.value_of(q1, TOWN_B, "t_sum")), D("3.250001"))
        self.assertEqual(q1.rows[0].reporting_units, 1)
        q2 = self.rollup(TOWN_B, "%dQ2" % y, ["t_last"])
        self.assertEqual(D(self.value_of(q2, TOWN_B, "t_last")), 11,
                         "LAST of a quarter with only its first month reported")
        s1 = self.rollup(TOWN_B, "%dS1" % y, ["t_last", "t_avg"])
        self.assertEqual(D(self.value_of(s1, TOWN_B, "t_last")), 11)
        self.assertEqual(D(self.value_of(s1, TOWN_B, "t_avg")), 15)
        # The county: each township's LAST, summed (90 + 7), and each
        # township's own average, summed (15.25 + 15).
        county = self.rollup(COUNTY, "%dQ1" % y, ["t_last", "t_avg"])
        self.assertEqual(D(self.value_of(county, COUNTY, "t_last")), 97)
        self.assertEqual(D(self.value_of(county, COUNTY, "t_avg")), D("30.25"))
        self.assertEqual(county.rows[0].reporting_units, 2)
        self.assertEqual(county.rows[0].expected_units, 3)
        # Q3: nobody reported; the figures are unset, not zero.
        q3 = self.rollup(COUNTY, "%dQ3" % y, ["t_last", "t_sum"])
        for row in q3.rows:
            self.assertFalse(row.HasField("value"), row)
            self.assertEqual(row.reporting_units, 0)
        self.check_everywhere("%dQ1" % y, self.CODES)

    def test_every_time_aggregation_every_period_type(self):
        y = pc.fresh_year()
        rng = random.Random(20220401)
        # Who reports which months: everything / Jan, Feb, Apr, Oct, Dec /
        # quarter ends / two months / nothing (TOWN_A3).
        months = {TOWN_A: range(1, 13), TOWN_B: (1, 2, 4, 10, 12), TOWN_C: (3, 6, 9, 12),
                  TOWN_D: (2, 7)}
        values = []
        for town, ms in months.items():
            for m in ms:
                for code in self.CODES:
                    values.append((town, "%d%02d" % (y, m), code, random_value(rng)))
        # a_avg: a mean that does not terminate (1, 1, 2 -> 1.333333).
        self.load(values)
        periods = (["%d" % y, "%dS1" % y, "%dS2" % y] + ["%dQ%d" % (y, q) for q in range(1, 5)]
                   + months_of(y))
        for period in periods:
            with self.subTest(period=period):
                self.check_everywhere(period, self.CODES)

    def test_average_rounds_to_six_places(self):
        y = pc.fresh_year()
        self.load([(TOWN_A, "%d01" % y, "a_avg", "1"), (TOWN_A, "%d02" % y, "a_avg", "1"),
                   (TOWN_A, "%d03" % y, "a_avg", "2"),
                   (TOWN_B, "%d01" % y, "a_avg", "0.000001"),
                   (TOWN_B, "%d02" % y, "a_avg", "0.000002")])
        resp = self.rollup(TOWN_A, "%dQ1" % y, ["a_avg"])
        self.assertEqual(D(self.value_of(resp, TOWN_A, "a_avg")), D("1.333333"))
        resp = self.rollup(TOWN_B, "%dQ1" % y, ["a_avg"])
        self.assertEqual(D(self.value_of(resp, TOWN_B, "a_avg")), D("0.000002"),
                         "0.0000015 rounds half away from zero")
        self.check_everywhere("%dQ1" % y, ["a_avg"])

    def test_average_of_averages_is_exact(self):
        """Township 1, 2, 2 and township 2: the county mean is the mean of
        5/3 and 2, 11/6 = 1.833333; rounding the township's mean to 6
        places first (1.666667) showed 1.833334."""
        y = pc.fresh_year()
        self.load([(TOWN_A, "%d01" % y, "a_avg", "1"), (TOWN_A, "%d02" % y, "a_avg", "2"),
                   (TOWN_A, "%d03" % y, "a_avg", "2"), (TOWN_B, "%d02" % y, "a_avg", "2")])
        for period in ("%dQ1" % y, "%dS1" % y, "%d" % y):
            with self.subTest(period=period):
                resp = self.rollup(COUNTY, period, ["a_avg"])
                self.assertEqual(self.value_of(resp, COUNTY, "a_avg"), "1.833333")
                self.assertEqual(resp.rows[0].reporting_units, 2)
                self.check_everywhere(period, ["a_avg"])

    def test_quarterly_stock_over_a_year_is_the_last_reported_quarter(self):
        y = pc.fresh_year()
        self.load([(TOWN_A, "%dQ1" % y, "pigs", "100"), (TOWN_A, "%dQ3" % y, "pigs", "300"),
                   (TOWN_B, "%dQ2" % y, "pigs", "20")])
        resp = self.rollup(COUNTY, "%d" % y, ["pigs"], G("GROUP_BY_CHILDREN"), total=True)
        self.assertEqual(D(self.value_of(resp, COUNTY, "pigs")), 320)
        self.assertEqual(D(self.value_of(resp, TOWN_A, "pigs")), 300)
        self.assertEqual(D(self.value_of(resp, TOWN_B, "pigs")), 20)
        self.assertIsNone(self.value_of(resp, TOWN_A3, "pigs"))
        self.check_everywhere("%d" % y, ["pigs", "fai"])


# ----------------------------------------------------------------------------

class RegionAggregationTest(AggTestCase):
    """SUM, AVERAGE (over the units that reported), MIN, MAX and NONE over
    the region tree."""

    CODES = ("fai", "r_avg", "r_min", "r_max", "r_none")

    def test_literal_figures(self):
        y = pc.fresh_year()
        q1 = "%dQ1" % y
        rows = []
        for town, v in ((TOWN_A, "10"), (TOWN_B, "30"), (TOWN_C, "-4")):
            for code in ("r_avg", "r_min", "r_max", "r_none"):
                rows.append((town, q1, code, v))
        self.load(rows)
        resp = self.rollup(PROVINCE, q1, ["r_avg", "r_min", "r_max", "r_none"],
                           G("GROUP_BY_LEVEL"), 3, True)
        v = lambda region, code: self.value_of(resp, region, code)
        # AVERAGE over the townships that reported: 420624103 did not.
        self.assertEqual(D(v(COUNTY, "r_avg")), 20, "mean of 10 and 30 (2 reported of 3)")
        self.assertEqual(D(v(COUNTY2, "r_avg")), -4)
        self.assertEqual(D(v(PROVINCE, "r_avg")), 12,
                         "province mean is over its townships (36/3), not of county means (8)")
        self.assertEqual((D(v(COUNTY, "r_min")), D(v(PROVINCE, "r_min"))), (10, -4))
        self.assertEqual((D(v(COUNTY, "r_max")), D(v(COUNTY2, "r_max"))), (30, -4))
        for region in (PROVINCE, COUNTY, COUNTY2):
            self.assertIsNone(v(region, "r_none"), "NONE has no value above the townships")
        row = self.rows_by(resp)[(COUNTY, "r_none")]
        self.assertEqual((row.reporting_units, row.expected_units), (2, 3))
        town = self.rollup(TOWN_C, q1, ["r_none"])
        self.assertEqual(D(self.value_of(town, TOWN_C, "r_none")), -4,
                         "NONE shows the township's own value")
        self.check_everywhere(q1, self.CODES)

    def test_time_first_then_region(self):
        """MIN over regions of each township's annual SUM, not the smallest
        quarterly value."""
        y = pc.fresh_year()
        self.load([(TOWN_A, "%dQ1" % y, "r_min", "10"), (TOWN_A, "%dQ2" % y, "r_min", "-20"),
                   (TOWN_B, "%dQ1" % y, "r_min", "30"), (TOWN_B, "%dQ2" % y, "r_min", "5"),
                   (TOWN_C, "%dQ3" % y, "r_min", "-4"),
                   (TOWN_A, "%dQ1" % y, "r_max", "10"), (TOWN_A, "%dQ4" % y, "r_max", "50"),
                   (TOWN_B, "%dQ2" % y, "r_max", "55")])
        resp = self.rollup(PROVINCE, "%d" % y, ["r_min", "r_max"])
        self.assertEqual(D(self.value_of(resp, PROVINCE, "r_min")), -10)
        self.assertEqual(D(self.value_of(resp, PROVINCE, "r_max")), 60)
        self.check_everywhere("%d" % y, self.CODES)
        self.check_everywhere("%dS1" % y, self.CODES)

    def test_average_of_means_rounds_to_six_places(self):
        y = pc.fresh_year()
        self.load([(TOWN_A, "%dQ1" % y, "r_avg", "1"), (TOWN_B, "%dQ1" % y, "r_avg", "1"),
                   (TOWN_C, "%dQ1" % y, "r_avg", "2"),
                   (TOWN_A, "%dQ2" % y, "r_avg", "0.000001"),
                   (TOWN_B, "%dQ2" % y, "r_avg", "0.000002")])
        resp = self.rollup(PROVINCE, "%dQ1" % y, ["r_avg"])
        self.assertEqual(D(self.value_of(resp, PROVINCE, "r_avg")), D("1.333333"))
        resp = self.rollup(COUNTY, "%dQ2" % y, ["r_avg"])
        self.assertEqual(D(self.value_of(resp, COUNTY, "r_avg")), D("0.000002"))

    def test_random_data_every_rule(self):
        y = pc.fresh_year()
        rng = random.Random(4206)
        values = []
        for town in TOWNSHIPS:
            for q in range(1, 5):
                if rng.random() < 0.3:
                    continue  # not reported
                for code in self.CODES:
                    neg = code != "fai"
                    values.append((town, "%dQ%d" % (y, q), code, random_value(rng, neg)))
        self.load(values)
        for period in ["%d" % y, "%dS1" % y, "%dS2" % y] + ["%dQ%d" % (y, q) for q in range(1, 5)]:
            with self.subTest(period=period):
                self.check_everywhere(period, self.CODES)


# ----------------------------------------------------------------------------

class RatioTest(AggTestCase):
    """Ratio indicators: aggregated numerator over aggregated denominator
    (a ratio of sums), factor and scale, zero or missing denominator."""

    def test_ratio_of_sums_not_average_of_ratios(self):
        y = pc.fresh_year()
        q = "%dQ1" % y
        self.load([(TOWN_A, q, "num", "1"), (TOWN_A, q, "den", "2"),
                   (TOWN_B, q, "num", "9"), (TOWN_B, q, "den", "10"),
                   (TOWN_C, q, "num", "5"), (TOWN_C, q, "den", "0"),
                   (TOWN_D, q, "num", "3"), (TOWN_D, q, "den", "4")])
        resp = self.rollup(PROVINCE, q, ["rate", "rate4", "rate1"], G("GROUP_BY_LEVEL"), 4, True)
        v = lambda region, code="rate": self.value_of(resp, region, code)
        self.assertEqual(v(TOWN_A), "50.00")
        self.assertEqual(v(TOWN_B), "90.00")
        county = self.rollup(COUNTY, q, ["rate", "rate4", "rate1"])
        got = self.value_of(county, COUNTY, "rate")
        self.assertEqual(got, "83.33", "10/12 x 100; the average of the ratios would be 70.00")
        self.assertEqual(self.value_of(county, COUNTY, "rate4"), "0.8333",
                         "factor empty = 1, scale 4")
        self.assertEqual(self.value_of(county, COUNTY, "rate1"), "833.3", "factor 1000, scale 1")
        self.assertIsNone(v(TOWN_C), "zero denominator: undefined, not 0")
        self.assertEqual(v(PROVINCE), "112.50", "18/16 over all four townships")
        c2 = self.rollup(COUNTY2, q, ["rate"])
        self.assertEqual(self.value_of(c2, COUNTY2, "rate"), "200.00", "(5+3)/(0+4)")
        self.assertIsNone(v(TOWN_A3), "nothing reported")
        self.check_everywhere(q, ["num", "den", "rate", "rate4", "rate1"])

    def test_ratio_of_an_averaged_part(self):
        """1000000 over mean(1, 2, 2): 600000.00 exactly; divided by the
        mean rounded to 6 places (1.666667) it showed 599999.88."""
        y = pc.fresh_year()
        self.load([(TOWN_A, "%d01" % y, "t_sum", "1000000"),
                   (TOWN_A, "%d01" % y, "a_avg", "1"), (TOWN_A, "%d02" % y, "a_avg", "2"),
                   (TOWN_A, "%d03" % y, "a_avg", "2")])
        resp = self.rollup(TOWN_A, "%dQ1" % y, ["per_avg", "a_avg"])
        self.assertEqual(self.value_of(resp, TOWN_A, "per_avg"), "600000.00")
        self.assertEqual(self.value_of(resp, TOWN_A, "a_avg"), "1.666667")
        county = self.rollup(COUNTY, "%dQ1" % y, ["per_avg"])
        self.assertEqual(self.value_of(county, COUNTY, "per_avg"), "600000.00")
        self.check_everywhere("%dQ1" % y, ["per_avg", "t_sum", "a_avg"])

    def test_zero_and_missing_denominators(self):
        y = pc.fresh_year()
        q = "%dQ2" % y
        self.load([(TOWN_C, q, "num", "1"), (TOWN_C, q, "den", "0"),
                   (TOWN_A, q, "num", "4")])  # no denominator at all
        c2 = self.rollup(COUNTY2, q, ["rate", "den"])
        self.assertIsNone(self.value_of(c2, COUNTY2, "rate"), "all denominators zero")
        self.assertEqual(D(self.value_of(c2, COUNTY2, "den")), 0)
        c1 = self.rollup(COUNTY, q, ["rate"])
        self.assertIsNone(self.value_of(c1, COUNTY, "rate"), "denominator never reported")
        self.check_everywhere(q, ["rate", "rate4", "rate1"])

    def test_rounding_half_away_from_zero(self):
        y = pc.fresh_year()
        q = "%dQ3" % y
        self.load([(TOWN_A, q, "num", "1"), (TOWN_A, q, "den", "20000"),
                   (TOWN_B, q, "num", "-1"), (TOWN_B, q, "den", "20000"),
                   (TOWN_C, q, "num", "1"), (TOWN_C, q, "den", "30000"),
                   (TOWN_D, q, "num", "-1"), (TOWN_D, q, "den", "30000")])
        resp = self.rollup(PROVINCE, q, ["rate", "rate1"], G("GROUP_BY_LEVEL"), 4, True)
        v = lambda region, code="rate": self.value_of(resp, region, code)
        self.assertEqual(v(TOWN_A), "0.01", "0.005 rounds up")
        self.assertEqual(v(TOWN_B), "-0.01", "-0.005 rounds away from zero")
        self.assertEqual(v(TOWN_C), "0.00")
        self.assertEqual(v(TOWN_D), "0.00", "-0.0033 rounds to 0.00, not -0.00")
        self.assertEqual(v(TOWN_A, "rate1"), "0.1", "0.05 at scale 1")
        self.assertEqual(v(TOWN_B, "rate1"), "-0.1")
        self.assertEqual(v(PROVINCE), "0.00")
        self.check_everywhere(q, ["rate", "rate4", "rate1"])

    def test_ratio_over_time_and_its_growth(self):
        y0 = pc.fresh_year()
        y1 = pc.fresh_year()
        self.assertEqual(y1, y0 + 1)
        self.load([(TOWN_A, "%dQ1" % y1, "num", "1"), (TOWN_A, "%dQ1" % y1, "den", "2"),
                   (TOWN_A, "%dQ2" % y1, "num", "3"), (TOWN_A, "%dQ2" % y1, "den", "4"),
                   (TOWN_A, "%dQ1" % y0, "num", "1"), (TOWN_A, "%dQ1" % y0, "den", "4"),
                   (TOWN_A, "%dQ4" % y0, "num", "2"), (TOWN_A, "%dQ4" % y0, "den", "5")])
        resp = self.rollup(TOWN_A, "%dS1" % y1, ["rate"])
        self.assertEqual(self.value_of(resp, TOWN_A, "rate"), "66.67",
                         "4/6 over the half year; the mean of the quarters' ratios is 62.50")
        q1 = self.rollup(TOWN_A, "%dQ1" % y1, ["rate"])
        row = q1.rows[0]
        self.assertEqual(dec(row, "previous_year_value"), "25.00")
        # A ratio changes in percentage points, never by relative growth
        # (it would be +100.00% and +25.00%).
        self.assertEqual((dec(row, "yoy_change_pp"), dec(row, "yoy_growth_pct")), ("25.00", None))
        self.assertEqual(dec(row, "previous_period_value"), "40.00")
        self.assertEqual((dec(row, "pop_change_pp"), dec(row, "pop_change_pct")), ("10.00", None))
        for period in ("%dS1" % y1, "%dQ1" % y1, "%dQ2" % y1, "%d" % y1):
            self.check_everywhere(period, ["rate", "rate4", "rate1"])

    def test_debt_resolution_rate_from_last_parts(self):
        """debt_ratio = debt_resolved / debt_locked x 100, both LAST: the
        half year takes the latest of each, even from different quarters."""
        y = pc.fresh_year()
        self.load([(TOWN_B, "%dQ1" % y, "debt_locked", "4300"),
                   (TOWN_B, "%dQ1" % y, "debt_resolved", "1000"),
                   (TOWN_B, "%dQ2" % y, "debt_resolved", "1352"),
                   (TOWN_A, "%dQ1" % y, "debt_locked", "700"),
                   (TOWN_A, "%dQ2" % y, "debt_resolved", "700")])
        resp = self.rollup(TOWN_B, "%dS1" % y, ["debt_ratio"])
        self.assertEqual(self.value_of(resp, TOWN_B, "debt_ratio"), "31.44")
        county = self.rollup(COUNTY, "%dS1" % y, ["debt_ratio"])
        self.assertEqual(self.value_of(county, COUNTY, "debt_ratio"), "41.04",
                         "2052/5000: a ratio of sums (the mean of 31.44 and 100 is 65.72)")
        self.check_everywhere("%dS1" % y, ["debt_locked", "debt_resolved", "debt_ratio"])


# ----------------------------------------------------------------------------

class GroupByTest(AggTestCase):
    """Rows per region: none, children (with and without the total first),
    level; reporting vs expected units; the order of rows."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.y = pc.fresh_year()

    def setUp(self):
        super().setUp()
        if not getattr(type(self), "_loaded", False):
            q = "%dQ1" % self.y
            self.load([(TOWN_A, q, "fai", "1"), (TOWN_B, q, "fai", "2"), (TOWN_C, q, "fai", "4"),
                       (TOWN_D, q, "fai", "8.5"), (TOWN_A, q, "tax", "100"),
                       (TOWN_C, q, "tax", "200")])
            type(self)._loaded = True
        self.q = "%dQ1" % self.y

    def test_none_is_the_region_itself_in_request_order(self):
        for group in (G("GROUP_BY_UNSPECIFIED"), G("GROUP_BY_NONE")):
            resp = self.check_rollup(COUNTY, self.q, ["tax", "fai"], group)
            self.assertEqual([(r.region.code, r.indicator.code) for r in resp.rows],
                             [(COUNTY, "tax"), (COUNTY, "fai")])
            self.assertEqual(D(resp.rows[1].value.value), 3)
            self.assertEqual((resp.rows[1].reporting_units, resp.rows[1].expected_units), (2, 3))
            self.assertEqual((resp.rows[0].reporting_units, resp.rows[0].expected_units), (1, 3))

    def test_unknown_number_is_none(self):
        """A GroupBy number this server does not know (a newer client's)
        groups by none, like GROUP_BY_UNSPECIFIED (domain/group_by.h)."""
        top = max(agg_pb().GroupBy.values())
        want = self.rollup(COUNTY, self.q, ["tax", "fai"], G("GROUP_BY_NONE"))
        for group in (top + 1, 99):
            got = self.rollup(COUNTY, self.q, ["tax", "fai"], group)
            self.assertEqual(got, want, "group_by=%d" % group)

    def test_sql_groups_take_the_proto_numbers(self):
        """hz_rollup_groups (migration 003) numbers its groupings as
        huizong.v1.GroupBy does: the server passes the request's number
        unchanged (domain/group_by.h), so each enum value must select its
        grouping in SQL and a number outside the enum none at all."""
        enum = agg_pb().GroupBy

        def groups(region, number, level=0, total=False):
            return [r[0] for r in self.db.query(
                "SELECT code FROM hz_rollup_groups('%s', %d, %d, %s)"
                % (region, number, level, "true" if total else "false"))]

        expect = {
            "GROUP_BY_NONE": (COUNTY, 0, [COUNTY]),
            "GROUP_BY_CHILDREN": (COUNTY, 0, [TOWN_A, TOWN_B, TOWN_A3]),
            "GROUP_BY_LEVEL": (PROVINCE, 3, [COUNTY, COUNTY2]),
        }
        self.assertEqual(sorted(n for n in enum.keys() if n != "GROUP_BY_UNSPECIFIED"),
                         sorted(expect), "a GroupBy value without an expectation here")
        for name, (region, level, rows) in expect.items():
            with self.subTest(group=name):
                self.assertEqual(groups(region, enum.Value(name), level), rows)
                self.assertEqual(groups(region, enum.Value(name), level, True)[0], region)
        outside = (enum.Value("GROUP_BY_UNSPECIFIED"), max(enum.values()) + 1, -1)
        for number in outside:
            with self.subTest(number=number):
                for region, level in ((COUNTY, 0), (PROVINCE, 3), (COUNTY, 4)):
                    self.assertEqual(groups(region, number, level), [])
                    self.assertEqual(groups(region, number, level, True), [region])

    def test_children_with_and_without_total(self):
        resp = self.check_rollup(COUNTY, self.q, ["fai", "tax"], G("GROUP_BY_CHILDREN"))
        self.assertEqual([r.region.code for r in resp.rows],
                         [TOWN_A, TOWN_A, TOWN_B, TOWN_B, TOWN_A3, TOWN_A3])
        a3 = self.rows_by(resp)[(TOWN_A3, "fai")]
        self.assertFalse(a3.HasField("value"))
        self.assertEqual((a3.reporting_units, a3.expected_units), (0, 1))
        resp = self.check_rollup(COUNTY, self.q, ["fai", "tax"], G("GROUP_BY_CHILDREN"),
                                 total=True)
        self.assertEqual(resp.rows[0].region.code, COUNTY, "the total comes first")
        self.assertEqual(D(resp.rows[0].value.value), 3)
        self.check_rollup(PROVINCE, self.q, ["fai"], G("GROUP_BY_CHILDREN"), total=True)
        self.check_rollup(CITY, self.q, ["fai", "tax"], G("GROUP_BY_CHILDREN"))
        # A township has no children: no rows, or only its total.
        resp = self.check_rollup(TOWN_A, self.q, ["fai"], G("GROUP_BY_CHILDREN"))
        self.assertEqual(len(resp.rows), 0)
        self.check_rollup(TOWN_A, self.q, ["fai"], G("GROUP_BY_CHILDREN"), total=True)

    def test_level(self):
        resp = self.check_rollup(PROVINCE, self.q, ["fai"], G("GROUP_BY_LEVEL"), 3)
        self.assertEqual([(r.region.code, D(r.value.value), r.reporting_units, r.expected_units)
                          for r in resp.rows],
                         [(COUNTY, 3, 2, 3), (COUNTY2, D("12.5"), 2, 2)])
        resp = self.check_rollup(PROVINCE, self.q, ["fai", "tax"], G("GROUP_BY_LEVEL"), 3, True)
        self.assertEqual(resp.rows[0].region.code, PROVINCE)
        self.assertEqual(D(resp.rows[0].value.value), D("15.5"))
        self.assertEqual((resp.rows[0].reporting_units, resp.rows[0].expected_units), (4, 5))
        self.check_rollup(PROVINCE, self.q, ["fai"], G("GROUP_BY_LEVEL"), 4)
        self.check_rollup(CITY, self.q, ["fai"], G("GROUP_BY_LEVEL"), 4, True)
        self.check_rollup(COUNTY, self.q, ["fai"], G("GROUP_BY_LEVEL"), 4)
        # No region at that level under it: no rows.
        resp = self.check_rollup(COUNTY, self.q, ["fai"], G("GROUP_BY_LEVEL"), 5)
        self.assertEqual(len(resp.rows), 0)

    def test_level_not_below_the_region_is_invalid(self):
        R = agg_pb().RollupRequest
        for region, level in ((COUNTY, 3), (COUNTY, 2), (PROVINCE, 1), (TOWN_A, 4),
                              (PROVINCE, 0), (PROVINCE, 9)):
            with self.subTest(region=region, level=level):
                self.error(self.agg.rollup, R(region_code=region, period=self.q,
                                              indicator_codes=["fai"],
                                              group_by=G("GROUP_BY_LEVEL"), level=level),
                           SC.INVALID_ARGUMENT)

    def test_all_indicators_by_code(self):
        resp = self.check_rollup(COUNTY, self.q, (), G("GROUP_BY_CHILDREN"), total=True)
        codes = [r.indicator.code for r in resp.rows if r.region.code == COUNTY]
        self.assertEqual(codes, sorted(codes))
        self.assertIn("gdp", resp.skipped_indicator_codes)


# ----------------------------------------------------------------------------

class GrowthTargetTest(AggTestCase):
    """同比 and 环比 (normal, no earlier value, zero base, negative base and
    values, rounding at .xx5), target completion and annual progress."""

    def setUp(self):
        super().setUp()
        self.y0 = pc.fresh_year()
        self.y1 = pc.fresh_year()
        self.assertEqual(self.y1, self.y0 + 1)

    def q(self, year, n):
        return "%dQ%d" % (year, n)

    def row(self, region, period, code):
        resp = self.rollup(region, period, [code])
        self.assertEqual(len(resp.rows), 1)
        self.assert_row(resp.rows[0], self.model.row(region, code, period), "growth:")
        return resp.rows[0]

    def test_growth_cases(self):
        y0, y1, q = self.y0, self.y1, self.q
        self.load([
            # normal: 128 vs 100; previous period 200
            (TOWN_A, q(y0, 1), "balance", "100"), (TOWN_A, q(y1, 1), "balance", "128"),
            (TOWN_A, q(y0, 4), "balance", "200"),
            # no earlier year value
            (TOWN_A, q(y1, 2), "balance", "50"),
            # zero base
            (TOWN_A, q(y0, 3), "balance", "0"), (TOWN_A, q(y1, 3), "balance", "5"),
            # negative bases and values
            (TOWN_B, q(y0, 1), "balance", "-100"), (TOWN_B, q(y1, 1), "balance", "50"),
            (TOWN_B, q(y0, 2), "balance", "-100"), (TOWN_B, q(y1, 2), "balance", "-150"),
            (TOWN_B, q(y0, 3), "balance", "100"), (TOWN_B, q(y1, 3), "balance", "-50"),
            (TOWN_B, q(y0, 4), "balance", "-80"), (TOWN_B, q(y1, 4), "balance", "-20"),
            # .xx5 boundaries
            (TOWN_C, q(y0, 1), "balance", "100"), (TOWN_C, q(y1, 1), "balance", "100.005"),
            (TOWN_C, q(y0, 2), "balance", "100"), (TOWN_C, q(y1, 2), "balance", "99.995"),
            (TOWN_C, q(y0, 3), "balance", "3"), (TOWN_C, q(y1, 3), "balance", "3.00015"),
            (TOWN_D, q(y0, 1), "balance", "8"), (TOWN_D, q(y1, 1), "balance", "8.01"),
            (TOWN_D, q(y0, 2), "balance", "-8"), (TOWN_D, q(y1, 2), "balance", "-8.01"),
            (TOWN_D, q(y0, 3), "balance", "8"), (TOWN_D, q(y1, 3), "balance", "8.009999"),
        ])
        cases = [  # region, period, yoy, pop
            (TOWN_A, q(y1, 1), "28.00", "-36.00"),
            (TOWN_A, q(y1, 2), None, "-60.94"),
            (TOWN_A, q(y1, 3), None, "-90.00"),
            (TOWN_B, q(y1, 1), "150.00", "162.50"),   # pop base y0Q4 = -80
            (TOWN_B, q(y1, 2), "-50.00", "-400.00"),
            (TOWN_B, q(y1, 3), "-150.00", "66.67"),
            (TOWN_B, q(y1, 4), "75.00", "60.00"),
            (TOWN_C, q(y1, 1), "0.01", None),
            (TOWN_C, q(y1, 2), "-0.01", "-0.01"),
            (TOWN_C, q(y1, 3), "0.01", "-97.00"),
            (TOWN_D, q(y1, 1), "0.13", None),
            (TOWN_D, q(y1, 2), "-0.13", "-200.00"),
            (TOWN_D, q(y1, 3), "0.12", "200.00"),   # 199.999987...
        ]
        for region, period, yoy, pop in cases:
            with self.subTest(region=region, period=period):
                row = self.row(region, period, "balance")
                self.assertEqual(dec(row, "yoy_growth_pct"), yoy)
                self.assertEqual(dec(row, "pop_change_pct"), pop)
        # Zero base: the base itself is shown ("0"), the growth is unset.
        row = self.row(TOWN_A, q(y1, 3), "balance")
        self.assertEqual(D(dec(row, "previous_year_value")), 0)
        self.assertEqual(row.previous_year_period, q(y0, 3))
        # No earlier value: unset, while the period it refers to is named.
        row = self.row(TOWN_A, q(y1, 2), "balance")
        self.assertIsNone(dec(row, "previous_year_value"))
        self.assertEqual(row.previous_year_period, q(y0, 2))
        # The county of A and B: y0Q1 sums to 0, a zero base again.
        row = self.row(COUNTY, q(y1, 1), "balance")
        self.assertEqual(D(dec(row, "value")), 178)
        self.assertEqual(D(dec(row, "previous_year_value")), 0)
        self.assertIsNone(dec(row, "yoy_growth_pct"))
        for period in (q(y1, n) for n in range(1, 5)):
            self.check_everywhere(period, ["balance"])
        self.check_everywhere("%d" % y1, ["balance"])
        self.check_everywhere("%dS2" % y1, ["balance"])

    def test_previous_periods_of_every_type(self):
        y0, y1 = self.y0, self.y1
        self.load([(TOWN_A, "%d12" % y0, "m_a", "40"), (TOWN_A, "%d01" % y1, "m_a", "50"),
                   (TOWN_A, "%d01" % y0, "m_a", "25"), (TOWN_A, "%d07" % y0, "m_a", "10")])
        for period, prev, last_year in (("%d01" % y1, "%d12" % y0, "%d01" % y0),
                                        ("%dQ1" % y1, "%dQ4" % y0, "%dQ1" % y0),
                                        ("%dS1" % y1, "%dS2" % y0, "%dS1" % y0),
                                        ("%d" % y1, "%d" % y0, "%d" % y0),
                                        ("%d07" % y1, "%d06" % y1, "%d07" % y0)):
            with self.subTest(period=period):
                row = self.row(TOWN_A, period, "m_a")
                self.assertEqual((row.previous_period, row.previous_year_period, row.annual_period),
                                 (prev, last_year, "%d" % y1))
        row = self.row(TOWN_A, "%d01" % y1, "m_a")
        self.assertEqual((dec(row, "yoy_growth_pct"), dec(row, "pop_change_pct")),
                         ("100.00", "25.00"))

    def test_targets(self):
        y1, q = self.y1, self.q
        s1, year = "%dS1" % y1, "%d" % y1
        self.load([(TOWN_A, q(y1, 1), "tax", "3000"), (TOWN_A, q(y1, 2), "tax", "3035"),
                   (TOWN_B, q(y1, 1), "tax", "400"), (TOWN_B, q(y1, 2), "tax", "448"),
                   (TOWN_C, q(y1, 1), "tax", "10"),
                   (TOWN_A, q(y1, 1), "fai", "1"),
                   (TOWN_B, q(y1, 1), "balance", "50"), (TOWN_D, q(y1, 2), "balance", "-8.01")])
        self.set_targets([(TOWN_A, "tax", s1, "5500"), (TOWN_A, "tax", year, "12000"),
                          (TOWN_B, "tax", year, "1550"),
                          (TOWN_C, "tax", q(y1, 1), "0"),
                          (TOWN_D, "tax", q(y1, 3), "100"),
                          (COUNTY, "tax", s1, "7000"),
                          (TOWN_A, "fai", q(y1, 1), "800"),
                          (TOWN_B, "balance", q(y1, 1), "800"),
                          (TOWN_D, "balance", q(y1, 2), "6408")])
        row = self.row(TOWN_A, s1, "tax")
        self.assertEqual((dec(row, "value"), dec(row, "target"), dec(row, "completion_pct")),
                         ("6035", "5500", "109.73"))
        self.assertEqual((row.annual_period, dec(row, "annual_target"),
                          dec(row, "annual_progress_pct")), (year, "12000", "50.29"))
        row = self.row(TOWN_B, s1, "tax")
        self.assertEqual(D(dec(row, "value")), 848)
        self.assertEqual(dec(row, "annual_progress_pct"), "54.71", "848 of 1550")
        self.assertIsNone(dec(row, "target"), "no target for the half year")
        self.assertIsNone(dec(row, "completion_pct"))
        row = self.row(TOWN_C, q(y1, 1), "tax")
        self.assertEqual(D(dec(row, "target")), 0, "a zero target is shown")
        self.assertIsNone(dec(row, "completion_pct"), "zero target: completion undefined")
        self.assertIsNone(dec(row, "annual_target"))
        self.assertIsNone(dec(row, "annual_progress_pct"))
        row = self.row(TOWN_D, q(y1, 3), "tax")
        self.assertIsNone(dec(row, "value"))
        self.assertEqual(D(dec(row, "target")), 100)
        self.assertIsNone(dec(row, "completion_pct"), "no value: completion undefined")
        row = self.row(COUNTY, s1, "tax")
        self.assertEqual((D(dec(row, "value")), dec(row, "completion_pct")), (6883, "98.33"))
        self.assertEqual(dec(self.row(TOWN_A, q(y1, 1), "fai"), "completion_pct"), "0.13")
        self.assertEqual(dec(self.row(TOWN_B, q(y1, 1), "balance"), "completion_pct"), "6.25")
        self.assertEqual(dec(self.row(TOWN_D, q(y1, 2), "balance"), "completion_pct"), "-0.13")
        # A year: its own target is the annual one. Two of its four
        # quarters are in: no completion of the year's target (it needs the
        # whole year), while progress against it stays.
        row = self.row(TOWN_A, year, "tax")
        self.assertEqual((dec(row, "completion_pct"), dec(row, "annual_progress_pct")),
                         (None, "50.29"))
        self.assertEqual((row.coverage.covered, row.coverage.total), (2, 4))
        # Targets belong to their region only: the township's do not add up.
        row = self.row(COUNTY, year, "tax")
        self.assertIsNone(dec(row, "annual_target"))
        for period in (s1, year, q(y1, 1), q(y1, 2), q(y1, 3)):
            self.check_everywhere(period, ["tax", "fai", "balance"])


# ----------------------------------------------------------------------------

class RequestErrorTest(AggTestCase):
    """Refusals: finer period than an indicator's frequency, unknown
    indicator or region, malformed input; and the skipped list of an
    all-indicator request."""

    def rollup_error(self, code, **kw):
        return self.error(self.agg.rollup, agg_pb().RollupRequest(**kw), code)

    def test_finer_period_than_the_frequency(self):
        for period, code in (("2022Q1", "gdp"), ("2022S1", "gdp"), ("202201", "gdp"),
                             ("202203", "fai"), ("202201", "rate"), ("202205", "debt_ratio")):
            with self.subTest(period=period, indicator=code):
                err = self.rollup_error(SC.FAILED_PRECONDITION, region_code=COUNTY,
                                        period=period, indicator_codes=["m_a", code])
                self.assertIn(code, err.details())
        # At or coarser than the frequency is fine.
        for period, code in (("2022", "gdp"), ("2022", "fai"), ("2022Q1", "vacc"),
                             ("2022S2", "rate"), ("202201", "t_avg")):
            with self.subTest(period=period, indicator=code):
                self.check_rollup(COUNTY, period, [code])

    def test_all_indicators_skip_the_coarser_ones(self):
        for period in ("2022", "2022S1", "2022Q3", "202211"):
            with self.subTest(period=period):
                self.check_rollup(COUNTY, period, (), G("GROUP_BY_CHILDREN"), total=True)
        resp = self.rollup(COUNTY, "202201")
        monthly = sorted(c for c, i in self.model.ind.items() if i.ptype == MONTH)
        self.assertEqual(sorted({r.indicator.code for r in resp.rows}), monthly)
        self.assertIn("fai", resp.skipped_indicator_codes)
        self.assertIn("rate", resp.skipped_indicator_codes)
        self.assertIn("gdp", resp.skipped_indicator_codes)
        resp = self.rollup(COUNTY, "2022")
        self.assertEqual(list(resp.skipped_indicator_codes), [])

    def test_unknown_indicator_and_region(self):
        err = self.rollup_error(SC.NOT_FOUND, region_code=COUNTY, period="2022Q1",
                                indicator_codes=["fai", "no_such"])
        self.assertIn("no_such", err.details())
        for region in ("420624999", "43", "420699"):
            with self.subTest(region=region):
                err = self.rollup_error(SC.NOT_FOUND, region_code=region, period="2022Q1",
                                        indicator_codes=["fai"])
                self.assertIn(region, err.details())

    def test_malformed_input(self):
        for period in ("2022Q5", "2022Q0", "2022S3", "202213", "202200", "2022-01", "22Q1",
                       "2022M1", "2022q1", "", "2022W01", "2022Q1 ", "２０２２"):
            with self.subTest(period=period):
                self.rollup_error(SC.INVALID_ARGUMENT, region_code=COUNTY, period=period,
                                  indicator_codes=["fai"])
        for region in ("42x", "4" * 40, "-1"):
            with self.subTest(region=region):
                self.rollup_error(SC.INVALID_ARGUMENT, region_code=region, period="2022Q1")
        for code in ("FAI", "fa i", "", "x" * 100):
            with self.subTest(indicator=code):
                self.rollup_error(SC.INVALID_ARGUMENT, region_code=COUNTY, period="2022Q1",
                                  indicator_codes=[code])
        # An admin has no scope root to default to: an empty region is the
        # whole country for Rollup (test_nation), refused elsewhere.
        self.error(self.agg.series, agg_pb().SeriesRequest(
            region_code="", indicator_codes=["fai"], from_period="2022Q1", to_period="2022Q2"),
            SC.INVALID_ARGUMENT)

    def test_series_errors(self):
        S = agg_pb().SeriesRequest
        cases = [
            (S(region_code=COUNTY, indicator_codes=["m_a"], from_period="2022Q1",
               to_period="202206"), SC.INVALID_ARGUMENT),   # mixed types
            (S(region_code=COUNTY, indicator_codes=["m_a"], from_period="2022Q3",
               to_period="2022Q1"), SC.INVALID_ARGUMENT),   # from after to
            (S(region_code=COUNTY, indicator_codes=["m_a"], from_period="200001",
               to_period="202001"), SC.INVALID_ARGUMENT),   # 241 months
            (S(region_code=COUNTY, indicator_codes=["m_a"], from_period="2022Q9",
               to_period="2022Q1"), SC.INVALID_ARGUMENT),
            (S(region_code=COUNTY, indicator_codes=["fai"], from_period="202201",
               to_period="202203"), SC.FAILED_PRECONDITION),
            (S(region_code=COUNTY, indicator_codes=["nope"], from_period="2022Q1",
               to_period="2022Q2"), SC.NOT_FOUND),
            (S(region_code="420624999", indicator_codes=["fai"], from_period="2022Q1",
               to_period="2022Q2"), SC.NOT_FOUND),
        ]
        for req, code in cases:
            with self.subTest(req=str(req)):
                self.error(self.agg.series, req, code)
        # Exactly 240 periods is within the limit.
        resp = self.agg.series(S(region_code=COUNTY, indicator_codes=["m_a"],
                                 from_period="200101", to_period="202012"),
                               metadata=self.md("admin"), timeout=CALL_TIMEOUT)
        self.assertEqual(len(resp.periods), 240)

    def test_other_methods_errors(self):
        a = agg_pb()
        self.error(self.agg.completeness, a.CompletenessRequest(region_code=COUNTY,
                                                                period="2022Q5"),
                   SC.INVALID_ARGUMENT)
        self.error(self.agg.completeness, a.CompletenessRequest(region_code="420624999",
                                                                period="2022Q1"), SC.NOT_FOUND)
        self.error(self.agg.report, a.GetReportRequest(region_code=TOWN_A, period="2022-1"),
                   SC.INVALID_ARGUMENT)
        self.error(self.agg.report, a.GetReportRequest(region_code="420624999",
                                                       period="2022Q1"), SC.NOT_FOUND)

    def test_no_token_is_unauthenticated(self):
        req = agg_pb().RollupRequest(region_code=COUNTY, period="2022Q1")
        err = harness.rpc_error(self, self.agg.rollup, req, timeout=CALL_TIMEOUT)
        self.assert_code(err, SC.UNAUTHENTICATED)
        err = harness.rpc_error(self, self.agg.rollup, req, metadata=pc.auth("hz_not_a_token"),
                                timeout=CALL_TIMEOUT)
        self.assert_code(err, SC.UNAUTHENTICATED)


# ----------------------------------------------------------------------------

class FreshnessTest(AggTestCase):
    """A rollup reflects a submission as soon as its Submit returns, also
    when asked on another connection."""

    def test_submit_then_rollup_immediately(self):
        y = pc.fresh_year()
        q = "%dQ1" % y
        reader = Aggregation(self.server.channel(options=[("grpc.use_local_subchannel_pool", 1)]))
        self.submit(TOWN_B, q, [("fai", "0.5")], label="town_b")
        for i in range(1, 31):
            value = "%d.25" % i
            _req, resp = self.submit(TOWN_A, q, [("fai", value)], label="town_a")
            self.assertEqual(resp.status, pc.reporting_pb().SubmissionStatus.Value(
                "SUBMISSION_STATUS_ACCEPTED"))
            stub = reader if i % 2 else self.agg
            got = stub.rollup(agg_pb().RollupRequest(region_code=COUNTY, period=q,
                                                     indicator_codes=["fai"]),
                              metadata=self.md("county"), timeout=CALL_TIMEOUT)
            self.assertEqual(D(got.rows[0].value.value), D(value) + D("0.5"),
                             "rollup after submit %d does not show it" % i)
            year = stub.rollup(agg_pb().RollupRequest(region_code=PROVINCE, period="%d" % y,
                                                      indicator_codes=["fai"]),
                               metadata=self.md("admin"), timeout=CALL_TIMEOUT)
            self.assertEqual(D(year.rows[0].value.value), D(value) + D("0.5"))

    def test_stream_then_rollup_immediately(self):
        y = pc.fresh_year()
        values = [(t, "%d%02d" % (y, m), "vacc", str(m * 10 + n))
                  for n, t in enumerate(TOWNSHIPS) for m in range(1, 13)]
        self.load(values)
        self.check_everywhere("%d" % y, ["vacc"])


class AnswerCacheTest(AggTestCase):
    """Rollup answers are kept (--rollup-cache-bytes) and served again only
    while the region's change stamp (migration 006) is unchanged: every
    call reads it from the database first, so changes made by any writer,
    not only by this server, are in the next answer."""

    def fai_rollup(self, q, label="county"):
        return self.agg.rollup(agg_pb().RollupRequest(region_code=COUNTY, period=q,
                                                      indicator_codes=["fai"]),
                               metadata=self.md(label), timeout=CALL_TIMEOUT)

    def test_repeats_are_served_from_the_cache(self):
        q = "%dQ1" % pc.fresh_year()
        self.submit(TOWN_A, q, [("fai", "2.5")])
        first = self.fai_rollup(q)
        self.assertEqual(self.fai_rollup(q).SerializeToString(), first.SerializeToString())
        # A change that moves no counter (triggers off) is not seen: the
        # answer comes from the cache, not from a new computation ...
        self.db.execute(
            "BEGIN; ALTER TABLE data_values DISABLE TRIGGER USER;"
            " UPDATE data_values SET value = 7 WHERE region_code = '%s' AND period = '%s'"
            " AND indicator_code = 'fai'; ALTER TABLE data_values ENABLE TRIGGER USER; COMMIT;"
            % (TOWN_A, q))
        self.assertEqual(D(self.fai_rollup(q).rows[0].value.value), D("2.5"))
        # ... and once the township's counter moves, it is.
        self.db.execute("SELECT hz_count_changes(ARRAY['%s'])" % TOWN_A)
        self.assertEqual(D(self.fai_rollup(q).rows[0].value.value), D("7"))
        self.model.values[(TOWN_A, "fai", q)] = D("7")

    def test_changes_by_other_writers_reach_the_next_answer(self):
        q = "%dQ1" % pc.fresh_year()
        self.submit(TOWN_A, q, [("fai", "1")])
        self.assertEqual(D(self.fai_rollup(q).rows[0].value.value), D("1"))
        # Written with psql, past this server: the triggers move the stamp.
        self.db.execute("UPDATE data_values SET value = 4 WHERE region_code = '%s'"
                        " AND period = '%s' AND indicator_code = 'fai'" % (TOWN_A, q))
        self.assertEqual(D(self.fai_rollup(q).rows[0].value.value), D("4"))
        self.model.values[(TOWN_A, "fai", q)] = D("4")
        # Another huizongd on the same database (its own cache) sees the same.
        other = self.start_server()
        try:
            stub = Aggregation(other.channel())
            self.submit(TOWN_B, q, [("fai", "0.5")])
            got = stub.rollup(agg_pb().RollupRequest(region_code=COUNTY, period=q,
                                                     indicator_codes=["fai"]),
                              metadata=self.md("county"), timeout=CALL_TIMEOUT)
            self.assertEqual(D(got.rows[0].value.value), D("4.5"))
            self.submit(TOWN_B, q, [("fai", "1.5")])  # through the first server
            got = stub.rollup(agg_pb().RollupRequest(region_code=COUNTY, period=q,
                                                     indicator_codes=["fai"]),
                              metadata=self.md("county"), timeout=CALL_TIMEOUT)
            self.assertEqual(D(got.rows[0].value.value), D("5.5"))
        finally:
            self.assertEqual(other.stop(), 0)

    def test_targets_and_catalog_changes_reach_kept_answers(self):
        y = pc.fresh_year()
        q = "%dQ1" % y
        self.submit(TOWN_A, q, [("fai", "3")])
        self.set_targets([(COUNTY, "fai", q, "6")])
        self.assertEqual(self.fai_rollup(q).rows[0].completion_pct.value, "50.00")
        self.set_targets([(COUNTY, "fai", q, "4")])
        self.assertEqual(self.fai_rollup(q).rows[0].completion_pct.value, "75.00")
        self.db.execute("UPDATE indicators SET name = '固定资产投资（新）' WHERE code = 'fai'")
        try:
            self.assertEqual(self.fai_rollup(q).rows[0].indicator.name, "固定资产投资（新）")
        finally:
            self.db.execute("UPDATE indicators SET name = '固定资产投资' WHERE code = 'fai'")
        self.assertEqual(self.fai_rollup(q).rows[0].indicator.name, "固定资产投资")

    def test_tree_change_reaches_kept_answers(self):
        # TOWN_A3 moves from COUNTY to COUNTY2 and back, in one transaction
        # each: the county's children, and its expected units, follow.
        q = "%dQ1" % pc.fresh_year()
        self.submit(TOWN_A3, q, [("fai", "2")])

        def children():
            resp = self.agg.rollup(agg_pb().RollupRequest(region_code=COUNTY, period=q,
                                                          indicator_codes=["fai"],
                                                          group_by=G("GROUP_BY_CHILDREN")),
                                   metadata=self.md("admin"), timeout=CALL_TIMEOUT)
            return sorted(r.region.code for r in resp.rows)

        def move(town, frm, to):
            self.db.execute(
                "BEGIN; UPDATE regions SET parent_code = '%(to)s' WHERE code = '%(t)s';"
                " DELETE FROM region_paths WHERE descendant = '%(t)s' AND ancestor = '%(f)s';"
                " INSERT INTO region_paths (ancestor, descendant, depth) VALUES ('%(to)s', '%(t)s', 1);"
                " COMMIT;" % {"t": town, "f": frm, "to": to})

        before = children()
        self.assertIn(TOWN_A3, before)
        self.assertEqual(children(), before)
        move(TOWN_A3, COUNTY, COUNTY2)
        try:
            self.assertEqual(children(), [c for c in before if c != TOWN_A3])
        finally:
            move(TOWN_A3, COUNTY2, COUNTY)
        self.assertEqual(children(), before)

    def test_scope_is_checked_before_a_kept_answer(self):
        q = "%dQ1" % pc.fresh_year()
        self.submit(TOWN_A, q, [("fai", "1")])
        self.fai_rollup(q, label="admin")
        self.fai_rollup(q, label="county")
        for label in ("county2", "town_a"):
            with self.assertRaises(grpc.RpcError) as cm:
                self.fai_rollup(q, label=label)
            self.assertEqual(cm.exception.code(), SC.PERMISSION_DENIED, label)

    def test_answers_equal_with_the_cache_off(self):
        y = pc.fresh_year()
        values = [(t, "%d%02d" % (y, m), "vacc", str(m * 3 + n))
                  for n, t in enumerate(TOWNSHIPS) for m in range(1, 13)]
        self.load(values)
        off = self.start_server(["--rollup-cache-bytes", "0"])
        try:
            uncached = Aggregation(off.channel())
            for period, group in (("%d" % y, 0), ("%dS2" % y, 2), ("%dQ3" % y, 2),
                                  ("%d07" % y, 3)):
                req = agg_pb().RollupRequest(region_code=PROVINCE, period=period,
                                             indicator_codes=["vacc"], group_by=group,
                                             level=3 if group == 3 else 0, include_total=True)
                for _ in range(2):
                    a = self.agg.rollup(req, metadata=self.md("admin"), timeout=CALL_TIMEOUT)
                    b = uncached.rollup(req, metadata=self.md("admin"), timeout=CALL_TIMEOUT)
                    self.assertEqual(a.SerializeToString(), b.SerializeToString(), period)
        finally:
            self.assertEqual(off.stop(), 0)


# ----------------------------------------------------------------------------

class SeriesTest(AggTestCase):

    def series(self, region, codes, first, last, label="admin"):
        req = agg_pb().SeriesRequest(region_code=region, indicator_codes=list(codes),
                                     from_period=first, to_period=last)
        return self.agg.series(req, metadata=self.md(label), timeout=CALL_TIMEOUT)

    def assert_series(self, resp, region, codes, first, last):
        periods = periods_from_to(first, last)
        ptype = parse_period(first)[0]
        if not codes:
            codes, skipped = self.model.codes_for(ptype)
        else:
            skipped = []
        self.assertEqual(resp.region.code, region)
        self.assertEqual(resp.period_type, ptype)
        self.assertEqual(list(resp.periods), periods)
        self.assertEqual(sorted(resp.skipped_indicator_codes), skipped)
        self.assertEqual([s.indicator.code for s in resp.series], list(codes))
        for s, code in zip(resp.series, codes):
            ind = self.model.ind[code]
            self.assertEqual((s.indicator.name, s.indicator.unit, s.indicator.period_type),
                             (ind.name, ind.unit, ind.ptype))
            self.assertEqual([p.period for p in s.points], periods)
            for p in s.points:
                want, rep = self.model.figure(region, code, p.period)
                where = "%s %s %s" % (region, code, p.period)
                got = dec(p, "value")
                if want is None:
                    self.assertIsNone(got, where + ": undefined point must be unset")
                elif ind.ratio:
                    self.assertEqual(got, want, where)
                else:
                    self.assertIsNotNone(got, where)
                    self.assertEqual(D(got), D(want), where)
                self.assertEqual(p.reporting_units, rep, where)
                self.assertEqual(p.expected_units, len(self.model.leaves(region)), where)

    def test_consecutive_periods_with_gaps(self):
        y0, y, y2 = pc.fresh_year(), pc.fresh_year(), pc.fresh_year()
        self.assertEqual((y0, y2), (y - 1, y + 1), "the series spans three years of its own")
        self.load([(TOWN_A, "%d01" % y, "m_b", "1.5"), (TOWN_A, "%d02" % y, "m_b", "2"),
                   (TOWN_A, "%d04" % y, "m_b", "-4"), (TOWN_B, "%d04" % y, "m_b", "4"),
                   (TOWN_B, "%d12" % y, "m_b", "12"), (TOWN_A, "%d02" % (y + 1), "m_b", "7"),
                   (TOWN_A, "%d01" % y, "t_last", "3"), (TOWN_A, "%d05" % y, "t_last", "9"),
                   (TOWN_A, "%dQ1" % y, "r_none", "5"), (TOWN_A, "%dQ3" % y, "r_none", "6"),
                   (TOWN_A, "%dQ1" % y, "r_avg", "5"), (TOWN_B, "%dQ1" % y, "r_avg", "6"),
                   (TOWN_C, "%dQ1" % y, "r_avg", "100")])
        first, last = "%d11" % (y - 1), "%d03" % (y + 1)
        resp = self.series(COUNTY, ["m_b", "t_last"], first, last)
        self.assertEqual(len(resp.periods), 17)
        pts = resp.series[0].points
        by = {p.period: p for p in pts}
        self.assertFalse(by["%d03" % y].HasField("value"), "March: nobody reported")
        self.assertEqual(D(by["%d04" % y].value.value), 0, "-4 + 4 is a value: 0, set")
        self.assertEqual(by["%d04" % y].reporting_units, 2)
        self.assertEqual(by["%d01" % y].expected_units, 3)
        self.assert_series(resp, COUNTY, ["m_b", "t_last"], first, last)
        for first, last in (("%dQ1" % y, "%dQ4" % y), ("%dS1" % y, "%dS2" % (y + 1)),
                            ("%d" % (y - 1), "%d" % (y + 1))):
            with self.subTest(first=first, last=last):
                for region in (COUNTY, TOWN_A, PROVINCE):
                    resp = self.series(region, ["t_last", "m_b"], first, last)
                    self.assert_series(resp, region, ["t_last", "m_b"], first, last)
        for region in (TOWN_A, COUNTY, PROVINCE):
            resp = self.series(region, ["r_none", "r_avg"], "%dQ1" % y, "%dQ4" % y)
            self.assert_series(resp, region, ["r_none", "r_avg"], "%dQ1" % y, "%dQ4" % y)
            first = resp.series[0].points[0]
            self.assertEqual(first.HasField("value"), region == TOWN_A,
                             "NONE: a value at the township only (%s)" % region)
        resp = self.series(COUNTY, ["r_avg"], "%dQ1" % y, "%dQ1" % y)
        self.assertEqual(D(resp.series[0].points[0].value.value), D("5.5"))
        resp = self.series(COUNTY, ["m_b"], "%dQ1" % y, "%dQ4" % y)
        self.assertEqual([canon(D(p.value.value)) if p.HasField("value") else None
                          for p in resp.series[0].points], ["3.5", "0", None, "12"])

    def test_ratio_series_and_all_indicators(self):
        y = pc.fresh_year()
        self.load([(TOWN_A, "%dQ1" % y, "num", "1"), (TOWN_A, "%dQ1" % y, "den", "3"),
                   (TOWN_B, "%dQ1" % y, "num", "1"), (TOWN_B, "%dQ1" % y, "den", "1"),
                   (TOWN_A, "%dQ3" % y, "num", "2"), (TOWN_A, "%dQ3" % y, "den", "0")])
        resp = self.series(COUNTY, ["rate"], "%dQ1" % y, "%dQ4" % y)
        self.assertEqual([dec(p, "value") for p in resp.series[0].points],
                         ["50.00", None, None, None])
        self.assert_series(resp, COUNTY, ["rate"], "%dQ1" % y, "%dQ4" % y)
        resp = self.series(COUNTY, [], "%dQ1" % y, "%dQ2" % y)
        self.assert_series(resp, COUNTY, [], "%dQ1" % y, "%dQ2" % y)
        self.assertIn("gdp", resp.skipped_indicator_codes)


# ----------------------------------------------------------------------------

class CompletenessReportTest(AggTestCase):
    """Completeness (missing / submitted / approved) and GetReport."""

    def approve(self, region, period, label="county"):
        a = pc.admin_pb()
        return self._admin("Approve", "ApproveRequest", "ApprovalResponse")(
            a.ApproveRequest(region_code=region, period=period, comment="核对无误"),
            metadata=self.md(label), timeout=CALL_TIMEOUT)

    def completeness(self, region, period, label="admin"):
        return self.agg.completeness(agg_pb().CompletenessRequest(region_code=region,
                                                                  period=period),
                                     metadata=self.md(label), timeout=CALL_TIMEOUT)

    def test_completeness(self):
        A = pc.common_pb().ApprovalState
        y = pc.fresh_year()
        q = "%dQ2" % y
        _r1, first = self.submit(TOWN_A, q, [("fai", "1"), ("tax", "2")], label="town_a")
        time.sleep(0.01)
        r2, second = self.submit(TOWN_A, q, [("pigs", "3")], label="town_a")
        r3, third = self.submit(TOWN_B, q, [("fai", "5")], label="town_b")
        approval = self.approve(TOWN_B, q)
        self.assertEqual(approval.approval.state, A.Value("APPROVAL_STATE_APPROVED"))
        # Another period must not count.
        self.submit(TOWN_A3, "%dQ1" % y, [("fai", "1")], label="town_a3")

        resp = self.completeness(COUNTY, q)
        self.assertEqual((resp.region.code, resp.period), (COUNTY, q))
        self.assertEqual([u.region.code for u in resp.units], [TOWN_A, TOWN_B, TOWN_A3])
        self.assertEqual((resp.expected_count, resp.reported_count, resp.approved_count,
                          resp.missing_count), (3, 2, 1, 1))
        self.assertEqual(list(resp.missing_region_codes), [TOWN_A3])
        a, b, a3 = resp.units
        self.assertEqual(a.state, A.Value("APPROVAL_STATE_SUBMITTED"))
        self.assertEqual(a.last_submission_id, r2.submission_id)
        self.assertEqual(a.last_submitted_at, second.committed_at)
        self.assertGreater(a.last_submitted_at, first.committed_at)
        self.assertEqual(a.last_submitted_by, self.fixture.token_names["town_a"])
        self.assertEqual(a.value_count, 3)
        self.assertEqual((a.approved_by, a.approved_at), ("", ""))
        self.assertEqual(b.state, A.Value("APPROVAL_STATE_APPROVED"))
        self.assertEqual(b.last_submission_id, r3.submission_id)
        self.assertEqual(b.last_submitted_at, third.committed_at)
        self.assertEqual(b.approved_by, self.fixture.token_names["county"])
        self.assertTrue(b.approved_at.endswith("Z"), b.approved_at)
        self.assertEqual(b.value_count, 1)
        self.assertEqual(a3.state, A.Value("APPROVAL_STATE_MISSING"))
        self.assertEqual((a3.last_submitted_at, a3.last_submission_id, a3.value_count),
                         ("", "", 0))
        self.assertEqual((a3.region.name, a3.region.level), ("李庙镇", 4))

        prov = self.completeness(PROVINCE, q)
        self.assertEqual([u.region.code for u in prov.units], sorted(TOWNSHIPS))
        self.assertEqual(list(prov.missing_region_codes), sorted([TOWN_A3, TOWN_C, TOWN_D]))
        self.assertEqual((prov.expected_count, prov.reported_count, prov.approved_count,
                          prov.missing_count), (5, 2, 1, 3))
        town = self.completeness(TOWN_C, q, label="town_c")
        self.assertEqual((town.expected_count, list(town.missing_region_codes)), (1, [TOWN_C]))

    def test_get_report(self):
        A = pc.common_pb().ApprovalState
        y = pc.fresh_year()
        q = "%dQ1" % y
        r1, first = self.submit(TOWN_A, q, [("fai", "4.90", "含省重点项目"), ("tax", "848")],
                                label="town_a", narrative="一季度，全镇完成固定资产投资4.9个亿。")
        r2, second = self.submit(TOWN_A, q, [("tax", "850.5"), ("balance", "-0.000001")],
                                 label="admin")
        r3, _ = self.submit(TOWN_A, q, [("pigs", "160000")], label="town_a")  # no narrative
        rep = self.agg.report(agg_pb().GetReportRequest(region_code=TOWN_A, period=q),
                              metadata=self.md("town_a"), timeout=CALL_TIMEOUT)
        self.assertEqual((rep.region.code, rep.region.name, rep.period), (TOWN_A, "武安镇", q))
        got = [(v.indicator.code, v.indicator.unit, v.value, v.comment, v.submission_id,
                v.updated_by) for v in rep.values]
        a, admin = self.fixture.token_names["town_a"], self.fixture.token_names["admin"]
        self.assertEqual([(c, u, D(v), m, s, b) for c, u, v, m, s, b in got], [
            ("balance", "万元", D("-0.000001"), "", r2.submission_id, admin),
            ("fai", "亿元", D("4.9"), "含省重点项目", r1.submission_id, a),
            ("pigs", "头", D("160000"), "", r3.submission_id, a),
            ("tax", "万元", D("850.5"), "", r2.submission_id, admin),
        ])
        for v in rep.values:
            self.assertRegex(v.value, DECIMAL_RE)
            self.assertTrue(v.updated_at.endswith("Z"), v.updated_at)
        self.assertEqual(rep.narrative, "一季度，全镇完成固定资产投资4.9个亿。",
                         "a submission without narrative keeps the stored one")
        self.assertEqual(list(rep.submission_ids),
                         [r1.submission_id, r2.submission_id, r3.submission_id])
        self.assertEqual(rep.approval.state, A.Value("APPROVAL_STATE_SUBMITTED"))
        self.assertEqual((rep.approval.region_code, rep.approval.period), (TOWN_A, q))
        # Nothing submitted: an empty report, not an error.
        empty = self.agg.report(agg_pb().GetReportRequest(region_code=TOWN_D, period=q),
                                metadata=self.md("county2"), timeout=CALL_TIMEOUT)
        self.assertEqual((len(empty.values), empty.narrative, len(empty.submission_ids)),
                         (0, "", 0))
        self.assertEqual(empty.approval.state, A.Value("APPROVAL_STATE_MISSING"))
        # A county is not a township: no report of its own.
        err = harness.rpc_error(self, self.agg.report,
                                agg_pb().GetReportRequest(region_code=COUNTY, period=q),
                                metadata=self.md("admin"), timeout=CALL_TIMEOUT)
        self.assertIn(err.code(), (SC.FAILED_PRECONDITION, SC.INVALID_ARGUMENT), err.details())


# ----------------------------------------------------------------------------

class ExportTest(AggTestCase):
    """ExportValues: every raw value of a subtree and period range, exact,
    in several stream messages, ordered, filtered by indicators."""

    extra_indicators = EXTRA_INDICATORS + EXPORT_INDICATORS

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.years = [pc.fresh_year() for _ in range(5)]
        cls.loaded = None

    def setUp(self):
        super().setUp()
        if type(self).loaded is None:
            type(self).loaded = self._load_data()

    def _load_data(self):
        """6000 monthly values (5 townships x 20 indicators x 60 months),
        quarterly fai and yearly gdp of TOWN_A. Returns {key: value text}
        with key (region, indicator, period)."""
        rng = random.Random(42)
        stored = {}
        reqs = []
        for town in TOWNSHIPS:
            for y in self.years:
                for m in range(1, 13):
                    period = "%d%02d" % (y, m)
                    vals = []
                    for code, *_ in EXPORT_INDICATORS:
                        v = random_value(rng, digits=6)
                        vals.append((code, v))
                        stored[(town, code, period)] = v
                    reqs.append(pc.submit_request(town, period, vals))
        # TOWN_A also has yearly gdp (the largest value the contract allows
        # in the first year) and quarterly fai (Q1 of the first year, and
        # Q2, Q3 of every year).
        extra = {}
        for n, y in enumerate(self.years):
            extra[("%d" % y, "gdp")] = "99999999999999999999.999999" if n == 0 else "%d.5" % y
            extra[("%dQ2" % y, "fai")] = "2"
            extra[("%dQ3" % y, "fai")] = "3"
        extra[("%dQ1" % self.years[0], "fai")] = "0.000001"
        for (period, code), v in sorted(extra.items()):
            reqs.append(pc.submit_request(TOWN_A, period, [(code, v)]))
            stored[(TOWN_A, code, period)] = v
        resp = self.rep.stream(iter(reqs), metadata=self.md("admin"), timeout=300)
        bad = [(r.region_code, r.period, r.message) for r in resp.results if r.code]
        self.assertEqual(bad, [])
        return stored

    def export(self, region, first, last, codes=(), label="admin"):
        req = agg_pb().ExportValuesRequest(region_code=region, from_period=first, to_period=last,
                                           indicator_codes=list(codes))
        return list(self.agg.export(req, metadata=self.md(label), timeout=120))

    def expected(self, region, first, last, codes=()):
        leaves = set(self.model.leaves(region))
        s0, _ = month_span(first)
        s1, n1 = month_span(last)
        out = []
        for (r, c, p), v in self.loaded.items():
            s, n = month_span(p)
            if r in leaves and (not codes or c in codes) and s0 <= s and s + n <= s1 + n1:
                out.append((r, c, p, v))
        return sorted(out, key=lambda t: (t[0], t[1], month_span(t[2])[0]))

    def check(self, messages, want):
        got = [(v.region_code, v.indicator_code, v.period, v.value)
               for m in messages for v in m.records]
        extra, missing = set(got) - set(want), set(want) - set(got)
        self.assertFalse(extra or missing, "exported but not expected: %s; expected but not "
                         "exported: %s" % (sorted(extra)[:10], sorted(missing)[:10]))
        self.assertEqual(len(set(got)), len(got), "a record came twice")
        self.assertEqual(got, want, "records differ (values exact, order region/indicator/period)")
        for m in messages:
            self.assertGreater(len(m.records), 0, "an empty batch")

    def test_subtree_and_range_all_exact_in_several_messages(self):
        y = self.years
        msgs = self.export(COUNTY, "%d01" % y[0], "%d12" % y[4])
        want = self.expected(COUNTY, "%d01" % y[0], "%d12" % y[4])
        self.assertEqual(len(want), 3 * 20 * 60 + 5 + 11)  # monthly, gdp, fai
        self.assertGreater(len(msgs), 1, "%d records in one message" % len(want))
        self.check(msgs, want)
        # submission ids and times come with every record
        rec = msgs[0].records[0]
        self.assertRegex(rec.submission_id, r"^[0-9a-f-]{36}$")
        self.assertTrue(rec.updated_at.endswith("Z"))
        msgs = self.export(PROVINCE, "%d" % y[0], "%d" % y[4])
        self.check(msgs, self.expected(PROVINCE, "%d" % y[0], "%d" % y[4]))
        self.assertGreater(len(msgs), 5)

    def test_slow_reader_and_cancel(self):
        """A reader slower than the server still gets every record (the
        server waits for the stream to drain); a reader that cancels after
        the first message leaves a healthy server."""
        y = self.years
        req = agg_pb().ExportValuesRequest(region_code=PROVINCE, from_period="%d" % y[0],
                                           to_period="%d" % y[4])
        msgs = []
        for m in self.agg.export(req, metadata=self.md("admin"), timeout=120):
            msgs.append(m)
            time.sleep(0.15)
        self.check(msgs, self.expected(PROVINCE, "%d" % y[0], "%d" % y[4]))
        for _ in range(3):
            call = self.agg.export(req, metadata=self.md("admin"), timeout=120)
            first = next(call)
            self.assertGreater(len(first.records), 0)
            call.cancel()
        msgs = self.export(COUNTY2, "%d" % y[0], "%d" % y[0], ["x01"])
        self.check(msgs, self.expected(COUNTY2, "%d" % y[0], "%d" % y[0], ["x01"]))

    def test_indicator_filter_and_township(self):
        y = self.years
        msgs = self.export(PROVINCE, "%d" % y[0], "%d" % y[4], ["x03", "gdp"])
        self.check(msgs, self.expected(PROVINCE, "%d" % y[0], "%d" % y[4], ["x03", "gdp"]))
        msgs = self.export(TOWN_C, "%d01" % y[1], "%d06" % y[1], ["x20"], label="town_c")
        self.check(msgs, self.expected(TOWN_C, "%d01" % y[1], "%d06" % y[1], ["x20"]))
        self.assertEqual(sum(len(m.records) for m in msgs), 6)

    def test_range_of_mixed_types_only_wholly_inside(self):
        """A value is exported when its period lies wholly within the range:
        the year y2 starts inside [y1Q2, y2S1] but ends after it."""
        y = self.years
        first, last = "%dQ2" % y[1], "%dS1" % y[2]
        msgs = self.export(TOWN_A, first, last, ["gdp", "fai", "x01"])
        want = self.expected(TOWN_A, first, last, ["gdp", "fai", "x01"])
        self.assertFalse([w for w in want if w[1] == "gdp"])
        self.check(msgs, want)

    def test_export_errors(self):
        E = agg_pb().ExportValuesRequest
        y = self.years
        cases = [
            (E(region_code=COUNTY, from_period="%d" % y[1], to_period="%d" % y[0]),
             SC.INVALID_ARGUMENT),
            (E(region_code=COUNTY, from_period="2022Q5", to_period="2022Q4"), SC.INVALID_ARGUMENT),
            (E(region_code="420624999", from_period="2022", to_period="2022"), SC.NOT_FOUND),
            (E(region_code=COUNTY, from_period="2022", to_period="2022",
               indicator_codes=["no_such"]), SC.NOT_FOUND),
        ]
        for req, code in cases:
            with self.subTest(req=str(req)):
                try:
                    out = list(self.agg.export(req, metadata=self.md("admin"), timeout=30))
                except grpc.RpcError as e:
                    self.assert_code(e, code)
                else:
                    self.fail("expected %s, the stream ended OK with %d messages" % (code,
                                                                                     len(out)))


# ----------------------------------------------------------------------------

class ScopingTest(AggTestCase):
    """County tokens see their subtree, township tokens their own region;
    anything else is PERMISSION_DENIED, for every Aggregation method."""

    def calls(self, region):
        a = agg_pb()
        return [
            ("Rollup", self.agg.rollup, a.RollupRequest(region_code=region, period="2022Q1",
                                                        indicator_codes=["fai"])),
            ("Series", self.agg.series, a.SeriesRequest(region_code=region,
                                                        indicator_codes=["fai"],
                                                        from_period="2022Q1",
                                                        to_period="2022Q2")),
            ("Completeness", self.agg.completeness,
             a.CompletenessRequest(region_code=region, period="2022Q1")),
            ("ExportValues", lambda req, **kw: list(self.agg.export(req, **kw)),
             a.ExportValuesRequest(region_code=region, from_period="2022", to_period="2022")),
        ]

    def report_call(self, region):
        return ("GetReport", self.agg.report,
                agg_pb().GetReportRequest(region_code=region, period="2022Q1"))

    def test_scopes(self):
        self.load([(TOWN_A, "2022Q1", "fai", "1"), (TOWN_C, "2022Q1", "fai", "2")])
        allowed = {
            "county": ([COUNTY, TOWN_A, TOWN_B, TOWN_A3], [COUNTY2, TOWN_C, TOWN_D, CITY, PROVINCE]),
            "county2": ([COUNTY2, TOWN_C, TOWN_D], [COUNTY, TOWN_A, CITY, PROVINCE]),
            "town_a": ([TOWN_A], [TOWN_B, TOWN_A3, COUNTY, TOWN_C, CITY, PROVINCE]),
            "town_c": ([TOWN_C], [TOWN_D, COUNTY2, TOWN_A]),
            "admin": ([PROVINCE, CITY, COUNTY, COUNTY2] + list(TOWNSHIPS), []),
        }
        for label, (ok, denied) in allowed.items():
            for region in ok + denied:
                calls = self.calls(region)
                if self.model.regions[region][1] == 4:
                    calls.append(self.report_call(region))
                for name, fn, req in calls:
                    with self.subTest(token=label, region=region, method=name):
                        if region in ok:
                            fn(req, metadata=self.md(label), timeout=CALL_TIMEOUT)
                        else:
                            err = harness.rpc_error(self, fn, req, metadata=self.md(label),
                                                    timeout=CALL_TIMEOUT)
                            self.assert_code(err, SC.PERMISSION_DENIED, name)

    def test_denied_regions_leak_no_figures_and_scope_root_default(self):
        self.load([(TOWN_A, "2021Q1", "fai", "3"), (TOWN_B, "2021Q1", "fai", "4")])
        # Grouping below an allowed region stays inside it.
        resp = self.rollup(COUNTY, "2021Q1", ["fai"], G("GROUP_BY_CHILDREN"), label="county")
        self.assertEqual({r.region.code for r in resp.rows}, {TOWN_A, TOWN_B, TOWN_A3})
        # From the province down, a county token is refused outright.
        err = harness.rpc_error(self, self.rollup, PROVINCE, "2021Q1", ["fai"],
                                G("GROUP_BY_LEVEL"), 3, label="county")
        self.assert_code(err, SC.PERMISSION_DENIED)
        # Empty region: the token's own scope root.
        resp = self.rollup("", "2021Q1", ["fai"], label="county")
        self.assertEqual(resp.region.code, COUNTY)
        self.assertEqual(D(resp.rows[0].value.value), 7)
        resp = self.rollup("", "2021Q1", ["fai"], label="town_b")
        self.assertEqual(resp.region.code, TOWN_B)
        self.assertEqual(D(resp.rows[0].value.value), 4)
        # Scope errors come before existence: an unknown code is not a probe.
        err = harness.rpc_error(self, self.rollup, "420624999", "2021Q1", ["fai"],
                                label="county")
        self.assertIn(err.code(), (SC.NOT_FOUND, SC.PERMISSION_DENIED))



# ----------------------------------------------------------------------------

DEMO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "deploy", "demo")


class DemoCountyGrowthTest(pc.PgServerTestCase):
    """The demo county (deploy/demo: 南漳县, ten townships) with its region
    tree and catalog imported as load.sh imports them (huizong-admin), and
    its debt figures of 2021Q1 and 2022Q1 submitted through grpcio. The
    county's debt-resolution rate went from 6.72% to 26.89%: a rate changes
    in percentage points, taken from the exact rates (百分点;
    the relative growth would be +300.00%, +300.15% from the rounded rates,
    and is left unset)."""

    load_fixture = False
    COUNTY = "420624"
    CODES = ("debt_locked", "debt_resolved")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        try:
            cls.admin = pc.token_create_cli(cls.db, "admin", "demo-growth-admin")
            for what in ("regions", "indicators"):
                cls.admin_cli(what, "import", os.path.join(DEMO, what + ".csv"))
        except Exception:
            cls.server.kill()
            raise

    @classmethod
    def admin_cli(cls, *args):
        build = os.path.dirname(os.path.dirname(os.path.abspath(harness.huizongd_path())))
        env = harness.server_env({"HUIZONG_ADDR": cls.server.address,
                                  "HUIZONG_TOKEN": cls.admin})
        res = subprocess.run([os.path.join(build, "client", "huizong-admin")] + list(args),
                             capture_output=True, text=True, timeout=120, env=env)
        if res.returncode != 0:
            raise AssertionError("huizong-admin %s failed (%d): %s%s"
                                 % (" ".join(args), res.returncode, res.stdout, res.stderr))

    @classmethod
    def demo_values(cls, periods):
        """{(township, period): [(indicator, value)]} of the debt figures in
        values.csv and the seed reports (submissions/REGION-PERIOD.csv)."""
        out = {}
        with open(os.path.join(DEMO, "values.csv"), encoding="utf-8") as f:
            for row in csv.DictReader(f):
                if row["period"] in periods and row["indicator"] in cls.CODES:
                    out.setdefault((row["region"], row["period"]), []).append(
                        (row["indicator"], row["value"]))
        sub = os.path.join(DEMO, "submissions")
        for name in sorted(os.listdir(sub)):
            region, period = name[:-len(".csv")].split("-")
            if period not in periods:
                continue
            with open(os.path.join(sub, name), encoding="utf-8") as f:
                vals = [(r["indicator"], r["value"]) for r in csv.DictReader(f)
                        if r["indicator"] in cls.CODES]
            if vals:
                out[(region, period)] = vals
        return out

    def test_growth_of_the_county_rate_is_taken_from_exact_rates(self):
        values = self.demo_values(("2021Q1", "2022Q1"))
        rep = self.rep()
        for (region, period), vals in sorted(values.items()):
            resp = rep.submit(pc.submit_request(region, period, vals),
                              metadata=pc.auth(self.admin), timeout=CALL_TIMEOUT)
            self.assertEqual(resp.imported, len(vals), resp)
        # Independently of the server: the county's parts, exactly.
        parts = {}
        for (_region, period), vals in values.items():
            for code, v in vals:
                parts[(period, code)] = parts.get((period, code), Fraction(0)) + Fraction(D(v))
        rate = {p: parts[(p, "debt_resolved")] * 100 / parts[(p, "debt_locked")]
                for p in ("2021Q1", "2022Q1")}
        want = frac_text(rate["2022Q1"] - rate["2021Q1"], 2, True)
        req = agg_pb().RollupRequest(region_code=self.COUNTY, period="2022Q1",
                                     indicator_codes=["debt_resolution_rate"])
        resp = Aggregation(self.server.channel()).rollup(req, metadata=pc.auth(self.admin),
                                                         timeout=CALL_TIMEOUT)
        row = resp.rows[0]
        self.assertEqual((dec(row, "value"), dec(row, "previous_year_value")), ("26.89", "6.72"))
        self.assertEqual((row.reporting_units, row.expected_units), (10, 10))
        self.assertEqual(dec(row, "yoy_change_pp"), want, "points of the exact rates")
        self.assertIsNone(dec(row, "yoy_growth_pct"), "a rate has no relative growth")
        self.assertEqual(row.indicator.change_basis, 2, "a ratio is POINTS")
        # 九集镇: 1352 of 4300 (31.44%) against 338 of 4300 (7.86%) a year
        # earlier is +23.58个百分点 (the issue's figure), not +300%.
        req = agg_pb().RollupRequest(region_code="420624102", period="2022Q1",
                                     indicator_codes=["debt_resolution_rate"])
        row = Aggregation(self.server.channel()).rollup(req, metadata=pc.auth(self.admin),
                                                        timeout=CALL_TIMEOUT).rows[0]
        self.assertEqual((dec(row, "value"), dec(row, "previous_year_value"),
                          dec(row, "yoy_change_pp"), dec(row, "yoy_growth_pct")),
                         ("31.44", "7.86", "23.58", None))


if __name__ == "__main__":
    pc.main()
