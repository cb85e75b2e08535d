// SPDX-License-Identifier: GPL-3.0-or-later
// Guards SseRelay: a pass-through relay returns the stream byte for byte (a prefix once failed()),
// and every relay sends the same events and reads the same usage however the upstream bytes split.
#include "gateway/formats/SseRelay.h"
#include "tests/fuzz/FuzzSplit.h"

#include <cstdio>
#include <cstdlib>

using tarn::gateway::SseRelay;

namespace {

[[noreturn]] void fail(const char *what)
{
    std::fprintf(stderr, "fuzz_sse_relay: %s\n", what);
    std::abort();
}

struct Relayed
{
    QByteArray bytes;
    tarn::gateway::TokenUsage usage;
    bool sawDone = false;
    bool failed = false;
};

Relayed relay(const SseRelay::Options &options, const QList<QByteArrayView> &pieces)
{
    SseRelay relay(options);
    Relayed out;
    for (const QByteArrayView piece : pieces) {
        const tarn::fuzz::ExactCopy bytes(piece);
        out.bytes += relay.feed(bytes.view());
    }
    out.bytes += relay.finish();
    out.usage = relay.usage();
    out.sawDone = relay.sawDone();
    out.failed = relay.failed();
    return out;
}

// The stream as an SSE client reads it: any line end is one, and blank lines only separate events.
QByteArray asSseEvents(QByteArrayView s)
{
    QByteArray out;
    for (qsizetype i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '\r') {
            c = '\n';
            if (i + 1 < s.size() && s[i + 1] == '\n')
                ++i;
        }
        if (c == '\n' && (out.isEmpty() || out.endsWith("\n\n")))
            continue;
        out.append(c);
    }
    return out;
}

void requireSameUsage(const Relayed &a, const Relayed &b)
{
    if (a.usage.prompt != b.usage.prompt || a.usage.completion != b.usage.completion
        || a.usage.cached != b.usage.cached || a.usage.reported != b.usage.reported)
        fail("usage depends on how the input was split");
    if (a.sawDone != b.sawDone)
        fail("[DONE] depends on how the input was split");
}

// Without a model rewrite or a hidden usage chunk the relay must not change a byte.
void requirePassThrough(const Relayed &r, QByteArrayView input)
{
    if (r.failed ? !input.startsWith(r.bytes) : r.bytes != input)
        fail("pass-through relay changed the stream");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const tarn::fuzz::SplitInput in = tarn::fuzz::splitInput(data, size);

    const Relayed whole = relay(SseRelay::Options{}, {in.payload});
    const Relayed split = relay(SseRelay::Options{}, in.pieces);
    if (whole.failed || split.failed)
        fail("an event under the size cap failed the relay");
    requirePassThrough(whole, in.payload);
    requirePassThrough(split, in.payload);
    requireSameUsage(whole, split);

    SseRelay::Options capped; // small enough that the fuzzer reaches it
    capped.maxEventBytes = 256;
    requirePassThrough(relay(capped, {in.payload}), in.payload);
    requirePassThrough(relay(capped, in.pieces), in.payload);

    // Rewritten streams may cut a CRLF across two events differently, so compare them as events.
    SseRelay::Options alias;
    alias.clientModel = QStringLiteral("alias-model");
    alias.forwardUsageChunk = false;
    const Relayed aliasWhole = relay(alias, {in.payload});
    const Relayed aliasSplit = relay(alias, in.pieces);
    if (asSseEvents(aliasWhole.bytes) != asSseEvents(aliasSplit.bytes)) {
        std::fprintf(stderr, "whole: %s\nsplit: %s\n", aliasWhole.bytes.toPercentEncoding(" :{}\",[]").constData(),
                     aliasSplit.bytes.toPercentEncoding(" :{}\",[]").constData());
        fail("rewritten events depend on how the input was split");
    }
    requireSameUsage(aliasWhole, aliasSplit);
    return 0;
}
