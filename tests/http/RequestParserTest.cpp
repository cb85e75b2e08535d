// SPDX-License-Identifier: GPL-3.0-or-later
// RequestParser: framing, limits and incremental input, driven the way a connection drives it.
#include "gateway/http/RequestParser.h"

#include "tests/support/GTestQtPrinters.h"

#include <gtest/gtest.h>

using namespace tarn::gateway;

namespace {

using State = RequestParser::State;
using Failure = RequestParser::Failure;

HttpLimits smallLimits()
{
    HttpLimits limits;
    limits.maxBodyBytes = 100;
    limits.maxHeaderBytes = 1024;
    return limits;
}

// Feeds data as a connection does: keep going past HeaderDone, stop on Complete, Failed or when
// the parser wants more input. Returns how many bytes it used.
qsizetype feedAll(RequestParser &parser, QByteArrayView data)
{
    qsizetype used = 0;
    for (int round = 0; round < 16; ++round) {
        used += parser.feed(data.data() + used, data.size() - used);
        if (parser.state() != State::HeaderDone)
            return used;
    }
    ADD_FAILURE() << "parser stays in HeaderDone";
    return used;
}

// A connection's input buffer: bytes arrive in pieces, what the parser did not use is kept and
// passed again (contiguous) with the next piece.
struct Connection
{
    explicit Connection(const HttpLimits &limits = {}) : parser(limits) {}

    State receive(QByteArrayView piece)
    {
        buffer.append(piece);
        buffer.remove(0, feedAll(parser, buffer));
        return parser.state();
    }

    RequestParser parser;
    QByteArray buffer;
};

struct Parsed
{
    State state = State::NeedMore;
    Failure failure = Failure::None;
    HttpRequest request;
    QByteArray leftover;
};

Parsed parseInPieces(const QByteArray &wire, const QList<qsizetype> &cuts, const HttpLimits &limits = {})
{
    Connection connection(limits);
    qsizetype from = 0;
    QList<qsizetype> points = cuts;
    points.append(wire.size());
    for (const qsizetype to : points) {
        connection.receive(QByteArrayView(wire).sliced(from, to - from));
        from = to;
        if (connection.parser.state() == State::Complete || connection.parser.state() == State::Failed)
            break;
    }
    if (from < wire.size())
        connection.buffer.append(QByteArrayView(wire).sliced(from));
    Parsed parsed;
    parsed.state = connection.parser.state();
    parsed.failure = connection.parser.failure();
    if (parsed.state == State::Complete)
        parsed.request = connection.parser.takeRequest();
    parsed.leftover = connection.buffer;
    return parsed;
}

Parsed parseWhole(const QByteArray &wire, const HttpLimits &limits = {})
{
    return parseInPieces(wire, {}, limits);
}

const QByteArray kPost = "POST /v1/chat/completions?x=1 HTTP/1.1\r\n"
                         "Host: localhost\r\n"
                         "Content-Type: application/json\r\n"
                         "Content-Length: 13\r\n"
                         "\r\n"
                         "{\"model\":\"m\"}";

const QByteArray kChunked = "POST /v1/chat/completions HTTP/1.1\r\n"
                            "Host: localhost\r\n"
                            "Transfer-Encoding: chunked\r\n"
                            "\r\n"
                            "5;name=value\r\nhello\r\n"
                            "6;a=b;c=\"quoted\"\r\n world\r\n"
                            "0\r\n"
                            "X-Checksum: abc\r\n"
                            "\r\n";

TEST(RequestParser, ContentLengthRequest)
{
    const Parsed parsed = parseWhole(kPost);
    ASSERT_EQ(parsed.state, State::Complete);
    EXPECT_EQ(parsed.failure, Failure::None);
    EXPECT_EQ(parsed.request.method, "POST");
    EXPECT_EQ(parsed.request.target, "/v1/chat/completions?x=1");
    EXPECT_EQ(parsed.request.header("content-type"), "application/json");
    EXPECT_EQ(parsed.request.header("HOST"), "localhost");
    EXPECT_EQ(parsed.request.body, "{\"model\":\"m\"}");
    EXPECT_TRUE(parsed.request.keepAlive);
    EXPECT_TRUE(parsed.leftover.isEmpty());
}

TEST(RequestParser, BodyKeepsSpareCapacityForJsonParsers)
{
    const Parsed parsed = parseWhole(kPost);
    ASSERT_EQ(parsed.state, State::Complete);
    EXPECT_GE(parsed.request.body.capacity() - parsed.request.body.size(), 64);
}

TEST(RequestParser, BodilessGetCompletesAfterTheHeader)
{
    const Parsed parsed = parseWhole("GET /v1/models HTTP/1.1\r\nHost: a\r\n\r\n");
    ASSERT_EQ(parsed.state, State::Complete);
    EXPECT_EQ(parsed.request.method, "GET");
    EXPECT_EQ(parsed.request.target, "/v1/models");
    EXPECT_TRUE(parsed.request.body.isEmpty());
}

TEST(RequestParser, ChunkedBodyWithExtensionsAndTrailers)
{
    const Parsed parsed = parseWhole(kChunked);
    ASSERT_EQ(parsed.state, State::Complete) << int(parsed.failure);
    EXPECT_EQ(parsed.request.body, "hello world");
    EXPECT_TRUE(parsed.leftover.isEmpty());
}

TEST(RequestParser, KeepAliveFollowsVersionAndConnectionHeader)
{
    EXPECT_FALSE(parseWhole("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").request.keepAlive);
    EXPECT_FALSE(parseWhole("GET / HTTP/1.0\r\nHost: a\r\n\r\n").request.keepAlive);
    EXPECT_TRUE(parseWhole("GET / HTTP/1.0\r\nHost: a\r\nConnection: keep-alive\r\n\r\n").request.keepAlive);
}

TEST(RequestParser, StopsAfterTheHeaderWhenABodyFollows)
{
    RequestParser parser{HttpLimits{}};
    const QByteArray head = kPost.first(kPost.indexOf("\r\n\r\n") + 4);
    const qsizetype used = parser.feed(kPost.constData(), kPost.size());
    EXPECT_EQ(parser.state(), State::HeaderDone);
    EXPECT_EQ(used, head.size()); // not one body byte before the caller has looked at the header
    EXPECT_FALSE(parser.expectsContinue());
    const qsizetype rest = parser.feed(kPost.constData() + used, kPost.size() - used);
    EXPECT_EQ(rest, kPost.size() - head.size());
    ASSERT_EQ(parser.state(), State::Complete);
    EXPECT_EQ(parser.takeRequest().body, "{\"model\":\"m\"}");
}

TEST(RequestParser, ExpectContinueIsReportedBeforeTheBody)
{
    RequestParser parser{HttpLimits{}};
    const QByteArray head = "POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\n"
                            "Expect: 100-Continue\r\nContent-Length: 4\r\n\r\n";
    EXPECT_EQ(parser.feed(head.constData(), head.size()), head.size());
    ASSERT_EQ(parser.state(), State::HeaderDone);
    EXPECT_TRUE(parser.expectsContinue());
    EXPECT_EQ(parser.feed("ab", 2), 2);
    EXPECT_EQ(parser.state(), State::NeedMore);
    EXPECT_EQ(parser.feed("cd", 2), 2);
    ASSERT_EQ(parser.state(), State::Complete);
    EXPECT_EQ(parser.takeRequest().body, "abcd");
}

TEST(RequestParser, NoExpectHeaderMeansNoContinue)
{
    RequestParser parser{HttpLimits{}};
    const QByteArray head = "POST / HTTP/1.1\r\nHost: a\r\nExpect: something-else\r\nContent-Length: 1\r\n\r\n";
    parser.feed(head.constData(), head.size());
    ASSERT_EQ(parser.state(), State::HeaderDone);
    EXPECT_FALSE(parser.expectsContinue());
}

TEST(RequestParser, DeclaredBodyAboveTheLimitFailsBeforeTheBodyIsRead)
{
    const QByteArray wire = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 101\r\n\r\n";
    const Parsed parsed = parseWhole(wire, smallLimits());
    EXPECT_EQ(parsed.state, State::Failed);
    EXPECT_EQ(parsed.failure, Failure::BodyTooLarge); // 413
}

TEST(RequestParser, BodyExactlyAtTheLimitIsAccepted)
{
    const QByteArray wire = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n" + QByteArray(100, 'x');
    const Parsed parsed = parseWhole(wire, smallLimits());
    ASSERT_EQ(parsed.state, State::Complete);
    EXPECT_EQ(parsed.request.body.size(), 100);
}

TEST(RequestParser, ChunkedBodyAboveTheLimitFails)
{
    QByteArray wire = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 5; ++i)
        wire += "19\r\n" + QByteArray(25, 'x') + "\r\n"; // 125 bytes in all
    wire += "0\r\n\r\n";
    const Parsed parsed = parseWhole(wire, smallLimits());
    EXPECT_EQ(parsed.state, State::Failed);
    EXPECT_EQ(parsed.failure, Failure::BodyTooLarge);
}

TEST(RequestParser, HeaderBlockAboveTheLimitFailsInOnePiece)
{
    const QByteArray wire = "GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + QByteArray(2000, 'a') + "\r\n\r\n";
    const Parsed parsed = parseWhole(wire, smallLimits());
    EXPECT_EQ(parsed.state, State::Failed);
    EXPECT_EQ(parsed.failure, Failure::HeaderTooLarge); // 431
}

TEST(RequestParser, HeaderBlockAboveTheLimitFailsWhenSentInSmallPieces)
{
    // Beast alone checks the limit against one put(); the header arrives here 100 bytes at a time.
    QByteArray wire = "GET / HTTP/1.1\r\nHost: a\r\n";
    for (int i = 0; i < 40; ++i)
        wire += "X-H" + QByteArray::number(i) + ": " + QByteArray(40, 'v') + "\r\n";
    wire += "\r\n";
    ASSERT_GT(wire.size(), 1024);
    QList<qsizetype> cuts;
    for (qsizetype at = 100; at < wire.size(); at += 100)
        cuts.append(at);
    const Parsed parsed = parseInPieces(wire, cuts, smallLimits());
    EXPECT_EQ(parsed.state, State::Failed);
    EXPECT_EQ(parsed.failure, Failure::HeaderTooLarge);
}

TEST(RequestParser, HeaderBelowTheLimitInSmallPiecesIsAccepted)
{
    QByteArray wire = "GET / HTTP/1.1\r\nHost: a\r\n";
    for (int i = 0; i < 10; ++i)
        wire += "X-H" + QByteArray::number(i) + ": " + QByteArray(40, 'v') + "\r\n";
    wire += "\r\n";
    ASSERT_LT(wire.size(), 1024);
    QList<qsizetype> cuts;
    for (qsizetype at = 7; at < wire.size(); at += 7)
        cuts.append(at);
    const Parsed parsed = parseInPieces(wire, cuts, smallLimits());
    ASSERT_EQ(parsed.state, State::Complete);
    EXPECT_EQ(parsed.request.header("X-H9"), QByteArray(40, 'v'));
}

TEST(RequestParser, BadFramingIsABadRequest)
{
    const QList<QByteArray> bad = {
        "GARBAGE\r\n\r\n",
        "GET / HTTP/9.Z\r\nHost: a\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
        "GET / HTTP/1.1\r\nBad Header Name: x\r\n\r\n",
    };
    for (const QByteArray &wire : bad) {
        const Parsed parsed = parseWhole(wire);
        EXPECT_EQ(parsed.state, State::Failed) << wire.toStdString();
        EXPECT_EQ(parsed.failure, Failure::BadRequest) << wire.toStdString();
    }
    RequestParser parser{HttpLimits{}};
    feedAll(parser, "GARBAGE\r\n\r\n");
    EXPECT_FALSE(parser.failureText().isEmpty());
}

TEST(RequestParser, TransferEncodingWithoutFinalChunkedIsABadRequest)
{
    // RFC 9112 6.3: a request whose Transfer-Encoding does not end in chunked has no reliable
    // length and must get 400. Taken as bodiless, its body would be read as the next request
    // (request smuggling behind a proxy that frames it differently).
    for (const char *te : {"gzip", "chunked, gzip"}) {
        const Parsed parsed = parseWhole("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: " + QByteArray(te)
                                         + "\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
        EXPECT_EQ(parsed.state, State::Failed) << te;
        EXPECT_EQ(parsed.failure, Failure::BadRequest) << te;
    }
}

TEST(RequestParser, PipelinedRequestIsLeftUnconsumed)
{
    const QByteArray second = "GET /v1/models HTTP/1.1\r\nHost: a\r\n\r\n";
    const QByteArray wire = kPost + second;
    RequestParser parser{HttpLimits{}};
    const qsizetype used = feedAll(parser, wire);
    ASSERT_EQ(parser.state(), State::Complete);
    EXPECT_EQ(used, kPost.size());
    EXPECT_EQ(parser.takeRequest().body, "{\"model\":\"m\"}");

    parser.reset();
    EXPECT_EQ(parser.state(), State::NeedMore);
    EXPECT_FALSE(parser.inProgress());
    const qsizetype usedSecond = feedAll(parser, QByteArrayView(wire).sliced(used));
    ASSERT_EQ(parser.state(), State::Complete);
    EXPECT_EQ(usedSecond, second.size());
    const HttpRequest request = parser.takeRequest();
    EXPECT_EQ(request.method, "GET");
    EXPECT_EQ(request.target, "/v1/models");
}

TEST(RequestParser, CompleteParserTakesNoMoreBytes)
{
    RequestParser parser{HttpLimits{}};
    feedAll(parser, kPost);
    ASSERT_EQ(parser.state(), State::Complete);
    EXPECT_EQ(parser.feed("GET", 3), 0);
    EXPECT_EQ(parser.state(), State::Complete);
}

TEST(RequestParser, FeedingNothingChangesNothing)
{
    RequestParser parser{HttpLimits{}};
    EXPECT_EQ(parser.feed(nullptr, 0), 0);
    EXPECT_EQ(parser.state(), State::NeedMore);
    EXPECT_EQ(parser.failure(), Failure::None);
    EXPECT_FALSE(parser.inProgress());

    EXPECT_EQ(parser.feed("GET / HT", 0), 0);
    EXPECT_FALSE(parser.inProgress());
    parser.feed("GET / HT", 8);
    EXPECT_TRUE(parser.inProgress());
    EXPECT_EQ(parser.state(), State::NeedMore);
}

TEST(RequestParser, ResetForgetsAFailure)
{
    RequestParser parser(smallLimits());
    feedAll(parser, "GARBAGE\r\n\r\n");
    ASSERT_EQ(parser.state(), State::Failed);
    parser.reset();
    EXPECT_EQ(parser.state(), State::NeedMore);
    EXPECT_EQ(parser.failure(), Failure::None);
    EXPECT_TRUE(parser.failureText().isEmpty());
    feedAll(parser, "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    EXPECT_EQ(parser.state(), State::Complete);
}

// Every way of cutting a request in two (and in three) gives the same request.
void expectSameAtEverySplit(const QByteArray &wire)
{
    const Parsed whole = parseWhole(wire);
    ASSERT_EQ(whole.state, State::Complete);
    for (qsizetype cut = 1; cut < wire.size(); ++cut) {
        const Parsed parsed = parseInPieces(wire, {cut});
        ASSERT_EQ(parsed.state, State::Complete) << "cut at " << cut;
        EXPECT_EQ(parsed.request.method, whole.request.method) << "cut at " << cut;
        EXPECT_EQ(parsed.request.target, whole.request.target) << "cut at " << cut;
        EXPECT_EQ(parsed.request.headers, whole.request.headers) << "cut at " << cut;
        EXPECT_EQ(parsed.request.body, whole.request.body) << "cut at " << cut;
        EXPECT_TRUE(parsed.leftover.isEmpty()) << "cut at " << cut;
    }
    for (qsizetype first = 1; first < wire.size(); first += 3) {
        for (qsizetype second = first + 1; second < wire.size(); second += 5) {
            const Parsed parsed = parseInPieces(wire, {first, second});
            ASSERT_EQ(parsed.state, State::Complete) << "cuts at " << first << ", " << second;
            EXPECT_EQ(parsed.request.body, whole.request.body) << "cuts at " << first << ", " << second;
        }
    }
}

TEST(RequestParser, EverySplitOfAContentLengthRequestParsesTheSame)
{
    expectSameAtEverySplit(kPost);
}

TEST(RequestParser, EverySplitOfAChunkedRequestParsesTheSame)
{
    expectSameAtEverySplit(kChunked);
}

TEST(RequestParser, EverySplitOfABodilessRequestParsesTheSame)
{
    expectSameAtEverySplit("GET /v1/models HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer tarn-x\r\n\r\n");
}

TEST(RequestParser, ByteAtATimeMatchesWhole)
{
    Connection connection;
    for (const char c : kChunked)
        connection.receive(QByteArrayView(&c, 1));
    ASSERT_EQ(connection.parser.state(), State::Complete);
    EXPECT_EQ(connection.parser.takeRequest().body, "hello world");
}

} // namespace
