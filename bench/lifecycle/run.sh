#!/bin/sh
# Refreshing 100 accounts against the fake server with 150 ms latency per request (HTTP/1.1,
# 6 connections per host): total <= 1.3 x ceil(100/6) x 150 ms, and no GUI-thread stall above
# 16 ms (1 ms heartbeat). Not a CTest: the figures depend on the machine's load.
# Usage: bench/lifecycle/run.sh BUILD_DIR [ROUNDS]
set -eu
build=${1:?build dir}
rounds=${2:-3}
exec "$build/bench/lifecycle/bench_lifecycle_refresh" --accounts 100 --latency 150 --rounds "$rounds"
