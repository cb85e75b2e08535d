# SPDX-License-Identifier: GPL-3.0-or-later
# One INTERFACE target carries the language level, warnings and Qt defines for every Tarn target.
add_library(tarn_options INTERFACE)
target_compile_features(tarn_options INTERFACE cxx_std_20)
if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(tarn_options INTERFACE
        -Wall -Wextra -Wpedantic -Wnon-virtual-dtor -Woverloaded-virtual -Wold-style-cast)
    if(TARN_WERROR)
        target_compile_options(tarn_options INTERFACE -Werror)
        # GCC 12 at -O3 reports std::string concatenation as overlapping memcpy (GCC bug 105329, a
        # false positive in libstdc++'s inlined insert): kept a warning, not an error.
        if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
            target_compile_options(tarn_options INTERFACE -Wno-error=restrict)
        endif()
    endif()
elseif(MSVC)
    target_compile_options(tarn_options INTERFACE /W4 /permissive- /Zc:__cplusplus)
endif()
target_compile_definitions(tarn_options INTERFACE
    QT_NO_CAST_FROM_ASCII QT_NO_CONTEXTLESS_CONNECT QT_USE_QSTRINGBUILDER
    QT_NO_FOREACH QT_DISABLE_DEPRECATED_UP_TO=0x060400
    TARN_VERSION="${PROJECT_VERSION}")
if(TARN_FUZZ)
    if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
        message(FATAL_ERROR "TARN_FUZZ needs clang (libFuzzer), not ${CMAKE_CXX_COMPILER_ID}: "
                            "configure a fresh build dir with CXX=clang++ (scripts/fuzz does this)")
    endif()
    if(NOT TARN_SANITIZE)
        set(TARN_SANITIZE "address;undefined")
    endif()
    # Coverage for every library the fuzzers link; a sanitizer report must stop the run.
    target_compile_options(tarn_options INTERFACE -fsanitize=fuzzer-no-link -fno-sanitize-recover=all)
    target_link_options(tarn_options INTERFACE -fsanitize=fuzzer-no-link -fno-sanitize-recover=all)
endif()
if(TARN_SANITIZE)
    string(REPLACE ";" "," _tarn_san "${TARN_SANITIZE}")
    target_compile_options(tarn_options INTERFACE -fsanitize=${_tarn_san} -fno-omit-frame-pointer)
    target_link_options(tarn_options INTERFACE -fsanitize=${_tarn_san})
    if("undefined" IN_LIST TARN_SANITIZE)
        # A UB report must fail the test, not scroll past.
        target_compile_options(tarn_options INTERFACE -fno-sanitize-recover=undefined)
        target_link_options(tarn_options INTERFACE -fno-sanitize-recover=undefined)
    endif()
endif()
