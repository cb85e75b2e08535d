// SPDX-License-Identifier: GPL-3.0-or-later
// UpstreamClient against a scripted local HTTP server: what an observer sees, what the server sees.
#include "gateway/upstream/UpstreamClient.h"
#include "tests/upstream/TestHttpServer.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QHostAddress>
#include <QTcpServer>
#include <QTest>
#include <QTimer>

#include <gtest/gtest.h>

#include <sys/resource.h>

#include <cstdio>
#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

using namespace tarn::gateway;
using tarn::test::TestHttpServer;

namespace {

class CurlEnvironment final : public ::testing::Environment
{
public:
    void SetUp() override { UpstreamClient::globalInit(); }
};

[[maybe_unused]] const auto *const curlEnvironment =
    ::testing::AddGlobalTestEnvironment(new CurlEnvironment);

// Records every callback; optional hooks let a test act from inside a callback.
class Recorder final : public UpstreamObserver
{
public:
    void onUpstreamHead(const UpstreamResponseHead &head) override
    {
        if (finishCount > 0 || cancelled)
            ++lateCallbacks;
        ++heads;
        this->head = head;
        if (onHead)
            onHead();
    }
    void onUpstreamData(QByteArrayView data) override
    {
        if (finishCount > 0 || cancelled)
            ++lateCallbacks;
        if (heads == 0)
            ++dataBeforeHead;
        body += data;
        ++chunks;
        if (onData)
            onData(data);
    }
    void onUpstreamFinished(UpstreamFailure failure, const QString &detail) override
    {
        if (finishCount > 0 || cancelled)
            ++lateCallbacks;
        ++finishCount;
        this->failure = failure;
        this->detail = detail;
        if (onFinished)
            onFinished();
    }
    bool finished() const { return finishCount > 0; }

    int heads = 0;
    UpstreamResponseHead head;
    QByteArray body;
    int chunks = 0;
    int finishCount = 0;
    int dataBeforeHead = 0;
    int lateCallbacks = 0;
    bool cancelled = false;
    UpstreamFailure failure = UpstreamFailure::Other;
    QString detail;
    std::function<void()> onHead;
    std::function<void(QByteArrayView)> onData;
    std::function<void()> onFinished;
};

bool waitUntil(const std::function<bool()> &predicate, int timeoutMs = 5000)
{
    return QTest::qWaitFor(predicate, timeoutMs);
}

UpstreamRequest post(const QByteArray &url, const QByteArray &body = "{}")
{
    UpstreamRequest request;
    request.url = url;
    request.body = body;
    request.headers = {{"Content-Type", "application/json"}};
    return request;
}

TEST(UpstreamClient, PostRoundTripIsByteExact)
{
    TestHttpServer server;
    UpstreamClient client;
    Recorder recorder;
    UpstreamRequest request = post(server.url("/echo?beta=1"), R"({"model":"m","stream":false})");
    request.headers.emplaceBack("Authorization", "Bearer sk-test");
    request.headers.emplaceBack("X-Custom", "one");
    const quint64 id = client.start(request, &recorder);
    EXPECT_NE(id, 0u);
    EXPECT_EQ(client.activeCalls(), 1);
    ASSERT_TRUE(waitUntil([&] { return recorder.finished(); }));

    EXPECT_EQ(recorder.failure, UpstreamFailure::None) << recorder.detail.toStdString();
    EXPECT_EQ(recorder.heads, 1);
    EXPECT_EQ(recorder.dataBeforeHead, 0);
    EXPECT_EQ(recorder.head.status, 200);
    EXPECT_EQ(headerValue(recorder.head.headers, "x-echo-method"), "POST");
    EXPECT_EQ(headerValue(recorder.head.headers, "Content-Length"), QByteArray::number(request.body.size()));
    EXPECT_EQ(recorder.body, request.body);
    EXPECT_EQ(client.activeCalls(), 0);

    const auto seen = server.requests();
    ASSERT_EQ(seen.size(), 1);
    EXPECT_EQ(seen[0].method, "POST");
    EXPECT_EQ(seen[0].target, "/echo?beta=1");
    EXPECT_EQ(seen[0].body, request.body);
    EXPECT_EQ(seen[0].header("authorization"), "Bearer sk-test");
    EXPECT_EQ(seen[0].header("x-custom"), "one");
    EXPECT_EQ(seen[0].header("content-type"), "application/json");
    EXPECT_EQ(seen[0].header("content-length"), QByteArray::number(request.body.size()));
    EXPECT_FALSE(seen[0].hasHeader("expect"));
}

TEST(UpstreamClient, LargeBodyIsSentWithoutExpectContinue)
{
    TestHttpServer server;
    UpstreamClient client;
    Recorder recorder;
    QByteArray body(1024 * 1024 + 123, Qt::Uninitialized);
    for (qsizetype i = 0; i < body.size(); ++i)
        body[i] = char('a' + (i * 7) % 26);
    client.start(post(server.url("/echo"), body), &recorder);
    ASSERT_TRUE(waitUntil([&] { return recorder.finished(); }, 10000));
    EXPECT_EQ(recorder.failure, UpstreamFailure::None) << recorder.detail.toStdString();
    EXPECT_TRUE(recorder.body == body);
    const auto seen = server.requests();
    ASSERT_EQ(seen.size(), 1);
    EXPECT_FALSE(seen[0].hasHeader("expect")) << seen[0].header("expect").toStdString();
    EXPECT_TRUE(seen[0].body == body);
}

TEST(UpstreamClient, GetAndCustomMethodsAreSentAsAsked)
{
    TestHttpServer server;
    UpstreamClient client;
    Recorder get;
    Recorder put;
    UpstreamRequest getRequest;
    getRequest.method = "GET";
    getRequest.url = server.url("/echo");
    client.start(getRequest, &get);
    ASSERT_TRUE(waitUntil([&] { return get.finished(); }));
    UpstreamRequest putRequest = post(server.url("/echo"), "payload");
    putRequest.method = "PUT";
    client.start(putRequest, &put);
    ASSERT_TRUE(waitUntil([&] { return put.finished(); }));
    EXPECT_EQ(headerValue(get.head.headers, "X-Echo-Method"), "GET");
    EXPECT_EQ(headerValue(put.head.headers, "X-Echo-Method"), "PUT");
    EXPECT_EQ(put.body, "payload");
    const auto seen = server.requests();
    ASSERT_EQ(seen.size(), 2);
    EXPECT_FALSE(seen[0].hasHeader("content-type")); // no form-urlencoded default
    EXPECT_EQ(seen[1].body, "payload");
}

// Pooled easy handles keep their options between calls: nothing of one call may leak into the next.
TEST(UpstreamClient, AReusedHandleCarriesNothingOfTheCallBefore)
{
    TestHttpServer origin;
    TestHttpServer proxy(TestHttpServer::Mode::Proxy);
    UpstreamClient client;
    const auto run = [&](UpstreamRequest request) {
        Recorder recorder;
        client.start(std::move(request), &recorder);
        EXPECT_TRUE(waitUntil([&] { return recorder.finished(); }));
        EXPECT_EQ(recorder.failure, UpstreamFailure::None) << recorder.detail.toStdString();
        return headerValue(recorder.head.headers, "X-Echo-Method");
    };
    UpstreamRequest viaProxy = post(origin.url("/echo"), "first");
    viaProxy.method = "PUT";
    viaProxy.proxy = "http://127.0.0.1:" + QByteArray::number(proxy.port());
    run(viaProxy);
    UpstreamRequest head;
    head.method = "HEAD";
    head.url = origin.url("/echo");
    EXPECT_EQ(run(head), "HEAD");
    EXPECT_EQ(run(post(origin.url("/echo"), "second")), "POST");
    UpstreamRequest get;
    get.method = "GET";
    get.url = origin.url("/echo");
    EXPECT_EQ(run(get), "GET");
    UpstreamRequest remove = post(origin.url("/echo"), "third");
    remove.method = "DELETE";
    EXPECT_EQ(run(remove), "DELETE");

    ASSERT_EQ(proxy.requests().size(), 1); // only the call that asked for it
    const auto seen = origin.requests();
    ASSERT_EQ(seen.size(), 4);
    EXPECT_EQ(seen[0].method, "HEAD");
    EXPECT_TRUE(seen[0].body.isEmpty());
    EXPECT_EQ(seen[1].method, "POST");
    EXPECT_EQ(seen[1].body, "second");
    EXPECT_EQ(seen[2].method, "GET");
    EXPECT_TRUE(seen[2].body.isEmpty());
    EXPECT_FALSE(seen[2].hasHeader("content-length") && seen[2].body.size() > 0);
    EXPECT_EQ(seen[3].method, "DELETE");
    EXPECT_EQ(seen[3].body, "third");
}

TEST(UpstreamClient, SequentialRequestsReuseOneConnection)
{
    TestHttpServer server;
    UpstreamClient client;
    for (int i = 0; i < 50; ++i) {
        Recorder recorder;
        client.start(post(server.url("/hello")), &recorder);
        ASSERT_TRUE(waitUntil([&] { return recorder.finished(); }));
        ASSERT_EQ(recorder.failure, UpstreamFailure::None) << recorder.detail.toStdString();
        ASSERT_EQ(recorder.body, "hello world");
    }
    EXPECT_EQ(server.requestCount(), 50);
    EXPECT_EQ(server.connectionCount(), 1);
}

TEST(UpstreamClient, StreamedChunksArriveIncrementally)
{
    TestHttpServer server;
    UpstreamClient client;
    Recorder recorder;
    // The server sends its second chunk only after we confirm the first: buffering would hang.
    recorder.onData = [&](QByteArrayView data) {
        if (data.toByteArray().contains("first"))
            server.release();
    };
    client.start(post(server.url("/stream")), &recorder);
    ASSERT_TRUE(waitUntil([&] { return recorder.finished(); }));
    EXPECT_EQ(recorder.failure, UpstreamFailure::None) << recorder.detail.toStdString();
    EXPECT_EQ(recorder.body, "first\nsecond\n");
    EXPECT_GE(recorder.chunks, 2);
    EXPECT_EQ(headerValue(recorder.head.headers, "content-type"), "text/event-stream");
}

TEST(UpstreamClient, CloseDelimitedAndChunkExtensionBodiesArriveWhole)
{
    TestHttpServer server;
    UpstreamClient client;
    Recorder closed;
    Recorder extended;
    client.start(post(server.url("/close")), &closed);
    client.start(post(server.url("/chunkext")), &extended);
    ASSERT_TRUE(waitUntil([&] { return closed.finished() && extended.finished(); }));
    EXPECT_EQ(closed.failure, UpstreamFailure::None) << closed.detail.toStdString();
    EXPECT_EQ(closed.body, "close-delimited body");
    EXPECT_EQ(extended.failure, UpstreamFailure::None) << extended.detail.toStdString();
    EXPECT_EQ(extended.body, "hello world");
    EXPECT_EQ(extended.heads, 1); // the trailer is not a second head
}

TEST(UpstreamClient, GzipBodyIsDecodedAndEncodingHeadersDropped)
{
    TestHttpServer server;
    UpstreamClient client;
    Recorder recorder;
    client.start(post(server.url("/gzip")), &recorder);
    ASSERT_TRUE(waitUntil([&] { return recorder.finished(); }));
    EXPECT_EQ(recorder.failure, UpstreamFailure::None) << recorder.detail.toStdString();
    EXPECT_TRUE(recorder.body == TestHttpServer::gzipPayload());
    EXPECT_TRUE(headerValue(recorder.head.headers, "content-encoding").isEmpty());
    EXPECT_TRUE(headerValue(recorder.head.headers, "content-length").isEmpty());
    EXPECT_EQ(headerValue(recorder.head.headers, "content-type"), "text/plain");
    EXPECT_FALSE(server.requests().value(0).header("accept-encoding").isEmpty());
}

TEST(UpstreamClient, InterimAndBodylessResponsesGiveOneHead)
{
    TestHttpServer server;
    UpstreamClient client;
    Recorder interim;
    Recorder empty;
    client.start(post(server.url("/interim")), &interim);
    client.start(post(server.url("/nocontent")), &empty);
    ASSERT_TRUE(waitUntil([&] { return interim.finished() && empty.finished(); }));
    EXPECT_EQ(interim.heads, 1);
    EXPECT_EQ(interim.head.status, 201);
    EXPECT_EQ(headerValue(interim.head.headers, "x-final"), "1");
    EXPECT_TRUE(headerValue(interim.head.headers, "x-interim").isEmpty());
    EXPECT_EQ(interim.body, "made");
    EXPECT_EQ(empty.failure, UpstreamFailure::None) << empty.detail.toStdString();
    EXPECT_EQ(empty.heads, 1);
    EXPECT_EQ(empty.head.status, 204);
    EXPECT_TRUE(empty.body.isEmpty());
}

TEST(UpstreamClient, CancelMidStreamClosesTheConnectionSilently)
{
    TestHttpServer server;
    UpstreamClient client;
    Recorder recorder;
    const quint64 id = client.start(post(server.url("/hold")), &recorder);
    ASSERT_TRUE(waitUntil([&] { return recorder.body == "first\n"; }));
    client.cancel(id);
    recorder.cancelled = true;
    EXPECT_EQ(client.activeCalls(), 0);
    client.cancel(id); // twice is harmless
    ASSERT_TRUE(waitUntil([&] { return server.disconnectCount() == 1; }));
    server.release();
    QTest::qWait(50);
    EXPECT_EQ(recorder.lateCallbacks, 0);
    EXPECT_EQ(recorder.finishCount, 0);
}

TEST(UpstreamClient, CancelFromInsideOnDataStopsEverything)
{
    TestHttpServer server;
    UpstreamClient client;
    auto recorder = std::make_unique<Recorder>();
    quint64 id = 0;
    recorder->onData = [&](QByteArrayView) {
        client.cancel(id);
        recorder->cancelled = true;
    };
    id = client.start(post(server.url("/hold")), recorder.get());
    ASSERT_TRUE(waitUntil([&] { return recorder->cancelled; }));
    EXPECT_EQ(client.activeCalls(), 0);
    ASSERT_TRUE(waitUntil([&] { return server.disconnectCount() == 1; }));
    EXPECT_EQ(recorder->lateCallbacks, 0);
    EXPECT_EQ(recorder->finishCount, 0);
    recorder.reset(); // the observer may go away right after cancel()
    server.release();
    // The client stays usable.
    Recorder next;
    client.start(post(server.url("/hello")), &next);
    ASSERT_TRUE(waitUntil([&] { return next.finished(); }));
    EXPECT_EQ(next.body, "hello world");
}

TEST(UpstreamClient, CancelFromInsideOnHeadStopsEverything)
{
    TestHttpServer server;
    UpstreamClient client;
    Recorder recorder;
    quint64 id = 0;
    recorder.onHead = [&] {
        client.cancel(id);
        recorder.cancelled = true;
    };
    id = client.start(post(server.url("/hello")), &recorder);
    ASSERT_TRUE(waitUntil([&] { return recorder.cancelled; }));
    QTest::qWait(50);
    EXPECT_EQ(recorder.lateCallbacks, 0);
    EXPECT_TRUE(recorder.body.isEmpty());
    EXPECT_EQ(client.activeCalls(), 0);
}

TEST(UpstreamClient, StartFromInsideCallbacksWorks)
{
    TestHttpServer server;
    UpstreamClient client;
    Recorder first;
    Recorder retry;
    Recorder fromData;
    first.onFinished = [&] { client.start(post(server.url("/hello")), &retry); };
    first.onData = [&](QByteArrayView) {
        if (fromData.heads == 0 && !fromData.finished() && client.activeCalls() == 1)
            client.start(post(server.url("/echo"), "inner"), &fromData);
    };
    client.start(post(server.url("/hello")), &first);
    ASSERT_TRUE(waitUntil([&] { return retry.finished() && fromData.finished(); }));
    EXPECT_EQ(first.failure, UpstreamFailure::None);
    EXPECT_EQ(retry.failure, UpstreamFailure::None) << retry.detail.toStdString();
    EXPECT_EQ(retry.body, "hello world");
    EXPECT_EQ(fromData.body, "inner");
    EXPECT_EQ(client.activeCalls(), 0);
}

TEST(UpstreamClient, RefusedConnectionIsAConnectFailure)
{
    quint16 closedPort = 0;
    {
        QTcpServer probe;
        ASSERT_TRUE(probe.listen(QHostAddress::LocalHost, 0));
        closedPort = probe.serverPort();
    }
    UpstreamClient client;
    Recorder recorder;
    UpstreamRequest request =
        post("http://127.0.0.1:" + QByteArray::number(closedPort) + "/v1?key=secret-in-query");
    request.headers.emplaceBack("Authorization", "Bearer secret-token");
    client.start(request, &recorder);
    ASSERT_TRUE(waitUntil([&] { return recorder.finished(); }));
    EXPECT_EQ(recorder.failure, UpstreamFailure::Connect) << recorder.detail.toStdString();
    EXPECT_EQ(recorder.heads, 0);
    EXPECT_FALSE(recorder.detail.isEmpty());
    EXPECT_FALSE(recorder.detail.contains(QLatin1String("secret")));
}

TEST(UpstreamClient, SilentUpstreamHitsFirstByteTimeout)
{
    TestHttpServer server;
    UpstreamClient client;
    Recorder recorder;
    UpstreamRequest request = post(server.url("/hang"));
    request.timeouts.firstByteMs = 200;
    client.start(request, &recorder);
    ASSERT_TRUE(waitUntil([&] { return recorder.finished(); }));
    EXPECT_EQ(recorder.failure, UpstreamFailure::FirstByteTimeout) << recorder.detail.toStdString();
    EXPECT_EQ(recorder.heads, 0);
    ASSERT_TRUE(waitUntil([&] { return server.disconnectCount() == 1; }));
}

TEST(UpstreamClient, StalledStreamHitsIdleTimeout)
{
    TestHttpServer server;
    UpstreamClient client;
    Recorder recorder;
    UpstreamRequest request = post(server.url("/idle"));
    request.timeouts.idleMs = 200;
    client.start(request, &recorder);
    ASSERT_TRUE(waitUntil([&] { return recorder.finished(); }));
    EXPECT_EQ(recorder.failure, UpstreamFailure::IdleTimeout) << recorder.detail.toStdString();
    EXPECT_EQ(recorder.heads, 1);
    EXPECT_EQ(recorder.body, "first\n");
}

TEST(UpstreamClient, PausedCallReadsNothingUntilResumed)
{
    TestHttpServer server;
    UpstreamClient client;
    Recorder recorder;
    quint64 id = 0;
    recorder.onData = [&](QByteArrayView) {
        if (recorder.chunks == 1) {
            client.pause(id, true);
            server.release();
        }
    };
    UpstreamRequest request = post(server.url("/stream"));
    // Must not fire while paused (paused twice as long); long enough that a loaded machine's gap
    // between the resume and the next chunk does not trip it (1.5 s did, under a parallel build).
    request.timeouts.idleMs = 3000;
    id = client.start(request, &recorder);
    ASSERT_TRUE(waitUntil([&] { return server.heldCount() == 0 && recorder.chunks == 1; }));
    QTest::qWait(6000);
    EXPECT_EQ(recorder.body, "first\n");
    EXPECT_FALSE(recorder.finished());
    // The timeout sweep (every 100 ms) falls due before the resume is applied, as on a loaded
    // machine: the pause must still not count as silence (it did, and failed the call).
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    client.pause(id, false);
    ASSERT_TRUE(waitUntil([&] { return recorder.finished(); }));
    EXPECT_EQ(recorder.failure, UpstreamFailure::None) << recorder.detail.toStdString();
    EXPECT_EQ(recorder.body, "first\nsecond\n");
}

TEST(UpstreamClient, ManyConcurrentStreamsToOneHostAllStart)
{
    constexpr int kCalls = 256;
    TestHttpServer server;
    UpstreamClient client;
    std::vector<Recorder> recorders(kCalls);
    for (Recorder &recorder : recorders)
        client.start(post(server.url("/hold")), &recorder);
    EXPECT_EQ(client.activeCalls(), kCalls);
    const auto allHeads = [&] {
        return std::all_of(recorders.begin(), recorders.end(),
                           [](const Recorder &r) { return r.heads == 1; });
    };
    const bool headsArrived = waitUntil(allHeads, 20000);
    const auto headCount = std::count_if(recorders.begin(), recorders.end(),
                                         [](const Recorder &r) { return r.heads == 1; });
    ASSERT_TRUE(headsArrived) << headCount << " heads, " << server.connectionCount()
                              << " connections, " << server.requestCount() << " requests";
    EXPECT_GE(server.connectionCount(), 200);
    server.release();
    ASSERT_TRUE(waitUntil([&] { return client.activeCalls() == 0; }, 20000));
    for (const Recorder &recorder : recorders) {
        EXPECT_EQ(recorder.failure, UpstreamFailure::None);
        EXPECT_EQ(recorder.body, "first\nlast\n");
    }
}

TEST(UpstreamClient, PerRequestProxyCarriesTheRequest)
{
    TestHttpServer origin;
    TestHttpServer proxy(TestHttpServer::Mode::Proxy);
    UpstreamClient client;
    Recorder recorder;
    UpstreamRequest request = post(origin.url("/echo"), "through");
    request.proxy = "http://127.0.0.1:" + QByteArray::number(proxy.port());
    client.start(request, &recorder);
    ASSERT_TRUE(waitUntil([&] { return recorder.finished(); }));
    EXPECT_EQ(recorder.failure, UpstreamFailure::None) << recorder.detail.toStdString();
    EXPECT_EQ(recorder.body, "via-proxy");
    const auto seen = proxy.requests();
    ASSERT_EQ(seen.size(), 1);
    EXPECT_EQ(seen[0].method, "POST");
    EXPECT_EQ(seen[0].target, origin.url("/echo"));
    EXPECT_EQ(seen[0].body, "through");
    EXPECT_EQ(origin.requestCount(), 0);
}

TEST(UpstreamClient, EnvironmentProxyIsNotUsedForLoopback)
{
    TestHttpServer origin;
    TestHttpServer proxy(TestHttpServer::Mode::Proxy);
    const QByteArray proxyUrl = "http://127.0.0.1:" + QByteArray::number(proxy.port());
    qputenv("http_proxy", proxyUrl);
    qputenv("HTTPS_PROXY", proxyUrl);
    qputenv("ALL_PROXY", proxyUrl);
    Recorder recorder;
    {
        UpstreamClient client;
        client.start(post(origin.url("/hello")), &recorder);
        EXPECT_TRUE(waitUntil([&] { return recorder.finished(); }));
    }
    qunsetenv("http_proxy");
    qunsetenv("HTTPS_PROXY");
    qunsetenv("ALL_PROXY");
    EXPECT_EQ(recorder.body, "hello world");
    EXPECT_EQ(origin.requestCount(), 1);
    EXPECT_EQ(proxy.requestCount(), 0);
}

TEST(UpstreamClient, DestroyingTheClientAbortsSilently)
{
    TestHttpServer server;
    Recorder recorder;
    {
        UpstreamClient client;
        client.start(post(server.url("/hold")), &recorder);
        ASSERT_TRUE(waitUntil([&] { return recorder.heads == 1; }));
    }
    ASSERT_TRUE(waitUntil([&] { return server.disconnectCount() == 1; }));
    EXPECT_FALSE(recorder.finished());
}

// Optional: TARN_UPSTREAM_BENCH=20000 measures the client thread's CPU per keep-alive request.
TEST(UpstreamClient, BenchSequentialKeepAlive)
{
    const int count = qEnvironmentVariableIntValue("TARN_UPSTREAM_BENCH");
    if (count <= 0)
        GTEST_SKIP() << "set TARN_UPSTREAM_BENCH=<requests> to measure";
    TestHttpServer server;
    UpstreamClient client;
    int done = 0;
    Recorder recorder;
    const QByteArray url = server.url("/hello");
    const QByteArray body = R"({"model":"m","messages":[{"role":"user","content":"hi"}]})";
    QEventLoop loop; // not qWaitFor: that sleeps 10 ms between event-loop passes
    recorder.onFinished = [&] {
        if (++done < count)
            client.start(post(url, body), &recorder);
        else
            loop.quit();
    };
    QTimer::singleShot(60000, &loop, &QEventLoop::quit);
    rusage begin{};
    getrusage(RUSAGE_THREAD, &begin);
    QElapsedTimer wall;
    wall.start();
    client.start(post(url, body), &recorder);
    loop.exec();
    ASSERT_EQ(done, count)
        << done << " done, last failure " << upstreamFailureName(recorder.failure) << " "
        << recorder.detail.toStdString();
    rusage end{};
    getrusage(RUSAGE_THREAD, &end);
    const auto micros = [](const timeval &from, const timeval &to) {
        return double(to.tv_sec - from.tv_sec) * 1e6 + double(to.tv_usec - from.tv_usec);
    };
    const double userUs = micros(begin.ru_utime, end.ru_utime) / count;
    const double systemUs = micros(begin.ru_stime, end.ru_stime) / count;
    std::printf("%d requests, wall %lld ms, client thread CPU %.1f us/request (user %.1f, kernel %.1f), "
                "%d connection(s)\n",
                count, static_cast<long long>(wall.elapsed()), userUs + systemUs, userUs, systemUs,
                server.connectionCount());
}

} // namespace
