#!/bin/sh
# Installs the Debian 12 packages MailKey needs to build, run and test, when any is missing.
# Usage: scripts/install-deps.sh [run|test]   (default: test, which is a superset of run)
set -eu
what=${1:-test}

run_pkgs="cmake ninja-build g++ pkg-config qt6-base-dev qt6-base-dev-tools qt6-networkauth-dev
qtkeychain-qt6-dev libsqlcipher-dev libssl-dev libqt6svg6 qt6-qpa-plugins gnome-keyring dbus
fonts-dejavu-core"
# The test suite also tries the README's mail-program recipes for real (tests/cli/recipes.sh).
test_pkgs="$run_pkgs libgtest-dev libgmock-dev libsecret-tools dbus-daemon xvfb xauth ccache
python3 openssl curl mutt msmtp isync aerc git-email libsasl2-modules-kdexoauth2"

case "$what" in
  run) pkgs=$run_pkgs ;;
  test) pkgs=$test_pkgs ;;
  *) echo "usage: $0 [run|test]" >&2; exit 2 ;;
esac

missing=""
for p in $pkgs; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done
[ -z "$missing" ] && exit 0

echo "Installing missing Debian packages:$missing"
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
