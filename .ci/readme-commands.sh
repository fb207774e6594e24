#!/bin/sh
# Run by .ci/run inside a fresh minimal Debian root, in a copy of the clone at /src: the README's
# two set-up commands, exactly as written, as a new user would run them.
#  1. scripts/build-and-run.sh: builds and starts the app. Here on Qt's offscreen platform; it
#     must come up (the script execs build/app/mailkey) and still run 15 s later.
#  2. scripts/build-and-test.sh: the whole suite with warnings as errors.
set -eu
cd /src
limit=${MAILKEY_CI_BUILD_LIMIT:-2400} # seconds for installing and building before the app starts

echo "== scripts/build-and-run.sh (QT_QPA_PLATFORM=offscreen)"
QT_QPA_PLATFORM=offscreen sh scripts/build-and-run.sh > /tmp/build-and-run.log 2>&1 &
pid=$!
waited=0
app=""
while kill -0 "$pid" 2>/dev/null; do
    case $(readlink "/proc/$pid/exe" 2>/dev/null) in */build/app/mailkey) app=1; break ;; esac
    [ "$waited" -lt "$limit" ] || break
    sleep 2
    waited=$((waited + 2))
done
if [ -z "$app" ]; then
    kill "$pid" 2>/dev/null || true
    tail -n 40 /tmp/build-and-run.log
    echo "FAILED: scripts/build-and-run.sh did not start build/app/mailkey" >&2
    exit 1
fi
sleep 15
if ! kill -0 "$pid" 2>/dev/null; then
    tail -n 40 /tmp/build-and-run.log
    echo "FAILED: mailkey started but exited within 15 s" >&2
    exit 1
fi
kill "$pid"
wait "$pid" 2>/dev/null || true
echo "mailkey came up and kept running for 15 s"

echo "== scripts/build-and-test.sh"
sh scripts/build-and-test.sh
