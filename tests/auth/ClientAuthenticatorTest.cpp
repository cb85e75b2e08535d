// SPDX-License-Identifier: GPL-3.0-or-later
// authenticateClient over a snapshot holding salted and not yet upgraded (plain SHA-256) keys.
#include "gateway/auth/ClientAuthenticator.h"

#include "tests/support/GTestQtPrinters.h"

#include <gtest/gtest.h>

using namespace tarn::gateway;

namespace {

const QByteArray kSalt(32, '\x5a');

ClientKey key(qint64 id, const QByteArray &plaintext, KeyHashScheme scheme)
{
    ClientKey k;
    k.id = id;
    k.name = QStringLiteral("k%1").arg(id);
    k.hashScheme = scheme;
    k.hash = hashClientKey(plaintext, scheme, kSalt);
    return k;
}

HttpRequest presenting(const QByteArray &plaintext)
{
    HttpRequest request;
    request.peer = QHostAddress(QStringLiteral("100.101.102.103"));
    request.headers = {{"Authorization", "Bearer " + plaintext}};
    return request;
}

RuntimeConfig config(std::initializer_list<ClientKey> keys, const QByteArray &salt = kSalt)
{
    RuntimeConfig c;
    c.keySalt = salt;
    for (const ClientKey &k : keys)
        c.keysByHash.insert(k.hash, k);
    return c;
}

TEST(ClientAuthenticator, SaltedKeyIsFoundWithoutAnUpgrade)
{
    const RuntimeConfig c = config({key(1, "tarn-salted", KeyHashScheme::HmacSha256)});
    const auto identity = authenticateClient(presenting("tarn-salted"), c);
    ASSERT_TRUE(identity.ok());
    EXPECT_EQ(identity->key->id, 1);
    EXPECT_TRUE(identity->saltedHash.isEmpty());
}

TEST(ClientAuthenticator, PlainKeyStillWorksAndAsksForItsSaltedHash)
{
    const RuntimeConfig c = config({key(2, "tarn-plain", KeyHashScheme::Sha256)});
    const auto identity = authenticateClient(presenting("tarn-plain"), c);
    ASSERT_TRUE(identity.ok());
    EXPECT_EQ(identity->key->id, 2);
    EXPECT_EQ(identity->saltedHash, hashClientKey("tarn-plain", KeyHashScheme::HmacSha256, kSalt));
}

TEST(ClientAuthenticator, WithoutASaltNothingIsUpgraded)
{
    const RuntimeConfig c = config({key(2, "tarn-plain", KeyHashScheme::Sha256)}, QByteArray());
    const auto identity = authenticateClient(presenting("tarn-plain"), c);
    ASSERT_TRUE(identity.ok());
    EXPECT_TRUE(identity->saltedHash.isEmpty());
}

TEST(ClientAuthenticator, AKeyIsNotFoundUnderAnotherSaltOrByItsHash)
{
    const RuntimeConfig c = config({key(1, "tarn-salted", KeyHashScheme::HmacSha256)});
    RuntimeConfig otherSalt = c;
    otherSalt.keySalt = QByteArray(32, '\x01');
    EXPECT_EQ(authenticateClient(presenting("tarn-salted"), otherSalt).error().code, ErrorCode::Unauthenticated);
    // Presenting the stored hash itself is no key.
    EXPECT_EQ(authenticateClient(presenting(c.keysByHash.cbegin().key()), c).error().code, ErrorCode::Unauthenticated);
    EXPECT_EQ(authenticateClient(presenting("tarn-other"), c).error().code, ErrorCode::Unauthenticated);
}

} // namespace
