#!/bin/sh
# A vault at the scale of issue 17: 1,000 accounts and 1,000,000 audit rows, made through the real
# Vault::saveConnection / Vault::appendAudit (bench_vault_scale seed), under a real gnome-keyring
# (private D-Bus session). Prints, against the targets:
#   mailkey-cli audit EMAIL           (whole process, median of RUNS)   target <= 20 ms
#   mailkey-cli audit --since 1h      (whole process, median of RUNS)   target <= 20 ms
#   mailkey-cli list, 1,000 accounts vs 1 account (medians)             target ratio <= 2
#   the window's start-up open: longest stall of the calling thread      target <= 16 ms
# and, for reference: the same audit queries in-process (Vault::audit), the process-start floor
# (mailkey-cli --version), the vault-open floor (`audit` of a vault with one account and no
# rows), the first redact() of a hand-out detail, and the one-time upgrade of a schema-1 vault
# of this size (schema 2 adds the audit indexes).
# Usage: bench/scale/run.sh BUILD_DIR [ACCOUNTS] [ROWS] [RUNS]   (defaults 1000 1000000 21)
#   Seeding 1,000,000 rows takes minutes (each appendAudit is its own transaction).
set -eu
build=$(cd "${1:?usage: bench/scale/run.sh BUILD_DIR [ACCOUNTS] [ROWS] [RUNS]}" && pwd)
accounts=${2:-1000}
rows=${3:-1000000}
runs=${4:-21}
root=$(cd "$(dirname "$0")/../.." && pwd)
for f in "$build/app/mailkey-cli" "$build/bench/scale/bench_vault_scale"; do
    [ -x "$f" ] || { echo "bench/scale/run.sh: $f is missing: build mailkey-cli bench_vault_scale" >&2; exit 1; }
done
exec sh "$root/tests/support/with-keyring.sh" sh -c '
  set -eu
  build=$1; accounts=$2; rows=$3; runs=$4
  cli="$build/app/mailkey-cli"; scale="$build/bench/scale/bench_vault_scale"
  # Median wall time in ms of RUNS runs of a command (its output discarded).
  timed() {
    : > "$HOME/t"
    i=0
    while [ $i -lt "$runs" ]; do
      s=$(date +%s%N); "$@" >/dev/null; e=$(date +%s%N)
      echo $(( (e - s) / 1000 )) >> "$HOME/t"
      i=$((i + 1))
    done
    sort -n "$HOME/t" | awk "{a[NR]=\$1} END {printf \"%.1f\", a[int((NR+1)/2)]/1000}"
  }
  verdict() { awk "BEGIN{exit !($1)}" && echo PASS || echo FAIL; }
  "$cli" --profile bench audit >/dev/null # creates the vault (status only looks)
  "$cli" --profile one audit >/dev/null
  "$scale" seed one 1 0 >/dev/null
  echo "Seeding $accounts accounts and $rows audit rows (load average $(cut -d" " -f1-3 /proc/loadavg)):"
  "$scale" seed bench "$accounts" "$rows" | sed "s/^/  /"
  size=$(du -k "$XDG_DATA_HOME/MailKey/profiles/bench/vault.db" | cut -f1)
  echo "vault file: $((size / 1024)) MiB"
  echo "Load average before timing: $(cut -d" " -f1-3 /proc/loadavg) on $(nproc) CPU(s)"
  floor=$(timed "$cli" --version)
  openfloor=$(timed "$cli" --profile one audit)
  a1=$(timed "$cli" --profile bench audit user0001@example.com)
  a2=$(timed "$cli" --profile bench audit --since 1h)
  l1000=$(timed "$cli" --profile bench list)
  l1=$(timed "$cli" --profile one list)
  echo "whole-process medians of $runs runs (floors: mailkey-cli --version $floor ms; audit of a vault with 1 account and no rows, i.e. start + keychain read + open, $openfloor ms):"
  echo "  audit EMAIL          $a1 ms   (target <= 20 ms: $(verdict "$a1 <= 20"))"
  echo "  audit --since 1h     $a2 ms   (target <= 20 ms: $(verdict "$a2 <= 20"))"
  ratio=$(awk "BEGIN{printf \"%.2f\", $l1000 / $l1}")
  echo "  list, $accounts accounts  $l1000 ms;  list, 1 account  $l1 ms;  ratio ${ratio}x   (target <= 2x: $(verdict "$ratio <= 2"))"
  "$scale" open bench | sed "s/^/  /"
  "$scale" query bench user0001@example.com "$runs" | sed "s/^/  /"
  : > "$HOME/r"
  i=0
  while [ $i -lt "$runs" ]; do "$scale" redact >> "$HOME/r"; i=$((i + 1)); done
  first=$(cut -d" " -f1 "$HOME/r" | sort -n | awk "{a[NR]=\$1} END {print a[int((NR+1)/2)]}")
  tok=$(cut -d" " -f2 "$HOME/r" | sort -n | awk "{a[NR]=\$1} END {print a[int((NR+1)/2)]}")
  ok=$(cut -d" " -f3 "$HOME/r" | sort -u | tr "\n" " ")
  echo "  first redact() in a process: hand-out detail $first us, then a detail with a token $tok us (median of $runs processes; masked as expected: $ok)"
  "$scale" upgrade bench | sed "s/^/  /"
' bench "$build" "$accounts" "$rows" "$runs"
