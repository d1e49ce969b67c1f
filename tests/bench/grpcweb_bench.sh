#!/usr/bin/env bash
# gRPC-Web throughput beside native gRPC: h2load drives
# grpc.health.v1.Health/Check on one huizongd, as gRPC-Web over HTTP/1.1
# keep-alive (h2load --h1, a gRPC-Web request body) and as native gRPC over
# HTTP/2, in the same run with the same -c/-m/-t, and prints both req/s, the
# ratio and the budget line (gRPC-Web >= 0.5 x native).
#
#   tests/bench/grpcweb_bench.sh [BUILD_DIR]     (default BUILD_DIR: build)
#
# BUILD_DIR must hold a built service/huizongd; measure a release build:
#   meson setup build-release -Dbuildtype=release -Db_ndebug=true
#   ninja -C build-release service/huizongd
# A figure-printing program, not a test: exits 0 when every run completed
# with every request answered 2xx, whatever the ratio; non-zero otherwise.
#
# Environment (defaults in brackets):
#   HZ_BENCH_CONNS [16] HZ_BENCH_STREAMS [1] HZ_BENCH_THREADS [2]
#                           h2load -c / -m / -t for both protocols. -m 1:
#                           a browser neither pipelines HTTP/1.1 nor (per
#                           page) runs many calls at once; -m N > 1 pipelines
#                           N requests per HTTP/1.1 connection.
#   HZ_BENCH_SECONDS [10]   target length of one measured run; sets -n
#   HZ_BENCH_ROUNDS [3]     measured runs per protocol, order alternating
set -euo pipefail

BUILD_DIR=${1:-build}
[[ "$BUILD_DIR" == /* ]] || BUILD_DIR="$PWD/$BUILD_DIR"
readonly BUILD_DIR
readonly WORK="$BUILD_DIR/bench/grpcweb"
readonly CONNS=${HZ_BENCH_CONNS:-16}
readonly STREAMS=${HZ_BENCH_STREAMS:-1}
readonly THREADS=${HZ_BENCH_THREADS:-2}
readonly TARGET_SECONDS=${HZ_BENCH_SECONDS:-10}
readonly ROUNDS=${HZ_BENCH_ROUNDS:-3}
readonly WARMUP_REQUESTS=20000
readonly MIN_REQUESTS=20000
readonly MAX_REQUESTS=3000000
readonly RUN_TIMEOUT=120 # no h2load run may take longer, whatever the server does
readonly BUDGET_RATIO=0.5
readonly METHOD_PATH=/grpc.health.v1.Health/Check
readonly PY=/usr/bin/python3

SERVER_PID=
cleanup() {
  if [[ -n "$SERVER_PID" ]]; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() { echo "grpcweb_bench: $*" >&2; exit 1; }
note() { echo "grpcweb_bench: $*" >&2; }

free_port() {
  "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

start_huizongd() {
  local bin="$BUILD_DIR/service/huizongd" port="$1" i
  [[ -x "$bin" ]] || die "$bin not built (meson setup $BUILD_DIR -Dbuildtype=release -Db_ndebug=true && ninja -C $BUILD_DIR)"
  HUIZONG_LISTEN="127.0.0.1:$port" "$bin" >"$WORK/huizongd.log" 2>&1 &
  SERVER_PID=$!
  for ((i = 0; i < 100; i++)); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return; fi
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/huizongd.log" >&2; die "huizongd exited at start"; }
    sleep 0.1
  done
  die "huizongd did not listen on 127.0.0.1:$port within 10 s"
}

# Both protocols answer a real success: native with grpcio (grpc-status 0 in
# the trailers), gRPC-Web on a raw HTTP/1.1 socket (SERVING, then the 0x80
# trailer frame with grpc-status:0), which h2load's 2xx counts cannot show.
verify() {
  "$PY" - "$1" <<'PYEOF' || die "a verifying Health/Check call failed"
import socket, sys, grpc
port = int(sys.argv[1])
with grpc.insecure_channel("127.0.0.1:%d" % port) as ch:
    body, call = ch.unary_unary("/grpc.health.v1.Health/Check").with_call(b"", timeout=5)
    assert call.code() == grpc.StatusCode.OK and body == b"\x08\x01", (call.code(), body)
s = socket.create_connection(("127.0.0.1", port), timeout=5)
s.sendall(b"POST /grpc.health.v1.Health/Check HTTP/1.1\r\nHost: x\r\n"
          b"Content-Type: application/grpc-web+proto\r\nContent-Length: 5\r\n"
          b"Connection: close\r\n\r\n\x00\x00\x00\x00\x00")
got = b""
while True:
    d = s.recv(65536)
    if not d:
        break
    got += d
assert got.startswith(b"HTTP/1.1 200 "), got
assert b"\x00\x00\x00\x00\x02\x08\x01" in got and b"grpc-status:0\r\n" in got, got
PYEOF
  note "native and gRPC-Web Check -> OK, SERVING"
}

# run KIND N OUT: one h2load run (KIND web or native); fails unless every
# request succeeded with 2xx.
run() {
  local kind="$1" n="$2" out="$3" args
  if [[ $kind == web ]]; then
    args=(--h1 -H 'content-type: application/grpc-web+proto' -H 'x-grpc-web: 1')
  else
    args=(-H 'content-type: application/grpc' -H 'te: trailers')
  fi
  timeout "$RUN_TIMEOUT" h2load -n "$n" -c "$CONNS" -m "$STREAMS" -t "$THREADS" "${args[@]}" \
    -d "$WORK/health_request.bin" "http://127.0.0.1:$PORT$METHOD_PATH" >"$out" 2>&1 ||
    { tail -n 20 "$out" >&2; die "h2load ($kind) failed or timed out"; }
  local succeeded ok2xx
  succeeded=$(sed -n 's/^requests: .* \([0-9][0-9]*\) succeeded.*/\1/p' "$out")
  ok2xx=$(sed -n 's/^status codes: \([0-9][0-9]*\) 2xx.*/\1/p' "$out")
  [[ "$succeeded" == "$n" && "$ok2xx" == "$n" ]] ||
    { grep -E '^(requests|status codes):' "$out" >&2; die "$kind: not all $n requests succeeded with 2xx"; }
}

rate_of() {
  sed -n 's/^finished in .*, \([0-9.]*\) req\/s.*/\1/p' "$1"
}

median() {
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

main() {
  command -v h2load >/dev/null || die "h2load not found (apt-get install nghttp2-client)"
  "$PY" -c 'import grpc' 2>/dev/null || die "$PY cannot import grpc (apt-get install python3-grpcio)"
  mkdir -p "$WORK"
  PORT=$(free_port)
  start_huizongd "$PORT"
  # Empty HealthCheckRequest: one uncompressed frame of length 0, the same
  # bytes for gRPC-Web (binary) and native gRPC.
  printf '\x00\x00\x00\x00\x00' >"$WORK/health_request.bin"
  verify "$PORT"

  note "warm-up: $WARMUP_REQUESTS requests each"
  run native "$WARMUP_REQUESTS" "$WORK/warmup-native.txt"
  run web "$WARMUP_REQUESTS" "$WORK/warmup-web.txt"
  local slow n
  slow=$(printf '%s\n%s\n' "$(rate_of "$WORK/warmup-native.txt")" "$(rate_of "$WORK/warmup-web.txt")" | sort -g | head -n 1)
  n=$(awk -v r="$slow" -v s="$TARGET_SECONDS" -v lo="$MIN_REQUESTS" -v hi="$MAX_REQUESTS" \
    'BEGIN { n = int(r * s / 1000) * 1000; if (n < lo) n = lo; if (n > hi) n = hi; print n }')

  echo "h2load $(h2load --version | awk '{ print $2; exit }'): -n $n -c $CONNS -m $STREAMS -t $THREADS, POST $METHOD_PATH, empty request; $ROUNDS rounds, order alternating"
  local web_rates=() native_rates=() round k rate
  for ((round = 1; round <= ROUNDS; round++)); do
    local order=(native web)
    (( round % 2 == 0 )) && order=(web native)
    for k in "${order[@]}"; do
      run "$k" "$n" "$WORK/run-$round-$k.txt"
      rate=$(rate_of "$WORK/run-$round-$k.txt")
      printf '  round %d  %-26s %10.0f req/s\n' "$round" \
        "$([[ $k == web ]] && echo 'gRPC-Web, HTTP/1.1' || echo 'native gRPC, HTTP/2')" "$rate"
      if [[ $k == web ]]; then web_rates+=("$rate"); else native_rates+=("$rate"); fi
    done
  done

  local web_med native_med ratio verdict
  web_med=$(median "${web_rates[@]}")
  native_med=$(median "${native_rates[@]}")
  ratio=$(awk -v a="$web_med" -v b="$native_med" 'BEGIN { printf "%.2f", a / b }')
  verdict=$(awk -v r="$ratio" -v b="$BUDGET_RATIO" 'BEGIN { print (r >= b) ? "PASS" : "FAIL" }')
  printf '%-26s %10.0f req/s (median of %d)\n' "gRPC-Web over HTTP/1.1" "$web_med" "$ROUNDS"
  printf '%-26s %10.0f req/s (median of %d)\n' "native gRPC over HTTP/2" "$native_med" "$ROUNDS"
  echo "ratio gRPC-Web/native: $ratio"
  echo "budget: ratio >= $BUDGET_RATIO ... $verdict"
}

main "$@"
