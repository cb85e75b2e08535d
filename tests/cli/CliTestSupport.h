// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Runs CLI commands in-process against a temporary data directory and inspects the database.
#include "gateway/cli/CommandLine.h"
#include "gateway/core/Paths.h"
#include "gateway/storage/ChannelRepository.h"
#include "gateway/storage/ClientKeyRepository.h"
#include "gateway/storage/Database.h"
#include "gateway/storage/SettingsRepository.h"
#include "tests/support/GTestQtPrinters.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTextStream>

#include <gtest/gtest.h>

#include <memory>

namespace tarn::gateway::test {

struct CommandOutput
{
    int code = -1;
    QString out;
    QString err;
};

inline std::ostream &operator<<(std::ostream &os, const CommandOutput &o)
{
    return os << "exit " << o.code << "\nstdout: " << o.out.toStdString() << "\nstderr: " << o.err.toStdString();
}

class CliTest : public ::testing::Test
{
protected:
    void SetUp() override { ASSERT_TRUE(m_dir.isValid()); }

    QString dataDir() const { return m_dir.path(); }

    // Runs `tarn --data-dir <temp> args...` in-process.
    CommandOutput run(const QStringList &args, const QString &dir = {})
    {
        QStringList full = {QStringLiteral("--data-dir"), dir.isEmpty() ? dataDir() : dir};
        full += args;
        return runRaw(full);
    }

public:
    static CommandOutput runRaw(const QStringList &args)
    {
        CommandOutput result;
        QTextStream out(&result.out);
        QTextStream err(&result.err);
        result.code = runCommand(parseInvocation(args), out, err);
        out.flush();
        err.flush();
        return result;
    }

protected:
    std::unique_ptr<Database> openDb(const QString &dir = {})
    {
        static int counter = 0;
        auto db = Database::open(databasePath(dir.isEmpty() ? dataDir() : dir),
                                 QStringLiteral("cli-test-%1").arg(++counter));
        EXPECT_TRUE(db.ok()) << (db.ok() ? std::string() : db.error().message.toStdString());
        return db.ok() ? std::move(db).value() : nullptr;
    }

    // Everything configuration-like in the database, for "nothing changed" checks.
    QString snapshot()
    {
        auto db = openDb();
        if (!db)
            return {};
        QString text;
        // Named copies: a range-for over *temporaryResult would dangle.
        const QList<Channel> channels = ChannelRepository(*db).list().value();
        const QList<ClientKey> keys = ClientKeyRepository(*db).list().value();
        for (const Channel &c : channels) {
            text += QStringLiteral("channel %1 %2 %3 %4 %5 %6 %7 %8 %9\n")
                        .arg(c.id).arg(c.name, channelTypeName(c.type), c.baseUrl, c.keys.join(u','), c.models.join(u','))
                        .arg(c.priority).arg(c.weight).arg(c.enabled);
        }
        for (const ClientKey &k : keys)
            text += QStringLiteral("key %1 %2 %3 %4\n").arg(k.name, QString::fromLatin1(k.hash), k.models.join(u',')).arg(k.revoked);
        const auto settings = *SettingsRepository(*db).all();
        for (auto it = settings.cbegin(); it != settings.cend(); ++it)
            text += QStringLiteral("setting %1=%2\n").arg(it.key(), it.value());
        text += QStringLiteral("revision %1\n").arg(*SettingsRepository(*db).configRevision());
        return text;
    }

    // A usage error: exit 2, one "tarn: ..." line on stderr, nothing on stdout.
    static void expectUsageError(const CommandOutput &o, const QString &needle = {})
    {
        EXPECT_EQ(o.code, 2) << o;
        EXPECT_TRUE(o.err.startsWith(u"tarn: ")) << o;
        EXPECT_EQ(o.err.count(u'\n'), 1) << o;
        EXPECT_TRUE(o.out.isEmpty()) << o;
        if (!needle.isEmpty()) {
            EXPECT_TRUE(o.err.contains(needle, Qt::CaseInsensitive)) << "expected '" << needle.toStdString() << "' in " << o;
        }
    }

    static void expectRuntimeError(const CommandOutput &o, const QString &needle = {})
    {
        EXPECT_EQ(o.code, 1) << o;
        EXPECT_TRUE(o.err.startsWith(u"tarn: ")) << o;
        EXPECT_EQ(o.err.count(u'\n'), 1) << o;
        if (!needle.isEmpty()) {
            EXPECT_TRUE(o.err.contains(needle, Qt::CaseInsensitive)) << "expected '" << needle.toStdString() << "' in " << o;
        }
    }

    static QJsonDocument json(const QString &text)
    {
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8(), &error);
        EXPECT_EQ(error.error, QJsonParseError::NoError) << text.toStdString();
        return doc;
    }

    QStringList addArgs(const QString &name) const
    {
        return {QStringLiteral("channel"), QStringLiteral("add"), QStringLiteral("--name"), name,
                QStringLiteral("--type"), QStringLiteral("openai"), QStringLiteral("--base-url"),
                QStringLiteral("https://api.openai.com/v1"), QStringLiteral("--key"), QStringLiteral("sk-secret-one-123456"),
                QStringLiteral("--models"), QStringLiteral("gpt-4o,gpt-4o-mini")};
    }

    QTemporaryDir m_dir;
};

} // namespace tarn::gateway::test
