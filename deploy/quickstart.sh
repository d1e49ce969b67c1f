#!/usr/bin/env bash
# Quick start: build huizong and run huizongd with its defaults in the
# background (127.0.0.1:50051), state under .hz/ in the repository.
#
#   ./deploy/quickstart.sh          build, (database,) start, wait for SERVING,
#                                   load the demo county and print its rollups
#   ./deploy/quickstart.sh stop     stop what the quick start started
#   ./deploy/quickstart.sh status   say whether it is running
#   ./deploy/quickstart.sh demo     (re)load the demo into the running server
#
# Without DATABASE_URL, and once huizongd has its `migrate` subcommand, a
# private PostgreSQL cluster is started under .hz/pg (deploy/pg.sh) and
# migrated. When the server has a database, the demo county of
# deploy/demo/ (南漳县 with the two seed reports) is loaded with an admin
# token kept in .hz/ (HZ_DEMO=0 skips it). HUIZONG_LISTEN overrides the
# listen address, HZ_BUILD_DIR the build directory (default build).
set -euo pipefail

cd "$(dirname "$0")/.."
readonly ROOT=$PWD
readonly BUILD_DIR=${HZ_BUILD_DIR:-build}
readonly STATE_DIR="$ROOT/.hz"
readonly PID_FILE="$STATE_DIR/huizongd.pid"
readonly LOG_FILE="$STATE_DIR/huizongd.log"
readonly PG_DIR="$STATE_DIR/pg"
readonly HUIZONGD="$ROOT/$BUILD_DIR/service/huizongd"
readonly CLI="$ROOT/$BUILD_DIR/client/huizong"
readonly LISTEN=${HUIZONG_LISTEN:-127.0.0.1:50051}
readonly START_WAIT_S=15
readonly STOP_WAIT_S=20
readonly MIGRATE_WAIT_S=300
readonly DEMO_STATE="$STATE_DIR/demo"

say() { echo "quickstart: $*" >&2; }
die() { say "$*"; exit 1; }

running_pid() {
  local pid
  [[ -f "$PID_FILE" ]] || return 1
  pid=$(<"$PID_FILE")
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  # A recycled pid belonging to something else is not ours to signal.
  [[ "$(readlink "/proc/$pid/exe" 2>/dev/null)" == "$(readlink -f "$HUIZONGD")"* ]] || return 1
  echo "$pid"
}

build() {
  if ! command -v meson >/dev/null || ! command -v ninja >/dev/null; then
    die "meson/ninja missing: run ./deploy/test.sh once (it installs the packages) or apt-get install meson ninja-build"
  fi
  if [[ ! -f "$BUILD_DIR/meson-private/coredata.dat" ]]; then
    meson setup "$BUILD_DIR" >&2
  fi
  ninja -C "$BUILD_DIR" >&2
  [[ -x "$HUIZONGD" ]] || die "$HUIZONGD was not built"
}

# The database part switches itself on when huizongd learns `migrate` and
# there are migrations to apply.
has_migrate() {
  local help
  help=$("$HUIZONGD" --help 2>&1 || true)
  grep -q migrate <<<"$help" && compgen -G "$ROOT/migrations/*.sql" >/dev/null
}

# Sets DATABASE_URL for huizongd: the caller's, or the private cluster's.
prepare_database() {
  if [[ -n "${DATABASE_URL:-}" ]]; then
    say "using DATABASE_URL from the environment"
  elif has_migrate; then
    local line
    line=$("$ROOT/deploy/pg.sh" start "$PG_DIR" | grep '^DATABASE_URL=')
    export DATABASE_URL="${line#DATABASE_URL=}"
    say "private PostgreSQL under $PG_DIR"
  else
    say "this huizongd has no database yet; starting without one"
    return 0
  fi
  if has_migrate; then
    timeout "$MIGRATE_WAIT_S" "$HUIZONGD" migrate >&2 || die "huizongd migrate failed"
  fi
}

# One health check: our CLI, or grpcio while the CLI is not built yet.
health_answer() {
  if [[ -x "$CLI" ]]; then
    HUIZONG_ADDR="$LISTEN" timeout 5 "$CLI" health 2>&1 || true
  elif /usr/bin/python3 -c 'import grpc' 2>/dev/null; then
    timeout 5 /usr/bin/python3 - "$LISTEN" <<'EOF' 2>&1 || true
import sys, grpc
with grpc.insecure_channel(sys.argv[1]) as ch:
    body = ch.unary_unary("/grpc.health.v1.Health/Check")(b"", timeout=3)
    print({b"\x08\x01": "SERVING", b"\x08\x02": "NOT_SERVING"}.get(body, "UNKNOWN"))
EOF
  else
    echo "no $CLI and no python3-grpcio to ask with"
  fi
}

wait_serving() {
  local pid="$1" i out=""
  for ((i = 0; i < START_WAIT_S * 5; i++)); do
    kill -0 "$pid" 2>/dev/null ||
      { tail -n 20 "$LOG_FILE" >&2; die "huizongd exited; log: $LOG_FILE"; }
    out=$(health_answer)
    if grep -qw SERVING <<<"$out"; then return 0; fi
    sleep 0.2
  done
  die "huizongd did not answer SERVING within ${START_WAIT_S}s (last answer: $out); log: $LOG_FILE"
}

# The admin token the demo loads with, created once per database by the
# local operator command and kept owner-only under .hz/.
demo_admin_token() {
  local file
  file="$STATE_DIR/admin-$(printf '%s' "$DATABASE_URL" | sha256sum | cut -c1-12).token"
  if [[ ! -s "$file" ]]; then
    (umask 077; "$HUIZONGD" token create --role admin --name quickstart-demo >"$file.new") ||
      { rm -f "$file.new"; return 1; }
    mv "$file.new" "$file"
  fi
  cat "$file"
}

load_demo() {
  local token
  token=$(demo_admin_token) || { say "could not create an admin token for the demo"; return 1; }
  say "loading the demo county (deploy/demo/load.sh)"
  HZ_BUILD_DIR="$BUILD_DIR" HZ_DEMO_STATE="$DEMO_STATE" \
    "$ROOT/deploy/demo/load.sh" "$LISTEN" "$token"
}

# Loads the demo when the server has a database; a failure leaves the
# server running and makes the quick start exit 1.
maybe_load_demo() {
  [[ -n "${DATABASE_URL:-}" && "${HZ_DEMO:-1}" != 0 ]] || return 0
  load_demo || die "the demo was not loaded (huizongd keeps running; ./deploy/quickstart.sh stop stops it)"
  cat <<EOF

demo county loaded; its tokens are in $DEMO_STATE (county: 420624.token), e.g.
  HUIZONG_ADDR=$LISTEN HUIZONG_TOKEN=\$(cat $DEMO_STATE/420624.token) $BUILD_DIR/client/huizong rollup --region 420624 --period 2022Q1 --by children
stop with: ./deploy/quickstart.sh stop
EOF
}

print_howto() {
  cat <<EOF

huizongd is running (pid $1) on $LISTEN; log: $LOG_FILE
  HUIZONG_ADDR=$LISTEN $BUILD_DIR/client/huizong health
  grpcurl -plaintext $LISTEN list            # server reflection
  grpcurl -plaintext $LISTEN grpc.health.v1.Health/Check
EOF
  if [[ -n "${DATABASE_URL:-}" ]]; then
    echo "  psql \"\$($ROOT/deploy/pg.sh url $PG_DIR)\"   # the private database"
  fi
  echo "stop with: ./deploy/quickstart.sh stop"
}

cmd_start() {
  local pid
  if pid=$(running_pid); then
    say "already running"
    print_howto "$pid"
    return
  fi
  build
  mkdir -p "$STATE_DIR"
  # deploy/pg.sh runs PostgreSQL as user postgres, who must reach .hz/pg.
  chmod 755 "$STATE_DIR"
  prepare_database
  say "starting huizongd on $LISTEN"
  HUIZONG_LISTEN="$LISTEN" setsid "$HUIZONGD" >>"$LOG_FILE" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$PID_FILE"
  wait_serving "$pid"
  print_howto "$pid"
  maybe_load_demo
}

cmd_stop() {
  local pid i
  if pid=$(running_pid); then
    kill -TERM "$pid"
    for ((i = 0; i < STOP_WAIT_S * 10; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      say "huizongd $pid ignored SIGTERM for ${STOP_WAIT_S}s; killing it"
      kill -KILL "$pid"
    fi
    say "stopped huizongd ($pid)"
  else
    say "huizongd is not running"
  fi
  rm -f "$PID_FILE"
  if [[ -d "$PG_DIR" ]]; then
    "$ROOT/deploy/pg.sh" stop "$PG_DIR"
  fi
}

cmd_demo() {
  running_pid >/dev/null || die "huizongd is not running: ./deploy/quickstart.sh first"
  if [[ -z "${DATABASE_URL:-}" ]]; then
    [[ -f "$PG_DIR/port" ]] || die "no DATABASE_URL and no private cluster under $PG_DIR"
    DATABASE_URL=$("$ROOT/deploy/pg.sh" url "$PG_DIR")
    export DATABASE_URL
  fi
  HZ_DEMO=1 maybe_load_demo
}

cmd_status() {
  local pid
  if pid=$(running_pid); then
    say "huizongd running (pid $pid) on $LISTEN"
  else
    say "huizongd not running"
    return 1
  fi
}

case "${1:-start}" in
  start)  cmd_start ;;
  stop)   cmd_stop ;;
  status) cmd_status ;;
  demo)   cmd_demo ;;
  *)      sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
