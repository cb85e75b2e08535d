// SPDX-License-Identifier: GPL-3.0-or-later
// Guards the answer translators: whatever answer a codec accepts, every codec writes an answer
// its own decoder accepts again, with the same usage and named tool calls.
// Input: <selector byte><body>; the selector picks the source format.
#include "gateway/formats/Codec.h"

#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <string>
#include <string_view>

using namespace tarn::gateway;

namespace {

[[noreturn]] void fail(const char *what, ApiFormat format, const std::string &body, const QString &error)
{
    std::fprintf(stderr, "fuzz_translate_response: %s (%s): %s\nbody: %s\n", what, apiFormatName(format),
                 error.toUtf8().constData(), body.c_str());
    std::abort();
}

const ApiFormat kFormats[] = {ApiFormat::OpenAI, ApiFormat::Anthropic, ApiFormat::Gemini, ApiFormat::Responses};

// Calls without a name cannot be written in every format (encoders may drop them); named ones
// must all arrive.
int namedToolCalls(const ir::Response &response)
{
    int calls = 0;
    for (const ir::Part &part : response.parts)
        calls += part.kind == ir::Part::Kind::ToolCall && !part.name.empty() ? 1 : 0;
    return calls;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const ApiFormat from = kFormats[data[0] % std::size(kFormats)];
    const std::string_view body(reinterpret_cast<const char *>(data + 1), size - 1);

    ir::setIdSeedForTests(1);
    const Result<ir::Response> response = codecFor(from).decodeResponse(body);
    if (!response)
        return 0;
    for (const ApiFormat to : kFormats) {
        const std::string encoded = codecFor(to).encodeResponse(*response);
        const Result<ir::Response> again = codecFor(to).decodeResponse(encoded);
        if (!again)
            fail("an encoded answer does not decode", to, encoded, again.error().message);
        if (namedToolCalls(*again) != namedToolCalls(*response))
            fail("an encoded answer lost or gained tool calls", to, encoded, {});
        // Counts that contradict each other (more cached than prompt tokens) cannot survive a
        // format that writes their difference; sane ones must.
        const ir::Usage &usage = response->usage;
        const bool sane = usage.input >= usage.cacheRead + usage.cacheWrite && usage.output >= usage.reasoning
            && usage.input < (qint64(1) << 40) && usage.output < (qint64(1) << 40) && usage.cacheRead >= 0
            && usage.cacheWrite >= 0 && usage.reasoning >= 0;
        if (usage.reported && sane && (again->usage.input != usage.input || again->usage.output != usage.output))
            fail("an encoded answer changed its usage", to, encoded, {});
    }
    ir::setIdSeedForTests(0);
    return 0;
}
