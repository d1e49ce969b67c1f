#!/usr/bin/python3
"""Rollup latency driver of national_bench.sh: rollup_driver.py's method
(sequential grpcio calls on one channel, request serialised once, answers
timed as raw bytes, warm-ups then a bounded measured run, the last answer
checked against the plain-SQL figures), imported from it, with one more
kind of region: --nation, the whole country (region_code empty, an
administrator's token; migration 019).

    national_driver.py --addr A --token T --pygen DIR (--region CODE | --nation)
                       --period P (--children | --level N) [--expect FILE]
                       [--ratio CODE:NUM:DEN ...] [--requests N] [--warmup N] [--seconds S]

Output as rollup_driver.py's: `n=... p50_ms=... p99_ms=... ... rows=... bytes=...`;
exit 1 when a call fails or a figure differs from --expect, 3 when the
server refuses the whole country (INVALID_ARGUMENT: a build without it),
4 when a call took longer than --call-timeout.
"""

import argparse
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rollup_driver  # noqa: E402  (same directory)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--addr", required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--pygen", required=True)
    ap.add_argument("--region", default="")
    ap.add_argument("--nation", action="store_true")
    ap.add_argument("--period", required=True)
    ap.add_argument("--children", action="store_true")
    ap.add_argument("--level", type=int, default=0)
    ap.add_argument("--expect")
    ap.add_argument("--ratio", action="append")
    ap.add_argument("--requests", type=int, default=50)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--call-timeout", type=float, default=rollup_driver.CALL_TIMEOUT,
                    help="seconds one call may take (rollup_driver.py's default otherwise)")
    ap.add_argument("--min-requests", type=int, default=rollup_driver.MIN_REQUESTS,
                    help="measured calls at least, even when slow")
    ap.add_argument("--cpu-pid", type=int, default=0,
                    help="rollup_driver.timed_calls reads it: a server to take CPU from (0: none)")
    a = ap.parse_args()
    # rollup_driver reads both at call time: a computed nation may take
    # minutes on a busy machine.
    rollup_driver.CALL_TIMEOUT = a.call_timeout
    rollup_driver.MIN_REQUESTS = max(1, a.min_requests)
    if bool(a.region) == a.nation or not (a.children or a.level):
        print("national_driver: one of --region or --nation, and --children or --level",
              file=sys.stderr)
        return 2
    import grpc
    sys.path.insert(0, a.pygen)
    from huizong.v1 import aggregation_pb2 as pb

    req = pb.RollupRequest(region_code=a.region, period=a.period)
    if a.level:
        req.group_by, req.level = pb.GROUP_BY_LEVEL, a.level
    else:
        req.group_by = pb.GROUP_BY_CHILDREN
    meta = (("authorization", "Bearer " + a.token),)
    opts = [("grpc.max_receive_message_length", 256 << 20)]
    with grpc.insecure_channel(a.addr, options=opts) as ch:
        grpc.channel_ready_future(ch).result(timeout=30)
        call = ch.unary_unary("/huizong.v1.Aggregation/Rollup", request_serializer=None,
                              response_deserializer=None)
        try:
            warm, samples, last = rollup_driver.timed_calls(call, req.SerializeToString(), meta, a)
        except grpc.RpcError as e:
            print("national_driver: Rollup failed: %s %s" % (e.code(), e.details()),
                  file=sys.stderr)
            if a.nation and e.code() == grpc.StatusCode.INVALID_ARGUMENT:
                return 3
            return 4 if e.code() == grpc.StatusCode.DEADLINE_EXCEEDED else 1
    rows, bad = 0, []
    if a.expect:
        ratios = dict((s.split(":")[0], tuple(s.split(":")[1:])) for s in a.ratio or [])
        rows, bad = rollup_driver.check_rollup(pb, last, rollup_driver.load_expect(a.expect),
                                               ratios, 0)
    for b in bad[:10]:
        print("national_driver: " + b, file=sys.stderr)
    if bad:
        return 1
    print("%s warmups=%d first_ms=%.3f rows=%d bytes=%d" % (
        rollup_driver.summary(samples), len(warm), warm[0], rows, len(last)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
