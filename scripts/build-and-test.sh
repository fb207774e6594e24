#!/bin/sh
# Builds MailKey with warnings as errors and runs the whole test suite (each test program runs
# against a real, private gnome-keyring in its own D-Bus session). Installs missing Debian
# packages first.
# Usage: scripts/build-and-test.sh [--sanitize]   (--sanitize: ASan + UBSan build in build-asan/)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
sh "$root/scripts/install-deps.sh" test

dir="$root/build-test"
flags="-DCMAKE_BUILD_TYPE=RelWithDebInfo"
if [ "${1:-}" = "--sanitize" ]; then
  dir="$root/build-asan"
  flags="-DCMAKE_BUILD_TYPE=Debug -DMAILKEY_SANITIZE=ON -DMAILKEY_BUILD_BENCH=OFF"
fi
launcher=""
command -v ccache >/dev/null 2>&1 && launcher="-DCMAKE_CXX_COMPILER_LAUNCHER=ccache"

# shellcheck disable=SC2086
cmake -S "$root" -B "$dir" -G Ninja $flags $launcher -DMAILKEY_WARNINGS_AS_ERRORS=ON >/dev/null
cmake --build "$dir" -j "$(nproc)"
cd "$dir"
ctest --output-on-failure -j "$(nproc)" --label-exclude bench
