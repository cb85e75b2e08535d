// SPDX-License-Identifier: GPL-3.0-or-later
// HttpTestClient and the wire helpers: chunked decoding, raw mode, pipelining, chunked uploads.
#include "tests/support/GTestQtPrinters.h"
#include "tests/support/HttpTestClient.h"
#include "tests/support/HttpWire.h"
#include "tests/support/MockUpstream.h"
#include "tests/support/TempDataDir.h"

#include <gtest/gtest.h>

using namespace tarn::test;
using namespace Qt::StringLiterals;

TEST(HttpWire, ChunkedDecoderByteByByteWithExtensionsAndTrailers)
{
    const QByteArray encoded = "5;ext=1\r\nHello\r\n1\r\n \r\nA\r\n0123456789\r\n0\r\nX-T: y\r\n\r\nrest";
    wire::ChunkedDecoder decoder;
    QByteArray in;
    QByteArray out;
    auto status = wire::ChunkedDecoder::Status::NeedMore;
    qsizetype fed = 0;
    while (status == wire::ChunkedDecoder::Status::NeedMore && fed < encoded.size()) {
        in += encoded.at(fed++);
        status = decoder.feed(in, out);
    }
    EXPECT_EQ(status, wire::ChunkedDecoder::Status::Done);
    EXPECT_EQ(out, "Hello 0123456789");
    EXPECT_EQ(encoded.mid(fed), "rest");

    wire::ChunkedDecoder bad;
    QByteArray junk = "zz\r\n";
    QByteArray sink;
    EXPECT_EQ(bad.feed(junk, sink), wire::ChunkedDecoder::Status::Error);
}

TEST(HttpTestClient, DecodesChunkedResponses)
{
    MockUpstream mock;
    MockBehaviour b;
    b.rawEvents = {"first ", "second ", "third"};
    mock.pushBehaviour(b);
    HttpTestClient client;
    const HttpResult r = client.request("POST", mock.baseUrl() + u"/chat/completions"_s, "{}");
    EXPECT_TRUE(r.complete);
    EXPECT_EQ(r.header("Transfer-Encoding"), "chunked");
    EXPECT_EQ(r.body, "first second third");
}

TEST(HttpTestClient, RawPipelinedRequestsAndChunkedUpload)
{
    MockUpstream mock;
    const QByteArray twoRequests =
        "GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n"
        "POST /v1/embeddings HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
        "Connection: close\r\n\r\n"
        "7\r\n{\"input\r\n8\r\n\":\"abc\"}\r\n0\r\n\r\n";
    const QByteArray received = HttpTestClient::sendRaw(u"127.0.0.1"_s, mock.port(), twoRequests);
    EXPECT_EQ(received.count("HTTP/1.1 200 OK"), 2);
    EXPECT_LT(received.indexOf("\"model\""), received.indexOf("\"embedding\"")); // in order
    ASSERT_EQ(mock.requestCount(), 2);
    EXPECT_EQ(mock.requests().at(1).body, "{\"input\":\"abc\"}");
}

TEST(HttpTestClient, MalformedRequestGets400AndClose)
{
    MockUpstream mock;
    const QByteArray received =
        HttpTestClient::sendRaw(u"127.0.0.1"_s, mock.port(), "NONSENSE\r\n\r\n", 2000);
    EXPECT_TRUE(received.startsWith("HTTP/1.1 400"));
}

TEST(HttpTestClient, ConnectionRefusedIsAnErrorNotAHang)
{
    quint16 freePort = 0;
    {
        MockUpstream mock;
        freePort = mock.port();
    }
    HttpTestClient client;
    const HttpResult r = client.request("GET", u"http://127.0.0.1:%1/v1/models"_s.arg(freePort),
                                        {}, {}, 2000);
    EXPECT_EQ(r.status, 0);
    EXPECT_FALSE(r.error.isEmpty());
    EXPECT_LT(r.elapsedMs, 1500);
}

TEST(TempDataDir, PathsExist)
{
    QString path;
    {
        TempDataDir dir;
        ASSERT_TRUE(dir.isValid());
        path = dir.path();
        EXPECT_TRUE(QDir(path).exists());
        EXPECT_EQ(dir.dbPath(), path + u"/tarn.sqlite3"_s);
    }
    EXPECT_FALSE(QDir(path).exists());
}
