// SPDX-License-Identifier: GPL-3.0-or-later
// The management API over real HTTP beside a real gateway: nothing without the admin token, JSON
// for status, channels, keys, usage, requests and the router, pause and resume, clear errors for
// wrong methods, paths and parameters, and no secret in any answer.
#include "gateway/admin/AdminServer.h"
#include "gateway/admin/AdminToken.h"
#include "tests/integration/GatewayHarness.h"
#include "tests/support/HttpTestClient.h"
#include "tests/support/MockUpstream.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QThread>

#include <gtest/gtest.h>

using namespace tarn::test;
using namespace tarn::gateway;

namespace {

constexpr char kProviderKey[] = "sk-admin-test-provider-secret-0123456789";

// Spins the event loop until done (the gateway applies pause and resume on its own thread, which
// is this one), for at most timeoutMs.
bool waitFor(const std::function<bool()> &done, int timeoutMs = 10000)
{
    QElapsedTimer timer;
    timer.start();
    while (!done()) {
        if (timer.elapsed() > timeoutMs)
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        QThread::msleep(5);
    }
    return true;
}

class AdminServerTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        tarn.addChannel(QStringLiteral("main"), mock.baseUrl(), {QStringLiteral("gpt-x")}, 0, {},
                        {QString::fromLatin1(kProviderKey)});
        clientKey = tarn.createKey(QStringLiteral("laptop"), {QStringLiteral("gpt-x")});
        ASSERT_TRUE(tarn.start());
        admin = std::make_unique<AdminServer>(tarn.gateway());
        const Status started = admin->start(0);
        ASSERT_TRUE(started.ok()) << started.error().message.toStdString();
        const Result<QByteArray> loaded = loadOrCreateAdminToken(tarn.dataDir().filePath(QString()));
        ASSERT_TRUE(loaded.ok());
        token = *loaded;
    }
    void TearDown() override
    {
        if (admin)
            admin->stop();
    }

    HttpResult get(const QString &path, const QByteArray &method = "GET")
    {
        return client.request(method, admin->url().toString() + path, {}, {{"Authorization", "Bearer " + token}});
    }
    static QString errorType(const HttpResult &r) { return r.json().value(u"error").toObject().value(u"type").toString(); }

    MockUpstream mock;
    GatewayHarness tarn;
    std::unique_ptr<AdminServer> admin;
    QByteArray token;
    QString clientKey;
    HttpTestClient client;
};

TEST_F(AdminServerTest, ListensOnLoopbackOnlyAndNeedsTheToken)
{
    EXPECT_EQ(admin->url().host(), QStringLiteral("127.0.0.1"));
    EXPECT_GT(admin->url().port(), 0);
    EXPECT_NE(admin->url().port(), int(tarn.port()));

    const QString status = admin->url().toString() + QStringLiteral("/admin/v1/status");
    const QList<HttpHeaders> refused = {
        {},
        {{"Authorization", "Bearer wrong-token"}},
        {{"Authorization", "Bearer " + token + "x"}},
        {{"Authorization", "Basic " + token}},
        {{"Authorization", token}},
        {{"X-Api-Key", token}},
        // The same header twice, even with the right token twice: not ours to settle.
        {{"Authorization", "Bearer " + token}, {"Authorization", "Bearer " + token}},
        {{"Authorization", "Bearer " + token}, {"authorization", "Bearer wrong"}},
        // The client key gets into the gateway, not here.
        {{"Authorization", "Bearer " + clientKey.toUtf8()}},
    };
    for (const HttpHeaders &headers : refused) {
        const HttpResult r = client.request("GET", status, {}, headers);
        EXPECT_EQ(r.status, 401) << r.body.toStdString();
        EXPECT_EQ(errorType(r), QStringLiteral("unauthorized"));
        EXPECT_TRUE(r.json().value(u"error").toObject().value(u"message").toString().contains(QStringLiteral("admin-token")));
    }
    // The scheme is case-insensitive, as HTTP has it.
    EXPECT_EQ(client.request("GET", status, {}, {{"Authorization", "bearer " + token}}).status, 200);
    EXPECT_EQ(get(QStringLiteral("/admin/v1/status")).status, 200);
    // Unknown paths are refused before they are looked up: no token, no 404 either.
    EXPECT_EQ(client.request("GET", admin->url().toString() + QStringLiteral("/nothing")).status, 401);
}

TEST_F(AdminServerTest, StatusChannelsKeysUsageRequestsAndRouterAnswerInJson)
{
    // One request through the gateway with the client key, so there is usage and a router state.
    const HttpResult served = client.request("POST", tarn.url(QStringLiteral("/v1/chat/completions")),
                                             chatBody(QStringLiteral("gpt-x")),
                                             {{"Authorization", "Bearer " + clientKey.toUtf8()}});
    ASSERT_EQ(served.status, 200) << served.body.toStdString();
    ASSERT_TRUE(waitFor([&] { return tarn.usageRows().size() == 1; }));

    const HttpResult status = get(QStringLiteral("/admin/v1/status"));
    ASSERT_EQ(status.status, 200);
    EXPECT_EQ(status.header("content-type"), QByteArray("application/json"));
    const QJsonObject s = status.json();
    EXPECT_EQ(s.value(u"version").toString(), QStringLiteral(TARN_VERSION));
    EXPECT_FALSE(s.value(u"paused").toBool(true));
    EXPECT_EQ(s.value(u"listening").toArray().first().toString(), tarn.url(QString()));
    EXPECT_EQ(s.value(u"channels").toInt(), 1);
    EXPECT_EQ(s.value(u"channel_states").toObject().value(u"healthy").toInt(), 1);
    EXPECT_GE(s.value(u"uptime_s").toInt(-1), 0);

    const QJsonArray channels = get(QStringLiteral("/admin/v1/channels")).json().value(u"channels").toArray();
    ASSERT_EQ(channels.size(), 1);
    EXPECT_EQ(channels.first().toObject().value(u"name").toString(), QStringLiteral("main"));
    EXPECT_EQ(channels.first().toObject().value(u"state").toString(), QStringLiteral("healthy"));

    const QJsonArray keys = get(QStringLiteral("/admin/v1/keys")).json().value(u"keys").toArray();
    ASSERT_EQ(keys.size(), 1);
    const QJsonObject key = keys.first().toObject();
    EXPECT_EQ(key.value(u"name").toString(), QStringLiteral("laptop"));
    EXPECT_TRUE(clientKey.startsWith(key.value(u"prefix").toString().remove(QChar(0x2026))));
    EXPECT_EQ(key.value(u"models").toArray(), QJsonArray{QStringLiteral("gpt-x")});
    EXPECT_TRUE(key.value(u"last_used_at").isString() || key.value(u"last_used_at").isNull());

    const QJsonObject usage = get(QStringLiteral("/admin/v1/usage?since=1h")).json();
    EXPECT_EQ(usage.value(u"total").toObject().value(u"requests").toInt(), 1);
    EXPECT_EQ(usage.value(u"channels").toArray().first().toObject().value(u"name").toString(), QStringLiteral("main"));
    EXPECT_EQ(usage.value(u"total").toObject().value(u"prompt_tokens").toInt(), tarn.usageRows().first().promptTokens);

    const QJsonArray requests = get(QStringLiteral("/admin/v1/requests?limit=5")).json().value(u"requests").toArray();
    ASSERT_EQ(requests.size(), 1);
    EXPECT_EQ(requests.first().toObject().value(u"requested_model").toString(), QStringLiteral("gpt-x"));
    EXPECT_EQ(requests.first().toObject().value(u"status").toInt(), 200);

    const QJsonObject router = get(QStringLiteral("/admin/v1/router")).json();
    const QJsonArray live = router.value(u"channels").toArray();
    ASSERT_EQ(live.size(), 1);
    EXPECT_EQ(live.first().toObject().value(u"requests").toInt(), 1);
    EXPECT_EQ(live.first().toObject().value(u"keys").toArray().first().toObject().value(u"key_id").toString(),
              keyId(QString::fromLatin1(kProviderKey)));

    // No secret in any answer: not the provider key, not the client key.
    for (const QString &path : {QStringLiteral("/admin/v1/status"), QStringLiteral("/admin/v1/channels"),
                                QStringLiteral("/admin/v1/keys"), QStringLiteral("/admin/v1/usage"),
                                QStringLiteral("/admin/v1/requests"), QStringLiteral("/admin/v1/router")}) {
        const QByteArray body = get(path).body;
        EXPECT_FALSE(body.contains(kProviderKey)) << path.toStdString();
        EXPECT_FALSE(body.contains(QByteArray(kProviderKey).mid(8, 20))) << path.toStdString();
        EXPECT_FALSE(body.contains(clientKey.toUtf8())) << path.toStdString();
        EXPECT_FALSE(body.contains(clientKey.toUtf8().mid(12))) << path.toStdString();
    }
}

TEST_F(AdminServerTest, WrongMethodsPathsAndParametersGetClearErrors)
{
    HttpResult r = get(QStringLiteral("/admin/v1/status"), "POST");
    EXPECT_EQ(r.status, 405);
    EXPECT_EQ(errorType(r), QStringLiteral("method_not_allowed"));
    r = get(QStringLiteral("/admin/v1/pause"), "GET");
    EXPECT_EQ(r.status, 405);
    r = get(QStringLiteral("/admin/v1/nothing"));
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(errorType(r), QStringLiteral("not_found"));
    for (const char *bad : {"/admin/v1/requests?limit=0", "/admin/v1/requests?limit=1001", "/admin/v1/requests?limit=ten",
                            "/admin/v1/usage?since=yesterday", "/admin/v1/usage?since="}) {
        r = get(QString::fromLatin1(bad));
        EXPECT_EQ(r.status, 400) << bad << r.body.toStdString();
        EXPECT_EQ(errorType(r), QStringLiteral("invalid_request")) << bad;
    }
    // Garbage on the wire does not take the server down.
    static constexpr char kGarbage[] = "\x16\x03\x01\x02\x00 not http at all\r\n\r\n"; // a TLS hello's start, a NUL
    HttpTestClient::sendRaw(QStringLiteral("127.0.0.1"), quint16(admin->url().port()),
                            QByteArray(kGarbage, sizeof kGarbage - 1), 2000);
    HttpTestClient::sendRaw(QStringLiteral("127.0.0.1"), quint16(admin->url().port()),
                            QByteArray("GET /admin/v1/status HTTP/1.1\r\nHost"), 500);
    EXPECT_EQ(get(QStringLiteral("/admin/v1/status")).status, 200);
}

TEST_F(AdminServerTest, PauseAndResumeReachTheGateway)
{
    HttpResult r = get(QStringLiteral("/admin/v1/pause"), "POST");
    ASSERT_EQ(r.status, 200);
    EXPECT_TRUE(r.json().value(u"paused").toBool());
    ASSERT_TRUE(waitFor([&] { return tarn.gateway().isPaused(); }));
    EXPECT_TRUE(get(QStringLiteral("/admin/v1/status")).json().value(u"paused").toBool());
    r = get(QStringLiteral("/admin/v1/resume"), "POST");
    ASSERT_EQ(r.status, 200);
    EXPECT_FALSE(r.json().value(u"paused").toBool(true));
    ASSERT_TRUE(waitFor([&] { return !tarn.gateway().isPaused(); }));
    // Serving again.
    EXPECT_EQ(client.request("GET", tarn.url(QStringLiteral("/v1/models"))).status, 200);
}

TEST_F(AdminServerTest, APortInUseIsAnErrorAndStopFreesIt)
{
    const quint16 port = quint16(admin->url().port());
    AdminServer second(tarn.gateway());
    const Status clash = second.start(port);
    ASSERT_FALSE(clash.ok());
    EXPECT_TRUE(clash.error().message.contains(QString::number(port))) << clash.error().message.toStdString();
    EXPECT_TRUE(second.url().isEmpty());

    admin->stop();
    EXPECT_TRUE(admin->url().isEmpty());
    const Status again = second.start(port);
    ASSERT_TRUE(again.ok()) << again.error().message.toStdString();
    EXPECT_EQ(second.url().port(), int(port));
}

TEST(AdminServerPort, DefaultsToTheGatewaysPortPlusOne)
{
    EXPECT_EQ(AdminServer::defaultPort({QUrl(QStringLiteral("http://127.0.0.1:8276"))}, false), 8277);
    EXPECT_EQ(AdminServer::defaultPort({QUrl(QStringLiteral("http://127.0.0.1:8276"))}, true), 0);
    EXPECT_EQ(AdminServer::defaultPort({}, false), 0);
    EXPECT_EQ(AdminServer::defaultPort({QUrl(QStringLiteral("http://127.0.0.1:65535"))}, false), 0);
}

} // namespace
