# Fails if a module's source includes a header it may not use (modules: cmake/MailKeyMacros.cmake).
#   cmake -DMANIFEST=<build>/mailkey-modules.cmake -DSOURCE_DIR=<project root> -P CheckModuleDeps.cmake
# MANIFEST sets MAILKEY_MODULES and, for each module M, M_DIR (its folder below SOURCE_DIR) and
# M_USES (the modules it uses). M may include headers of its own folder and of the modules it
# uses, directly or through those. An include is looked up as the compiler does: a "quoted" one
# next to the including file first, then (both forms) below SOURCE_DIR, the include root. A header
# found in another module's folder, or in the project outside every module (ui/, app/, tests/...),
# is refused; one found nowhere (Qt, the system, generated files) is not the project's.
# Also refused: a module that uses itself through others (CMake links such a cycle of static
# libraries without a word) and a module whose folder does not exist.
cmake_minimum_required(VERSION 3.21)

foreach(var MANIFEST SOURCE_DIR)
    if(NOT DEFINED ${var})
        message(FATAL_ERROR "CheckModuleDeps.cmake: -D${var}=... is missing")
    endif()
endforeach()
include(${MANIFEST})
cmake_path(SET root NORMALIZE "${SOURCE_DIR}/")

set(problems)

# allowed: the module itself and everything its USES reach.
function(allowed_modules module out)
    set(result)
    set(cycle FALSE)
    set(todo ${${module}_USES})
    while(todo)
        list(POP_FRONT todo next)
        if(next STREQUAL module)
            set(cycle TRUE)
        elseif(NOT next IN_LIST result)
            if(NOT next IN_LIST MAILKEY_MODULES)
                message(FATAL_ERROR "CheckModuleDeps.cmake: ${module} uses ${next}, which is not a module")
            endif()
            list(APPEND result ${next})
            list(APPEND todo ${${next}_USES})
        endif()
    endwhile()
    if(cycle)
        set(problems ${problems} "${module} uses itself through ${result}: modules must not form a cycle"
            PARENT_SCOPE)
    endif()
    set(${out} ${module} ${result} PARENT_SCOPE)
endfunction()

# owner: the module whose folder holds the file, "-" for a file of the project outside every
# module, "" for a file outside the project.
function(owner_of file out)
    cmake_path(IS_PREFIX root "${file}" NORMALIZE in_project)
    set(result "")
    if(in_project)
        set(result "-")
    endif()
    foreach(module IN LISTS MAILKEY_MODULES)
        cmake_path(SET folder NORMALIZE "${root}${${module}_DIR}/")
        cmake_path(IS_PREFIX folder "${file}" NORMALIZE inside)
        if(inside)
            set(result ${module})
        endif()
    endforeach()
    set(${out} "${result}" PARENT_SCOPE)
endfunction()

foreach(module IN LISTS MAILKEY_MODULES)
    set(folder "${root}${${module}_DIR}")
    if(NOT IS_DIRECTORY "${folder}")
        list(APPEND problems "${module}: its folder ${${module}_DIR} does not exist")
        continue()
    endif()
    allowed_modules(${module} allowed)
    file(GLOB_RECURSE files LIST_DIRECTORIES false
        "${folder}/*.h" "${folder}/*.hpp" "${folder}/*.cpp" "${folder}/*.cc" "${folder}/*.mm")
    list(SORT files)
    foreach(file IN LISTS files)
        cmake_path(GET file PARENT_PATH here)
        cmake_path(RELATIVE_PATH file BASE_DIRECTORY "${root}" OUTPUT_VARIABLE shown)
        file(STRINGS "${file}" lines REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"]")
        foreach(line IN LISTS lines)
            if(NOT line MATCHES "^[ \t]*#[ \t]*include[ \t]*([<\"])([^>\"]+)[>\"]")
                continue()
            endif()
            set(name "${CMAKE_MATCH_2}")
            set(found "")
            if(CMAKE_MATCH_1 STREQUAL "\"" AND EXISTS "${here}/${name}")
                cmake_path(SET found NORMALIZE "${here}/${name}")
            elseif(EXISTS "${root}${name}")
                cmake_path(SET found NORMALIZE "${root}${name}")
            endif()
            if(found STREQUAL "")
                continue()
            endif()
            owner_of("${found}" owner)
            if(owner STREQUAL "" OR owner IN_LIST allowed)
                continue()
            endif()
            cmake_path(RELATIVE_PATH found BASE_DIRECTORY "${root}" OUTPUT_VARIABLE target)
            if(owner STREQUAL "-")
                set(what "which is in no module")
            else()
                set(what "of module ${owner}")
            endif()
            list(JOIN allowed ", " allowed_text)
            list(APPEND problems
                "${shown}: includes ${target} (${what}), but ${module} may use only ${allowed_text}")
        endforeach()
    endforeach()
endforeach()

if(problems)
    list(REMOVE_DUPLICATES problems)
    list(JOIN problems "\n  " text)
    message(FATAL_ERROR "Includes between modules that are not allowed (see cmake/MailKeyMacros.cmake):\n  ${text}\n")
endif()
