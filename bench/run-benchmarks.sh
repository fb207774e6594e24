#!/bin/sh
# Builds every benchmark and runs each bench/<area>/run.sh in turn with the build folder.
# Benchmarks print their figures and PASS/FAIL against their targets; they are programs, not
# CTests, because their timings depend on the machine's load.
# Usage: bench/run-benchmarks.sh [BUILD_DIR]   (default: build-bench, a Release build)
# Installs what the benchmarks need first (scripts/install-deps.sh bench).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
sh "$root/scripts/install-deps.sh" bench
build=${1:-$root/build-bench}
if [ ! -f "$build/CMakeCache.txt" ]; then
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DMAILKEY_BUILD_BENCH=ON
fi
cmake --build "$build" -j2
status=0
for script in "$root"/bench/*/run.sh; do
    [ -f "$script" ] || continue
    echo "== $(basename "$(dirname "$script")")"
    sh "$script" "$build" || status=1
done
exit $status
