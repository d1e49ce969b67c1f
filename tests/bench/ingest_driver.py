#!/usr/bin/python3
"""Load driver of ingest_bench.sh: one quarter of values for every township
of the synthetic province (gen_dataset.py), sent through
huizong.v1.Reporting/SubmitStream with grpcio, or written as COPY text for
the psql reference. Both modes derive the same values from the same seed.

    ingest_driver.py copyfile  [options]            COPY text on stdout
    ingest_driver.py stream --addr A --token T --pygen DIR --round N [options]
    ingest_driver.py rules --addr A --token T --pygen DIR --rules N [options]
    ingest_driver.py sql [options]                  hz_submit calls on stdout

`stream` builds and serialises every SubmitRequest before the clock starts,
sends them on --streams concurrent calls over one channel (township list
split into contiguous slices, as a bulk loader splitting its input file
would), waits for every response, then checks every result: ACCEPTED,
code 0, all values imported, nothing replayed. It prints one line:
`elapsed_s=... values=... requests=...`; exit status 1 on any failure.

`sql` writes the same submissions as SQL, one `SELECT ... FROM hz_submit(...)`
per township (the function the server's Submit calls, with the same
arguments but a fixed content hash), for measuring the database side alone
with psql: pg_stat_statements, auto_explain, pg_waldump, perf
(tests/bench/README.md, "Where a submission's time goes").

`rules` imports N (at most 10) validation rules over the first indicators
through Admin/ImportRules, so that the server's parser compiles them like
any administrator's: every operator kind, abs, a quotient, ytd,
prev_year and prev_period (the last two skipped: no earlier period is
stored), errors and a warning. All hold for the generated values (none
negative), so every submission is still accepted; each is evaluated.
"""

import argparse
import array
import os
import random
import sys
import time

# No __pycache__ next to the sources.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_dataset  # noqa: E402  (same directory)

PERIOD = "2024Q1"
PERIOD_TYPE = 3
PERIOD_START = "2024-01-01"
METHOD = "/huizong.v1.Reporting/SubmitStream"
CALL_TIMEOUT = 900  # seconds; a stalled server fails the round, never hangs it


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("mode", choices=["copyfile", "stream", "rules", "sql"])
    ap.add_argument("--rules", type=int, default=10, help="rules to import (rules mode)")
    ap.add_argument("--townships", type=int, default=1000)
    ap.add_argument("--counties", type=int, default=67)
    ap.add_argument("--cities", type=int, default=10)
    ap.add_argument("--indicators", type=int, default=200)
    ap.add_argument("--seed", type=int, default=20240401)
    ap.add_argument("--limit", type=int, default=0, help="only the first N townships (warm-up)")
    ap.add_argument("--addr")
    ap.add_argument("--token")
    ap.add_argument("--pygen", help="directory of protoc --python_out classes")
    ap.add_argument("--round", type=int, default=0, help="distinguishes submission ids")
    ap.add_argument("--streams", type=int, default=4)
    return ap.parse_args()


def dataset(a):
    """[(township code, [(indicator, value text)])] in township order."""
    tree = gen_dataset.Tree(a.townships, a.counties, a.cities)
    catalog = gen_dataset.Catalog(a.indicators, 0, "quarter")
    rng = random.Random(a.seed)
    pools = gen_dataset.value_pools(rng)
    stored = [(code, pools[kind]) for code, kind in catalog.stored]
    mask = gen_dataset.POOL - 1
    out = []
    towns = tree.townships[: a.limit] if a.limit else tree.townships
    for town in towns:
        pick = array.array("H", rng.randbytes(2 * len(stored)))
        out.append((town[0], [(code, pool[pick[j] & mask]) for j, (code, pool) in enumerate(stored)]))
    return out


def submission_id(rnd, t):
    return "%08x-%04x-4000-8000-%012x" % (t, rnd & 0xFFFF, 0xB5)


def write_copy(a):
    out = sys.stdout
    for t, (town, values) in enumerate(dataset(a)):
        sid = submission_id(0, t)
        out.write("".join("%s\t%s\t%s\t%d\t%s\t%s\t\t%s\n" % (town, code, PERIOD, PERIOD_TYPE,
                                                             PERIOD_START, v, sid)
                          for code, v in values))


def write_sql(a):
    out = sys.stdout
    for t, (town, values) in enumerate(dataset(a)):
        codes = ",".join(code for code, _ in values)
        vals = ",".join(v for _, v in values)
        comments = ",".join('""' for _ in values)
        out.write("SELECT count(*) FROM hz_submit('%s', '%s', '%s', %d::smallint, '%s',"
                  " '{%s}', '{%s}', '{%s}', '', false, '\\x00'::bytea, NULL, 'ingest_driver',"
                  " NULL, now());\n" % (submission_id(a.round, t), town, PERIOD, PERIOD_TYPE,
                                       PERIOD_START, codes, vals, comments))


def build_requests(a, pb):
    reqs = []
    for t, (town, values) in enumerate(dataset(a)):
        r = pb.SubmitRequest(submission_id=submission_id(a.round, t), region_code=town,
                             period=PERIOD)
        for code, v in values:
            r.values.add(indicator_code=code, value=v)
        reqs.append(r.SerializeToString())
    return reqs


def check_results(pb, raw, expected, n_values):
    """Problems with one stream's response, as strings (empty when fine)."""
    resp = pb.SubmitStreamResponse.FromString(raw)
    bad = []
    if len(resp.results) != len(expected):
        bad.append("%d results for %d requests" % (len(resp.results), len(expected)))
    if resp.accepted != len(expected) or resp.rejected != 0:
        bad.append("accepted %d rejected %d" % (resp.accepted, resp.rejected))
    for res, sid in zip(resp.results, expected):
        if (res.submission_id != sid or res.status != pb.SUBMISSION_STATUS_ACCEPTED or
                res.code != 0 or res.imported != n_values or res.replayed):
            bad.append("%s: status %d code %d imported %d replayed %s %s" %
                       (res.submission_id, res.status, res.code, res.imported, res.replayed,
                        res.message))
            if len(bad) > 5:
                break
    return bad


def stream(a):
    import grpc
    sys.path.insert(0, a.pygen)
    from huizong.v1 import reporting_pb2 as pb

    reqs = build_requests(a, pb)
    ids = [submission_id(a.round, t) for t in range(len(reqs))]
    n = max(1, min(a.streams, len(reqs)))
    bounds = [len(reqs) * k // n for k in range(n + 1)]
    slices = [(reqs[bounds[k]:bounds[k + 1]], ids[bounds[k]:bounds[k + 1]]) for k in range(n)]
    opts = [("grpc.max_receive_message_length", 64 << 20),
            ("grpc.max_send_message_length", 64 << 20)]
    meta = (("authorization", "Bearer " + a.token),)
    with grpc.insecure_channel(a.addr, options=opts) as ch:
        grpc.channel_ready_future(ch).result(timeout=30)
        call = ch.stream_unary(METHOD, request_serializer=None, response_deserializer=None)
        start = time.perf_counter()
        futures = [call.future(iter(s), metadata=meta, timeout=CALL_TIMEOUT) for s, _ in slices]
        raws = [f.result() for f in futures]
        elapsed = time.perf_counter() - start
    n_values = a.indicators
    bad = []
    for raw, (_, sids) in zip(raws, slices):
        bad += check_results(pb, raw, sids, n_values)
    if bad:
        for b in bad[:10]:
            print("ingest_driver: " + b, file=sys.stderr)
        return 1
    print("elapsed_s=%.6f values=%d requests=%d streams=%d" %
          (elapsed, len(reqs) * n_values, len(reqs), n))
    return 0


# (left, op, right, severity) over codes c[0..13]; each holds for values >= 0.
RULES = [
    ("{0}", ">=", "0", 1),
    ("{1} + {2}", ">=", "{1}", 1),
    ("abs({3} - {4})", "<=", "{3} + {4}", 1),
    ("{5} * 2", ">=", "{5}", 1),
    ("{6} / ({7} + 1)", ">=", "0", 1),
    ("ytd({8})", ">=", "0", 1),
    ("prev_year({9})", ">=", "0", 1),
    ("prev_period({10})", "<=", "{10} + 1000000000", 2),
    ("{11} - {12}", "<=", "{11}", 1),
    ("{13}", "==", "{13}", 2),
]


def import_rules(a):
    import grpc
    sys.path.insert(0, a.pygen)
    from huizong.v1 import admin_pb2 as pb

    codes = [code for code, _kind in gen_dataset.Catalog(a.indicators, 0, "quarter").stored]
    if a.rules > len(RULES) or len(codes) < 14:
        print("ingest_driver: at most %d rules, over at least 14 indicators" % len(RULES),
              file=sys.stderr)
        return 2
    req = pb.ImportRulesRequest()
    for n, (left, op, right, sev) in enumerate(RULES[: a.rules]):
        req.rows.add(line=n + 2, rule=pb.ValidationRule(
            code="bench_%02d" % n, name="基准规则%d" % n, left=left.format(*codes), op=op,
            right=right.format(*codes), severity=sev, message="{left} %s {right}" % op))
    meta = (("authorization", "Bearer " + a.token),)
    with grpc.insecure_channel(a.addr) as ch:
        call = ch.unary_unary("/huizong.v1.Admin/ImportRules",
                              request_serializer=pb.ImportRulesRequest.SerializeToString,
                              response_deserializer=pb.ImportResponse.FromString)
        resp = call(req, metadata=meta, timeout=60)
    print("rules_created=%d" % resp.created)
    return 0 if resp.created == a.rules else 1


def main():
    a = parse_args()
    if a.mode == "copyfile":
        write_copy(a)
        return 0
    if a.mode == "sql":
        write_sql(a)
        return 0
    if not (a.addr and a.token and a.pygen):
        print("ingest_driver: stream and rules need --addr, --token and --pygen",
              file=sys.stderr)
        return 2
    return import_rules(a) if a.mode == "rules" else stream(a)


if __name__ == "__main__":
    sys.exit(main())
