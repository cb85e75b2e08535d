// SPDX-License-Identifier: GPL-3.0-or-later
// The real `tarn` executable, run through QProcess.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

#include <gtest/gtest.h>

namespace {

struct ProcessResult
{
    int code = -1;
    QString out;
    QString err;
};

ProcessResult runTarn(const QStringList &args)
{
    QProcess process;
    process.start(QStringLiteral(TARN_EXECUTABLE), args);
    ProcessResult result;
    if (!process.waitForStarted(10000)) {
        result.err = QStringLiteral("cannot start %1: %2").arg(QStringLiteral(TARN_EXECUTABLE), process.errorString());
        return result;
    }
    if (!process.waitForFinished(30000)) {
        process.kill();
        process.waitForFinished();
        result.err = QStringLiteral("tarn did not finish");
        return result;
    }
    result.code = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.out = QString::fromUtf8(process.readAllStandardOutput());
    result.err = QString::fromUtf8(process.readAllStandardError());
    return result;
}

TEST(BinaryTest, VersionPrintsTheVersionLine)
{
    const ProcessResult r = runTarn({QStringLiteral("--version")});
    EXPECT_EQ(r.code, 0) << r.err.toStdString();
    const QStringList lines = r.out.trimmed().split(u'\n');
    ASSERT_EQ(lines.size(), 2) << r.out.toStdString();
    EXPECT_EQ(lines.at(0).toStdString(), "tarn 0.1.0");
#ifdef TARN_WITH_MIMALLOC
    // Linked is not enough: the line says mimalloc only when malloc() hands out its memory.
    EXPECT_TRUE(lines.at(1).startsWith(QStringLiteral("allocator: mimalloc 2."))) << lines.at(1).toStdString();
#else
    EXPECT_EQ(lines.at(1).toStdString(), "allocator: system");
#endif
}

TEST(BinaryTest, ChannelAddThenListJson)
{
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    const ProcessResult add = runTarn({QStringLiteral("--data-dir"), dir.path(), QStringLiteral("channel"), QStringLiteral("add"),
                                       QStringLiteral("--name"), QStringLiteral("main"), QStringLiteral("--type"), QStringLiteral("openai"),
                                       QStringLiteral("--base-url"), QStringLiteral("https://api.openai.com/v1"),
                                       QStringLiteral("--key"), QStringLiteral("sk-binary-test-123"),
                                       QStringLiteral("--models"), QStringLiteral("gpt-4o")});
    ASSERT_EQ(add.code, 0) << add.err.toStdString();
    const ProcessResult list = runTarn({QStringLiteral("--data-dir"), dir.path(), QStringLiteral("channel"), QStringLiteral("list"),
                                        QStringLiteral("--json")});
    ASSERT_EQ(list.code, 0) << list.err.toStdString();
    const QJsonArray array = QJsonDocument::fromJson(list.out.toUtf8()).array();
    ASSERT_EQ(array.size(), 1) << list.out.toStdString();
    EXPECT_EQ(array.at(0).toObject().value(QStringLiteral("name")).toString(), QStringLiteral("main"));
    EXPECT_FALSE(list.out.contains(u"sk-binary-test-123"));
}

TEST(BinaryTest, BadInputExitsWithUsageError)
{
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    const ProcessResult r = runTarn({QStringLiteral("--data-dir"), dir.path(), QStringLiteral("channel"), QStringLiteral("add"),
                                     QStringLiteral("--name"), QStringLiteral("x"), QStringLiteral("--type"), QStringLiteral("cohere")});
    EXPECT_EQ(r.code, 2) << r.err.toStdString();
    EXPECT_TRUE(r.err.startsWith(u"tarn: ")) << r.err.toStdString();
}

} // namespace
