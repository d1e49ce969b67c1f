#!/usr/bin/env python3
"""Writes deploy/demo/values.csv: the demo's synthetic figures, i.e. every
value that is not in the two seed reports. The seed submissions under
submissions/ are written by hand from the reports; this script scales their
figures to the other townships (by a size weight per township) and back to
the earlier periods (growth, season and drift per indicator), so that the
county rollups look like a real county's. It is deterministic: the same
inputs give the same file, so the committed values.csv can be regenerated
and diffed. Run it only when the catalog or the seed files change:

    python3 deploy/demo/generate.py

The three base values the seed report's growth statements depend on are
pinned here (PINNED), not generated; deploy/demo/demo.py check proves they
reproduce 28.00, 16.90 and 17.40 exactly.
"""
import csv
import os
import random
from decimal import Decimal, ROUND_HALF_UP

HERE = os.path.dirname(os.path.abspath(__file__))

SEED_2022 = ("420624102", "2022Q1")  # 九集镇, the 2022Q1 report
SEED_2013 = ("420624101", "2013S1")  # 武安镇, the 2013S1 report

# Size of each township relative to the seed township of each era.
WEIGHT_2022 = {
    "420624100": 1.6, "420624101": 1.3, "420624102": 1.0, "420624103": 0.55,
    "420624104": 0.35, "420624105": 0.3, "420624106": 0.4, "420624107": 0.45,
    "420624108": 0.5, "420624109": 0.4,
}
WEIGHT_2013 = {
    "420624100": 1.5, "420624101": 1.0, "420624102": 0.8, "420624103": 0.45,
    "420624104": 0.3, "420624105": 0.25, "420624106": 0.35, "420624107": 0.4,
    "420624108": 0.45, "420624109": 0.35,
}

PERIODS_2022 = ["2021Q1", "2021Q2", "2021Q3", "2021Q4", "2022Q1"]

# Bases of the seed township's growth statements, chosen so that
# (value - base) / base x 100 rounds (half away from zero) to the report's
# figure: 49000 / 38281.25 = 1.28 exactly; 2.55 / 2.1814 = +16.897 %;
# 1.28 / 1.0903 = +17.399 %.
PINNED = {
    ("420624102", "2021Q1", "fai"):
        ("38281.25", "基期值：按报告“4.9个亿，同比增长28%”倒推(49000/1.28)"),
    ("420624102", "2021Q1", "retail"):
        ("2.1814", "基期值：使2.55亿元同比增长16.90%(报告16.9%)"),
    ("420624102", "2021Q1", "industry_output"):
        ("1.0903", "基期值：使1.28亿元同比增长17.40%(报告17.4%)"),
}

# Quarterly flows: share of the year in each quarter (Q1..Q4).
SEASON = {
    "fai": (0.18, 0.26, 0.26, 0.30),
    "retail": (0.26, 0.23, 0.24, 0.27),
    "industry_output": (0.22, 0.25, 0.25, 0.28),
    "budget_revenue": (0.24, 0.26, 0.22, 0.28),
    "invest_projects": (0.25, 0.25, 0.25, 0.25),
    "invest_amount": (0.25, 0.25, 0.25, 0.25),
    "training_sessions": (0.35, 0.25, 0.15, 0.25),
    "training_people": (0.35, 0.25, 0.15, 0.25),
    "pest_flight_area": (0.45, 0.35, 0.0, 0.20),
    "wheat_disease_area": (0.6, 0.4, 0.0, 0.0),
    "rape_disease_area": (0.7, 0.3, 0.0, 0.0),
    "petitions_escalated": (0.0, 0.0, 0.0, 0.0),
}
# Stocks: level in 2021Q1..Q4 relative to 2022Q1.
DRIFT = (0.90, 0.93, 0.96, 0.98)
# Values accumulated since January ("本年累计"): 2021Q1..Q4 relative to
# 2022Q1, reset every year.
YEAR_TO_DATE = {
    "cleanup_people": (0.9, 1.7, 2.4, 3.0),
    "cleanup_machinery": (0.9, 1.7, 2.4, 3.0),
    "cleanup_trucks": (0.9, 1.3, 1.6, 1.9),
    "cleanup_debris": (0.9, 1.8, 2.6, 3.3),
    "village_projects_planned": (0.9, 0.9, 0.9, 0.9),
    "linkage_industry_projects": (0.8, 0.8, 0.8, 0.8),
    "linkage_infra_projects": (0.8, 0.8, 0.8, 0.8),
}
# Cumulative since the start of a campaign: 2021Q1..Q4 relative to 2022Q1
# (None = not reported yet).
CAMPAIGN = {
    "booster_adult": (None, None, None, 0.55),
    "dose2_child": (None, None, None, 0.60),
    "debt_resolved": (0.25, 0.45, 0.62, 0.85),
    "debt_cleared_villages": (0.0, 0.5, 0.5, 1.0),
}
# Reported in one period only.
ONE_OFF = {"nucleic_tests"}

# Monthly indicators, so that 本月 and 1–N月累计 appear: the first quarter of
# 2021 and of 2022. (九集镇's level in 2022-01, monthly shares of Q1 for
# the flow, month-on-month drift for the stock.)
MONTHS = {"2021": ("202101", "202102", "202103"), "2022": ("202201", "202202", "202203")}
MONTHLY = {
    "electricity": (1850.0, (0.36, 0.28, 0.36)),   # 万千瓦时: a flow, SUM
    "market_entities": (4620.0, (1.0, 1.004, 1.011)),  # 户: a stock, LAST
}

# Fraction digits a value is written with, by unit.
DIGITS = {"亿元": 4, "万元": 2, "万袋": 1, "万千瓦时": 2}


def read_catalog():
    with open(os.path.join(HERE, "indicators.csv"), encoding="utf-8") as f:
        return {r["code"]: r for r in csv.DictReader(f)}


def read_values(name):
    with open(os.path.join(HERE, "submissions", name), encoding="utf-8") as f:
        return {r["indicator"]: Decimal(r["value"]) for r in csv.DictReader(f)}


def fmt(value, unit):
    digits = DIGITS.get(unit, 0)
    q = Decimal(value).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    q = max(q, Decimal(0))
    text = format(q, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def rng(*key):
    return random.Random("/".join(key))


class Writer:
    """Collects rows, refusing any (region, period) a seed file covers."""

    def __init__(self, catalog, seeded):
        self.catalog = catalog
        self.seeded = seeded
        self.rows = []

    def add(self, region, period, code, value, comment=""):
        if (region, period) in self.seeded:
            return
        pinned = PINNED.get((region, period, code))
        if pinned:
            self.rows.append((region, period, code, pinned[0], pinned[1]))
            return
        if value is None:
            return
        self.rows.append((region, period, code, fmt(value, self.catalog[code]["unit"]), comment))


def era_2022(w, catalog, seed):
    for region, weight in WEIGHT_2022.items():
        for code, seed_value in seed.items():
            r = rng(region, code, "2022")
            own = region == SEED_2022[0]
            level = float(seed_value) * (1.0 if own else weight * r.uniform(0.8, 1.2))
            w.add(region, "2022Q1", code, level)
            growth = r.uniform(0.05, 0.30)
            for k, period in enumerate(PERIODS_2022[:4]):
                w.add(region, period, code, past_quarter(code, level, growth, k, r))


def past_quarter(code, level, growth, k, r):
    """Value of a 2021 quarter (k = 0..3) for an indicator whose 2022Q1
    value is level."""
    if code in SEASON:
        share = SEASON[code]
        if code == "petitions_escalated":
            return 0
        if share[0] == 0 or share[k] == 0:
            return None
        return level / (1 + growth) * share[k] / share[0]
    if code in YEAR_TO_DATE:
        return level * YEAR_TO_DATE[code][k]
    if code in CAMPAIGN:
        f = CAMPAIGN[code][k]
        return None if f is None else level * f
    if code in ONE_OFF:
        return None
    if code == "debt_locked":
        return level
    if code == "medins_paid":
        return None  # written with medins_due below
    return level * DRIFT[k] * r.uniform(0.98, 1.02)


def medins_2021(w, catalog, seed):
    """Paid follows due at a plausible collection rate each quarter."""
    for region, weight in WEIGHT_2022.items():
        r = rng(region, "medins", "2022")
        own = region == SEED_2022[0]
        due_2022 = float(seed["medins_due"]) * (1.0 if own else weight * r.uniform(0.8, 1.2))
        if not own:
            rate = r.uniform(0.955, 0.985)
            w.add(region, "2022Q1", "medins_due", due_2022)
            w.add(region, "2022Q1", "medins_paid", round(due_2022) * rate)
        for k, period in enumerate(PERIODS_2022[:4]):
            due = round(due_2022 * DRIFT[k])
            w.add(region, period, "medins_due", due)
            w.add(region, period, "medins_paid", due * r.uniform(0.93, 0.975))


def era_monthly(w):
    """Two monthly indicators for the first quarters of 2021 and 2022."""
    for region, weight in WEIGHT_2022.items():
        for code, (level, shape) in MONTHLY.items():
            r = rng(region, code, "monthly")
            own = region == SEED_2022[0]
            base = level * (1.0 if own else weight * r.uniform(0.8, 1.2))
            growth = r.uniform(0.03, 0.15)
            for year, months in MONTHS.items():
                scale = 1.0 if year == "2022" else 1 / (1 + growth)
                for k, month in enumerate(months):
                    if code == "electricity":
                        value = base * 3 * shape[k] * scale * r.uniform(0.97, 1.03)
                    else:
                        value = base * shape[k] * scale
                    w.add(region, month, code, value)


def era_2013(w, catalog, half, quarters):
    q1, q2 = quarters
    for region, weight in WEIGHT_2013.items():
        own = region == SEED_2013[0]
        for code, seed_value in half.items():
            r = rng(region, code, "2013")
            level = float(seed_value) * (1.0 if own else weight * r.uniform(0.8, 1.2))
            w.add(region, "2013S1", code, level)
            stock = catalog[code]["time_aggregation"] == "last"
            w.add(region, "2012S1", code,
                  level * r.uniform(0.85, 0.97) if stock else level / (1 + r.uniform(0.05, 0.25)))
        for code in q1:
            r = rng(region, code, "2013Q")
            total = float(q1[code] + q2[code]) * (1.0 if own else weight * r.uniform(0.8, 1.2))
            share = float(q1[code] / (q1[code] + q2[code])) * r.uniform(0.9, 1.1)
            w.add(region, "2013Q1", code, total * share)
            w.add(region, "2013Q2", code, total * (1 - share))
            past = total / (1 + r.uniform(0.05, 0.25))
            w.add(region, "2012Q1", code, past * share)
            w.add(region, "2012Q2", code, past * (1 - share))


def main():
    catalog = read_catalog()
    seeded = set()
    for name in os.listdir(os.path.join(HERE, "submissions")):
        region, period = name[:-len(".csv")].split("-")
        seeded.add((region, period))
    w = Writer(catalog, seeded)
    seed_2022 = read_values("%s-%s.csv" % SEED_2022)
    medins = {k: seed_2022.pop(k) for k in ("medins_due", "medins_paid")}
    era_2022(w, catalog, seed_2022)
    medins_2021(w, catalog, medins)
    half = read_values("%s-%s.csv" % SEED_2013)
    quarters = (read_values("%s-2013Q1.csv" % SEED_2013[0]),
                read_values("%s-2013Q2.csv" % SEED_2013[0]))
    era_2013(w, catalog, half, quarters)
    era_monthly(w)
    w.rows.sort(key=lambda row: (row[0], row[1], row[2]))
    path = os.path.join(HERE, "values.csv")
    with open(path, "w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["region", "period", "indicator", "value", "comment"])
        out.writerows(w.rows)
    print("wrote %d values to %s" % (len(w.rows), path))


if __name__ == "__main__":
    main()
