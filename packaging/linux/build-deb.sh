#!/bin/sh
# Builds the Debian package of MailKey with CMake + CPack.
#
#   packaging/linux/build-deb.sh [BUILD_DIR]      (default BUILD_DIR: build-deb)
#
# Configures a Release build without tests and benchmarks, builds it, and runs CPack's DEB
# generator. The last line printed is the path of the .deb (BUILD_DIR/packages/mailkey_*.deb).
# On Debian, missing build dependencies are installed with apt-get when run as root.
set -eu

src=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$src/build-deb}
case $build in /*) ;; *) build=$(pwd)/$build ;; esac

# Debian build dependencies: the app's, plus librsvg2-bin (icons) and dpkg-dev (dpkg-shlibdeps).
build_deps="cmake ninja-build g++ pkg-config file qt6-base-dev qt6-networkauth-dev qtkeychain-qt6-dev
libsqlcipher-dev libssl-dev libqrencode-dev librsvg2-bin dpkg-dev gzip"
missing=""
for p in $build_deps; do
    dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed || missing="$missing $p"
done
if [ -n "$missing" ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "build-deb.sh: missing Debian packages:$missing (run as root or install them)" >&2
        exit 1
    fi
    echo "build-deb.sh: installing$missing" >&2
    apt-get update -qq
    # shellcheck disable=SC2086 # a list of package names
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >&2
fi

cmake -S "$src" -B "$build" -G Ninja \
    -DCMAKE_BUILD_TYPE=Release \
    -DMAILKEY_BUILD_TESTS=OFF \
    -DMAILKEY_BUILD_BENCH=OFF >&2
cmake --build "$build" >&2
rm -f "$build"/packages/mailkey_*.deb
cpack --config "$build/CPackConfig.cmake" -G DEB -B "$build/packages" >&2
ls "$build"/packages/mailkey_*.deb
