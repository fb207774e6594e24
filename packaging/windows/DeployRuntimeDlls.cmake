# Install-time script (install(SCRIPT) from Windows.cmake): copies the DLLs that the two
# executables need and windeployqt does not deploy (QtKeychain, SQLCipher, OpenSSL, ...) next to
# them. Expects, set by an install(CODE) just before: MAILKEY_DEPLOY_BIN (absolute bin folder),
# MAILKEY_DEPLOY_EXECUTABLES (absolute paths), MAILKEY_DEPLOY_DLL_DIRS (folders to search).

file(GET_RUNTIME_DEPENDENCIES
    EXECUTABLES ${MAILKEY_DEPLOY_EXECUTABLES}
    DIRECTORIES ${MAILKEY_DEPLOY_DLL_DIRS}
    RESOLVED_DEPENDENCIES_VAR _resolved
    UNRESOLVED_DEPENDENCIES_VAR _unresolved
    CONFLICTING_DEPENDENCIES_PREFIX _conflicting
    # API sets are not files; Qt's own DLLs are windeployqt's job (with their plugins).
    PRE_EXCLUDE_REGEXES "^api-ms-" "^ext-ms-" "^[Qq]t6"
    # Everything from the Windows folder is part of the OS.
    POST_EXCLUDE_REGEXES "^[A-Za-z]:/[Ww][Ii][Nn][Dd][Oo][Ww][Ss]/" "[Ss][Yy][Ss][Tt][Ee][Mm]32")

# The same DLL name in two search folders: take the first (DIRECTORIES order) and say so.
foreach(_name IN LISTS _conflicting_FILENAMES)
    list(GET _conflicting_${_name} 0 _first)
    message(WARNING "${_name} found in several places (${_conflicting_${_name}}): using ${_first}")
    list(APPEND _resolved "${_first}")
endforeach()

foreach(_dll IN LISTS _resolved)
    get_filename_component(_name "${_dll}" NAME)
    message(STATUS "Deploying ${_name} (from ${_dll})")
    file(INSTALL "${_dll}" DESTINATION "${MAILKEY_DEPLOY_BIN}")
endforeach()
if(_unresolved)
    message(FATAL_ERROR "DLLs needed by MailKey were not found: ${_unresolved}. "
                        "Add their folder to MAILKEY_RUNTIME_DLL_DIRS.")
endif()
