#!/bin/sh
# Renders the MailKey icon from its SVG sources.
#
#   resources/icons/render-icons.sh            regenerate the committed mailkey.ico and mailkey.icns
#   resources/icons/render-icons.sh png DIR    write DIR/<N>x<N>/apps/io.github.mailkey.MailKey.png
#                                              (hicolor layout; used by the Linux build)
#
# The Windows .ico and macOS .icns are committed so that the Windows and macOS builds need no
# image tools; run this script after changing an SVG and commit the result.
# Needs: rsvg-convert (Debian: librsvg2-bin); for the default mode also icotool (icoutils) and
# png2icns (icnsutils).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
id=io.github.mailkey.MailKey
big="$here/$id.svg"
small="$here/$id-small.svg"

need() { command -v "$1" >/dev/null 2>&1 || { echo "render-icons.sh: $1 not found (Debian package: $2)" >&2; exit 1; }; }
need rsvg-convert librsvg2-bin

# render SIZE OUT: 16 and 24 px come from the pixel-grid variant, the rest from the main SVG.
render() {
    src=$big
    [ "$1" -le 24 ] && src=$small
    rsvg-convert --width "$1" --height "$1" --keep-aspect-ratio --format png "$src" --output "$2"
}

if [ "${1:-}" = png ]; then
    out=${2:?usage: render-icons.sh png DIR}
    for s in 16 24 32 48 64 128 256 512; do
        mkdir -p "$out/${s}x${s}/apps"
        render "$s" "$out/${s}x${s}/apps/$id.png"
    done
    exit 0
fi

need icotool icoutils
need png2icns icnsutils
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for s in 16 24 32 48 64 128 256 512; do render "$s" "$tmp/$s.png"; done
# Windows: classic BMP entries up to 64 px, the 256 px entry stored as PNG (Vista and later).
icotool --create --output "$here/mailkey.ico" \
    "$tmp/16.png" "$tmp/24.png" "$tmp/32.png" "$tmp/48.png" "$tmp/64.png" --raw="$tmp/256.png"
# macOS: the sizes an .icns can hold that png2icns writes.
png2icns "$here/mailkey.icns" "$tmp/16.png" "$tmp/32.png" "$tmp/48.png" "$tmp/128.png" \
    "$tmp/256.png" "$tmp/512.png" >/dev/null
echo "wrote $here/mailkey.ico and $here/mailkey.icns"
