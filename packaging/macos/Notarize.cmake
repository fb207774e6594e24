# CPack post-build script (CPACK_POST_BUILD_SCRIPTS): signs, notarizes and staples the DMG.
#
#   MAILKEY_CODESIGN_IDENTITY  Developer ID Application identity: the DMG is signed with it.
#   MAILKEY_NOTARY_PROFILE     a notarytool keychain profile, made once with
#                              `xcrun notarytool store-credentials PROFILE --apple-id ... --team-id ...`:
#                              the DMG is sent to Apple's notary service, and the ticket is
#                              stapled to it.
# Each step is skipped, with a message, when its variable is not set. Notarization needs the
# app inside to be signed (done at install time by codesign.sh), so it needs both variables.

set(_identity "$ENV{MAILKEY_CODESIGN_IDENTITY}")
set(_profile "$ENV{MAILKEY_NOTARY_PROFILE}")

foreach(_dmg IN LISTS CPACK_PACKAGE_FILES)
    if(NOT _dmg MATCHES "\\.dmg$")
        continue()
    endif()
    if(_identity STREQUAL "")
        message(STATUS "MAILKEY_CODESIGN_IDENTITY is not set: ${_dmg} is not signed")
        continue()
    endif()
    execute_process(
        COMMAND codesign --force --timestamp --sign "${_identity}" "${_dmg}"
        COMMAND_ERROR_IS_FATAL ANY)
    message(STATUS "Signed ${_dmg}")

    if(_profile STREQUAL "")
        message(STATUS "MAILKEY_NOTARY_PROFILE is not set: ${_dmg} is not notarized")
        continue()
    endif()
    message(STATUS "Notarizing ${_dmg} (this waits for Apple's answer)")
    execute_process(
        COMMAND xcrun notarytool submit "${_dmg}" --keychain-profile "${_profile}" --wait
                --output-format json
        RESULT_VARIABLE _rc
        OUTPUT_VARIABLE _json)
    # `submit --wait` can end with status 0 for a rejected ("Invalid") submission: read the status.
    set(_status "")
    set(_id "")
    if(_json MATCHES "^[ \t\r\n]*{")
        string(JSON _status ERROR_VARIABLE _err GET "${_json}" status)
        string(JSON _id ERROR_VARIABLE _err GET "${_json}" id)
    endif()
    if(NOT _rc EQUAL 0 OR NOT _status STREQUAL "Accepted")
        message(FATAL_ERROR "Notarization of ${_dmg} failed (exit ${_rc}, status '${_status}'). "
                            "Apple's log: xcrun notarytool log ${_id} --keychain-profile ${_profile}")
    endif()
    execute_process(COMMAND xcrun stapler staple "${_dmg}" COMMAND_ERROR_IS_FATAL ANY)
    execute_process(COMMAND xcrun stapler validate "${_dmg}" COMMAND_ERROR_IS_FATAL ANY)
    message(STATUS "Notarized and stapled ${_dmg}")
endforeach()
