#!/usr/bin/env bash
# Private PostgreSQL cluster for tests, benchmarks and the quick start: one
# data directory, its own loopback port and socket directory, real fsync.
#
#   deploy/pg.sh start  DIR [PORT]   initdb if needed, start, create database
#                                    "huizong"; prints DATABASE_URL=... on stdout
#   deploy/pg.sh stop   DIR          fast shutdown (no-op when not running)
#   deploy/pg.sh remove DIR          stop, then delete DIR
#   deploy/pg.sh url    DIR          print the bare connection URL
#
# PostgreSQL refuses to run as root, so as root the cluster belongs to the
# "postgres" user and every server command goes through runuser. Progress goes
# to stderr; stdout carries only the URL so callers can capture it.
# PG_BINDIR overrides where initdb/pg_ctl/psql are looked up.
set -euo pipefail

readonly DB_NAME=huizong
readonly DB_USER=postgres
# Longest unix socket path the kernel accepts is 107 bytes; leave room.
readonly SOCK_PATH_MAX=100

die() { echo "pg.sh: $*" >&2; exit 1; }
log() { echo "pg.sh: $*" >&2; }

usage() {
  sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

find_bindir() {
  if [[ -n "${PG_BINDIR:-}" ]]; then
    [[ -x "$PG_BINDIR/pg_ctl" ]] || die "PG_BINDIR=$PG_BINDIR has no pg_ctl"
    echo "$PG_BINDIR"; return
  fi
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [[ -n "$d" && -x "$d/pg_ctl" ]] ||
    die "no PostgreSQL server found under /usr/lib/postgresql/*/bin (apt-get install postgresql)"
  echo "$d"
}

# Run a command as the cluster owner: postgres when we are root, else us.
# From /, since postgres may not be allowed into the caller's directory.
as_owner() {
  if [[ $EUID -eq 0 ]]; then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

free_port() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
    return
  fi
  local p i
  for ((i = 0; i < 50; i++)); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
  die "could not find a free port"
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

is_running() {
  [[ -f "$DATA/PG_VERSION" ]] && as_owner "$BIN/pg_ctl" status -D "$DATA" >/dev/null 2>&1
}

read_state() {
  [[ -f "$DIR/port" && -f "$DIR/password" ]] || die "$DIR is not a cluster made by pg.sh (no port/password files)"
  PORT=$(<"$DIR/port")
  PASSWORD=$(<"$DIR/password")
}

print_url() {
  echo "postgresql://$DB_USER:$PASSWORD@127.0.0.1:$PORT/$DB_NAME"
}

# The socket goes in DIR/sock unless that path is too long for a unix socket,
# in which case a short directory under /tmp is used and DIR/sock links to it.
socket_dir() {
  local want="$DIR/sock"
  if (( ${#want} + 16 <= SOCK_PATH_MAX )); then
    echo "$want"; return
  fi
  if [[ -L "$want" ]]; then readlink "$want"; return; fi
  local short
  short=$(mktemp -d /tmp/hzpg.XXXXXX)
  [[ $EUID -eq 0 ]] && chown postgres:postgres "$short"
  ln -s "$short" "$want"
  echo "$short"
}

init_cluster() {
  log "initdb into $DATA"
  mkdir -p "$DIR"
  if [[ $EUID -eq 0 ]]; then
    chown postgres:postgres "$DIR"
    as_owner test -w "$DIR" ||
      die "user postgres cannot write $DIR (a parent directory is not searchable?)"
  fi
  chmod 700 "$DIR"
  # The password only guards TCP logins; it lives next to the data, owner-only.
  PASSWORD=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
  local pwfile="$DIR/password"
  (umask 077; echo "$PASSWORD" >"$pwfile")
  [[ $EUID -eq 0 ]] && chown postgres:postgres "$pwfile"
  as_owner "$BIN/initdb" -D "$DATA" -U "$DB_USER" --pwfile="$pwfile" \
    --encoding=UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=scram-sha-256 >"$DIR/initdb.log" 2>&1 ||
    { cat "$DIR/initdb.log" >&2; die "initdb failed"; }
  # Our settings live in one file that start rewrites (the port may change).
  echo "include_if_exists = 'huizong.conf'" | as_owner tee -a "$DATA/postgresql.conf" >/dev/null
}

write_settings() {
  local sock="$1"
  as_owner mkdir -p "$sock"
  as_owner chmod 700 "$sock"
  as_owner tee "$DATA/huizong.conf" >/dev/null <<EOF
# Written by deploy/pg.sh start; rewritten on every start.
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$sock'
# Durability is real: an acknowledged commit survives a crash.
fsync = on
synchronous_commit = on
full_page_writes = on
max_connections = 200
logging_collector = off
log_min_messages = warning
EOF
}

start_server() {
  as_owner "$BIN/pg_ctl" start -D "$DATA" -w -t 60 -l "$DIR/postgresql.log" >/dev/null 2>&1
}

create_database() {
  local sock="$1" exists
  exists=$(as_owner "$BIN/psql" -X -q -h "$sock" -p "$PORT" -U "$DB_USER" -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")
  if [[ "$exists" != 1 ]]; then
    as_owner "$BIN/createdb" -h "$sock" -p "$PORT" -U "$DB_USER" "$DB_NAME"
  fi
}

cmd_start() {
  local want_port="${1:-}"
  if is_running; then
    read_state
    print_url | sed 's/^/DATABASE_URL=/'
    return
  fi
  [[ -f "$DATA/PG_VERSION" ]] || init_cluster
  [[ -n "${PASSWORD:-}" ]] || PASSWORD=$(<"$DIR/password")
  local sock tries=0
  sock=$(socket_dir)
  while :; do
    if [[ -n "$want_port" ]]; then
      PORT=$want_port
    elif [[ -f "$DIR/port" ]] && ! port_in_use "$(<"$DIR/port")"; then
      PORT=$(<"$DIR/port")
    else
      PORT=$(free_port)
    fi
    echo "$PORT" >"$DIR/port"
    write_settings "$sock"
    if start_server; then break; fi
    tries=$((tries + 1))
    # A port picked by us may have been taken in between: pick another.
    if [[ -n "$want_port" ]] || (( tries >= 3 )); then
      tail -n 20 "$DIR/postgresql.log" >&2 || true
      die "pg_ctl start failed (log: $DIR/postgresql.log)"
    fi
    rm -f "$DIR/port"
  done
  create_database "$sock"
  log "running on 127.0.0.1:$PORT, socket dir $sock, data $DATA"
  print_url | sed 's/^/DATABASE_URL=/'
}

cmd_stop() {
  if is_running; then
    as_owner "$BIN/pg_ctl" stop -D "$DATA" -m fast -w -t 60 >/dev/null
    log "stopped $DATA"
  fi
}

cmd_remove() {
  [[ -e "$DIR" ]] || return 0
  # Refuse to delete anything that does not look like our cluster.
  [[ -f "$DIR/port" || -f "$DATA/PG_VERSION" ]] ||
    die "$DIR does not look like a pg.sh cluster; not removing"
  cmd_stop
  if [[ -L "$DIR/sock" ]]; then
    local short
    short=$(readlink "$DIR/sock")
    [[ "$short" == /tmp/hzpg.* ]] && rm -rf "$short"
  fi
  rm -rf "$DIR"
  log "removed $DIR"
}

main() {
  (( $# >= 2 )) || usage
  local cmd="$1"
  DIR="$2"
  [[ "$DIR" == /* ]] || DIR="$PWD/$DIR"
  DIR="${DIR%/}"
  DATA="$DIR/data"
  BIN=$(find_bindir)
  case "$cmd" in
    start)  cmd_start "${3:-}" ;;
    stop)   cmd_stop ;;
    remove) cmd_remove ;;
    url)    read_state; print_url ;;
    *)      usage ;;
  esac
}

main "$@"
