#!/usr/bin/env bash
# Fails when clang-format (with the checked-in .clang-format) would change a source file.
set -u
root=${1:-.}
cd "$root" || exit 1
command -v clang-format >/dev/null || { echo "clang-format is not installed"; exit 1; }
mapfile -t files < <(find app models services ui tests -name '*.cpp' -o -name '*.h' | sort)
bad=0
for f in "${files[@]}"; do
  if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
    echo "not formatted: $f"; bad=1
  fi
done
[ $bad -eq 0 ] && echo "formatting: ${#files[@]} files ok"
exit $bad
