// SPDX-License-Identifier: GPL-3.0-or-later
// The admin token file: created private from its first byte, stable, repaired when it is not.
#include "gateway/admin/AdminToken.h"
#include "tests/support/TempDataDir.h"

#include <QFile>

#include <gtest/gtest.h>

#include <sys/stat.h>

using namespace tarn::gateway;
using tarn::test::TempDataDir;

namespace {

int modeOf(const QString &path)
{
    struct stat st {};
    return ::stat(QFile::encodeName(path).constData(), &st) == 0 ? int(st.st_mode & 0777) : -1;
}

TEST(AdminToken, IsCreatedOwnerOnlyAndReadBackTheSame)
{
    TempDataDir dir;
    const QString data = dir.filePath(QStringLiteral("data"));
    const mode_t old = ::umask(0); // the loosest umask: the file must still be 0600
    const Result<QByteArray> first = loadOrCreateAdminToken(data);
    ::umask(old);
    ASSERT_TRUE(first.ok()) << first.error().message.toStdString();
    EXPECT_GE(first->size(), 40);
    EXPECT_EQ(modeOf(adminTokenPath(data)), 0600);
    const Result<QByteArray> second = loadOrCreateAdminToken(data);
    ASSERT_TRUE(second.ok());
    EXPECT_EQ(*second, *first);

    // Another data dir, another token.
    const Result<QByteArray> other = loadOrCreateAdminToken(dir.filePath(QStringLiteral("other")));
    ASSERT_TRUE(other.ok());
    EXPECT_NE(*other, *first);
}

TEST(AdminToken, LooseModesAreTightenedAndGarbageIsReplaced)
{
    TempDataDir dir;
    const QString data = dir.filePath(QStringLiteral("data"));
    const QByteArray token = *loadOrCreateAdminToken(data);
    ASSERT_EQ(::chmod(QFile::encodeName(adminTokenPath(data)).constData(), 0644), 0);
    EXPECT_EQ(*loadOrCreateAdminToken(data), token);
    EXPECT_EQ(modeOf(adminTokenPath(data)), 0600);

    for (const QByteArray &garbage : {QByteArray(), QByteArray("short"), QByteArray(64, ' '),
                                      QByteArray("not a token: has spaces and colons ::::::::::::::::"),
                                      QByteArray("\xff\xfe\x00\x01 binary", 12)}) {
        QFile file(adminTokenPath(data));
        ASSERT_TRUE(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write(garbage);
        file.close();
        const Result<QByteArray> fresh = loadOrCreateAdminToken(data);
        ASSERT_TRUE(fresh.ok());
        EXPECT_GE(fresh->size(), 40);
        EXPECT_NE(*fresh, garbage.trimmed());
        EXPECT_EQ(modeOf(adminTokenPath(data)), 0600);
    }
}

TEST(AdminToken, MatchingIsExact)
{
    const QByteArray token("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG");
    EXPECT_TRUE(adminTokenMatches(token, token));
    EXPECT_FALSE(adminTokenMatches(token.left(token.size() - 1), token));
    EXPECT_FALSE(adminTokenMatches(token + 'x', token));
    QByteArray flipped = token;
    flipped[20] = 'Z';
    EXPECT_FALSE(adminTokenMatches(flipped, token));
    EXPECT_FALSE(adminTokenMatches({}, {}));
}

} // namespace
