# Windows: icon and version resources, deployment of the Qt and other DLLs into the install
# tree, and the MSI (CPack WiX, WiX Toolset 3: candle.exe/light.exe on PATH or in %WIX%).
# Included from packaging/CMakeLists.txt.
#
#   cmake -S . -B build -G "Visual Studio 17 2022" -DCMAKE_PREFIX_PATH="<Qt>;<deps>"
#   cmake --build build --config Release
#   cd build && cpack -G WIX -C Release          -> MailKey-<version>-win64.msi
#
# Layout of the install tree (and of C:\Program Files\MailKey):
#   bin\mailkey.exe, bin\mailkey-cli.exe, bin\qt.conf, and next to them the Qt DLLs,
#   QtKeychain, SQLCipher, OpenSSL and the MSVC runtime; plugins\... (Qt plugins),
#   translations\... (Qt's own translations)

set(_win "${CMAKE_CURRENT_SOURCE_DIR}/windows")
file(TO_CMAKE_PATH "${MAILKEY_ICON_DIR}/mailkey.ico" MAILKEY_RC_ICON)

# ---- Icon and version information in both executables --------------------------------------
# MSVC and MinGW toolchains enable the RC language together with CXX.
if(NOT CMAKE_RC_COMPILER)
    message(FATAL_ERROR "No resource compiler (RC language not enabled): the executables would "
                        "have no icon. Use an MSVC or MinGW toolchain.")
endif()
foreach(_target mailkey mailkey-cli)
    set(MAILKEY_RC_FILE_NAME "${_target}.exe")
    if(_target STREQUAL "mailkey")
        set(MAILKEY_RC_DESCRIPTION "MailKey")
    else()
        set(MAILKEY_RC_DESCRIPTION "MailKey command-line token helper")
    endif()
    configure_file("${_win}/mailkey.rc.in" "${CMAKE_CURRENT_BINARY_DIR}/${_target}.rc" @ONLY)
    target_sources(${_target} PRIVATE "${CMAKE_CURRENT_BINARY_DIR}/${_target}.rc")
endforeach()

# ---- Runtime deployment (runs at install time, so also inside CPack) ------------------------
# 1. MSVC runtime DLLs next to the executables (no vc_redist needed).
set(CMAKE_INSTALL_SYSTEM_RUNTIME_DESTINATION "${CMAKE_INSTALL_BINDIR}")
include(InstallRequiredSystemLibraries)

# 2. Qt: windeployqt copies the Qt DLLs the two executables use, the plugins (platforms,
#    styles, imageformats, tls, networkinformation, ...) and writes qt.conf.
if(Qt6_VERSION VERSION_GREATER_EQUAL 6.5)
    qt_generate_deploy_script(
        TARGET mailkey
        OUTPUT_SCRIPT _mailkey_deploy_script
        CONTENT "
qt_deploy_runtime_dependencies(
    EXECUTABLE \"\${QT_DEPLOY_BIN_DIR}/$<TARGET_FILE_NAME:mailkey>\"
    ADDITIONAL_EXECUTABLES \"\${QT_DEPLOY_BIN_DIR}/$<TARGET_FILE_NAME:mailkey-cli>\"
    GENERATE_QT_CONF
    NO_COMPILER_RUNTIME
)")
    install(SCRIPT "${_mailkey_deploy_script}")
else()
    # Qt 6.4: no deployment API yet; call windeployqt directly.
    get_target_property(_qmake Qt6::qmake IMPORTED_LOCATION)
    get_filename_component(_qt_bin "${_qmake}" DIRECTORY)
    find_program(MAILKEY_WINDEPLOYQT windeployqt HINTS "${_qt_bin}" REQUIRED)
    install(CODE "
set(_bin \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}\")
execute_process(
    COMMAND \"${MAILKEY_WINDEPLOYQT}\" --release --no-compiler-runtime --no-translations
            --dir \"\${_bin}\" --plugindir \"\${_bin}/plugins\"
            \"\${_bin}/$<TARGET_FILE_NAME:mailkey>\" \"\${_bin}/$<TARGET_FILE_NAME:mailkey-cli>\"
    RESULT_VARIABLE _rc)
if(NOT _rc EQUAL 0)
    message(FATAL_ERROR \"windeployqt failed: \${_rc}\")
endif()
file(WRITE \"\${_bin}/qt.conf\" \"[Paths]\\nPrefix = .\\nPlugins = plugins\\n\")
")
endif()

# 3. The other DLLs (QtKeychain, SQLCipher, libqrencode, OpenSSL from vcpkg, ...): windeployqt only knows Qt's.
#    Searched next to the imported libraries, in <prefix>/bin of CMAKE_PREFIX_PATH, and in
#    MAILKEY_RUNTIME_DLL_DIRS.
set(MAILKEY_RUNTIME_DLL_DIRS "" CACHE STRING
    "Extra folders with DLLs the executables need (;-separated), e.g. <vcpkg>/installed/x64-windows/bin")
get_filename_component(_sqlcipher_lib_dir "${SQLCipher_LIBRARY}" DIRECTORY)
get_filename_component(_qrencode_lib_dir "${QRencode_LIBRARY}" DIRECTORY)
set(_dll_dirs "$<TARGET_FILE_DIR:qt6keychain>" "${_sqlcipher_lib_dir}/../bin" "${_qrencode_lib_dir}/../bin"
    ${MAILKEY_RUNTIME_DLL_DIRS})
foreach(_p IN LISTS CMAKE_PREFIX_PATH)
    list(APPEND _dll_dirs "${_p}/bin")
endforeach()
install(CODE "
set(MAILKEY_DEPLOY_BIN \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}\")
set(MAILKEY_DEPLOY_EXECUTABLES
    \"\${MAILKEY_DEPLOY_BIN}/$<TARGET_FILE_NAME:mailkey>\"
    \"\${MAILKEY_DEPLOY_BIN}/$<TARGET_FILE_NAME:mailkey-cli>\")
set(MAILKEY_DEPLOY_DLL_DIRS \"${_dll_dirs}\")
")
install(SCRIPT "${_win}/DeployRuntimeDlls.cmake")

# ---- CPack WiX ------------------------------------------------------------------------------
set(CPACK_GENERATOR "WIX")
set(CPACK_PACKAGE_FILE_NAME "MailKey-${PROJECT_VERSION}-win64")
# Never change: Windows Installer recognises earlier MailKey versions by it and replaces them.
set(CPACK_WIX_UPGRADE_GUID "A5D22FB1-93FB-45B3-BFA9-96DE840EA778")
# Per-machine install into Program Files; the PATH entry below is a system variable.
set(CPACK_WIX_INSTALL_SCOPE "perMachine")
if(CMAKE_VERSION VERSION_LESS 3.29)
    message(WARNING "CPack ${CMAKE_VERSION} ignores CPACK_WIX_INSTALL_SCOPE (CMake 3.29+): the "
                    "MSI would not be a per-machine installer. Use CMake 3.29 or newer for it.")
endif()
set(CPACK_WIX_PRODUCT_ICON "${MAILKEY_ICON_DIR}/mailkey.ico")
set(CPACK_WIX_PROGRAM_MENU_FOLDER ".") # the shortcut goes straight into Start > All apps
set(CPACK_WIX_PROPERTY_ARPURLINFOABOUT "${PROJECT_HOMEPAGE_URL}")
set(CPACK_WIX_PROPERTY_ARPHELPLINK "${PROJECT_HOMEPAGE_URL}/issues")
set(CPACK_WIX_PROPERTY_ARPCOMMENTS "${CPACK_PACKAGE_DESCRIPTION_SUMMARY}")
# The feature tree lets the user untick "Add mailkey-cli to PATH" (windows/cli-path.wxs).
set(CPACK_WIX_UI_REF "WixUI_FeatureTree")
set(CPACK_WIX_PATCH_FILE "${_win}/cli-path.wxs")
# Start menu shortcut: CPACK_PACKAGE_EXECUTABLES (mailkey -> "MailKey"), set in CMakeLists.txt.
