# The Qt Linguist wiring (cmake/Translations.cmake) still extracts MailKey's user-facing text.
#   cmake -DLUPDATE=<lupdate> -DSOURCE_LIST=<file of sources, one a line> -DINCLUDE_DIR=<tree>
#         -DWORK_DIR=<scratch folder> -DMIN_MESSAGES=<n> -DCOMMITTED_TS=<translations/mailkey_en.ts>
#         -DOPTIONS=<lupdate options> -P CheckTranslations.cmake
# 1. lupdate on a small file with one tr() it cannot place must warn, and this check must see it
#    (so a quiet run below means something).
# 2. lupdate on every source into a scratch .ts: no warning at all, at least MIN_MESSAGES texts,
#    and every context a tr() names in the sources.
# 3. The committed .ts is not checked for being current (run the update_translations target);
#    its texts that are gone from the sources are only listed.
cmake_minimum_required(VERSION 3.21)
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})

# lupdate prints problems in the sources as "<file>:<line>: <text>".
function(lupdate_problems out_var output)
    string(REGEX MATCHALL "[^\n]*:[0-9]+: [^\n]*" problems "${output}")
    set(${out_var} "${problems}" PARENT_SCOPE)
endfunction()

# 1. The warning detector itself.
file(WRITE ${WORK_DIR}/bad.cpp [[
#include <QCoreApplication>
QString noContext() { return tr("a tr() outside any class"); }
]])
execute_process(COMMAND ${LUPDATE} ${WORK_DIR}/bad.cpp -ts ${WORK_DIR}/bad.ts
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
lupdate_problems(problems "${out}${err}")
if(NOT problems)
    message(FATAL_ERROR "lupdate did not warn about a tr() without a context, or this check "
                        "no longer recognises its warnings:\n${out}${err}")
endif()

# 2. The real sources.
file(STRINGS ${SOURCE_LIST} sources)
list(LENGTH sources source_count)
if(source_count LESS 10)
    message(FATAL_ERROR "${SOURCE_LIST} lists ${source_count} sources")
endif()
set(ts ${WORK_DIR}/mailkey_en.ts)
execute_process(COMMAND ${LUPDATE} @${SOURCE_LIST} -I ${INCLUDE_DIR} ${OPTIONS} -ts ${ts}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "lupdate failed (${rc}):\n${out}${err}")
endif()
lupdate_problems(problems "${out}${err}")
if(problems)
    list(JOIN problems "\n" problems)
    message(FATAL_ERROR "lupdate warned about the sources (see README, \"User-facing text\"):\n${problems}")
endif()
if(NOT EXISTS ${ts})
    message(FATAL_ERROR "lupdate wrote no ${ts}:\n${out}${err}")
endif()
file(READ ${ts} content)
string(REGEX MATCHALL "<message[ >]" messages "${content}")
list(LENGTH messages message_count)
if(message_count LESS MIN_MESSAGES)
    message(FATAL_ERROR "lupdate found ${message_count} texts, fewer than ${MIN_MESSAGES}: "
                        "is the user-facing text still marked with tr()?\n${out}${err}")
endif()

# Every Q_DECLARE_TR_FUNCTIONS(context) in the sources is a context of the .ts (a file whose
# Text::tr() calls lupdate no longer sees would drop out).
set(missing "")
foreach(source IN LISTS sources)
    file(STRINGS ${source} declared REGEX "Q_DECLARE_TR_FUNCTIONS\\(")
    foreach(line IN LISTS declared)
        if(line MATCHES "Q_DECLARE_TR_FUNCTIONS\\(([A-Za-z0-9_:]+)\\)")
            string(FIND "${content}" "<name>${CMAKE_MATCH_1}</name>" at)
            if(at EQUAL -1)
                list(APPEND missing "${CMAKE_MATCH_1} (${source})")
            endif()
        endif()
    endforeach()
endforeach()
if(missing)
    list(JOIN missing "\n  " missing)
    message(FATAL_ERROR "contexts declared in the sources but not in the extracted .ts:\n  ${missing}")
endif()

# 3. Only a note: the committed file may lag until someone runs update_translations.
if(EXISTS ${COMMITTED_TS})
    file(READ ${COMMITTED_TS} committed)
    string(REGEX MATCHALL "<message[ >]" committed_messages "${committed}")
    list(LENGTH committed_messages committed_count)
    message(STATUS "extracted ${message_count} texts; ${COMMITTED_TS} has ${committed_count}")
    if(NOT committed_count EQUAL message_count)
        message(STATUS "the committed .ts differs: run the update_translations target")
    endif()
else()
    message(FATAL_ERROR "${COMMITTED_TS} is missing: run the update_translations target")
endif()
message(STATUS "${message_count} texts extracted from ${source_count} sources, no lupdate warning")
