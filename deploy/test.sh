#!/usr/bin/env bash
# From a bare Debian 12 machine to a tested build: install the packages in
# deploy/debian-packages (as root), build, run the whole `meson test` suite,
# then build again with AddressSanitizer + UBSan and run the suite again.
# The last line printed is "N passed, N failed" over both runs; the exit code
# is non-zero when anything failed, no test ran at all, or a test was
# skipped (a skip is a test that did not run: meson's SKIP, exit 77) unless
# HZ_ALLOW_SKIPS=1 says skips are expected on this machine.
#
# Environment:
#   HZ_SKIP_APT=1    do not run apt-get (also skipped when not root)
#   HZ_ALLOW_SKIPS=1 skipped tests do not fail the run (they are still counted)
#   HZ_SKIP_ASAN=1   skip the sanitizer build and run
#   HZ_BUILD_DIR     plain build directory (default build-ci)
#   HZ_ASAN_BUILD_DIR sanitizer build directory (default build-asan)
#   HZ_TEST_ARGS     extra arguments for both `meson test` runs
#   HZ_TIME_BUDGET_MIN  wall-clock budget for the whole script (80)
#   HZ_SKIP_CONSOLE=1 do not build the web console (its tests then fail)
set -uo pipefail

cd "$(dirname "$0")/.." || exit 2
readonly ROOT=$PWD
# shellcheck source=deploy/packages.sh
. deploy/packages.sh
readonly BUILD_DIR=${HZ_BUILD_DIR:-build-ci}
readonly ASAN_BUILD_DIR=${HZ_ASAN_BUILD_DIR:-build-asan}
# CI allows 90 minutes for everything: the script keeps to a total budget
# (HZ_TIME_BUDGET_MIN, default 80) and each phase to its own ceiling, in s.
readonly TIME_BUDGET_S=$(( ${HZ_TIME_BUDGET_MIN:-80} * 60 ))
readonly BUILD_TIMEOUT_S=$((20 * 60))
readonly CONSOLE_TIMEOUT_S=$((10 * 60))
readonly PLAIN_TEST_TIMEOUT_S=$((25 * 60))
readonly ASAN_TEST_TIMEOUT_S=$((40 * 60))
# Sanitized binaries run slower; give each test's own timeout more room.
readonly ASAN_TIMEOUT_MULTIPLIER=3

TOTAL_PASSED=0
TOTAL_FAILED=0
TOTAL_SKIPPED=0
LAST_FAILED=0   # failures counted from the most recent test log

say() { printf '\n=== %s\n' "$*"; }

# Seconds a phase may take: its ceiling, or what is left of the budget.
phase_limit() {
  local cap="$1" left=$(( TIME_BUDGET_S - SECONDS ))
  (( left < cap )) && cap=$left
  (( cap < 0 )) && cap=0
  echo "$cap"
}

# limited SECONDS CMD...: CMD under a hard wall-clock limit. `timeout 0`
# would mean no limit at all, so an exhausted budget fails at once.
limited() {
  local s="$1"; shift
  if (( s < 10 )); then
    echo "time budget exhausted: not running $*" >&2
    return 124
  fi
  timeout --kill-after=30s "$s" "$@"
}

install_packages() {
  if [[ "${HZ_SKIP_APT:-0}" == 1 ]]; then
    say "apt: skipped (HZ_SKIP_APT=1)"; return 0
  fi
  if [[ $EUID -ne 0 ]]; then
    say "apt: skipped (not root)"; return 0
  fi
  say "apt: installing $(hz_packages | wc -l) packages from $HZ_PACKAGES_FILE"
  # shellcheck disable=SC2046 # one word per package on purpose
  hz_apt_install $(hz_packages) && return 0
  # A mirror hiccup need not fail the run when everything is already there.
  local missing
  missing=$(hz_missing_packages "")  # "": every role
  if [[ -n "$missing" ]]; then
    echo "missing packages: $missing" >&2
    return 1
  fi
  echo "apt-get failed but every package is already installed; going on" >&2
}

# The web console (client/web) is built before meson configures, so that
# huizongd embeds client/web/dist and tests/web can drive it. A failure is
# one failed test; huizongd still builds (and answers 404 at /).
build_console() {
  [[ "${HZ_SKIP_CONSOLE:-0}" == 1 ]] && { say "console: skipped (HZ_SKIP_CONSOLE=1)"; return 0; }
  say "console: npm ci && npm run build in client/web"
  if ! command -v npm >/dev/null; then
    echo "console: npm not found: install Node.js >= 20.19 with npm (role web of $HZ_PACKAGES_FILE)" >&2
    TOTAL_FAILED=$((TOTAL_FAILED + 1)); return
  fi
  if ! (cd client/web && limited "$(phase_limit "$CONSOLE_TIMEOUT_S")" npm ci --no-audit --no-fund &&
        limited "$(phase_limit "$CONSOLE_TIMEOUT_S")" npm run build); then
    echo "console: the build failed" >&2
    TOTAL_FAILED=$((TOTAL_FAILED + 1))
  fi
}

# meson setup DIR [OPTIONS...]: configure fresh or reconfigure in place.
configure() {
  local dir="$1"; shift
  if [[ -f "$dir/meson-private/coredata.dat" ]]; then
    meson setup --reconfigure "$dir" "$@" ||
      meson setup --wipe "$dir" "$@"
  else
    rm -rf "$dir"
    meson setup "$dir" "$@"
  fi
}

# Adds the results in DIR/meson-logs/testlog.json to the totals; prints them.
count_results() {
  local log="$1/meson-logs/testlog.json" counts
  if [[ ! -f "$log" ]]; then
    echo "no test log at $log" >&2
    return 1
  fi
  counts=$(python3 - "$log" <<'EOF'
import json, sys
passed = failed = skipped = 0
with open(sys.argv[1], encoding="utf-8") as f:
    for line in f:
        line = line.strip()
        if not line:
            continue
        try:
            result = json.loads(line).get("result", "")
        except ValueError:  # a line cut short when the run was killed
            result = "TRUNCATED"
        if result in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif result == "SKIP":
            skipped += 1
        else:  # FAIL, TIMEOUT, ERROR, UNEXPECTEDPASS, INTERRUPT, unknown
            failed += 1
print(passed, failed, skipped)
EOF
) || return 1
  read -r p f s <<<"$counts"
  echo "$1: $p passed, $f failed, $s skipped"
  TOTAL_PASSED=$((TOTAL_PASSED + p))
  TOTAL_FAILED=$((TOTAL_FAILED + f))
  LAST_FAILED=$f
  TOTAL_SKIPPED=$((TOTAL_SKIPPED + s))
}

# build_and_test NAME DIR TEST_TIMEOUT [MESON_TEST_ARGS...] -- [SETUP_ARGS...]
# A configure or compile failure counts as one failed test, since the suite
# could not run at all.
build_and_test() {
  local name="$1" dir="$2" ttl="$3"; shift 3
  local test_args=() setup_args=()
  while (($#)) && [[ "$1" != -- ]]; do test_args+=("$1"); shift; done
  (($#)) && shift
  setup_args=("$@")

  say "$name: configure $dir ${setup_args[*]}"
  if ! configure "$dir" "${setup_args[@]}"; then
    echo "$name: meson setup failed" >&2
    TOTAL_FAILED=$((TOTAL_FAILED + 1)); return
  fi
  local limit
  limit=$(phase_limit "$BUILD_TIMEOUT_S")
  say "$name: build (at most ${limit}s)"
  if ! limited "$limit" ninja -C "$dir"; then
    echo "$name: build failed or ran out of time" >&2
    TOTAL_FAILED=$((TOTAL_FAILED + 1)); return
  fi
  limit=$(phase_limit "$ttl")
  say "$name: meson test (at most ${limit}s)"
  rm -f "$dir/meson-logs/testlog.json"
  local rc=0
  # shellcheck disable=SC2086 # HZ_TEST_ARGS is a word list on purpose
  limited "$limit" meson test -C "$dir" --print-errorlogs \
    --num-processes 2 "${test_args[@]}" ${HZ_TEST_ARGS:-} || rc=$?
  LAST_FAILED=0
  if [[ ! -f "$dir/meson-logs/testlog.json" && $rc -eq 0 ]]; then
    echo "$name: no tests ran" >&2
  elif ! count_results "$dir"; then
    TOTAL_FAILED=$((TOTAL_FAILED + 1))
  fi
  # Tests stopped by the limit are logged as INTERRUPT; if none was, the
  # overrun itself is the failure.
  if [[ $rc -eq 124 || $rc -eq 137 ]]; then
    echo "$name: meson test exceeded ${limit}s and was stopped; tests not started are not counted" >&2
    (( LAST_FAILED > 0 )) || TOTAL_FAILED=$((TOTAL_FAILED + 1))
  fi
}

main() {
  local start=$SECONDS
  if ! install_packages; then
    echo "package installation failed" >&2
    echo "0 passed, 1 failed"
    exit 1
  fi

  build_console
  build_and_test plain "$BUILD_DIR" "$PLAIN_TEST_TIMEOUT_S"

  if [[ "${HZ_SKIP_ASAN:-0}" == 1 ]]; then
    say "asan: skipped (HZ_SKIP_ASAN=1)"
  else
    export ASAN_OPTIONS=detect_leaks=1
    export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
    build_and_test asan "$ASAN_BUILD_DIR" "$ASAN_TEST_TIMEOUT_S" \
      --timeout-multiplier "$ASAN_TIMEOUT_MULTIPLIER" -- \
      -Db_sanitize=address,undefined
  fi

  say "done in $(((SECONDS - start) / 60)) min $(((SECONDS - start) % 60)) s ($ROOT); $TOTAL_SKIPPED skipped"
  local skips_fail=0
  if (( TOTAL_SKIPPED > 0 )); then
    if [[ "${HZ_ALLOW_SKIPS:-0}" == 1 ]]; then
      echo "$TOTAL_SKIPPED skipped tests allowed by HZ_ALLOW_SKIPS=1" >&2
    else
      # Why: a skip is a test that silently stopped running; CI must see it.
      echo "$TOTAL_SKIPPED tests were skipped (SKIP lines above); that fails the run" \
        "unless HZ_ALLOW_SKIPS=1" >&2
      skips_fail=1
    fi
  fi
  echo "$TOTAL_PASSED passed, $TOTAL_FAILED failed"
  if (( TOTAL_FAILED > 0 || TOTAL_PASSED == 0 || skips_fail )); then
    exit 1
  fi
}

main "$@"
