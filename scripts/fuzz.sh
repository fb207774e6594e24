#!/bin/sh
# Builds the libFuzzer targets (fuzz/, CMake option MAILKEY_FUZZ) with clang, ASan and UBSan in
# build-fuzz/ and runs each one for SECONDS seconds (default 20), one after the other.
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]      (TARGET: e.g. token_reply; default: all)
# Exits non-zero if any target crashes, leaks, times out, runs out of memory or breaks one of its
# invariants. The input that did it is kept under build-fuzz/crashes/<target>/ and the command
# that reproduces it is printed. What a run finds is kept in build-fuzz/corpus/<target>/ and
# used again by the next run; the committed seeds are fuzz/corpus/<target>/.
# Environment: MAILKEY_FUZZ_BUILD (build folder, default build-fuzz), MAILKEY_FUZZ_JOBS (build
# jobs, default 2), MAILKEY_FUZZ_NO_DEPS=1 (do not check the Debian packages).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
secs=20
case "${1:-}" in
  ''|*[!0-9]*) ;;
  *) secs=$1; shift ;;
esac
build=${MAILKEY_FUZZ_BUILD:-$root/build-fuzz}
jobs=${MAILKEY_FUZZ_JOBS:-2}

if [ "${MAILKEY_FUZZ_NO_DEPS:-0}" != 1 ]; then
  sh "$root/scripts/install-deps.sh" fuzz
fi

launcher=""
if command -v ccache >/dev/null 2>&1; then
  launcher="-DCMAKE_CXX_COMPILER_LAUNCHER=ccache"
  export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$root}" # hits across clones in other folders
fi
# Warnings are not errors here: clang warns about things gcc does not, and the gcc builds
# (MAILKEY_WARNINGS_AS_ERRORS in CI) are the judge of warnings.
mkdir -p "$build"
# shellcheck disable=SC2086
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=clang++ $launcher \
  -DMAILKEY_FUZZ=ON -DMAILKEY_SANITIZE=ON -DMAILKEY_WARNINGS_AS_ERRORS=OFF \
  -DMAILKEY_BUILD_TESTS=OFF -DMAILKEY_BUILD_BENCH=OFF >"$build/configure.log" 2>&1 ||
  { cat "$build/configure.log"; exit 1; }
ninja -C "$build" -j"$jobs" mailkey_fuzzers

targets="$*"
if [ -z "$targets" ]; then
  for exe in "$build"/fuzz/fuzz_*; do
    [ -f "$exe" ] && [ -x "$exe" ] && targets="$targets ${exe##*/fuzz_}"
  done
fi

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export QT_LOGGING_RULES="*=false"

failed=""
summary=""
for t in $targets; do
  exe="$build/fuzz/fuzz_$t"
  if [ ! -f "$exe" ] || [ ! -x "$exe" ]; then
    echo "fuzz.sh: no target $t ($exe)" >&2
    exit 2
  fi
  seeds="$root/fuzz/corpus/$t"
  corpus="$build/corpus/$t"
  crashes="$build/crashes/$t"
  log="$build/logs/$t.log"
  mkdir -p "$corpus" "$crashes" "$build/logs"
  dict=""
  [ -f "$root/fuzz/dict/$t.dict" ] && dict="-dict=$root/fuzz/dict/$t.dict"
  echo "== fuzz_$t for ${secs}s"
  rc=0
  # The new corpus folder comes first: libFuzzer writes what it finds into the first one.
  # shellcheck disable=SC2086
  timeout --kill-after=10 $((secs + 120)) "$exe" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
    -detect_leaks=1 -print_final_stats=1 -artifact_prefix="$crashes/" $dict \
    "$corpus" "$seeds" >"$log" 2>&1 || rc=$?
  done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1 || true)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  cov=$(echo "$done_line" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
  ft=$(echo "$done_line" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
  summary="$summary$(printf '  %-18s %4ss %10s execs %7s exec/s  cov %6s  ft %6s  rc %s' \
    "$t" "$secs" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "$rc")
"
  if [ "$rc" -ne 0 ]; then
    failed="$failed $t"
    echo "fuzz_$t FAILED (exit $rc); the end of its log ($log):"
    tail -n 40 "$log"
    for f in "$crashes"/*; do
      [ -f "$f" ] || continue
      echo "  kept: $f"
      echo "  reproduce: $exe $f"
    done
  fi
done

echo
echo "== fuzz summary (${secs}s per target)"
printf '%s' "$summary"
if [ -n "$failed" ]; then
  echo "fuzz.sh: FAILED:$failed (inputs under $build/crashes/, logs under $build/logs/)" >&2
  exit 1
fi
