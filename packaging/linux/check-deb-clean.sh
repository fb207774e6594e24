#!/bin/sh
# Runs check-deb.sh on a *clean* Debian 12 without Docker: a minimal debootstrap chroot that has
# none of the build dependencies, so `apt-get install ./mailkey_*.deb` must find every dependency
# of the package in the Debian archive, as it would on a user's machine.
#
#   packaging/linux/check-deb-clean.sh --deb FILE [--chroot DIR] [--out DIR] [--keep]
#
# Needs root. The root (default /tmp/mailkey-clean-bookworm) is made by debian-root.sh from a
# cached bare `debootstrap --variant=minbase bookworm`; --keep leaves it in place afterwards and
# reuses it next time (otherwise it is deleted). The screenshot and the file list end up in OUT
# (default: next to the .deb, in check-clean/).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
deb=""
root=/tmp/mailkey-clean-bookworm
out=""
keep=""
while [ $# -gt 0 ]; do
    case $1 in
        --deb) deb=$2; shift 2 ;;
        --chroot) root=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --keep) keep=1; shift ;;
        -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
        *) echo "check-deb-clean.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
[ -f "$deb" ] || { echo "check-deb-clean.sh: --deb FILE is required" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "check-deb-clean.sh: run as root" >&2; exit 1; }
deb=$(cd "$(dirname "$deb")" && pwd)/$(basename "$deb")
[ -n "$out" ] || out=$(dirname "$deb")/check-clean
mkdir -p "$out"

# The scripts and the package, nothing else from the source tree, bound at /check in the root.
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/packaging/linux" "$stage/out"
cp "$here/check-deb.sh" "$here/build-deb.sh" "$stage/packaging/linux/"
cp "$deb" "$stage/"

echo "==> check-deb.sh in a clean Debian 12 root $root"
rc=0
sh "$here/debian-root.sh" --release bookworm --root "$root" ${keep:+--keep --reuse} --bind "$stage:/check" -- \
    sh /check/packaging/linux/check-deb.sh --deb "/check/$(basename "$deb")" --out /check/out || rc=$?
cp -r "$stage/out/." "$out/" 2>/dev/null || true
echo "results in $out"
exit $rc
