// SPDX-License-Identifier: GPL-3.0-or-later
// /health and /v1/models over real HTTP on port 0, and the request routing basics.
#include "tests/integration/GatewayHarness.h"
#include "tests/support/HttpTestClient.h"
#include "tests/support/MockUpstream.h"

#include "gateway/Gateway.h"
#include "gateway/config/ConfigStore.h"
#include "gateway/routing/RouterUpkeep.h"
#include "gateway/core/Paths.h"
#include "gateway/core/SettingKeys.h"
#include "gateway/storage/Database.h"
#include "gateway/storage/SettingsRepository.h"
#include "tests/support/FakeTailscale.h"
#include "tests/support/TempDataDir.h"

#include <QHostAddress>
#include <QJsonArray>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QThread>

#include <gtest/gtest.h>

using namespace tarn::test;

TEST(GatewayBasics, HealthAnswersOk)
{
    GatewayHarness tarn;
    ASSERT_TRUE(tarn.start());
    HttpTestClient client;
    const HttpResult r = client.request("GET", tarn.url(QStringLiteral("/health")));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, QByteArray(R"({"status":"ok"})"));
    EXPECT_EQ(r.header("content-type"), QByteArray("application/json"));
}

TEST(GatewayBasics, ModelsListsEnabledChannelsModelsAndAliases)
{
    GatewayHarness tarn;
    tarn.addChannel(QStringLiteral("zhipu"), QStringLiteral("http://127.0.0.1:1/v1"), {QStringLiteral("glm-5")}, 0,
                    {{QStringLiteral("fast"), QStringLiteral("glm-5")}});
    tarn.addChannel(QStringLiteral("deepseek"), QStringLiteral("http://127.0.0.1:1/v1"), {QStringLiteral("deepseek-chat")});
    tarn.addChannel(QStringLiteral("off"), QStringLiteral("http://127.0.0.1:1/v1"), {QStringLiteral("hidden-model")});
    tarn.setChannelEnabled(QStringLiteral("off"), false);
    ASSERT_TRUE(tarn.start());
    HttpTestClient client;
    const HttpResult r = client.request("GET", tarn.url(QStringLiteral("/v1/models")));
    ASSERT_EQ(r.status, 200);
    const QJsonObject list = r.json();
    EXPECT_EQ(list.value(u"object").toString(), QStringLiteral("list"));
    QStringList ids;
    for (const QJsonValue &v : list.value(u"data").toArray()) {
        EXPECT_EQ(v.toObject().value(u"object").toString(), QStringLiteral("model"));
        ids.append(v.toObject().value(u"id").toString());
    }
    EXPECT_EQ(ids, (QStringList{QStringLiteral("deepseek-chat"), QStringLiteral("fast"), QStringLiteral("glm-5")}));
}

TEST(GatewayBasics, UnknownEndpointAndWrongMethodAnswerInOpenAiShape)
{
    GatewayHarness tarn;
    ASSERT_TRUE(tarn.start());
    HttpTestClient client;
    const HttpResult unknown = client.request("GET", tarn.url(QStringLiteral("/v1/nothing")));
    EXPECT_EQ(unknown.status, 404);
    EXPECT_FALSE(unknown.json().value(u"error").toObject().value(u"message").toString().isEmpty());
    const HttpResult wrongMethod = client.request("GET", tarn.url(QStringLiteral("/v1/chat/completions")));
    EXPECT_EQ(wrongMethod.status, 405);
    EXPECT_EQ(wrongMethod.header("allow"), QByteArray("POST"));
}

TEST(GatewayBasics, UnknownModelIs404AndListsNothingSecret)
{
    MockUpstream mock;
    GatewayHarness tarn;
    tarn.addChannel(QStringLiteral("secret-channel"), mock.baseUrl(), {QStringLiteral("gpt-x")});
    ASSERT_TRUE(tarn.start());
    HttpTestClient client;
    const HttpResult r = client.request("POST", tarn.url(QStringLiteral("/v1/chat/completions")),
                                        chatBody(QStringLiteral("no-such-model")));
    EXPECT_EQ(r.status, 404);
    const QJsonObject error = r.json().value(u"error").toObject();
    EXPECT_EQ(error.value(u"code").toString(), QStringLiteral("model_not_found"));
    EXPECT_EQ(error.value(u"type").toString(), QStringLiteral("invalid_request_error"));
    EXPECT_FALSE(r.body.contains("sk-secret-channel"));
    EXPECT_FALSE(r.body.contains(mock.baseUrl().toUtf8()));
    EXPECT_EQ(mock.requestCount(), 0);
    const auto rows = tarn.usageRows();
    ASSERT_EQ(rows.size(), 1);
    EXPECT_EQ(rows[0].status, 404);
    EXPECT_EQ(rows[0].requestedModel, QStringLiteral("no-such-model"));
}

TEST(GatewayBasics, MalformedJsonIs400)
{
    GatewayHarness tarn;
    ASSERT_TRUE(tarn.start());
    HttpTestClient client;
    for (const QByteArray &body : {QByteArray("{\"model\":"), QByteArray("[1,2]"), QByteArray("{\"messages\":[]}"),
                                   QByteArray("")}) {
        const HttpResult r = client.request("POST", tarn.url(QStringLiteral("/v1/chat/completions")), body,
                                            {{"Content-Type", "application/json"}});
        EXPECT_EQ(r.status, 400) << body.constData();
        EXPECT_EQ(r.json().value(u"error").toObject().value(u"type").toString(), QStringLiteral("invalid_request_error"));
    }
}

// Started without --listen, Tarn listens where Settings saved (the desktop's listen field).
TEST(GatewayBasics, WithoutListenAddressesItUsesTheSavedOnes)
{
    using namespace tarn::gateway;
    TempDataDir dir;
    {
        auto db = Database::open(databasePath(dir.path()), QStringLiteral("saved-listen"));
        ASSERT_TRUE(db.ok());
        ASSERT_TRUE(SettingsRepository(**db).setValue(QString::fromLatin1(SettingKeys::Listen),
                                                      QStringLiteral("127.0.0.1:0")).ok());
    }
    GatewayOptions options;
    options.dataDir = dir.path();
    Gateway gateway(options);
    ASSERT_TRUE(gateway.start().ok());
    ASSERT_EQ(gateway.urls().size(), 1);
    const QUrl url = gateway.urls().first();
    EXPECT_EQ(url.host(), QStringLiteral("127.0.0.1"));
    EXPECT_NE(url.port(), 8276);
    EXPECT_GT(url.port(), 0);
    HttpTestClient client;
    EXPECT_EQ(client.request("GET", url.toString() + QStringLiteral("/health")).status, 200);
    gateway.stop(1000);
}

// In Tailscale mode the gateway asks the tailscale CLI about this node (its MagicDNS name for the
// tray and the Connect window), and says nothing of it in another mode.
TEST(GatewayBasics, TailscaleModeKnowsTheNodesName)
{
    using namespace tarn::gateway;
    tarn::test::FakeTailscale cli;
    cli.put(QStringLiteral("status.json"), R"({"BackendState":"Running","Self":{"DNSName":"gateway.tail1234.ts.net.","Online":true}})");
    TempDataDir dir;
    GatewayOptions options;
    options.dataDir = dir.path();
    options.listen = {{QStringLiteral("127.0.0.1"), 0}};
    options.interfaces = [] { return QList<InterfaceAddress>{{QStringLiteral("lo"), QHostAddress(QHostAddress::LocalHost), true}}; };
    Gateway gateway(options);
    ASSERT_TRUE(gateway.start().ok());
    EXPECT_FALSE(gateway.tailnetNode().has_value());
    QSignalSpy changed(&gateway, &Gateway::tailnetNodeChanged);
    ASSERT_TRUE(gateway.setExposeMode(ExposeMode::Tailscale, 0).ok());
    ASSERT_TRUE(QTest::qWaitFor([&] { return gateway.tailnetNode().has_value(); }, 20'000));
    EXPECT_EQ(gateway.tailnetNode()->dnsName, QStringLiteral("gateway.tail1234.ts.net"));
    EXPECT_TRUE(gateway.tailnetNode()->online);
    EXPECT_GE(changed.size(), 1);
    EXPECT_TRUE(cli.calls().contains(QStringLiteral("status --json")));
    ASSERT_TRUE(gateway.setExposeMode(ExposeMode::Loopback, 0).ok());
    EXPECT_FALSE(gateway.tailnetNode().has_value());
    gateway.stop(1000);
}

// The exposure chosen in Settings: applied live (and back to explicit addresses), and used at the
// next start when the command line names neither --listen nor --expose.
TEST(GatewayBasics, TheExposureSwitchesLiveAndIsUsedAtTheNextStart)
{
    using namespace tarn::gateway;
    TempDataDir dir;
    QList<InterfaceAddress> interfaces{{QStringLiteral("lo"), QHostAddress(QHostAddress::LocalHost), true}};
    GatewayOptions options;
    options.dataDir = dir.path();
    options.listen = {{QStringLiteral("127.0.0.1"), 0}};
    options.interfaces = [&interfaces] { return interfaces; };
    options.exposeWatchMs = 50;
    Gateway gateway(options);
    ASSERT_TRUE(gateway.start().ok());
    EXPECT_FALSE(gateway.exposeMode().has_value());
    HttpTestClient client;
    const auto healthAt = [&client](quint16 port) {
        return client.request("GET", QStringLiteral("http://127.0.0.1:%1/health").arg(port)).status;
    };

    QTcpServer probe; // a free port to ask for
    ASSERT_TRUE(probe.listen(QHostAddress::LocalHost, 0));
    const quint16 port = probe.serverPort();
    probe.close();
    Result<QList<QUrl>> bound = gateway.setExposeMode(ExposeMode::Loopback, port);
    ASSERT_TRUE(bound.ok()) << bound.error().message.toStdString();
    EXPECT_EQ(gateway.exposeMode(), ExposeMode::Loopback);
    EXPECT_EQ(gateway.urls(), (QList<QUrl>{QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port))}));
    EXPECT_EQ(healthAt(port), 200);

    // Tailscale mode with a tailnet address that cannot be bound yet: loopback now, no failure.
    interfaces.append({QStringLiteral("tailscale0"), QHostAddress(QStringLiteral("100.100.1.100")), true});
    bound = gateway.setExposeMode(ExposeMode::Tailscale, port);
    ASSERT_TRUE(bound.ok()) << bound.error().message.toStdString();
    EXPECT_EQ(gateway.exposeMode(), ExposeMode::Tailscale);
    EXPECT_EQ(gateway.urls(), (QList<QUrl>{QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port))}));
    client.close();
    EXPECT_EQ(healthAt(port), 200);

    // Back to explicit addresses.
    ASSERT_TRUE(gateway.setExposeMode(std::nullopt, port).ok());
    bound = gateway.setListenAddresses({{QStringLiteral("127.0.0.1"), 0}});
    ASSERT_TRUE(bound.ok());
    EXPECT_FALSE(gateway.exposeMode().has_value());
    EXPECT_NE(gateway.urls().first().port(), int(port));
    gateway.stop(1000);

    // Saved as Settings saves it: the next start without --listen serves the exposure on its port.
    {
        auto db = Database::open(databasePath(dir.path()), QStringLiteral("saved-expose"));
        ASSERT_TRUE(db.ok());
        SettingsRepository settings(**db);
        ASSERT_TRUE(settings.setValue(QString::fromLatin1(SettingKeys::Expose), QStringLiteral("loopback")).ok());
        ASSERT_TRUE(settings.setValue(QString::fromLatin1(SettingKeys::Listen),
                                      QStringLiteral("127.0.0.1:%1").arg(port)).ok());
    }
    GatewayOptions next;
    next.dataDir = dir.path();
    next.interfaces = [&interfaces] { return interfaces; };
    Gateway again(next);
    ASSERT_TRUE(again.start().ok());
    EXPECT_EQ(again.exposeMode(), ExposeMode::Loopback);
    EXPECT_EQ(again.urls(), (QList<QUrl>{QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port))}));
    client.close();
    EXPECT_EQ(healthAt(port), 200);
    again.stop(1000);
}

namespace {

// A port nothing listens on right now (the kernel's pick, released at once).
quint16 freePort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    return probe.serverPort();
}

bool accepts(quint16 port)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    return socket.waitForConnected(3000);
}

} // namespace

// Settings changes the addresses while clients are connected: the new one answers at once, the
// old one refuses new connections, and a keep-alive connection opened before carries on.
TEST(GatewayBasics, ListenAddressesChangeWithoutARestart)
{
    GatewayHarness tarn;
    ASSERT_TRUE(tarn.start());
    const quint16 before = tarn.port();
    const QString oldHealth = tarn.url(QStringLiteral("/health"));
    HttpTestClient keptAlive;
    ASSERT_EQ(keptAlive.request("GET", oldHealth).status, 200);

    const quint16 after = freePort();
    ASSERT_NE(after, 0);
    QSignalSpy changed(&tarn.gateway(), &tarn::gateway::Gateway::listeningChanged);
    const auto urls = tarn.gateway().setListenAddresses({{QStringLiteral("127.0.0.1"), after}});
    ASSERT_TRUE(urls) << qPrintable(urls.error().message);
    EXPECT_EQ(*urls, QList<QUrl>{QUrl(QStringLiteral("http://127.0.0.1:%1").arg(after))});
    EXPECT_EQ(tarn.gateway().urls(), *urls);
    EXPECT_EQ(changed.count(), 1);

    HttpTestClient fresh;
    EXPECT_EQ(fresh.request("GET", QStringLiteral("http://127.0.0.1:%1/health").arg(after)).status, 200);
    EXPECT_FALSE(accepts(before));
    EXPECT_EQ(keptAlive.request("GET", oldHealth).status, 200);
    EXPECT_EQ(keptAlive.connectionsOpened(), 1);

    // The same list again changes nothing.
    ASSERT_TRUE(tarn.gateway().setListenAddresses({{QStringLiteral("127.0.0.1"), after}}));
    EXPECT_EQ(changed.count(), 1);
}

// All or nothing: when one address cannot be bound, Tarn keeps listening where it did.
TEST(GatewayBasics, ListenChangeThatCannotBindChangesNothing)
{
    GatewayHarness tarn;
    ASSERT_TRUE(tarn.start());
    const QList<QUrl> before = tarn.gateway().urls();
    QTcpServer squatter;
    ASSERT_TRUE(squatter.listen(QHostAddress::LocalHost, 0));
    const quint16 taken = squatter.serverPort();
    QSignalSpy changed(&tarn.gateway(), &tarn::gateway::Gateway::listeningChanged);

    const auto refused = tarn.gateway().setListenAddresses(
        {{QStringLiteral("127.0.0.1"), freePort()}, {QStringLiteral("127.0.0.1"), taken}});
    ASSERT_FALSE(refused);
    EXPECT_TRUE(refused.error().message.contains(QString::number(taken))) << qPrintable(refused.error().message);
    EXPECT_EQ(tarn.gateway().urls(), before);
    EXPECT_EQ(changed.count(), 0);
    HttpTestClient client;
    EXPECT_EQ(client.request("GET", tarn.url(QStringLiteral("/health"))).status, 200);

    const auto notAnAddress = tarn.gateway().setListenAddresses({{QStringLiteral("not-an-ip"), 8276}});
    ASSERT_FALSE(notAnAddress);
    EXPECT_EQ(tarn.gateway().urls(), before);
    EXPECT_FALSE(tarn.gateway().setListenAddresses({}));
    EXPECT_EQ(tarn.gateway().urls(), before);
}

// The configuration poll, the router's upkeep (which writes) and retention run on the gateway's
// control thread, never on the thread that owns the gateway (the GUI thread in the desktop app, where
// a write waiting for the database's lock froze the window). Reloads asked from here still work, and
// configurationChanged arrives on the owner's thread.
TEST(GatewayBasics, ControlPlaneRunsOffTheOwningThread)
{
    GatewayHarness tarn;
    ASSERT_TRUE(tarn.start());
    tarn::gateway::Gateway &gateway = tarn.gateway();
    EXPECT_NE(gateway.config().thread(), QThread::currentThread());
    EXPECT_NE(gateway.config().thread(), gateway.thread());
    EXPECT_EQ(gateway.routerUpkeep().thread(), gateway.config().thread());

    QThread *deliveredOn = nullptr;
    QObject::connect(&gateway, &tarn::gateway::Gateway::configurationChanged, &gateway,
                     [&deliveredOn] { deliveredOn = QThread::currentThread(); });
    tarn.setSetting(QString::fromLatin1(tarn::gateway::SettingKeys::MaxAttempts), QStringLiteral("2"));
    ASSERT_TRUE(gateway.config().reload());
    EXPECT_EQ(gateway.config().snapshot()->routing.maxAttempts, 2);
    ASSERT_TRUE(QTest::qWaitFor([&] { return deliveredOn != nullptr; }, 10'000));
    EXPECT_EQ(deliveredOn, QThread::currentThread());
}
