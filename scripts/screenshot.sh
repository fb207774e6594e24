#!/bin/sh
# Renders the MailKey window with several mailboxes under Xvfb into docs/screenshot.png.
#
#   scripts/screenshot.sh [BUILD_DIR]      (default: build)
#
# Everything runs in a throw-away world: an X server of its own (xvfb-run), a private D-Bus session
# with its own unlocked gnome-keyring (tests/support/with-keyring.sh), temporary data and config
# folders, and the fake identity provider (mailkey-fake-idp) on 127.0.0.1. mailkey-ui-seed signs in
# once against it and adds demo Outlook and Gmail mailboxes whose Graph/Gmail API is the fake
# server, so the selected mailbox lists real folders. Then the real `mailkey` binary is started and
# its window captured.
# Needs: xvfb (xvfb-run), xauth, imagemagick (import), x11-utils (xwininfo), gnome-keyring, dbus.
set -eu
self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
here=$(cd "$(dirname "$0")/.." && pwd)

if [ "${1:-}" = "--inner" ]; then
    # In the private X server and keyring session.
    work=$(mktemp -d)
    export MAILKEY_DATA_DIR="$work/data" MAILKEY_CONFIG_DIR="$work/config" QT_QPA_PLATFORM=xcb
    unset MAILKEY_MICROSOFT_CLIENT_ID MAILKEY_GOOGLE_CLIENT_ID MAILKEY_FAKE_CLIENT_ID 2>/dev/null || true
    "$FAKE_IDP" --port 0 --email alice@fabrikam.example --name "Alice Fabrikam" \
        >"$work/idp.out" 2>"$work/idp.log" &
    idp=$!
    app=""
    cleanup() {
        [ -n "$app" ] && kill "$app" 2>/dev/null
        kill "$idp" 2>/dev/null
        rm -rf "$work"
    }
    trap cleanup EXIT
    i=0
    while [ ! -s "$work/idp.out" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    issuer=$(sed -n 's/^ *"issuer": "\([^"]*\)",*$/\1/p' "$work/idp.out")
    if [ -z "$issuer" ]; then
        echo "screenshot.sh: the fake IdP did not start" >&2
        cat "$work/idp.log" >&2
        exit 1
    fi
    "$SEED" --issuer "$issuer"

    # No -geometry: the first size the window picks for itself (fitted to the screen), the window
    # a person sees on first start (issue 16, point 12).
    "$MAILKEY" >"$work/app.log" 2>&1 &
    app=$!
    id=""
    i=0
    while [ -z "$id" ] && [ $i -lt 100 ]; do
        sleep 0.1
        # The top-level window titled MailKey (not Qt's small helper windows).
        id=$(xwininfo -root -tree 2>/dev/null |
            awk '/"MailKey"/ { split($(NF-1), g, "x"); if (g[1] + 0 >= 400) { print $1; exit } }')
        i=$((i + 1))
    done
    if [ -z "$id" ]; then
        echo "screenshot.sh: no MailKey window" >&2
        cat "$work/app.log" >&2
        exit 1
    fi
    sleep 3 # the vault opens, the list fills, the folders of the selected mailbox load
    import -window "$id" "$OUT"
    echo "screenshot.sh: wrote $OUT"
    exit 0
fi

build=${1:-build}
case $build in /*) ;; *) build="$here/$build" ;; esac

missing=""
for tool in xvfb-run xauth import xwininfo dbus-run-session gnome-keyring-daemon cmake; do
    command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
if [ -n "$missing" ]; then
    echo "screenshot.sh: missing:$missing" >&2
    echo "  Debian/Ubuntu: sudo apt-get install xvfb xauth imagemagick x11-utils gnome-keyring dbus cmake" >&2
    exit 1
fi

if [ ! -f "$build/CMakeCache.txt" ]; then
    cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
fi
cmake --build "$build" --target mailkey mailkey-fake-idp mailkey-ui-seed

find_bin() { find "$build" -type f -name "$1" -perm -u+x | head -n 1; }
MAILKEY=$(find_bin mailkey)
FAKE_IDP=$(find_bin mailkey-fake-idp)
SEED=$(find_bin mailkey-ui-seed)
OUT="$here/docs/screenshot.png"
export MAILKEY FAKE_IDP SEED OUT
mkdir -p "$here/docs"

xvfb-run -a -s "-screen 0 1400x900x24 -dpi 96" sh "$here/tests/support/with-keyring.sh" sh "$self" --inner
