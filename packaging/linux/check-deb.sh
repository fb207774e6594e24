#!/bin/sh
# CI check of the Debian package, run as root on Debian 12 (a container or a throw-away machine):
#
#   packaging/linux/check-deb.sh [--deb FILE] [--build-dir DIR] [--out DIR]
#
#  1. builds the .deb with packaging/linux/build-deb.sh (unless --deb names one),
#  2. lintian on the .deb: no errors (overrides are explained in packaging/linux/lintian-overrides),
#  3. `apt-get install -y ./mailkey_*.deb`: apt resolves the dependencies from the archive,
#  4. desktop-file-validate and `appstreamcli validate --no-net` on the installed files, and the
#     icon the desktop file names is installed in the hicolor theme,
#  5. /usr/bin/mailkey-cli --version prints "mailkey-cli <upstream version>" first (then the built-in client ids),
#  6. starts /usr/bin/mailkey under Xvfb (with a session D-Bus and an unlocked gnome-keyring in
#     a throw-away HOME), waits for its "MailKey" window, and saves a screenshot to
#     OUT/screenshot.png,
#  7. `apt-get remove -y mailkey`, then checks that every file of the package is gone.
# The package is removed again if any step fails. The Debian packages the checks need are
# installed when missing. Exit status 0 when every check passed.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
deb=""
build="$src/build-deb"
out=""
while [ $# -gt 0 ]; do
    case $1 in
        --deb) deb=$2; shift 2 ;;
        --build-dir) build=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
        *) echo "check-deb.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
[ -n "$out" ] || out="$build/check-deb"
mkdir -p "$out"
out=$(cd "$out" && pwd)

step() { printf '\n==> %s\n' "$*"; }
fail() { printf 'FAILED: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || fail "run as root: the check installs and removes a package with apt-get"
export DEBIAN_FRONTEND=noninteractive

# ---- Tools the checks use --------------------------------------------------------------------
# command:Debian package
tools="xvfb-run:xvfb xauth:xauth import:imagemagick xwininfo:x11-utils xprop:x11-utils
desktop-file-validate:desktop-file-utils appstreamcli:appstream lintian:lintian
dbus-run-session:dbus gnome-keyring-daemon:gnome-keyring"
missing=""
for t in $tools; do
    command -v "${t%%:*}" >/dev/null 2>&1 && continue
    case " $missing " in *" ${t#*:} "*) ;; *) missing="$missing ${t#*:}" ;; esac
done
apt_updated=""
if [ -n "$missing" ]; then
    step "Installing the tools of the check:$missing"
    apt-get update -qq
    apt_updated=1
    # shellcheck disable=SC2086 # a list of package names
    apt-get install -y -qq --no-install-recommends $missing
fi

installed=""
cleanup() {
    if [ -n "$installed" ] && dpkg-query -W -f='${db:Status-Status}' mailkey 2>/dev/null | grep -qx installed; then
        echo "check-deb.sh: removing mailkey after a failed check" >&2
        apt-get remove -y -qq mailkey >/dev/null 2>&1 || true
    fi
    rm -rf "$tmp"
}
tmp=$(mktemp -d)
trap cleanup EXIT
trap 'exit 1' INT TERM

# ---- 1. Build --------------------------------------------------------------------------------
if [ -z "$deb" ]; then
    step "Building the package"
    "$here/build-deb.sh" "$build" > "$tmp/built" || fail "build-deb.sh failed"
    deb=$(tail -n 1 "$tmp/built")
fi
[ -f "$deb" ] || fail "no package at '$deb'"
deb=$(cd "$(dirname "$deb")" && pwd)/$(basename "$deb")
dpkg-deb --info "$deb"
dpkg-deb --contents "$deb"
pkg=$(dpkg-deb --field "$deb" Package)
version=$(dpkg-deb --field "$deb" Version)
upstream=${version%-*}
[ "$pkg" = mailkey ] || fail "package name is '$pkg', expected mailkey"

if dpkg-query -W -f='${db:Status-Status}' mailkey 2>/dev/null | grep -qx installed; then
    fail "mailkey is already installed here; remove it first (apt-get remove mailkey)"
fi

# ---- 2. Lintian ------------------------------------------------------------------------------
step "lintian $deb"
# --fail-on error: warnings and informational tags are shown but do not fail the check.
lintian --fail-on error --display-info --tag-display-limit 0 "$deb" || fail "lintian reported errors"

# ---- 3. Install with apt ---------------------------------------------------------------------
step "apt-get install -y ./$(basename "$deb")"
[ -n "$apt_updated" ] || apt-get update -qq
cp "$deb" "$tmp/"
installed=1
(cd "$tmp" && apt-get install -y "./$(basename "$deb")")
dpkg-query -W -f='${db:Status-Status}\n' mailkey | grep -qx installed || fail "mailkey is not installed"
dpkg -L mailkey | sort > "$out/files.txt"

for f in /usr/bin/mailkey /usr/bin/mailkey-cli; do
    [ -x "$f" ] || fail "$f is missing or not executable"
done

# ---- 4. Desktop integration ------------------------------------------------------------------
step "Desktop file, metainfo and icon"
desktop=/usr/share/applications/io.github.mailkey.MailKey.desktop
metainfo=/usr/share/metainfo/io.github.mailkey.MailKey.metainfo.xml
desktop-file-validate "$desktop" || fail "desktop-file-validate $desktop"
appstreamcli validate --no-net "$metainfo" || fail "appstreamcli validate $metainfo"
icon=$(sed -n 's/^Icon=//p' "$desktop")
for size in 16x16 24x24 32x32 48x48 64x64 128x128 256x256 512x512; do
    f=/usr/share/icons/hicolor/$size/apps/$icon.png
    [ -s "$f" ] || fail "icon $f is missing"
    [ "$(identify -format '%wx%h' "$f")" = "$size" ] || fail "icon $f is not $size"
done
[ -s "/usr/share/icons/hicolor/scalable/apps/$icon.svg" ] || fail "scalable icon is missing"
exec_cmd=$(sed -n 's/^Exec=//p' "$desktop" | cut -d' ' -f1)
command -v "$exec_cmd" >/dev/null || fail "Exec=$exec_cmd of the desktop file is not on PATH"
for page in mailkey mailkey-cli; do
    [ -s "/usr/share/man/man1/$page.1.gz" ] || fail "man page $page(1) is missing"
done
for f in /usr/share/bash-completion/completions/mailkey-cli /usr/share/zsh/vendor-completions/_mailkey-cli \
    /usr/share/fish/vendor_completions.d/mailkey-cli.fish; do
    [ -s "$f" ] || fail "shell completion $f is missing"
done
bash -n /usr/share/bash-completion/completions/mailkey-cli || fail "the bash completion does not parse"
echo "ok: $desktop, $metainfo, icon '$icon' in 8 sizes + scalable, man pages, shell completions"

# ---- The systemd user unit of mailkey-cli serve: installed, and off ----------------------------
unit=/usr/lib/systemd/user/mailkey.service
[ -f "$unit" ] || fail "$unit is not installed"
grep -q '^ExecStart=/usr/bin/mailkey-cli serve$' "$unit" || fail "$unit does not start /usr/bin/mailkey-cli serve"
if ls /etc/systemd/user/*.wants/mailkey.service >/dev/null 2>&1; then
    fail "the package turned $unit on; it must be off until the user enables it"
fi
echo "ok: $unit installed, not enabled"

# ---- 5. mailkey-cli --version ----------------------------------------------------------------
step "/usr/bin/mailkey-cli --version"
rc=0
cli_out=$(/usr/bin/mailkey-cli --version 2>"$tmp/cli.err") || rc=$?
cat "$tmp/cli.err" >&2
[ "$rc" -eq 0 ] || fail "/usr/bin/mailkey-cli --version exited with status $rc"
echo "$cli_out"
# The first line is the version; the next ones name the built-in client ids (none in this build).
first=$(printf '%s\n' "$cli_out" | head -n 1)
[ "$first" = "mailkey-cli $upstream" ] || fail "expected 'mailkey-cli $upstream' first, got '$first'"
printf '%s\n' "$cli_out" | grep -qx "Built-in client id for microsoft: none (set your own)" ||
    fail "--version does not say that this build has no built-in Microsoft client id"

# ---- 6. Start the application under Xvfb -----------------------------------------------------
step "Starting /usr/bin/mailkey under Xvfb"
mkdir -m 700 "$tmp/home"
cat > "$tmp/gui.sh" <<'EOS'
#!/bin/sh
# Runs inside dbus-run-session and xvfb-run. $1: screenshot path.
set -u
shot=$1
printf 'check-deb-password' | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1 || true
/usr/bin/mailkey >"$HOME/mailkey.log" 2>&1 &
pid=$!
wid=""
i=0
while [ $i -lt 150 ]; do                      # up to 15 s for the window to be mapped
    kill -0 $pid 2>/dev/null || { echo "mailkey exited early:"; cat "$HOME/mailkey.log"; exit 1; }
    # Qt also makes hidden helper windows with the application's name: take a mapped one.
    for w in $(xwininfo -root -tree 2>/dev/null | awk '/"[^"]*MailKey[^"]*"/ { print $1 }'); do
        if xwininfo -id "$w" 2>/dev/null | grep -q 'Map State: IsViewable'; then wid=$w; break; fi
    done
    [ -n "$wid" ] && break
    sleep 0.1
    i=$((i + 1))
done
[ -n "$wid" ] || { echo "no MailKey window was shown"; cat "$HOME/mailkey.log"; kill $pid; exit 1; }
sleep 3                                       # let it finish painting and loading the vault
kill -0 $pid 2>/dev/null || { echo "mailkey exited while starting:"; cat "$HOME/mailkey.log"; exit 1; }
xwininfo -id "$wid" | sed -n 's/^xwininfo: //p; s/^ *\(Width\|Height\|Map State\):/\1:/p'
xprop -id "$wid" WM_CLASS _NET_WM_ICON 2>/dev/null | cut -c1-100
import -window "$wid" "$shot" || exit 1
import -window root "${shot%.png}-screen.png" || exit 1
kill $pid
wait $pid 2>/dev/null
echo "--- mailkey output"; cat "$HOME/mailkey.log"
exit 0
EOS
chmod +x "$tmp/gui.sh"
env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$tmp/home" LANG=C.UTF-8 \
    XDG_RUNTIME_DIR="$tmp/home" \
    dbus-run-session -- xvfb-run --auto-servernum --server-args="-screen 0 1280x800x24" \
    "$tmp/gui.sh" "$out/screenshot.png" || fail "the application did not start under Xvfb"
colours=$(identify -format '%k' "$out/screenshot.png")
echo "screenshot: $out/screenshot.png ($(identify -format '%wx%h' "$out/screenshot.png"), $colours colours)"
[ "$colours" -gt 2 ] || fail "the screenshot is blank"

# ---- 7. Remove -------------------------------------------------------------------------------
step "apt-get remove -y mailkey"
apt-get remove -y mailkey
installed=""
status=$(dpkg-query -W -f='${db:Status-Status}' mailkey 2>/dev/null || echo not-installed)
[ "$status" = not-installed ] || fail "after removal dpkg says: $status"
left=""
while read -r f; do
    # Directories are shared with other packages (/usr/bin, /usr/share/...); files must be gone.
    if [ -e "$f" ] && [ ! -d "$f" ]; then left="$left $f"; fi
done < "$out/files.txt"
[ -z "$left" ] || fail "files left after removal:$left"
echo "ok: every file of the package is gone"

step "All checks passed ($pkg $version)"
