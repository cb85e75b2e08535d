// SPDX-License-Identifier: GPL-3.0-or-later
#include "tests/support/MockGemini.h"

#include <QJsonArray>

namespace tarn::test::detail {

using namespace Qt::StringLiterals;

namespace {

const QByteArray kJsonType = QByteArrayLiteral("application/json; charset=UTF-8");

// The REST API takes proto field names in camelCase and snake_case alike.
QJsonValue member(const QJsonObject &object, QStringView camel, QStringView snake)
{
    const QJsonValue value = object.value(camel);
    return value.isUndefined() ? object.value(snake) : value;
}

struct Target
{
    QString model;    // from the path, e.g. "gemini-2.5-flash"
    QByteArray method; // "generateContent", "streamGenerateContent", "countTokens" or other
};

Target target(const MockRequest &request)
{
    const QByteArray path = pathWithoutQuery(request.path);
    const qsizetype models = path.indexOf("/models/");
    const qsizetype colon = path.lastIndexOf(':');
    if (models < 0 || colon < models)
        return {};
    const qsizetype start = models + 8;
    return {QString::fromUtf8(QByteArray::fromPercentEncoding(path.mid(start, colon - start))),
            path.mid(colon + 1)};
}

QString responseText(const QJsonValue &response)
{
    if (response.isString())
        return response.toString();
    const QJsonObject object = response.toObject();
    for (const QString &key : {u"output"_s, u"result"_s, u"content"_s, u"text"_s}) {
        const QJsonValue value = object.value(key);
        if (value.isString() || value.isArray())
            return contentText(value);
    }
    return QString::fromUtf8(compact(object));
}

Conversation readContents(const QJsonObject &json)
{
    Conversation conversation;
    const QJsonObject system = member(json, u"systemInstruction", u"system_instruction").toObject();
    conversation.promptBytes = textBytes(system.value(u"parts"));
    for (const QJsonValue &value : json.value(u"contents").toArray()) {
        const QJsonObject content = value.toObject();
        const QJsonArray parts = content.value(u"parts").toArray();
        conversation.promptBytes += textBytes(parts);
        bool hasResult = false;
        for (const QJsonValue &part : parts) {
            const QJsonValue result = member(part.toObject(), u"functionResponse",
                                             u"function_response");
            if (!result.isObject())
                continue;
            conversation.toolResult = responseText(result.toObject().value(u"response"));
            hasResult = true;
        }
        if (!hasResult && content.value(u"role").toString(u"user"_s) == u"user")
            conversation.toolResult.reset();
    }
    for (const QJsonValue &tool : json.value(u"tools").toArray()) {
        const QJsonArray declarations =
            member(tool.toObject(), u"functionDeclarations", u"function_declarations").toArray();
        for (const QJsonValue &declaration : declarations) {
            const QString name = declaration.toObject().value(u"name").toString();
            if (!name.isEmpty())
                conversation.toolNames.append(name);
        }
    }
    return conversation;
}

QJsonObject usage(const MockTurn &turn)
{
    QJsonObject usage{{u"promptTokenCount"_s, turn.prompt},
                      {u"candidatesTokenCount"_s, turn.completion},
                      {u"totalTokenCount"_s, turn.prompt + turn.completion + turn.reasoning}};
    if (turn.cached > 0)
        usage.insert(u"cachedContentTokenCount"_s, turn.cached);
    if (turn.reasoning > 0)
        usage.insert(u"thoughtsTokenCount"_s, turn.reasoning);
    return usage;
}

struct Answer
{
    const MockBehaviour &behaviour;
    const MockTurn &turn;
    QString model;
    QString responseId;
    RawJson raw;

    // One GenerateContentResponse; the last one carries finishReason and usage.
    QByteArray response(const QJsonArray &parts, bool last) const
    {
        QJsonObject candidate{{u"content"_s, QJsonObject{{u"role"_s, u"model"_s},
                                                         {u"parts"_s, parts}}},
                              {u"index"_s, 0}};
        QJsonObject body{{u"candidates"_s, QJsonArray{candidate}},
                         {u"modelVersion"_s, model},
                         {u"responseId"_s, responseId}};
        if (last) {
            candidate.insert(u"finishReason"_s, u"STOP"_s);
            body.insert(u"candidates"_s, QJsonArray{candidate});
            body.insert(u"usageMetadata"_s, usage(turn));
        }
        return raw.splice(compact(body));
    }

    QJsonArray callParts(quint64 seq)
    {
        QJsonArray parts;
        for (qsizetype i = 0; i < turn.calls.size(); ++i) {
            const PlannedCall &call = turn.calls.at(i);
            QJsonObject functionCall{{u"name"_s, call.name},
                                     {u"args"_s, raw.placeholder(call.arguments)}};
            if (behaviour.geminiCallIds)
                functionCall.insert(u"id"_s, u"fc_mock%1_%2"_s.arg(seq).arg(i));
            parts.append(QJsonObject{{u"functionCall"_s, functionCall},
                                     {u"thoughtSignature"_s, u"sig-%1"_s.arg(i)}});
        }
        return parts;
    }
};

QJsonObject textPart(const QString &text, bool thought = false)
{
    QJsonObject part{{u"text"_s, text}};
    if (thought)
        part.insert(u"thought"_s, true);
    return part;
}

void generate(Answer &a, quint64 seq, MockReply &reply)
{
    QJsonArray parts;
    if (!a.turn.thinking.isEmpty())
        parts.append(textPart(a.turn.fullThinking(), true));
    if (!a.turn.calls.isEmpty()) {
        for (const QJsonValue &part : a.callParts(seq))
            parts.append(part);
    } else if (!a.turn.text.isEmpty() || parts.isEmpty()) {
        parts.append(textPart(a.turn.fullText()));
    }
    reply.body = a.response(parts, true);
}

// SSE events end "\r\n\r\n" as Google's do; without alt=sse the stream is one JSON array.
void generateStream(Answer &a, quint64 seq, bool sse, MockReply &reply)
{
    QList<QByteArray> responses;
    for (const QString &piece : a.turn.thinking)
        responses.append(a.response(QJsonArray{textPart(piece, true)}, false));
    if (!a.turn.calls.isEmpty()) {
        const QJsonArray parts = a.callParts(seq);
        responses.append(a.response(parts, true));
    } else if (a.turn.text.isEmpty()) {
        responses.append(a.response(QJsonArray{textPart(QString())}, true));
    } else {
        for (qsizetype i = 0; i < a.turn.text.size(); ++i)
            responses.append(a.response(QJsonArray{textPart(a.turn.text.at(i))},
                                        i + 1 == a.turn.text.size()));
    }
    for (qsizetype i = 0; i < responses.size(); ++i) {
        if (sse)
            reply.events.append("data: " + responses.at(i) + "\r\n\r\n");
        else
            reply.events.append((i == 0 ? "[" : ",\r\n") + responses.at(i));
    }
    if (!sse) {
        reply.events.append(QByteArrayLiteral("]"));
        reply.contentType = kJsonType;
    } else {
        reply.contentType = QByteArrayLiteral("text/event-stream");
    }
}

void reject(MockReply &reply, int status, const QString &message = {})
{
    reply.status = status;
    reply.body = geminiError(status, message);
    reply.contentType = kJsonType;
}

} // namespace

bool geminiRejects(const MockRequest &request, const MockBehaviour &behaviour, MockReply &reply)
{
    const Target t = target(request);
    if (t.method != "generateContent" && t.method != "streamGenerateContent"
        && t.method != "countTokens")
        return false;
    if (behaviour.requireGeminiKey && request.header("x-goog-api-key").isEmpty()
        && queryValue(request.path, "key").isEmpty()) {
        reject(reply, 403,
               u"Method doesn't allow unregistered callers (callers without established "
               "identity). Please use API Key or other form of API consumer identity to call "
               "this API."_s);
        return true;
    }
    if (!behaviour.strictRequests)
        return false;
    QJsonObject json = request.json();
    if (t.method == "countTokens" && json.value(u"generateContentRequest").isObject())
        json = json.value(u"generateContentRequest").toObject();
    if (json.value(u"contents").toArray().isEmpty()) {
        reject(reply, 400, u"* GenerateContentRequest.contents: contents is not specified\n"_s);
        return true;
    }
    return false;
}

void geminiAnswer(const MockRequest &request, const MockBehaviour &behaviour, quint64 seq,
                  MockReply &reply)
{
    const Target t = target(request);
    QJsonObject json = request.json();
    if (request.method != "POST"
        || (t.method != "generateContent" && t.method != "streamGenerateContent"
            && t.method != "countTokens")) {
        reply.stream = false;
        reject(reply, 404, u"Requested entity was not found."_s);
        return;
    }
    if (t.method == "countTokens") {
        reply.stream = false;
        reply.contentType = kJsonType;
        if (json.value(u"generateContentRequest").isObject())
            json = json.value(u"generateContentRequest").toObject();
        const int tokens = promptTokens(readContents(json).promptBytes);
        reply.body = compact({{u"totalTokens"_s, tokens}});
        return;
    }
    const MockTurn turn = planTurn(behaviour, readContents(json));
    Answer answer{behaviour, turn, t.model, u"mock%1"_s.arg(seq), {}};
    if (reply.stream) {
        generateStream(answer, seq, queryValue(request.path, "alt") == "sse", reply);
    } else {
        reply.contentType = kJsonType;
        generate(answer, seq, reply);
    }
}

QByteArray geminiError(int status, const QString &message)
{
    QString name = status >= 500 ? u"INTERNAL"_s : u"INVALID_ARGUMENT"_s;
    QString text = u"Mock error (HTTP %1)."_s.arg(status);
    switch (status) {
    case 400: text = u"Request contains an invalid argument."_s; break;
    case 401:
        name = u"UNAUTHENTICATED"_s;
        text = u"Request had invalid authentication credentials."_s;
        break;
    case 403: name = u"PERMISSION_DENIED"_s; text = u"The caller does not have permission."_s; break;
    case 404: name = u"NOT_FOUND"_s; text = u"Requested entity was not found."_s; break;
    case 429:
        name = u"RESOURCE_EXHAUSTED"_s;
        text = u"Resource has been exhausted (e.g. check quota)."_s;
        break;
    case 500: text = u"An internal error has occurred."_s; break;
    case 502:
    case 503:
        name = u"UNAVAILABLE"_s;
        text = u"The model is overloaded. Please try again later."_s;
        break;
    case 504: name = u"DEADLINE_EXCEEDED"_s; text = u"Deadline expired before operation could complete."_s; break;
    default: break;
    }
    if (!message.isEmpty())
        text = message;
    return compact({{u"error"_s, QJsonObject{{u"code"_s, status},
                                             {u"message"_s, text},
                                             {u"status"_s, name}}}});
}

} // namespace tarn::test::detail
