// SPDX-License-Identifier: GPL-3.0-or-later
// The encrypted-file secret store on real files: round trip, modes, a wrong key file and a
// tampered file refused with a clear error, and concurrent writers (threads and processes) that
// lose nothing.
#include "gateway/secrets/EncryptedFileSecretStore.h"
#include "tests/support/TempDataDir.h"

#include <QCoreApplication>
#include <QFile>
#include <QProcess>

#include <gtest/gtest.h>

#include <thread>
#include <vector>

using namespace tarn::gateway;
using tarn::test::TempDataDir;

namespace {

constexpr char kChildDirVariable[] = "TARN_SECRETS_TEST_CHILD_DIR";
constexpr char kChildPrefixVariable[] = "TARN_SECRETS_TEST_CHILD_PREFIX";
constexpr int kEntriesPerWriter = 25;

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

void writeAll(const QString &path, const QByteArray &data)
{
    QFile f(path);
    ASSERT_TRUE(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(data);
}

} // namespace

TEST(EncryptedFileSecretStore, RoundTripsAndKeepsNoPlainTextOnDisk)
{
    TempDataDir dir;
    EncryptedFileSecretStore store(dir.path());
    EXPECT_EQ(store.backendName(), QStringLiteral("file"));
    ASSERT_TRUE(store.write(QStringLiteral("a"), QStringLiteral("sk-file-secret-alpha-0001")).ok());
    ASSERT_TRUE(store.write(QStringLiteral("b"), QStringLiteral("sk-file-secret-beta-0002")).ok());
    ASSERT_TRUE(store.write(QStringLiteral("a"), QStringLiteral("sk-file-secret-alpha-0003")).ok()); // replaces

    EncryptedFileSecretStore again(dir.path()); // another instance, as another process would be
    EXPECT_EQ(*again.read(QStringLiteral("a")), QStringLiteral("sk-file-secret-alpha-0003"));
    EXPECT_EQ(*again.read(QStringLiteral("b")), QStringLiteral("sk-file-secret-beta-0002"));
    const Result<QString> missing = again.read(QStringLiteral("c"));
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().code, ErrorCode::NotFound);

    ASSERT_TRUE(again.remove(QStringLiteral("a")).ok());
    EXPECT_FALSE(store.read(QStringLiteral("a")).ok());
    EXPECT_TRUE(store.remove(QStringLiteral("never-there")).ok());

    const QByteArray onDisk = readAll(store.filePath());
    ASSERT_FALSE(onDisk.isEmpty());
    EXPECT_FALSE(onDisk.contains("sk-file-secret"));
    EXPECT_FALSE(onDisk.contains("\"b\""));
}

TEST(EncryptedFileSecretStore, FileAndKeyFileAreOwnerOnly)
{
    TempDataDir dir;
    EncryptedFileSecretStore store(dir.path());
    ASSERT_TRUE(store.write(QStringLiteral("a"), QStringLiteral("x")).ok());
    ASSERT_TRUE(store.write(QStringLiteral("b"), QStringLiteral("y")).ok()); // a rewrite keeps the mode
    const auto ownerOnly = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
    const auto others = QFileDevice::ReadGroup | QFileDevice::WriteGroup | QFileDevice::ExeGroup | QFileDevice::ReadOther
        | QFileDevice::WriteOther | QFileDevice::ExeOther | QFileDevice::ExeOwner;
    for (const QString &path : {store.filePath(), store.keyFilePath()}) {
        const QFileDevice::Permissions p = QFile::permissions(path);
        EXPECT_EQ(p & ownerOnly, ownerOnly) << path.toStdString();
        EXPECT_EQ(p & others, QFileDevice::Permissions()) << path.toStdString();
    }
    EXPECT_EQ(QFile(store.keyFilePath()).size(), 32);
}

TEST(EncryptedFileSecretStore, AWrongKeyFileIsAClearErrorNotGarbage)
{
    TempDataDir mine;
    TempDataDir other;
    EncryptedFileSecretStore store(mine.path());
    EncryptedFileSecretStore foreign(other.path());
    ASSERT_TRUE(store.write(QStringLiteral("a"), QStringLiteral("sk-mine")).ok());
    ASSERT_TRUE(foreign.write(QStringLiteral("a"), QStringLiteral("sk-theirs")).ok());
    writeAll(store.keyFilePath(), readAll(foreign.keyFilePath())); // another install's key

    const Result<QString> read = store.read(QStringLiteral("a"));
    ASSERT_FALSE(read.ok());
    EXPECT_TRUE(read.error().message.contains(QStringLiteral("was not encrypted with the key"))) << read.error().message.toStdString();
    // A write must not silently replace the unreadable secrets either.
    EXPECT_FALSE(store.write(QStringLiteral("b"), QStringLiteral("sk-new")).ok());

    QFile::remove(store.keyFilePath());
    const Result<QString> keyless = store.read(QStringLiteral("a"));
    ASSERT_FALSE(keyless.ok());
    EXPECT_TRUE(keyless.error().message.contains(QStringLiteral("secrets.key"))) << keyless.error().message.toStdString();
    EXPECT_FALSE(store.write(QStringLiteral("b"), QStringLiteral("sk-new")).ok()) << "a new key would orphan the old file";

    writeAll(store.keyFilePath(), "short");
    EXPECT_FALSE(store.read(QStringLiteral("a")).ok());
}

TEST(EncryptedFileSecretStore, TamperedCiphertextIsDetected)
{
    TempDataDir dir;
    EncryptedFileSecretStore store(dir.path());
    ASSERT_TRUE(store.write(QStringLiteral("a"), QStringLiteral("sk-tamper-target-123456")).ok());
    const QByteArray original = readAll(store.filePath());
    // Every region: header, nonce, ciphertext, tag.
    for (const qsizetype at : {qsizetype(3), qsizetype(10), qsizetype(20), original.size() / 2, original.size() - 1}) {
        QByteArray bad = original;
        bad[at] = char(bad[at] ^ 0x01);
        writeAll(store.filePath(), bad);
        const Result<QString> read = store.read(QStringLiteral("a"));
        EXPECT_FALSE(read.ok()) << "byte " << at;
        if (!read.ok()) {
            EXPECT_FALSE(read.error().message.contains(QStringLiteral("sk-tamper")));
        }
    }
    writeAll(store.filePath(), original.left(original.size() - 5));
    EXPECT_FALSE(store.read(QStringLiteral("a")).ok());
    writeAll(store.filePath(), original);
    EXPECT_EQ(*store.read(QStringLiteral("a")), QStringLiteral("sk-tamper-target-123456"));
}

TEST(EncryptedFileSecretStore, ConcurrentThreadsLoseNoEntry)
{
    TempDataDir dir;
    std::vector<std::thread> writers;
    for (int t = 0; t < 4; ++t) {
        writers.emplace_back([&dir, t] {
            EncryptedFileSecretStore store(dir.path());
            for (int i = 0; i < kEntriesPerWriter; ++i)
                EXPECT_TRUE(store.write(QStringLiteral("t%1-%2").arg(t).arg(i), QStringLiteral("v%1-%2").arg(t).arg(i)).ok());
        });
    }
    for (std::thread &w : writers)
        w.join();
    EncryptedFileSecretStore store(dir.path());
    for (int t = 0; t < 4; ++t) {
        for (int i = 0; i < kEntriesPerWriter; ++i) {
            const Result<QString> v = store.read(QStringLiteral("t%1-%2").arg(t).arg(i));
            ASSERT_TRUE(v.ok()) << t << "/" << i;
            EXPECT_EQ(*v, QStringLiteral("v%1-%2").arg(t).arg(i));
        }
    }
}

// Not a test on its own: the writer process ConcurrentProcessesLoseNoEntry starts.
TEST(EncryptedFileSecretStore, ChildWriter)
{
    const QString dir = qEnvironmentVariable(kChildDirVariable);
    if (dir.isEmpty())
        GTEST_SKIP() << "only run as a child of ConcurrentProcessesLoseNoEntry";
    const QString prefix = qEnvironmentVariable(kChildPrefixVariable);
    EncryptedFileSecretStore store(dir);
    for (int i = 0; i < kEntriesPerWriter; ++i)
        ASSERT_TRUE(store.write(prefix + QString::number(i), prefix + QStringLiteral("value") + QString::number(i)).ok());
}

TEST(EncryptedFileSecretStore, ConcurrentProcessesLoseNoEntry)
{
    TempDataDir dir;
    QList<QProcess *> children;
    for (const QString &prefix : {QStringLiteral("p1-"), QStringLiteral("p2-"), QStringLiteral("p3-")}) {
        auto *child = new QProcess;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QString::fromLatin1(kChildDirVariable), dir.path());
        env.insert(QString::fromLatin1(kChildPrefixVariable), prefix);
        child->setProcessEnvironment(env);
        child->start(QCoreApplication::applicationFilePath(),
                     {QStringLiteral("--gtest_filter=EncryptedFileSecretStore.ChildWriter")});
        children.append(child);
    }
    for (QProcess *child : children) {
        EXPECT_TRUE(child->waitForFinished(60000));
        EXPECT_EQ(child->exitCode(), 0) << child->readAllStandardOutput().toStdString();
        delete child;
    }
    EncryptedFileSecretStore store(dir.path());
    for (const QString &prefix : {QStringLiteral("p1-"), QStringLiteral("p2-"), QStringLiteral("p3-")}) {
        for (int i = 0; i < kEntriesPerWriter; ++i) {
            const Result<QString> v = store.read(prefix + QString::number(i));
            ASSERT_TRUE(v.ok()) << prefix.toStdString() << i;
            EXPECT_EQ(*v, prefix + QStringLiteral("value") + QString::number(i));
        }
    }
}
