// SPDX-License-Identifier: GPL-3.0-or-later
// What the connect window and `tarn connect` hand to clients Tarn does not configure: snippets that
// carry the URL and key, and the phone's QR payload.
#include "gateway/connect/ConnectSetup.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <gtest/gtest.h>

using namespace tarn::gateway::connect;

namespace {

TEST(ConnectSetup, OtherClientsGetTheBaseUrlAndTheKey)
{
    const QString root = QStringLiteral("http://100.100.1.100:8276");
    const QString key = QStringLiteral("tarn-abcdefghijklmnop");
    const QList<ClientSnippet> snippets = otherClientSnippets(root, key);
    QStringList ids;
    for (const ClientSnippet &s : snippets) {
        ids.append(s.id);
        EXPECT_FALSE(s.name.isEmpty());
        EXPECT_TRUE(s.text.contains(root)) << s.id.toStdString();
        EXPECT_TRUE(s.text.contains(key)) << s.id.toStdString();
    }
    EXPECT_EQ(ids, (QStringList{QStringLiteral("cline"), QStringLiteral("cherry-studio"), QStringLiteral("cursor"),
                                QStringLiteral("curl")}));
    // OpenAI-compatible clients take the /v1 base; curl posts to chat completions with the key.
    EXPECT_TRUE(snippets[0].text.contains(root + QStringLiteral("/v1")));
    EXPECT_TRUE(snippets[3].text.contains(root + QStringLiteral("/v1/chat/completions")));
    EXPECT_TRUE(snippets[3].text.contains(QStringLiteral("Authorization: Bearer ") + key));

    // Without a key (loopback) curl sends none and the others say one is needed.
    const QList<ClientSnippet> keyless = otherClientSnippets(QStringLiteral("http://127.0.0.1:8276"), {});
    EXPECT_FALSE(keyless[3].text.contains(QStringLiteral("Authorization")));
    EXPECT_TRUE(keyless[0].text.contains(QStringLiteral("client key")));
}

TEST(ConnectSetup, TheQrPayloadIsJsonWithTheBaseUrlAndKey)
{
    const QByteArray payload = connectionQrPayload(QStringLiteral("http://100.100.1.100:8276"), QStringLiteral("tarn-xyz\"q"));
    QJsonParseError error;
    const QJsonObject object = QJsonDocument::fromJson(payload, &error).object();
    ASSERT_EQ(error.error, QJsonParseError::NoError) << payload.toStdString();
    EXPECT_EQ(object.value(u"base_url").toString(), QStringLiteral("http://100.100.1.100:8276/v1"));
    EXPECT_EQ(object.value(u"api_key").toString(), QStringLiteral("tarn-xyz\"q"));
    EXPECT_EQ(object.size(), 2);
    EXPECT_FALSE(payload.contains('\n'));
}

} // namespace
