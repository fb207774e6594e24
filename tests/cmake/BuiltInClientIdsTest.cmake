# The check of the distributor's built-in client ids (cmake/BuiltInClientIds.cmake): good ids and
# none pass; a malformed Microsoft or Google id, or a secret without an id, stops the configuration
# with a message naming the option.
#   cmake -DCHECKER=<cmake/BuiltInClientIds.cmake> -DWORK_DIR=<scratch> -P BuiltInClientIdsTest.cmake
cmake_minimum_required(VERSION 3.21)
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
set(failures)
# case(PASS|FAIL <expected text or ""> <microsoft> <google> <secret>)
function(check_case expect text ms google secret)
    file(WRITE ${WORK_DIR}/run.cmake
        "include(\"${CHECKER}\")\nmailkey_check_builtin_client_ids(\"${ms}\" \"${google}\" \"${secret}\")\n")
    execute_process(COMMAND ${CMAKE_COMMAND} -P ${WORK_DIR}/run.cmake
                    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
    set(name "ms='${ms}' google='${google}' secret='${secret}'")
    if(expect STREQUAL "PASS" AND NOT rc EQUAL 0)
        list(APPEND failures "${name}: refused: ${err}")
    elseif(expect STREQUAL "FAIL" AND rc EQUAL 0)
        list(APPEND failures "${name}: accepted")
    elseif(expect STREQUAL "FAIL" AND NOT err MATCHES "${text}")
        list(APPEND failures "${name}: message does not name ${text}: ${err}")
    endif()
    set(failures "${failures}" PARENT_SCOPE)
endfunction()

check_case(PASS "" "" "" "")
check_case(PASS "" "0f6a3b2c-1d4e-4f50-8a9b-0c1d2e3f4a5b" "123456789012-abc123def.apps.googleusercontent.com" "GOCSPX-a_b-c")
check_case(FAIL "MAILKEY_MICROSOFT_CLIENT_ID" "my-app" "" "")
check_case(FAIL "MAILKEY_MICROSOFT_CLIENT_ID" "0f6a3b2c-1d4e-4f50-8a9b-0c1d2e3f4a5" "" "")
check_case(FAIL "MAILKEY_GOOGLE_CLIENT_ID" "" "123456789012-abc.apps.google.com" "")
check_case(FAIL "MAILKEY_GOOGLE_CLIENT_SECRET needs" "" "" "GOCSPX-x")
check_case(FAIL "MAILKEY_GOOGLE_CLIENT_SECRET holds" "" "1-a.apps.googleusercontent.com" "bad secret")

if(failures)
    string(REPLACE ";" "\n  " lines "${failures}")
    message(FATAL_ERROR "built-in client id check:\n  ${lines}")
endif()
message(STATUS "built-in client id check: 7 cases as expected")
