#!/usr/bin/python3
"""Load drivers of deadline_bench.sh (a reporting deadline: dashboards read
while townships submit), with grpcio.

    deadline_driver.py dashboard --addr A --token T --pygen DIR
        --counties C1,C2,... --periods 2026,2026Q4 --seconds S [--procs P]
    deadline_driver.py submit --addr A --token T --pygen DIR
        --townships FILE --period 202612 --indicators FILE
        --rate R --seconds S [--count N] [--seed K]
    deadline_driver.py stats --file FILE       pgbench log (µs in column 3,
                                               script number in column 4)

`dashboard`: one client per county (its own channel, so its own HTTP/2
connection, as browsers are), each calling Aggregation/Rollup for its
county by children, all indicators, cycling through --periods, for
--seconds. The clients are threads spread over --procs processes (the GIL
would otherwise serialise 16 clients in one). Answers are timed as raw
bytes and not parsed. Prints per period and overall: `kind=... n=...
p50_ms=... p99_ms=... rps=...` and exits 1 if any call failed.

`submit`: Reporting/Submit at a steady rate (open loop: call k is sent at
start + k / rate, whatever the earlier ones are doing, at most 64 in
flight), township k being line k mod n of --townships (the caller orders
them round-robin over counties), each with new figures for every
indicator of --indicators (lines `code<TAB>kind` with kind sum, last or
average), for --seconds or --count calls. Every answer must be ACCEPTED.
Prints `n=... p50_ms=... p99_ms=... rate=... target_rate=...` (rate: answered
calls per second from the first send to the last answer), and with
--last FILE writes the last township and its values (code<TAB>value).
"""

import argparse
import math
import multiprocessing
import os
import random
import sys
import threading
import time
import uuid

CALL_TIMEOUT = 120  # seconds per call: a stuck server fails the run, never hangs it
MAX_IN_FLIGHT = 64


def percentile(sorted_ms, q):
    """Nearest-rank percentile of an ascending list."""
    k = max(1, math.ceil(q / 100.0 * len(sorted_ms)))
    return sorted_ms[k - 1]


def summary(samples_ms, seconds):
    s = sorted(samples_ms)
    if not s:
        return "n=0"
    return "n=%d p50_ms=%.3f p99_ms=%.3f mean_ms=%.3f max_ms=%.3f rps=%.1f" % (
        len(s), percentile(s, 50), percentile(s, 99), sum(s) / len(s), s[-1], len(s) / seconds)


def load_pb(pygen):
    sys.path.insert(0, pygen)
    from huizong.v1 import aggregation_pb2, reporting_pb2
    return aggregation_pb2, reporting_pb2


# ---- dashboards -------------------------------------------------------------

def dashboard_client(a, county, out, errors):
    import grpc
    agg, _ = load_pb(a.pygen)
    bodies = [(p, agg.RollupRequest(region_code=county, period=p,
                                    group_by=agg.GROUP_BY_CHILDREN).SerializeToString())
              for p in a.periods.split(",")]
    meta = (("authorization", "Bearer " + a.token),)
    opts = [("grpc.max_receive_message_length", 256 << 20)]
    with grpc.insecure_channel(a.addr, options=opts) as ch:
        grpc.channel_ready_future(ch).result(timeout=30)
        call = ch.unary_unary("/huizong.v1.Aggregation/Rollup", request_serializer=None,
                              response_deserializer=None)
        # Start together: wait for the common start time given by the parent.
        time.sleep(max(0.0, a.start_at - time.time()))
        end = a.start_at + a.seconds
        k = 0
        while time.time() < end:
            period, body = bodies[k % len(bodies)]
            k += 1
            t0 = time.perf_counter()
            try:
                call(body, metadata=meta, timeout=CALL_TIMEOUT)
            except grpc.RpcError as e:
                errors.append("%s %s: %s %s" % (county, period, e.code(), e.details()))
                continue
            out.append((period, (time.perf_counter() - t0) * 1000.0))


def dashboard_proc(a, counties, queue):
    out, errors, threads = [], [], []
    for c in counties:
        t = threading.Thread(target=dashboard_client, args=(a, c, out, errors), daemon=True)
        t.start()
        threads.append(t)
    for t in threads:
        t.join(a.seconds + CALL_TIMEOUT + 30)
    queue.put((out, errors))


def dashboard(a):
    counties = a.counties.split(",")
    procs = max(1, min(a.procs, len(counties)))
    a.start_at = time.time() + 3.0  # every channel connected before the clock
    queue = multiprocessing.Queue()
    workers = [multiprocessing.Process(target=dashboard_proc,
                                       args=(a, counties[i::procs], queue), daemon=True)
               for i in range(procs)]
    for w in workers:
        w.start()
    out, errors = [], []
    for _ in workers:
        o, e = queue.get(timeout=a.seconds + CALL_TIMEOUT + 60)
        out += o
        errors += e
    for w in workers:
        w.join(10)
    for e in errors[:10]:
        print("deadline_driver: Rollup failed: " + e, file=sys.stderr)
    for p in a.periods.split(","):
        print("kind=%s %s" % (p, summary([ms for q, ms in out if q == p], a.seconds)))
    print("kind=all %s errors=%d" % (summary([ms for _, ms in out], a.seconds), len(errors)))
    return 1 if errors or not out else 0


# ---- submissions --------------------------------------------------------------

def new_values(rng, kinds):
    """New figures within every indicator's bounds (all non-negative)."""
    vals = []
    for code, kind in kinds:
        if kind == "sum":
            v = "%d.%02d" % (rng.randrange(1, 100000), rng.randrange(100))
        elif kind == "last":
            v = str(rng.randrange(0, 100000))
        else:
            v = "%d.%d" % (rng.randrange(0, 100), rng.randrange(10))
        vals.append((code, v))
    return vals


def submit(a):
    import grpc
    _, rep = load_pb(a.pygen)
    with open(a.townships) as f:
        towns = [l.strip() for l in f if l.strip()]
    with open(a.indicators) as f:
        kinds = [tuple(l.split()) for l in f if l.strip()]
    rng = random.Random(a.seed)
    meta = (("authorization", "Bearer " + a.token),)
    lat, bad, finished = [], [], []
    lock = threading.Lock()
    slots = threading.Semaphore(MAX_IN_FLIGHT)
    last = {}

    def done(fut, t0, town):
        try:
            resp = rep.SubmitResponse.FromString(fut.result())
            if resp.status != rep.SUBMISSION_STATUS_ACCEPTED:
                raise RuntimeError("status %d: %s" % (resp.status, resp))
            now = time.perf_counter()
            with lock:
                lat.append((now - t0) * 1000.0)
                finished.append(now)
        except Exception as e:  # noqa: BLE001 -- every failure is reported
            with lock:
                bad.append("%s: %s" % (town, e))
        finally:
            slots.release()

    with grpc.insecure_channel(a.addr) as ch:
        grpc.channel_ready_future(ch).result(timeout=30)
        call = ch.unary_unary("/huizong.v1.Reporting/Submit", request_serializer=None,
                              response_deserializer=None)
        start = time.perf_counter()
        k = 0
        while True:
            due = start + k / a.rate
            if (a.count and k >= a.count) or due - start >= a.seconds:
                break
            time.sleep(max(0.0, due - time.perf_counter()))
            town = towns[k % len(towns)]
            vals = new_values(rng, kinds)
            req = rep.SubmitRequest(submission_id=str(uuid.uuid4()), region_code=town,
                                    period=a.period)
            for code, v in vals:
                req.values.add(indicator_code=code, value=v)
            body = req.SerializeToString()
            slots.acquire()
            t0 = time.perf_counter()
            fut = call.future(body, metadata=meta, timeout=CALL_TIMEOUT)
            fut.add_done_callback(lambda f, t0=t0, town=town: done(f, t0, town))
            last = {"town": town, "values": vals}
            k += 1
        sent_s = time.perf_counter() - start
        for _ in range(MAX_IN_FLIGHT):  # every call answered
            slots.acquire()
    for b in bad[:10]:
        print("deadline_driver: Submit failed: " + b, file=sys.stderr)
    if a.last and last:
        with open(a.last, "w") as f:
            f.write("".join("%s\t%s\t%s\n" % (last["town"], c, v) for c, v in last["values"]))
    # Achieved: answered Submits per second from the first send to the
    # last answer (an open loop sends on time even when answers lag).
    span = max(finished) - start if finished else 0.0
    print("%s rate=%.2f target_rate=%.2f sent=%d send_rate=%.2f errors=%d" % (
        summary(lat, max(sent_s, 1e-9)), len(lat) / span if span > 0 else 0.0, a.rate, k,
        k / max(sent_s, 1e-9), len(bad)))
    return 1 if bad or not lat else 0


# ---- pgbench log ------------------------------------------------------------

def stats(a):
    per = {}
    with open(a.file) as f:
        for line in f:
            p = line.split()
            if len(p) >= 4:
                per.setdefault(p[3], []).append(int(p[2]) / 1000.0)
    names = a.scripts.split(",") if a.scripts else []
    for i, name in enumerate(names):
        print("kind=%s %s" % (name, summary(per.get(str(i), []), a.seconds)))
    print("kind=all %s" % summary([x for v in per.values() for x in v], a.seconds))
    return 0 if per else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("mode", choices=["dashboard", "submit", "stats"])
    ap.add_argument("--addr")
    ap.add_argument("--token")
    ap.add_argument("--pygen")
    ap.add_argument("--counties", help="comma-separated county codes, one client each")
    ap.add_argument("--periods", help="comma-separated periods each client cycles through")
    ap.add_argument("--procs", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--townships", help="file: one township code a line")
    ap.add_argument("--indicators", help="file: code and kind (sum|last|average) a line")
    ap.add_argument("--period")
    ap.add_argument("--rate", type=float, default=20)
    ap.add_argument("--count", type=int, default=0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--last", help="file for the last township's submitted values")
    ap.add_argument("--file")
    ap.add_argument("--scripts", help="names of pgbench's scripts 0, 1, ...")
    a = ap.parse_args()
    if a.mode == "stats":
        return stats(a)
    if not (a.addr and a.token and a.pygen):
        print("deadline_driver: --addr --token --pygen are required", file=sys.stderr)
        return 2
    if a.mode == "dashboard":
        return dashboard(a)
    return submit(a)


if __name__ == "__main__":
    sys.exit(main())
