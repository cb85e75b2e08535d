// SPDX-License-Identifier: GPL-3.0-or-later
// Guards RequestReader (the connection's framing loop): no hang, no crash, and the same requests
// (or the same failure) whether the bytes arrive at once or in fuzzer-chosen pieces.
#include "gateway/http/RequestReader.h"
#include "tests/fuzz/FuzzSplit.h"

#include <cstdio>
#include <cstdlib>

using tarn::gateway::HttpLimits;
using tarn::gateway::HttpRequest;
using tarn::gateway::RequestReader;

namespace {

struct Outcome
{
    QList<HttpRequest> requests;
    int failureStatus = 0; // 0: no failure (input ended on a request boundary or mid-request)
    QString failureText;
};

[[noreturn]] void fail(const char *what)
{
    std::fprintf(stderr, "fuzz_http_request: %s\n", what);
    std::abort();
}

bool sameRequest(const HttpRequest &a, const HttpRequest &b)
{
    return a.method == b.method && a.target == b.target && a.headers == b.headers && a.body == b.body
        && a.keepAlive == b.keepAlive;
}

Outcome readAll(const QList<QByteArrayView> &pieces)
{
    HttpLimits limits;
    limits.maxHeaderBytes = 4096;
    limits.maxBodyBytes = 65536;
    RequestReader reader(limits);
    Outcome out;
    bool headerSeen = false;
    for (const QByteArrayView piece : pieces) {
        const tarn::fuzz::ExactCopy bytes(piece);
        reader.append(bytes.view());
        // Each call must use bytes or report a new event: a loop that spins is a crash here.
        int calls = 0;
        int requestsInPiece = 0;
        for (;;) {
            if (++calls > 4 * requestsInPiece + 16)
                fail("next() made no progress");
            const RequestReader::Event event = reader.next();
            if (event == RequestReader::Event::NeedMore) {
                (void)reader.bufferedBodyBytes(); // the connection's buffered-bytes budget reads it
                break;
            }
            if (event == RequestReader::Event::Failed) {
                out.failureStatus = reader.failureStatus();
                out.failureText = reader.failureText();
                if (out.failureStatus != 400 && out.failureStatus != 413 && out.failureStatus != 431)
                    fail("unexpected failure status");
                if (reader.next() != RequestReader::Event::Failed)
                    fail("Failed is not final");
                return out;
            }
            if (event == RequestReader::Event::HeaderDone) {
                if (headerSeen)
                    fail("HeaderDone twice for one request");
                headerSeen = true;
                if (reader.head().method.isEmpty())
                    fail("HeaderDone without a method");
                (void)reader.expectsContinue();
                (void)reader.contentLength();
                continue;
            }
            // Complete
            if (!headerSeen)
                fail("Complete without HeaderDone");
            const HttpRequest head = reader.head();
            HttpRequest request = reader.takeRequest();
            if (head.method != request.method || head.target != request.target || head.headers != request.headers)
                fail("head() differs from the completed request");
            if (request.body.size() > limits.maxBodyBytes)
                fail("body over the limit was accepted");
            out.requests.append(std::move(request));
            headerSeen = false;
            ++requestsInPiece;
        }
    }
    return out;
}

bool sameOutcome(const Outcome &a, const Outcome &b)
{
    if (a.failureStatus != b.failureStatus || a.requests.size() != b.requests.size())
        return false;
    for (qsizetype i = 0; i < a.requests.size(); ++i) {
        if (!sameRequest(a.requests.at(i), b.requests.at(i)))
            return false;
    }
    return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const tarn::fuzz::SplitInput in = tarn::fuzz::splitInput(data, size);
    Outcome whole = readAll({in.payload});
    Outcome split = readAll(in.pieces);
    if (!sameOutcome(whole, split) && (whole.failureStatus == 0 || split.failureStatus == 0)) {
        // Beast parses a header once its blank line is there, unless it all came in one read: an
        // error inside an unfinished header shows at once in one read and only later in pieces.
        // Once the header is finished the two must agree.
        static constexpr QByteArrayView kEndOfHeader = "\r\n\r\n";
        whole = readAll({in.payload, kEndOfHeader});
        QList<QByteArrayView> pieces = in.pieces;
        pieces.append(kEndOfHeader);
        split = readAll(pieces);
    }
    if (!sameOutcome(whole, split)) {
        std::fprintf(stderr, "whole: %lld requests, failure %d %s\nsplit into %lld: %lld requests, failure %d %s\n",
                     static_cast<long long>(whole.requests.size()), whole.failureStatus,
                     qPrintable(whole.failureText), static_cast<long long>(in.pieces.size()),
                     static_cast<long long>(split.requests.size()), split.failureStatus, qPrintable(split.failureText));
        fail("whole and split input give different requests or failures");
    }
    return 0;
}
