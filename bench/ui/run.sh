#!/bin/sh
# The window with 50 accounts: launch-to-painted and launch-to-filled medians, and the largest
# GUI-thread stall while the 50 accounts refresh against the fake server. Runs under Xvfb with a
# private, unlocked gnome-keyring.
# Usage: bench/ui/run.sh BUILD_DIR
set -eu
build=${1:?build dir}
root=$(cd "$(dirname "$0")/../.." && pwd)
exec xvfb-run -a -s "-screen 0 1280x900x24" sh "$root/tests/support/with-keyring.sh" "$build/bench/ui/mailkey-bench-ui"
