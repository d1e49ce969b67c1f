#!/usr/bin/env bash
# Deadline-day benchmark (issue 15): county dashboards read while townships
# submit. The province-scale dataset of rollup_bench.sh (gen_dataset.py:
# 1,500 townships, 100 counties, 104 monthly indicators; HZ_BENCH_YEARS
# years ending with the current one), one huizongd as deployed (answer
# cache on), then two phases of HZ_BENCH_SECONDS each, under the same
# steady submission load (HZ_BENCH_RATE Submits/s, each a township's new
# figures for every indicator of the current month, townships taken
# round-robin over the dashboards' counties):
#   (1) gRPC: HZ_BENCH_CLIENTS dashboard clients, one county each, calling
#       Aggregation/Rollup by children, all indicators, alternately the
#       current year and the current quarter, in a loop;
#   (2) plain SQL: pgbench -M prepared with as many clients, each its
#       county, running rollup_bench.sh's plain-SQL reference query for the
#       same year or quarter (the two scripts chosen at random).
# Prints Rollup p50/p99 and req/s, the share of Rollups answered from the
# answer cache (see below), Submit latency and achieved rate in each phase,
# the ratios to plain SQL, then checks that a Rollup after one more Submit
# reflects it and equals plain SQL, figure for figure.
#
#   tests/bench/deadline_bench.sh [BUILD_DIR]        (default BUILD_DIR: build)
#
# Answer-cache share, measured two ways when the binary allows: from
# huizongd's own counters when it has --metrics-listen (branch i16-metrics:
# huizong_rollup_cache_hits_total / _misses_total scraped from GET /metrics
# before and after the phase), and always in PostgreSQL: with
# track_functions = 'pl' every computed Rollup calls hz_rollup_values once
# (statement AGG_VALUES) and an answer from the cache never does, so
#   cached share = 1 − calls(hz_rollup_values) / Rollups answered.
#
# A figure-printing program, not a test: exit 0 when everything ran and the
# answers checked out, whatever the latency; non-zero when something failed.
#
# Environment (defaults in brackets):
#   HZ_BENCH_YEARS [2]        years of monthly values, the last the current one
#   HZ_BENCH_TOWNSHIPS [1500] HZ_BENCH_COUNTIES [100] HZ_BENCH_CITIES [14]
#   HZ_BENCH_INDICATORS [100] dataset size (as rollup_bench.sh)
#   HZ_BENCH_CLIENTS [16]     dashboard clients (gRPC) = pgbench clients
#   HZ_BENCH_PROCS [4]        processes the gRPC clients are spread over
#   HZ_BENCH_RATE [20]        Submits per second, both phases
#   HZ_BENCH_SECONDS [60]     length of each phase
#   HZ_BENCH_DB_CONNECTIONS [4] huizongd --db-connections
#   HZ_BENCH_KEEP_DB [0]      1 leaves the loaded cluster running at exit
set -euo pipefail

BENCH_NAME=deadline_bench  # read by lib.sh
# shellcheck source=tests/bench/lib.sh
. "$(dirname "$0")/lib.sh"

readonly YEARS=${HZ_BENCH_YEARS:-2}
readonly TOWNSHIPS=${HZ_BENCH_TOWNSHIPS:-1500}
readonly COUNTIES=${HZ_BENCH_COUNTIES:-100}
readonly CITIES=${HZ_BENCH_CITIES:-14}
readonly INDICATORS=${HZ_BENCH_INDICATORS:-100}
readonly CLIENTS=${HZ_BENCH_CLIENTS:-16}
readonly PROCS=${HZ_BENCH_PROCS:-4}
readonly RATE=${HZ_BENCH_RATE:-20}
readonly SECONDS_PER_PHASE=${HZ_BENCH_SECONDS:-60}
readonly DB_CONNECTIONS=${HZ_BENCH_DB_CONNECTIONS:-4}
readonly TARGETS_PER_REGION=10
readonly BUDGET_MS=5
readonly HERE="$HZB_SRC_ROOT/tests/bench"
# The current period in China Standard Time: the year, its quarter, the month.
YEAR=$(TZ=Asia/Shanghai date +%Y)
MONTH=$(TZ=Asia/Shanghai date +%m)
readonly YEAR MONTH
readonly QNUM=$(((10#$MONTH - 1) / 3 + 1))
readonly QUARTER="${YEAR}Q$QNUM"
readonly FIRST_YEAR=$((YEAR - YEARS + 1))
# Quarter boundaries as dates: this quarter, the previous one.
readonly QS=$(printf '%d-%02d-01' "$YEAR" $(((QNUM - 1) * 3 + 1)))
readonly QE=$([[ $QNUM == 4 ]] && echo "$((YEAR + 1))-01-01" || printf '%d-%02d-01' "$YEAR" $((QNUM * 3 + 1)))
readonly PQS=$([[ $QNUM == 1 ]] && echo "$((YEAR - 1))-10-01" || printf '%d-%02d-01' "$YEAR" $(((QNUM - 2) * 3 + 1)))
readonly YQS="$((YEAR - 1))${QS:4}" YQE="$((${QE:0:4} - 1))${QE:4}"

gen() {
  "$HZB_PY" "$HERE/gen_dataset.py" "$1" --townships "$TOWNSHIPS" --counties "$COUNTIES" \
    --cities "$CITIES" --indicators "$INDICATORS" --ratios 4 --frequency month \
    --first-year "$FIRST_YEAR" --years "$YEARS" --targets-per-region "$TARGETS_PER_REGION"
}

# The reference for one county (SQL expression REGION) over the year or
# the quarter, with the windows the server asks for: the period, a year
# earlier, the period before (for a year, the year before again).
reference() {
  local kind="$1" region="$2"
  if [[ $kind == year ]]; then
    reference_sql children "$region" 0 "'$YEAR-01-01'::date" "'$((YEAR + 1))-01-01'::date" \
      "'$((YEAR - 1))-01-01'::date" "'$YEAR-01-01'::date" "'$((YEAR - 1))-01-01'::date" \
      "'$YEAR-01-01'::date" "'$((YEAR - 1))-01-01'::date" "'$((YEAR + 1))-01-01'::date"
  else
    reference_sql children "$region" 0 "'$QS'::date" "'$QE'::date" "'$YQS'::date" "'$YQE'::date" \
      "'$PQS'::date" "'$QS'::date" "'$YQS'::date" "'$QE'::date"
  fi
}

# submitter SECONDS TAG [ARGS...]: the steady Submit load, in the background;
# sets SUBMIT_PID, output in $HZB_WORK/submit-TAG.out.
submitter() {
  local seconds="$1" tag="$2"
  timeout $((seconds + 300)) "$HZB_PY" "$HERE/deadline_driver.py" submit --addr "$HZB_ADDR" \
    --token "$HZB_TOKEN" --pygen "$HZB_PYGEN" --townships "$HZB_WORK/townships.txt" \
    --indicators "$HZB_WORK/indicators.txt" --period "$YEAR$MONTH" --rate "$RATE" \
    --seconds "$seconds" --seed "$RANDOM" "${@:3}" >"$HZB_WORK/submit-$tag.out" \
    2>"$HZB_WORK/submit-$tag.err" &
  SUBMIT_PID=$!
  hzb_bg_track "$SUBMIT_PID"
}

# submit_wait TAG: waits for the submitter (in this shell: it is our child)
# and sets SUBMIT_OUT to its summary line.
submit_wait() {
  local tag="$1"
  wait "$SUBMIT_PID" || { cat "$HZB_WORK/submit-$tag.err" >&2; hzb_die "submissions ($tag) failed"; }
  SUBMIT_PID=
  SUBMIT_OUT=$(cat "$HZB_WORK/submit-$tag.out")
}

# metrics_start: when huizongd has --metrics-listen, METRICS_URL is its
# GET /metrics (read from the server's log line `metrics on HOST:PORT`).
METRICS_URL=
metrics_flag() {
  if "$HZB_HUIZONGD" --help 2>&1 | grep -q -- '--metrics-listen'; then
    echo "--metrics-listen"
    echo "127.0.0.1:0"
  fi
}

metrics_find() {
  local log="$HZB_WORK/huizongd-0.log" port= i
  for ((i = 0; i < 50; i++)); do
    port=$(sed -n 's/.*metrics on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$log" | head -n 1)
    [[ -n "$port" ]] && break
    sleep 0.1
  done
  [[ -n "$port" ]] || hzb_die "huizongd has --metrics-listen but logged no metrics port"
  METRICS_URL="http://127.0.0.1:$port/metrics"
}

# cache_counters: "hits misses" from /metrics ("" without metrics).
cache_counters() {
  [[ -n "$METRICS_URL" ]] || return 0
  "$HZB_PY" -c 'import sys, urllib.request
text = urllib.request.urlopen(sys.argv[1], timeout=30).read().decode()
v = {}
for line in text.splitlines():
    p = line.split()
    if len(p) == 2 and p[0] in ("huizong_rollup_cache_hits_total", "huizong_rollup_cache_misses_total"):
        v[p[0]] = int(float(p[1]))
print(v["huizong_rollup_cache_hits_total"], v["huizong_rollup_cache_misses_total"])' "$METRICS_URL" ||
    hzb_die "scraping $METRICS_URL failed"
}

rollup_calls() {
  hzb_sql "SELECT coalesce(sum(calls), 0) FROM pg_stat_user_functions WHERE funcname = 'hz_rollup_values'"
}

f() { hzb_percentile_field "$@"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }'; }

print_submits() {
  printf '  Submit (%s values each)       p50 %9.3f ms  p99 %9.3f ms  achieved %s/s of %s/s (%s calls)\n' \
    "$(wc -l <"$HZB_WORK/indicators.txt")" "$(f p50_ms "$1")" "$(f p99_ms "$1")" \
    "$(f rate "$1")" "$RATE" "$(f n "$1")"
}

# Phase 1: the dashboards through huizongd.
grpc_phase() {
  local counties="$1" before after out subs
  hzb_sql "SELECT pg_stat_reset()" >/dev/null
  before=$(rollup_calls)
  local m_before m_after
  m_before=$(cache_counters)
  submitter "$SECONDS_PER_PHASE" grpc
  out=$(timeout $((SECONDS_PER_PHASE + 600)) "$HZB_PY" "$HERE/deadline_driver.py" dashboard \
    --addr "$HZB_ADDR" --token "$HZB_TOKEN" --pygen "$HZB_PYGEN" --counties "$counties" \
    --periods "$YEAR,$QUARTER" --seconds "$SECONDS_PER_PHASE" --procs "$PROCS") ||
    hzb_die "dashboard clients failed"
  submit_wait grpc
  subs=$SUBMIT_OUT
  m_after=$(cache_counters)
  # Function statistics reach the shared counters when a backend has been
  # idle a while (at most 10 s in PostgreSQL 15): wait, then read.
  sleep 12
  after=$(rollup_calls)
  GRPC_ALL=$(grep '^kind=all' <<<"$out")
  GRPC_YEAR=$(grep "^kind=$YEAR " <<<"$out")
  GRPC_QUARTER=$(grep "^kind=$QUARTER " <<<"$out")
  GRPC_SUBS=$subs
  local total computed
  total=$(f n "$GRPC_ALL")
  computed=$((after - before))
  CACHED_SHARE=$(awk -v t="$total" -v c="$computed" 'BEGIN { printf "%.1f", (t > 0) ? 100 * (1 - c / t) : 0 }')
  COMPUTED=$computed
  METRICS_SHARE=
  if [[ -n "$m_before" ]]; then
    local h0 x0 h1 x1
    read -r h0 x0 <<<"$m_before"
    read -r h1 x1 <<<"$m_after"
    METRICS_SHARE=$(awk -v h=$((h1 - h0)) -v x=$((x1 - x0)) 'BEGIN {
      printf "%.1f %% (%d hits, %d misses)", (h + x > 0) ? 100 * h / (h + x) : 0, h, x }')
  fi
}

# Phase 2: the same reads as plain SQL through pgbench.
sql_phase() {
  local counties="$1" n=0 c kind
  hzb_psql -c "SET client_min_messages = warning" -c "DROP TABLE IF EXISTS bench_counties" \
    -c "CREATE TABLE bench_counties (n integer PRIMARY KEY, code text NOT NULL)"
  for c in ${counties//,/ }; do
    hzb_sql "INSERT INTO bench_counties VALUES ($n, '$c')" >/dev/null
    n=$((n + 1))
  done
  for kind in year quarter; do
    {
      echo "\\set n :client_id % $n"
      echo "SELECT code AS region FROM bench_counties WHERE n = :n \\gset"
      reference "$kind" ":region"
      echo ";"
    } >"$HZB_WORK/reference-$kind.sql"
  done
  submitter "$SECONDS_PER_PHASE" sql
  rm -f "$HZB_WORK"/pgbench.*
  (cd "$HZB_WORK" && timeout $((SECONDS_PER_PHASE + 600)) "$HZB_PGBIN/pgbench" -n -M prepared \
    -c "$CLIENTS" -j 2 -T "$SECONDS_PER_PHASE" -f reference-year.sql -f reference-quarter.sql \
    --log --log-prefix=pgbench "$HZB_URL" >pgbench.out 2>&1) ||
    { tail -n 5 "$HZB_WORK/pgbench.out" >&2; hzb_die "pgbench failed"; }
  submit_wait sql
  SQL_SUBS=$SUBMIT_OUT
  cat "$HZB_WORK"/pgbench.[0-9]* >"$HZB_WORK/pgbench-all.log"
  local out
  out=$("$HZB_PY" "$HERE/deadline_driver.py" stats --file "$HZB_WORK/pgbench-all.log" \
    --scripts "$YEAR,$QUARTER" --seconds "$SECONDS_PER_PHASE")
  SQL_ALL=$(grep '^kind=all' <<<"$out")
  SQL_YEAR=$(grep "^kind=$YEAR " <<<"$out")
  SQL_QUARTER=$(grep "^kind=$QUARTER " <<<"$out")
}

# expect_file KIND COUNTY FILE: the figures the server must write.
expect_file() {
  hzb_psql -tA -F $'\t' -c "$(hzb_expect_sql "$(reference "$1" "'$2'")")" >"$3"
}

# One more Submit (in the first county), then the county's Rollup through
# the same server (answer cache on, warmed just before): every figure of
# the year and of the quarter equal to plain SQL computed after the Submit,
# and the plain-SQL figures must have moved.
freshness_check() {
  local county="$1" town kind period ratios=()
  mapfile -t ratios < <(hzb_ratio_args)
  for kind in year quarter; do
    period=$YEAR
    [[ $kind == quarter ]] && period=$QUARTER
    expect_file "$kind" "$county" "$HZB_WORK/before-$kind.tsv"
    "$HZB_PY" "$HERE/rollup_driver.py" rollup --addr "$HZB_ADDR" --token "$HZB_TOKEN" \
      --pygen "$HZB_PYGEN" --region "$county" --period "$period" --children \
      --requests 3 --warmup 1 --seconds 5 >/dev/null || hzb_die "Rollup before the last Submit failed"
  done
  town=$(hzb_sql "SELECT min(code) FROM regions WHERE parent_code = '$county'")
  echo "$town" >"$HZB_WORK/last-town.txt"
  timeout 300 "$HZB_PY" "$HERE/deadline_driver.py" submit --addr "$HZB_ADDR" --token "$HZB_TOKEN" \
    --pygen "$HZB_PYGEN" --townships "$HZB_WORK/last-town.txt" \
    --indicators "$HZB_WORK/indicators.txt" --period "$YEAR$MONTH" --rate 1 --count 1 \
    --seconds 10 --seed "$RANDOM" >/dev/null || hzb_die "the last Submit failed"
  for kind in year quarter; do
    period=$YEAR
    [[ $kind == quarter ]] && period=$QUARTER
    expect_file "$kind" "$county" "$HZB_WORK/after-$kind.tsv"
    ! cmp -s "$HZB_WORK/before-$kind.tsv" "$HZB_WORK/after-$kind.tsv" ||
      hzb_die "freshness: the last Submit did not change the plain-SQL figures of $county"
    "$HZB_PY" "$HERE/rollup_driver.py" rollup --addr "$HZB_ADDR" --token "$HZB_TOKEN" \
      --pygen "$HZB_PYGEN" --region "$county" --period "$period" --children \
      --expect "$HZB_WORK/after-$kind.tsv" "${ratios[@]}" \
      --targets-per-group "$TARGETS_PER_REGION" --requests 3 --warmup 0 --seconds 5 >/dev/null ||
      hzb_die "freshness: Rollup of $county $period after the last Submit differs from plain SQL"
  done
  echo "fresh at commit: after one more Submit of $town ($YEAR$MONTH), Rollup of county $county"
  echo "  ($YEAR and $QUARTER, by children, answer cache on) equals plain SQL in every figure: PASS"
}

print_line() {
  printf '  %-30s p50 %9.3f ms  p99 %9.3f ms  %8.1f req/s  (n=%s)\n' "$1" \
    "$(f p50_ms "$2")" "$(f p99_ms "$2")" "$(f rps "$2")" "$(f n "$2")"
}

main() {
  hzb_init "${1:-build}"
  command -v "$HZB_PGBIN/pgbench" >/dev/null || hzb_die "pgbench not found in $HZB_PGBIN"
  hzb_gen_python
  hzb_rollup_reference_sql
  hzb_pg_start
  hzb_migrate
  hzb_psql -c "ALTER SYSTEM SET track_functions = 'pl'" -c "SELECT pg_reload_conf()" >/dev/null
  hzb_bulk_load gen
  local t
  read -r -a t <<<"$HZB_LOAD_TIMES"
  echo "dataset: $(hzb_sql "SELECT count(*) FROM regions WHERE level = 4") townships," \
    "$(hzb_sql "SELECT count(*) FROM indicators") indicators," \
    "$(hzb_sql "SELECT count(*) FROM data_values") values ($FIRST_YEAR-$YEAR monthly);" \
    "load ${t[0]} s (values COPY ${t[2]} s, hz_summaries_rebuild + VACUUM ${t[4]} s)"
  local counties
  counties=$(hzb_sql "SELECT string_agg(code, ',' ORDER BY code) FROM (SELECT code FROM regions
    WHERE level = 3 ORDER BY code LIMIT $CLIENTS) x")
  [[ $(tr ',' '\n' <<<"$counties" | wc -l) == "$CLIENTS" ]] || hzb_die "fewer than $CLIENTS counties"
  # Townships of those counties, round-robin over them.
  hzb_sql "SELECT code FROM (SELECT code, parent_code, row_number() OVER (PARTITION BY parent_code
    ORDER BY code) AS k FROM regions WHERE level = 4
    AND parent_code = ANY (string_to_array('$counties', ','))) x ORDER BY k, parent_code" \
    >"$HZB_WORK/townships.txt"
  hzb_sql "SELECT code || ' ' || CASE time_aggregation WHEN 1 THEN 'sum' WHEN 2 THEN 'last'
    ELSE 'average' END FROM indicators WHERE ratio_numerator IS NULL ORDER BY code" \
    >"$HZB_WORK/indicators.txt"
  hzb_token
  local mflag=()
  mapfile -t mflag < <(metrics_flag)
  hzb_server_start "$DB_CONNECTIONS" "${mflag[@]}"
  [[ ${#mflag[@]} == 0 ]] || metrics_find
  echo "huizongd as deployed (answer cache on), --db-connections $DB_CONNECTIONS; $CLIENTS dashboard"
  echo "clients (one county each, $PROCS processes), Rollup by children, all indicators, $YEAR and"
  echo "$QUARTER alternately; Submits at $RATE/s of $YEAR$MONTH over $(wc -l <"$HZB_WORK/townships.txt")"
  echo "townships of those counties; ${SECONDS_PER_PHASE} s per phase; machine: $(uptime)"
  # Warm-up, untimed: every client's first calls compute and plan.
  "$HZB_PY" "$HERE/deadline_driver.py" dashboard --addr "$HZB_ADDR" --token "$HZB_TOKEN" \
    --pygen "$HZB_PYGEN" --counties "$counties" --periods "$YEAR,$QUARTER" --seconds 10 \
    --procs "$PROCS" >/dev/null || hzb_die "warm-up failed"

  grpc_phase "$counties"
  echo "(1) gRPC Rollup under submissions"
  print_line "Rollup $YEAR" "$GRPC_YEAR"
  print_line "Rollup $QUARTER" "$GRPC_QUARTER"
  print_line "Rollup, all" "$GRPC_ALL"
  if [[ -n "$METRICS_SHARE" ]]; then
    echo "  answered from the answer cache: $METRICS_SHARE, huizongd's /metrics;"
    echo "    cross-check in PostgreSQL: $CACHED_SHARE %"
  else
    echo "  answered from the answer cache: $CACHED_SHARE %, measured in PostgreSQL (this huizongd has"
    echo "    no --metrics-listen)"
  fi
  echo "    ($COMPUTED of $(f n "$GRPC_ALL") Rollups called hz_rollup_values, track_functions = pl)"
  print_submits "$GRPC_SUBS"
  echo "  load after phase 1: $(uptime)"

  sql_phase "$counties"
  echo "(2) the same reads as plain SQL (rollup_bench.sh's reference), pgbench -M prepared -c $CLIENTS"
  print_line "plain SQL $YEAR" "$SQL_YEAR"
  print_line "plain SQL $QUARTER" "$SQL_QUARTER"
  print_line "plain SQL, all" "$SQL_ALL"
  print_submits "$SQL_SUBS"
  echo "  load after phase 2: $(uptime)"
  echo "ratios gRPC / plain SQL: p50 $YEAR $(ratio "$(f p50_ms "$GRPC_YEAR")" "$(f p50_ms "$SQL_YEAR")")," \
    "$QUARTER $(ratio "$(f p50_ms "$GRPC_QUARTER")" "$(f p50_ms "$SQL_QUARTER")");" \
    "p99 all $(ratio "$(f p99_ms "$GRPC_ALL")" "$(f p99_ms "$SQL_ALL")");" \
    "req/s $(ratio "$(f rps "$GRPC_ALL")" "$(f rps "$SQL_ALL")")"
  echo "  (the quarter's Rollup also computes 1–N月累计 and its year-earlier window: 5 windows; the plain"
  echo "   SQL quarter computes 3, as rollup_bench.sh's reference does)"

  freshness_check "${counties%%,*}"
  local p50 verdict rate_verdict
  p50=$(f p50_ms "$GRPC_ALL")
  verdict=$(awk -v p="$p50" -v b="$BUDGET_MS" 'BEGIN { print (p < b) ? "PASS" : "FAIL" }')
  rate_verdict=$(awk -v r="$(f rate "$GRPC_SUBS")" -v t="$RATE" 'BEGIN { print (r >= 0.95 * t) ? "PASS" : "FAIL" }')
  echo "budget: county rollup p50 under $RATE Submits/s < $BUDGET_MS ms ... $verdict ($p50 ms, ${METRICS_SHARE:-$CACHED_SHARE %} from the answer cache)"
  echo "        Submits kept their rate (>= 95 % of $RATE/s) ... $rate_verdict ($(f rate "$GRPC_SUBS")/s)"
}

main "$@"
