// SPDX-License-Identifier: GPL-3.0-or-later
// The listen addresses saved in Settings, as a start, `tarn connect` and `tarn serve` read them.
#include "gateway/cli/SavedListen.h"
#include "gateway/storage/Database.h"
#include "gateway/storage/SettingsRepository.h"
#include "tests/support/TempDataDir.h"

#include <gtest/gtest.h>

using namespace tarn::gateway;
using tarn::test::TempDataDir;

namespace {

std::unique_ptr<Database> withSaved(const TempDataDir &dir, const QString &listen)
{
    auto db = Database::open(dir.dbPath(), QStringLiteral("saved-listen-") + dir.path());
    EXPECT_TRUE(db.ok());
    if (!listen.isNull()) {
        EXPECT_TRUE(SettingsRepository(**db).setValue(QStringLiteral("gateway.listen"), listen).ok());
    }
    return std::move(*db);
}

} // namespace

TEST(SavedListen, NothingSavedIsLoopbackOnTheDefaultPort)
{
    TempDataDir dir;
    auto db = withSaved(dir, QString());
    EXPECT_EQ(savedListenAddresses(*db), (QList<ListenAddress>{{QStringLiteral("127.0.0.1"), 8276}}));
    EXPECT_EQ(rootUrl(savedLocalAddress(*db)), QStringLiteral("http://127.0.0.1:8276"));
}

TEST(SavedListen, WildcardsAreReachedThroughLoopbackAndAnyPortIsSkipped)
{
    TempDataDir dir;
    auto db = withSaved(dir, QStringLiteral("127.0.0.1:0, 0.0.0.0:9100,[::1]:9101"));
    EXPECT_EQ(savedListenAddresses(*db).size(), 3);
    EXPECT_EQ(rootUrl(savedLocalAddress(*db)), QStringLiteral("http://127.0.0.1:9100"));

    TempDataDir v6;
    auto db6 = withSaved(v6, QStringLiteral("[::]:9200"));
    EXPECT_EQ(rootUrl(savedLocalAddress(*db6)), QStringLiteral("http://[::1]:9200"));
}

TEST(SavedListen, AValueThatDoesNotParseFallsBackWhole)
{
    for (const QString &garbage : {QStringLiteral("127.0.0.1:9100,nonsense"), QStringLiteral("[::1:80"),
                                   QStringLiteral("127.0.0.1:70000"), QStringLiteral(" , ")}) {
        TempDataDir dir;
        auto db = withSaved(dir, garbage);
        EXPECT_EQ(savedListenAddresses(*db), (QList<ListenAddress>{{QStringLiteral("127.0.0.1"), 8276}})) << garbage.toStdString();
        EXPECT_EQ(savedLocalAddress(*db).port, 8276) << garbage.toStdString();
    }
}
