#!/usr/bin/env bash
# Quick start: install what is missing, build huizong and run huizongd with
# its defaults in the background (127.0.0.1:50051), state under .hz/.
#
#   ./deploy/quickstart.sh          packages, build, database, start, wait for
#                                   SERVING, load the demo county, print rollups
#   ./deploy/quickstart.sh stop     stop what the quick start started
#   ./deploy/quickstart.sh status   say whether it is running, and where
#   ./deploy/quickstart.sh demo     (re)load the demo into the running server
#   ./deploy/quickstart.sh clean    stop, then delete its state and database
#
# Packages: the "build" and "db" roles of deploy/debian-packages. As root the
# missing ones are installed (apt-get update + install -y); otherwise, or
# with HZ_SKIP_APT=1, the script names them and exits 1.
# Database: DATABASE_URL if set; else a private PostgreSQL cluster
# (deploy/pg.sh), migrated. As root it runs as user postgres and lives in
# /var/tmp/huizong-<hash of this checkout's path>/pg, which postgres can
# reach wherever the checkout is; otherwise in .hz/pg, as the invoking user.
# The demo county of deploy/demo/ (南漳县, the two seed reports, its
# validation rules) is loaded with an admin token kept owner-only in .hz/
# (HZ_DEMO=0 skips it); the load shows a submission an ERROR rule refuses
# and a warning accepted with its explanation (dry runs: nothing stored).
# HUIZONG_LISTEN sets the listen address, HZ_BUILD_DIR the build directory
# (default build; relative to the checkout or absolute). The web console
# (client/web) is built first when npm is there; HZ_SKIP_CONSOLE=1 skips it.
set -euo pipefail

cd "$(dirname "$0")/.."
readonly ROOT=$PWD
# shellcheck source=deploy/packages.sh
. "$ROOT/deploy/packages.sh"
BUILD_DIR=${HZ_BUILD_DIR:-build}
[[ "$BUILD_DIR" == /* ]] || BUILD_DIR="$ROOT/$BUILD_DIR"
readonly BUILD_DIR
readonly STATE_DIR="$ROOT/.hz"
readonly PID_FILE="$STATE_DIR/huizongd.pid"
# The address huizongd reported in its "listening on" line.
readonly ADDR_FILE="$STATE_DIR/huizongd.addr"
readonly LOG_FILE="$STATE_DIR/huizongd.log"
readonly HUIZONGD="$BUILD_DIR/service/huizongd"
readonly CLI="$BUILD_DIR/client/huizong"
readonly LISTEN=${HUIZONG_LISTEN:-127.0.0.1:50051}
readonly START_WAIT_S=15
readonly STOP_WAIT_S=20
readonly MIGRATE_WAIT_S=300
readonly DEMO_STATE="$STATE_DIR/demo"
# Why outside the checkout as root: PostgreSQL runs as user postgres, who
# cannot enter a checkout under /root (0700) or any other private home.
CHECKOUT_HASH=$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)
readonly CHECKOUT_HASH
if [[ $EUID -eq 0 ]]; then
  readonly PG_PARENT="/var/tmp/huizong-$CHECKOUT_HASH"
  readonly PG_DIR="$PG_PARENT/pg"
else
  readonly PG_PARENT=""
  readonly PG_DIR="$STATE_DIR/pg"
fi
# Where quick starts before this layout kept the cluster, also as root.
readonly OLD_PG_DIR="$STATE_DIR/pg"

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

# The address the running server listens on (its own report), else LISTEN.
served_addr() {
  if [[ -s "$ADDR_FILE" ]]; then cat "$ADDR_FILE"; else echo "$LISTEN"; fi
}

# Installs the missing packages of the roles this run needs, as root; names
# them and stops otherwise.
ensure_packages() {
  local roles=(build) missing
  [[ -n "${DATABASE_URL:-}" ]] || roles+=(db)
  missing=$(hz_missing_packages "${roles[@]}" | tr '\n' ' ')
  missing=${missing% }
  [[ -n "$missing" ]] || return 0
  if [[ $EUID -ne 0 || "${HZ_SKIP_APT:-0}" == 1 ]]; then
    die "missing Debian packages: $missing
  install them as root:  apt-get update && apt-get install -y --no-install-recommends $missing
  (or run ./deploy/quickstart.sh as root, which installs them itself)"
  fi
  say "installing $missing (roles ${roles[*]} of $HZ_PACKAGES_FILE)"
  # shellcheck disable=SC2086 # one word per package on purpose
  hz_apt_install $missing || die "apt-get could not install: $missing"
}

# The web console: built when npm is there and its sources are newer than
# client/web/dist; without it huizongd still runs (404 at / says how).
# Prints "rebuilt" when dist changed, since meson lists the embedded files.
build_console() {
  local web="$ROOT/client/web"
  [[ "${HZ_SKIP_CONSOLE:-0}" == 1 ]] && return 0
  if ! command -v npm >/dev/null 2>&1; then
    say "npm not found: the web console is not built (Node.js >= 20.19 with npm builds it)"
    return 0
  fi
  if [[ -f "$web/dist/index.html" ]] && [[ -z "$(find "$web/src" "$web/index.html" "$web/package-lock.json" \
       "$ROOT/proto/huizong" -newer "$web/dist/index.html" -print -quit)" ]]; then
    return 0
  fi
  say "building the web console (client/web: npm ci && npm run build)"
  if (cd "$web" && npm ci --no-audit --no-fund && npm run build) >&2; then
    echo rebuilt
  else
    say "the web console did not build; huizongd runs without it"
  fi
}

build() {
  local console
  console=$(build_console)
  if [[ ! -f "$BUILD_DIR/meson-private/coredata.dat" ]]; then
    meson setup "$BUILD_DIR" >&2
  elif [[ "$console" == rebuilt ]]; then
    meson setup --reconfigure "$BUILD_DIR" >&2
  fi
  ninja -C "$BUILD_DIR" >&2
  [[ -x "$HUIZONGD" ]] || die "$HUIZONGD was not built"
}

# As root the cluster's parent is a fixed name in world-writable /var/tmp:
# it must be root's, not writable by others and not a link, or someone else
# could have planted it.
ensure_pg_parent() {
  [[ -n "$PG_PARENT" ]] || return 0
  [[ -e "$PG_PARENT" || -L "$PG_PARENT" ]] || mkdir -m 0755 "$PG_PARENT"
  local who
  who=$(stat -c '%u %a' "$PG_PARENT")
  if [[ -L "$PG_PARENT" || ! -d "$PG_PARENT" || "${who% *}" != 0 ]] ||
     (( 8#${who#* } & 8#022 )); then
    die "$PG_PARENT is not a directory that only root can write; remove it and run again"
  fi
}

# Sets DATABASE_URL for huizongd: the caller's, or the private cluster's.
prepare_database() {
  if [[ -n "${DATABASE_URL:-}" ]]; then
    say "using DATABASE_URL from the environment"
  else
    ensure_pg_parent
    local line
    line=$("$ROOT/deploy/pg.sh" start "$PG_DIR" | grep '^DATABASE_URL=')
    export DATABASE_URL="${line#DATABASE_URL=}"
    say "private PostgreSQL cluster in $PG_DIR"
  fi
  timeout "$MIGRATE_WAIT_S" "$HUIZONGD" migrate >&2 || die "huizongd migrate failed"
}

# The host of LISTEN to connect to; a wildcard host means this machine.
listen_host() {
  local h=${LISTEN%:*}
  h=${h#[}
  h=${h%]}
  case "$h" in
    0.0.0.0 | "") h=127.0.0.1 ;;
    ::) h=::1 ;;
  esac
  echo "$h"
}

port_taken_help() {
  echo "choose another address with HUIZONG_LISTEN, e.g." \
    "HUIZONG_LISTEN=127.0.0.1:$((${LISTEN##*:} + 1)) ./deploy/quickstart.sh"
}

# A cheap early refusal when something already accepts on LISTEN. The
# authoritative check is our own process's "listening on" line
# (wait_listening): a port can be bound without accepting, or taken later.
refuse_taken_port() {
  # Bounded: a connect to an unreachable non-local address could hang.
  # shellcheck disable=SC2016 # $1 and $2 belong to the inner shell
  if timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$(listen_host)" "${LISTEN##*:}" 2>/dev/null; then
    die "$LISTEN is taken: another process accepts connections on port ${LISTEN##*:};
  $(port_taken_help)"
  fi
}

# Waits for this run's "listening on ADDR" line while our pid is alive and
# prints ADDR. Log bytes before FROM belong to earlier runs.
wait_listening() {
  local pid="$1" from="$2" i fresh addr alive
  for ((i = 0; i < START_WAIT_S * 5; i++)); do
    # Liveness first: the log read after it holds all a dead pid wrote.
    alive=1
    kill -0 "$pid" 2>/dev/null || alive=0
    fresh=$(tail -c "+$((from + 1))" "$LOG_FILE" 2>/dev/null || true)
    addr=$(sed -n 's/.*listening on \([^ ]*\) (.*/\1/p' <<<"$fresh" | tail -n 1)
    if ((!alive)); then
      rm -f "$PID_FILE" "$ADDR_FILE"
      printf '%s\n' "$fresh" | tail -n 20 >&2
      if grep -qi "address already in use" <<<"$fresh"; then
        die "huizongd could not listen on $LISTEN: port ${LISTEN##*:} is taken by another process;
  $(port_taken_help)"
      fi
      die "huizongd exited before it was serving; log: $LOG_FILE"
    fi
    if [[ -n "$addr" ]]; then
      echo "$addr"
      return 0
    fi
    sleep 0.2
  done
  stop_daemon
  die "huizongd did not report listening on $LISTEN within ${START_WAIT_S}s; log: $LOG_FILE"
}

# One health check of ADDR: our CLI, or grpcio while the CLI is not built.
health_answer() {
  local addr="$1"
  if [[ -x "$CLI" ]]; then
    HUIZONG_ADDR="$addr" timeout 5 "$CLI" health 2>&1 || true
  elif /usr/bin/python3 -c 'import grpc' 2>/dev/null; then
    timeout 5 /usr/bin/python3 - "$addr" <<'PY' 2>&1 || true
import sys, grpc
with grpc.insecure_channel(sys.argv[1]) as ch:
    body = ch.unary_unary("/grpc.health.v1.Health/Check")(b"", timeout=3)
    print({b"\x08\x01": "SERVING", b"\x08\x02": "NOT_SERVING"}.get(body, "UNKNOWN"))
PY
  else
    echo "no $CLI and no python3-grpcio to ask with"
  fi
}

wait_serving() {
  local pid="$1" addr="$2" i out=""
  for ((i = 0; i < START_WAIT_S * 5; i++)); do
    kill -0 "$pid" 2>/dev/null ||
      { tail -n 20 "$LOG_FILE" >&2; die "huizongd exited; log: $LOG_FILE"; }
    out=$(health_answer "$addr")
    if grep -qw SERVING <<<"$out"; then return 0; fi
    sleep 0.2
  done
  die "huizongd did not answer SERVING within ${START_WAIT_S}s (last answer: $out); log: $LOG_FILE"
}

admin_token_file() {
  echo "$STATE_DIR/admin-$(printf '%s' "$DATABASE_URL" | sha256sum | cut -c1-12).token"
}

# The admin token the demo loads with, created once per database by the
# local operator command and kept owner-only under .hz/.
demo_admin_token() {
  local file
  file=$(admin_token_file)
  if [[ ! -s "$file" ]]; then
    (umask 077; "$HUIZONGD" token create --role admin --name quickstart-demo >"$file.new") ||
      { rm -f "$file.new"; return 1; }
    mv "$file.new" "$file"
    say "the admin token is stored in $file (owner-only)"
  fi
  cat "$file"
}

load_demo() {
  local token
  token=$(demo_admin_token) || { say "could not create an admin token for the demo"; return 1; }
  say "loading the demo county (deploy/demo/load.sh)"
  HZ_BIN_DIR="$BUILD_DIR/client" HZ_DEMO_STATE="$DEMO_STATE" \
    "$ROOT/deploy/demo/load.sh" "$(served_addr)" "$token"
}

# Loads the demo when the server has a database; a failure leaves the
# server running and makes the quick start exit 1.
maybe_load_demo() {
  [[ -n "${DATABASE_URL:-}" && "${HZ_DEMO:-1}" != 0 ]] || return 0
  load_demo || die "the demo was not loaded (huizongd keeps running; ./deploy/quickstart.sh stop stops it)"
  cat <<EOF

demo county loaded; its tokens are in $DEMO_STATE (county: 420624.token), e.g.
  HUIZONG_ADDR=$(served_addr) HUIZONG_TOKEN=\$(cat $DEMO_STATE/420624.token) $CLI rollup --region 420624 --period 2022Q1 --by children
admin token: $(admin_token_file)   (HUIZONG_TOKEN=\$(cat $(admin_token_file)) for huizong-admin)

web console: http://$(served_addr)/   sign in by pasting the contents of a token file:
  county 南漳县 (dashboard, approval):  $DEMO_STATE/420624.token
      then http://$(served_addr)/dashboard?region=420624&period=2022Q1&indicator=fai
  township 九集镇 (填报):               $DEMO_STATE/420624102.token
  township 武安镇 (填报):               $DEMO_STATE/420624101.token
  admin (audit log, tokens):           $(admin_token_file)
stop with: ./deploy/quickstart.sh stop
EOF
}

# Tools a newcomer can install on Debian 12: our CLI, buf curl (npm) and
# python3-grpcio (grpcurl is packaged in neither Debian nor npm).
print_howto() {
  local addr
  addr=$(served_addr)
  cat <<EOF

huizongd is running (pid $1) on $addr; log: $LOG_FILE
  HUIZONG_ADDR=$addr $CLI health
any gRPC client works, with server reflection; for example
  buf curl (npm install -g @bufbuild/buf):
    buf curl --protocol grpc --http2-prior-knowledge --list-methods http://$addr
    buf curl --protocol grpc --http2-prior-knowledge http://$addr/grpc.health.v1.Health/Check
  python3-grpcio (apt-get install python3-grpcio); b'\\x08\\x01' is SERVING:
    python3 -c 'import grpc; print(grpc.insecure_channel("$addr").unary_unary("/grpc.health.v1.Health/Check")(b"", timeout=5))'
EOF
  if [[ -f "$PG_DIR/port" ]]; then
    echo "  psql \"\$($ROOT/deploy/pg.sh url $PG_DIR)\"   # the private database, in $PG_DIR"
  fi
  echo "stop with: ./deploy/quickstart.sh stop"
}

start_daemon() {
  local pid from addr
  from=$(stat -c %s "$LOG_FILE" 2>/dev/null || echo 0)
  say "starting huizongd on $LISTEN"
  HUIZONG_LISTEN="$LISTEN" setsid "$HUIZONGD" >>"$LOG_FILE" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$PID_FILE"
  addr=$(wait_listening "$pid" "$from")
  echo "$addr" >"$ADDR_FILE"
  wait_serving "$pid" "$addr"
  print_howto "$pid"
}

cmd_start() {
  local pid
  if pid=$(running_pid); then
    say "already running"
    print_howto "$pid"
    return
  fi
  refuse_taken_port
  ensure_packages
  build
  mkdir -p "$STATE_DIR"
  # Tokens and the log live here: owner-only.
  chmod 700 "$STATE_DIR"
  prepare_database
  start_daemon
  maybe_load_demo
}

stop_daemon() {
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
  rm -f "$PID_FILE" "$ADDR_FILE"
}

cmd_stop() {
  local dir
  stop_daemon
  for dir in "$PG_DIR" "$OLD_PG_DIR"; do
    if [[ -f "$dir/data/PG_VERSION" ]]; then
      "$ROOT/deploy/pg.sh" stop "$dir"
    fi
  done
}

cmd_clean() {
  local dir
  cmd_stop
  for dir in "$PG_DIR" "$OLD_PG_DIR"; do
    if [[ -e "$dir" ]]; then
      "$ROOT/deploy/pg.sh" remove "$dir"
    fi
  done
  if [[ -n "$PG_PARENT" && -d "$PG_PARENT" ]]; then
    rmdir "$PG_PARENT" || say "left $PG_PARENT: it holds more than the cluster"
  fi
  rm -rf "$STATE_DIR"
  say "removed $STATE_DIR${PG_PARENT:+ and $PG_PARENT}"
}

cmd_demo() {
  running_pid >/dev/null || die "huizongd is not running: ./deploy/quickstart.sh first"
  if [[ -z "${DATABASE_URL:-}" ]]; then
    [[ -f "$PG_DIR/port" ]] || die "no DATABASE_URL and no private cluster in $PG_DIR"
    DATABASE_URL=$("$ROOT/deploy/pg.sh" url "$PG_DIR")
    export DATABASE_URL
  fi
  HZ_DEMO=1 maybe_load_demo
}

cmd_status() {
  local pid
  if pid=$(running_pid); then
    say "huizongd running (pid $pid) on $(served_addr)"
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
  clean)  cmd_clean ;;
  *)      sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
