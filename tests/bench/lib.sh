# shellcheck shell=bash
# Shared setup of the database benchmarks (ingest_bench.sh, rollup_bench.sh),
# sourced, not run: a private PostgreSQL cluster made by deploy/pg.sh, the
# schema, an admin token, a huizongd on an ephemeral port, and an EXIT trap
# that stops the server and removes the cluster whatever happens.
#
# The sourcing script sets BENCH_NAME and calls hzb_init BUILD_DIR first.
# HZ_BENCH_KEEP_DB=1 leaves the cluster running at exit (for EXPLAIN work on
# the loaded data); the exit message says how to remove it.
# HZ_BENCH_SETUP_SQL=FILE is applied with psql right after `huizongd migrate`,
# to measure a schema or function change before it becomes a migration.

readonly HZB_PY=/usr/bin/python3
HZB_SRC_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
readonly HZB_SRC_ROOT
# No single psql / server wait may hang the benchmark.
readonly HZB_START_TIMEOUT=30

HZB_SERVER_PIDS=()
HZB_BG_PIDS=()
HZB_PG_DIR=

hzb_die() { echo "$BENCH_NAME: $*" >&2; exit 1; }
hzb_note() { echo "$BENCH_NAME: $*" >&2; }

hzb_cleanup() {
  hzb_bg_stop
  hzb_server_stop
  if [[ -n "$HZB_PG_DIR" && "${HZ_BENCH_KEEP_DB:-0}" == 1 ]]; then
    echo "$BENCH_NAME: kept the cluster for inspection: $HZB_URL" >&2
    echo "$BENCH_NAME: remove it with: deploy/pg.sh remove $HZB_PG_DIR" >&2
  elif [[ -n "$HZB_PG_DIR" ]]; then
    "$HZB_SRC_ROOT/deploy/pg.sh" remove "$HZB_PG_DIR" >/dev/null 2>&1 || true
  fi
  HZB_PG_DIR=
}

# hzb_init BUILD_DIR: checks the tools and the build, sets HZB_BUILD,
# HZB_WORK (scratch under BUILD_DIR/bench/BENCH_NAME), HZB_HUIZONGD, HZB_PGBIN.
hzb_init() {
  HZB_BUILD=${1:-build}
  [[ "$HZB_BUILD" == /* ]] || HZB_BUILD="$PWD/$HZB_BUILD"
  HZB_HUIZONGD="$HZB_BUILD/service/huizongd"
  [[ -x "$HZB_HUIZONGD" ]] ||
    hzb_die "$HZB_HUIZONGD not built (meson setup $HZB_BUILD -Dbuildtype=release -Db_ndebug=true && ninja -C $HZB_BUILD)"
  HZB_WORK="$HZB_BUILD/bench/$BENCH_NAME"
  mkdir -p "$HZB_WORK"
  HZB_PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [[ -n "$HZB_PGBIN" && -x "$HZB_PGBIN/psql" ]] || hzb_die "no PostgreSQL under /usr/lib/postgresql (apt-get install postgresql)"
  command -v protoc >/dev/null || hzb_die "protoc not found (apt-get install protobuf-compiler)"
  "$HZB_PY" -c 'import grpc, google.protobuf' 2>/dev/null ||
    hzb_die "$HZB_PY cannot import grpc / protobuf (apt-get install python3-grpcio python3-protobuf)"
  trap hzb_cleanup EXIT
  trap 'exit 130' INT TERM
}

# Python classes for the huizong protos, for the load drivers.
hzb_gen_python() {
  HZB_PYGEN="$HZB_WORK/pygen"
  rm -rf "$HZB_PYGEN"
  mkdir -p "$HZB_PYGEN"
  (cd "$HZB_SRC_ROOT/proto" && protoc --python_out="$HZB_PYGEN" -I. huizong/v1/*.proto) ||
    hzb_die "protoc --python_out failed"
}

# hzb_pg_start: a fresh cluster under HZB_WORK/pg; sets HZB_URL.
hzb_pg_start() {
  local dir="$HZB_WORK/pg"
  "$HZB_SRC_ROOT/deploy/pg.sh" remove "$dir" >/dev/null 2>&1 || true
  HZB_PG_DIR="$dir"
  local out
  out=$("$HZB_SRC_ROOT/deploy/pg.sh" start "$dir" 2>"$HZB_WORK/pg-start.log") ||
    { cat "$HZB_WORK/pg-start.log" >&2; hzb_die "deploy/pg.sh start failed"; }
  HZB_URL=${out##*DATABASE_URL=}
  [[ "$HZB_URL" == postgresql://* ]] || hzb_die "deploy/pg.sh printed no URL"
}

# hzb_psql ARGS...: psql on the benchmark database, stopping at the first error.
hzb_psql() {
  timeout 3600 "$HZB_PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$HZB_URL" "$@"
}

# hzb_sql SQL: one query, unaligned tuples only.
hzb_sql() {
  hzb_psql -tA -c "$1"
}

# hzb_migrate: huizongd migrate, then any SQL migration the binary does not
# embed yet but the benchmark needs (named by a function it creates).
hzb_migrate() {
  "$HZB_HUIZONGD" migrate --database-url "$HZB_URL" >"$HZB_WORK/migrate.log" 2>&1 ||
    { cat "$HZB_WORK/migrate.log" >&2; hzb_die "huizongd migrate failed"; }
  if [[ -n "${HZ_BENCH_SETUP_SQL:-}" ]]; then
    hzb_psql -f "$HZ_BENCH_SETUP_SQL" >/dev/null || hzb_die "HZ_BENCH_SETUP_SQL $HZ_BENCH_SETUP_SQL failed"
    echo "note: applied HZ_BENCH_SETUP_SQL=$HZ_BENCH_SETUP_SQL after migrate (an experiment, not the shipped schema)"
  fi
}

# hzb_ensure_migration FILE FUNCTION: applies migrations/FILE with psql in
# one transaction when FUNCTION does not exist after `huizongd migrate`.
hzb_ensure_migration() {
  local file="$1" fn="$2"
  if [[ "$(hzb_sql "SELECT count(*) FROM pg_proc WHERE proname = '$fn'")" == 0 ]]; then
    hzb_psql -1 -f "$HZB_SRC_ROOT/migrations/$file" >/dev/null ||
      hzb_die "applying migrations/$file failed"
    echo "note: huizongd migrate did not create $fn(); applied migrations/$file with psql"
  fi
}

# hzb_token: an admin token (last stdout line of `huizongd token create`).
hzb_token() {
  local out
  out=$(DATABASE_URL="$HZB_URL" "$HZB_HUIZONGD" token create --role admin --name "$BENCH_NAME" \
    2>"$HZB_WORK/token.log") || { cat "$HZB_WORK/token.log" >&2; hzb_die "token create failed"; }
  HZB_TOKEN=$(printf '%s\n' "$out" | tail -n 1)
  [[ -n "$HZB_TOKEN" ]] || hzb_die "token create printed no token"
}

# hzb_server_start DB_CONNECTIONS [FLAG...]: a huizongd on 127.0.0.1:0 with
# those extra flags; sets HZB_ADDR. Several may run; all stop together.
# HZ_BENCH_SERVER_THREADS=N starts it with --threads N (unset: huizongd's
# default, one loop per core); DB_CONNECTIONS is then split across loops.
hzb_server_start() {
  local log="$HZB_WORK/huizongd-${#HZB_SERVER_PIDS[@]}.log" pid
  local threads=()
  [[ -n "${HZ_BENCH_SERVER_THREADS:-}" ]] && threads=(--threads "$HZ_BENCH_SERVER_THREADS")
  "$HZB_HUIZONGD" --listen 127.0.0.1:0 --database-url "$HZB_URL" --db-connections "$1" \
    "${threads[@]}" "${@:2}" >"$log" 2>&1 </dev/null &
  pid=$!
  HZB_SERVER_PIDS+=("$pid")
  local i port=
  for ((i = 0; i < HZB_START_TIMEOUT * 10; i++)); do
    port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$log" | head -n 1)
    [[ -n "$port" ]] && break
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; hzb_die "huizongd exited at start"; }
    sleep 0.1
  done
  [[ -n "$port" ]] || hzb_die "huizongd did not report its port within ${HZB_START_TIMEOUT} s"
  HZB_ADDR="127.0.0.1:$port"
}

hzb_server_stop() {
  local pid
  for pid in "${HZB_SERVER_PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  HZB_SERVER_PIDS=()
}

# hzb_bg_track PID: a background load process (a driver under `timeout`)
# that the EXIT trap stops if the benchmark ends before it does.
hzb_bg_track() { HZB_BG_PIDS+=("$1"); }

hzb_bg_stop() {
  local pid
  for pid in "${HZB_BG_PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  HZB_BG_PIDS=()
}

# Wall-clock seconds since the epoch, with nanoseconds.
hzb_now() { date +%s.%N; }

hzb_median() {
  printf '%s\n' "$@" | sort -g |
    awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# ---- bulk load (deadline_bench.sh, national_bench.sh) ----------------------
# rollup_bench.sh keeps its own copy of the same steps.

# hzb_constraint_sql drop|restore: SQL that drops / re-creates every
# constraint and every other index of data_values, read from the catalog so
# it follows the migrations.
hzb_constraint_sql() {
  local other="FROM pg_indexes i WHERE schemaname = 'public' AND tablename = 'data_values'
    AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = format('%I.%I', i.schemaname, i.indexname)::regclass)"
  if [[ $1 == drop ]]; then
    hzb_sql "SELECT string_agg(format('ALTER TABLE data_values DROP CONSTRAINT %I;', conname), E'\n' ORDER BY contype)
      FROM pg_constraint WHERE conrelid = 'data_values'::regclass"
    hzb_sql "SELECT string_agg(format('DROP INDEX %I.%I;', schemaname, indexname), E'\n') $other"
  else
    hzb_sql "SELECT string_agg(format('ALTER TABLE data_values ADD CONSTRAINT %I %s;', conname,
      pg_get_constraintdef(oid)), E'\n' ORDER BY contype DESC, conname)
      FROM pg_constraint WHERE conrelid = 'data_values'::regclass"
    hzb_sql "SELECT string_agg(indexdef || ';', E'\n') $other"
  fi
}

# hzb_bulk_load GEN: the load a DBA would do, as rollup_bench.sh does it.
# GEN is a command called with one argument (regions, paths, indicators,
# values, targets) that writes that table's COPY text on stdout, columns as
# `gen_dataset.py columns TABLE` prints them (targets may be empty). Catalog
# by COPY; data_values with its constraints, other indexes and triggers
# off, TRUNCATE + COPY FREEZE in one transaction; constraints and indexes
# re-created; hz_summaries_rebuild() in one pass; VACUUM ANALYZE. Sets
# HZB_LOAD_TIMES "total catalog values indexes summaries" in seconds.
hzb_bulk_load() {
  local gen="$1" t0 t1 t2 t3 t4 drop restore table cols
  cols() { "$HZB_PY" "$HZB_SRC_ROOT/tests/bench/gen_dataset.py" columns "$1"; }
  t0=$(hzb_now)
  for table in regions region_paths indicators; do
    local what=$table
    [[ $table == region_paths ]] && what=paths
    "$gen" "$what" | hzb_psql -c "\\copy $table ($(cols "$table")) FROM STDIN" ||
      hzb_die "loading $table failed"
  done
  drop=$(hzb_constraint_sql drop)
  restore=$(hzb_constraint_sql restore)
  t1=$(hzb_now)
  "$gen" values | hzb_psql -c "BEGIN" -c "$drop" -c "ALTER TABLE data_values DISABLE TRIGGER USER" \
    -c "TRUNCATE data_values" \
    -c "\\copy data_values ($(cols data_values)) FROM STDIN (FREEZE)" \
    -c "ALTER TABLE data_values ENABLE TRIGGER USER" -c "COMMIT" || hzb_die "loading data_values failed"
  t2=$(hzb_now)
  hzb_psql -c "SET maintenance_work_mem = '512MB'" -c "$restore" || hzb_die "re-creating constraints failed"
  "$gen" targets | hzb_psql -c "\\copy targets ($(cols targets)) FROM STDIN" || hzb_die "loading targets failed"
  t3=$(hzb_now)
  hzb_psql -c "SET work_mem = '512MB'" -c "SELECT hz_summaries_rebuild()" >/dev/null ||
    hzb_die "hz_summaries_rebuild() failed"
  hzb_psql -c "VACUUM ANALYZE"
  t4=$(hzb_now)
  HZB_LOAD_TIMES=$(awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" -v e="$t4" \
    'BEGIN { printf "%.1f %.1f %.1f %.1f %.1f", e - a, b - a, c - b, d - c, e - d }')
}

# hzb_rollup_reference_sql: defines reference_sql (the plain-SQL GROUP BY
# reference of a rollup) from rollup_bench.sh itself, so every benchmark
# compares against the same query; dies if rollup_bench.sh no longer has it.
hzb_rollup_reference_sql() {
  eval "$(sed -n '/^reference_sql() {$/,/^}$/p' "$HZB_SRC_ROOT/tests/bench/rollup_bench.sh")"
  declare -F reference_sql >/dev/null || hzb_die "tests/bench/rollup_bench.sh has no reference_sql()"
}

# hzb_expect_sql REFERENCE_SQL: the figures the server writes from the
# reference's exact parts for window 1 (grp, indicator, value), as
# rollup_bench.sh's check writes them: value / n (AVERAGE over regions
# also over the units), rounded once to 6 places.
hzb_expect_sql() {
  echo "SELECT grp, indicator, trim_scale(round(value
    / (n * CASE ra WHEN 2 THEN reporting ELSE 1 END)::numeric(40, 30), 6))
    FROM ($1) x WHERE win = 1 ORDER BY grp, indicator"
}

# hzb_ratio_args: --ratio CODE:NUM:DEN for every ratio indicator (rollup_driver.py).
hzb_ratio_args() {
  local r
  for r in $(hzb_sql "SELECT code || ':' || ratio_numerator || ':' || ratio_denominator FROM indicators WHERE ratio_numerator IS NOT NULL ORDER BY code"); do
    printf -- '--ratio\n%s\n' "$r"
  done
}

hzb_percentile_field() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" <<<"$2"; }
