// SPDX-License-Identifier: GPL-3.0-or-later
#include "tests/support/MockAnthropic.h"

#include <QJsonArray>

namespace tarn::test::detail {

using namespace Qt::StringLiterals;

namespace {

const QString kSignature = u"mocksig"_s;

QByteArray event(const char *name, const QJsonObject &data)
{
    return QByteArrayLiteral("event: ") + name + "\ndata: " + compact(data) + "\n\n";
}

Conversation readMessages(const QJsonObject &json)
{
    Conversation conversation;
    conversation.promptBytes = textBytes(json.value(u"system"));
    for (const QJsonValue &value : json.value(u"messages").toArray()) {
        const QJsonObject message = value.toObject();
        const QJsonValue content = message.value(u"content");
        conversation.promptBytes += textBytes(content);
        bool hasResult = false;
        for (const QJsonValue &block : content.toArray()) {
            const QJsonObject object = block.toObject();
            if (object.value(u"type").toString() != u"tool_result")
                continue;
            conversation.promptBytes += textBytes(object.value(u"content"));
            conversation.toolResult = contentText(object.value(u"content"));
            hasResult = true;
        }
        if (!hasResult && message.value(u"role").toString() == u"user")
            conversation.toolResult.reset();
    }
    for (const QJsonValue &tool : json.value(u"tools").toArray()) {
        const QString name = tool.toObject().value(u"name").toString();
        if (!name.isEmpty())
            conversation.toolNames.append(name);
    }
    return conversation;
}

QJsonObject usage(const MockTurn &turn, int outputTokens)
{
    return {{u"input_tokens"_s, turn.prompt - turn.cached},
            {u"cache_creation_input_tokens"_s, 0},
            {u"cache_read_input_tokens"_s, turn.cached},
            {u"output_tokens"_s, outputTokens}};
}

QString toolUseId(quint64 seq, qsizetype i)
{
    return u"toolu_mock%1_%2"_s.arg(seq).arg(i);
}

QString stopReason(const MockTurn &turn)
{
    return turn.calls.isEmpty() ? u"end_turn"_s : u"tool_use"_s;
}

QJsonObject messageObject(const QString &id, const QString &model, const QJsonArray &content,
                          const QJsonValue &stop, const QJsonObject &usage)
{
    return {{u"id"_s, id},
            {u"type"_s, u"message"_s},
            {u"role"_s, u"assistant"_s},
            {u"model"_s, model},
            {u"content"_s, content},
            {u"stop_reason"_s, stop},
            {u"stop_sequence"_s, kNull},
            {u"usage"_s, usage}};
}

void message(const QJsonObject &json, const MockTurn &turn, quint64 seq, MockReply &reply)
{
    const QString model = json.value(u"model").toString(u"claude-mock"_s);
    RawJson raw;
    QJsonArray content;
    if (!turn.thinking.isEmpty()) {
        content.append(QJsonObject{{u"type"_s, u"thinking"_s},
                                   {u"thinking"_s, turn.fullThinking()},
                                   {u"signature"_s, kSignature}});
    }
    if (!turn.text.isEmpty())
        content.append(QJsonObject{{u"type"_s, u"text"_s}, {u"text"_s, turn.fullText()}});
    for (qsizetype i = 0; i < turn.calls.size(); ++i) {
        const PlannedCall &call = turn.calls.at(i);
        content.append(QJsonObject{{u"type"_s, u"tool_use"_s},
                                   {u"id"_s, toolUseId(seq, i)},
                                   {u"name"_s, call.name},
                                   {u"input"_s, raw.placeholder(call.arguments)}});
    }
    const QJsonObject body = messageObject(u"msg_mock%1"_s.arg(seq), model, content,
                                           stopReason(turn),
                                           usage(turn, turn.completion + turn.reasoning));
    reply.body = raw.splice(compact(body));
}

// The streamed message, as the API sends it: message_start, then each block's start, deltas and
// stop (a ping after the first block start), message_delta, message_stop.
void messageStream(const QJsonObject &json, const MockTurn &turn, quint64 seq, MockReply &reply)
{
    const QString model = json.value(u"model").toString(u"claude-mock"_s);
    QList<QByteArray> &events = reply.events;
    events.append(event("message_start",
                        {{u"type"_s, u"message_start"_s},
                         {u"message"_s, messageObject(u"msg_mock%1"_s.arg(seq), model, {}, kNull,
                                                      usage(turn, 1))}}));
    int index = 0;
    bool pinged = false;
    const auto start = [&](const QJsonObject &block) {
        events.append(event("content_block_start", {{u"type"_s, u"content_block_start"_s},
                                                    {u"index"_s, index},
                                                    {u"content_block"_s, block}}));
        if (!pinged)
            events.append(event("ping", {{u"type"_s, u"ping"_s}}));
        pinged = true;
    };
    const auto delta = [&](const QJsonObject &body) {
        events.append(event("content_block_delta", {{u"type"_s, u"content_block_delta"_s},
                                                    {u"index"_s, index},
                                                    {u"delta"_s, body}}));
    };
    const auto stop = [&] {
        events.append(event("content_block_stop",
                            {{u"type"_s, u"content_block_stop"_s}, {u"index"_s, index}}));
        ++index;
    };
    if (!turn.thinking.isEmpty()) {
        start({{u"type"_s, u"thinking"_s}, {u"thinking"_s, u""_s}});
        for (const QString &piece : turn.thinking)
            delta({{u"type"_s, u"thinking_delta"_s}, {u"thinking"_s, piece}});
        delta({{u"type"_s, u"signature_delta"_s}, {u"signature"_s, kSignature}});
        stop();
    }
    if (!turn.text.isEmpty()) {
        start({{u"type"_s, u"text"_s}, {u"text"_s, u""_s}});
        for (const QString &piece : turn.text)
            delta({{u"type"_s, u"text_delta"_s}, {u"text"_s, piece}});
        stop();
    }
    for (qsizetype i = 0; i < turn.calls.size(); ++i) {
        const PlannedCall &call = turn.calls.at(i);
        start({{u"type"_s, u"tool_use"_s},
               {u"id"_s, toolUseId(seq, i)},
               {u"name"_s, call.name},
               {u"input"_s, QJsonObject{}}});
        for (const QString &fragment : call.fragments)
            delta({{u"type"_s, u"input_json_delta"_s}, {u"partial_json"_s, fragment}});
        stop();
    }
    if (!pinged)
        events.insert(1, event("ping", {{u"type"_s, u"ping"_s}}));
    events.append(event("message_delta",
                        {{u"type"_s, u"message_delta"_s},
                         {u"delta"_s, QJsonObject{{u"stop_reason"_s, stopReason(turn)},
                                                  {u"stop_sequence"_s, kNull}}},
                         {u"usage"_s, QJsonObject{{u"output_tokens"_s,
                                                   turn.completion + turn.reasoning}}}}));
    events.append(event("message_stop", {{u"type"_s, u"message_stop"_s}}));
}

void reject(MockReply &reply, int status, const QString &message)
{
    reply.status = status;
    reply.body = anthropicError(status, message);
}

} // namespace

bool anthropicRejects(const MockRequest &request, const MockBehaviour &behaviour, MockReply &reply)
{
    const QByteArray path = pathWithoutQuery(request.path);
    const bool count = path.endsWith("/messages/count_tokens");
    if (!count && !path.endsWith("/messages"))
        return false;
    if (behaviour.requireAnthropicKey && request.header("x-api-key").isEmpty()) {
        reject(reply, 401, u"x-api-key header is required"_s);
        return true;
    }
    if (behaviour.requireAnthropicVersion && request.header("anthropic-version").isEmpty()) {
        reject(reply, 400, u"anthropic-version: header is required"_s);
        return true;
    }
    if (!behaviour.strictRequests)
        return false;
    const QJsonObject json = request.json();
    QString problem;
    if (json.isEmpty())
        problem = u"The request body is not valid JSON."_s;
    else if (json.value(u"model").toString().isEmpty())
        problem = u"model: Field required"_s;
    else if (!count && !json.value(u"max_tokens").isDouble())
        problem = u"max_tokens: Field required"_s;
    else if (!json.value(u"messages").isArray())
        problem = u"messages: Field required"_s;
    else if (json.value(u"messages").toArray().isEmpty())
        problem = u"messages: at least one message is required"_s;
    if (problem.isEmpty())
        return false;
    reject(reply, 400, problem);
    return true;
}

void anthropicAnswer(const MockRequest &request, const MockBehaviour &behaviour, quint64 seq,
                     MockReply &reply)
{
    const QByteArray path = pathWithoutQuery(request.path);
    const QJsonObject json = request.json();
    if (request.method == "POST" && path.endsWith("/messages/count_tokens")) {
        reply.stream = false;
        const int tokens = promptTokens(readMessages(json).promptBytes);
        reply.body = compact({{u"input_tokens"_s, tokens}});
    } else if (request.method == "POST" && path.endsWith("/messages")) {
        const MockTurn turn = planTurn(behaviour, readMessages(json));
        if (reply.stream)
            messageStream(json, turn, seq, reply);
        else
            message(json, turn, seq, reply);
    } else {
        reply.stream = false;
        reject(reply, 404, u"Not found"_s);
    }
}

QByteArray anthropicError(int status, const QString &message)
{
    QString type = status >= 500 ? u"api_error"_s : u"invalid_request_error"_s;
    QString text = u"Mock error (HTTP %1)."_s.arg(status);
    switch (status) {
    case 401: type = u"authentication_error"_s; text = u"invalid x-api-key"_s; break;
    case 402: type = u"billing_error"_s; break;
    case 403: type = u"permission_error"_s; break;
    case 404: type = u"not_found_error"_s; break;
    case 413: type = u"request_too_large"_s; break;
    case 429:
        type = u"rate_limit_error"_s;
        text = u"Number of request tokens has exceeded your per-minute rate limit."_s;
        break;
    case 500: text = u"Internal server error"_s; break;
    case 529: type = u"overloaded_error"_s; text = u"Overloaded"_s; break;
    default: break;
    }
    if (!message.isEmpty())
        text = message;
    return compact({{u"type"_s, u"error"_s},
                    {u"error"_s, QJsonObject{{u"type"_s, type}, {u"message"_s, text}}},
                    {u"request_id"_s, u"req_mock"_s}});
}

} // namespace tarn::test::detail
