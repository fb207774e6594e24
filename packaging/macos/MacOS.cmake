# macOS: MailKey.app (Info.plist, icon, the CLI inside the bundle, macdeployqt), optional
# code signing and notarization, and the drag-and-drop DMG. Included from
# packaging/CMakeLists.txt.
#
#   cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="<Qt>;<deps>"
#   cmake --build build
#   cd build && cpack -G DragNDrop            -> MailKey-<version>-macOS.dmg
#
# Signing is skipped unless MAILKEY_CODESIGN_IDENTITY is set (a "Developer ID Application"
# identity in the keychain); notarization is skipped unless MAILKEY_NOTARY_PROFILE is set too
# (a profile saved with `xcrun notarytool store-credentials`). Both are read when CPack runs.
#
# The DMG holds MailKey.app and a link to /Applications. mailkey-cli is inside the bundle:
#   /Applications/MailKey.app/Contents/MacOS/mailkey-cli
# (users link it into their PATH, e.g. ln -s ... /usr/local/bin/mailkey-cli).

set(_mac "${CMAKE_CURRENT_SOURCE_DIR}/macos")

# ---- The bundle -----------------------------------------------------------------------------
set(MAILKEY_BUNDLE_EXECUTABLE "MailKey")
if(NOT CMAKE_OSX_DEPLOYMENT_TARGET)
    set(CMAKE_OSX_DEPLOYMENT_TARGET "12.0") # Qt 6.8's minimum; only used in Info.plist here
endif()
configure_file("${_mac}/Info.plist.in" "${CMAKE_CURRENT_BINARY_DIR}/Info.plist" @ONLY)

target_sources(mailkey PRIVATE "${MAILKEY_ICON_DIR}/mailkey.icns")
set_source_files_properties("${MAILKEY_ICON_DIR}/mailkey.icns" TARGET_DIRECTORY mailkey
    PROPERTIES MACOSX_PACKAGE_LOCATION Resources)
set_target_properties(mailkey PROPERTIES
    OUTPUT_NAME "${MAILKEY_BUNDLE_EXECUTABLE}"            # MailKey.app/Contents/MacOS/MailKey
    MACOSX_BUNDLE_INFO_PLIST "${CMAKE_CURRENT_BINARY_DIR}/Info.plist"
    MACOSX_BUNDLE_GUI_IDENTIFIER "${MAILKEY_APP_ID}"
    MACOSX_BUNDLE_ICON_FILE "mailkey.icns"
    XCODE_ATTRIBUTE_PRODUCT_BUNDLE_IDENTIFIER "${MAILKEY_APP_ID}")
# Keep the folders of the non-Qt libraries (Homebrew's SQLCipher, OpenSSL and qrencode, QtKeychain) in the
# installed RPATH, so that macdeployqt can find the @rpath libraries it has to copy.
set_target_properties(mailkey mailkey-cli PROPERTIES INSTALL_RPATH_USE_LINK_PATH TRUE)

set(_app "$<TARGET_FILE_NAME:mailkey>.app")

# app/CMakeLists.txt installs mailkey-cli to bin/; inside a drag-and-drop DMG it belongs in the
# bundle, next to the main executable, where macdeployqt fixes its library paths too.
install(CODE "
set(_prefix \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}\")
file(RENAME \"\${_prefix}/${CMAKE_INSTALL_BINDIR}/$<TARGET_FILE_NAME:mailkey-cli>\"
            \"\${_prefix}/${_app}/Contents/MacOS/$<TARGET_FILE_NAME:mailkey-cli>\")
file(GLOB _left \"\${_prefix}/${CMAKE_INSTALL_BINDIR}/*\")
if(NOT _left) # only in a staging folder; never remove a bin folder that holds anything else
    file(REMOVE_RECURSE \"\${_prefix}/${CMAKE_INSTALL_BINDIR}\")
endif()
")

# ---- macdeployqt: Qt frameworks, plugins and other dylibs into the bundle -------------------
if(Qt6_VERSION VERSION_GREATER_EQUAL 6.5)
    qt_generate_deploy_script(
        TARGET mailkey
        OUTPUT_SCRIPT _mailkey_deploy_script
        CONTENT "
qt_deploy_runtime_dependencies(
    EXECUTABLE \"${_app}\"
    ADDITIONAL_EXECUTABLES \"${_app}/Contents/MacOS/$<TARGET_FILE_NAME:mailkey-cli>\"
)")
    install(SCRIPT "${_mailkey_deploy_script}")
else()
    # Qt 6.4: no deployment API yet; call macdeployqt directly.
    get_target_property(_qmake Qt6::qmake IMPORTED_LOCATION)
    get_filename_component(_qt_bin "${_qmake}" DIRECTORY)
    find_program(MAILKEY_MACDEPLOYQT macdeployqt HINTS "${_qt_bin}" REQUIRED)
    install(CODE "
execute_process(
    COMMAND \"${MAILKEY_MACDEPLOYQT}\" \"${_app}\"
            \"-executable=${_app}/Contents/MacOS/$<TARGET_FILE_NAME:mailkey-cli>\"
            -always-overwrite
    WORKING_DIRECTORY \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}\"
    RESULT_VARIABLE _rc)
if(NOT _rc EQUAL 0)
    message(FATAL_ERROR \"macdeployqt failed: \${_rc}\")
endif()
")
endif()

# ---- Code signing (after deployment: every file of the bundle must be in place) -------------
install(CODE "
if(\"\$ENV{MAILKEY_CODESIGN_IDENTITY}\" STREQUAL \"\")
    message(STATUS \"MAILKEY_CODESIGN_IDENTITY is not set: MailKey.app is not signed\")
else()
    execute_process(
        COMMAND sh \"${_mac}/codesign.sh\" \"\$ENV{MAILKEY_CODESIGN_IDENTITY}\"
                \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${_app}\"
        COMMAND_ERROR_IS_FATAL ANY)
endif()
")

# ---- CPack DragNDrop ------------------------------------------------------------------------
set(CPACK_GENERATOR "DragNDrop")
set(CPACK_PACKAGE_FILE_NAME "MailKey-${PROJECT_VERSION}-macOS")
set(CPACK_DMG_VOLUME_NAME "MailKey ${PROJECT_VERSION}")
set(CPACK_DMG_FORMAT "UDZO")
set(CPACK_PACKAGE_ICON "${MAILKEY_ICON_DIR}/mailkey.icns") # the volume icon
# No click-through licence when the DMG opens (CMake < 3.23 behaviour, policy CMP0133): it needs
# `hdiutil udifrez`, which newer macOS no longer has, and the MIT licence asks for no consent.
set(CPACK_DMG_SLA_USE_RESOURCE_FILE_LICENSE OFF)
# An /Applications link next to the app is added by default (CPACK_DMG_DISABLE_APPLICATIONS_SYMLINK).
set(CPACK_POST_BUILD_SCRIPTS "${_mac}/Notarize.cmake")
