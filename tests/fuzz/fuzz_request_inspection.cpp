// SPDX-License-Identifier: GPL-3.0-or-later
// Guards the request-body path: findTopLevelMember stays in bounds on any bytes, and a body that
// inspects OK is rewritten upstream into valid JSON with one `model` (the new one) and, for
// streams, stream_options.include_usage on.
#include "gateway/formats/JsonMembers.h"
#include "gateway/formats/OpenAiRequest.h"

#include <simdjson.h>

#include <cstdio>
#include <cstdlib>
#include <string_view>

using namespace tarn::gateway;

namespace {

[[noreturn]] void fail(const char *what)
{
    std::fprintf(stderr, "fuzz_request_inspection: %s\n", what);
    std::abort();
}

void checkSpan(QByteArrayView json, QByteArrayView key)
{
    const JsonSpan span = findTopLevelMember(json, key);
    if (!span.found())
        return;
    if (span.begin > span.end || span.end > json.size())
        fail("findTopLevelMember returned a span outside the text");
    (void)spliced(json, span, "0");
}

// The upstream body as any JSON parser sees it: an object with exactly one `model`, equal to
// `model`, and (streams) every stream_options carrying include_usage: true only.
void checkUpstreamBody(const QByteArray &out, const QString &model, bool stream)
{
    simdjson::dom::parser parser;
    simdjson::dom::object object;
    if (parser.parse(out.constData(), std::size_t(out.size())).get(object))
        fail("upstream body is not a JSON object");
    int models = 0;
    int streamOptions = 0;
    const QByteArray expected = model.toUtf8();
    for (const auto field : object) {
        if (field.key == "model") {
            ++models;
            std::string_view value;
            if (field.value.get(value) || QByteArrayView(value.data(), qsizetype(value.size())) != expected)
                fail("upstream body's model is not the upstream model");
        } else if (field.key == "stream_options" && stream) {
            ++streamOptions;
            simdjson::dom::object options;
            if (field.value.get(options))
                fail("stream_options is not an object");
            int includes = 0;
            for (const auto option : options) {
                if (option.key != "include_usage")
                    continue;
                ++includes;
                bool on = false;
                if (option.value.get(on) || !on)
                    fail("stream_options.include_usage is not true");
            }
            if (includes == 0)
                fail("stream_options has no include_usage");
        }
    }
    if (models != 1)
        fail("upstream body does not have exactly one model");
    if (stream && streamOptions == 0)
        fail("stream without stream_options upstream");

    const Result<RequestInfo> again = inspectOpenAiRequest(out);
    if (!again || again->model != model || again->stream != stream || (stream && !again->clientWantsUsage))
        fail("upstream body does not inspect as what was sent");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    // libFuzzer's buffer is exactly `size` long: any read past it is an ASan report.
    const QByteArrayView raw(reinterpret_cast<const char *>(data), qsizetype(size));
    checkSpan(raw, "model");
    checkSpan(raw, "stream_options");

    QByteArray padded; // as RequestParser delivers bodies: spare capacity for simdjson
    padded.reserve(raw.size() + 64);
    padded.append(raw);
    const QByteArray tight = raw.toByteArray();
    const Result<RequestInfo> info = inspectOpenAiRequest(padded);
    const Result<RequestInfo> tightInfo = inspectOpenAiRequest(tight);
    if (info.ok() != tightInfo.ok() || (info && (info->model != tightInfo->model || info->stream != tightInfo->stream)))
        fail("inspection depends on the body's spare capacity");
    if (!info)
        return 0;

    static const QString kRenames[] = {
        QStringLiteral("upstream-model"),
        QString::fromUtf8("up\"str\\eam/m\xc3\xb6" "del\n\x01\t"),
    };
    if (info->stream)
        checkUpstreamBody(upstreamOpenAiBody(padded, *info, info->model), info->model, true);
    for (const QString &model : kRenames) {
        if (model != info->model)
            checkUpstreamBody(upstreamOpenAiBody(padded, *info, model), model, info->stream);
    }
    return 0;
}
