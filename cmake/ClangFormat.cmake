# `format` applies .clang-format to every C++ file git knows; `format-check` fails on any file it
# would change (scripts/lint.sh runs the same check in CI). The format is what clang-format 14
# (Debian 12) writes, so that version is preferred.
find_program(MAILKEY_CLANG_FORMAT NAMES clang-format-14 clang-format)
find_package(Git QUIET)
if(MAILKEY_CLANG_FORMAT AND GIT_FOUND AND EXISTS ${PROJECT_SOURCE_DIR}/.git)
    set(files "'${GIT_EXECUTABLE}' ls-files -z -- '*.cpp' '*.h' | xargs -0 '${MAILKEY_CLANG_FORMAT}'")
    add_custom_target(format
        COMMAND sh -c "${files} -i"
        WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
        COMMENT "Formatting the C++ sources (.clang-format)"
        VERBATIM)
    add_custom_target(format-check
        COMMAND sh -c "${files} --dry-run --Werror"
        WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
        COMMENT "Checking the C++ format (.clang-format)"
        VERBATIM)
endif()
