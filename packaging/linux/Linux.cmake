# Linux: desktop integration (desktop file, AppStream metainfo, hicolor icons, man pages,
# Debian copyright and changelog) and the .deb. Included from packaging/CMakeLists.txt.
#
# Build dependencies beyond the app's: librsvg2-bin (rsvg-convert, renders the PNG icons from
# the SVG), gzip, dpkg-dev (dpkg-shlibdeps computes Depends). packaging/linux/build-deb.sh
# installs them on Debian when missing.

set(_res "${PROJECT_SOURCE_DIR}/resources/linux")
set(_here "${CMAKE_CURRENT_SOURCE_DIR}/linux")
set(_out "${CMAKE_CURRENT_BINARY_DIR}/linux")
set(_datadir "${CMAKE_INSTALL_DATAROOTDIR}")
set(_docdir "${_datadir}/doc/mailkey") # the Debian package name, not the project name
set(_debian_revision 1)

# ---- Desktop file and metainfo --------------------------------------------------------------
install(FILES "${_res}/${MAILKEY_APP_ID}.desktop" DESTINATION "${_datadir}/applications")
install(FILES "${_res}/${MAILKEY_APP_ID}.metainfo.xml" DESTINATION "${_datadir}/metainfo")

# The metainfo release list and the Debian changelog are written by hand: make a version bump
# that forgets them visible.
file(READ "${_res}/${MAILKEY_APP_ID}.metainfo.xml" _metainfo)
if(NOT _metainfo MATCHES "<release version=\"${PROJECT_VERSION}\"")
    message(WARNING "resources/linux/${MAILKEY_APP_ID}.metainfo.xml has no <release> for "
                    "${PROJECT_VERSION}: add its release notes.")
endif()
file(STRINGS "${_here}/changelog" _changelog_top LIMIT_COUNT 1)
if(NOT _changelog_top MATCHES "^mailkey \\(${PROJECT_VERSION}-${_debian_revision}\\) ")
    message(WARNING "packaging/linux/changelog does not start with version "
                    "${PROJECT_VERSION}-${_debian_revision}: add an entry.")
endif()

# ---- Icons ----------------------------------------------------------------------------------
install(FILES "${MAILKEY_ICON_DIR}/${MAILKEY_APP_ID}.svg"
    DESTINATION "${_datadir}/icons/hicolor/scalable/apps")

find_program(MAILKEY_RSVG_CONVERT rsvg-convert)
if(MAILKEY_RSVG_CONVERT)
    set(_sizes 16 24 32 48 64 128 256 512)
    set(_pngs "")
    foreach(_s IN LISTS _sizes)
        list(APPEND _pngs "${_out}/icons/${_s}x${_s}/apps/${MAILKEY_APP_ID}.png")
    endforeach()
    # render-icons.sh holds the size rules (16 and 24 px from the pixel-grid variant).
    add_custom_command(OUTPUT ${_pngs}
        COMMAND sh "${MAILKEY_ICON_DIR}/render-icons.sh" png "${_out}/icons"
        DEPENDS "${MAILKEY_ICON_DIR}/render-icons.sh"
                "${MAILKEY_ICON_DIR}/${MAILKEY_APP_ID}.svg"
                "${MAILKEY_ICON_DIR}/${MAILKEY_APP_ID}-small.svg"
        COMMENT "Rendering the application icon"
        VERBATIM)
    add_custom_target(mailkey_icons ALL DEPENDS ${_pngs})
    foreach(_s IN LISTS _sizes)
        install(FILES "${_out}/icons/${_s}x${_s}/apps/${MAILKEY_APP_ID}.png"
            DESTINATION "${_datadir}/icons/hicolor/${_s}x${_s}/apps")
    endforeach()
else()
    message(WARNING "rsvg-convert not found (Debian package librsvg2-bin): only the scalable "
                    "icon will be installed, desktops that need PNG icons will show none.")
endif()

# ---- Man pages and Debian documentation, compressed as Debian policy wants -----------------
find_program(MAILKEY_GZIP gzip REQUIRED)
set(_gzipped "")
# mailkey_gzip(<source> <output name>): gzip -9n (no name, no timestamp: reproducible).
function(mailkey_gzip src name)
    set(tmp "${_out}/gz/${name}")
    add_custom_command(OUTPUT "${tmp}.gz"
        COMMAND ${CMAKE_COMMAND} -E make_directory "${_out}/gz"
        COMMAND ${CMAKE_COMMAND} -E copy "${src}" "${tmp}"
        COMMAND "${MAILKEY_GZIP}" -9nf "${tmp}"
        DEPENDS "${src}"
        VERBATIM)
    set(_gzipped ${_gzipped} "${tmp}.gz" PARENT_SCOPE)
endfunction()
mailkey_gzip("${PROJECT_SOURCE_DIR}/docs/man/mailkey.1" mailkey.1)
mailkey_gzip("${PROJECT_SOURCE_DIR}/docs/man/mailkey-cli.1" mailkey-cli.1)
mailkey_gzip("${_here}/changelog" changelog.Debian)
add_custom_target(mailkey_linux_docs ALL DEPENDS ${_gzipped})

install(FILES "${_out}/gz/mailkey.1.gz" "${_out}/gz/mailkey-cli.1.gz"
    DESTINATION "${CMAKE_INSTALL_MANDIR}/man1")
install(FILES "${_here}/copyright" "${_out}/gz/changelog.Debian.gz" DESTINATION "${_docdir}")

# ---- The systemd user unit of `mailkey-cli serve`, installed off -------------------------------
# (a package does not turn on user units; the README says `systemctl --user enable --now`).
# The program where the .deb puts it (CPACK_PACKAGING_INSTALL_PREFIX below), not where a plain
# `cmake --install` would (CMAKE_INSTALL_PREFIX, /usr/local).
set(_package_prefix "/usr")
set(MAILKEY_SERVE_EXEC "${_package_prefix}/${CMAKE_INSTALL_BINDIR}/mailkey-cli")
configure_file("${_here}/mailkey.service.in" "${_out}/mailkey.service" @ONLY)
install(FILES "${_out}/mailkey.service" DESTINATION "lib/systemd/user")

# ---- Shell completions of mailkey-cli, where bash-completion, zsh and fish look for them -------
set(_completions "${PROJECT_SOURCE_DIR}/resources/completions")
install(FILES "${_completions}/mailkey-cli.bash" DESTINATION "${_datadir}/bash-completion/completions"
    RENAME mailkey-cli)
install(FILES "${_completions}/_mailkey-cli" DESTINATION "${_datadir}/zsh/vendor-completions")
install(FILES "${_completions}/mailkey-cli.fish" DESTINATION "${_datadir}/fish/vendor_completions.d")
install(FILES "${_here}/lintian-overrides" DESTINATION "${_datadir}/lintian/overrides"
    RENAME mailkey)

# ---- CPack DEB ------------------------------------------------------------------------------
set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGING_INSTALL_PREFIX "${_package_prefix}")
set(CPACK_DEBIAN_PACKAGE_NAME "mailkey")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # mailkey_<version>-<revision>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_RELEASE ${_debian_revision})
set(CPACK_DEBIAN_PACKAGE_SECTION "mail")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${MAILKEY_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "${PROJECT_HOMEPAGE_URL}")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# The extended description, wrapped below 80 columns; CPack puts CPACK_PACKAGE_DESCRIPTION_SUMMARY
# in front as the synopsis and indents the lines.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "MailKey signs in to Microsoft 365, Outlook.com and Google mailboxes with
OAuth 2.0 and PKCE in the system web browser, so that it never sees a
password. It keeps the tokens in an encrypted SQLCipher vault whose key is
stored in the system keyring, and refreshes them ahead of expiry.
.
This package contains the desktop application, which lists the connected
mailboxes, and mailkey-cli, a token helper that hands access tokens (or
XOAUTH2 / OAUTHBEARER strings) to mutt, msmtp, mbsync, aerc, getmail and
git send-email.")
# Architecture: CPack asks `dpkg --print-architecture`.

# Depends: dpkg-shlibdeps reads the ELF files and names the Debian packages of every shared
# library they link (libqt6core6, libqt6gui6, libqt6widgets6, libqt6network6,
# libqt6networkauth6, libqt6dbus6, libqt6keychain1, libsqlcipher0, libqrencode4, libc6, ...) with
# the minimum versions from their symbols files. QtKeychain loads libsecret at run time, so no
# ELF file names it: it is listed by hand.
find_program(MAILKEY_DPKG_SHLIBDEPS dpkg-shlibdeps)
if(MAILKEY_DPKG_SHLIBDEPS)
    set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
    set(CPACK_DEBIAN_PACKAGE_DEPENDS "libsecret-1-0")
else()
    message(STATUS "dpkg-shlibdeps not found (Debian package dpkg-dev): using a fixed Depends list")
    set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS OFF)
    set(CPACK_DEBIAN_PACKAGE_DEPENDS
        "libc6, libstdc++6, libqt6core6 (>= 6.4), libqt6gui6 (>= 6.4), libqt6widgets6 (>= 6.4), \
libqt6network6 (>= 6.4), libqt6networkauth6 (>= 6.4), libqt6dbus6 (>= 6.4), libqt6keychain1, \
libsqlcipher0, libqrencode4, libsecret-1-0")
endif()
# A Secret Service is what keeps the vault key on Linux (QtKeychain also speaks to KWallet);
# libqt6svg6 has the SVG icon engine that draws the window icon (:/icons/mailkey.svg).
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "gnome-keyring | kwalletmanager, libqt6svg6")

# ---- Tests: the integration sources stay valid (ctest -L packaging) -------------------------
# The full install test (build, lintian, apt-get install, start under Xvfb, remove) needs root
# and changes the system: it is packaging/linux/check-deb.sh, run by CI, not by ctest.
if(MAILKEY_BUILD_TESTS)
    set(_checks
        desktop desktop-file-validate
        metainfo appstreamcli
        man groff
        shell shellcheck)
    while(_checks)
        list(POP_FRONT _checks _name _tool)
        find_program(_tool_path_${_name} ${_tool})
        if(_tool_path_${_name})
            add_test(NAME packaging_${_name}
                COMMAND sh "${_here}/check-sources.sh" ${_name})
            set_tests_properties(packaging_${_name} PROPERTIES LABELS packaging TIMEOUT 60)
        else()
            message(STATUS "${_tool} not found: test packaging_${_name} is not registered")
        endif()
    endwhile()
endif()
