#!/bin/sh
# Builds the libFuzzer targets for the network-facing wire parsers, the
# token parsers (bearer tokens, keyset page tokens), the request text check
# and the domain value parsers (periods, decimals) with
# clang (libFuzzer + AddressSanitizer + UndefinedBehaviorSanitizer) and runs
# each for a bounded time. `meson test test_fuzz` runs it with a short
# budget per target (tests/fuzz/meson.build); longer runs by hand.
#
#   tests/fuzz/run.sh [SECONDS] [OUTDIR]
#
# SECONDS per target (default 20); OUTDIR holds binaries, corpora and
# crash files (default build-fuzz at the repository top). Exits non-zero
# if any target fails to build or finds a crash; a crash input is left in
# OUTDIR/<target>/ for `OUTDIR/<target>/<target> crash-...` to reproduce.
# Needs: clang, libclang-rt-14-dev, libssl-dev (Debian 12).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
seconds=${1:-20}
out=${2:-$top/build-fuzz}
cc=${CC:-clang}
flags="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined"

mkdir -p "$out"

# Seeds give the fuzzer a grammatical start; they are written here rather
# than committed so the tree holds no binary files.
seed_frame() {
  printf '\100\000\007\000\000\000\000\005hello\000\000\000\000\000' > "$1/two"
  printf '\100\002\001\000\000\000\000\001x\001\000\000\000\001y' > "$1/compressed"
}
seed_timeout() {
  for s in 1H 2M 3S 100m 1500u 999999n 99999999S 123456789m 1x ''; do
    printf '%s' "$s" > "$1/seed_$(printf '%s' "$s" | od -An -tx1 | tr -d ' \n')"
  done
}
seed_pct() {
  printf '%s' '%E6%B1%87%E6%80%BB 100%25 %zz %4' > "$1/encoded"
  printf '%s' '汇总 100% done' > "$1/plain"
}
seed_period() {
  for s in 2022 2022S1 2022Q4 202201 202212 1900 2999Q4 2022Q5 202213 \
      2022-01 half_year; do
    printf '%s' "$s" > "$1/seed_$s"
  done
}
seed_token() {
  for s in 'Bearer hz_42_abcdefghijklmnop' 'bearer   hz_999999999999999999_x-Y_z0123456789ab' \
      'Bearer hz_0_abcdefghijklmnop' 'Bearer hz_1_short' 'Basic hz_1_abcdefghijklmnop'; do
    printf '%s' "$s" > "$1/seed_$(printf '%s' "$s" | od -An -tx1 | tr -d ' \n' | cut -c1-64)"
  done
}
seed_page_token() {
  # hex of "2022-04-05T08:30:00.123456Z|123e4567-e89b-12d3-a456-426614174000"
  # and of "2022-04-05 08:30:00+08|42"; untimed: "|420624/fai/2022q1"
  printf '%s' '323032322d30342d30355430383a33303a30302e3132333435365a7c31323365343536372d653839622d313264332d613435362d343236363134313734303030' > "$1/uuid"
  printf '%s' '323032322d30342d30352030383a33303a30302b30387c3432' > "$1/int"
  printf '%s' '7c3432303632342f6661692f323032327131' > "$1/untimed"
}
seed_rule_expr() {
  for s in 'debt_resolved' '(fai - prev_year(fai)) / prev_year(fai) * 100' \
      'abs(a - b) * -2.5' 'ytd(x) - prev_period(x)' '((a)' 'a +' 'sqrt(a)' \
      '已化解 {left} 超过 {right} {fai}'; do
    printf '%s' "$s" > "$1/seed_$(printf '%s' "$s" | od -An -tx1 | tr -d ' \n' | cut -c1-64)"
  done
}
seed_decimal() {
  for s in '4.9|3.828125' '848|1550' '-12.50|0.000' '007' '1e5' '1,234' \
      '99999999999999999999.999999|0.000001' '-0.5|-3' 'NaN' '１２'; do
    printf '%s' "$s" > "$1/seed_$(printf '%s' "$s" | od -An -tx1 | tr -d ' \n')"
  done
}

# The request text check needs message descriptors: generated here by
# protoc-c from proto/ and from google/protobuf/descriptor.proto (a
# recursive type, for the depth limit).
gen="$out/gen"
gen_protos() {
  mkdir -p "$gen"
  protoc-c --c_out="$gen" -I"$top/proto" huizong/v1/common.proto \
    huizong/v1/reporting.proto huizong/v1/admin.proto &&
  protoc-c --c_out="$gen" -I/usr/include/google/protobuf descriptor.proto
}
seed_pbtext() {
  # [type][message]: a SubmitRequest with a value, a region row, a file
  # descriptor with a nested message type.
  printf '\000\012\0011\042\011\012\003fai\022\0014\052\003\344\270\255' > "$1/submit"
  printf '\001\012\010\020\002\032\004ab\000c' > "$1/regions"
  printf '\002\012\001f\042\010\012\001M\032\003\012\001N' > "$1/descriptor"
}

status=0
gen_protos || { echo "== protoc-c failed"; exit 1; }
for target in fuzz_frame fuzz_timeout fuzz_pct fuzz_period fuzz_decimal fuzz_token \
    fuzz_page_token fuzz_pbtext fuzz_rule_expr; do
  dir="$out/$target"
  mkdir -p "$dir/corpus"
  echo "== $target: building"
  # shellcheck disable=SC2086
  if ! $cc $flags -I"$top/proto" -I"$gen" -o "$dir/$target" "$here/$target.c" \
      "$top/proto/wire/frame.c" "$top/proto/wire/status.c" \
      "$top/proto/wire/timeout.c" "$top/proto/wire/utf8.c" "$top/proto/wire/pbtext.c" \
      "$gen"/huizong/v1/*.pb-c.c "$gen/descriptor.pb-c.c" -lprotobuf-c -I"$top/service" \
      "$top/service/domain/period.c" "$top/service/domain/decimal.c" \
      "$top/service/domain/decimal_num.c" "$top/service/domain/decimal_ops.c" \
      "$top/service/domain/decimal_small.c" \
      "$top/service/domain/rule_expr.c" "$top/service/domain/ident.c" \
      "$top/service/api/auth.c" "$top/service/api/pgtext.c" \
      "$top/service/core/arena.c" -lcrypto; then
    echo "== $target: BUILD FAILED"
    status=1
    continue
  fi
  case $target in
    fuzz_frame) seed_frame "$dir/corpus" ;;
    fuzz_timeout) seed_timeout "$dir/corpus" ;;
    fuzz_pct) seed_pct "$dir/corpus" ;;
    fuzz_period) seed_period "$dir/corpus" ;;
    fuzz_decimal) seed_decimal "$dir/corpus" ;;
    fuzz_token) seed_token "$dir/corpus" ;;
    fuzz_page_token) seed_page_token "$dir/corpus" ;;
    fuzz_pbtext) seed_pbtext "$dir/corpus" ;;
    fuzz_rule_expr) seed_rule_expr "$dir/corpus" ;;
  esac
  echo "== $target: fuzzing for ${seconds}s"
  if (cd "$dir" && "./$target" -max_total_time="$seconds" -max_len=4096 \
        -print_final_stats=1 corpus > log.txt 2>&1); then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log.txt")
    echo "== $target: ok, ${runs:-?} runs, no crash"
  else
    echo "== $target: FAILED (see $dir/log.txt)"
    tail -n 30 "$dir/log.txt"
    status=1
  fi
done
exit $status
