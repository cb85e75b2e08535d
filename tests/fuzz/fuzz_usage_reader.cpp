// SPDX-License-Identifier: GPL-3.0-or-later
// Guards the response-side readers: usage parsing never crashes on any bytes, and withModel keeps
// a valid JSON object valid (with the client's model in it).
#include "gateway/formats/OpenAiResponse.h"

#include <simdjson.h>

#include <cstdio>
#include <cstdlib>
#include <string_view>

using namespace tarn::gateway;

namespace {

[[noreturn]] void fail(const char *what)
{
    std::fprintf(stderr, "fuzz_usage_reader: %s\n", what);
    std::abort();
}

bool isJsonObject(QByteArrayView json)
{
    simdjson::dom::parser parser;
    simdjson::dom::object object;
    return !parser.parse(json.data(), std::size_t(json.size())).get(object);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView raw(reinterpret_cast<const char *>(data), qsizetype(size));
    (void)parseOpenAiUsage(raw);
    (void)usageOfOpenAiBody(raw);

    const QByteArray body = raw.toByteArray();
    const QString model = QString::fromUtf8("client-m\xc3\xb6" "del \"alias\"\\\n");
    const QByteArray renamed = withModel(body, model);
    if (isJsonObject(raw) && !isJsonObject(renamed))
        fail("withModel turned a JSON object into invalid JSON");
    return 0;
}
