// SPDX-License-Identifier: GPL-3.0-or-later
// Guards StreamTranslator and the stream codecs: for any upstream bytes, a translation writes only
// complete SSE events whose data is JSON (or OpenAI's [DONE]), the same bytes and observations
// however the upstream split them, and a pass-through returns the stream byte for byte.
// Input: <selector byte><payload><k split bytes><k> (see FuzzSplit.h); the selector picks the
// channel's and the client's formats, pass-through and a small event cap.
#include "gateway/formats/SseEvents.h"
#include "gateway/formats/StreamTranslator.h"
#include "tests/fuzz/FuzzSplit.h"

#include <simdjson.h>

#include <cstdio>
#include <cstdlib>

using namespace tarn::gateway;

namespace {

[[noreturn]] void fail(const char *what, const QByteArray &detail = {})
{
    std::fprintf(stderr, "fuzz_translate_stream: %s\n%s\n", what, detail.toPercentEncoding(" :{}\",[]_-").constData());
    std::abort();
}

const ApiFormat kFormats[] = {ApiFormat::OpenAI, ApiFormat::Anthropic, ApiFormat::Gemini, ApiFormat::Responses};

struct Translated
{
    QByteArray bytes;
    TokenUsage usage;
    QByteArray firstData;
    QByteArray errorPayload;
    QString content;
    bool sawFinish = false;
    bool sawToolCalls = false;
    bool failed = false;
};

// OpenAI chunks and Responses objects carry the time; two runs may straddle a second.
QByteArray withoutTimes(QByteArray bytes)
{
    for (const QByteArrayView key : {QByteArrayView("\"created\":"), QByteArrayView("\"created_at\":")}) {
        for (qsizetype at = bytes.indexOf(key); at >= 0; at = bytes.indexOf(key, at + 1)) {
            qsizetype end = at + key.size();
            while (end < bytes.size() && bytes[end] >= '0' && bytes[end] <= '9')
                ++end;
            bytes.replace(at + key.size(), end - at - key.size(), "0");
        }
    }
    return bytes;
}

Translated translate(const StreamTranslator::Options &options, const QList<QByteArrayView> &pieces)
{
    ir::setIdSeedForTests(1);
    StreamTranslator translator(options);
    Translated out;
    for (const QByteArrayView piece : pieces) {
        const tarn::fuzz::ExactCopy bytes(piece);
        const bool failedBefore = translator.failed();
        const QByteArray written = translator.feed(bytes.view());
        if (failedBefore && !written.isEmpty())
            fail("a failed translator wrote more");
        out.bytes += written;
    }
    const bool failedBefore = translator.failed();
    const QByteArray last = translator.finish();
    if (failedBefore && !last.isEmpty())
        fail("a failed translator wrote more at finish");
    out.bytes += last;
    if (!translator.finish().isEmpty() || !translator.feed(QByteArrayView("data: {}\n\n")).isEmpty())
        fail("a finished translator wrote more");
    ir::setIdSeedForTests(0);
    out.usage = translator.usage();
    out.firstData = translator.firstData();
    out.errorPayload = translator.errorPayload();
    out.content = translator.content();
    out.sawFinish = translator.sawFinish();
    out.sawToolCalls = translator.sawToolCalls();
    out.failed = translator.failed();
    if (!options.passThrough)
        out.bytes = withoutTimes(out.bytes);
    return out;
}

// What a client reads: complete events (the output ends at an event's end) with JSON data.
void requireWellFormed(const QByteArray &bytes, ApiFormat to)
{
    if (!bytes.isEmpty() && !bytes.endsWith("\n\n") && !bytes.endsWith("\r\n\r\n"))
        fail("the translation ends inside an event", bytes);
    SseEvents events(qsizetype(1) << 30);
    events.feed(bytes);
    thread_local simdjson::dom::parser parser;
    while (events.next()) {
        const std::string_view data = events.data();
        if (to == ApiFormat::OpenAI && data == "[DONE]")
            continue;
        simdjson::dom::object object;
        if (parser.parse(data.data(), data.size(), true).get(object))
            fail("an event's data is not a JSON object", bytes);
    }
    if (events.finish())
        fail("the translation ends with an event without its blank line", bytes);
}

// A pass-through is the upstream's bytes, except that an Anthropic message_start may carry the
// client's model name in place of the upstream's: each difference must be one JSON string
// replaced by the quoted client name. With `prefix`, `out` may stop anywhere (a failed stream).
bool passedThrough(QByteArrayView out, QByteArrayView in, QByteArrayView clientModel, bool prefix)
{
    const QByteArray quoted = '"' + clientModel.toByteArray() + '"';
    qsizetype i = 0;
    qsizetype j = 0;
    while (j < out.size()) {
        if (i < in.size() && out[j] == in[i]) {
            ++i;
            ++j;
            continue;
        }
        if (clientModel.isEmpty())
            return false;
        // Back up to the replacement's opening quote, which both sides share.
        bool replaced = false;
        for (qsizetype back = 0; back <= qMin(j, i) && back < quoted.size() && !replaced; ++back) {
            const qsizetype from = i - back;
            if (from >= in.size() || !out.sliced(j - back).startsWith(quoted) || in.at(from) != '"')
                continue;
            qsizetype end = from + 1;
            while (end < in.size() && in[end] != '"')
                end += in[end] == '\\' ? 2 : 1;
            if (end >= in.size())
                continue;
            i = end + 1;
            j = j - back + quoted.size();
            replaced = true;
        }
        if (!replaced)
            return false;
    }
    return prefix || i == in.size();
}

void requireSame(const Translated &a, const Translated &b)
{
    if (a.bytes != b.bytes)
        fail("the translation depends on how the input was split", a.bytes + "\n----\n" + b.bytes);
    if (a.usage.prompt != b.usage.prompt || a.usage.completion != b.usage.completion || a.usage.cached != b.usage.cached
        || a.usage.reported != b.usage.reported)
        fail("usage depends on how the input was split");
    if (a.firstData != b.firstData || a.errorPayload != b.errorPayload || a.content != b.content
        || a.sawFinish != b.sawFinish || a.sawToolCalls != b.sawToolCalls || a.failed != b.failed)
        fail("observations depend on how the input was split");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const uint8_t selector = data[0];
    const tarn::fuzz::SplitInput in = tarn::fuzz::splitInput(data + 1, size - 1);

    StreamTranslator::Options options;
    options.from = kFormats[selector % 4];
    options.to = kFormats[(selector / 4) % 4];
    options.passThrough = options.from == options.to && (selector & 0x10);
    options.includeUsage = (selector & 0x20) == 0;
    options.maxEventBytes = (selector & 0x40) ? 512 : 1024 * 1024;
    options.collectContentBytes = (selector & 0x80) ? 64 : 0;
    options.clientModel = (selector & 0x20) ? "alias-model" : "";
    options.estimatedInputTokens = 42;

    const Translated whole = translate(options, {in.payload});
    const Translated split = translate(options, in.pieces);
    requireSame(whole, split);
    if (options.passThrough) {
        const bool renames = options.from == ApiFormat::Anthropic; // its message_start names the model
        const QByteArrayView clientModel(renames ? options.clientModel : std::string_view());
        if (!passedThrough(whole.bytes, in.payload, clientModel, whole.failed))
            fail("pass-through changed the stream", whole.bytes + "\n----\n" + in.payload);
    } else {
        requireWellFormed(whole.bytes, options.to);
    }
    if (whole.failed && options.maxEventBytes >= qsizetype(in.payload.size()))
        fail("a stream smaller than the cap failed");

    StreamTranslator translator(options);
    requireWellFormed(translator.errorEvent(500 + selector % 30, QStringLiteral("fuzz"), "fuzz_code"), options.to);
    return 0;
}
