// SPDX-License-Identifier: GPL-3.0-or-later
// `tarn export` / `tarn import` in-process.
#include "CliTestSupport.h"

#include <QFile>

using namespace tarn::gateway;

namespace {

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

class ConfigTransferTest : public tarn::gateway::test::CliTest
{
protected:
    void SetUp() override
    {
        CliTest::SetUp();
        ASSERT_TRUE(m_other.isValid());
        ASSERT_EQ(run(addArgs(s("main")) + QStringList{s("--map"), s("fast=gpt-4o-mini"), s("--priority"), s("3")}).code, 0);
        const auto key = run({s("key"), s("create"), s("--name"), s("laptop"), s("--models"), s("gpt-4o")});
        ASSERT_EQ(key.code, 0);
        m_key = key.out.trimmed();
        auto db = openDb();
        ASSERT_TRUE(SettingsRepository(*db).setValue(s("retry.max"), s("2")).ok());
    }

    void writeFile(const QString &path, const QByteArray &bytes)
    {
        QFile f(path);
        ASSERT_TRUE(f.open(QIODevice::WriteOnly));
        f.write(bytes);
    }

    QString otherDir() const { return m_other.path(); }

    QTemporaryDir m_other;
    QString m_key;
};

TEST_F(ConfigTransferTest, ExportWithoutSecretsOmitsKeysAndHashes)
{
    const auto o = run({s("export")});
    ASSERT_EQ(o.code, 0) << o;
    const QJsonObject root = json(o.out).object();
    EXPECT_EQ(root.value(s("format")).toString(), s("tarn-config"));
    EXPECT_EQ(root.value(s("version")).toInt(), 5);
    const QJsonObject channel = root.value(s("channels")).toArray().at(0).toObject();
    EXPECT_EQ(channel.value(s("name")).toString(), s("main"));
    EXPECT_EQ(channel.value(s("model_map")).toObject().value(s("fast")).toString(), s("gpt-4o-mini"));
    EXPECT_FALSE(channel.contains(s("keys")));
    const QJsonObject key = root.value(s("client_keys")).toArray().at(0).toObject();
    EXPECT_EQ(key.value(s("name")).toString(), s("laptop"));
    EXPECT_FALSE(key.contains(s("key_hash")));
    EXPECT_EQ(root.value(s("settings")).toObject().value(s("retry.max")).toString(), s("2"));
    EXPECT_FALSE(o.out.contains(u"sk-secret-one-123456"));
    EXPECT_FALSE(o.out.contains(QString::fromLatin1(*ClientKeyRepository(*openDb()).saltedHash(m_key.toLatin1()))));
    EXPECT_FALSE(root.contains(s("key_salt")));
}

TEST_F(ConfigTransferTest, SecretsRoundTripIntoAFreshDataDir)
{
    const QString file = m_dir.filePath(s("backup.json"));
    const auto exported = run({s("export"), file, s("--secrets")});
    ASSERT_EQ(exported.code, 0) << exported;
    EXPECT_TRUE(exported.out.contains(u"Exported 1 channels, 1 client keys and 1 settings")) << exported;
    EXPECT_EQ(QFile::permissions(file) & (QFileDevice::ReadOther | QFileDevice::ReadGroup), QFileDevice::Permissions());

    const auto imported = run({s("import"), file}, otherDir());
    ASSERT_EQ(imported.code, 0) << imported;
    EXPECT_TRUE(imported.out.contains(u"Imported 1 channels (1 new, 0 updated)")) << imported;

    auto src = openDb();
    auto dst = openDb(otherDir());
    const Channel a = *ChannelRepository(*src).findByName(s("main"));
    const Channel b = *ChannelRepository(*dst).findByName(s("main"));
    EXPECT_EQ(b.keys, a.keys);
    EXPECT_EQ(b.models, a.models);
    EXPECT_EQ(b.modelMap, a.modelMap);
    EXPECT_EQ(b.priority, 3);
    // The client's existing key keeps working against the restored database.
    // The salt came with the salted hash, so the same key hashes the same there.
    EXPECT_EQ(*ClientKeyRepository(*dst).installSalt(), *ClientKeyRepository(*src).installSalt());
    auto restored = ClientKeyRepository(*dst).findByHash(*ClientKeyRepository(*dst).saltedHash(m_key.toLatin1()));
    ASSERT_TRUE(restored.ok());
    EXPECT_EQ(restored->name, s("laptop"));
    EXPECT_EQ(restored->models, QStringList{s("gpt-4o")});
    EXPECT_EQ(*SettingsRepository(*dst).value(s("retry.max")), s("2"));
}

TEST_F(ConfigTransferTest, ImportWithoutSecretsKeepsExistingKeys)
{
    const QString file = m_dir.filePath(s("plain.json"));
    ASSERT_EQ(run({s("export"), file}).code, 0);
    ASSERT_EQ(run({s("channel"), s("set"), s("main"), s("--priority"), s("9"), s("--key"), s("sk-rotated-77777777")}).code, 0);
    const auto o = run({s("import"), file});
    ASSERT_EQ(o.code, 0) << o;
    EXPECT_TRUE(o.out.contains(u"(0 new, 1 updated)")) << o;
    auto db = openDb();
    const Channel c = *ChannelRepository(*db).findByName(s("main"));
    EXPECT_EQ(c.priority, 3) << "configuration restored";
    EXPECT_EQ(c.keys, QStringList{s("sk-rotated-77777777")}) << "keys kept";
    EXPECT_EQ(ClientKeyRepository(*db).findByName(s("laptop"))->hash, *ClientKeyRepository(*db).saltedHash(m_key.toLatin1()));
}

TEST_F(ConfigTransferTest, ImportOfNewChannelsWithoutKeysFailsAndChangesNothing)
{
    const QString file = m_dir.filePath(s("plain.json"));
    ASSERT_EQ(run({s("export"), file}).code, 0);
    ASSERT_EQ(run({s("key"), s("create"), s("--name"), s("seed")}, otherDir()).code, 0);
    const auto o = run({s("import"), file}, otherDir());
    expectRuntimeError(o, s("exported without --secrets"));
    auto db = openDb(otherDir());
    EXPECT_TRUE(ChannelRepository(*db).list()->isEmpty());
    EXPECT_EQ(ClientKeyRepository(*db).list()->size(), 1);
}

TEST_F(ConfigTransferTest, ImportIsAllOrNothing)
{
    // The first channel is fine and would be added; the second is new without keys.
    const QByteArray doc = R"({"format":"tarn-config","version":1,
        "channels":[{"name":"good","type":"anthropic","base_url":"https://api.anthropic.com","keys":["k-12345678"],"models":["c"]},
                    {"name":"keyless","type":"openai","base_url":"https://x.example/v1","models":["m"]}],
        "settings":{"new.setting":"1"}})";
    const QString file = m_dir.filePath(s("partial.json"));
    writeFile(file, doc);
    const QString before = snapshot();
    const auto o = run({s("import"), file});
    expectRuntimeError(o, s("nothing was changed"));
    EXPECT_TRUE(o.err.contains(u"keyless")) << o;
    EXPECT_EQ(snapshot(), before);
}

TEST_F(ConfigTransferTest, InvalidFilesAreRefusedWithoutChanges)
{
    const QString before = snapshot();
    const QList<std::pair<QByteArray, QString>> cases = {
        {"{ not json", s("not valid JSON")},
        {R"({"format":"something-else","version":1})", s("not a Tarn configuration")},
        {R"({"format":"tarn-config","version":7})", s("newer Tarn")},
        {R"({"format":"tarn-config","version":1,"channels":[{"name":"x","type":"cohere","base_url":"https://a.b","keys":["k"],"models":["m"]}]})", s("unknown channel type")},
        {R"({"format":"tarn-config","version":1,"channels":[{"name":"x","type":"openai","base_url":"nope","keys":["k"],"models":["m"]}]})", s("invalid base URL")},
        {R"({"format":"tarn-config","version":1,"channels":[{"name":"x","type":"openai","base_url":"https://a.b","keys":["k"],"models":["m"],"weight":-1}]})", s("weight")},
        {R"({"format":"tarn-config","version":1,"client_keys":[{"name":"k","key_hash":"xyz"}]})", s("key_hash")},
        {R"({"format":"tarn-config","version":1,"settings":{"a":5}})", s("settings.a")},
    };
    int n = 0;
    for (const auto &[bytes, needle] : cases) {
        SCOPED_TRACE(bytes.toStdString());
        const QString file = m_dir.filePath(QStringLiteral("bad%1.json").arg(++n));
        writeFile(file, bytes);
        expectRuntimeError(run({s("import"), file}), needle);
    }
    expectRuntimeError(run({s("import"), m_dir.filePath(s("missing.json"))}), s("cannot read"));
    expectUsageError(run({s("import")}), s("needs a FILE"));
    expectUsageError(run({s("export"), s("a.json"), s("b.json")}), s("unexpected argument"));
    expectRuntimeError(run({s("export"), m_dir.filePath(s("no/such/dir/out.json"))}), s("cannot write"));
    EXPECT_EQ(snapshot(), before);
}

TEST_F(ConfigTransferTest, KeyLimitsTravelAndOldFilesQuotaBecomesTheMonthlyLimit)
{
    ASSERT_EQ(run({s("key"), s("limit"), s("laptop"), s("--tokens-per-day"), s("1000"), s("--rpm"), s("12")}).code, 0);
    const QString file = m_dir.filePath(s("limits.json"));
    ASSERT_EQ(run({s("export"), file, s("--secrets")}).code, 0);
    QFile f(file);
    ASSERT_TRUE(f.open(QIODevice::ReadOnly));
    const QJsonObject root = json(QString::fromUtf8(f.readAll())).object();
    const QJsonObject key = root.value(s("client_keys")).toArray().at(0).toObject();
    EXPECT_EQ(key.value(s("tokens_per_day")).toInteger(), 1000);
    EXPECT_EQ(key.value(s("rpm")).toInteger(), 12);
    EXPECT_EQ(key.value(s("hash_scheme")).toString(), s("hmac-sha256"));
    EXPECT_EQ(root.value(s("key_salt")).toString().size(), 64);
    ASSERT_EQ(run({s("import"), file}, otherDir()).code, 0);
    {
        auto dst = openDb(otherDir());
        EXPECT_EQ(ClientKeyRepository(*dst).findByName(s("laptop"))->limits, (ClientKeyLimits{1000, 0, 12}));
    }

    // A version 4 file: quota_tokens, plain SHA-256 hashes, no salt.
    const QString old = m_dir.filePath(s("v4.json"));
    QFile v4(old);
    ASSERT_TRUE(v4.open(QIODevice::WriteOnly));
    v4.write(QByteArray(R"({"format":"tarn-config","version":4,"client_keys":[{"name":"tablet","prefix":"tarn-tabl",)"
                        R"("quota_tokens":777,"key_hash":")")
             + ClientKeyRepository::hashKey("tarn-tablet") + R"("}]})");
    v4.close();
    const auto imported = run({s("import"), old}, otherDir());
    ASSERT_EQ(imported.code, 0) << imported;
    auto dst = openDb(otherDir());
    const ClientKey tablet = *ClientKeyRepository(*dst).findByName(s("tablet"));
    EXPECT_EQ(tablet.limits, (ClientKeyLimits{0, 777, 0}));
    EXPECT_EQ(tablet.hashScheme, KeyHashScheme::Sha256) << "upgraded when first presented";
    EXPECT_EQ(tablet.hash, ClientKeyRepository::hashKey("tarn-tablet"));
}

TEST_F(ConfigTransferTest, SaltedHashesFromAnotherInstallAreRefusedWhereKeysUseTheirOwnSalt)
{
    const QString file = m_dir.filePath(s("backup.json"));
    ASSERT_EQ(run({s("export"), file, s("--secrets")}).code, 0);
    ASSERT_EQ(run({s("key"), s("create"), s("--name"), s("mine")}, otherDir()).code, 0);
    const auto refused = run({s("import"), file}, otherDir());
    EXPECT_NE(refused.code, 0);
    EXPECT_TRUE(refused.err.contains(u"another installation")) << refused;
    auto dst = openDb(otherDir());
    EXPECT_EQ(ClientKeyRepository(*dst).findByName(s("laptop")).error().code, ErrorCode::NotFound) << "nothing was imported";
}

} // namespace
