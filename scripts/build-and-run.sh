#!/bin/sh
# Builds MailKey (Release) and starts the app. Installs missing Debian packages first.
# Usage: scripts/build-and-run.sh [mailkey arguments, e.g. --profile work]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
sh "$root/scripts/install-deps.sh" run
launcher=""
command -v ccache >/dev/null 2>&1 && launcher="-DCMAKE_CXX_COMPILER_LAUNCHER=ccache" # faster rebuilds
# shellcheck disable=SC2086
cmake -S "$root" -B "$root/build" -G Ninja -DCMAKE_BUILD_TYPE=Release $launcher \
      -DMAILKEY_BUILD_TESTS=OFF -DMAILKEY_BUILD_BENCH=OFF >/dev/null
cmake --build "$root/build" --target mailkey mailkey-cli
exec "$root/build/app/mailkey" "$@"
