// SPDX-License-Identifier: GPL-3.0-or-later
// Guards the request translators: whatever body a codec accepts, every codec's encoder writes a
// body that codec's own decoder accepts again (an encoder never fails, so a body it writes that
// its decoder refuses is a request Tarn would send upstream and see rejected).
// Input: <selector byte><body>; the selector picks the source format and the RequestTarget.
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
    std::fprintf(stderr, "fuzz_translate_request: %s (%s): %s\nbody: %s\n", what, apiFormatName(format),
                 error.toUtf8().constData(), body.c_str());
    std::abort();
}

const ApiFormat kFormats[] = {ApiFormat::OpenAI, ApiFormat::Anthropic, ApiFormat::Gemini, ApiFormat::Responses};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const uint8_t selector = data[0];
    const ApiFormat from = kFormats[selector % std::size(kFormats)];
    const std::string_view body(reinterpret_cast<const char *>(data + 1), size - 1);

    ir::setIdSeedForTests(1);
    const Result<ir::Request> request = codecFor(from).decodeRequest(body);
    if (!request)
        return 0;
    RequestTarget target;
    target.model = "fuzz-model";
    target.sendReasoning = (selector & 0x10) == 0;
    target.defaultMaxTokens = (selector & 0x20) ? 1 : 8192;

    for (const ApiFormat to : kFormats) {
        const std::string encoded = codecFor(to).encodeRequest(*request, target);
        Result<ir::Request> again = codecFor(to).decodeRequest(encoded);
        if (!again)
            fail("an encoded request does not decode", to, encoded, again.error().message);
        // Gemini bodies carry no model (it is in the URL): the channel's model is set from outside.
        if (to == ApiFormat::Gemini)
            again->model = target.model;
        else if (again->model != target.model)
            fail("the encoded request lost its model", to, encoded, {});
        // The second trip must hold too: what an encoder wrote from its own decoder's reading.
        for (const ApiFormat next : kFormats) {
            const std::string twice = codecFor(next).encodeRequest(*again, target);
            const Result<ir::Request> thrice = codecFor(next).decodeRequest(twice);
            if (!thrice)
                fail("a twice-encoded request does not decode", next, twice, thrice.error().message);
        }
    }
    ir::setIdSeedForTests(0);
    return 0;
}
