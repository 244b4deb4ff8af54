#!/usr/bin/env bash
# Installs what is missing, builds with the `ci` preset (warnings as errors) and runs
# every test, then builds with the `asan` preset (AddressSanitizer + UBSan) and runs
# every test again. This is the README's test command; .ci/run calls it.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh

start=$(date +%s)
jobs=${BW_JOBS:-$(nproc)}
for preset in ci asan; do
  echo "=== $preset: configure"
  cmake --preset "$preset" >/dev/null
  echo "=== $preset: build"
  cmake --build --preset "$preset" -j "$jobs"
  echo "=== $preset: test"
  ctest --preset "$preset" -j "$jobs"
done
echo "=== all tests passed in $(( $(date +%s) - start )) s"
