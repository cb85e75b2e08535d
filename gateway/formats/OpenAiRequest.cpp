// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/formats/OpenAiRequest.h"

#include "gateway/formats/JsonMembers.h"


#include <simdjson.h>

namespace tarn::gateway {

namespace {

// json with `member` inserted at `at` (just after an object's '{'), with a comma unless the object
// is empty.
QByteArray insertedMember(const QByteArray &json, qsizetype at, const QByteArray &member)
{
    qsizetype next = at;
    while (next < json.size() && (json[next] == ' ' || json[next] == '\n' || json[next] == '\r' || json[next] == '\t'))
        ++next;
    const bool empty = next < json.size() && json[next] == '}';
    QByteArray out;
    out.reserve(json.size() + member.size() + 1);
    out.append(QByteArrayView(json).first(at)).append(member);
    if (!empty)
        out.append(',');
    out.append(QByteArrayView(json).sliced(at));
    return out;
}

// FNV-1a: stable across processes and runs, unlike qHash.
quint64 fnv1a(std::string_view bytes, quint64 hash)
{
    for (const char c : bytes) {
        hash ^= quint8(c);
        hash *= 1099511628211ULL;
    }
    return hash;
}

constexpr quint64 kFnvBasis = 14695981039346656037ULL;

// Walks a message content (string, or array of parts): image parts, their bytes (not prompt text),
// and the text for the conversation hash.
void inspectContent(simdjson::dom::element content, RequestInfo &info, qint64 &imageBytes, quint64 *hash)
{
    std::string_view text;
    if (!content.get(text)) {
        if (hash)
            *hash = fnv1a(text, *hash);
        return;
    }
    simdjson::dom::array parts;
    if (content.get(parts))
        return;
    for (const simdjson::dom::element part : parts) {
        std::string_view type;
        if (part["type"].get(type))
            continue;
        if (type == "image_url" || type == "input_image" || type == "image") {
            info.hasImages = true;
            std::string_view url;
            if (!part["image_url"]["url"].get(url) || !part["image_url"].get(url) || !part["url"].get(url))
                imageBytes += qint64(url.size());
        } else if (type == "file" || type == "input_audio" || type == "input_file") {
            // Base64 payloads are not prompt text: a 1 MB PDF is not a 260k-token prompt.
            std::string_view data;
            if (!part["file"]["file_data"].get(data) || !part["input_audio"]["data"].get(data) || !part["file_data"].get(data))
                imageBytes += qint64(data.size());
        } else if (hash && !part["text"].get(text)) {
            *hash = fnv1a(text, *hash);
        }
    }
}

void inspectMessages(simdjson::dom::object object, qint64 bodyBytes, RequestInfo &info)
{
    qint64 imageBytes = 0;
    simdjson::dom::array messages;
    if (!object["messages"].get(messages)) {
        quint64 hash = kFnvBasis;
        bool opened = false; // the conversation's opening is hashed up to its first user message
        for (const simdjson::dom::element message : messages) {
            std::string_view role;
            const bool hasRole = !message["role"].get(role);
            if (!opened && hasRole)
                hash = fnv1a(role, hash);
            simdjson::dom::element content;
            if (!message["content"].get(content))
                inspectContent(content, info, imageBytes, opened ? nullptr : &hash);
            opened = opened || (hasRole && role == "user");
        }
        if (opened)
            info.conversationHash = hash;
    }
    // JSON overhead counts too: an over-estimate errs toward a channel with room to spare.
    info.promptTokensEstimate = std::max<qint64>(0, bodyBytes - imageBytes) / 4;
}

// Parser buffers grow to the largest document seen; a very large one gets a throw-away parser so
// an idle worker does not keep tens of megabytes.
constexpr std::size_t kKeepParserBelow = 4 * 1024 * 1024;

} // namespace

Result<RequestInfo> inspectOpenAiRequest(const QByteArray &body)
{
    thread_local simdjson::dom::parser reusableParser;
    simdjson::dom::parser oneOffParser;
    const std::size_t size = std::size_t(body.size());
    simdjson::dom::parser &parser = size < kKeepParserBelow ? reusableParser : oneOffParser;
    const bool padded = std::size_t(body.capacity() - body.size()) >= simdjson::SIMDJSON_PADDING;

    simdjson::dom::element doc;
    if (body.isEmpty())
        return Error::invalid(QStringLiteral("request body is empty; expected a JSON object"));
    if (const auto error = parser.parse(body.constData(), size, !padded).get(doc)) {
        return Error::invalid(QStringLiteral("request body is not valid JSON: %1")
                                  .arg(QString::fromUtf8(simdjson::error_message(error))));
    }
    simdjson::dom::object object;
    if (doc.get(object))
        return Error::invalid(QStringLiteral("request body must be a JSON object"));

    // A member given twice is read differently by different parsers (simdjson and Tarn's splicer
    // take the first, most upstreams the last): a key allowed one model could be served another.
    // The members Tarn decides on must be unambiguous.
    int models = 0, streams = 0, streamOptions = 0;
    for (const auto field : object) {
        const std::string_view key = field.key;
        models += key == "model";
        streams += key == "stream";
        streamOptions += key == "stream_options";
    }
    for (const auto &[count, name] : {std::pair{models, "model"}, std::pair{streams, "stream"},
                                      std::pair{streamOptions, "stream_options"}}) {
        if (count > 1)
            return Error::invalid(QStringLiteral("duplicate top-level key '%1' in the request body").arg(QLatin1StringView(name)));
    }

    RequestInfo info;
    std::string_view model;
    const auto modelError = object["model"].get(model);
    if (modelError == simdjson::NO_SUCH_FIELD)
        return Error::invalid(QStringLiteral("you must provide a model parameter"));
    if (modelError || model.empty())
        return Error::invalid(QStringLiteral("'model' must be a non-empty string"));
    info.model = QString::fromUtf8(model.data(), qsizetype(model.size()));

    bool stream = false;
    const auto streamError = object["stream"].get(stream);
    if (streamError && streamError != simdjson::NO_SUCH_FIELD) {
        if (!object["stream"].is_null())
            return Error::invalid(QStringLiteral("'stream' must be a boolean"));
    }
    info.stream = !streamError && stream;

    simdjson::dom::element options;
    if (!object["stream_options"].get(options) && options.is_object()) {
        int includeUsageKeys = 0;
        for (const auto field : simdjson::dom::object(options))
            includeUsageKeys += field.key == "include_usage";
        if (includeUsageKeys > 1)
            return Error::invalid(QStringLiteral("duplicate key 'include_usage' in stream_options"));
        bool includeUsage = false;
        info.clientWantsUsage = !options["include_usage"].get(includeUsage) && includeUsage;
    }
    simdjson::dom::array tools;
    info.hasTools = !object["tools"].get(tools) && tools.size() > 0;

    simdjson::dom::object format;
    std::string_view formatType;
    info.wantsJson = !object["response_format"].get(format) && !format["type"].get(formatType)
        && (formatType == "json_object" || formatType == "json_schema");
    for (const char *name : {"max_completion_tokens", "max_tokens"}) {
        int64_t tokens = 0;
        if (!info.maxOutputTokens && !object[name].get(tokens) && tokens > 0)
            info.maxOutputTokens = qint64(tokens);
    }
    std::string_view cacheKey;
    if (!object["prompt_cache_key"].get(cacheKey))
        info.promptCacheKey = QString::fromUtf8(cacheKey.data(), qsizetype(cacheKey.size()));
    inspectMessages(object, body.size(), info);
    return info;
}

QByteArray upstreamOpenAiBody(const QByteArray &body, const RequestInfo &info, const QString &upstreamModel)
{
    const bool renameModel = upstreamModel != info.model;
    const bool injectUsage = info.stream && !info.clientWantsUsage;
    if (!renameModel && !injectUsage)
        return body;

    // Spliced, never re-serialised: a JSON round trip would change numbers (2^64-1, -0.0) and
    // key order that the upstream (and its prompt cache) sees.
    QByteArray out = body;
    if (renameModel) {
        const JsonSpan span = findTopLevelMember(out, "model");
        out = span.found() ? spliced(out, span, jsonQuoted(upstreamModel))
                           : insertedMember(out, out.indexOf('{') + 1, "\"model\":" + jsonQuoted(upstreamModel));
    }
    if (injectUsage) {
        const JsonSpan options = findTopLevelMember(out, "stream_options");
        if (!options.found() || out.at(options.begin) != '{') {
            // Absent (or null): a stream_options object of our own.
            const QByteArray member = "\"stream_options\":{\"include_usage\":true}";
            out = options.found() ? spliced(out, options, "{\"include_usage\":true}")
                                  : insertedMember(out, out.indexOf('{') + 1, member);
        } else {
            const QByteArrayView object = QByteArrayView(out).sliced(options.begin, options.end - options.begin);
            const JsonSpan include = findTopLevelMember(object, "include_usage");
            out = include.found()
                ? spliced(out, {options.begin + include.begin, options.begin + include.end}, "true")
                : insertedMember(out, options.begin + 1, "\"include_usage\":true");
        }
    }
    return out;
}

} // namespace tarn::gateway
