// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace tarn::gateway {

// Where Tarn keeps its data: `--data-dir` if given, else the OS's app-data location.
QString resolveDataDir(const QString &overrideDir);
QString databasePath(const QString &dataDir);

} // namespace tarn::gateway
