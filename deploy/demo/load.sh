#!/usr/bin/env bash
# Loads the demo county (南漳县, ten townships, the two seed reports) into a
# running huizongd through the project's CLIs, then prints the rollups that
# reproduce the reports' statements and checks their figures, and shows the
# validation rules (审核, rules.csv) at work: a submission refused by an
# ERROR rule, a warning accepted with its explanation (both dry runs, which
# store nothing), and what the county checks before approving.
#
#   deploy/demo/load.sh ADDR ADMIN_TOKEN
#
# Safe to run again: imports are upserts, tokens are kept in the state
# directory and reused, and every submission carries a fixed id (derived from
# its content), so a second run is an idempotent replay that writes nothing.
#
# Environment: HZ_BUILD_DIR (default build) or HZ_BIN_DIR locate huizong and
# huizong-admin (else PATH); HZ_DEMO_STATE is where the demo's township and
# county tokens are kept (default .hz/demo, mode 700); PYTHON (default
# python3, standard library only) runs demo.py.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
readonly HERE ROOT
readonly STATE="${HZ_DEMO_STATE:-$ROOT/.hz/demo}"
readonly PY="${PYTHON:-python3}"

# The two seed townships, the county, and the tokens the demo gives them.
readonly JIUJI=420624102   # 九集镇: the 2022Q1 report
readonly WUAN=420624101    # 武安镇: the 2013S1 report
readonly COUNTY=420624     # 南漳县
declare -A TOKEN_NAME=(
  [$JIUJI]="演示-九集镇统计员"
  [$WUAN]="演示-武安镇统计员"
  [$COUNTY]="演示-南漳县统计局"
)
declare -A TOKEN_ROLE=([$JIUJI]=township [$WUAN]=township [$COUNTY]=county)
declare -A TOKEN=()

say() { echo "demo: $*" >&2; }
die() { say "$*"; exit 1; }

usage() {
  sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

find_clis() {
  local dir="${HZ_BIN_DIR:-$ROOT/${HZ_BUILD_DIR:-build}/client}"
  if [[ -x "$dir/huizong" && -x "$dir/huizong-admin" ]]; then
    HUIZONG="$dir/huizong"
    HUIZONG_ADMIN="$dir/huizong-admin"
  elif command -v huizong >/dev/null && command -v huizong-admin >/dev/null; then
    HUIZONG=$(command -v huizong)
    HUIZONG_ADMIN=$(command -v huizong-admin)
  else
    die "huizong and huizong-admin not found in $dir or on PATH (build them, or set HZ_BUILD_DIR / HZ_BIN_DIR)"
  fi
}

# Fails early, naming the command, when the CLIs predate what the demo uses.
require_commands() {
  local cmd
  for cmd in "admin regions import" "admin indicators import" "admin targets import" \
             "admin tokens create" "admin tokens revoke" "admin whoami" "huizong submit" \
             "huizong rollup" "admin rules import" "huizong validate"; do
    local bin=$HUIZONG
    [[ $cmd == admin* ]] && bin=$HUIZONG_ADMIN
    # shellcheck disable=SC2086 # the words of a subcommand
    "$bin" ${cmd#* } --help >/dev/null 2>&1 ||
      die "$(basename "$bin") has no '${cmd#* }' command yet; cannot load the demo"
  done
}

admin() { HUIZONG_TOKEN="$ADMIN_TOKEN" "$HUIZONG_ADMIN" "$@"; }

import_reference_data() {
  say "regions, indicators, targets, validation rules"
  admin regions import "$HERE/regions.csv"
  admin indicators import "$HERE/indicators.csv"
  admin targets import "$HERE/targets.csv"
  # Before the submissions: every figure of the demo passes them.
  admin rules import "$HERE/rules.csv"
}

# A saved token that still works is reused; otherwise the old one (if any)
# is revoked by name and a new one created. Secrets stay in $STATE, 0600.
token_works() {
  HUIZONG_TOKEN="$1" "$HUIZONG_ADMIN" whoami >/dev/null 2>&1
}

ensure_token() {
  local region=$1 file="$STATE/$1.token" secret=""
  [[ -s "$file" ]] && secret=$(<"$file")
  if [[ -z "$secret" ]] || ! token_works "$secret"; then
    admin tokens revoke --name "${TOKEN_NAME[$region]}" >/dev/null 2>&1 || true
    secret=$(admin tokens create --role "${TOKEN_ROLE[$region]}" --region "$region" \
               --name "${TOKEN_NAME[$region]}" | tail -n 1)
    [[ -n "$secret" ]] || die "tokens create printed no token for $region"
    (umask 077; printf '%s\n' "$secret" >"$file")
    say "created ${TOKEN_ROLE[$region]} token ${TOKEN_NAME[$region]} (kept in $file)"
  fi
  TOKEN[$region]=$secret
}

ensure_tokens() {
  mkdir -p "$STATE"
  chmod 700 "$STATE"
  local region
  for region in "$JIUJI" "$WUAN" "$COUNTY"; do
    ensure_token "$region"
  done
}

# Seed reports go in as their townships; the synthetic figures (other
# townships, earlier years) as the administrator, which the audit shows.
submit_all() {
  local work plan n=0 log="$STATE/submit.log"
  work=$(mktemp -d)
  plan=$("$PY" "$HERE/demo.py" plan "$work") || { rm -rf "$work"; die "demo.py plan failed"; }
  : >"$log"
  local region period id who file narrative token
  while IFS=$'\t' read -r region period id who file narrative; do
    token=$ADMIN_TOKEN
    [[ $who == township ]] && token=${TOKEN[$region]}
    local args=(submit --region "$region" --period "$period" --file "$file" --submission-id "$id")
    [[ -n "$narrative" ]] && args+=(--narrative-file "$narrative")
    if ! HUIZONG_TOKEN="$token" "$HUIZONG" "${args[@]}" >>"$log" 2>&1; then
      tail -n 20 "$log" >&2
      rm -rf "$work"
      die "submission $region $period ($id) failed; log: $log"
    fi
    n=$((n + 1))
  done <<<"$plan"
  rm -rf "$work"
  say "$n submissions sent (a re-run replays them; log: $log)"
}

# Each rollup is printed as a table and captured as CSV for the check.
rollup() {
  local token=$1 title=$2
  shift 2
  printf '\n== %s\n' "$title"
  HUIZONG_TOKEN="$token" "$HUIZONG" rollup "$@"
  ROLLUPS=$((ROLLUPS + 1))
  HUIZONG_TOKEN="$token" "$HUIZONG" rollup "$@" --format csv >"$CHECK_DIR/$ROLLUPS.csv"
}

print_rollups() {
  CHECK_DIR=$(mktemp -d)
  ROLLUPS=0
  rollup "${TOKEN[$JIUJI]}" "九集镇 2022Q1: 固定资产投资4.9个亿 +28%, 社零2.55亿元 +16.9%, 规上工业产值1.28亿元 +17.4%" \
    --region "$JIUJI" --period 2022Q1 --indicators fai,retail,industry_output
  rollup "${TOKEN[$JIUJI]}" "九集镇 2022Q1: 村级债务化解1352/4300万元 = 31%, 医保征收96.77%" \
    --region "$JIUJI" --period 2022Q1 --indicators debt_locked,debt_resolved,debt_resolution_rate,medins_rate
  rollup "${TOKEN[$WUAN]}" "武安镇 2013S1: 国地两税848万元 = 全年任务1550万的55%, 固投6035万元 = 上半年目标5500万元的110%" \
    --region "$WUAN" --period 2013S1 --indicators tax,fai
  rollup "${TOKEN[$JIUJI]}" "九集镇 2022年3月: 本月 and 1–3月累计 of the two monthly indicators, each with its 同比" \
    --region "$JIUJI" --period 202203 --indicators electricity,market_entities
  rollup "${TOKEN[$JIUJI]}" "九集镇 2022 (only 2022Q1 reported): coverage 1 of 4 quarters, compared with 2021Q1 only (同口径)" \
    --region "$JIUJI" --period 2022 --indicators fai,retail
  rollup "${TOKEN[$COUNTY]}" "南漳县 2022Q1 by township (county token)" \
    --region "$COUNTY" --period 2022Q1 --indicators fai,retail,industry_output,debt_resolution_rate --by children --total
  rollup "${TOKEN[$COUNTY]}" "南漳县 2013S1 by township (county token)" \
    --region "$COUNTY" --period 2013S1 --indicators tax,fai --by children --total
  echo
  local rc=0
  "$PY" "$HERE/demo.py" verify "$CHECK_DIR"/*.csv || rc=$?
  if ((rc == 0)); then
    printf '\n== 统计口径: 百分点, 1–N月累计, 部分期间同口径 (each figure checked against demo.py)\n'
    "$PY" "$HERE/demo.py" summary "$CHECK_DIR"/*.csv || rc=$?
  fi
  rm -rf "$CHECK_DIR"
  ((rc == 0)) || die "the rollups do not reproduce the seed reports' figures (see above)"
}

# The rules at work, as 九集镇's clerk and the county see them. Both
# submissions are dry runs: checked exactly like real ones, stored nowhere,
# so the seed figures (and a second run) are untouched.
show_rules() {
  local work rc=0
  work=$(mktemp -d)
  printf 'indicator,value,comment\ndebt_resolved,5000,\n' >"$work/error.csv"
  printf 'indicator,value,comment\nfai,80000,%s\n' \
    "新开工郑万高铁配套物流园项目，投资同比大幅增长" >"$work/warning.csv"
  printf '\n== 审核 (ERROR): 九集镇 2022Q1 已化解村级债务 5000 above 锁定债务 4300 (dry run): refused\n'
  HUIZONG_TOKEN="${TOKEN[$JIUJI]}" "$HUIZONG" submit --region "$JIUJI" --period 2022Q1 \
    --file "$work/error.csv" --dry-run 2>&1 || rc=$?
  ((rc == 1)) || { rm -rf "$work"; die "the ERROR rule did not refuse the submission (exit $rc)"; }
  printf '\n== 审核 (WARNING): 九集镇 2022Q1 固定资产投资 80000万元, outside the ±50%% 同比 band, explained in its comment (dry run): accepted\n'
  HUIZONG_TOKEN="${TOKEN[$JIUJI]}" "$HUIZONG" submit --region "$JIUJI" --period 2022Q1 \
    --file "$work/warning.csv" --dry-run ||
    { rm -rf "$work"; die "the explained warning was not accepted"; }
  rm -rf "$work"
  printf '\n== 审核: 南漳县 2022Q1, what the county checks before approving\n'
  HUIZONG_TOKEN="${TOKEN[$COUNTY]}" "$HUIZONG" validate --region "$COUNTY" --period 2022Q1 ||
    die "an ERROR rule stands in the demo's figures"
}

main() {
  (($# == 2)) || usage
  export HUIZONG_ADDR=$1
  ADMIN_TOKEN=$2
  [[ -n "$ADMIN_TOKEN" ]] || usage
  find_clis
  require_commands
  say "checking the data files"
  "$PY" "$HERE/demo.py" check >&2 || die "the demo data does not reproduce the reports (demo.py check)"
  import_reference_data
  ensure_tokens
  submit_all
  print_rollups
  show_rules
}

main "$@"
