#!/bin/sh
# Installs the Debian packages MailKey needs to build, run and test, when any is missing.
# Debian 12 (bookworm) and Debian 13 (trixie) are supported; the release is read from
# /etc/os-release.
# Usage: scripts/install-deps.sh [run|test|fuzz|lint|bench]   (default: test, which is a superset of
# run; fuzz: run + clang and libFuzzer for scripts/fuzz.sh; lint: run + clang-format and clang-tidy
# for scripts/lint.sh; bench: test + hyperfine, GNU time and gpg for bench/run-benchmarks.sh)
set -eu
what=${1:-test}
root=$(cd "$(dirname "$0")/.." && pwd)

codename=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
case "$codename" in
  bookworm) svg="libqt6svg6"; clang_rt="libclang-rt-14-dev"; clang_tools="clang-format-14 clang-tidy-14" ;;
  # Debian 13 ships the Qt SVG image and icon plugins on their own: without them an SVG QIcon is
  # null.
  trixie) svg="libqt6svg6 qt6-svg-plugins"; clang_rt="libclang-rt-19-dev"; clang_tools="clang-format-19 clang-tidy-19" ;;
  *) echo "install-deps.sh: Debian 12 (bookworm) or 13 (trixie) expected, found '${codename:-unknown}';" \
          "trying the Debian 13 package names" >&2
     svg="libqt6svg6 qt6-svg-plugins"; clang_rt="libclang-rt-19-dev"; clang_tools="clang-format-19 clang-tidy-19" ;;
esac

# ccache: running a set-up command again (after an update) compiles only what changed.
run_pkgs="cmake ninja-build g++ pkg-config qt6-base-dev qt6-base-dev-tools qt6-networkauth-dev
qtkeychain-qt6-dev libsqlcipher-dev libssl-dev libqrencode-dev $svg qt6-qpa-plugins gnome-keyring dbus
fonts-dejavu-core ccache"
# Qt Linguist (lupdate in qt6-l10n-tools, its CMake package Qt6LinguistTools in qt6-tools-dev):
# the update_translations target and the i18n_lupdate test; the app itself does not need it.
# gdbus (libglib2.0-bin) locks the test keyring. The test suite also tries the README's
# mail-program recipes for real (tests/cli/recipes.sh), against Dovecot and node's oidc-provider. git send-email needs two of git-email's Recommends
# (Mail::Address, Authen::SASL), named here because Recommends are not installed. zsh and fish:
# the shell completions are checked in them (tests/cli/completion.sh), not only in bash. zbarimg
# (zbar-tools) reads the device sign-in panel's QR code back in the window tests. xdotool types
# the keyring's password into gnome-keyring's own prompt (gcr-prompter, on Xvfb) in
# test_secret_service_unlock_prompt and test_ui_window_keyring_unlock.
test_pkgs="$run_pkgs libgtest-dev libgmock-dev libsecret-tools dbus-daemon xvfb xauth xdotool
python3 openssl curl ca-certificates libglib2.0-bin mutt msmtp isync aerc git-email libmailtools-perl
libauthen-sasl-perl libsasl2-modules-kdexoauth2 nodejs npm dovecot-imapd dovecot-submissiond
qt6-l10n-tools qt6-tools-dev zsh fish zbar-tools"

case "$what" in
  run) pkgs=$run_pkgs ;;
  test) pkgs=$test_pkgs ;;
  # libFuzzer and the sanitizer runtimes of Debian's default clang.
  fuzz) pkgs="$run_pkgs clang $clang_rt" ;;
  lint) pkgs="$run_pkgs $clang_tools" ;;
  # bench/cli times mailkey-cli against mutt_oauth2.py (from mutt) with hyperfine, GNU time and
  # a throwaway gpg key.
  bench) pkgs="$test_pkgs hyperfine time gpg" ;;
  *) echo "usage: $0 [run|test|fuzz|lint|bench]" >&2; exit 2 ;;
esac

if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi

# A Node.js from elsewhere (e.g. NodeSource's nodejs, which bundles npm and conflicts with
# Debian's npm package) is used as it is.
if { [ "$what" = test ] || [ "$what" = bench ]; } && command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  pkgs=$(echo $pkgs | tr ' ' '\n' | grep -vx -e nodejs -e npm | tr '\n' ' ')
fi

missing=""
for p in $pkgs; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done

if [ -n "$missing" ]; then
  echo "Installing missing Debian packages:$missing"
  export DEBIAN_FRONTEND=noninteractive
  # Packages with a service (Dovecot) must not start it: the tests run their own instances on
  # loopback. policy-rc.d exit status 101 = "action forbidden"; an existing one is put back after.
  policy=/usr/sbin/policy-rc.d
  saved=""
  restore_policy() {
    if [ -n "$saved" ]; then $SUDO mv -f "$saved" "$policy"; else $SUDO rm -f "$policy"; fi
  }
  if [ -e "$policy" ] || [ -L "$policy" ]; then
    saved="$policy.mailkey-saved.$$"
    $SUDO mv -f "$policy" "$saved"
  fi
  trap restore_policy EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  printf '#!/bin/sh\n# Written by MailKey scripts/install-deps.sh while it installs packages.\nexit 101\n' |
    $SUDO tee "$policy" >/dev/null
  $SUDO chmod 755 "$policy"
  $SUDO apt-get update -qq
  # shellcheck disable=SC2086
  $SUDO apt-get install -y -qq --no-install-recommends $missing
  restore_policy
  trap - EXIT INT TERM
fi

# node's oidc-provider (a real, OpenID-certified authorization server for the tests), pinned by
# its lockfile.
oidc="$root/tests/thirdparty/oidc-provider"
if [ "$what" = test ] && [ -f "$oidc/package-lock.json" ]; then
  lock_sum=$(sha256sum "$oidc/package-lock.json" | cut -d' ' -f1)
  stamp="$oidc/node_modules/.mailkey-lock-sha256"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$lock_sum" ]; then
    echo "Installing oidc-provider from npm (tests/thirdparty/oidc-provider/package-lock.json)"
    # Node.js trusts only its own bundled CAs unless told otherwise; the system's store also has
    # the CAs the machine's administrator added (a TLS-inspecting proxy's, for instance).
    if [ -z "${NODE_EXTRA_CA_CERTS:-}" ] && [ -s /etc/ssl/certs/ca-certificates.crt ]; then
      NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
      export NODE_EXTRA_CA_CERTS
    fi
    (cd "$oidc" && npm ci --no-audit --no-fund)
    echo "$lock_sum" > "$stamp"
  fi
fi
