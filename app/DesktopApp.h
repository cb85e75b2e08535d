// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/Gateway.h"

namespace tarn::app {

using AnnounceFunction = void (*)(const QList<QUrl> &);

// Runs Tarn with its window and tray icon: single instance per data dir, the gateway in-process.
int runDesktop(int argc, char **argv, const gateway::GatewayOptions &options, AnnounceFunction announce);

} // namespace tarn::app
