#!/usr/bin/env bash
# Installs what is missing, builds with the `ci` preset (warnings as errors) and runs
# every test, then builds with the `asan` preset (AddressSanitizer + UBSan) and runs
# every test again, then builds the libFuzzer targets (the `fuzz` preset, clang) and
# fuzzes each parser for BW_FUZZ_SECONDS (25 s by default; 0 skips the phase). This is
# the README's test command; .ci/run calls it.
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
fuzz_seconds=${BW_FUZZ_SECONDS:-25}
if [ "$fuzz_seconds" -gt 0 ]; then
  fuzz_start=$(date +%s)
  bash scripts/fuzz.sh --seconds "$fuzz_seconds"
  echo "=== fuzz phase took $(( $(date +%s) - fuzz_start )) s"
fi
echo "=== all tests passed in $(( $(date +%s) - start )) s"
