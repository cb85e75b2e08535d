// SPDX-License-Identifier: GPL-3.0-or-later
// Client key limits end to end: a real Tarn on 127.0.0.1:0 in front of the mock upstream, spoken
// to in each client format; and the salted hash a pre-salting key is upgraded to on first use.
#include "gateway/auth/ClientKeyLimiter.h"
#include "gateway/storage/ClientKeyRepository.h"
#include "tests/integration/GatewayHarness.h"
#include "tests/support/HttpTestClient.h"
#include "tests/support/MockUpstream.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include <gtest/gtest.h>

using namespace tarn::test;
using namespace tarn::gateway;

namespace {

HttpHeaders bearer(const QString &key)
{
    return {{"Authorization", "Bearer " + key.toUtf8()}};
}

// One client format: where it posts, what it sends, how it presents its key, how its 429 reads.
struct ClientFormat
{
    const char *name;
    QString path;
    QByteArray body;
    HttpHeaders (*auth)(const QString &key);
};

QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QList<ClientFormat> formats()
{
    const QJsonArray anthropicMessages{QJsonObject{{QStringLiteral("role"), QStringLiteral("user")},
                                                   {QStringLiteral("content"), QStringLiteral("Say hello")}}};
    return {
        {"openai", QStringLiteral("/v1/chat/completions"), chatBody(QStringLiteral("gpt-x")), bearer},
        {"anthropic", QStringLiteral("/v1/messages"),
         compact({{QStringLiteral("model"), QStringLiteral("gpt-x")},
                  {QStringLiteral("max_tokens"), 64},
                  {QStringLiteral("messages"), anthropicMessages}}),
         [](const QString &key) { return HttpHeaders{{"x-api-key", key.toUtf8()}, {"anthropic-version", "2023-06-01"}}; }},
        {"gemini", QStringLiteral("/v1beta/models/gpt-x:generateContent"),
         compact({{QStringLiteral("contents"),
                   QJsonArray{QJsonObject{{QStringLiteral("role"), QStringLiteral("user")},
                                          {QStringLiteral("parts"), QJsonArray{QJsonObject{{QStringLiteral("text"), QStringLiteral("Say hello")}}}}}}}}),
         [](const QString &key) { return HttpHeaders{{"x-goog-api-key", key.toUtf8()}}; }},
        {"responses", QStringLiteral("/v1/responses"),
         compact({{QStringLiteral("model"), QStringLiteral("gpt-x")}, {QStringLiteral("input"), QStringLiteral("Say hello")}}),
         bearer},
    };
}

// The error's kind in the format's own words, and its message.
std::pair<QString, QString> errorOf(const ClientFormat &format, const HttpResult &result)
{
    const QJsonObject root = result.json();
    const QJsonObject error = root.value(u"error").toObject();
    const QString message = error.value(u"message").toString();
    if (QByteArrayView(format.name) == "anthropic") {
        EXPECT_EQ(root.value(u"type").toString(), QStringLiteral("error"));
        return {error.value(u"type").toString(), message};
    }
    if (QByteArrayView(format.name) == "gemini") {
        EXPECT_EQ(error.value(u"code").toInt(), 429);
        return {error.value(u"status").toString(), message};
    }
    EXPECT_EQ(error.value(u"code").toString(), QStringLiteral("rate_limit_exceeded"));
    return {error.value(u"type").toString(), message};
}

QString expectedKind(const ClientFormat &format)
{
    if (QByteArrayView(format.name) == "gemini")
        return QStringLiteral("RESOURCE_EXHAUSTED");
    return QStringLiteral("rate_limit_error");
}

class KeyLimitsTest : public ::testing::Test
{
protected:
    void SetUp() override { m_tarn.addChannel(QStringLiteral("main"), m_mock.baseUrl(), {QStringLiteral("gpt-x")}); }

    QString createLimitedKey(const QString &name, const ClientKeyLimits &limits)
    {
        const QString key = m_tarn.createKey(name);
        EXPECT_TRUE(ClientKeyRepository(m_tarn.database()).setLimits(name, limits).ok());
        return key;
    }
    qint64 keyId(const QString &name) { return ClientKeyRepository(m_tarn.database()).findByName(name)->id; }
    HttpResult send(const ClientFormat &format, const QString &key, const QByteArray &body = {})
    {
        return m_client.request("POST", m_tarn.url(format.path), body.isNull() ? format.body : body, format.auth(key));
    }
    // Tokens are counted when a request's usage row is handed to the writer, which may come just
    // after the client has its answer.
    bool waitForTokens(qint64 id, qint64 atLeast)
    {
        return QTest::qWaitFor([&] { return m_tarn.gateway().keyLimiter().spent(id).dayTokens >= atLeast; }, 5000);
    }

    MockUpstream m_mock;
    GatewayHarness m_tarn;
    HttpTestClient m_client;
};

TEST_F(KeyLimitsTest, RequestsPerMinuteRefuseTheThirdInEveryClientFormat)
{
    const QList<ClientFormat> all = formats();
    QStringList keys;
    for (const ClientFormat &format : all)
        keys << createLimitedKey(QStringLiteral("rpm-%1").arg(QLatin1StringView(format.name)), {0, 0, 2});
    const QString free = m_tarn.createKey(QStringLiteral("free"));
    ASSERT_TRUE(m_tarn.start());

    for (qsizetype i = 0; i < all.size(); ++i) {
        const ClientFormat &format = all[i];
        SCOPED_TRACE(format.name);
        EXPECT_EQ(send(format, keys[i]).status, 200);
        EXPECT_EQ(send(format, keys[i]).status, 200);
        const HttpResult refused = send(format, keys[i]);
        ASSERT_EQ(refused.status, 429) << refused.body.toStdString();
        bool isNumber = false;
        const int retryAfter = refused.header("retry-after").toInt(&isNumber);
        EXPECT_TRUE(isNumber) << refused.header("retry-after").toStdString();
        EXPECT_GE(retryAfter, 1);
        EXPECT_LE(retryAfter, 60);
        EXPECT_TRUE(refused.header("content-type").startsWith("application/json"));
        const auto [kind, message] = errorOf(format, refused);
        EXPECT_EQ(kind, expectedKind(format)) << refused.body.toStdString();
        EXPECT_TRUE(message.contains(QStringLiteral("'rpm-%1'").arg(QLatin1StringView(format.name)))) << message.toStdString();
        EXPECT_TRUE(message.contains(u"2 requests per minute")) << message.toStdString();
        // Another key is not held back by this one's limit.
        EXPECT_EQ(send(format, free).status, 200);
    }
    EXPECT_EQ(m_mock.requestCount(), 3 * all.size()) << "refused requests never reach a channel";

    // Each refusal is a usage row of its key, as a 401 is one of no key.
    const auto rows = m_tarn.usageRows();
    ASSERT_EQ(rows.size(), 4 * all.size());
    qsizetype refusals = 0;
    for (const UsageRecord &row : rows) {
        if (row.status != 429)
            continue;
        ++refusals;
        EXPECT_GT(row.clientKeyId, 0);
        EXPECT_EQ(row.channelId, 0);
        EXPECT_TRUE(row.error.contains(u"requests per minute")) << row.error.toStdString();
    }
    EXPECT_EQ(refusals, all.size());
    // The last address is kept beside the last time.
    const ClientKey used = *ClientKeyRepository(m_tarn.database()).findByName(QStringLiteral("free"));
    EXPECT_EQ(used.lastUsedAddress, QStringLiteral("127.0.0.1"));
    EXPECT_TRUE(used.lastUsedAt.isValid());
}

TEST_F(KeyLimitsTest, TokensPerDayLetTheCrossingRequestFinishAndRefuseTheNext)
{
    // One request of the mock costs more than 5 tokens (prompt >= 7, completion 5).
    const QString limited = createLimitedKey(QStringLiteral("small"), {5, 0, 0});
    const QString other = m_tarn.createKey(QStringLiteral("other"));
    ASSERT_TRUE(m_tarn.start());
    const ClientFormat openAi = formats().first();
    EXPECT_EQ(send(openAi, limited).status, 200);
    ASSERT_TRUE(waitForTokens(keyId(QStringLiteral("small")), 6));
    const HttpResult refused = send(openAi, limited);
    ASSERT_EQ(refused.status, 429) << refused.body.toStdString();
    const qint64 retryAfter = refused.header("retry-after").toLongLong();
    EXPECT_GE(retryAfter, 1);
    EXPECT_LE(retryAfter, 25 * 3600) << "until the next local day";
    const auto [kind, message] = errorOf(openAi, refused);
    EXPECT_EQ(kind, QStringLiteral("rate_limit_error"));
    EXPECT_TRUE(message.contains(u"'small'")) << message.toStdString();
    EXPECT_TRUE(message.contains(u"5 tokens per day")) << message.toStdString();
    EXPECT_EQ(send(openAi, other).status, 200);
    // Raising the limit while Tarn runs applies at the next configuration reload.
    ASSERT_TRUE(ClientKeyRepository(m_tarn.database()).setLimits(QStringLiteral("small"), {1'000'000, 0, 0}).ok());
    m_tarn.reloadConfig();
    EXPECT_EQ(send(openAi, limited).status, 200);
}

TEST_F(KeyLimitsTest, SpentTokensSurviveARestart)
{
    const QString daily = createLimitedKey(QStringLiteral("daily"), {0, 0, 0});
    const QString monthly = createLimitedKey(QStringLiteral("monthly"), {0, 0, 0});
    const QString other = m_tarn.createKey(QStringLiteral("other"));
    ASSERT_TRUE(m_tarn.start());
    const ClientFormat anthropic = formats().at(1);
    EXPECT_EQ(send(anthropic, daily).status, 200);
    EXPECT_EQ(send(anthropic, monthly).status, 200);
    const auto rows = m_tarn.usageRows();
    ASSERT_EQ(rows.size(), 2);
    const qint64 spent = rows[0].promptTokens + rows[0].completionTokens;
    ASSERT_GT(spent, 0);
    m_tarn.stop();

    // Limits at what was spent, set while Tarn was down: only the stored usage can tell.
    ClientKeyRepository keys(m_tarn.database());
    ASSERT_TRUE(keys.setLimits(QStringLiteral("daily"), {spent, 0, 0}).ok());
    ASSERT_TRUE(keys.setLimits(QStringLiteral("monthly"), {0, rows[1].promptTokens + rows[1].completionTokens, 0}).ok());
    ASSERT_TRUE(m_tarn.start());
    EXPECT_EQ(m_tarn.gateway().keyLimiter().spent(keyId(QStringLiteral("daily"))).dayTokens, spent);
    const HttpResult day = send(anthropic, daily);
    ASSERT_EQ(day.status, 429) << day.body.toStdString();
    EXPECT_EQ(errorOf(anthropic, day).first, QStringLiteral("rate_limit_error"));
    EXPECT_TRUE(errorOf(anthropic, day).second.contains(u"tokens per day"));
    const HttpResult month = send(anthropic, monthly);
    ASSERT_EQ(month.status, 429) << month.body.toStdString();
    EXPECT_TRUE(errorOf(anthropic, month).second.contains(u"tokens per month"));
    EXPECT_LE(month.header("retry-after").toLongLong(), 32LL * 24 * 3600);
    EXPECT_EQ(send(anthropic, other).status, 200);
}

TEST_F(KeyLimitsTest, HostileBodiesFromALimitedKeyGetTheirFormatsAnswer)
{
    const QList<ClientFormat> all = formats();
    QStringList keys;
    for (const ClientFormat &format : all)
        keys << createLimitedKey(QStringLiteral("hostile-%1").arg(QLatin1StringView(format.name)), {0, 0, 1});
    ASSERT_TRUE(m_tarn.start());
    for (qsizetype i = 0; i < all.size(); ++i) {
        const ClientFormat &format = all[i];
        SCOPED_TRACE(format.name);
        // Garbage is a request too: it is answered (400, in the format) and takes the minute's place.
        const HttpResult garbage = send(format, keys[i], QByteArrayLiteral("\x01{{{ not json \xff"));
        EXPECT_EQ(garbage.status, 400) << garbage.body.toStdString();
        EXPECT_FALSE(garbage.json().value(u"error").toObject().value(u"message").toString().isEmpty()) << garbage.body.toStdString();
        // A body with duplicate keys and one of garbage, over the limit: refused before it is read,
        // in the path's format whatever the body says.
        QByteArray duplicate = format.body;
        duplicate.insert(1, "\"model\":\"other\",\"model\":\"gpt-x\",");
        for (const QByteArray &body : {duplicate, QByteArrayLiteral("]]]"), QByteArray(100'000, 'x')}) {
            const HttpResult refused = send(format, keys[i], body);
            ASSERT_EQ(refused.status, 429) << refused.body.toStdString();
            EXPECT_FALSE(refused.header("retry-after").isEmpty());
            EXPECT_EQ(errorOf(format, refused).first, expectedKind(format)) << refused.body.toStdString();
        }
    }
    EXPECT_EQ(m_mock.requestCount(), 0);
}

TEST_F(KeyLimitsTest, APreSaltingKeyIsUpgradedOnFirstUseAndKeepsWorking)
{
    // A key as an older Tarn stored it: the plain SHA-256.
    ClientKey legacy;
    legacy.name = QStringLiteral("old");
    legacy.hash = ClientKeyRepository::hashKey("tarn-an-old-key-from-before");
    legacy.prefix = QStringLiteral("tarn-an-o");
    ASSERT_TRUE(ClientKeyRepository(m_tarn.database()).importKey(legacy).ok());
    ASSERT_TRUE(m_tarn.start());
    const ClientFormat openAi = formats().first();
    EXPECT_EQ(send(openAi, QStringLiteral("tarn-an-old-key-from-before")).status, 200);
    m_tarn.usageRows(); // the writer has run its batch, hash upgrade included
    ClientKeyRepository keys(m_tarn.database());
    const ClientKey upgraded = *keys.findByName(QStringLiteral("old"));
    EXPECT_EQ(upgraded.hashScheme, KeyHashScheme::HmacSha256);
    EXPECT_EQ(upgraded.hash, *keys.saltedHash("tarn-an-old-key-from-before"));
    m_tarn.reloadConfig();
    EXPECT_EQ(send(openAi, QStringLiteral("tarn-an-old-key-from-before")).status, 200);
    EXPECT_EQ(send(openAi, QStringLiteral("tarn-an-old-key-from-beforX")).status, 401);
}

} // namespace
