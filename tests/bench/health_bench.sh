#!/usr/bin/env bash
# Unary throughput benchmark: h2load drives grpc.health.v1.Health/Check on
# huizongd and on a gRPC C++ synchronous reference server (Debian
# libgrpc++-dev) in the same run with the same settings, and prints both
# req/s and the ratio against the budget (huizongd >= 2x grpc++).
#
#   tests/bench/health_bench.sh [BUILD_DIR]        (default BUILD_DIR: build)
#
# BUILD_DIR must hold a built service/huizongd (meson/ninja). The reference
# server is compiled here into BUILD_DIR/bench/. A figure-printing program,
# not a test: it exits 0 when every run completed with every request
# answered, whatever the ratio; non-zero when a run went wrong.
#
# Environment (defaults in brackets):
#   HZ_BENCH_CONNS [16] HZ_BENCH_STREAMS [16] HZ_BENCH_THREADS [2]
#                           h2load -c / -m / -t
#   HZ_BENCH_SECONDS [10]   target length of one measured run; sets -n
#   HZ_BENCH_ROUNDS [3]     measured runs per server, order alternating
#   HZ_BENCH_SERVER_THREADS huizongd --threads (unset: its default, the
#                           cores available); run it with 1 and with 2 to
#                           compare one event loop against two
#   HZ_BENCH_SELFTEST=1     measure a second grpc++ server in huizongd's
#                           place (checks this script without huizongd)
set -euo pipefail

SRC_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
readonly SRC_ROOT
BUILD_DIR=${1:-build}
[[ "$BUILD_DIR" == /* ]] || BUILD_DIR="$PWD/$BUILD_DIR"
readonly BUILD_DIR
readonly WORK="$BUILD_DIR/bench"
readonly CONNS=${HZ_BENCH_CONNS:-16}
readonly STREAMS=${HZ_BENCH_STREAMS:-16}
readonly THREADS=${HZ_BENCH_THREADS:-2}
readonly TARGET_SECONDS=${HZ_BENCH_SECONDS:-10}
readonly ROUNDS=${HZ_BENCH_ROUNDS:-3}
readonly WARMUP_REQUESTS=20000
readonly MIN_REQUESTS=20000
readonly MAX_REQUESTS=3000000
# No single h2load run may take longer than this, whatever the server does.
readonly RUN_TIMEOUT=120
readonly BUDGET_RATIO=2
readonly METHOD_PATH=/grpc.health.v1.Health/Check
readonly PY=/usr/bin/python3

PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() { echo "health_bench: $*" >&2; exit 1; }
note() { echo "health_bench: $*" >&2; }

need() {
  command -v "$1" >/dev/null 2>&1 || die "$1 not found (apt-get install $2)"
}

check_tools() {
  need h2load nghttp2-client
  need g++ g++
  need protoc protobuf-compiler
  [[ -x /usr/bin/grpc_cpp_plugin ]] || die "grpc_cpp_plugin not found (apt-get install protobuf-compiler-grpc)"
  pkg-config --exists grpc++ protobuf || die "grpc++ not found by pkg-config (apt-get install libgrpc++-dev)"
  if ! "$PY" -c 'import grpc' 2>/dev/null; then
    die "$PY cannot import grpc (apt-get install python3-grpcio)"
  fi
}

# Compiles the reference server when its sources are newer than the binary.
build_reference() {
  local bin="$WORK/ref_health_server" gen="$WORK/gen"
  local src="$SRC_ROOT/tests/bench/ref_health_server.cc"
  local proto="$SRC_ROOT/proto/grpc/health/v1/health.proto"
  if [[ -x "$bin" && "$bin" -nt "$src" && "$bin" -nt "$proto" ]]; then
    return
  fi
  note "building the grpc++ reference server"
  mkdir -p "$gen"
  protoc -I"$SRC_ROOT/proto" --cpp_out="$gen" --grpc_out="$gen" \
    --plugin=protoc-gen-grpc=/usr/bin/grpc_cpp_plugin grpc/health/v1/health.proto
  # shellcheck disable=SC2046 # pkg-config output is a word list
  g++ -std=c++17 -O2 -Wall -Wextra -I"$gen" "$src" \
    "$gen/grpc/health/v1/health.pb.cc" "$gen/grpc/health/v1/health.grpc.pb.cc" \
    $(pkg-config --cflags --libs grpc++ protobuf) -o "$bin.tmp"
  mv "$bin.tmp" "$bin"
}

free_port() {
  "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start_server NAME PORT CMD...: runs CMD in the background, logs to WORK.
start_server() {
  local name="$1" port="$2"; shift 2
  "$@" >"$WORK/$name.log" 2>&1 &
  PIDS+=("$!")
  local i
  for ((i = 0; i < 100; i++)); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return; fi
    kill -0 "$!" 2>/dev/null || { cat "$WORK/$name.log" >&2; die "$name exited at start"; }
    sleep 0.1
  done
  die "$name did not listen on 127.0.0.1:$port within 10 s"
}

# One grpcio call proves the answer is a real gRPC success (grpc-status 0 in
# the trailers, body HealthCheckResponse{status: SERVING}), which h2load's
# HTTP status counts cannot show.
verify_grpc() {
  local name="$1" port="$2"
  "$PY" - "$port" <<'EOF' || die "$name: grpcio Health/Check did not return OK/SERVING"
import sys, grpc
with grpc.insecure_channel("127.0.0.1:" + sys.argv[1]) as ch:
    check = ch.unary_unary("/grpc.health.v1.Health/Check")
    body, call = check.with_call(b"", timeout=5)
    assert call.code() == grpc.StatusCode.OK, call.code()
    assert body == b"\x08\x01", body  # field 1 (status) = 1 (SERVING)
EOF
  note "$name: grpcio Check -> OK, SERVING"
}

# h2load_run PORT REQUESTS OUT: one h2load run; fails unless every request
# got a 2xx answer and succeeded.
h2load_run() {
  local port="$1" n="$2" out="$3"
  timeout "$RUN_TIMEOUT" h2load -n "$n" -c "$CONNS" -m "$STREAMS" -t "$THREADS" \
    -H 'content-type: application/grpc' -H 'te: trailers' -d "$WORK/health_request.bin" \
    "http://127.0.0.1:$port$METHOD_PATH" >"$out" 2>&1 ||
    { tail -n 20 "$out" >&2; die "h2load against port $port failed or timed out"; }
  local succeeded ok2xx
  succeeded=$(sed -n 's/^requests: .* \([0-9][0-9]*\) succeeded.*/\1/p' "$out")
  ok2xx=$(sed -n 's/^status codes: \([0-9][0-9]*\) 2xx.*/\1/p' "$out")
  [[ "$succeeded" == "$n" && "$ok2xx" == "$n" ]] ||
    { grep -E '^(requests|status codes):' "$out" >&2; die "port $port: not all $n requests succeeded with 2xx"; }
}

# Requests per second from an h2load log.
rate_of() {
  sed -n 's/^finished in .*, \([0-9.]*\) req\/s.*/\1/p' "$1"
}

median() {
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

main() {
  check_tools
  mkdir -p "$WORK"
  build_reference

  local subject_name=huizongd subject_bin="$BUILD_DIR/service/huizongd"
  local ref_port subject_port
  ref_port=$(free_port)
  subject_port=$(free_port)
  while [[ "$subject_port" == "$ref_port" ]]; do subject_port=$(free_port); done

  start_server grpcxx "$ref_port" "$WORK/ref_health_server" "$ref_port"
  if [[ "${HZ_BENCH_SELFTEST:-0}" == 1 ]]; then
    subject_name="grpc++#2"
    note "self-test: a second grpc++ reference server stands in for huizongd"
    start_server subject "$subject_port" "$WORK/ref_health_server" "$subject_port"
  else
    [[ -x "$subject_bin" ]] || die "$subject_bin not built (meson setup $BUILD_DIR && ninja -C $BUILD_DIR)"
    local threads=()
    [[ -n "${HZ_BENCH_SERVER_THREADS:-}" ]] && threads=(--threads "$HZ_BENCH_SERVER_THREADS")
    HUIZONG_LISTEN="127.0.0.1:$subject_port" start_server subject "$subject_port" "$subject_bin" \
      "${threads[@]}"
    note "huizongd loops: ${HZ_BENCH_SERVER_THREADS:-default ($(nproc) cores)}"
  fi

  # Empty HealthCheckRequest: uncompressed flag 0, length 0, no payload.
  printf '\x00\x00\x00\x00\x00' >"$WORK/health_request.bin"
  verify_grpc grpc++ "$ref_port"
  verify_grpc "$subject_name" "$subject_port"

  note "warm-up: $WARMUP_REQUESTS requests each"
  h2load_run "$ref_port" "$WARMUP_REQUESTS" "$WORK/warmup-ref.txt"
  h2load_run "$subject_port" "$WARMUP_REQUESTS" "$WORK/warmup-subject.txt"

  # Size -n so the slower server's run lasts about TARGET_SECONDS; both
  # servers then get exactly the same h2load command line.
  local slow n
  slow=$(printf '%s\n%s\n' "$(rate_of "$WORK/warmup-ref.txt")" "$(rate_of "$WORK/warmup-subject.txt")" | sort -g | head -n 1)
  n=$(awk -v r="$slow" -v s="$TARGET_SECONDS" -v lo="$MIN_REQUESTS" -v hi="$MAX_REQUESTS" \
    'BEGIN { n = int(r * s / 1000) * 1000; if (n < lo) n = lo; if (n > hi) n = hi; print n }')

  echo "h2load $(h2load --version | awk '{ print $2; exit }'): -n $n -c $CONNS -m $STREAMS -t $THREADS, POST $METHOD_PATH, empty request; $ROUNDS rounds, order alternating"
  local ref_rates=() subject_rates=() round r
  for ((round = 1; round <= ROUNDS; round++)); do
    local order=(ref subject)
    (( round % 2 == 0 )) && order=(subject ref)
    for r in "${order[@]}"; do
      local port=$ref_port label=grpc++
      [[ $r == subject ]] && { port=$subject_port; label=$subject_name; }
      h2load_run "$port" "$n" "$WORK/run-$round-$r.txt"
      local rate
      rate=$(rate_of "$WORK/run-$round-$r.txt")
      printf '  round %d  %-9s %10.0f req/s\n' "$round" "$label" "$rate"
      if [[ $r == ref ]]; then ref_rates+=("$rate"); else subject_rates+=("$rate"); fi
    done
  done

  local ref_med subject_med ratio verdict
  ref_med=$(median "${ref_rates[@]}")
  subject_med=$(median "${subject_rates[@]}")
  ratio=$(awk -v a="$subject_med" -v b="$ref_med" 'BEGIN { printf "%.2f", a / b }')
  verdict=$(awk -v r="$ratio" -v b="$BUDGET_RATIO" 'BEGIN { print (r >= b) ? "PASS" : "FAIL" }')
  printf '%-9s %10.0f req/s (median of %d)\n' "$subject_name" "$subject_med" "$ROUNDS"
  printf '%-9s %10.0f req/s (median of %d)\n' grpc++ "$ref_med" "$ROUNDS"
  echo "ratio $subject_name/grpc++: $ratio"
  echo "budget: ratio >= $BUDGET_RATIO ... $verdict"
}

main "$@"
