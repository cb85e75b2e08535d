// SPDX-License-Identifier: GPL-3.0-or-later
// End to end: a database written before keys moved out is opened by a real gateway; requests still
// reach the upstream with the key, and the key appears nowhere else: not in the database files,
// not in Tarn's log, not in an upstream 401 that echoes it back, not in the management API, not in
// `tarn export` without --secrets (which carries it only with --secrets, read by another process).
#include "gateway/admin/AdminServer.h"
#include "gateway/admin/AdminToken.h"
#include "tests/integration/GatewayHarness.h"
#include "tests/support/HttpTestClient.h"
#include "tests/support/MockUpstream.h"

#include <QFile>
#include <QProcess>
#include <QSqlError>
#include <QSqlQuery>

#include <gtest/gtest.h>

#include <mutex>

using namespace tarn::test;
using namespace tarn::gateway;

namespace {

// Shaped like no known provider's key, so only Tarn's knowledge of its own keys can hide it.
constexpr char kProviderKey[] = "zq-exposure-5f2e8d1c9a7b4e6f0a1b2c3d";
constexpr char kKeyTail[] = "5f2e8d1c9a7b"; // any leak of the key includes this

std::mutex g_logMutex;
QString g_log;
QtMessageHandler g_previousHandler = nullptr;

void captureLog(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    {
        std::lock_guard lock(g_logMutex);
        g_log += QString::fromLatin1(context.category ? context.category : "") + u' ' + message + u'\n';
    }
    if (g_previousHandler)
        g_previousHandler(type, context, message);
}

QByteArray fileBytes(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// Runs the tarn executable on dataDir; returns stdout + stderr.
QByteArray runTarn(const QString &dataDir, const QStringList &args, int *exitCode)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(QStringLiteral(TARN_EXECUTABLE), QStringList{QStringLiteral("--data-dir"), dataDir} + args);
    p.waitForFinished(60000);
    *exitCode = p.exitCode();
    return p.readAll();
}

} // namespace

TEST(SecretExposure, OldPlainKeysMoveOutStillRouteAndLeakNowhere)
{
    g_previousHandler = qInstallMessageHandler(captureLog);
    MockUpstream mock;
    GatewayHarness tarn;
    // The channel as an older Tarn stored it: the key in plain text in channels.keys.
    {
        QSqlQuery q(tarn.database().handle());
        q.prepare(QStringLiteral("INSERT INTO channels (name, type, base_url, keys, models, created_at, updated_at) "
                                 "VALUES ('legacy', 'openai', ?, ?, '[\"gpt-x\"]', '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z')"));
        q.addBindValue(mock.baseUrl());
        q.addBindValue(QStringLiteral("[\"%1\"]").arg(QLatin1String(kProviderKey)));
        ASSERT_TRUE(q.exec()) << q.lastError().text().toStdString();
    }
    ASSERT_TRUE(tarn.start()); // opening the database moves the key out

    HttpTestClient client;
    const QString url = tarn.url(QStringLiteral("/v1/chat/completions"));
    const HttpResult ok = client.request("POST", url, chatBody(QStringLiteral("gpt-x")));
    EXPECT_EQ(ok.status, 200);
    EXPECT_EQ(mock.lastRequest().header("Authorization"), QByteArray("Bearer ") + kProviderKey);

    // The upstream refuses the key and echoes it back, as providers do.
    MockBehaviour refused;
    refused.status = 401;
    refused.body = QByteArray(R"({"error":{"message":"Incorrect API key provided: )") + kProviderKey
        + R"(. You can find your API key at https://example.invalid","type":"invalid_request_error"}})";
    mock.setDefaultBehaviour(refused);
    const HttpResult denied = client.request("POST", url, chatBody(QStringLiteral("gpt-x")));
    EXPECT_GE(denied.status, 400);
    EXPECT_FALSE(denied.body.contains(kKeyTail)) << denied.body.toStdString();
    for (const auto &[name, value] : denied.headers)
        EXPECT_FALSE(value.contains(kKeyTail));

    // The management API, every read-only endpoint that names channels or state.
    AdminServer admin(tarn.gateway());
    ASSERT_TRUE(admin.start(0).ok());
    const Result<QByteArray> token = loadOrCreateAdminToken(tarn.dataDir().path());
    ASSERT_TRUE(token.ok());
    for (const QString &path : {QStringLiteral("/admin/v1/status"), QStringLiteral("/admin/v1/channels"),
                               QStringLiteral("/admin/v1/router"), QStringLiteral("/admin/v1/requests"),
                               QStringLiteral("/admin/v1/usage")}) {
        const HttpResult r = client.request("GET", admin.url().toString() + path, {}, {{"Authorization", "Bearer " + *token}});
        EXPECT_EQ(r.status, 200) << path.toStdString();
        EXPECT_FALSE(r.body.contains(kKeyTail)) << path.toStdString() << ": " << r.body.toStdString();
    }
    const HttpResult status = client.request("GET", admin.url().toString() + QStringLiteral("/admin/v1/status"), {},
                                             {{"Authorization", "Bearer " + *token}});
    EXPECT_EQ(status.json().value(u"secrets").toObject().value(u"backend").toString(), QStringLiteral("file"))
        << status.body.toStdString();
    const HttpResult channels = client.request("GET", admin.url().toString() + QStringLiteral("/admin/v1/channels"), {},
                                               {{"Authorization", "Bearer " + *token}});
    EXPECT_TRUE(channels.body.contains("zq-e…2c3d")) << "the key is shown masked: " << channels.body.toStdString();
    admin.stop();
    tarn.stop();

    // Another process: export without --secrets never shows the key; with it, the key read from
    // the store the gateway's process wrote proves both see the same secrets.
    const QString dataDir = tarn.dataDir().path();
    int exitCode = -1;
    const QString plainExport = tarn.dataDir().filePath(QStringLiteral("export.json"));
    const QByteArray out = runTarn(dataDir, {QStringLiteral("export"), plainExport}, &exitCode);
    EXPECT_EQ(exitCode, 0) << out.toStdString();
    EXPECT_FALSE(out.contains(kKeyTail));
    EXPECT_FALSE(fileBytes(plainExport).contains(kKeyTail));
    EXPECT_FALSE(fileBytes(plainExport).contains("secret:")) << "references are no business of an export";
    const QString secretExport = tarn.dataDir().filePath(QStringLiteral("export-secrets.json"));
    const QByteArray outSecrets = runTarn(dataDir, {QStringLiteral("export"), QStringLiteral("--secrets"), secretExport}, &exitCode);
    EXPECT_EQ(exitCode, 0) << outSecrets.toStdString();
    EXPECT_TRUE(fileBytes(secretExport).contains(kProviderKey));
    QFile::remove(secretExport);
    // `channel show` and `channel list --json` mask it.
    for (const QStringList &args : {QStringList{QStringLiteral("channel"), QStringLiteral("show"), QStringLiteral("legacy")},
                                    QStringList{QStringLiteral("channel"), QStringLiteral("list"), QStringLiteral("--json")}}) {
        const QByteArray shown = runTarn(dataDir, args, &exitCode);
        EXPECT_EQ(exitCode, 0) << shown.toStdString();
        EXPECT_FALSE(shown.contains(kKeyTail)) << shown.toStdString();
    }

    // The database files, the vault file and the log.
    for (const QString &suffix : {QString(), QStringLiteral("-wal"), QStringLiteral("-shm")})
        EXPECT_FALSE(fileBytes(tarn.dataDir().dbPath() + suffix).contains(kKeyTail)) << "tarn.sqlite3" << suffix.toStdString();
    EXPECT_FALSE(fileBytes(tarn.dataDir().filePath(QStringLiteral("secrets.enc"))).contains(kKeyTail));
    qInstallMessageHandler(g_previousHandler);
    std::lock_guard lock(g_logMutex);
    EXPECT_FALSE(g_log.contains(QLatin1String(kKeyTail))) << g_log.toStdString();
    EXPECT_TRUE(g_log.contains(QStringLiteral("moving the provider keys"))) << g_log.toStdString();
}
