# SPDX-License-Identifier: GPL-3.0-or-later
# CPACK_PRE_BUILD_SCRIPTS for the DMG: signs the staged Tarn.app (module, deployed frameworks and
# plugins, then the bundle) with the hardened runtime, before CPack makes the disk image, so the
# DMG holds a signed bundle the release workflow can notarize. Without TARN_CODESIGN_IDENTITY in
# the environment (a fork, a local build) it signs ad hoc instead: macdeployqt signs nothing unless
# given -codesign=, and its install_name_tool and strip edits break the signatures the frameworks
# and binaries had, which Apple silicon refuses to load.
set(_identity "$ENV{TARN_CODESIGN_IDENTITY}")
set(_sign_options --timestamp --options runtime)
file(GLOB_RECURSE _bundles LIST_DIRECTORIES true "${CPACK_TEMPORARY_INSTALL_DIRECTORY}/*.app")
list(FILTER _bundles INCLUDE REGEX "\\.app$")
if(_identity STREQUAL "")
    message(STATUS "TARN_CODESIGN_IDENTITY is not set: the bundle is signed ad hoc, not for distribution")
    set(_identity "-")
    set(_sign_options "")
endif()
foreach(_bundle IN LISTS _bundles)
    # Inside out: nested code first, the bundle last (codesign --deep is deprecated for signing).
    file(GLOB_RECURSE _nested "${_bundle}/Contents/Frameworks/*.dylib" "${_bundle}/Contents/PlugIns/*.dylib"
         "${_bundle}/Contents/PlugIns/*.so")
    file(GLOB _frameworks LIST_DIRECTORIES true "${_bundle}/Contents/Frameworks/*.framework")
    foreach(_code IN LISTS _nested _frameworks _bundle)
        execute_process(COMMAND codesign --force ${_sign_options} --sign "${_identity}" "${_code}"
                        RESULT_VARIABLE _rc)
        if(_rc)
            message(FATAL_ERROR "codesign failed for ${_code}")
        endif()
    endforeach()
    execute_process(COMMAND codesign --verify --strict --verbose=2 "${_bundle}" RESULT_VARIABLE _rc)
    if(_rc)
        message(FATAL_ERROR "codesign --verify failed for ${_bundle}")
    endif()
endforeach()
