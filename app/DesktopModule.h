// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The desktop application (window, tray, single instance) is built as its own module,
// tarn_desktop, which `tarn` loads only when it runs with a window. Headless runs and commands
// never map Qt Widgets, Gui, X11, OpenGL or D-Bus: that keeps a headless Tarn about 6 MiB smaller.
// Both sides are built from the same tree, so the launch struct may carry Qt types.
#include "app/AdminLaunch.h"
#include "gateway/Gateway.h"

#include <QtGlobal>

namespace tarn::app {

using AnnounceFunction = void (*)(const QList<QUrl> &);

struct DesktopLaunch
{
    int argc = 0;
    char **argv = nullptr;
    const gateway::GatewayOptions *options = nullptr;
    AnnounceFunction announce = nullptr;
    const AdminLaunch *admin = nullptr;
};

using DesktopEntry = int (*)(const DesktopLaunch *launch);

// File base name (QLibrary adds lib….so, ….dll, ….dylib) and entry symbol.
inline constexpr char kDesktopModuleName[] = "tarn_desktop";
inline constexpr char kDesktopEntrySymbol[] = "tarn_run_desktop";

} // namespace tarn::app

// Runs Tarn with its window and tray icon: single instance per data dir, the gateway in-process.
extern "C" Q_DECL_EXPORT int tarn_run_desktop(const tarn::app::DesktopLaunch *launch);
