// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/core/Paths.h"

#include <QDir>
#include <QStandardPaths>

namespace tarn::gateway {

QString resolveDataDir(const QString &overrideDir)
{
    if (!overrideDir.isEmpty())
        return QDir(overrideDir).absolutePath();
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
}

QString databasePath(const QString &dataDir)
{
    return QDir(dataDir).filePath(QStringLiteral("tarn.sqlite3"));
}

} // namespace tarn::gateway
