# User-facing text: Qt Linguist extraction (README, "User-facing text").
#
# Every user-facing string in core/, cli/, ui/ and app/ goes through tr() (see the README), so
# lupdate can list them in translations/mailkey_en.ts, the source-language file that translators
# start from. There are no translations yet, so nothing is compiled with lrelease or loaded.
#
#   cmake --build build --target update_translations   # rewrites translations/mailkey_en.ts
#
# The target is not part of ALL: a normal build never runs lupdate. Without Qt Linguist tools
# (Debian: qt6-l10n-tools for lupdate, qt6-tools-dev for its CMake files) the target and its test
# are left out with a message; the build itself does not need them.
find_package(Qt6 6.4 QUIET COMPONENTS LinguistTools)
if(NOT TARGET Qt6::lupdate)
    message(STATUS "Qt6 LinguistTools not found (Debian: qt6-l10n-tools qt6-tools-dev): "
                   "no update_translations target, test i18n_lupdate is not registered")
    return()
endif()

set(MAILKEY_TS_FILE ${PROJECT_SOURCE_DIR}/translations/mailkey_en.ts)
set(_mailkey_tr_globs)
foreach(dir core cli ui app)
    list(APPEND _mailkey_tr_globs ${PROJECT_SOURCE_DIR}/${dir}/*.cpp ${PROJECT_SOURCE_DIR}/${dir}/*.h)
endforeach()
file(GLOB_RECURSE MAILKEY_TR_SOURCES CONFIGURE_DEPENDS ${_mailkey_tr_globs})
list(SORT MAILKEY_TR_SOURCES)

# One list for the update target and for the test (lupdate reads it as @FILE).
set(MAILKEY_TR_SOURCE_LIST ${PROJECT_BINARY_DIR}/mailkey_tr_sources.lst)
list(JOIN MAILKEY_TR_SOURCES "\n" _mailkey_tr_lines)
file(CONFIGURE OUTPUT ${MAILKEY_TR_SOURCE_LIST} CONTENT "${_mailkey_tr_lines}\n")

# A target that is never built: it only carries the source list for qt_add_lupdate. The
# target-first signature works with Qt 6.4 and, still supported, with Qt 6.7 and later (whose
# TARGETS keyword 6.4 does not know). Both create the global target update_translations.
add_custom_target(mailkey_i18n SOURCES ${MAILKEY_TR_SOURCES})
set(_mailkey_lupdate_options -no-obsolete -locations none)
qt_add_lupdate(mailkey_i18n
    TS_FILES ${MAILKEY_TS_FILE}
    INCLUDE_DIRECTORIES ${PROJECT_SOURCE_DIR}
    OPTIONS ${_mailkey_lupdate_options})

if(MAILKEY_BUILD_TESTS)
    # Extraction into a scratch .ts: at least MIN_MESSAGES texts and not one lupdate warning
    # (a tr() lupdate cannot place, a context it cannot resolve, a QT_TRANSLATE_NOOP it skips).
    add_test(NAME i18n_lupdate
        COMMAND ${CMAKE_COMMAND}
            -DLUPDATE=$<TARGET_FILE:Qt6::lupdate>
            -DSOURCE_LIST=${MAILKEY_TR_SOURCE_LIST}
            -DINCLUDE_DIR=${PROJECT_SOURCE_DIR}
            -DWORK_DIR=${PROJECT_BINARY_DIR}/i18n_lupdate_test
            -DMIN_MESSAGES=300
            -DCOMMITTED_TS=${MAILKEY_TS_FILE}
            "-DOPTIONS=${_mailkey_lupdate_options}"
            -P ${PROJECT_SOURCE_DIR}/tests/cmake/CheckTranslations.cmake)
    set_tests_properties(i18n_lupdate PROPERTIES LABELS "packaging;i18n" TIMEOUT 120)
endif()
