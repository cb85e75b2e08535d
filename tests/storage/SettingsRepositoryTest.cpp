// SPDX-License-Identifier: GPL-3.0-or-later
// SettingsRepository against a real SQLite file.
#include "StorageTestSupport.h"

#include "gateway/storage/SettingsRepository.h"

using namespace tarn::gateway;

namespace {

using SettingsRepositoryTest = tarn::gateway::test::StorageTest;

TEST_F(SettingsRepositoryTest, ValueFallsBackToDefault)
{
    SettingsRepository repo(db());
    EXPECT_EQ(*repo.value(QStringLiteral("listen")), QString());
    EXPECT_EQ(*repo.value(QStringLiteral("listen"), QStringLiteral("127.0.0.1:8276")), QStringLiteral("127.0.0.1:8276"));
}

TEST_F(SettingsRepositoryTest, SetValueInsertsThenOverwrites)
{
    SettingsRepository repo(db());
    ASSERT_TRUE(repo.setValue(QStringLiteral("retries"), QStringLiteral("2")).ok());
    EXPECT_EQ(*repo.value(QStringLiteral("retries"), QStringLiteral("9")), QStringLiteral("2"));
    ASSERT_TRUE(repo.setValue(QStringLiteral("retries"), QStringLiteral("3")).ok());
    EXPECT_EQ(*repo.value(QStringLiteral("retries")), QStringLiteral("3"));
    ASSERT_TRUE(repo.setValue(QStringLiteral("empty"), QString()).ok());
    EXPECT_EQ(*repo.value(QStringLiteral("empty"), QStringLiteral("default")), QString());
}

TEST_F(SettingsRepositoryTest, AllReturnsEverySetting)
{
    SettingsRepository repo(db());
    EXPECT_TRUE(repo.all()->isEmpty());
    ASSERT_TRUE(repo.setValue(QStringLiteral("b"), QStringLiteral("2")).ok());
    ASSERT_TRUE(repo.setValue(QStringLiteral("a"), QStringLiteral("1")).ok());
    const QMap<QString, QString> expected{{QStringLiteral("a"), QStringLiteral("1")}, {QStringLiteral("b"), QStringLiteral("2")}};
    EXPECT_EQ(*repo.all(), expected);
}

TEST_F(SettingsRepositoryTest, InsertAndUpdateBumpConfigRevision)
{
    SettingsRepository repo(db());
    EXPECT_EQ(*repo.configRevision(), 0);
    ASSERT_TRUE(repo.setValue(QStringLiteral("a"), QStringLiteral("1")).ok());
    const qint64 afterInsert = *repo.configRevision();
    EXPECT_GT(afterInsert, 0);
    ASSERT_TRUE(repo.setValue(QStringLiteral("a"), QStringLiteral("2")).ok());
    EXPECT_GT(*repo.configRevision(), afterInsert);
    const qint64 afterUpdate = *repo.configRevision();
    ASSERT_TRUE(repo.value(QStringLiteral("a")).ok());
    ASSERT_TRUE(repo.all().ok());
    EXPECT_EQ(*repo.configRevision(), afterUpdate);
}

} // namespace
