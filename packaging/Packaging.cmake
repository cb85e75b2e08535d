# SPDX-License-Identifier: GPL-3.0-or-later
# Desktop-integration install rules and CPack basics (DEB, TGZ). Installers come later.
include(GNUInstallDirs)

if(TARN_BUILD_GUI)
    install(FILES ${PROJECT_SOURCE_DIR}/resources/linux/tarn.desktop
        DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
    install(FILES ${PROJECT_SOURCE_DIR}/resources/icons/tarn.svg
        DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)
    install(FILES ${PROJECT_SOURCE_DIR}/resources/linux/io.github.tarn.Tarn.metainfo.xml
        DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
endif()

set(CPACK_GENERATOR "DEB;TGZ")
set(CPACK_PACKAGE_NAME tarn)
set(CPACK_PACKAGE_VENDOR "Tarn developers")
set(CPACK_PACKAGE_CONTACT "Tarn developers")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Personal LLM API gateway with a desktop tray app")
set(CPACK_PACKAGE_DESCRIPTION
    "Tarn runs a personal API gateway for LLM providers (OpenAI, Anthropic, Gemini): it routes requests across channels with retries and cooldowns and records usage and cost. It runs in the system tray or headless.")
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "Tarn developers")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Plugins are loaded at run time, so shlibdeps cannot see them: the SQLite driver, the
# platform plugins and (GUI) the SVG icon engine, which ships in libqt6svg6 on Debian 12.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libqt6sql6-sqlite, qt6-qpa-plugins")
if(TARN_BUILD_GUI)
    string(APPEND CPACK_DEBIAN_PACKAGE_DEPENDS ", libqt6svg6")
endif()

include(CPack)
