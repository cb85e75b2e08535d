// SPDX-License-Identifier: GPL-3.0-or-later
#include "tests/integration/AdversarialTranslationSupport.h"

#include "gateway/formats/Conversation.h"
#include "tests/support/AdversarialKit.h"
#include "tests/support/RawClient.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QUrl>

using namespace tarn::gateway;

namespace tarn::test {

namespace {

QByteArray jsonString(const QString &text)
{
    const QByteArray array = QJsonDocument(QJsonArray{text}).toJson(QJsonDocument::Compact);
    return array.mid(1, array.size() - 2);
}

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

// Token counts must never be negative (an overflow or a provider's nonsense passed on).

} // namespace

const char *wireName(Wire wire)
{
    switch (wire) {
    case Wire::OpenAI: return "openai";
    case Wire::Anthropic: return "anthropic";
    case Wire::Gemini: return "gemini";
    }
    return "?";
}

TranslationRig::TranslationRig(HttpLimits limits, UpstreamTimeouts timeouts) : tarn(limits, timeouts) {}

Channel TranslationRig::addChannel(Wire format, const QString &model, const QString &upstreamModel)
{
    Channel channel;
    channel.type = format == Wire::OpenAI ? ChannelType::OpenAI : format == Wire::Anthropic ? ChannelType::Anthropic : ChannelType::Gemini;
    channel.name = QString::fromLatin1(wireName(format)) + u'-' + model;
    channel.baseUrl = format == Wire::OpenAI ? mock.baseUrl() : format == Wire::Anthropic ? mock.anthropicBaseUrl() : mock.geminiBaseUrl();
    const QString upstream = upstreamModel.isEmpty() ? QString::fromLatin1(wireName(format)) + QStringLiteral("-up") : upstreamModel;
    channel.models = {upstream};
    if (upstream != model)
        channel.modelMap.insert(model, upstream);
    channel.keys = {QString::fromLatin1(kChannelSecret)};
    return tarn.addChannel(std::move(channel));
}

QList<UsageRecord> TranslationRig::rowsWhenAtLeast(int count, int timeoutMs)
{
    waitUntil([&] { return tarn.usageRows().size() >= count; }, timeoutMs);
    return tarn.usageRows();
}

ClientCall clientCall(Wire client, const QString &model, bool stream, const QString &text)
{
    ClientCall call;
    switch (client) {
    case Wire::OpenAI: {
        QJsonObject body{{QStringLiteral("model"), model},
                         {QStringLiteral("messages"), QJsonArray{QJsonObject{{QStringLiteral("role"), QStringLiteral("user")},
                                                                             {QStringLiteral("content"), text}}}},
                         {QStringLiteral("stream"), stream}};
        if (stream)
            body.insert(u"stream_options", QJsonObject{{QStringLiteral("include_usage"), true}});
        call.path = "/v1/chat/completions";
        call.body = compact(body);
        break;
    }
    case Wire::Anthropic:
        call.path = "/v1/messages";
        call.body = compact({{QStringLiteral("model"), model},
                             {QStringLiteral("max_tokens"), 1024},
                             {QStringLiteral("messages"), QJsonArray{QJsonObject{{QStringLiteral("role"), QStringLiteral("user")},
                                                                                 {QStringLiteral("content"), text}}}},
                             {QStringLiteral("stream"), stream}});
        call.headers = "anthropic-version: 2023-06-01\r\n";
        break;
    case Wire::Gemini:
        call.path = "/v1beta/models/" + QUrl::toPercentEncoding(model)
            + (stream ? QByteArrayLiteral(":streamGenerateContent?alt=sse") : QByteArrayLiteral(":generateContent"));
        call.body = compact({{QStringLiteral("contents"),
                              QJsonArray{QJsonObject{{QStringLiteral("role"), QStringLiteral("user")},
                                                     {QStringLiteral("parts"), QJsonArray{QJsonObject{{QStringLiteral("text"), text}}}}}}}});
        break;
    }
    return call;
}

QByteArray rawRequest(const ClientCall &call)
{
    return rawPost(call.path, call.body, call.headers);
}

QList<WireEvent> wireEvents(const QByteArray &body)
{
    QByteArray normal = body;
    normal.replace("\r\n", "\n");
    normal.replace('\r', '\n');
    QList<WireEvent> events;
    WireEvent current;
    bool any = false;
    for (const QByteArray &line : normal.split('\n')) {
        if (line.isEmpty()) {
            if (any)
                events.append(current);
            current = {};
            any = false;
            continue;
        }
        if (line.startsWith(':'))
            continue;
        const qsizetype colon = line.indexOf(':');
        const QByteArray field = colon < 0 ? line : line.first(colon);
        QByteArray value = colon < 0 ? QByteArray() : line.sliced(colon + 1);
        if (value.startsWith(' '))
            value.remove(0, 1);
        if (field == "event") {
            current.name = value;
        } else if (field == "data") {
            if (any)
                current.data.append('\n');
            current.data.append(value);
            any = true;
        }
    }
    if (any)
        events.append(current);
    return events;
}

QByteArray openAiChunk(const QByteArray &json)
{
    return "data: " + json + "\n\n";
}

QByteArray anthropicEvent(const QByteArray &type, const QByteArray &json)
{
    return "event: " + type + "\ndata: " + json + "\n\n";
}

QByteArray geminiChunk(const QByteArray &json)
{
    return "data: " + json + "\r\n\r\n";
}

QList<QByteArray> openAiTextStream(const QStringList &words)
{
    const QByteArray head = R"({"id":"chatcmpl-up1","object":"chat.completion.chunk","created":1,"model":"openai-up","choices":[{"index":0,"delta":)";
    QList<QByteArray> events{openAiChunk(head + R"({"role":"assistant","content":""},"finish_reason":null}]})")};
    for (const QString &word : words)
        events << openAiChunk(head + R"({"content":)" + jsonString(word) + R"(},"finish_reason":null}]})");
    events << openAiChunk(head + R"({},"finish_reason":"stop"}]})")
           << openAiChunk(R"({"id":"chatcmpl-up1","object":"chat.completion.chunk","created":1,"model":"openai-up","choices":[],"usage":{"prompt_tokens":11,"completion_tokens":)"
                          + QByteArray::number(words.size()) + R"(,"total_tokens":)" + QByteArray::number(11 + words.size()) + "}}")
           << openAiChunk("[DONE]");
    return events;
}

QList<QByteArray> anthropicTextStream(const QStringList &words)
{
    QList<QByteArray> events{
        anthropicEvent("message_start", R"({"type":"message_start","message":{"id":"msg_up1","type":"message","role":"assistant","model":"anthropic-up","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":11,"output_tokens":1}}})"),
        anthropicEvent("content_block_start", R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})"),
    };
    for (const QString &word : words)
        events << anthropicEvent("content_block_delta", R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":)" + jsonString(word) + "}}");
    events << anthropicEvent("content_block_stop", R"({"type":"content_block_stop","index":0})")
           << anthropicEvent("message_delta", R"({"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":)"
                                                  + QByteArray::number(words.size()) + "}}")
           << anthropicEvent("message_stop", R"({"type":"message_stop"})");
    return events;
}

QList<QByteArray> geminiTextStream(const QStringList &words)
{
    QList<QByteArray> events;
    for (qsizetype i = 0; i < words.size(); ++i) {
        QByteArray chunk = R"({"candidates":[{"content":{"parts":[{"text":)" + jsonString(words.at(i)) + R"(}],"role":"model"},"index":0)";
        if (i + 1 == words.size())
            chunk += R"(,"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":11,"candidatesTokenCount":)"
                + QByteArray::number(words.size()) + R"(,"totalTokenCount":)" + QByteArray::number(11 + words.size()) + "}";
        else
            chunk += "}]";
        chunk += R"(,"modelVersion":"gemini-up","responseId":"up1"})";
        events << geminiChunk(chunk);
    }
    return events;
}

QList<QByteArray> upstreamTextStream(Wire channel, const QStringList &words)
{
    switch (channel) {
    case Wire::OpenAI: return openAiTextStream(words);
    case Wire::Anthropic: return anthropicTextStream(words);
    case Wire::Gemini: return geminiTextStream(words);
    }
    return {};
}

QString expectedErrorType(Wire client, int status)
{
    const ir::ErrorKind kind = ir::errorKindForStatus(status);
    using K = ir::ErrorKind;
    switch (client) {
    case Wire::Gemini:
        switch (kind) {
        case K::InvalidRequest: case K::RequestTooLarge: return QStringLiteral("INVALID_ARGUMENT");
        case K::Authentication: return QStringLiteral("UNAUTHENTICATED");
        case K::Permission: return QStringLiteral("PERMISSION_DENIED");
        case K::NotFound: return QStringLiteral("NOT_FOUND");
        case K::RateLimit: return QStringLiteral("RESOURCE_EXHAUSTED");
        case K::Overloaded: return QStringLiteral("UNAVAILABLE");
        case K::Timeout: return QStringLiteral("DEADLINE_EXCEEDED");
        case K::Server: return QStringLiteral("INTERNAL");
        }
        break;
    case Wire::Anthropic:
    case Wire::OpenAI: {
        const bool anthropic = client == Wire::Anthropic;
        switch (kind) {
        case K::InvalidRequest: return QStringLiteral("invalid_request_error");
        case K::NotFound: return anthropic ? QStringLiteral("not_found_error") : QStringLiteral("invalid_request_error");
        case K::RequestTooLarge: return anthropic ? QStringLiteral("request_too_large") : QStringLiteral("invalid_request_error");
        case K::Authentication: return QStringLiteral("authentication_error");
        case K::Permission: return QStringLiteral("permission_error");
        case K::RateLimit: return QStringLiteral("rate_limit_error");
        case K::Overloaded: return QStringLiteral("overloaded_error");
        case K::Timeout: case K::Server: return QStringLiteral("api_error");
        }
        break;
    }
    }
    return {};
}

FreshChannelRig::FreshChannelRig()
{
    for (const Wire wire : kWires) {
        for (int i = 0; i < kChannels; ++i)
            addChannel(wire, model(wire, i));
    }
    started = start();
}

QString FreshChannelRig::model(Wire wire, int i)
{
    return QStringLiteral("m-%1-%2").arg(QString::fromLatin1(wireName(wire))).arg(i);
}

QString FreshChannelRig::fresh(Wire wire)
{
    int &used = m_used[int(wire)];
    if (used >= kChannels)
        qFatal("the rig ran out of channels");
    return model(wire, used++);
}

std::pair<RawResponse, UsageRecord> FreshChannelRig::stream(Wire channel, Wire client, const QList<QByteArray> &events)
{
    MockBehaviour behaviour;
    behaviour.rawEvents = events;
    return run(channel, client, true, behaviour);
}

std::pair<RawResponse, UsageRecord> FreshChannelRig::answer(Wire channel, Wire client, const QByteArray &body)
{
    MockBehaviour behaviour;
    behaviour.body = body;
    return run(channel, client, false, behaviour);
}

RawResponse exchange(quint16 port, const QByteArray &bytes, int timeoutMs)
{
    RawClient client(port);
    client.send(bytes, timeoutMs);
    return client.readResponses(1, timeoutMs).value(0);
}

std::pair<RawResponse, UsageRecord> FreshChannelRig::run(Wire channel, Wire client, bool stream, const MockBehaviour &behaviour)
{
    mock.setDefaultBehaviour(behaviour); // not queued: a request that never reaches the mock shifts nothing
    const qsizetype before = tarn.usageRows().size();
    const RawResponse r = exchange(tarn.port(), rawRequest(clientCall(client, fresh(channel), stream)));
    const QList<UsageRecord> rows = rowsWhenAtLeast(int(before + 1));
    return {r, rows.value(before)};
}

QString where(const char *what, Wire channel, Wire client)
{
    return QStringLiteral("%1 (%2 → %3)").arg(QString::fromLatin1(what), QString::fromLatin1(wireName(channel)),
                                              QString::fromLatin1(wireName(client)));
}

} // namespace tarn::test
