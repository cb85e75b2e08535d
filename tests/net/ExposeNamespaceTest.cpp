// SPDX-License-Identifier: GPL-3.0-or-later
// `tarn --expose tailscale` on a made-up tailnet: two network namespaces joined by a veth pair, the
// gateway's side named tailscale0 with 100.100.1.100/10, the client's 100.100.1.2/10 (and a LAN
// address, 192.168.77.2/24, on the same link). Needs root and `ip netns`; skipped otherwise. All
// traffic stays inside the two namespaces, which the test removes.
#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QThread>
#include <QProcess>
#include <QTemporaryDir>

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <functional>
#include <future>
#include <optional>
#include <string>

namespace {

// Waits for done (a condition, polled with a short sleep; events are processed) up to timeoutMs.
bool waitUntil(const std::function<bool()> &done, int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    while (!done()) {
        if (deadline.hasExpired())
            return false;
        QCoreApplication::processEvents();
        QThread::msleep(50);
    }
    return true;
}

struct ProcessRun
{
    int code = -1;
    QString out;
    QString err;
};

ProcessRun run(const QString &program, const QStringList &args)
{
    QProcess p;
    p.start(program, args);
    if (!p.waitForFinished(60000)) {
        p.kill();
        p.waitForFinished();
        return {};
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromLocal8Bit(p.readAllStandardOutput()),
            QString::fromLocal8Bit(p.readAllStandardError())};
}

ProcessRun ip(const QString &line)
{
    return run(QStringLiteral("ip"), line.split(u' ', Qt::SkipEmptyParts));
}

// What happened to one request sent from inside a namespace.
struct Exchange
{
    bool connected = false;
    int status = 0;      // 0: no status line (closed, reset or timed out)
    std::string reply;
};

// Runs on a thread of its own that joins the namespace (setns changes the calling thread only),
// so the socket is created there. source: bind to this address first (empty: any).
Exchange exchangeIn(const QString &netns, const char *destination, quint16 port, const std::string &request,
                    const char *source = nullptr)
{
    return std::async(std::launch::async, [=] {
               Exchange result;
               const int nsFd = ::open(qPrintable(QStringLiteral("/var/run/netns/") + netns), O_RDONLY | O_CLOEXEC);
               if (nsFd < 0 || ::setns(nsFd, CLONE_NEWNET) != 0) {
                   if (nsFd >= 0)
                       ::close(nsFd);
                   return result;
               }
               ::close(nsFd);
               const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
               timeval timeout{10, 0};
               ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
               ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
               if (source) {
                   sockaddr_in local{};
                   local.sin_family = AF_INET;
                   ::inet_pton(AF_INET, source, &local.sin_addr);
                   if (::bind(fd, reinterpret_cast<sockaddr *>(&local), sizeof local) != 0) {
                       ::close(fd);
                       return result;
                   }
               }
               sockaddr_in remote{};
               remote.sin_family = AF_INET;
               remote.sin_port = htons(port);
               ::inet_pton(AF_INET, destination, &remote.sin_addr);
               result.connected = ::connect(fd, reinterpret_cast<sockaddr *>(&remote), sizeof remote) == 0;
               if (result.connected && ::send(fd, request.data(), request.size(), MSG_NOSIGNAL) == ssize_t(request.size())) {
                   char buffer[4096];
                   for (ssize_t n; (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0;)
                       result.reply.append(buffer, size_t(n));
                   if (result.reply.rfind("HTTP/1.1 ", 0) == 0 && result.reply.size() >= 12)
                       result.status = std::stoi(result.reply.substr(9, 3));
               }
               ::close(fd);
               return result;
           })
        .get();
}

std::string modelsRequest(const QString &key = {})
{
    std::string request = "GET /v1/models HTTP/1.1\r\nHost: tarn\r\nConnection: close\r\n";
    if (!key.isEmpty())
        request += "Authorization: Bearer " + key.toStdString() + "\r\n";
    return request + "\r\n";
}

class ExposeNamespaceTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        if (::geteuid() != 0)
            GTEST_SKIP() << "needs root to make network namespaces";
        if (ip(QStringLiteral("netns list")).code != 0)
            GTEST_SKIP() << "needs `ip netns` (iproute2)";
        const QString id = QString::number(::getpid());
        m_gw = QStringLiteral("tarn-gw-") + id;
        m_client = QStringLiteral("tarn-cl-") + id;
        const QString vethGw = QStringLiteral("tgw") + id, vethClient = QStringLiteral("tcl") + id;
        // A container without CAP_SYS_ADMIN lists namespaces but cannot make one: skipped, not failed.
        if (const ProcessRun made = ip(QStringLiteral("netns add %1").arg(m_gw)); made.code != 0)
            GTEST_SKIP() << "cannot make a network namespace here: " << made.err.trimmed().toStdString();
        m_made = true;
        for (const QString &line : {QStringLiteral("netns add %1").arg(m_client),
                                    QStringLiteral("link add %1 type veth peer name %2").arg(vethGw, vethClient),
                                    QStringLiteral("link set %1 netns %2").arg(vethGw, m_gw),
                                    QStringLiteral("link set %1 netns %2").arg(vethClient, m_client),
                                    QStringLiteral("-n %1 link set %2 name tailscale0").arg(m_gw, vethGw),
                                    QStringLiteral("-n %1 link set lo up").arg(m_gw),
                                    QStringLiteral("-n %1 link set lo up").arg(m_client),
                                    QStringLiteral("-n %1 addr add 100.100.1.100/10 dev tailscale0").arg(m_gw),
                                    QStringLiteral("-n %1 addr add 192.168.77.1/24 dev tailscale0").arg(m_gw),
                                    QStringLiteral("-n %1 addr add 100.100.1.2/10 dev %2").arg(m_client, vethClient),
                                    QStringLiteral("-n %1 addr add 192.168.77.2/24 dev %2").arg(m_client, vethClient),
                                    QStringLiteral("-n %1 link set tailscale0 up").arg(m_gw),
                                    QStringLiteral("-n %1 link set %2 up").arg(m_client, vethClient)}) {
            const ProcessRun r = ip(line);
            ASSERT_EQ(r.code, 0) << "ip " << line.toStdString() << ": " << r.err.toStdString();
        }
    }

    void TearDown() override
    {
        if (m_tarn.state() != QProcess::NotRunning) {
            m_tarn.terminate();
            if (!m_tarn.waitForFinished(15000))
                m_tarn.kill();
            m_tarn.waitForFinished();
        }
        if (m_made) {
            ip(QStringLiteral("netns del %1").arg(m_gw)); // takes the veth pair with it
            ip(QStringLiteral("netns del %1").arg(m_client));
        }
    }

    QString m_gw, m_client;
    bool m_made = false;
    QProcess m_tarn;
    QTemporaryDir m_dir;
};

TEST_F(ExposeNamespaceTest, TailnetPeersWithAKeyGetInOthersDoNot)
{
    const QString dataDir = m_dir.filePath(QStringLiteral("data"));
    const ProcessRun created = run(QStringLiteral(TARN_EXECUTABLE),
                            {QStringLiteral("--data-dir"), dataDir, QStringLiteral("key"), QStringLiteral("create"),
                             QStringLiteral("--name"), QStringLiteral("phone")});
    ASSERT_EQ(created.code, 0) << created.err.toStdString();
    const QString key = created.out.trimmed();

    m_tarn.setProgram(QStringLiteral("ip"));
    m_tarn.setArguments({QStringLiteral("netns"), QStringLiteral("exec"), m_gw, QStringLiteral(TARN_EXECUTABLE),
                         QStringLiteral("--headless"), QStringLiteral("--data-dir"), dataDir, QStringLiteral("--expose"),
                         QStringLiteral("tailscale"), QStringLiteral("--port"), QStringLiteral("0")});
    m_tarn.start();
    QString announced;
    ASSERT_TRUE(waitUntil([&] {
        m_tarn.waitForReadyRead(100);
        announced += QString::fromLocal8Bit(m_tarn.readAllStandardOutput());
        return (announced.contains(u"listening on http://100.100.1.100:") && announced.contains(u"admin on "))
            || m_tarn.state() == QProcess::NotRunning;
    }, 30000)) << announced.toStdString() << QString::fromLocal8Bit(m_tarn.readAllStandardError()).toStdString();
    ASSERT_TRUE(announced.contains(u"listening on http://100.100.1.100:")) << announced.toStdString();
    const qsizetype at = announced.indexOf(u"listening on http://127.0.0.1:");
    ASSERT_GE(at, 0) << announced.toStdString();
    const quint16 port = announced.mid(at + 30).section(u'\n', 0, 0).trimmed().toUShort();
    ASSERT_GT(port, 0);
    EXPECT_TRUE(announced.contains(QStringLiteral("listening on http://100.100.1.100:%1").arg(port))) << announced.toStdString();
    // Nothing else: not the LAN address on the same interface.
    EXPECT_FALSE(announced.contains(u"192.168.77.1")) << announced.toStdString();

    // From the tailnet: a key gets in, no key is a 401 in OpenAI's shape.
    Exchange e = exchangeIn(m_client, "100.100.1.100", port, modelsRequest(key));
    EXPECT_EQ(e.status, 200) << e.reply;
    e = exchangeIn(m_client, "100.100.1.100", port, modelsRequest());
    EXPECT_EQ(e.status, 401) << e.reply;
    EXPECT_NE(e.reply.find("\"error\""), std::string::npos) << e.reply;

    // The LAN address is not listened on; and a LAN peer that reaches the tailnet address (same
    // link, its own route) is closed without an answer even with a valid key.
    e = exchangeIn(m_client, "192.168.77.1", port, modelsRequest(key));
    EXPECT_FALSE(e.connected);
    e = exchangeIn(m_client, "100.100.1.100", port, modelsRequest(key), "192.168.77.2");
    EXPECT_TRUE(e.connected);
    EXPECT_EQ(e.status, 0) << e.reply;
    EXPECT_TRUE(e.reply.empty()) << e.reply;

    // Loopback on the gateway machine still works, without a key.
    e = exchangeIn(m_gw, "127.0.0.1", port, modelsRequest());
    EXPECT_EQ(e.status, 200) << e.reply;

    // The management API is on the gateway's loopback only: the tailnet cannot even connect to
    // its port, loopback gets an answer (401 without the admin token).
    const qsizetype adminAt = announced.indexOf(u"admin on http://127.0.0.1:");
    ASSERT_GE(adminAt, 0) << announced.toStdString();
    const quint16 adminPort = announced.mid(adminAt + 26).section(u'\n', 0, 0).trimmed().toUShort();
    ASSERT_GT(adminPort, 0) << announced.toStdString();
    const std::string adminStatus = "GET /admin/v1/status HTTP/1.1\r\nHost: tarn\r\nConnection: close\r\n\r\n";
    e = exchangeIn(m_client, "100.100.1.100", adminPort, adminStatus);
    EXPECT_FALSE(e.connected) << e.reply;
    EXPECT_EQ(e.status, 0) << e.reply;
    e = exchangeIn(m_gw, "127.0.0.1", adminPort, adminStatus);
    EXPECT_EQ(e.status, 401) << e.reply;

    // An address that comes later is bound without a restart, on the same port.
    ASSERT_EQ(ip(QStringLiteral("-n %1 addr add 100.100.1.101/10 dev tailscale0").arg(m_gw)).code, 0);
    EXPECT_TRUE(waitUntil([&] { return exchangeIn(m_client, "100.100.1.101", port, modelsRequest(key)).status == 200; },
                                      30000));
    EXPECT_EQ(m_tarn.state(), QProcess::Running);
}

} // namespace
