# Runs cmake/CheckModuleDeps.cmake on a small tree of four modules, first as it is (must pass),
# then with one wrong include or one wrong manifest at a time (each must fail and name it).
#   cmake -DCHECKER=<cmake/CheckModuleDeps.cmake> -DWORK_DIR=<scratch folder> -P CheckModuleDepsTest.cmake
cmake_minimum_required(VERSION 3.21)
set(tree ${WORK_DIR}/tree)
file(REMOVE_RECURSE ${WORK_DIR})

# low <- mid <- top, and other beside mid (it uses low only); ui/ is in no module.
set(good_manifest [[
set(MAILKEY_MODULES low mid top other)
set(low_DIR lib/low)
set(low_USES )
set(mid_DIR lib/mid)
set(mid_USES low)
set(top_DIR lib/top)
set(top_USES mid)
set(other_DIR lib/other)
set(other_USES low)
]])
file(WRITE ${tree}/lib/low/Low.h "#pragma once\n#include <vector>\n")
file(WRITE ${tree}/lib/mid/Mid.h "#pragma once\n#include \"lib/low/Low.h\"\n")
file(WRITE ${tree}/lib/top/Top.h "#pragma once\n#include \"lib/mid/Mid.h\"\n")
file(WRITE ${tree}/lib/top/Top.cpp
    "#include \"Top.h\"\n  #  include \"lib/low/Low.h\" // through mid\n#include <QString>\n#include \"moc_Top.cpp\"\n")
file(WRITE ${tree}/lib/other/Other.h "#pragma once\n#include <lib/low/Low.h>\n")
file(WRITE ${tree}/ui/Window.h "#pragma once\n")

set(failures)

# check(NAME <name> PASS|FAIL [EXPECT <regex>] [MANIFEST <text>] [FILE <path> <content>])
function(check)
    cmake_parse_arguments(C "PASS;FAIL" "NAME;EXPECT;MANIFEST" "FILE" ${ARGN})
    if(NOT DEFINED C_MANIFEST)
        set(C_MANIFEST "${good_manifest}")
    endif()
    file(WRITE ${WORK_DIR}/manifest.cmake "${C_MANIFEST}")
    if(C_FILE)
        list(GET C_FILE 0 path)
        list(GET C_FILE 1 content)
        file(WRITE ${tree}/${path} "${content}\n")
    endif()
    execute_process(COMMAND ${CMAKE_COMMAND} -DMANIFEST=${WORK_DIR}/manifest.cmake -DSOURCE_DIR=${tree}
                            -P ${CHECKER}
                    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
    if(C_FILE)
        file(REMOVE ${tree}/${path})
    endif()
    set(problem "")
    if(C_PASS AND NOT rc EQUAL 0)
        set(problem "should pass, failed")
    elseif(C_FAIL AND rc EQUAL 0)
        set(problem "should fail, passed")
    elseif(C_FAIL AND NOT out MATCHES "${C_EXPECT}")
        set(problem "failed without saying \"${C_EXPECT}\"")
    endif()
    if(problem)
        set(failures ${failures} "${C_NAME}: ${problem}:\n${out}" PARENT_SCOPE)
    else()
        message(STATUS "ok: ${C_NAME}")
    endif()
endfunction()

check(NAME "the tree as it is" PASS)
check(NAME "wrong direction" FAIL FILE lib/low/Bad.cpp "#include \"lib/mid/Mid.h\""
    EXPECT "lib/low/Bad.cpp: includes lib/mid/Mid.h \\(of module mid\\), but low may use only low\n")
check(NAME "wrong direction, relative path" FAIL FILE lib/mid/Bad.h "#include \"../top/Top.h\""
    EXPECT "lib/mid/Bad.h: includes lib/top/Top.h \\(of module top\\)")
check(NAME "wrong direction, angle brackets" FAIL FILE lib/mid/Bad.cpp "#include <lib/top/Top.h>"
    EXPECT "lib/mid/Bad.cpp: includes lib/top/Top.h")
check(NAME "a module beside, not used" FAIL FILE lib/top/Bad.cpp "#include \"lib/other/Other.h\""
    EXPECT "lib/top/Bad.cpp: includes lib/other/Other.h \\(of module other\\), but top may use only top, mid, low\n")
check(NAME "the project outside every module" FAIL FILE lib/top/Bad.cpp "#include \"ui/Window.h\""
    EXPECT "lib/top/Bad.cpp: includes ui/Window.h \\(which is in no module\\)")
string(REPLACE "set(low_USES )" "set(low_USES top)" cycle_manifest "${good_manifest}")
check(NAME "a cycle of modules" FAIL MANIFEST "${cycle_manifest}" EXPECT "low uses itself through")
string(REPLACE "lib/other" "lib/gone" missing_manifest "${good_manifest}")
check(NAME "a module without its folder" FAIL MANIFEST "${missing_manifest}"
    EXPECT "other: its folder lib/gone does not exist")

if(failures)
    list(JOIN failures "\n" text)
    message(FATAL_ERROR "${text}")
endif()
