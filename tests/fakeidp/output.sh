#!/bin/sh
# mailkey-fake-idp as the README uses it: `mailkey-fake-idp > providers.json` must give valid JSON
# that mailkey-cli accepts, and the address it listens at goes to standard error.
# Usage: output.sh BUILD_DIR
set -eu
build=$1
idp="$build/tests/support/fakeidp/mailkey-fake-idp"
cli="$build/app/mailkey-cli"
[ -x "$idp" ] || { echo "output.sh: $idp is missing" >&2; exit 1; }
work=$(mktemp -d)
pid=
trap '[ -z "$pid" ] || kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
"$idp" --port 0 --email bob@example.org >"$work/providers.json" 2>"$work/err" &
pid=$!
i=0
until grep -q 'listening at' "$work/err" 2>/dev/null; do
    i=$((i + 1))
    [ $i -lt 100 ] || { echo "FAIL: mailkey-fake-idp did not start:" >&2; cat "$work/err" >&2; exit 1; }
    sleep 0.05
done
fail() { echo "FAIL: $*" >&2; echo "--- stdout:" >&2; cat "$work/providers.json" >&2; echo "--- stderr:" >&2; cat "$work/err" >&2; exit 1; }

# Standard output is one JSON document (Debian's python3: the one on PATH may be a slow pyenv).
py=/usr/bin/python3
[ -x "$py" ] || py=python3
"$py" -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d["providers"][0]["id"] == "fake"' \
    "$work/providers.json" || fail "standard output is not the providers.json"
head -c 1 "$work/providers.json" | grep -q '{' || fail "standard output does not start with '{'"
# The issuer line is on standard error, and it is the JSON's issuer.
issuer=$(sed -n 's/^ *"issuer": "\([^"]*\)",*$/\1/p' "$work/providers.json")
case $issuer in http://127.0.0.1:[0-9]*) ;; *) fail "no loopback issuer in the JSON: '$issuer'" ;; esac
grep -q "listening at $issuer as bob@example.org" "$work/err" || fail "standard error does not name $issuer"
# mailkey-cli reads it: the provider is offered by connect's error for a mistyped id.
if [ -x "$cli" ]; then
    export MAILKEY_DATA_DIR="$work/data" MAILKEY_CONFIG_DIR="$work/config" HOME="$work/home"
    rc=0
    "$cli" connect fak --providers "$work/providers.json" 2>"$work/cli.err" || rc=$?
    [ "$rc" -eq 2 ] || fail "mailkey-cli connect fak: exit $rc, expected 2: $(cat "$work/cli.err")"
    grep -q "Did you mean 'fake'?" "$work/cli.err" || fail "mailkey-cli did not read the file: $(cat "$work/cli.err")"
fi
echo "mailkey-fake-idp: JSON on stdout, issuer $issuer on stderr"
