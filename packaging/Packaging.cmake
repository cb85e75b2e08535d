# SPDX-License-Identifier: GPL-3.0-or-later
# Install rules for the desktop integration and CPack, for every package Tarn ships:
#   Linux    DEB, RPM and TGZ (scripts/package builds the three), AppImage in the release workflow
#   Windows  NSIS installer and a portable ZIP
#   macOS    a DragNDrop DMG holding Tarn.app
# The version comes from project() alone (PROJECT_VERSION), as do `tarn --version` (TARN_VERSION in
# cmake/TarnOptions.cmake) and the About box.
include(GNUInstallDirs)

set(TARN_PACKAGE_MAINTAINER "Tarn developers <tarn@users.noreply.github.com>" CACHE STRING
    "Maintainer named in the DEB and RPM metadata and the Debian changelog")
set(TARN_ICONS_DIR ${PROJECT_SOURCE_DIR}/packaging/icons) # committed; packaging/icons/make-icons.sh
set(_tarn_linux_dir ${PROJECT_SOURCE_DIR}/packaging/linux)
set(_tarn_gen_dir ${PROJECT_BINARY_DIR}/packaging)

if(CMAKE_SYSTEM_NAME STREQUAL "Linux")
    if(TARN_BUILD_GUI)
        install(FILES ${PROJECT_SOURCE_DIR}/resources/linux/io.github.tarn.Tarn.desktop
            DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
        # The metainfo's release entry: the project's version, dated like the Debian changelog (the
        # build's day, or SOURCE_DATE_EPOCH's for a reproducible build).
        string(TIMESTAMP TARN_RELEASE_DATE "%Y-%m-%d" UTC)
        configure_file(${PROJECT_SOURCE_DIR}/resources/linux/io.github.tarn.Tarn.metainfo.xml.in
            ${PROJECT_BINARY_DIR}/io.github.tarn.Tarn.metainfo.xml @ONLY)
        install(FILES ${PROJECT_BINARY_DIR}/io.github.tarn.Tarn.metainfo.xml
            DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
        # Named `tarn`: the desktop file and the autostart entry the "Launch at login" setting
        # writes (ui/settings/LaunchAtLogin.cpp) both say Icon=tarn.
        foreach(size 16 22 24 32 48 64 128 256 512)
            install(FILES ${TARN_ICONS_DIR}/hicolor/${size}x${size}/tarn.png
                DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/${size}x${size}/apps)
        endforeach()
        install(FILES ${PROJECT_SOURCE_DIR}/resources/icons/tarn.svg
            DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)
    endif()

    # The headless gateway as a systemd user service; its ExecStart names the installed binary.
    configure_file(${_tarn_linux_dir}/tarn.service.in ${_tarn_gen_dir}/tarn.service @ONLY)
    install(FILES ${_tarn_gen_dir}/tarn.service DESTINATION lib/systemd/user)

    # Man page and Debian's doc files, gzipped with -n (no name or time stamp) so builds repeat.
    string(TIMESTAMP TARN_CHANGELOG_DATE "%a, %d %b %Y %H:%M:%S +0000" UTC) # honours SOURCE_DATE_EPOCH
    configure_file(${_tarn_linux_dir}/tarn.1.in ${_tarn_gen_dir}/tarn.1 @ONLY)
    configure_file(${_tarn_linux_dir}/changelog.in ${_tarn_gen_dir}/changelog @ONLY)
    find_program(TARN_GZIP gzip)
    if(TARN_GZIP)
        foreach(doc tarn.1 changelog)
            execute_process(COMMAND ${TARN_GZIP} -9nf -k ${_tarn_gen_dir}/${doc} RESULT_VARIABLE _gz)
            if(_gz)
                message(FATAL_ERROR "gzip ${doc} failed")
            endif()
        endforeach()
        install(FILES ${_tarn_gen_dir}/tarn.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
        install(FILES ${_tarn_gen_dir}/changelog.gz ${_tarn_linux_dir}/copyright
            DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/tarn) # Debian wants the package name, not Tarn
    endif()
    # Only what is inherent to the package, each with its reason (packaging/linux/lintian-overrides).
    install(FILES ${_tarn_linux_dir}/lintian-overrides
        DESTINATION ${CMAKE_INSTALL_DATADIR}/lintian/overrides RENAME tarn)
endif()

# Qt's own deployment for Windows and macOS (Linux packages depend on the distribution's Qt).
# Not qt_generate_deploy_app_script: it deploys what `tarn` links, and `tarn` never links Widgets,
# Charts or Svg; the module tarn_desktop does, and is loaded at run time. So the script names the
# module as ADDITIONAL_MODULES of qt_deploy_runtime_dependencies (windeployqt takes it as one more
# binary, macdeployqt as -executable=). Qt 6.5+ writes such a script with
# qt_generate_deploy_script; 6.3 and 6.4 only have the QT_DEPLOY_SUPPORT include it wraps.
if((WIN32 OR APPLE) AND TARN_BUILD_GUI AND COMMAND qt_generate_deploy_app_script)
    if(APPLE)
        set(_tarn_deploy_exe "$<TARGET_FILE_NAME:tarn>.app")
        set(_tarn_deploy_module "$<TARGET_FILE_NAME:tarn>.app/Contents/PlugIns/$<TARGET_FILE_NAME:tarn_desktop>")
        set(_tarn_deploy_conf "")
    else()
        set(_tarn_deploy_exe "\${QT_DEPLOY_BIN_DIR}/$<TARGET_FILE_NAME:tarn>")
        set(_tarn_deploy_module "\${QT_DEPLOY_BIN_DIR}/$<TARGET_FILE_NAME:tarn_desktop>")
        set(_tarn_deploy_conf GENERATE_QT_CONF)
        # windeployqt's default for an MSVC release build is to drop vc_redist.x64.exe beside the
        # binaries for an installer to run, which ours does not; the runtime DLLs themselves come
        # from InstallRequiredSystemLibraries below. (The option exists from Qt 6.5.)
        if(Qt6Core_VERSION VERSION_GREATER_EQUAL 6.5)
            string(APPEND _tarn_deploy_conf " NO_COMPILER_RUNTIME")
        endif()
    endif()
    set(_tarn_deploy_call "qt_deploy_runtime_dependencies(
    EXECUTABLE \"${_tarn_deploy_exe}\"
    ADDITIONAL_MODULES \"${_tarn_deploy_module}\"
    ${_tarn_deploy_conf}
    VERBOSE)
")
    if(COMMAND qt_generate_deploy_script) # Qt >= 6.5
        qt_generate_deploy_script(TARGET tarn OUTPUT_SCRIPT _tarn_deploy_script CONTENT "${_tarn_deploy_call}")
    else()
        set(_tarn_deploy_script ${_tarn_gen_dir}/deploy-tarn-$<CONFIG>.cmake)
        file(GENERATE OUTPUT ${_tarn_deploy_script}
            CONTENT "include(\"${QT_DEPLOY_SUPPORT}\")\n${_tarn_deploy_call}")
    endif()
    install(SCRIPT ${_tarn_deploy_script})
endif()

# The MSVC runtime (msvcp140, vcruntime140...) beside tarn.exe, so the installer and the portable
# zip run on a machine without the Visual C++ Redistributable (app/CMakeLists.txt leaves these
# DLLs out of its runtime dependency set).
if(WIN32)
    set(CMAKE_INSTALL_SYSTEM_RUNTIME_DESTINATION ${CMAKE_INSTALL_BINDIR})
    include(InstallRequiredSystemLibraries)
endif()

# Values reach CPackConfig.cmake as written (the NSIS snippets below are full of quotes and
# backslashes).
set(CPACK_VERBATIM_VARIABLES ON)
set(CPACK_PACKAGE_NAME tarn)
set(CPACK_PACKAGE_VENDOR "Tarn developers")
set(CPACK_PACKAGE_CONTACT "${TARN_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Personal LLM API gateway with a desktop tray app")
# Debian wraps the long description at 80 columns and wants no line longer.
set(CPACK_PACKAGE_DESCRIPTION
    "Tarn runs a personal API gateway for LLM providers (OpenAI, Anthropic,
Gemini): it routes requests across channels with retries and cooldowns,
translates between the API formats and records usage and cost. It runs
in the system tray or headless.")
set(CPACK_PACKAGE_HOMEPAGE_URL "https://github.com/tarn/tarn" CACHE STRING "Project home page in package metadata")
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_PACKAGE_INSTALL_DIRECTORY Tarn)
set(CPACK_PACKAGE_EXECUTABLES tarnw Tarn) # the Start-menu entry (NSIS): the build without a console
set(CPACK_STRIP_FILES ON)
set(CPACK_SOURCE_IGNORE_FILES "/build/" "/\\.git/")

if(WIN32)
    set(CPACK_GENERATOR "NSIS;ZIP")
elseif(APPLE)
    set(CPACK_GENERATOR "DragNDrop")
else()
    set(CPACK_GENERATOR "DEB;RPM;TGZ")
endif()

# --- DEB -----------------------------------------------------------------------------------------
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${TARN_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON) # dpkg-shlibdeps (dpkg-dev) over tarn and the module
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# Plugins are loaded at run time, so shlibdeps cannot see them: the SQLite driver and (GUI) the
# SVG icon engine, which ships in libqt6svg6 on Debian 12 and Ubuntu. The xcb platform plugin is
# in libqt6gui6, which shlibdeps finds through the module; Wayland's is a separate package.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libqt6sql6-sqlite")
if(TARN_BUILD_GUI)
    string(APPEND CPACK_DEBIAN_PACKAGE_DEPENDS ", libqt6svg6")
    set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "qt6-wayland")
endif()

# --- RPM -----------------------------------------------------------------------------------------
set(CPACK_RPM_FILE_NAME RPM-DEFAULT)
set(CPACK_RPM_PACKAGE_RELEASE 1)
set(CPACK_RPM_SPEC_MORE_DEFINE "%define packager ${TARN_PACKAGE_MAINTAINER}")
set(CPACK_RPM_PACKAGE_LICENSE "GPL-3.0-or-later")
set(CPACK_RPM_PACKAGE_GROUP "Applications/Internet")
set(CPACK_RPM_PACKAGE_URL "${CPACK_PACKAGE_HOMEPAGE_URL}")
set(CPACK_RPM_PACKAGE_DESCRIPTION "${CPACK_PACKAGE_DESCRIPTION}")
# rpmbuild's dependency generator reads the ELF files (libQt6*.so.6, libcurl, ...); the plugins
# loaded at run time are named as Fedora packages them: the SQLite driver is in qt6-qtbase,
# platform plugins in qt6-qtbase-gui, the SVG icon engine in qt6-qtsvg (openSUSE names differ:
# libQt6Sql6-sqlite, libQt6Gui6, libQt6Svg6).
set(CPACK_RPM_PACKAGE_AUTOREQ ON)
set(CPACK_RPM_PACKAGE_AUTOPROV OFF) # the private module provides nothing to other packages
set(CPACK_RPM_PACKAGE_REQUIRES "qt6-qtbase >= 6.4")
if(TARN_BUILD_GUI)
    string(APPEND CPACK_RPM_PACKAGE_REQUIRES ", qt6-qtbase-gui >= 6.4, qt6-qtsvg >= 6.4")
    set(CPACK_RPM_PACKAGE_SUGGESTS "qt6-qtwayland")
endif()
string(TIMESTAMP _tarn_rpm_date "%a %b %d %Y" UTC)
configure_file(${_tarn_linux_dir}/rpm-changelog.in ${_tarn_gen_dir}/rpm-changelog @ONLY)
set(CPACK_RPM_CHANGELOG_FILE ${_tarn_gen_dir}/rpm-changelog)
# Directories the filesystem and other packages own: an RPM must not claim them.
set(CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION
    /usr/lib/systemd /usr/lib/systemd/user
    /usr/share/applications /usr/share/metainfo /usr/share/man /usr/share/man/man1
    /usr/share/doc /usr/share/lintian /usr/share/lintian/overrides
    /usr/share/icons /usr/share/icons/hicolor /usr/share/icons/hicolor/scalable
    /usr/share/icons/hicolor/scalable/apps)
foreach(size 16 22 24 32 48 64 128 256 512)
    list(APPEND CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION
        /usr/share/icons/hicolor/${size}x${size} /usr/share/icons/hicolor/${size}x${size}/apps)
endforeach()
# Debian's lintian overrides mean nothing to an RPM.
set(CPACK_RPM_USER_FILELIST "%exclude /usr/share/lintian/overrides/tarn")

# --- NSIS (Windows installer; `cpack -G NSIS` also runs on Linux with Debian's nsis) ------------
set(CPACK_NSIS_PACKAGE_NAME Tarn)
set(CPACK_NSIS_DISPLAY_NAME Tarn)
set(CPACK_NSIS_MUI_ICON ${TARN_ICONS_DIR}/tarn.ico)
set(CPACK_NSIS_MUI_UNIICON ${TARN_ICONS_DIR}/tarn.ico)
set(CPACK_NSIS_INSTALLED_ICON_NAME "bin\\tarnw.exe")
set(CPACK_NSIS_URL_INFO_ABOUT "${CPACK_PACKAGE_HOMEPAGE_URL}")
set(CPACK_NSIS_CONTACT "${TARN_PACKAGE_MAINTAINER}")
set(CPACK_NSIS_ENABLE_UNINSTALL_BEFORE_INSTALL ON)
set(CPACK_NSIS_MUI_FINISHPAGE_RUN tarnw.exe)
set(CPACK_NSIS_EXECUTABLES_DIRECTORY bin)
# Start at login, asked once (silent installs: no): the same HKCU Run value Settings' "Launch at
# login" writes and reads (ui/settings/LaunchAtLogin.cpp), so the setting shows it as on.
set(CPACK_NSIS_EXTRA_INSTALL_COMMANDS [=[
  MessageBox MB_YESNO|MB_ICONQUESTION "Start Tarn when you log in to Windows?" /SD IDNO IDNO tarn_no_autostart
    WriteRegStr HKCU "Software\Microsoft\Windows\CurrentVersion\Run" "Tarn" '"$INSTDIR\bin\tarnw.exe" --autostart'
  tarn_no_autostart:
]=])
# Uninstall keeps the data folder (channels, client keys, usage history) unless the user asks.
# Qt's AppDataLocation is %APPDATA%\Tarn; read from the environment because $APPDATA follows
# SetShellVarContext, which an all-users install switches to ProgramData.
set(CPACK_NSIS_EXTRA_UNINSTALL_COMMANDS [=[
  DeleteRegValue HKCU "Software\Microsoft\Windows\CurrentVersion\Run" "Tarn"
  ReadEnvStr $0 APPDATA
  StrCmp $0 "" tarn_keep_data
  IfFileExists "$0\Tarn\*.*" 0 tarn_keep_data
  MessageBox MB_YESNO|MB_ICONQUESTION|MB_DEFBUTTON2 "Also delete Tarn's data folder $0\Tarn (channels, client keys, usage history)? Provider keys in the Windows Credential Manager stay." /SD IDNO IDNO tarn_keep_data
    RMDir /r "$0\Tarn"
  tarn_keep_data:
]=])

# --- macOS DMG: Tarn.app and a link to /Applications ----------------------------------------------
set(CPACK_DMG_VOLUME_NAME Tarn)
set(CPACK_DMG_FORMAT UDZO)
# Signs the staged bundle before the DMG is made, when TARN_CODESIGN_IDENTITY is set (release
# workflow); otherwise it says so and leaves the bundle ad-hoc signed.
if(APPLE)
    set(CPACK_PRE_BUILD_SCRIPTS ${PROJECT_SOURCE_DIR}/packaging/macos/codesign.cmake)
endif()

include(CPack)
