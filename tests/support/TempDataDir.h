// SPDX-License-Identifier: GPL-3.0-or-later
// A throw-away data directory for a test: removed with the object.
#pragma once

#include <QDir>
#include <QString>
#include <QTemporaryDir>

namespace tarn::test {

class TempDataDir
{
public:
    TempDataDir() : m_dir(QDir::tempPath() + QStringLiteral("/tarn-test-XXXXXX")) {}

    bool isValid() const { return m_dir.isValid(); }
    QString path() const { return m_dir.path(); }
    QString dbPath() const { return m_dir.filePath(QStringLiteral("tarn.sqlite3")); }
    QString filePath(const QString &name) const { return m_dir.filePath(name); }

private:
    QTemporaryDir m_dir;
};

} // namespace tarn::test
