#!/usr/bin/env bash
# Fails when a C file of the tree differs from what clang-format makes of it
# with the house style in .clang-format (Debian 12's clang-format 14).
# Fix with: clang-format -i $(git ls-files '*.c' '*.h')
set -uo pipefail
root=${1:-.}
cd "$root" || exit 2
command -v clang-format >/dev/null || { echo "clang-format is not installed (package clang-format)"; exit 1; }
mapfile -t files < <(git ls-files '*.c' '*.h' 2>/dev/null || find service client proto tests -name '*.[ch]')
bad=0
for f in "${files[@]}"; do
  if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
    echo "not formatted: $f"
    bad=$((bad + 1))
  fi
done
echo "${#files[@]} files checked, $bad not formatted"
[ "$bad" -eq 0 ]
