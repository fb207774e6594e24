# mailkey_check_builtin_client_ids(<microsoft id> <google id> <google secret>): stops the
# configuration with a message that says what is wrong when a distributor's built-in client id
# does not have the shape the provider gives its ids (so a build never carries a made-up or
# mistyped id). Empty values are fine: no built-in id.
# Tested by tests/cmake/BuiltInClientIdsTest.cmake.
function(mailkey_check_builtin_client_ids microsoft google google_secret)
    # CMake's regular expressions have no {n}: the GUID's groups of 8-4-4-4-12 hex digits, spelled out.
    set(h "[0-9a-fA-F]")
    string(REPEAT "${h}" 4 h4)
    string(REPEAT "${h}" 8 h8)
    string(REPEAT "${h}" 12 h12)
    set(guid "^${h8}-${h4}-${h4}-${h4}-${h12}$")
    if(microsoft AND NOT microsoft MATCHES "${guid}")
        message(FATAL_ERROR "MAILKEY_MICROSOFT_CLIENT_ID must be the application (client) id of a registered "
                            "Microsoft Entra app: a GUID such as 00000000-0000-0000-0000-000000000000.")
    endif()
    if(google AND NOT google MATCHES "^[0-9]+-[0-9a-z]+\\.apps\\.googleusercontent\\.com$")
        message(FATAL_ERROR "MAILKEY_GOOGLE_CLIENT_ID must be a Google OAuth client id of the form "
                            "NNNN-xxxx.apps.googleusercontent.com.")
    endif()
    if(google_secret AND NOT google)
        message(FATAL_ERROR "MAILKEY_GOOGLE_CLIENT_SECRET needs MAILKEY_GOOGLE_CLIENT_ID.")
    endif()
    if(google_secret AND NOT google_secret MATCHES "^[A-Za-z0-9_-]+$")
        message(FATAL_ERROR "MAILKEY_GOOGLE_CLIENT_SECRET holds characters a Google client secret does not have.")
    endif()
endfunction()
