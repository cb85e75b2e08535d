// SPDX-License-Identifier: GPL-3.0-or-later
// `tarn key ...` in-process.
#include "CliTestSupport.h"

#include <QRegularExpression>
#include <QTimeZone>

using namespace tarn::gateway;

namespace {

using KeyCommandsTest = tarn::gateway::test::CliTest;

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

TEST_F(KeyCommandsTest, CreatePrintsTheKeyOnceAndStoresOnlyTheHash)
{
    const auto o = run({s("key"), s("create"), s("--name"), s("laptop"), s("--models"), s("gpt-4o,claude"),
                        s("--expires"), s("2099-12-31")});
    ASSERT_EQ(o.code, 0) << o;
    const QString key = o.out.split(u'\n').first();
    EXPECT_TRUE(QRegularExpression(s("^tarn-[A-Za-z0-9_-]{40}$")).match(key).hasMatch()) << o;
    EXPECT_EQ(o.out, key + u'\n');
    EXPECT_TRUE(o.err.contains(u"only time")) << o;

    auto db = openDb();
    const ClientKey stored = *ClientKeyRepository(*db).findByName(s("laptop"));
    EXPECT_EQ(stored.hash, *ClientKeyRepository(*db).saltedHash(key.toLatin1()));
    EXPECT_EQ(stored.models, (QStringList{s("gpt-4o"), s("claude")}));
    EXPECT_EQ(stored.expiresAt, QDateTime(QDate(2099, 12, 31), QTime(0, 0), QTimeZone::utc()));
    db.reset();

    const auto list = run({s("key"), s("list")});
    ASSERT_EQ(list.code, 0) << list;
    EXPECT_TRUE(list.out.startsWith(u"NAME")) << list;
    EXPECT_TRUE(list.out.contains(key.left(9))) << list;
    EXPECT_TRUE(list.out.contains(u"active"));
    EXPECT_TRUE(list.out.contains(u"2099-12-31"));
    EXPECT_FALSE(list.out.contains(key));
    EXPECT_FALSE(list.out.contains(QString::fromLatin1(stored.hash)));

    const auto listJson = run({s("key"), s("list"), s("--json")});
    ASSERT_EQ(listJson.code, 0);
    const QJsonObject entry = json(listJson.out).array().at(0).toObject();
    EXPECT_EQ(entry.value(s("name")).toString(), s("laptop"));
    EXPECT_EQ(entry.value(s("prefix")).toString(), key.left(9));
    EXPECT_EQ(entry.value(s("expires_at")).toString(), s("2099-12-31T00:00:00.000Z"));
    EXPECT_FALSE(entry.contains(s("key_hash")));
    EXPECT_FALSE(listJson.out.contains(QString::fromLatin1(stored.hash)));
    EXPECT_FALSE(listJson.out.contains(key));
}

TEST_F(KeyCommandsTest, ExpiresAcceptsDateTimesWithOffsets)
{
    ASSERT_EQ(run({s("key"), s("create"), s("--name"), s("k"), s("--expires"), s("2099-06-01T12:30:00+02:00")}).code, 0);
    auto db = openDb();
    EXPECT_EQ(ClientKeyRepository(*db).findByName(s("k"))->expiresAt,
              QDateTime(QDate(2099, 6, 1), QTime(10, 30), QTimeZone::utc()));
}

TEST_F(KeyCommandsTest, RevokeShowsInListAndUnknownFails)
{
    ASSERT_EQ(run({s("key"), s("create"), s("--name"), s("phone")}).code, 0);
    const auto o = run({s("key"), s("revoke"), s("phone")});
    EXPECT_EQ(o.code, 0) << o;
    EXPECT_TRUE(o.out.contains(u"Revoked key 'phone'"));
    EXPECT_TRUE(run({s("key"), s("list")}).out.contains(u"revoked"));
    auto db = openDb();
    EXPECT_TRUE(ClientKeyRepository(*db).findByName(s("phone"))->revoked);
    db.reset();
    expectRuntimeError(run({s("key"), s("revoke"), s("tablet")}), s("no client key named 'tablet'"));
    expectUsageError(run({s("key"), s("revoke")}), s("needs a key name"));
}

TEST_F(KeyCommandsTest, BadInputsWriteNothing)
{
    ASSERT_EQ(run({s("key"), s("create"), s("--name"), s("taken")}).code, 0);
    const QString before = snapshot();
    expectUsageError(run({s("key"), s("create")}), s("missing required option '--name'"));
    expectUsageError(run({s("key"), s("create"), s("--name"), s("x"), s("--expires"), s("next tuesday")}), s("invalid --expires"));
    expectUsageError(run({s("key"), s("create"), s("--name"), s("x"), s("--expires"), s("2024-13-45")}), s("invalid --expires"));
    expectUsageError(run({s("key"), s("create"), s("--name"), s("x"), s("--expires"), s("2001-01-01")}), s("in the past"));
    expectUsageError(run({s("key"), s("create"), s("--name"), s("x"), s("--quota"), s("lots")}), s("--quota"));
    expectUsageError(run({s("key"), s("create"), s("--name"), s("x"), s("--bogus")}), s("unknown option '--bogus'"));
    expectUsageError(run({s("key"), s("create"), s("--name"), s("has space")}), s("invalid key name"));
    expectUsageError(run({s("key")}), s("needs a subcommand"));
    expectUsageError(run({s("key"), s("rotate")}), s("unknown key subcommand"));
    const auto dup = run({s("key"), s("create"), s("--name"), s("taken")});
    expectRuntimeError(dup, s("already exists"));
    EXPECT_TRUE(dup.out.isEmpty()) << "no key printed when nothing was stored";
    EXPECT_EQ(snapshot(), before);
}

TEST_F(KeyCommandsTest, EmptyList)
{
    const auto o = run({s("key"), s("list")});
    EXPECT_EQ(o.code, 0);
    EXPECT_TRUE(o.out.contains(u"No client keys"));
}

TEST_F(KeyCommandsTest, LimitsAreSetAtCreationChangedOneByOneAndListed)
{
    ASSERT_EQ(run({s("key"), s("create"), s("--name"), s("ci"), s("--tokens-per-day"), s("100000"), s("--rpm"), s("30")}).code, 0);
    ASSERT_EQ(run({s("key"), s("create"), s("--name"), s("free")}).code, 0);
    {
        auto db = openDb();
        EXPECT_EQ(ClientKeyRepository(*db).findByName(s("ci"))->limits, (ClientKeyLimits{100000, 0, 30}));
        EXPECT_FALSE(ClientKeyRepository(*db).findByName(s("free"))->limits.any());
    }
    const auto list = run({s("key"), s("list")});
    ASSERT_EQ(list.code, 0) << list;
    EXPECT_TRUE(list.out.contains(u"LIMITS")) << list;
    EXPECT_TRUE(list.out.contains(u"LAST-ADDRESS")) << list;
    EXPECT_TRUE(list.out.contains(u"100000/day, 30 req/min")) << list;

    // 'limit' changes what it is given and keeps the rest; 0 lifts a limit.
    const auto changed = run({s("key"), s("limit"), s("ci"), s("--tokens-per-month"), s("2000000"), s("--rpm"), s("0")});
    ASSERT_EQ(changed.code, 0) << changed;
    EXPECT_TRUE(changed.out.contains(u"100000/day, 2000000/month")) << changed;
    {
        auto db = openDb();
        EXPECT_EQ(ClientKeyRepository(*db).findByName(s("ci"))->limits, (ClientKeyLimits{100000, 2000000, 0}));
    }
    // --quota is --tokens-per-month's old name.
    ASSERT_EQ(run({s("key"), s("limit"), s("ci"), s("--quota"), s("5")}).code, 0);
    const auto listJson = run({s("key"), s("list"), s("--json")});
    const QJsonObject entry = json(listJson.out).array().at(0).toObject();
    EXPECT_EQ(entry.value(s("name")).toString(), s("ci"));
    EXPECT_EQ(entry.value(s("tokens_per_day")).toInteger(), 100000);
    EXPECT_EQ(entry.value(s("tokens_per_month")).toInteger(), 5);
    EXPECT_EQ(entry.value(s("rpm")).toInteger(), 0);
    EXPECT_TRUE(entry.contains(s("last_used_address")));
    EXPECT_TRUE(entry.value(s("last_used_address")).isNull()) << "never used";
}

TEST_F(KeyCommandsTest, BadLimitsWriteNothing)
{
    ASSERT_EQ(run({s("key"), s("create"), s("--name"), s("ci"), s("--rpm"), s("10")}).code, 0);
    const QString before = snapshot();
    expectUsageError(run({s("key"), s("create"), s("--name"), s("x"), s("--tokens-per-day"), s("-1")}), s("--tokens-per-day"));
    expectUsageError(run({s("key"), s("create"), s("--name"), s("x"), s("--rpm"), s("many")}), s("--rpm"));
    expectUsageError(run({s("key"), s("create"), s("--name"), s("x"), s("--quota"), s("1"), s("--tokens-per-month"), s("2")}),
                     s("old name"));
    expectUsageError(run({s("key"), s("limit"), s("ci")}), s("needs at least one"));
    expectUsageError(run({s("key"), s("limit"), s("--rpm"), s("5")}), s("needs a key name"));
    expectUsageError(run({s("key"), s("limit"), s("ci"), s("--tokens-per-month"), s("lots")}), s("--tokens-per-month"));
    expectRuntimeError(run({s("key"), s("limit"), s("ghost"), s("--rpm"), s("5")}), s("no client key named 'ghost'"));
    EXPECT_EQ(snapshot(), before);
}

} // namespace
