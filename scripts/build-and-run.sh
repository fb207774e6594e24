#!/bin/sh
# Builds MailKey (Release) and starts the app. Installs missing Debian packages first.
# Usage: scripts/build-and-run.sh [mailkey arguments, e.g. --profile work]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
sh "$root/scripts/install-deps.sh" run
cmake -S "$root" -B "$root/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DMAILKEY_BUILD_TESTS=OFF -DMAILKEY_BUILD_BENCH=OFF >/dev/null
cmake --build "$root/build" --target mailkey mailkey-cli
exec "$root/build/app/mailkey" "$@"
