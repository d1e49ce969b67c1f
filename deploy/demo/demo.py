#!/usr/bin/env python3
"""Helper of deploy/demo/load.sh, standard library only.

    demo.py check            validate the data files and prove, with exact
                             decimal arithmetic, that they reproduce the seed
                             reports' statements (28.00, 16.90, ...)
    demo.py plan OUTDIR      write one values file per submission into OUTDIR
                             and print the submissions, one per line:
                             region, period, submission id, submitter
                             ("township" or "admin"), file, narrative file
    demo.py verify FILE...   check rollup output (huizong rollup --format
                             csv): every statement must be shown, in a row
                             naming its region and indicator; exit 1 if one
                             is missing or different
    demo.py summary FILE...  from the same csv files, print how a
                             statistician reads the demo (百分点, 累计,
                             coverage of a partial year), each figure checked
                             against this file's exact arithmetic; exit 1 on
                             a difference

Submission ids are UUIDv5 of the region, the period and a digest of the
submitted content, so loading the same files again is an idempotent replay
and an edited file becomes a new submission (an update, audited).
"""
import csv
import hashlib
import os
import re
import sys
import uuid
from collections import defaultdict
from decimal import Decimal, ROUND_HALF_UP

HERE = os.path.dirname(os.path.abspath(__file__))
ID_NAMESPACE = uuid.UUID("6f1d3c52-4a8e-5b7e-9a43-2d0c6e1f8b90")

# What the seed reports state, and the rollup field that must show it:
# (region, period, indicator, field, expected, the report's words).
STATEMENTS = [
    ("420624102", "2022Q1", "fai", "yoy_growth_pct", "28.00",
     "完成固定资产投资4.9个亿，同比增长28%"),
    ("420624102", "2022Q1", "retail", "yoy_growth_pct", "16.90",
     "完成社会消费品零售总额2.55亿元，同比增长16.9%"),
    ("420624102", "2022Q1", "industry_output", "yoy_growth_pct", "17.40",
     "完成规上工业产值1.28亿元，同比增长17.4%"),
    ("420624102", "2022Q1", "debt_resolution_rate", "value", "31.44",
     "锁定村级债务总额4300万元，已化解1352万元，全镇共化解债务31%"),
    ("420624102", "2022Q1", "debt_resolution_rate", "yoy_change_pp", "23.58",
     "全镇共化解债务31%：比上年同期(7.86%)提高23.58个百分点"),
    ("420624102", "2022Q1", "medins_rate", "value", "96.77",
     "城乡居民医疗保险征收工作已完成96.77%"),
    ("420624101", "2013S1", "tax", "annual_progress_pct", "54.71",
     "完成国地两税848万元，占全年任务1550万的55%"),
    ("420624101", "2013S1", "fai", "completion_pct", "109.73",
     "完成社会固定资产投资6035万元，占上半年目标任务5500万元的110%"),
]

FREQUENCY = {"year": 1, "half_year": 2, "quarter": 3, "month": 4}
LEVEL = {"province": 1, "city": 2, "county": 3, "township": 4, "village": 5}
CENT = Decimal("0.01")


class DataError(Exception):
    pass


# ---- periods ---------------------------------------------------------------

def parse_period(code):
    """(type, first month index, month count) of a DHIS2 period code."""
    m = re.fullmatch(r"(\d{4})(?:S([12])|Q([1-4])|(0[1-9]|1[0-2]))?", code)
    if not m:
        raise DataError("malformed period %r" % code)
    year = int(m.group(1))
    base = year * 12
    if m.group(2):
        return 2, base + (int(m.group(2)) - 1) * 6, 6
    if m.group(3):
        return 3, base + (int(m.group(3)) - 1) * 3, 3
    if m.group(4):
        return 4, base + int(m.group(4)) - 1, 1
    return 1, base, 12


def inside(inner, outer):
    _, s1, n1 = parse_period(inner)
    _, s2, n2 = parse_period(outer)
    return s2 <= s1 and s1 + n1 <= s2 + n2


def year_earlier(code):
    return "%04d%s" % (int(code[:4]) - 1, code[4:])


# ---- the data files --------------------------------------------------------

def read_csv(name):
    with open(os.path.join(HERE, name), encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def dec(text, where):
    if not re.fullmatch(r"-?\d{1,20}(\.\d{1,6})?", text or ""):
        raise DataError("%s: %r is not an exact decimal" % (where, text))
    return Decimal(text)


class Demo:
    """The demo data: catalog, regions, targets and every submission."""

    def __init__(self):
        self.regions = {r["code"]: r for r in read_csv("regions.csv")}
        self.indicators = {r["code"]: r for r in read_csv("indicators.csv")}
        self.targets = {(r["region"], r["indicator"], r["period"]): r["value"]
                        for r in read_csv("targets.csv")}
        self.submissions = self._submissions()
        # (region, indicator) -> {period: value}
        self.values = defaultdict(dict)
        for sub in self.submissions:
            for row in sub["rows"]:
                self.values[(sub["region"], row["indicator"])][sub["period"]] = row["value"]

    def _submissions(self):
        subs = []
        folder = os.path.join(HERE, "submissions")
        for name in sorted(os.listdir(folder)):
            m = re.fullmatch(r"(\d+)-(\w+)\.csv", name)
            if not m:
                raise DataError("submissions/%s: expected REGION-PERIOD.csv" % name)
            narrative = os.path.join(HERE, "narratives", name[:-4] + ".txt")
            subs.append({
                "region": m.group(1), "period": m.group(2), "who": "township",
                "file": os.path.join(folder, name),
                "narrative": narrative if os.path.exists(narrative) else "",
                "rows": read_csv(os.path.join("submissions", name)),
            })
        groups = defaultdict(list)
        for row in read_csv("values.csv"):
            groups[(row["region"], row["period"])].append(row)
        seeded = {(s["region"], s["period"]) for s in subs}
        for (region, period), rows in sorted(groups.items()):
            if (region, period) in seeded:
                raise DataError("values.csv repeats the seed submission %s %s" % (region, period))
            subs.append({"region": region, "period": period, "who": "admin", "file": "",
                         "narrative": "", "rows": rows})
        return subs

    # -- validation, as the server would refuse -------------------------------

    def validate(self):
        problems = []
        for code, r in self.regions.items():
            if r["level"] not in LEVEL:
                problems.append("region %s: unknown level %r" % (code, r["level"]))
            parent = r["parent_code"]
            if parent and parent not in self.regions:
                problems.append("region %s: unknown parent %s" % (code, parent))
            elif parent and LEVEL.get(self.regions[parent]["level"], 9) >= LEVEL.get(r["level"], 0):
                problems.append("region %s: level not below its parent's" % code)
        for code, ind in self.indicators.items():
            if ind["frequency"] not in FREQUENCY:
                problems.append("indicator %s: unknown frequency" % code)
            for part in (ind["numerator"], ind["denominator"]):
                if part and (part not in self.indicators or self.indicators[part]["numerator"]):
                    problems.append("indicator %s: ratio part %s is not a submitted indicator"
                                    % (code, part))
        for (region, code, period), value in self.targets.items():
            where = "target %s/%s/%s" % (region, code, period)
            try:
                dec(value, where)
                if region not in self.regions or code not in self.indicators:
                    raise DataError("%s: unknown region or indicator" % where)
                if parse_period(period)[0] > FREQUENCY[self.indicators[code]["frequency"]]:
                    raise DataError("%s: period finer than the indicator's frequency" % where)
            except DataError as e:
                problems.append(str(e))
        for sub in self.submissions:
            problems += self._validate_submission(sub)
        if problems:
            raise DataError("\n".join(problems))

    def _validate_submission(self, sub):
        problems = []
        region, period = sub["region"], sub["period"]
        if self.regions.get(region, {}).get("level") != "township":
            problems.append("%s %s: not a township" % (region, period))
        seen = set()
        for row in sub["rows"]:
            code = row["indicator"]
            where = "%s %s %s" % (region, period, code)
            ind = self.indicators.get(code)
            try:
                value = dec(row["value"], where)
                if code in seen:
                    raise DataError("%s: indicator twice" % where)
                seen.add(code)
                if not ind or ind["numerator"]:
                    raise DataError("%s: unknown or computed (ratio) indicator" % where)
                if parse_period(period)[0] != FREQUENCY[ind["frequency"]]:
                    raise DataError("%s: indicator is reported by %s" % (where, ind["frequency"]))
                if ind["min"] and value < Decimal(ind["min"]):
                    raise DataError("%s: below the minimum %s" % (where, ind["min"]))
                if ind["max"] and value > Decimal(ind["max"]):
                    raise DataError("%s: above the maximum %s" % (where, ind["max"]))
            except DataError as e:
                problems.append(str(e))
        return problems

    # -- one township's figures, by the rollup rules ---------------------------

    def leaf_value(self, region, code, period, exact=False, window=None, only=None):
        """An indicator of one reporting township over a period, aggregated
        over time (SUM or LAST); ratios divide their aggregated parts (to
        their 2 places unless exact). window = (first month, months) widens
        the period (year to date); only = month indexes of the sub-periods
        to keep (a like-for-like base)."""
        ind = self.indicators[code]
        if ind["numerator"]:
            num = self.leaf_value(region, ind["numerator"], period, True, window, only)
            den = self.leaf_value(region, ind["denominator"], period, True, window, only)
            if num is None or den is None or den == 0:
                return None
            ratio = num * Decimal(ind["factor"] or "1") / den
            return ratio if exact else ratio.quantize(CENT, rounding=ROUND_HALF_UP)
        start, months = window or parse_period(period)[1:]
        inner = sorted((parse_period(p)[1], v) for p, v in self.values[(region, code)].items()
                       if start <= parse_period(p)[1] < start + months
                       and (only is None or parse_period(p)[1] in only))
        if not inner:
            return None
        values = [Decimal(v) for _, v in inner]
        agg = ind["time_aggregation"]
        if agg == "sum":
            return sum(values)
        if agg == "last":
            return values[-1]
        raise DataError("indicator %s: the check knows sum and last only" % code)

    def covered(self, region, code, period):
        """Month indexes of the indicator's sub-periods of period holding a
        value (the row's coverage)."""
        start, months = parse_period(period)[1:]
        return sorted(parse_period(p)[1] for p in self.values[(region, code)]
                      if start <= parse_period(p)[1] < start + months)

    def ytd(self, region, code, period, field):
        """Year to date (1–N月累计) through period, and 累计同比 against the
        same covered sub-periods a year earlier (同口径)."""
        _, start, months = parse_period(period)
        first = start - start % 12
        window = (first, start + months - first)
        value = self.leaf_value(region, code, period, True, window)
        if field == "ytd_value":
            return value
        only = {m - 12 for m in self.covered(region, code, "%04d" % (first // 12))
                if m < window[0] + window[1]}
        base = self.leaf_value(region, code, period, True, (first - 12, window[1]), only)
        if field == "ytd_yoy_growth_pct":
            return percent(value - base, abs(base)) if value is not None and base else None
        raise DataError("unknown field %s" % field)

    def figure(self, region, period, code, field):
        if field.startswith("ytd_"):
            return self.ytd(region, code, period, field)
        value = self.leaf_value(region, code, period)
        if field == "value":
            return value
        if field == "yoy_change_pp":
            now = self.leaf_value(region, code, period, True)
            base = self.leaf_value(region, code, year_earlier(period), True)
            return (now - base).quantize(CENT, rounding=ROUND_HALF_UP) if None not in (now, base) else None
        if field == "yoy_growth_pct":
            base = self.leaf_value(region, code, year_earlier(period))
            return percent(value - base, abs(base)) if value is not None and base else None
        target_period = period[:4] if field == "annual_progress_pct" else period
        target = self.targets.get((region, code, target_period))
        return percent(value, Decimal(target)) if value is not None and target else None


def percent(part, whole):
    return (part * 100 / whole).quantize(CENT, rounding=ROUND_HALF_UP)


# ---- commands --------------------------------------------------------------

def cmd_check():
    demo = Demo()
    demo.validate()
    failed = 0
    for region, period, code, field, expected, words in STATEMENTS:
        got = demo.figure(region, period, code, field)
        ok = got is not None and format(got, "f") == expected
        failed += not ok
        print("%s %s %s %s %s = %s (expected %s)  「%s」" % (
            "ok  " if ok else "FAIL", demo.regions[region]["name"], period, code, field,
            got, expected, words))
    n = sum(len(s["rows"]) for s in demo.submissions)
    print("data: %d regions, %d indicators, %d targets, %d submissions, %d values" % (
        len(demo.regions), len(demo.indicators), len(demo.targets), len(demo.submissions), n))
    return 1 if failed else 0


def content_digest(sub, text):
    h = hashlib.sha256(text.encode("utf-8"))
    if sub["narrative"]:
        with open(sub["narrative"], "rb") as f:
            h.update(b"\0narrative\0" + f.read())
    return h.hexdigest()


def values_text(rows):
    lines = ["indicator,value,comment"]
    for row in rows:
        comment = row.get("comment") or ""
        if any(c in comment for c in ',"\n'):
            comment = '"' + comment.replace('"', '""') + '"'
        lines.append("%s,%s,%s" % (row["indicator"], row["value"], comment))
    return "\n".join(lines) + "\n"


def cmd_plan(outdir):
    demo = Demo()
    demo.validate()
    os.makedirs(outdir, exist_ok=True)
    for sub in demo.submissions:
        if sub["file"]:
            with open(sub["file"], encoding="utf-8") as f:
                text = f.read()
            path = sub["file"]
        else:
            text = values_text(sub["rows"])
            path = os.path.join(outdir, "%s-%s.csv" % (sub["region"], sub["period"]))
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
        key = "huizong-demo/%s/%s/%s" % (sub["region"], sub["period"], content_digest(sub, text))
        print("\t".join([sub["region"], sub["period"], str(uuid.uuid5(ID_NAMESPACE, key)),
                         sub["who"], path, sub["narrative"]]))
    return 0


def cmd_verify(files):
    """Each statement must appear in a row that names its region and
    indicator (by code or name) and the year-earlier period: a cell equal to
    the expected figure."""
    demo = Demo()
    rows = []
    for name in files:
        with open(name, encoding="utf-8", newline="") as f:
            rows += [[c.strip() for c in r] for r in csv.reader(f)]
    failed = 0
    for region, period, code, field, expected, _ in STATEMENTS:
        names = {region, demo.regions[region]["name"]}
        inds = {code, demo.indicators[code]["name"]}
        # The rows name no period, but the year-earlier period they compare
        # with pins it down.
        hits = [r for r in rows
                if names & set(r) and inds & set(r) and year_earlier(period) in r]
        ok = any(expected in r or expected + "%" in r for r in hits)
        failed += not ok
        verdict = "verified" if ok else "MISMATCH" if hits else "NOT SHOWN"
        print("%s %s %s %s %s %s" % (verdict, region, period, code, field, expected))
    return 1 if failed else 0


# The statistician's reading the quick start prints: (region, period,
# indicator, what to say). Each figure said is checked against Demo.
SUMMARY = [
    ("420624102", "2022Q1", "debt_resolution_rate", "points"),
    ("420624102", "202203", "electricity", "ytd"),
    ("420624102", "202203", "market_entities", "ytd"),
    ("420624102", "2022", "fai", "coverage"),
]


def csv_rows(files):
    rows = []
    for name in files:
        with open(name, encoding="utf-8-sig", newline="") as f:
            rows += list(csv.DictReader(f))
    return rows


def row_period(row):
    """A csv row names no period; the year-earlier one it compares with
    pins it down."""
    before = row.get("previous_year_period") or ""
    return "%04d%s" % (int(before[:4]) + 1, before[4:]) if before[:4].isdigit() else ""


def signed(text, unit):
    return ("+" if not text.startswith("-") else "") + text + unit


def say_row(demo, row, kind):
    """One line of the summary, and the figures it states with the exact
    figure each must equal."""
    region, period, code = row["region_code"], row_period(row), row["indicator_code"]
    name = "%s %s %s" % (row["region_name"], period, row["indicator_name"])
    if kind == "points":
        line = "%s %s%s，比上年同期(%s%s)%s个百分点" % (
            name, row["value"], row["unit"], row["previous_year_value"], row["unit"],
            signed(row["yoy_change_pp"], ""))
        checks = [("yoy_change_pp", row["yoy_change_pp"]), ("value", row["value"])]
    elif kind == "ytd":
        line = "%s 本月 %s%s，1–%d月累计 %s%s，累计同比 %s" % (
            name, row["value"], row["unit"], int(period[4:]), row["ytd_value"], row["unit"],
            signed(row["ytd_yoy_growth_pct"], "%"))
        checks = [("value", row["value"]), ("ytd_value", row["ytd_value"]),
                  ("ytd_yoy_growth_pct", row["ytd_yoy_growth_pct"])]
    else:
        line = ("%s %s%s：已报 %s/%s 个季度 (%s)，同比 %s 按上年同口径 (%s) 比较，"
                "不与上年全年比较" % (
                    name, row["value"], row["unit"], row["coverage_covered"],
                    row["coverage_total"], row["coverage_periods"],
                    signed(row["yoy_growth_pct"], "%"),
                    row["coverage_periods"].replace(period, str(int(period) - 1))))
        covered = [m for m in demo.covered(region, code, period)]
        base = demo.leaf_value(region, code, str(int(period) - 1), True, None,
                               {m - 12 for m in covered})
        value = demo.leaf_value(region, code, period)
        checks = [("coverage_covered", str(len(covered))),
                  ("yoy_same_subperiods", "true"),
                  ("yoy_growth_pct", format(percent(value - base, abs(base)), "f"))]
        return line, [(f, row[f], want) for f, want in checks]
    return line, [(f, got, format(demo.figure(region, period, code, f), "f"))
                  for f, got in checks]


def cmd_summary(files):
    demo = Demo()
    rows = csv_rows(files)
    failed = 0
    for region, period, code, kind in SUMMARY:
        hits = [r for r in rows if r.get("region_code") == region
                and r.get("indicator_code") == code and row_period(r) == period]
        if not hits:
            print("NOT SHOWN %s %s %s" % (region, period, code))
            failed += 1
            continue
        line, checks = say_row(demo, hits[0], kind)
        bad = ["%s %s (exact: %s)" % (f, got, want) for f, got, want in checks
               if got.lower() != want.lower()]
        failed += bool(bad)
        print(("%s" % line) if not bad else "MISMATCH %s: %s" % (line, "; ".join(bad)))
    return 1 if failed else 0


def main(argv):
    try:
        if len(argv) == 2 and argv[1] == "check":
            return cmd_check()
        if len(argv) == 3 and argv[1] == "plan":
            return cmd_plan(argv[2])
        if len(argv) >= 3 and argv[1] == "verify":
            return cmd_verify(argv[2:])
        if len(argv) >= 3 and argv[1] == "summary":
            return cmd_summary(argv[2:])
    except DataError as e:
        print("demo data: %s" % e, file=sys.stderr)
        return 1
    print(__doc__.strip(), file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
