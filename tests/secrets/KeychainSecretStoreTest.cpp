// SPDX-License-Identifier: GPL-3.0-or-later
// The keychain store against a real Secret Service (GNOME Keyring on a private D-Bus session):
// run by tests/secrets/run-keychain-tests.sh, which starts both and sets TARN_KEYCHAIN_TEST=1;
// skipped everywhere else (never touches the keychain of whoever runs the tests). Plus the
// fallback: with no keychain service, the vault chooses the encrypted file and says why.
#include "gateway/secrets/KeychainSecretStore.h"
#include "gateway/secrets/SecretVault.h"
#include "gateway/storage/ChannelRepository.h"
#include "gateway/storage/Database.h"
#include "tests/support/ScopedEnv.h"
#include "tests/support/TempDataDir.h"

#include <QProcess>
#include <QSqlQuery>

#include <gtest/gtest.h>

using namespace tarn::gateway;
using tarn::test::ScopedEnv;
using tarn::test::TempDataDir;

namespace {

bool secretServiceRuns()
{
    return qEnvironmentVariable("TARN_KEYCHAIN_TEST") == u"1";
}

} // namespace

TEST(KeychainSecretService, RoundTrip)
{
    if (!secretServiceRuns())
        GTEST_SKIP() << "needs a Secret Service: run through tests/secrets/run-keychain-tests.sh (ctest runs it)";
    ASSERT_TRUE(KeychainSecretStore::isBuiltIn());
    KeychainSecretStore store(QStringLiteral("Tarn test"));
    ASSERT_TRUE(store.probe().ok()) << store.probe().error().message.toStdString();
    ASSERT_TRUE(store.write(QStringLiteral("entry-1"), QStringLiteral("sk-keychain-secret-1")).ok());
    ASSERT_TRUE(store.write(QStringLiteral("entry-1"), QStringLiteral("sk-keychain-secret-2")).ok());
    EXPECT_EQ(*store.read(QStringLiteral("entry-1")), QStringLiteral("sk-keychain-secret-2"));
    ASSERT_TRUE(store.remove(QStringLiteral("entry-1")).ok());
    const Result<QString> gone = store.read(QStringLiteral("entry-1"));
    ASSERT_FALSE(gone.ok());
    EXPECT_EQ(gone.error().code, ErrorCode::NotFound);
    EXPECT_TRUE(store.remove(QStringLiteral("entry-1")).ok());
}

TEST(KeychainSecretService, VaultChoosesTheKeychainAndTheCommandLineSharesIt)
{
    if (!secretServiceRuns())
        GTEST_SKIP() << "needs a Secret Service: run through tests/secrets/run-keychain-tests.sh (ctest runs it)";
    TempDataDir dir;
    {
        const ScopedEnv automatic("TARN_SECRET_BACKEND", QByteArray());
        EXPECT_EQ(SecretVault::forDataDir(dir.path())->backendName(), QStringLiteral("keychain"));
        EXPECT_FALSE(SecretVault::forDataDir(dir.path())->fellBack());
    }
    // The command line, another process choosing for itself, writes the key to the keychain ...
    QProcess cli;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("TARN_SECRET_BACKEND"));
    cli.setProcessEnvironment(env);
    cli.start(QStringLiteral(TARN_EXECUTABLE),
              {QStringLiteral("--data-dir"), dir.path(), QStringLiteral("channel"), QStringLiteral("add"), QStringLiteral("--name"),
               QStringLiteral("kc"), QStringLiteral("--type"), QStringLiteral("openai"), QStringLiteral("--base-url"),
               QStringLiteral("http://127.0.0.1:9/v1"), QStringLiteral("--key"), QStringLiteral("sk-keychain-cli-0123456789"),
               QStringLiteral("--models"), QStringLiteral("gpt-x")});
    ASSERT_TRUE(cli.waitForFinished(60000));
    ASSERT_EQ(cli.exitCode(), 0) << cli.readAllStandardError().toStdString();
    // ... the database only references it, and this process reads it from there.
    auto db = Database::open(dir.dbPath(), QStringLiteral("keychain-test"));
    ASSERT_TRUE(db.ok());
    {
        QSqlQuery q((*db)->handle());
        ASSERT_TRUE(q.exec(QStringLiteral("SELECT keys FROM channels")) && q.next());
        EXPECT_TRUE(q.value(0).toString().contains(QStringLiteral("secret:keychain:")));
        EXPECT_FALSE(q.value(0).toString().contains(QStringLiteral("sk-keychain-cli")));
    }
    Result<Channel> channel = ChannelRepository(**db).findByName(QStringLiteral("kc"));
    ASSERT_TRUE(channel.ok());
    EXPECT_EQ(channel->keys, QStringList{QStringLiteral("sk-keychain-cli-0123456789")});
    ASSERT_TRUE(ChannelRepository(**db).remove(QStringLiteral("kc")).ok()); // and its keychain entry
}

#ifdef Q_OS_LINUX
TEST(KeychainSecretService, WithoutAServiceTheVaultFallsBackToTheFile)
{
    if (secretServiceRuns())
        GTEST_SKIP() << "a Secret Service runs here";
    TempDataDir dir;
    const ScopedEnv automatic("TARN_SECRET_BACKEND", QByteArray());
    // No session bus at all, as on a headless server (and never the developer's own keychain).
    const ScopedEnv noBus("DBUS_SESSION_BUS_ADDRESS", QByteArrayLiteral("unix:path=/nonexistent/tarn-test-bus"));
    const ScopedEnv noDisplay("DISPLAY", QByteArray());
    const std::shared_ptr<SecretVault> vault = SecretVault::forDataDir(dir.path());
    EXPECT_EQ(vault->backendName(), QStringLiteral("file"));
    EXPECT_TRUE(vault->fellBack());
    EXPECT_TRUE(vault->status().contains(QStringLiteral("no OS keychain service"))) << vault->status().toStdString();
    EXPECT_TRUE(vault->status().contains(QStringLiteral("secrets.enc")));
    const Result<QString> ref = vault->store(QStringLiteral("sk-fallback"));
    ASSERT_TRUE(ref.ok());
    EXPECT_TRUE(ref->startsWith(QStringLiteral("secret:file:")));
}
#endif
