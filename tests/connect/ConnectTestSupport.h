// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// A temporary home and data directory for the config writers, and file helpers.
#include "gateway/connect/AgentConfig.h"
#include "gateway/connect/ConfigWriter.h"
#include "tests/support/GTestQtPrinters.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <gtest/gtest.h>

#include <optional>

namespace tarn::gateway::test {

inline QString s(const char *text)
{
    return QString::fromUtf8(text);
}

inline std::optional<QByteArray> readBytes(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    return file.readAll();
}

inline void writeBytes(const QString &path, const QByteArray &bytes)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    ASSERT_TRUE(file.open(QIODevice::WriteOnly | QIODevice::Truncate)) << path.toStdString();
    ASSERT_EQ(file.write(bytes), bytes.size());
}

inline QJsonObject readJson(const QString &path)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(readBytes(path).value_or(QByteArray()), &error);
    EXPECT_EQ(error.error, QJsonParseError::NoError) << path.toStdString();
    EXPECT_TRUE(doc.isObject()) << path.toStdString();
    return doc.object();
}

// The Unix permission bits as Qt reports them for the owner, group and others.
inline QFileDevice::Permissions unixPermissions(const QString &path)
{
    return QFile::permissions(path)
           & (QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner | QFileDevice::ReadGroup
              | QFileDevice::WriteGroup | QFileDevice::ExeGroup | QFileDevice::ReadOther | QFileDevice::WriteOther
              | QFileDevice::ExeOther);
}

inline constexpr QFileDevice::Permissions kOwnerOnly = QFileDevice::ReadOwner | QFileDevice::WriteOwner;

class ConnectTest : public ::testing::Test
{
protected:
    void SetUp() override { ASSERT_TRUE(m_dir.isValid()); }

    QString home() const { return m_dir.filePath(QStringLiteral("home")); }
    QString dataDir() const { return m_dir.filePath(QStringLiteral("data")); }
    QString backupRoot() const { return QDir(dataDir()).filePath(QStringLiteral("connect-backups")); }
    QString inHome(const QString &relative) const { return QDir(home()).filePath(relative); }
    connect::AgentHome agentHome() const { return connect::AgentHome{home(), {}, {}}; }
    std::unique_ptr<connect::AgentConfig> agent(const char *id) const
    {
        return connect::createAgentConfig(QString::fromLatin1(id), agentHome());
    }
    connect::ConfigWriter writer() const { return connect::ConfigWriter(backupRoot()); }

    static connect::ConnectTarget target(const QString &key = s("tarn-testkey-0123456789"), const QString &model = {})
    {
        return connect::ConnectTarget{s("http://127.0.0.1:8276"), key, model};
    }

    QTemporaryDir m_dir;
};

} // namespace tarn::gateway::test
