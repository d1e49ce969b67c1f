#!/usr/bin/python3
"""Latency driver of rollup_bench.sh: sequential unary calls with grpcio on
one channel, warm-ups first, then a bounded measured run; prints
percentiles in milliseconds. Also computes the same percentiles for a file
of latencies (the pgbench reference), so both sides use one method.

    rollup_driver.py rollup --addr A --token T --pygen DIR --region CODE
                            --period P (--children | --level N)
                            [--expect FILE | --expect-ytd FILE] [--targets-per-group K]
    rollup_driver.py rollup ... --clients N   N concurrent clients instead,
                            each on a connection of its own, for --seconds:
                            calls/s over all of them (throughput, no check)
    rollup_driver.py health --addr A
    rollup_driver.py stats FILE              one latency in ms per line

Requests are serialised once before the clock; responses are timed as raw
bytes (not parsed inside the timed loop, so Python's protobuf parsing is
not charged to the server) and the last one is parsed and checked after the
run: one row per group and indicator, every value equal to the --expect
file (grp, indicator, value of the current period, from the plain-SQL
reference), ratio indicators equal to round(numerator × 100 / denominator,
2), reporting = expected units, annual targets present. With --expect-ytd
the file holds the year-to-date figures (1–N月累计) and each row's
ytd.value (and ytd.reporting_units) is checked instead. Exit 1 on any
mismatch.

Bounds: at most --warmup warm-up calls (stopping early once a quarter of
--seconds has passed, after at least 1), then N measured calls with N =
clamp(--seconds / last warm-up latency, 3, --requests), and never longer than twice
--seconds. Output: `n=... p50_ms=... p99_ms=... mean_ms=... warmups=... first_ms=...`
(and `server_cpu_ms=...` with --cpu-pid).
"""

import argparse
import decimal
import math
import os
import sys
import time

CALL_TIMEOUT = 300  # seconds per call: a stuck server fails the run, never hangs it
MIN_WARMUP = 1
MIN_REQUESTS = 3


def percentile(sorted_ms, q):
    """Nearest-rank percentile of an ascending list."""
    k = max(1, math.ceil(q / 100.0 * len(sorted_ms)))
    return sorted_ms[k - 1]


def summary(samples_ms):
    s = sorted(samples_ms)
    return "n=%d p50_ms=%.3f p99_ms=%.3f mean_ms=%.3f min_ms=%.3f max_ms=%.3f" % (
        len(s), percentile(s, 50), percentile(s, 99), sum(s) / len(s), s[0], s[-1])


def proc_cpu_s(pid):
    """CPU seconds (utime + stime, /proc/PID/stat fields 14 and 15) of pid
    so far; None without a pid."""
    if not pid:
        return None
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed_calls(call, body, meta, a):
    """Warm-ups, then the measured calls; returns (warm_ms, samples_ms, last).
    With --cpu-pid, a.cpu_ms_per_call is that process's CPU per measured
    call (the server's own work, whatever else the machine runs)."""
    start = time.perf_counter()
    warm = []
    last = None
    while len(warm) < max(a.warmup, MIN_WARMUP):
        t0 = time.perf_counter()
        last = call(body, metadata=meta, timeout=CALL_TIMEOUT)
        warm.append((time.perf_counter() - t0) * 1000.0)
        if len(warm) >= MIN_WARMUP and time.perf_counter() - start > a.seconds / 4:
            break
    # Size the run by the settled latency (the last warm-up), not the first
    # calls, which include connection set-up and planning.
    settled = warm[-1] / 1000.0 if warm else 0.001
    n = int(min(a.requests, max(MIN_REQUESTS, a.seconds / max(settled, 1e-6))))
    samples = []
    cpu0 = proc_cpu_s(a.cpu_pid)
    start = time.perf_counter()
    while len(samples) < n:
        t0 = time.perf_counter()
        last = call(body, metadata=meta, timeout=CALL_TIMEOUT)
        samples.append((time.perf_counter() - t0) * 1000.0)
        if len(samples) >= MIN_REQUESTS and time.perf_counter() - start > 2 * a.seconds:
            break
    if cpu0 is not None:
        a.cpu_ms_per_call = (proc_cpu_s(a.cpu_pid) - cpu0) * 1000.0 / len(samples)
    return warm, samples, last


def load_expect(path):
    exp = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            grp, ind, value = line.rstrip("\n").split("\t")
            exp[(grp, ind)] = value
    return exp


def ratio_value(num, den):
    with decimal.localcontext() as ctx:
        ctx.prec = 60
        q = decimal.Decimal(num) * 100 / decimal.Decimal(den)
        return str(q.quantize(decimal.Decimal("0.01"), rounding=decimal.ROUND_HALF_UP))


def check_rollup(pb, raw, exp, ratios, targets_per_group, ytd=False):
    """Problems with one RollupResponse, as strings (empty when fine); ytd:
    the figures checked are the rows' year to date."""
    resp = pb.RollupResponse.FromString(raw)
    bad = []
    groups = sorted({g for g, _ in exp})
    stored = sorted({i for _, i in exp})
    want_rows = len(groups) * (len(stored) + len(ratios))
    if len(resp.rows) != want_rows:
        bad.append("%d rows, expected %d" % (len(resp.rows), want_rows))
    with_target = 0
    for row in resp.rows:
        key = (row.region.code, row.indicator.code)
        fig = row
        if ytd:
            if not row.HasField("ytd"):
                bad.append("%s/%s: no year to date" % key)
                continue
            fig = row.ytd
        got = fig.value.value if fig.HasField("value") else None
        if row.indicator.code in ratios:
            num, den = ratios[row.indicator.code]
            want = ratio_value(exp[(key[0], num)], exp[(key[0], den)])
        else:
            want = exp.get(key)
            if fig.reporting_units != row.expected_units or row.expected_units <= 0:
                bad.append("%s/%s: reporting %d of %d" % (key + (fig.reporting_units,
                                                                 row.expected_units)))
        if got != want:
            bad.append("%s/%s: value %s, plain SQL says %s" % (key + (got, want)))
        with_target += row.HasField("annual_target")
        if len(bad) > 10:
            break
    if targets_per_group and with_target != len(groups) * targets_per_group:
        bad.append("%d rows with an annual target, expected %d" %
                   (with_target, len(groups) * targets_per_group))
    return len(resp.rows), bad


def rollup(a):
    import grpc
    sys.path.insert(0, a.pygen)
    from huizong.v1 import aggregation_pb2 as pb

    req = pb.RollupRequest(region_code=a.region, period=a.period)
    if a.level:
        req.group_by = pb.GROUP_BY_LEVEL
        req.level = a.level
    else:
        req.group_by = pb.GROUP_BY_CHILDREN
    body = req.SerializeToString()
    meta = (("authorization", "Bearer " + a.token),)
    opts = [("grpc.max_receive_message_length", 256 << 20)]
    if a.clients > 1:
        return concurrent_calls(a, body, meta, opts)
    with grpc.insecure_channel(a.addr, options=opts) as ch:
        grpc.channel_ready_future(ch).result(timeout=30)
        call = ch.unary_unary("/huizong.v1.Aggregation/Rollup", request_serializer=None,
                              response_deserializer=None)
        warm, samples, last = timed_calls(call, body, meta, a)
    rows, bad = (0, [])
    if a.expect or a.expect_ytd:
        ratios = {}
        for spec in a.ratio or []:
            code, num, den = spec.split(":")
            ratios[code] = (num, den)
        rows, bad = check_rollup(pb, last, load_expect(a.expect or a.expect_ytd), ratios,
                                 a.targets_per_group, ytd=bool(a.expect_ytd))
    if bad:
        for b in bad[:10]:
            print("rollup_driver: " + b, file=sys.stderr)
        return 1
    cpu = " server_cpu_ms=%.3f" % a.cpu_ms_per_call if a.cpu_pid else ""
    print("%s warmups=%d first_ms=%.3f rows=%d bytes=%d%s" % (summary(samples), len(warm), warm[0],
                                                               rows, len(last), cpu))
    return 0


def concurrent_calls(a, body, meta, opts):
    """a.clients threads, each with its own channel (so its own TCP
    connection, which the kernel may hand to any of huizongd's loops),
    calling back to back for a.seconds after one warm-up call each."""
    import threading
    import grpc
    own = opts + [("grpc.use_local_subchannel_pool", 1)]
    channels = [grpc.insecure_channel(a.addr, options=own) for _ in range(a.clients)]
    samples, errors, lock = [], [], threading.Lock()
    stop_at = [0.0]
    # The end is set by the barrier's action, before any client is
    # released: set after go.wait() it raced the clients, which could see
    # 0.0 and stop before their first call (a run of "no calls").
    go = threading.Barrier(a.clients + 1,
                           action=lambda: stop_at.__setitem__(0, time.perf_counter() + a.seconds))

    def client(ch):
        call = ch.unary_unary("/huizong.v1.Aggregation/Rollup", request_serializer=None,
                              response_deserializer=None)
        try:
            call(body, metadata=meta, timeout=CALL_TIMEOUT)
            go.wait()
            mine = []
            while time.perf_counter() < stop_at[0]:
                t0 = time.perf_counter()
                call(body, metadata=meta, timeout=CALL_TIMEOUT)
                mine.append((time.perf_counter() - t0) * 1000.0)
            with lock:
                samples.extend(mine)
        except Exception as e:  # noqa: BLE001 - reported, then the run fails
            with lock:
                errors.append(repr(e))
            go.abort()

    threads = [threading.Thread(target=client, args=(ch,)) for ch in channels]
    for t in threads:
        t.start()
    try:
        go.wait()
    except threading.BrokenBarrierError:
        pass
    start = stop_at[0] - a.seconds
    for t in threads:
        t.join(a.seconds + 2 * CALL_TIMEOUT)
    elapsed = time.perf_counter() - start
    for ch in channels:
        ch.close()
    if errors or not samples:
        print("rollup_driver: concurrent run failed: %s" % (errors[:3] or "no calls"),
              file=sys.stderr)
        return 1
    print("%s clients=%d seconds=%.1f calls_per_s=%.2f" % (summary(sorted(samples)), a.clients,
                                                           elapsed, len(samples) / elapsed))
    return 0


def health(a):
    import grpc
    with grpc.insecure_channel(a.addr) as ch:
        grpc.channel_ready_future(ch).result(timeout=30)
        call = ch.unary_unary("/grpc.health.v1.Health/Check", request_serializer=None,
                              response_deserializer=None)
        warm, samples, last = timed_calls(call, b"", (), a)
    if last != b"\x08\x01":
        print("rollup_driver: Health/Check did not answer SERVING", file=sys.stderr)
        return 1
    print("%s warmups=%d" % (summary(samples), len(warm)))
    return 0


def stats(a):
    with open(a.file) as f:
        samples = [float(x) for x in f if x.strip()]
    if not samples:
        print("rollup_driver: no samples in " + a.file, file=sys.stderr)
        return 1
    print(summary(samples))
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("mode", choices=["rollup", "health", "stats"])
    ap.add_argument("file", nargs="?")
    ap.add_argument("--addr")
    ap.add_argument("--token")
    ap.add_argument("--pygen")
    ap.add_argument("--region")
    ap.add_argument("--period")
    ap.add_argument("--children", action="store_true")
    ap.add_argument("--level", type=int, default=0)
    ap.add_argument("--expect")
    ap.add_argument("--expect-ytd")
    ap.add_argument("--ratio", action="append", help="CODE:NUMERATOR:DENOMINATOR")
    ap.add_argument("--targets-per-group", type=int, default=0)
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--clients", type=int, default=1)
    ap.add_argument("--cpu-pid", type=int, default=0,
                    help="the server's pid: print its CPU per measured call (server_cpu_ms)")
    a = ap.parse_args()
    if a.mode == "stats":
        return stats(a)
    if not a.addr:
        print("rollup_driver: --addr is required", file=sys.stderr)
        return 2
    if a.mode == "health":
        return health(a)
    if not (a.token and a.pygen and a.region and a.period and (a.children or a.level)):
        print("rollup_driver: rollup needs --token --pygen --region --period and "
              "--children or --level", file=sys.stderr)
        return 2
    return rollup(a)


if __name__ == "__main__":
    sys.exit(main())
