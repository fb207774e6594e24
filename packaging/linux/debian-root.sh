#!/bin/sh
# Runs a command as root in a fresh, minimal Debian root (no Docker): what a new user's machine
# has before installing anything for MailKey.
#
#   packaging/linux/debian-root.sh --release bookworm|trixie --root DIR [--source DIR]
#       [--bind HOSTDIR:DIR]... [--keep] [--reuse] -- COMMAND [ARG]...
#
# The root is unpacked from a cached tarball of a bare `debootstrap --variant=minbase RELEASE`
# (in $MAILKEY_ROOT_CACHE, default /var/cache/mailkey-roots/RELEASE-minbase.tar.gz), which is made
# from the Debian mirror the first time. Nothing of the project is in it. Then /etc/hosts (which
# debootstrap leaves out, so `localhost` would not resolve) and the release's default archive
# areas are written, proc, sys, dev, dev/pts and dev/shm are mounted, and COMMAND runs in the root
# under `env -i` (PATH, HOME=/root, LANG=C.UTF-8, CI when set, TERM=dumb).
#   --source DIR   copies DIR's files (git's tracked and untracked-not-ignored files when DIR is
#                  a git checkout, so no build directory) to /src in the root
#   --bind H:D     bind-mounts the host directory H at D in the root (created when missing)
#   --reuse        uses DIR as it is when it already holds a root (otherwise DIR is replaced)
#   --keep         leaves the root in place afterwards (otherwise it is deleted)
# Everything mounted is unmounted on every exit path (also on INT/TERM); the root is never
# deleted while anything is still mounted under it. Needs root; installs debootstrap when missing.
# Exit status: COMMAND's.
set -eu

release=""
root=""
source_dir=""
binds=""
keep=""
reuse=""
mirror=${MAILKEY_DEBIAN_MIRROR:-http://deb.debian.org/debian}
cache=${MAILKEY_ROOT_CACHE:-/var/cache/mailkey-roots}
me=debian-root.sh
while [ $# -gt 0 ]; do
    case $1 in
        --release) release=$2; shift 2 ;;
        --root) root=$2; shift 2 ;;
        --source) source_dir=$2; shift 2 ;;
        --bind) binds="$binds $2"; shift 2 ;;
        --keep) keep=1; shift ;;
        --reuse) reuse=1; shift ;;
        --) shift; break ;;
        -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
        *) echo "$me: unknown argument $1" >&2; exit 2 ;;
    esac
done
case $release in
    bookworm|trixie) ;;
    *) echo "$me: --release bookworm|trixie is required" >&2; exit 2 ;;
esac
[ -n "$root" ] || { echo "$me: --root DIR is required" >&2; exit 2; }
[ $# -gt 0 ] || { echo "$me: no command given (after --)" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "$me: run as root" >&2; exit 1; }
case $root in /*) ;; *) root=$(pwd)/$root ;; esac
root=${root%/}
if [ -z "$root" ] || [ "$root" = / ]; then echo "$me: refusing root /" >&2; exit 2; fi

still_mounted() { grep -q " ${root}[/ ]" /proc/mounts; }

# A root from an earlier run that was killed may still have mounts: never unpack over them.
if still_mounted; then
    echo "$me: something is mounted under $root (an earlier run still going?): not touching it" >&2
    exit 1
fi

# ---- The bare root ---------------------------------------------------------------------------
tarball="$cache/$release-minbase.tar.gz"
if [ -n "$reuse" ] && [ -x "$root/usr/bin/apt-get" ]; then
    echo "==> reusing the root $root"
else
    if [ ! -s "$tarball" ]; then
        # Under a lock: .ci/run makes two roots at once, and two apt-gets would collide.
        flock /var/lock/mailkey-debian-root.lock sh -c '
            command -v debootstrap >/dev/null 2>&1 && exit 0
            apt-get update -qq
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap'
        mkdir -p "$cache"
        tmp="$cache/$release.debootstrap.$$"
        rm -rf --one-file-system "$tmp"
        echo "==> debootstrap --variant=minbase $release (log: $cache/$release.debootstrap.log)"
        debootstrap --variant=minbase "$release" "$tmp" "$mirror" > "$cache/$release.debootstrap.log" 2>&1 ||
            { tail -n 20 "$cache/$release.debootstrap.log" >&2; rm -rf --one-file-system "$tmp"; exit 1; }
        # Written under a temporary name and renamed: a killed run never leaves half a tarball.
        tar -C "$tmp" --numeric-owner -czf "$tarball.part" .
        mv "$tarball.part" "$tarball"
        rm -rf --one-file-system "$tmp"
    fi
    rm -rf --one-file-system "$root"
    mkdir -p "$root"
    tar -C "$root" --numeric-owner -xzf "$tarball"
fi

printf '127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n' > "$root/etc/hosts"
# The machine's own trust anchors: on a network whose egress goes through a TLS-inspecting proxy,
# every machine on it has that proxy's CA in /usr/local/share/ca-certificates, and so does this
# root. The ca-certificates package (installed by scripts/install-deps.sh) adds them to
# /etc/ssl/certs when it is configured; nothing else of the host is copied.
if [ -d /usr/local/share/ca-certificates ]; then
    mkdir -p "$root/usr/local/share/ca-certificates"
    find /usr/local/share/ca-certificates -maxdepth 2 -name '*.crt' -type f \
        -exec cp -p {} "$root/usr/local/share/ca-certificates/" \;
    if [ -x "$root/usr/sbin/update-ca-certificates" ]; then
        chroot "$root" /usr/sbin/update-ca-certificates > /dev/null 2>&1 || true
    fi
fi
# The same archive areas as a default installation of the release.
cat > "$root/etc/apt/sources.list" <<EOF
deb $mirror $release main
deb $mirror $release-updates main
deb http://deb.debian.org/debian-security $release-security main
EOF

# ---- Mounts, undone on every exit path --------------------------------------------------------
mounted=""
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
    for m in $mounted; do umount "$root$m" 2>/dev/null || umount -l "$root$m" 2>/dev/null || true; done
    mounted=""
    [ -z "$keep" ] || return 0
    # Never delete through a mount that is still there (it would be the host's /dev or a bind).
    if still_mounted; then
        echo "$me: something is still mounted under $root: not deleting it" >&2
        return 0
    fi
    rm -rf --one-file-system "$root"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
mount_one() { # TYPE SOURCE TARGET-IN-ROOT
    mkdir -p "$root$3"
    if [ "$1" = bind ]; then mount --bind "$2" "$root$3"; else mount -t "$1" "$2" "$root$3"; fi
    mounted="$3 $mounted" # unmounted in reverse order
}
mount_one proc proc /proc
mount_one sysfs sysfs /sys
for m in /dev /dev/pts /dev/shm; do mount_one bind "$m" "$m"; done
for b in $binds; do mount_one bind "${b%%:*}" "${b#*:}"; done

if [ -n "$source_dir" ]; then
    rm -rf "$root/src"
    mkdir -p "$root/src"
    if git -C "$source_dir" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        git -C "$source_dir" ls-files -z --cached --others --exclude-standard |
            (cd "$source_dir" && tar --null -T - -cf - 2>/dev/null) | tar -C "$root/src" -xf -
    else
        (cd "$source_dir" && tar -cf - .) | tar -C "$root/src" -xf -
    fi
fi

rc=0
chroot "$root" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/root LANG=C.UTF-8 TERM=dumb ${CI:+CI=$CI} "$@" || rc=$?
exit $rc
