#!/usr/bin/python3
"""Synthetic province for the database benchmarks, as PostgreSQL COPY text.

One province, its cities, counties and townships with 12-digit statistical
division codes (420000000000 > 420100000000 > 420101000000 > 420101101000),
an indicator catalog, values and targets. Each subcommand writes the COPY
text of one table to stdout, for `\\copy TABLE (COLUMNS) FROM STDIN`; the
column list of each table is printed by `gen_dataset.py columns TABLE`.

    gen_dataset.py regions|paths|indicators|values|targets [options]

Output is deterministic for given options (seeded), so a loader can
regenerate the same rows. Values arrive in the order a real database sees
them: month by month, each township's submission (all its indicators for
the month) contiguous. The module is also imported by ingest_driver.py for
the region tree and the catalog.
"""

import argparse
import array
import random
import sys

PROVINCE = "42"
# Township codes use the 1xx block (towns, 镇) of the statistical scheme.
TOWNSHIP_BASE = 101
POOL = 4096  # distinct value strings per indicator kind

COLUMNS = {
    "regions": "code, name, level, parent_code",
    "region_paths": "ancestor, descendant, depth",
    "indicators": ("code, name, unit, period_type, time_aggregation, region_aggregation,"
                   " min_value, max_value, ratio_numerator, ratio_denominator,"
                   " ratio_factor, ratio_scale"),
    "data_values": ("region_code, indicator_code, period, period_type, period_start,"
                    " value, comment, submission_id"),
    "targets": "region_code, indicator_code, period, period_type, period_start, value",
}

FREQUENCY = {"year": 1, "half": 2, "quarter": 3, "month": 4}

# Indicator kinds: (time_aggregation, region_aggregation, unit, name stem).
SUM_KIND = (1, 1, "万元", "流量")      # flows: investment, sales ...
LAST_KIND = (2, 1, "个", "存量")       # stocks, year-to-date counts
AVERAGE_KIND = (3, 2, "%", "均值")     # rates averaged over months and regions


class Tree:
    """The region tree: lists of (code, name, level, parent) per level."""

    def __init__(self, townships, counties, cities):
        if not (1 <= cities <= 99 and cities <= counties <= cities * 99 and
                counties <= townships <= counties * 899):
            raise ValueError("need 1 <= cities <= counties <= townships within code ranges")
        prov = PROVINCE + "0" * 10
        self.province = [(prov, "测试省", 1, None)]
        self.cities, self.counties, self.townships = [], [], []
        for c in range(cities):
            code = "%s%02d%s" % (PROVINCE, c + 1, "0" * 8)
            self.cities.append((code, "测试市%02d" % (c + 1), 2, prov))
        for k in range(counties):
            city = self.cities[k % cities]
            nth = k // cities + 1
            code = "%s%02d%s" % (city[0][:4], nth, "0" * 6)
            self.counties.append((code, "%s县%02d" % (city[1], nth), 3, city[0]))
        self.counties.sort()
        for t in range(townships):
            county = self.counties[t % counties]
            nth = t // counties
            code = "%s%03d000" % (county[0][:6], TOWNSHIP_BASE + nth)
            self.townships.append((code, "%s镇%03d" % (county[1], nth + 1), 4, county[0]))
        self.townships.sort()

    def regions(self):
        return self.province + self.cities + self.counties + self.townships

    def paths(self):
        """Closure rows (ancestor, descendant, depth), self rows at depth 0."""
        parent = {r[0]: r[3] for r in self.regions()}
        for code in parent:
            depth, node = 0, code
            while node is not None:
                yield node, code, depth
                node, depth = parent[node], depth + 1


class Catalog:
    """Indicators: stored ones of mixed kinds, then ratio ones over pairs of
    SUM indicators (numerator / denominator × 100)."""

    def __init__(self, count, ratios, frequency):
        self.frequency = FREQUENCY[frequency]
        self.stored = []  # (code, kind)
        for j in range(count):
            slot = j % 10
            kind = SUM_KIND if slot < 6 else LAST_KIND if slot < 9 else AVERAGE_KIND
            self.stored.append(("m%03d" % (j + 1), kind))
        sums = [c for c, k in self.stored if k is SUM_KIND]
        if ratios * 2 > len(sums):
            raise ValueError("not enough SUM indicators for %d ratios" % ratios)
        self.ratios = [("r%02d" % (i + 1), sums[2 * i], sums[2 * i + 1]) for i in range(ratios)]

    def rows(self):
        for code, (tagg, ragg, unit, stem) in self.stored:
            high = "100" if unit == "%" else "\\N"  # every kind is non-negative
            yield (code, "%s指标%s" % (stem, code), unit, self.frequency, tagg, ragg,
                   "0", high, "\\N", "\\N", "\\N", "\\N")
        for code, num, den in self.ratios:
            yield (code, "比率%s(%s/%s)" % (code, num, den), "%", self.frequency, 1, 1,
                   "\\N", "\\N", num, den, "100", 2)


def value_pools(rng):
    """Random value strings per kind: decimals for flows, integers for
    stocks, one-decimal percentages for averages (all within bounds)."""
    return {
        SUM_KIND: ["%d.%02d" % (rng.randrange(1, 100000), rng.randrange(100)) for _ in range(POOL)],
        LAST_KIND: [str(rng.randrange(0, 100000)) for _ in range(POOL)],
        AVERAGE_KIND: ["%d.%d" % (rng.randrange(0, 100), rng.randrange(10)) for _ in range(POOL)],
    }


def months(first_year, years):
    """(period code, first day) of every month in the range."""
    for y in range(first_year, first_year + years):
        for m in range(1, 13):
            yield "%04d%02d" % (y, m), "%04d-%02d-01" % (y, m)


def submission_uuid(township_index, serial):
    """A valid, unique UUID per (township, submission)."""
    return "%08x-0000-4000-8000-%012x" % (township_index, serial)


def write_lines(out, rows):
    out.write("".join("\t".join(str(f) for f in r) + "\n" for r in rows))


def write_values(out, tree, catalog, first_year, years, seed):
    """Monthly values, month by month, each township's submission contiguous."""
    if catalog.frequency != FREQUENCY["month"]:
        raise ValueError("values are generated for monthly indicators")
    rng = random.Random(seed)
    pools = value_pools(rng)
    codes = [c for c, _ in catalog.stored]
    kinds = [pools[k] for _, k in catalog.stored]
    n = len(codes)
    mask = POOL - 1
    for serial, (period, start) in enumerate(months(first_year, years)):
        mid = "\t%s\t4\t%s\t" % (period, start)
        chunk = []
        for t, town in enumerate(tree.townships):
            head = town[0] + "\t"
            tail = "\t\t" + submission_uuid(t, serial) + "\n"
            pick = array.array("H", rng.randbytes(2 * n))
            chunk.append("".join([head + codes[j] + mid + kinds[j][pick[j] & mask] + tail
                                  for j in range(n)]))
        out.write("".join(chunk))


def write_targets(out, tree, catalog, first_year, years, per_region):
    """Annual targets for the first `per_region` SUM indicators of every
    region, about 1.2 × a year of its values so completion is plausible."""
    sums = [c for c, k in catalog.stored if k is SUM_KIND][:per_region]
    units = {r[0]: 1 for r in tree.townships}
    leaves_under = {}
    for anc, desc, _ in tree.paths():
        if desc in units:
            leaves_under[anc] = leaves_under.get(anc, 0) + 1
    rows = []
    for y in range(first_year, first_year + years):
        for code, *_ in tree.regions():
            scale = leaves_under.get(code, 0)
            for j, ind in enumerate(sums):
                amount = scale * (600000 + 1000 * j)  # 万元 a year
                rows.append((code, ind, "%04d" % y, 1, "%04d-01-01" % y, amount))
    write_lines(out, rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("what", choices=["regions", "paths", "indicators", "values", "targets",
                                     "columns"])
    ap.add_argument("table", nargs="?", help="for `columns`: the table")
    ap.add_argument("--townships", type=int, default=1500)
    ap.add_argument("--counties", type=int, default=100)
    ap.add_argument("--cities", type=int, default=14)
    ap.add_argument("--indicators", type=int, default=100, help="stored indicators")
    ap.add_argument("--ratios", type=int, default=4, help="ratio indicators on top")
    ap.add_argument("--frequency", choices=sorted(FREQUENCY), default="month")
    ap.add_argument("--first-year", type=int, default=2020)
    ap.add_argument("--years", type=int, default=5)
    ap.add_argument("--targets-per-region", type=int, default=10)
    ap.add_argument("--seed", type=int, default=20240601)
    a = ap.parse_args()
    out = sys.stdout
    if a.what == "columns":
        print(COLUMNS[a.table])
        return
    tree = Tree(a.townships, a.counties, a.cities)
    catalog = Catalog(a.indicators, a.ratios, a.frequency)
    if a.what == "regions":
        write_lines(out, ((c, n, l, p if p else "\\N") for c, n, l, p in tree.regions()))
    elif a.what == "paths":
        write_lines(out, tree.paths())
    elif a.what == "indicators":
        write_lines(out, catalog.rows())
    elif a.what == "values":
        write_values(out, tree, catalog, a.first_year, a.years, a.seed)
    else:
        write_targets(out, tree, catalog, a.first_year, a.years, a.targets_per_region)


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:
        sys.exit(1)
