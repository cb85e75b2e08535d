// SPDX-License-Identifier: GPL-3.0-or-later
// Client keys: loopback may go without one (setting), anything else must present a valid one.
#include "gateway/auth/ClientAuthenticator.h"
#include "gateway/config/RuntimeConfig.h"
#include "gateway/storage/ClientKeyRepository.h"
#include "tests/integration/GatewayHarness.h"
#include "tests/support/HttpTestClient.h"
#include "tests/support/MockUpstream.h"

#include <QJsonArray>

#include <gtest/gtest.h>

using namespace tarn::test;
using namespace tarn::gateway;

namespace {
HttpHeaders bearer(const QString &key)
{
    return {{"Authorization", "Bearer " + key.toUtf8()}};
}
} // namespace

TEST(Auth, LoopbackWithoutKeyIsAllowedByDefaultButABadKeyIsNot)
{
    MockUpstream mock;
    GatewayHarness tarn;
    tarn.addChannel(QStringLiteral("main"), mock.baseUrl(), {QStringLiteral("gpt-x")});
    ASSERT_TRUE(tarn.start());
    HttpTestClient client;
    EXPECT_EQ(client.request("POST", tarn.url(QStringLiteral("/v1/chat/completions")), chatBody(QStringLiteral("gpt-x"))).status, 200);
    const HttpResult bad = client.request("POST", tarn.url(QStringLiteral("/v1/chat/completions")),
                                          chatBody(QStringLiteral("gpt-x")), bearer(QStringLiteral("tarn-not-a-key")));
    EXPECT_EQ(bad.status, 401);
    EXPECT_EQ(bad.json().value(u"error").toObject().value(u"type").toString(), QStringLiteral("authentication_error"));
    EXPECT_EQ(client.request("GET", tarn.url(QStringLiteral("/v1/models")), {}, bearer(QStringLiteral("tarn-nope"))).status, 401);
    EXPECT_EQ(mock.requestCount(), 1);
}

// A proxy on this machine (tailscale serve or funnel, nginx) connects from loopback for someone
// else: with a forwarding header the request needs a key like any remote one.
TEST(Auth, ProxiedLoopbackRequestsNeedAKey)
{
    MockUpstream mock;
    GatewayHarness tarn;
    tarn.addChannel(QStringLiteral("main"), mock.baseUrl(), {QStringLiteral("gpt-x")});
    const QString key = tarn.createKey(QStringLiteral("phone"));
    ASSERT_TRUE(tarn.start());
    HttpTestClient client;
    const QString url = tarn.url(QStringLiteral("/v1/chat/completions"));
    for (const HttpHeaders &proxied : QList<HttpHeaders>{{{"X-Forwarded-For", "100.100.1.2"}},
                                                         {{"x-forwarded-for", ""}},
                                                         {{"Forwarded", "for=203.0.113.7;proto=https"}},
                                                         {{"Tailscale-User-Login", "someone@example.com"}},
                                                         {{"Tailscale-Funnel-Request", "?1"}}}) {
        const HttpResult refused = client.request("POST", url, chatBody(QStringLiteral("gpt-x")), proxied);
        EXPECT_EQ(refused.status, 401) << proxied.first().first.toStdString();
        EXPECT_EQ(refused.json().value(u"error").toObject().value(u"type").toString(), QStringLiteral("authentication_error"));
        HttpHeaders withKey = proxied;
        withKey.append({"Authorization", "Bearer " + key.toUtf8()});
        EXPECT_EQ(client.request("POST", url, chatBody(QStringLiteral("gpt-x")), withKey).status, 200)
            << proxied.first().first.toStdString();
    }
    // A direct loopback caller still goes without one.
    EXPECT_EQ(client.request("POST", url, chatBody(QStringLiteral("gpt-x"))).status, 200);
}

TEST(Auth, KeysAreRequiredWhenLoopbackIsNotTrusted)
{
    MockUpstream mock;
    GatewayHarness tarn;
    tarn.addChannel(QStringLiteral("main"), mock.baseUrl(), {QStringLiteral("gpt-x"), QStringLiteral("gpt-y")});
    const QString key = tarn.createKey(QStringLiteral("laptop"));
    const QString limited = tarn.createKey(QStringLiteral("phone"), {QStringLiteral("gpt-y")});
    const QString expired = tarn.createKey(QStringLiteral("old"), {}, QDateTime::currentDateTimeUtc().addDays(-1));
    tarn.setSetting(QString::fromLatin1(SettingKeys::LoopbackWithoutKey), QStringLiteral("false"));
    ASSERT_TRUE(tarn.start());
    const QString url = tarn.url(QStringLiteral("/v1/chat/completions"));
    HttpTestClient client;
    EXPECT_EQ(client.request("POST", url, chatBody(QStringLiteral("gpt-x"))).status, 401);
    EXPECT_EQ(client.request("POST", url, chatBody(QStringLiteral("gpt-x")), bearer(key)).status, 200);
    EXPECT_EQ(client.request("POST", url, chatBody(QStringLiteral("gpt-x")), bearer(expired)).status, 401);
    // Anthropic clients send x-api-key.
    EXPECT_EQ(client.request("POST", url, chatBody(QStringLiteral("gpt-x")), {{"x-api-key", key.toUtf8()}}).status, 200);
    const HttpResult forbidden = client.request("POST", url, chatBody(QStringLiteral("gpt-x")), bearer(limited));
    EXPECT_EQ(forbidden.status, 403);
    EXPECT_EQ(forbidden.json().value(u"error").toObject().value(u"type").toString(), QStringLiteral("permission_error"));
    EXPECT_EQ(client.request("POST", url, chatBody(QStringLiteral("gpt-y")), bearer(limited)).status, 200);
    // The model list shows a limited key only what it may use.
    const HttpResult models = client.request("GET", tarn.url(QStringLiteral("/v1/models")), {}, bearer(limited));
    EXPECT_EQ(models.json().value(u"data").toArray().size(), 1);

    const auto rows = tarn.usageRows();
    ASSERT_EQ(rows.size(), 6);
    EXPECT_EQ(rows[0].status, 401);
    EXPECT_EQ(rows[0].clientKeyId, 0);
    EXPECT_GT(rows[1].clientKeyId, 0);
}

TEST(Auth, RevokedKeyStopsWorkingOnceTheConfigurationReloads)
{
    MockUpstream mock;
    GatewayHarness tarn;
    tarn.addChannel(QStringLiteral("main"), mock.baseUrl(), {QStringLiteral("gpt-x")});
    const QString key = tarn.createKey(QStringLiteral("laptop"));
    ASSERT_TRUE(tarn.start());
    HttpTestClient client;
    const QString url = tarn.url(QStringLiteral("/v1/chat/completions"));
    EXPECT_EQ(client.request("POST", url, chatBody(QStringLiteral("gpt-x")), bearer(key)).status, 200);
    auto db = Database::open(tarn.dataDir().dbPath(), QStringLiteral("revoker"));
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(ClientKeyRepository(**db).revoke(QStringLiteral("laptop")).ok());
    tarn.reloadConfig();
    EXPECT_EQ(client.request("POST", url, chatBody(QStringLiteral("gpt-x")), bearer(key)).status, 401);
}

TEST(Auth, NonLoopbackPeersAlwaysNeedAKey)
{
    // No traffic leaves 127.0.0.1 in tests: the decision itself is checked with a peer address.
    RuntimeConfig config;
    config.loopbackWithoutKey = true;
    HttpRequest request;
    request.peer = QHostAddress(QStringLiteral("100.101.102.103")); // a tailnet address
    const auto anonymous = authenticateClient(request, config);
    ASSERT_FALSE(anonymous.ok());
    EXPECT_EQ(anonymous.error().code, ErrorCode::Unauthenticated);

    ClientKey key;
    key.id = 7;
    key.name = QStringLiteral("tablet");
    key.hash = ClientKeyRepository::hashKey("tarn-abc");
    config.keysByHash.insert(key.hash, key);
    request.headers = {{"Authorization", "Bearer tarn-abc"}};
    const auto identified = authenticateClient(request, config);
    ASSERT_TRUE(identified.ok());
    EXPECT_EQ(identified->key->id, 7);

    request.peer = QHostAddress(QStringLiteral("::1"));
    request.headers.clear();
    EXPECT_TRUE(authenticateClient(request, config).ok());
}
