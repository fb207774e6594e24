#!/bin/sh
# Signs MailKey.app for distribution outside the App Store (Developer ID, hardened runtime,
# secure timestamp), from the inside out: dylibs, frameworks, plugins, the CLI, then the bundle.
#
#   packaging/macos/codesign.sh IDENTITY path/to/MailKey.app
#
# IDENTITY is a codesigning identity in the keychain, e.g. "Developer ID Application: Name (TEAMID)"
# or its SHA-1 hash. Run by the install step of packaging/macos/MacOS.cmake when the environment
# variable MAILKEY_CODESIGN_IDENTITY is set.
set -eu
id=${1:?usage: codesign.sh IDENTITY APP}
app=${2:?usage: codesign.sh IDENTITY APP}
sign() { codesign --force --timestamp --options runtime --sign "$id" "$@"; }

c="$app/Contents"
# Loose dylibs and plugins (Qt plugins, QtKeychain, SQLCipher, OpenSSL).
find "$c/Frameworks" "$c/PlugIns" -type f -name '*.dylib' 2>/dev/null | while read -r f; do sign "$f"; done
# Frameworks: signing the framework folder signs its current version.
find "$c/Frameworks" -maxdepth 1 -type d -name '*.framework' 2>/dev/null | while read -r f; do sign "$f"; done
# Helper executables (mailkey-cli), then the main executable via the bundle itself.
for f in "$c/MacOS/"*; do
    [ "$f" = "$c/MacOS/$(/usr/libexec/PlistBuddy -c 'Print :CFBundleExecutable' "$c/Info.plist")" ] && continue
    sign "$f"
done
sign "$app"
codesign --verify --deep --strict --verbose=2 "$app"
