#!/bin/sh
# The window at the scale of issue 17 (1,000 mailboxes, 1,000,000 audit rows): launch-to-painted
# and launch-to-filled medians, the longest GUI-thread stall from start-up to idle and while every
# mailbox refreshes against the fake server, opening a mailbox's details, and the window's peak
# memory, each against its target. Runs under Xvfb with a private, unlocked gnome-keyring.
# Usage: bench/ui/run.sh BUILD_DIR [ACCOUNTS] [AUDIT_ROWS] [RUNS]   (defaults 1000 1000000 5)
#   Seeding takes minutes (one real sign-in per mailbox; each appendAudit is its own transaction).
set -eu
build=${1:?usage: bench/ui/run.sh BUILD_DIR [ACCOUNTS] [AUDIT_ROWS] [RUNS]}
root=$(cd "$(dirname "$0")/../.." && pwd)
exec xvfb-run -a -s "-screen 0 1280x900x24" sh "$root/tests/support/with-keyring.sh" \
    "$build/bench/ui/mailkey-bench-ui" --accounts "${2:-1000}" --audit-rows "${3:-1000000}" --runs "${4:-5}"
