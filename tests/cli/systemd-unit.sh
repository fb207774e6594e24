#!/bin/sh
# The systemd user unit of `mailkey-cli serve` (packaging/linux/mailkey.service.in), filled in as
# the package fills it in, pointing at the mailkey-cli of this build: `systemd-analyze verify`
# must have nothing to say (it prints warnings with exit status 0, so any output fails), and the
# unit must start the service it names. Exit 77 (skipped) where systemd-analyze is not installed.
#   systemd-unit.sh SOURCE_DIR MAILKEY_CLI
set -eu
src=$1
cli=$2
command -v systemd-analyze >/dev/null 2>&1 || { echo "SKIP: systemd-analyze is not installed"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed "s#@MAILKEY_SERVE_EXEC@#$cli#" "$src/packaging/linux/mailkey.service.in" >"$tmp/mailkey.service"
grep -q "^ExecStart=$cli serve\$" "$tmp/mailkey.service" || { echo "FAIL: ExecStart is not '$cli serve'"; exit 1; }
grep -q '^WantedBy=default.target$' "$tmp/mailkey.service" || { echo "FAIL: no [Install] WantedBy"; exit 1; }
out=$(systemd-analyze verify --man=no "$tmp/mailkey.service" 2>&1) || { echo "FAIL: $out"; exit 1; }
[ -z "$out" ] || { echo "FAIL: systemd-analyze verify said: $out"; exit 1; }
echo "ok: systemd-analyze verify has nothing to say about mailkey.service"
