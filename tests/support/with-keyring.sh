#!/bin/sh
# Runs a command inside a private D-Bus session with a private, unlocked gnome-keyring (a real
# Secret Service) and private XDG folders, so each test program has a keyring and data of its own.
set -eu
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mailkey-test.XXXXXX")
cleanup() { rm -rf "$tmp"; }
trap cleanup EXIT INT TERM
export HOME="$tmp/home" XDG_DATA_HOME="$tmp/data" XDG_CONFIG_HOME="$tmp/config" \
       XDG_CACHE_HOME="$tmp/cache" XDG_RUNTIME_DIR="$tmp/run"
mkdir -p "$HOME" "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
unset MAILKEY_DATA_DIR MAILKEY_CONFIG_DIR
status=0
dbus-run-session -- sh -c '
    printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1 || {
        echo "with-keyring: gnome-keyring-daemon could not start" >&2; exit 97; }
    exec "$@"' with-keyring "$@" || status=$?
exit $status
