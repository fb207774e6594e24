# Finds libqrencode (the QR code encoder the window uses to show a device sign-in's address to a
# phone camera) and defines the imported target QRencode::QRencode.
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
    pkg_check_modules(PC_QRENCODE QUIET libqrencode)
endif()

find_path(QRencode_INCLUDE_DIR NAMES qrencode.h
    HINTS ${PC_QRENCODE_INCLUDEDIR} ${PC_QRENCODE_INCLUDE_DIRS})
find_library(QRencode_LIBRARY NAMES qrencode qrencoded
    HINTS ${PC_QRENCODE_LIBDIR} ${PC_QRENCODE_LIBRARY_DIRS})
set(QRencode_VERSION ${PC_QRENCODE_VERSION})

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(QRencode
    REQUIRED_VARS QRencode_LIBRARY QRencode_INCLUDE_DIR
    VERSION_VAR QRencode_VERSION)

if(QRencode_FOUND AND NOT TARGET QRencode::QRencode)
    add_library(QRencode::QRencode UNKNOWN IMPORTED)
    set_target_properties(QRencode::QRencode PROPERTIES
        IMPORTED_LOCATION "${QRencode_LIBRARY}"
        INTERFACE_INCLUDE_DIRECTORIES "${QRencode_INCLUDE_DIR}")
endif()
mark_as_advanced(QRencode_INCLUDE_DIR QRencode_LIBRARY)
