// SPDX-License-Identifier: GPL-3.0-or-later
// The `tarn` binary as scripts use it: listening lines, live pick-up of CLI edits, graceful SIGTERM.
#include "gateway/storage/Database.h"
#include "gateway/storage/UsageRepository.h"
#include "tests/integration/GatewayHarness.h"
#include "tests/support/HttpTestClient.h"
#include "tests/support/MockUpstream.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QHostAddress>
#include <QJsonArray>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTcpSocket>

#include <gtest/gtest.h>

#include <csignal>

using namespace tarn::test;

namespace {

QString tarnBinary()
{
    return QStringLiteral(TARN_EXECUTABLE);
}

int runCli(const QStringList &args)
{
    QProcess p;
    p.start(tarnBinary(), args);
    if (!p.waitForFinished(10000))
        return -1;
    return p.exitCode();
}

QProcessEnvironment withoutDisplay()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("DISPLAY"));
    env.remove(QStringLiteral("WAYLAND_DISPLAY"));
    env.remove(QStringLiteral("QT_QPA_PLATFORM"));
    return env;
}

#ifdef TARN_HAVE_GUI
// A display Qt can always open: the desktop application runs on it.
QProcessEnvironment offscreenDisplay()
{
    QProcessEnvironment env = withoutDisplay();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    return env;
}
#endif

#ifdef Q_OS_LINUX
// Shared objects mapped into a running process, e.g. to see which Qt modules it loaded.
QString mappedFiles(qint64 pid)
{
    QFile maps(QStringLiteral("/proc/%1/maps").arg(pid));
    return maps.open(QIODevice::ReadOnly) ? QString::fromUtf8(maps.readAll()) : QString();
}
#endif

// A Tarn child process (headless unless given a display).
class TarnProcess
{
public:
    explicit TarnProcess(const QStringList &args, const QProcessEnvironment &env = withoutDisplay(),
                         const QString &binary = tarnBinary())
    {
        m_process.setProcessEnvironment(env);
        m_process.setProcessChannelMode(QProcess::MergedChannels);
        m_process.start(binary, args);
        QElapsedTimer timer;
        timer.start();
        const QRegularExpression line(QStringLiteral("^listening on (http://\\S+)$"));
        const QRegularExpression adminLine(QStringLiteral("^admin on (http://\\S+)$"));
        while (timer.elapsed() < 10000 && m_process.state() != QProcess::NotRunning) {
            m_process.waitForReadyRead(100);
            while (m_process.canReadLine()) {
                const QString text = QString::fromUtf8(m_process.readLine()).trimmed();
                const auto match = line.match(text);
                const auto adminMatch = adminLine.match(text);
                if (match.hasMatch())
                    urls.append(match.captured(1));
                else if (adminMatch.hasMatch())
                    admin = adminMatch.captured(1);
                else
                    other.append(text);
            }
            // The admin line comes after the listening ones (none with --no-admin).
            if (urls.size() >= expectedLines(args) && (!admin.isEmpty() || args.contains(QStringLiteral("--no-admin"))))
                break;
        }
    }
    ~TarnProcess()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(3000);
        }
    }
    static int expectedLines(const QStringList &args) { return qMax(1, int(args.count(QStringLiteral("--listen")))); }
    qint64 pid() const { return m_process.processId(); }
    int terminate()
    {
        ::kill(pid_t(m_process.processId()), SIGTERM);
        if (!m_process.waitForFinished(10000))
            return -1;
        return m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -2;
    }

    // Waits for the process to end on its own; its exit code, or -1.
    int exitCode()
    {
        if (m_process.state() != QProcess::NotRunning && !m_process.waitForFinished(10000))
            return -1;
        other.append(QString::fromUtf8(m_process.readAll()).split(u'\n', Qt::SkipEmptyParts));
        return m_process.exitCode();
    }

    QStringList urls;
    QString admin; // the management API's URL, from its "admin on" line
    QStringList other;

private:
    QProcess m_process;
};

QStringList modelIds(const HttpResult &r)
{
    QStringList ids;
    for (const QJsonValue &v : r.json().value(u"data").toArray())
        ids.append(v.toObject().value(u"id").toString());
    return ids;
}

} // namespace

TEST(Process, PrintsOneListeningLinePerSocket)
{
    TempDataDir dir;
    TarnProcess tarn({QStringLiteral("--headless"), QStringLiteral("--data-dir"), dir.path(), QStringLiteral("--listen"),
                      QStringLiteral("127.0.0.1:0"), QStringLiteral("--listen"), QStringLiteral("[::1]:0")});
    ASSERT_EQ(tarn.urls.size(), 2) << tarn.other.join(u'\n').toStdString();
    EXPECT_TRUE(tarn.urls[0].startsWith(QStringLiteral("http://127.0.0.1:")));
    EXPECT_TRUE(tarn.urls[1].startsWith(QStringLiteral("http://[::1]:")));
    HttpTestClient client;
    EXPECT_EQ(client.request("GET", tarn.urls[0] + QStringLiteral("/health")).status, 200);
    EXPECT_EQ(tarn.terminate(), 0);
}

// The management API's line follows the listening ones: on 127.0.0.1, any free port when the
// gateway was given port 0, the gateway's port + 1 otherwise; it wants the data dir's token.
TEST(Process, AnnouncesTheManagementApiOnLoopback)
{
    TempDataDir dir;
    TarnProcess tarn({QStringLiteral("--headless"), QStringLiteral("--data-dir"), dir.path(), QStringLiteral("--listen"),
                      QStringLiteral("127.0.0.1:0")});
    ASSERT_TRUE(tarn.admin.startsWith(QStringLiteral("http://127.0.0.1:"))) << tarn.other.join(u'\n').toStdString();
    HttpTestClient client;
    EXPECT_EQ(client.request("GET", tarn.admin + QStringLiteral("/admin/v1/status")).status, 401);
    QFile tokenFile(dir.filePath(QStringLiteral("admin-token")));
    ASSERT_TRUE(tokenFile.open(QIODevice::ReadOnly));
    const HttpResult status = client.request("GET", tarn.admin + QStringLiteral("/admin/v1/status"), {},
                                             {{"Authorization", "Bearer " + tokenFile.readAll().trimmed()}});
    EXPECT_EQ(status.status, 200);
    EXPECT_EQ(status.json().value(u"listening").toArray().first().toString(), tarn.urls.first());
    EXPECT_EQ(tarn.terminate(), 0);

    // A fixed port: the API on the next one. Found free by binding both and letting go.
    quint16 port = 0;
    for (int attempt = 0; attempt < 20 && port == 0; ++attempt) {
        QTcpServer a;
        QTcpServer b;
        if (a.listen(QHostAddress::LocalHost, 0) && a.serverPort() < 65535 && b.listen(QHostAddress::LocalHost, a.serverPort() + 1))
            port = a.serverPort();
    }
    ASSERT_GT(port, 0);
    TarnProcess fixed({QStringLiteral("--headless"), QStringLiteral("--data-dir"), dir.path(), QStringLiteral("--listen"),
                       QStringLiteral("127.0.0.1:%1").arg(port)});
    EXPECT_EQ(fixed.admin, QStringLiteral("http://127.0.0.1:%1").arg(port + 1)) << fixed.other.join(u'\n').toStdString();
    EXPECT_EQ(fixed.terminate(), 0);

    TarnProcess off({QStringLiteral("--headless"), QStringLiteral("--data-dir"), dir.path(), QStringLiteral("--listen"),
                     QStringLiteral("127.0.0.1:0"), QStringLiteral("--no-admin")});
    ASSERT_EQ(off.urls.size(), 1);
    EXPECT_TRUE(off.admin.isEmpty());
    EXPECT_EQ(off.terminate(), 0);
}

#ifdef Q_OS_LINUX
TEST(Process, HeadlessRunsNeverLoadTheDesktopLibraries)
{
    TempDataDir dir;
    TarnProcess tarn({QStringLiteral("--headless"), QStringLiteral("--data-dir"), dir.path(), QStringLiteral("--listen"),
                      QStringLiteral("127.0.0.1:0")});
    ASSERT_EQ(tarn.urls.size(), 1) << tarn.other.join(u'\n').toStdString();
    const QString maps = mappedFiles(tarn.pid());
    ASSERT_TRUE(maps.contains(QStringLiteral("libQt6Core"))) << "could not read the process's mappings";
    EXPECT_FALSE(maps.contains(QStringLiteral("libQt6Widgets")));
    EXPECT_FALSE(maps.contains(QStringLiteral("libQt6Gui")));
    EXPECT_FALSE(maps.contains(QStringLiteral("tarn_desktop")));
    EXPECT_EQ(tarn.terminate(), 0);
}
#endif

#ifdef TARN_HAVE_GUI
TEST(Process, WithADisplayTheDesktopModuleRunsTheGatewayAndQuitsOnSigterm)
{
    TempDataDir dir;
    TarnProcess tarn({QStringLiteral("--data-dir"), dir.path(), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0")},
                     offscreenDisplay());
    ASSERT_EQ(tarn.urls.size(), 1) << tarn.other.join(u'\n').toStdString();
    HttpTestClient client;
    EXPECT_EQ(client.request("GET", tarn.urls[0] + QStringLiteral("/health")).status, 200);
#ifdef Q_OS_LINUX
    const QString maps = mappedFiles(tarn.pid());
    EXPECT_TRUE(maps.contains(QStringLiteral("tarn_desktop")));
    EXPECT_TRUE(maps.contains(QStringLiteral("libQt6Widgets")));
#endif
    EXPECT_EQ(tarn.terminate(), 0);
}

TEST(Process, WithoutTheDesktopModuleTarnSaysSoAndPointsAtHeadless)
{
    TempDataDir dir;
    const QString lonely = dir.path() + QStringLiteral("/bin/tarn");
    ASSERT_TRUE(QDir().mkpath(dir.path() + QStringLiteral("/bin")));
    ASSERT_TRUE(QFile::copy(tarnBinary(), lonely));
    TarnProcess tarn({QStringLiteral("--data-dir"), dir.path() + QStringLiteral("/data"), QStringLiteral("--listen"),
                      QStringLiteral("127.0.0.1:0")},
                     offscreenDisplay(), lonely);
    EXPECT_TRUE(tarn.urls.isEmpty());
    EXPECT_EQ(tarn.exitCode(), 1);
    const QString output = tarn.other.join(u'\n');
    EXPECT_TRUE(output.contains(QStringLiteral("desktop module"))) << output.toStdString();
    EXPECT_TRUE(output.contains(QStringLiteral("tarn --headless"))) << output.toStdString();
}
#endif

TEST(Process, ARunningTarnPicksUpCommandLineChangesWithinTwoSeconds)
{
    TempDataDir dir;
    TarnProcess tarn({QStringLiteral("--headless"), QStringLiteral("--data-dir"), dir.path(), QStringLiteral("--listen"),
                      QStringLiteral("127.0.0.1:0")});
    ASSERT_EQ(tarn.urls.size(), 1);
    const QString models = tarn.urls[0] + QStringLiteral("/v1/models");
    HttpTestClient client;
    EXPECT_TRUE(modelIds(client.request("GET", models)).isEmpty());

    ASSERT_EQ(runCli({QStringLiteral("--data-dir"), dir.path(), QStringLiteral("channel"), QStringLiteral("add"),
                      QStringLiteral("--name"), QStringLiteral("live"), QStringLiteral("--type"), QStringLiteral("openai"),
                      QStringLiteral("--base-url"), QStringLiteral("http://127.0.0.1:9/v1"), QStringLiteral("--key"),
                      QStringLiteral("sk-live"), QStringLiteral("--models"), QStringLiteral("live-model")}),
              0);
    QElapsedTimer timer;
    timer.start();
    while (!modelIds(client.request("GET", models)).contains(QStringLiteral("live-model")) && timer.elapsed() < 5000)
        QThread::msleep(50);
    EXPECT_LE(timer.elapsed(), 2000);

    ASSERT_EQ(runCli({QStringLiteral("--data-dir"), dir.path(), QStringLiteral("channel"), QStringLiteral("disable"),
                      QStringLiteral("live")}),
              0);
    timer.restart();
    while (modelIds(client.request("GET", models)).contains(QStringLiteral("live-model")) && timer.elapsed() < 5000)
        QThread::msleep(50);
    EXPECT_LE(timer.elapsed(), 2000);
    EXPECT_EQ(tarn.terminate(), 0);
}

TEST(Process, SigtermLetsTheInFlightRequestFinishAndKeepsItsUsageRow)
{
    MockUpstream mock;
    MockBehaviour slow;
    slow.delayMs = 600;
    mock.setDefaultBehaviour(slow);
    TempDataDir dir;
    ASSERT_EQ(runCli({QStringLiteral("--data-dir"), dir.path(), QStringLiteral("channel"), QStringLiteral("add"),
                      QStringLiteral("--name"), QStringLiteral("m"), QStringLiteral("--type"), QStringLiteral("openai"),
                      QStringLiteral("--base-url"), mock.baseUrl(), QStringLiteral("--key"), QStringLiteral("sk-m"),
                      QStringLiteral("--models"), QStringLiteral("gpt-x")}),
              0);
    TarnProcess tarn({QStringLiteral("--headless"), QStringLiteral("--data-dir"), dir.path(), QStringLiteral("--listen"),
                      QStringLiteral("127.0.0.1:0")});
    ASSERT_EQ(tarn.urls.size(), 1);
    const QUrl url(tarn.urls[0]);
    QTcpSocket socket;
    socket.connectToHost(QStringLiteral("127.0.0.1"), quint16(url.port()));
    ASSERT_TRUE(socket.waitForConnected(2000));
    const QByteArray body = chatBody(QStringLiteral("gpt-x"));
    socket.write("POST /v1/chat/completions HTTP/1.1\r\nHost: t\r\nContent-Length: " + QByteArray::number(body.size())
                 + "\r\n\r\n" + body);
    socket.waitForBytesWritten(1000);
    ASSERT_TRUE(mock.waitForRequests(1, 3000));
    // The request is now in flight upstream; ask Tarn to stop.
    const qint64 pid = tarn.pid();
    ::kill(pid_t(pid), SIGTERM);
    QByteArray answer;
    QElapsedTimer timer;
    timer.start();
    while (!answer.contains("chat.completion") && timer.elapsed() < 5000) {
        socket.waitForReadyRead(100);
        answer.append(socket.readAll());
    }
    EXPECT_TRUE(answer.startsWith("HTTP/1.1 200 ")) << answer.constData();
    EXPECT_EQ(tarn.terminate(), 0);

    auto db = tarn::gateway::Database::open(dir.dbPath(), QStringLiteral("sigterm-check"));
    ASSERT_TRUE(db.ok());
    auto rows = tarn::gateway::UsageRepository(**db).recent(10);
    ASSERT_TRUE(rows.ok());
    ASSERT_EQ(rows->size(), 1);
    EXPECT_EQ(rows->at(0).status, 200);
    EXPECT_GT(rows->at(0).promptTokens, 0);
}
