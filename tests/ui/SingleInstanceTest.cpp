// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/SingleInstance.h"

#include <QDir>
#include <QFileInfo>
#include <QLocalServer>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QUuid>

#include <gtest/gtest.h>

#include <memory>

#ifdef Q_OS_UNIX
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#endif

using tarn::ui::SingleInstance;

namespace {

// A key no other test run or real Tarn uses.
QString uniqueKey()
{
    return QStringLiteral("tarn-test-") + QUuid::createUuid().toString(QUuid::Id128).left(12);
}

TEST(SingleInstanceTest, KeyIsShortStableAndPerDirectory)
{
    QTemporaryDir a;
    QTemporaryDir b;
    ASSERT_TRUE(a.isValid() && b.isValid());
    const QString keyA = SingleInstance::keyForDataDir(a.path());
    EXPECT_EQ(keyA, SingleInstance::keyForDataDir(a.path() + QStringLiteral("/")));
    EXPECT_EQ(keyA, SingleInstance::keyForDataDir(a.path() + QStringLiteral("/sub/..")));
    EXPECT_NE(keyA, SingleInstance::keyForDataDir(b.path()));
    EXPECT_LE(keyA.size(), 32);
    EXPECT_TRUE(QRegularExpression(QStringLiteral("^tarn-[0-9a-f]+$")).match(keyA).hasMatch())
        << keyA.toStdString();
}

TEST(SingleInstanceTest, SecondInstanceActivatesFirst)
{
    const QString key = uniqueKey();
    SingleInstance first(key);
    ASSERT_TRUE(first.tryBecomePrimary());
    EXPECT_TRUE(first.isPrimary());
    EXPECT_TRUE(first.tryBecomePrimary());
    QSignalSpy activated(&first, &SingleInstance::activationRequested);

    SingleInstance second(key);
    EXPECT_FALSE(second.tryBecomePrimary());
    EXPECT_FALSE(second.isPrimary());
    ASSERT_TRUE(activated.wait(2000));
    EXPECT_EQ(activated.count(), 1);

    SingleInstance third(key);
    EXPECT_FALSE(third.tryBecomePrimary());
    ASSERT_TRUE(activated.wait(2000));
    EXPECT_EQ(activated.count(), 2);
}

TEST(SingleInstanceTest, NewPrimaryAfterPrimaryIsGone)
{
    const QString key = uniqueKey();
    auto first = std::make_unique<SingleInstance>(key);
    ASSERT_TRUE(first->tryBecomePrimary());
    first.reset();

    SingleInstance next(key);
    EXPECT_TRUE(next.tryBecomePrimary());
}

#ifdef Q_OS_UNIX
// Leaves a bound-but-dead Unix socket at the server's path, as a crashed instance would.
void createStaleSocketFile(const QString &path)
{
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const QByteArray encoded = QFile::encodeName(path);
    ASSERT_LT(static_cast<size_t>(encoded.size()), sizeof(address.sun_path));
    std::memcpy(address.sun_path, encoded.constData(), static_cast<size_t>(encoded.size()));
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof(address)), 0);
    ::close(fd); // no listen(), no unlink(): the file stays and refuses connections
}

TEST(SingleInstanceTest, ReplacesStaleSocketFromCrashedInstance)
{
    const QString key = uniqueKey();
    const QString path = QDir(QDir::tempPath()).filePath(key);
    createStaleSocketFile(path);
    ASSERT_TRUE(QFileInfo::exists(path));

    SingleInstance primary(key);
    ASSERT_TRUE(primary.tryBecomePrimary());
    QSignalSpy activated(&primary, &SingleInstance::activationRequested);

    SingleInstance second(key);
    EXPECT_FALSE(second.tryBecomePrimary());
    ASSERT_TRUE(activated.wait(2000));
}
#endif

} // namespace
