// SPDX-License-Identifier: GPL-3.0-or-later
// RequestReader: the connection's framing loop, fed every recorded request at every split point.
// Whatever the reads look like, the requests (or the failure) must be the same, and the reader
// must never spin: each next() either makes progress or asks for more.
#include "gateway/http/RequestReader.h"

#include <QList>

#include <random>

#include <gtest/gtest.h>

using tarn::gateway::HttpLimits;
using tarn::gateway::HttpRequest;
using tarn::gateway::RequestReader;

namespace {

struct Outcome
{
    QList<QByteArray> requests; // method, target, headers and body of each, flattened
    int heads = 0;              // HeaderDone events
    int failure = 0;            // status of a framing failure, 0 if none
    bool operator==(const Outcome &) const = default;
};

QByteArray flatten(const HttpRequest &r)
{
    QByteArray out = r.method + ' ' + r.target + '\n';
    for (const auto &[name, value] : r.headers)
        out += name + ": " + value + '\n';
    return out + "\n" + r.body + (r.keepAlive ? "|keep-alive" : "|close");
}

HttpLimits smallLimits()
{
    HttpLimits limits;
    limits.maxHeaderBytes = 1024;
    limits.maxBodyBytes = 4096;
    return limits;
}

// Feeds input in pieces ending at the given cuts; fails the test if next() loops without progress.
Outcome feed(const QByteArray &input, const QList<qsizetype> &cuts)
{
    RequestReader reader(smallLimits());
    Outcome outcome;
    qsizetype at = 0;
    QList<qsizetype> ends = cuts;
    ends.append(input.size());
    for (qsizetype end : ends) {
        reader.append(QByteArrayView(input).sliced(at, end - at));
        at = end;
        for (int steps = 0;; ++steps) {
            if (steps > 64) {
                ADD_FAILURE() << "next() does not settle after a read ending at " << end;
                return outcome;
            }
            const RequestReader::Event event = reader.next();
            if (event == RequestReader::Event::NeedMore)
                break;
            if (event == RequestReader::Event::Failed) {
                outcome.failure = reader.failureStatus();
                return outcome;
            }
            if (event == RequestReader::Event::HeaderDone)
                ++outcome.heads;
            else
                outcome.requests.append(flatten(reader.takeRequest()));
        }
    }
    return outcome;
}

const QByteArray kJson = R"({"model":"m","messages":[{"role":"user","content":"hi"}]})";

QByteArray manySmallHeaders(int count)
{
    QByteArray request = "GET /x HTTP/1.1\r\nHost: t\r\n";
    for (int i = 0; i < count; ++i)
        request += "X-H" + QByteArray::number(i) + ": v\r\n";
    return request + "\r\n";
}

QList<QByteArray> recordedSet()
{
    const QByteArray length = QByteArray::number(kJson.size());
    return {
        "GET /health HTTP/1.1\r\nHost: t\r\n\r\n",
        "POST /v1/chat/completions HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: "
            + length + "\r\n\r\n" + kJson,
        // chunked, with an extension and a trailer
        "POST /v1/chat/completions HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\n"
            + kJson.left(5) + "\r\n" + QByteArray::number(kJson.size() - 5, 16) + "\r\n" + kJson.mid(5)
            + "\r\n0\r\nX-Trailer: yes\r\n\r\n",
        // three pipelined requests, the last one closing
        "GET /health HTTP/1.1\r\nHost: t\r\n\r\nPOST /v1/embeddings HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\n{}"
            "GET /v1/models HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
        "POST /v1/chat/completions HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: " + length
            + "\r\n\r\n" + kJson,
        // failures
        "POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 99999\r\n\r\n",                 // 413
        "GET /x HTTP/1.1\r\nHost: t\r\nX-Big: " + QByteArray(2000, 'a') + "\r\n\r\n",   // 431
        manySmallHeaders(200), // 431: Beast consumes field lines one by one, so the total must be ours
        "GET /x HTTP/1.1\nHost: t\n\n",                                                 // bare LF: 400
        "POST /x HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",       // bad chunk size
        QByteArray("GET /x HTTP/1.1\r\nHost: t\r\nX-Nul: a\0b\r\n\r\n", 40),
        "POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
    };
}

} // namespace

TEST(RequestReader, EverySplitPointGivesTheSameRequests)
{
    for (const QByteArray &input : recordedSet()) {
        const Outcome whole = feed(input, {});
        EXPECT_TRUE(!whole.requests.isEmpty() || whole.failure != 0) << input.constData();
        for (qsizetype cut = 1; cut < input.size(); ++cut)
            ASSERT_EQ(feed(input, {cut}), whole) << "cut at " << cut << " of: " << input.left(60).constData();
    }
}

TEST(RequestReader, OneByteAtATimeGivesTheSameRequests)
{
    for (const QByteArray &input : recordedSet()) {
        QList<qsizetype> cuts;
        for (qsizetype i = 1; i < input.size(); ++i)
            cuts.append(i);
        EXPECT_EQ(feed(input, cuts), feed(input, {})) << input.left(60).constData();
    }
}

TEST(RequestReader, RandomSplitsGiveTheSameRequests)
{
    std::mt19937 random(7);
    for (const QByteArray &input : recordedSet()) {
        const Outcome whole = feed(input, {});
        for (int round = 0; round < 50; ++round) {
            QList<qsizetype> cuts;
            for (qsizetype at = 0;;) {
                at += 1 + qsizetype(random() % 9);
                if (at >= input.size())
                    break;
                cuts.append(at);
            }
            ASSERT_EQ(feed(input, cuts), whole) << "seed 7, round " << round;
        }
    }
}

TEST(RequestReader, ReportsTheRightRequestsAndFailures)
{
    const QList<QByteArray> set = recordedSet();
    EXPECT_EQ(feed(set[0], {}).requests.size(), 1);
    const Outcome chunked = feed(set[2], {});
    ASSERT_EQ(chunked.requests.size(), 1);
    EXPECT_TRUE(chunked.requests[0].contains(QByteArray("\n\n" + kJson + "|keep-alive")));
    const Outcome pipelined = feed(set[3], {});
    ASSERT_EQ(pipelined.requests.size(), 3);
    EXPECT_EQ(pipelined.heads, 3);
    EXPECT_TRUE(pipelined.requests[1].contains("\n\n{}|keep-alive"));
    EXPECT_TRUE(pipelined.requests[2].endsWith("|close"));
    EXPECT_EQ(feed(set[5], {}).failure, 413);
    EXPECT_EQ(feed(set[6], {}).failure, 431);
    EXPECT_EQ(feed(set[7], {}).failure, 431);
    EXPECT_EQ(feed(set[8], {}).failure, 400);
    EXPECT_EQ(feed(set[9], {}).failure, 400);
    EXPECT_EQ(feed(set[10], {}).failure, 400);
    EXPECT_EQ(feed(set[11], {}).failure, 400);
    EXPECT_EQ(feed(manySmallHeaders(50), {}).requests.size(), 1); // under the limit: fine
}

TEST(RequestReader, TheChunkSizeCrLfSplitThatFrozeAWorkerIsJustAPause)
{
    RequestReader reader(smallLimits());
    reader.append("POST /v1/chat/completions HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n");
    EXPECT_EQ(reader.next(), RequestReader::Event::HeaderDone);
    reader.append("5\r\nhello\r");
    EXPECT_EQ(reader.next(), RequestReader::Event::NeedMore);
    EXPECT_EQ(reader.next(), RequestReader::Event::NeedMore); // asking again changes nothing
    reader.append("\n0\r\n\r\n");
    EXPECT_EQ(reader.next(), RequestReader::Event::Complete);
    EXPECT_EQ(reader.takeRequest().body, "hello");
    EXPECT_EQ(reader.buffered(), 0);
}

// Beast reads a version only once 8 bytes follow the target; a request line shorter than that
// made it wait for a second blank line when the header came in pieces, until its header limit
// (a 431 after 12 KiB, where one read got a 400). Found by fuzz_http_request.
TEST(RequestReader, AShortRequestLineIsA400AtOnceWhateverTheReads)
{
    const QByteArray input = QByteArray("POST /v1/chat/completions *  \r\n\r\n") + QByteArray(64, 'T');
    const Outcome whole = feed(input, {});
    EXPECT_EQ(whole.failure, 400);
    for (qsizetype cut = 1; cut < input.size(); ++cut)
        ASSERT_EQ(feed(input, {cut}), whole) << "cut at " << cut;
    // The header ends with the blank line: the answer does not wait for body bytes.
    const QByteArray headerOnly = "GET / *\r\n\r\n";
    QList<qsizetype> everyByte;
    for (qsizetype i = 1; i < headerOnly.size(); ++i)
        everyByte.append(i);
    EXPECT_EQ(feed(headerOnly, everyByte).failure, 400);
}
