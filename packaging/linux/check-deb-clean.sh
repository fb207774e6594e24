#!/bin/sh
# Runs check-deb.sh on a *clean* Debian 12 without Docker: a minimal debootstrap chroot that has
# none of the build dependencies, so `apt-get install ./mailkey_*.deb` must find every dependency
# of the package in the Debian archive, as it would on a user's machine.
#
#   packaging/linux/check-deb-clean.sh --deb FILE [--chroot DIR] [--out DIR] [--keep]
#
# Needs root and debootstrap (installed when missing). The chroot (default /tmp/mailkey-clean-
# bookworm) is created once with `debootstrap --variant=minbase bookworm` and reused when it
# exists; --keep leaves it in place afterwards (otherwise it is deleted). The screenshot and the
# file list end up in OUT (default: next to the .deb, in check-clean/).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
deb=""
root=/tmp/mailkey-clean-bookworm
out=""
keep=""
mirror=http://deb.debian.org/debian
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

if ! command -v debootstrap >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap
fi
if [ ! -x "$root/usr/bin/apt-get" ]; then
    echo "==> debootstrap --variant=minbase bookworm $root (log: $out/debootstrap.log)"
    debootstrap --variant=minbase bookworm "$root" "$mirror" > "$out/debootstrap.log" 2>&1 ||
        { tail -n 20 "$out/debootstrap.log" >&2; exit 1; }
fi
# The same archive areas as a default Debian 12 installation.
cat > "$root/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
EOF

mounted=""
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
    for m in $mounted; do umount "$root$m" 2>/dev/null || umount -l "$root$m" 2>/dev/null || true; done
    [ -z "$keep" ] || return 0
    # Never delete through a mount that is still there (it would be the host's /dev or /proc).
    if grep -q " $root/" /proc/mounts; then
        echo "check-deb-clean.sh: something is still mounted under $root: not deleting it" >&2
        return 0
    fi
    rm -rf --one-file-system "$root"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
for m in /proc /sys /dev /dev/pts /dev/shm; do
    mkdir -p "$root$m"
    case $m in
        /proc) mount -t proc proc "$root$m" ;;
        /sys) mount -t sysfs sysfs "$root$m" ;;
        *) mount --bind "$m" "$root$m" ;;
    esac
    mounted="$m $mounted"   # unmounted in reverse order
done

# The scripts and the package, nothing else from the source tree.
rm -rf "$root/check"
mkdir -p "$root/check/packaging/linux" "$root/check/out"
cp "$here/check-deb.sh" "$here/build-deb.sh" "$root/check/packaging/linux/"
cp "$deb" "$root/check/"

echo "==> check-deb.sh in the clean chroot $root"
rc=0
chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
    sh /check/packaging/linux/check-deb.sh --deb "/check/$(basename "$deb")" --out /check/out || rc=$?
cp -r "$root/check/out/." "$out/" 2>/dev/null || true
echo "results in $out"
exit $rc
