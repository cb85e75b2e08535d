// SPDX-License-Identifier: GPL-3.0-or-later
#include "tests/integration/RoutingTestSupport.h"

#include "gateway/cli/CommandLine.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QMutexLocker>
#include <QTest>
#include <QTextStream>
#include <QThread>

#include <algorithm>
#include <atomic>

namespace tarn::test::routing {

using gateway::Channel;
using gateway::ChannelStatus;

QByteArray chatRequest(int n, Ask ask)
{
    const QString text = QStringLiteral("Request %1: say hello in five words").arg(n, 6, 10, QLatin1Char('0'));
    QJsonValue content = text;
    if (ask.image) {
        content = QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("text")}, {QStringLiteral("text"), text}},
                             QJsonObject{{QStringLiteral("type"), QStringLiteral("image_url")},
                                         {QStringLiteral("image_url"),
                                          QJsonObject{{QStringLiteral("url"), QStringLiteral("data:image/png;base64,iVBORw0KGgo=")}}}}};
    }
    QJsonObject body{{QStringLiteral("model"), kModel},
                     {QStringLiteral("messages"),
                      QJsonArray{QJsonObject{{QStringLiteral("role"), QStringLiteral("user")}, {QStringLiteral("content"), content}}}}};
    if (ask.stream)
        body.insert(u"stream", true);
    if (ask.tools) {
        const QJsonObject parameters{{QStringLiteral("type"), QStringLiteral("object")},
                                     {QStringLiteral("properties"),
                                      QJsonObject{{QStringLiteral("query"), QJsonObject{{QStringLiteral("type"), QStringLiteral("string")}}}}},
                                     {QStringLiteral("required"), QJsonArray{QStringLiteral("query")}}};
        body.insert(u"tools", QJsonArray{QJsonObject{
                                  {QStringLiteral("type"), QStringLiteral("function")},
                                  {QStringLiteral("function"), QJsonObject{{QStringLiteral("name"), QStringLiteral("lookup")},
                                                                           {QStringLiteral("description"), QStringLiteral("Looks a word up")},
                                                                           {QStringLiteral("parameters"), parameters}}}}});
    }
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

MockBehaviour answering(int status, MockHeaders headers, QByteArray body)
{
    MockBehaviour b;
    b.status = status;
    b.headers = std::move(headers);
    b.body = std::move(body);
    return b;
}

MockBehaviour delayed(int delayMs, MockBehaviour b)
{
    b.delayMs = delayMs;
    return b;
}

QString describe(const HttpResult &r)
{
    return QStringLiteral("HTTP %1 %2 %3").arg(r.status).arg(QString::fromUtf8(r.body.left(300)), r.error);
}

QList<int> sendConcurrently(const QString &url, int total, int inFlight, const std::function<QByteArray(int)> &makeBody)
{
    QList<int> statuses(total, 0);
    QMutex mutex;
    std::atomic<int> next{0};
    std::vector<std::unique_ptr<QThread>> threads;
    for (int t = 0; t < inFlight; ++t) {
        threads.emplace_back(QThread::create([&] {
            HttpTestClient client;
            for (int i = next++; i < total; i = next++) {
                const HttpResult r = client.request("POST", url, makeBody(i), {}, kTimeoutMs);
                QMutexLocker lock(&mutex);
                statuses[i] = r.status;
            }
        }));
        threads.back()->start();
    }
    const bool done = QTest::qWaitFor(
        [&] {
            return std::all_of(threads.cbegin(), threads.cend(), [](const auto &t) { return t->isFinished(); });
        },
        300'000);
    EXPECT_TRUE(done) << "client threads did not finish";
    for (auto &t : threads)
        t->wait();
    return statuses;
}

void Routing::SetUp()
{
    tarn.setRouterOptions({clock.fn(), kSeed});
}

void Routing::TearDown()
{
    tarn.stop();
}

MockUpstream &Routing::mock()
{
    m_mocks.push_back(std::make_unique<MockUpstream>());
    return *m_mocks.back();
}

Channel Routing::add(const QString &name, const MockUpstream &upstream, int priority, double weight,
                     const std::function<void(Channel &)> &tweak)
{
    Channel channel;
    channel.name = name;
    channel.baseUrl = upstream.baseUrl();
    channel.keys = {QStringLiteral("sk-%1-0123456789").arg(name)};
    channel.models = {kModel};
    channel.priority = priority;
    channel.weight = weight;
    if (tweak)
        tweak(channel);
    return tarn.addChannel(channel);
}

QString Routing::chatUrl() const
{
    return tarn.url(QStringLiteral("/v1/chat/completions"));
}

HttpResult Routing::post(const QByteArray &body, const HttpHeaders &headers)
{
    return client.request("POST", chatUrl(), body, headers, kTimeoutMs);
}

HttpResult Routing::ask(Ask what, const HttpHeaders &headers)
{
    return post(chatRequest(++m_sent, what), headers);
}

void Routing::askOk(int n, Ask what, const HttpHeaders &headers)
{
    for (int i = 0; i < n; ++i) {
        const HttpResult r = ask(what, headers);
        EXPECT_EQ(r.status, 200) << "request " << m_sent << ": " << describe(r).toStdString();
    }
}

ChannelStatus Routing::status(const QString &name)
{
    for (const ChannelStatus &s : tarn.gateway().routerStatus().channels) {
        if (s.name == name)
            return s;
    }
    ADD_FAILURE() << "no router status for channel " << name.toStdString();
    return {};
}

QString Routing::cli(const QStringList &args)
{
    QString out, err;
    QTextStream outStream(&out), errStream(&err);
    const int code = gateway::runCommand(
        gateway::parseInvocation(QStringList{QStringLiteral("--data-dir"), tarn.dataDir().path()} + args), outStream,
        errStream);
    outStream.flush();
    errStream.flush();
    EXPECT_EQ(code, 0) << args.join(u' ').toStdString() << ": " << out.toStdString() << err.toStdString();
    return out;
}

} // namespace tarn::test::routing
