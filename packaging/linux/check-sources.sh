#!/bin/sh
# Validates the desktop integration sources without building or installing anything:
#   packaging/linux/check-sources.sh desktop|metainfo|man|shell
# Run by ctest (label "packaging") when the tools are installed: desktop-file-utils, appstream,
# groff-base, shellcheck.
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
id=io.github.mailkey.MailKey
case ${1:-} in
    desktop)
        desktop-file-validate "$src/resources/linux/$id.desktop"
        grep -qx "Icon=$id" "$src/resources/linux/$id.desktop"
        ;;
    metainfo)
        appstreamcli validate --no-net "$src/resources/linux/$id.metainfo.xml"
        ;;
    man)
        # groff exits 0 on warnings: any diagnostic on stderr is a failure.
        for page in "$src"/docs/man/*.1; do
            err=$(LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$page" 2>&1 >/dev/null)
            if [ -n "$err" ]; then echo "$page:"; echo "$err"; exit 1; fi
            echo "ok: $page"
        done
        ;;
    shell)
        shellcheck "$src/packaging/linux/"*.sh "$src/packaging/macos/codesign.sh" \
            "$src/resources/icons/render-icons.sh"
        ;;
    *)
        echo "usage: check-sources.sh desktop|metainfo|man|shell" >&2
        exit 2
        ;;
esac
