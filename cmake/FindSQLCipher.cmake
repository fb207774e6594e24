# Finds SQLCipher (the encrypted SQLite) and defines the imported target SQLCipher::SQLCipher.
# Never falls back to plain SQLite: a plain SQLite ignores PRAGMA key and writes plaintext.
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
    pkg_check_modules(PC_SQLCIPHER QUIET sqlcipher)
endif()

find_path(SQLCipher_INCLUDE_DIR NAMES sqlcipher/sqlite3.h
    HINTS ${PC_SQLCIPHER_INCLUDEDIR} ${PC_SQLCIPHER_INCLUDE_DIRS}/..)
find_library(SQLCipher_LIBRARY NAMES sqlcipher
    HINTS ${PC_SQLCIPHER_LIBDIR} ${PC_SQLCIPHER_LIBRARY_DIRS})
set(SQLCipher_VERSION ${PC_SQLCIPHER_VERSION})

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(SQLCipher
    REQUIRED_VARS SQLCipher_LIBRARY SQLCipher_INCLUDE_DIR
    VERSION_VAR SQLCipher_VERSION)

if(SQLCipher_FOUND AND NOT TARGET SQLCipher::SQLCipher)
    add_library(SQLCipher::SQLCipher UNKNOWN IMPORTED)
    set_target_properties(SQLCipher::SQLCipher PROPERTIES
        IMPORTED_LOCATION "${SQLCipher_LIBRARY}"
        INTERFACE_INCLUDE_DIRECTORIES "${SQLCipher_INCLUDE_DIR}"
        # The SQLCipher headers need SQLITE_HAS_CODEC to declare sqlite3_key/rekey.
        INTERFACE_COMPILE_DEFINITIONS "SQLITE_HAS_CODEC")
endif()
mark_as_advanced(SQLCipher_INCLUDE_DIR SQLCipher_LIBRARY)
