# Project-wide helpers: compiler hardening, warnings and sanitizers applied per target.

function(mailkey_harden target)
    if(MSVC)
        target_compile_options(${target} PRIVATE /W4 /permissive- /guard:cf)
        target_link_options(${target} PRIVATE /GUARD:CF /DYNAMICBASE /HIGHENTROPYVA)
        if(MAILKEY_WARNINGS_AS_ERRORS)
            target_compile_options(${target} PRIVATE /WX)
        endif()
        return()
    endif()
    target_compile_options(${target} PRIVATE
        -Wall -Wextra -Wpedantic -Wshadow=local -Wnon-virtual-dtor -Wold-style-cast
        -Wcast-align -Woverloaded-virtual -Wformat=2 -Wimplicit-fallthrough
        -fstack-protector-strong)
    if(NOT MAILKEY_SANITIZE)
        # _FORTIFY_SOURCE needs optimisation; sanitizer builds run at -O1 and define their own checks.
        target_compile_options(${target} PRIVATE
            $<$<NOT:$<CONFIG:Debug>>:-U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=2>)
    endif()
    if(MAILKEY_WARNINGS_AS_ERRORS)
        target_compile_options(${target} PRIVATE -Werror)
    endif()
    if(CMAKE_SYSTEM_NAME STREQUAL "Linux")
        target_link_options(${target} PRIVATE -Wl,-z,relro -Wl,-z,now -Wl,-z,noexecstack)
    endif()
    if(MAILKEY_SANITIZE)
        target_compile_options(${target} PRIVATE
            -fsanitize=address,undefined -fno-sanitize-recover=undefined
            -fno-omit-frame-pointer)
        target_link_options(${target} PRIVATE -fsanitize=address,undefined)
    endif()
    target_compile_definitions(${target} PRIVATE
        QT_NO_CAST_FROM_ASCII QT_NO_CAST_TO_ASCII QT_NO_URL_CAST_FROM_STRING
        QT_NO_CAST_FROM_BYTEARRAY QT_USE_QSTRINGBUILDER
        QT_NO_KEYWORDS)
endfunction()

# Modules --------------------------------------------------------------------------------------
# A module is a static library whose sources include headers of their own folder and of the
# modules it uses (directly or through those) only. cmake/CheckModuleDeps.cmake checks that in
# every build (target mailkey_module_deps, in ALL): a wrong-direction include fails the build.

# mailkey_module(<target> DIR <folder> [USES <module>...]): the static library <target> for the
# sources in <folder> (relative to the project root), linked PUBLIC to the modules it USES. The
# caller adds the sources and the third-party libraries.
function(mailkey_module target)
    cmake_parse_arguments(M "" "DIR" "USES" ${ARGN})
    if(NOT IS_DIRECTORY ${PROJECT_SOURCE_DIR}/${M_DIR})
        message(FATAL_ERROR "mailkey_module(${target}): no folder ${M_DIR}")
    endif()
    add_library(${target} STATIC)
    target_link_libraries(${target} PUBLIC ${M_USES})
    set_target_properties(${target} PROPERTIES MAILKEY_MODULE_DIR "${M_DIR}" MAILKEY_MODULE_USES "${M_USES}")
    set_property(GLOBAL APPEND PROPERTY MAILKEY_MODULES ${target})
    mailkey_harden(${target})
endfunction()

# mailkey_check_modules(): once every module is defined. Writes the modules, their folders and
# what they use to mailkey-modules.cmake in the build folder and adds the target that checks
# them, again whenever a module's source changes. Every module waits for it, so that building
# any single target that needs a module checks too.
function(mailkey_check_modules)
    get_property(modules GLOBAL PROPERTY MAILKEY_MODULES)
    set(manifest "# Written by mailkey_check_modules() (cmake/MailKeyMacros.cmake).\n")
    string(APPEND manifest "set(MAILKEY_MODULES ${modules})\n")
    set(sources)
    foreach(module IN LISTS modules)
        get_target_property(dir ${module} MAILKEY_MODULE_DIR)
        get_target_property(uses ${module} MAILKEY_MODULE_USES)
        get_target_property(module_sources ${module} SOURCES)
        get_target_property(module_source_dir ${module} SOURCE_DIR)
        string(APPEND manifest "set(${module}_DIR ${dir})\nset(${module}_USES ${uses})\n")
        foreach(source IN LISTS module_sources)
            cmake_path(ABSOLUTE_PATH source BASE_DIRECTORY ${module_source_dir})
            list(APPEND sources ${source})
        endforeach()
    endforeach()
    set(manifest_file ${PROJECT_BINARY_DIR}/mailkey-modules.cmake)
    file(CONFIGURE OUTPUT ${manifest_file} CONTENT "${manifest}" @ONLY)
    set(checker ${PROJECT_SOURCE_DIR}/cmake/CheckModuleDeps.cmake)
    set(stamp ${PROJECT_BINARY_DIR}/mailkey-modules.checked)
    add_custom_command(OUTPUT ${stamp}
        COMMAND ${CMAKE_COMMAND} -DMANIFEST=${manifest_file} -DSOURCE_DIR=${PROJECT_SOURCE_DIR}
                -P ${checker}
        COMMAND ${CMAKE_COMMAND} -E touch ${stamp}
        DEPENDS ${checker} ${manifest_file} ${sources}
        COMMENT "Checking the includes between modules"
        VERBATIM)
    add_custom_target(mailkey_module_deps ALL DEPENDS ${stamp})
    foreach(module IN LISTS modules)
        add_dependencies(${module} mailkey_module_deps)
    endforeach()
    set_property(GLOBAL PROPERTY MAILKEY_MODULES_MANIFEST ${manifest_file})
endfunction()
