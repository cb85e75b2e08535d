// SPDX-License-Identifier: GPL-3.0-or-later
// Usage retention as a user sets it in Settings: rows older than the kept days go, newer ones stay,
// and with no retention set nothing is touched.
#include "gateway/core/SettingKeys.h"
#include "gateway/core/Paths.h"
#include "gateway/storage/Database.h"
#include "gateway/storage/SettingsRepository.h"
#include "gateway/storage/UsageRepository.h"
#include "gateway/usage/UsageRetention.h"
#include "tests/support/TempDataDir.h"

#include <QSignalSpy>

#include <gtest/gtest.h>

using namespace tarn::gateway;

namespace {

class UsageRetentionTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        ASSERT_TRUE(dir.isValid());
        auto opened = Database::open(databasePath(dir.path()), QStringLiteral("retention-test"));
        ASSERT_TRUE(opened.ok());
        db = std::move(opened.value());
        const QDateTime now = QDateTime::currentDateTimeUtc();
        QList<UsageRecord> rows;
        for (int daysAgo : {60, 45, 31, 3, 1, 0}) {
            UsageRecord r;
            r.time = now.addDays(-daysAgo);
            r.requestedModel = QStringLiteral("m");
            r.status = 200;
            r.promptTokens = daysAgo;
            rows.append(r);
        }
        ASSERT_TRUE(UsageRepository(*db).insert(rows).ok());
    }

    qint64 passOnce(UsageRetention &retention)
    {
        QSignalSpy pruned(&retention, &UsageRetention::pruned);
        retention.pruneNow();
        EXPECT_TRUE(pruned.wait(10000));
        return pruned.isEmpty() ? -2 : pruned.first().first().toLongLong();
    }

    tarn::test::TempDataDir dir;
    std::unique_ptr<Database> db;
};

TEST_F(UsageRetentionTest, RowsOlderThanTheKeptDaysGoAndNewerOnesStay)
{
    ASSERT_TRUE(SettingsRepository(*db).setValue(QString::fromLatin1(SettingKeys::RetentionDays), QStringLiteral("30")).ok());
    UsageRetention retention(databasePath(dir.path()));
    EXPECT_EQ(passOnce(retention), 3);
    EXPECT_EQ(*UsageRepository(*db).count(), 3);
    const Result<QList<UsageRecord>> left = UsageRepository(*db).recent(10);
    ASSERT_TRUE(left.ok());
    for (const UsageRecord &r : *left)
        EXPECT_LE(r.promptTokens, 3) << "a row from " << r.promptTokens << " days ago survived";
    EXPECT_EQ(passOnce(retention), 0) << "a second pass finds nothing more";
}

TEST_F(UsageRetentionTest, NoRetentionSetKeepsEverything)
{
    UsageRetention retention(databasePath(dir.path()));
    EXPECT_EQ(passOnce(retention), -1);
    ASSERT_TRUE(SettingsRepository(*db).setValue(QString::fromLatin1(SettingKeys::RetentionDays), QStringLiteral("0")).ok());
    EXPECT_EQ(passOnce(retention), -1);
    ASSERT_TRUE(SettingsRepository(*db).setValue(QString::fromLatin1(SettingKeys::RetentionDays), QStringLiteral("lots")).ok());
    EXPECT_EQ(passOnce(retention), -1);
    EXPECT_EQ(*UsageRepository(*db).count(), 6);
}

} // namespace
