// SPDX-License-Identifier: GPL-3.0-or-later
// ChannelRepository against a real SQLite file.
#include "StorageTestSupport.h"

#include "gateway/storage/ChannelRepository.h"
#include "gateway/storage/SettingsRepository.h"

using namespace tarn::gateway;

namespace {

Channel sampleChannel(const QString &name, int priority = 0)
{
    Channel c;
    c.name = name;
    c.type = ChannelType::Anthropic;
    c.baseUrl = QStringLiteral("https://api.anthropic.com");
    c.keys = {QStringLiteral("sk-ant-1"), QStringLiteral("sk-ant-2")};
    c.models = {QStringLiteral("claude-sonnet-4"), QStringLiteral("claude-haiku")};
    c.modelMap = {{QStringLiteral("fast"), QStringLiteral("claude-haiku")}};
    c.priority = priority;
    c.weight = 2.5;
    c.enabled = true;
    c.capabilities = {CapabilityMode::Auto, CapabilityMode::On, CapabilityMode::Auto, 200000, 0};
    c.proxy = QStringLiteral("http://proxy.local:3128");
    c.extraHeaders = {{QStringLiteral("anthropic-beta"), QStringLiteral("tools-2024")}};
    return c;
}

class ChannelRepositoryTest : public tarn::gateway::test::StorageTest
{
protected:
    qint64 revision() { return *SettingsRepository(db()).configRevision(); }
};

TEST_F(ChannelRepositoryTest, AddThenFindRoundTripsEveryField)
{
    ChannelRepository repo(db());
    const Channel c = sampleChannel(QStringLiteral("claude"));
    auto id = repo.add(c);
    ASSERT_TRUE(id.ok()) << id.error().message.toStdString();
    EXPECT_GT(*id, 0);

    auto found = repo.findByName(QStringLiteral("claude"));
    ASSERT_TRUE(found.ok());
    EXPECT_EQ(found->id, *id);
    EXPECT_TRUE(found->createdAt.isValid());
    EXPECT_EQ(found->createdAt, found->updatedAt);
    EXPECT_LE(qAbs(found->createdAt.secsTo(QDateTime::currentDateTimeUtc())), 5);
    Channel expected = c;
    expected.id = *id;
    expected.createdAt = found->createdAt;
    expected.updatedAt = found->updatedAt;
    EXPECT_EQ(*found, expected);
}

TEST_F(ChannelRepositoryTest, DuplicateNameIsAlreadyExists)
{
    ChannelRepository repo(db());
    ASSERT_TRUE(repo.add(sampleChannel(QStringLiteral("dup"))).ok());
    auto again = repo.add(sampleChannel(QStringLiteral("dup")));
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error().code, ErrorCode::AlreadyExists);
    EXPECT_TRUE(again.error().message.contains(u"'dup' already exists"));
    EXPECT_EQ(repo.list()->size(), 1);
}

TEST_F(ChannelRepositoryTest, ListOrdersByPriorityThenName)
{
    ChannelRepository repo(db());
    ASSERT_TRUE(repo.add(sampleChannel(QStringLiteral("b-low"), 0)).ok());
    ASSERT_TRUE(repo.add(sampleChannel(QStringLiteral("z-high"), 10)).ok());
    ASSERT_TRUE(repo.add(sampleChannel(QStringLiteral("a-low"), 0)).ok());
    ASSERT_TRUE(repo.add(sampleChannel(QStringLiteral("neg"), -5)).ok());
    auto list = repo.list();
    ASSERT_TRUE(list.ok());
    QStringList names;
    for (const Channel &c : *list)
        names << c.name;
    EXPECT_EQ(names, (QStringList{QStringLiteral("z-high"), QStringLiteral("a-low"), QStringLiteral("b-low"), QStringLiteral("neg")}));
}

TEST_F(ChannelRepositoryTest, FindUnknownIsNotFound)
{
    auto found = ChannelRepository(db()).findByName(QStringLiteral("nope"));
    ASSERT_FALSE(found.ok());
    EXPECT_EQ(found.error().code, ErrorCode::NotFound);
    EXPECT_TRUE(found.error().message.contains(u"nope"));
}

TEST_F(ChannelRepositoryTest, UpdateChangesFieldsAndName)
{
    ChannelRepository repo(db());
    ASSERT_TRUE(repo.add(sampleChannel(QStringLiteral("old"))).ok());
    Channel c = *repo.findByName(QStringLiteral("old"));
    c.name = QStringLiteral("renamed");
    c.type = ChannelType::Gemini;
    c.keys = {QStringLiteral("g-key")};
    c.modelMap.clear();
    c.weight = 0;
    c.capabilities.tools = CapabilityMode::Off;
    ASSERT_TRUE(repo.update(c).ok());
    EXPECT_EQ(repo.findByName(QStringLiteral("old")).error().code, ErrorCode::NotFound);
    auto found = repo.findByName(QStringLiteral("renamed"));
    ASSERT_TRUE(found.ok());
    EXPECT_EQ(found->type, ChannelType::Gemini);
    EXPECT_EQ(found->keys, QStringList{QStringLiteral("g-key")});
    EXPECT_TRUE(found->modelMap.isEmpty());
    EXPECT_EQ(found->weight, 0.0);
    EXPECT_EQ(found->capabilities.tools, CapabilityMode::Off);
    EXPECT_EQ(found->createdAt, c.createdAt);
    EXPECT_GE(found->updatedAt, c.updatedAt);
}

TEST_F(ChannelRepositoryTest, UpdateRejectsUnknownIdAndTakenName)
{
    ChannelRepository repo(db());
    ASSERT_TRUE(repo.add(sampleChannel(QStringLiteral("one"))).ok());
    ASSERT_TRUE(repo.add(sampleChannel(QStringLiteral("two"))).ok());
    Channel ghost = sampleChannel(QStringLiteral("ghost"));
    ghost.id = 9999;
    EXPECT_EQ(repo.update(ghost).error().code, ErrorCode::NotFound);
    Channel two = *repo.findByName(QStringLiteral("two"));
    two.name = QStringLiteral("one");
    EXPECT_EQ(repo.update(two).error().code, ErrorCode::AlreadyExists);
}

TEST_F(ChannelRepositoryTest, RemoveAndSetEnabled)
{
    ChannelRepository repo(db());
    ASSERT_TRUE(repo.add(sampleChannel(QStringLiteral("c"))).ok());
    ASSERT_TRUE(repo.setEnabled(QStringLiteral("c"), false).ok());
    EXPECT_FALSE(repo.findByName(QStringLiteral("c"))->enabled);
    ASSERT_TRUE(repo.setEnabled(QStringLiteral("c"), true).ok());
    EXPECT_TRUE(repo.findByName(QStringLiteral("c"))->enabled);
    EXPECT_EQ(repo.setEnabled(QStringLiteral("missing"), true).error().code, ErrorCode::NotFound);

    ASSERT_TRUE(repo.remove(QStringLiteral("c")).ok());
    EXPECT_TRUE(repo.list()->isEmpty());
    EXPECT_EQ(repo.remove(QStringLiteral("c")).error().code, ErrorCode::NotFound);
}

TEST_F(ChannelRepositoryTest, EveryChangeBumpsConfigRevision)
{
    ChannelRepository repo(db());
    const qint64 r0 = revision();
    ASSERT_TRUE(repo.add(sampleChannel(QStringLiteral("c"))).ok());
    const qint64 r1 = revision();
    EXPECT_GT(r1, r0);
    ASSERT_TRUE(repo.setEnabled(QStringLiteral("c"), false).ok());
    const qint64 r2 = revision();
    EXPECT_GT(r2, r1);
    Channel c = *repo.findByName(QStringLiteral("c"));
    c.priority = 3;
    ASSERT_TRUE(repo.update(c).ok());
    const qint64 r3 = revision();
    EXPECT_GT(r3, r2);
    ASSERT_TRUE(repo.remove(QStringLiteral("c")).ok());
    EXPECT_GT(revision(), r3);
    // Reads and failed writes do not.
    const qint64 r4 = revision();
    ASSERT_TRUE(repo.list().ok());
    EXPECT_FALSE(repo.remove(QStringLiteral("c")).ok());
    EXPECT_EQ(revision(), r4);
}

} // namespace
