#!/usr/bin/env bash
# Builds the libFuzzer targets (the `fuzz` preset: clang, ASan + UBSan, only tests/fuzz
# and the parsers it needs) and runs each for a fixed time, starting from the checked-in
# corpus tests/fuzz/corpus/<target>/ plus what earlier runs found (build/fuzz/work/).
# Prints per target: executions per second, corpus size and the coverage gained.
#
#   scripts/fuzz.sh                          every target for 25 s (what scripts/test.sh runs)
#   scripts/fuzz.sh --seconds 3600 recipe    one target for an hour (the long benchmark run)
#   scripts/fuzz.sh --jobs 2 --seconds 900   two targets at a time
#   scripts/fuzz.sh --merge ...              afterwards, fold new coverage into the
#                                            checked-in corpus (minimised with -merge=1)
#   scripts/fuzz.sh --no-build ...           use the binaries already in build/fuzz
#
# Exit status 1 when a target crashed, hung or broke an invariant; its input is kept in
# build/fuzz/artifacts/<target>/ (add it to tests/fuzz/corpus/<target>/ as
# crash-<what> once fixed: the corpus replay ctests then run it in every build).
set -euo pipefail
cd "$(dirname "$0")/.."

all_targets=(bisectlog recipe recipevariables console ansi gitbisectfiles commitgraph)
seconds=25
jobs=1
build=1
merge=0
targets=()
while [ $# -gt 0 ]; do
  case $1 in
    --seconds) seconds=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    --merge) merge=1; shift ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")
for t in "${targets[@]}"; do
  [[ " ${all_targets[*]} " == *" $t "* ]] || { echo "unknown target $t (${all_targets[*]})" >&2; exit 2; }
done

bin=build/fuzz/tests/fuzz
if [ $build = 1 ]; then
  start=$(date +%s)
  echo "=== fuzz: configure and build (clang)"
  cmake --preset fuzz >/dev/null
  cmake --build --preset fuzz -j "${BW_JOBS:-$(nproc)}"
  echo "=== fuzz: built in $(( $(date +%s) - start )) s"
fi

# Inputs beyond 4 KiB matter where the parser has a limit to test (the console's 16 KiB
# line cut, big recipes and commit-graphs).
max_len() {
  case $1 in
    console) echo 40000 ;;
    commitgraph|recipe|gitbisectfiles) echo 16384 ;;
    *) echo 4096 ;;
  esac
}

run_one() {
  local t=$1
  local work=build/fuzz/work/$t artifacts=build/fuzz/artifacts/$t log=build/fuzz/logs/$t.log
  mkdir -p "$work" "$artifacts" "$(dirname "$log")"
  local dict=()
  [ -f tests/fuzz/dict/$t.dict ] && dict=(-dict=tests/fuzz/dict/$t.dict)
  local status=0
  "$bin/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len="$(max_len "$t")" -print_final_stats=1 -artifact_prefix="$artifacts/" \
    "${dict[@]}" "$work" "tests/fuzz/corpus/$t" >"$log" 2>&1 || status=$?
  echo $status >"$log.status"
}

summary() {
  local t=$1 log=build/fuzz/logs/$1.log
  local status execs rate added inited last c0 c1 files
  status=$(cat "$log.status")
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  added=$(sed -n 's/^stat::new_units_added: *//p' "$log" | tail -1)
  inited=$(grep -m1 'INITED' "$log" || true)
  last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  c0=$(sed -n 's/.* cov: \([0-9]*\) .*/\1/p' <<<"$inited")
  c1=$(sed -n 's/.* cov: \([0-9]*\) .*/\1/p' <<<"$last")
  files=$(( $(find "build/fuzz/work/$t" -type f | wc -l) + $(find "tests/fuzz/corpus/$t" -type f | wc -l) ))
  printf '%-16s %6s s %10s execs %7s/s  corpus %5s files  cov %s -> %s (+%s)  new inputs %s  %s\n' \
    "$t" "$seconds" "${execs:-?}" "${rate:-?}" "$files" "${c0:-?}" "${c1:-?}" \
    "$(( ${c1:-0} - ${c0:-0} ))" "${added:-?}" "$([ "$status" = 0 ] && echo ok || echo FAILED)"
  return "$status"
}

echo "=== fuzz: ${targets[*]} for $seconds s each ($jobs at a time)"
start=$(date +%s)
running=0
for t in "${targets[@]}"; do
  run_one "$t" &
  running=$((running + 1))
  if [ $running -ge "$jobs" ]; then wait -n || true; running=$((running - 1)); fi
done
wait

failed=()
for t in "${targets[@]}"; do
  summary "$t" || failed+=("$t")
done
if [ $merge = 1 ]; then
  for t in "${targets[@]}"; do
    "$bin/fuzz_$t" -merge=1 -max_len="$(max_len "$t")" -timeout=10 "tests/fuzz/corpus/$t" \
      "build/fuzz/work/$t" >"build/fuzz/logs/$t.merge.log" 2>&1
    echo "merged $t: $(find "tests/fuzz/corpus/$t" -type f | wc -l) files in tests/fuzz/corpus/$t"
  done
fi
echo "=== fuzz: done in $(( $(date +%s) - start )) s"
for t in "${failed[@]}"; do
  echo "--- $t failed; the end of build/fuzz/logs/$t.log:"
  tail -40 "build/fuzz/logs/$t.log"
  echo "--- inputs kept in build/fuzz/artifacts/$t/:"
  ls -1 "build/fuzz/artifacts/$t/"
  echo "--- reproduce: $bin/fuzz_$t build/fuzz/artifacts/$t/<file>"
done
[ ${#failed[@]} -eq 0 ]
