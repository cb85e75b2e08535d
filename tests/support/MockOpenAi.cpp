// SPDX-License-Identifier: GPL-3.0-or-later
#include "tests/support/MockOpenAi.h"

#include "tests/support/HttpWire.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>

namespace tarn::test::detail {

using namespace Qt::StringLiterals;

namespace {

const QJsonValue kNull = QJsonValue(QJsonValue::Null);
const QStringList kWords = {u"Hello"_s, u" from"_s, u" the"_s, u" mock"_s, u" upstream"_s};
// A tool call's arguments, streamed as these five fragments.
const QStringList kArgFragments = {u"{\""_s, u"query"_s, u"\":\""_s, u"mock"_s, u"\"}"_s};

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QByteArray sse(const QJsonObject &object)
{
    return "data: " + compact(object) + "\n\n";
}

qint64 textBytes(const QJsonValue &value)
{
    if (value.isString())
        return value.toString().toUtf8().size();
    qint64 total = 0;
    if (value.isArray()) {
        for (const QJsonValue &item : value.toArray()) {
            if (item.isObject())
                total += textBytes(item.toObject().value(u"text"));
            else
                total += textBytes(item);
        }
    }
    return total;
}

struct Tokens
{
    int prompt = 0;
    int completion = 0;
    int cached = 0;
};

QJsonObject chatUsage(const Tokens &t)
{
    return {{u"prompt_tokens"_s, t.prompt},
            {u"completion_tokens"_s, t.completion},
            {u"total_tokens"_s, t.prompt + t.completion},
            {u"prompt_tokens_details"_s, QJsonObject{{u"cached_tokens"_s, t.cached},
                                                      {u"audio_tokens"_s, 0}}},
            {u"completion_tokens_details"_s,
             QJsonObject{{u"reasoning_tokens"_s, 0},
                         {u"audio_tokens"_s, 0},
                         {u"accepted_prediction_tokens"_s, 0},
                         {u"rejected_prediction_tokens"_s, 0}}}};
}

QString replyText(int words)
{
    QString text;
    for (int i = 0; i < words; ++i)
        text += kWords.at(i % kWords.size());
    return text;
}

struct Context
{
    const MockRequest &request;
    const MockBehaviour &behaviour;
    QJsonObject json;
    QString model;
    QString id;
    qint64 created = QDateTime::currentSecsSinceEpoch();
    bool includeUsage = false;
    Tokens tokens;
};

QJsonObject chunkBase(const Context &c, const char *object)
{
    QJsonObject chunk{{u"id"_s, c.id},
                      {u"object"_s, QString::fromLatin1(object)},
                      {u"created"_s, c.created},
                      {u"model"_s, c.model},
                      {u"system_fingerprint"_s, u"fp_mock"_s}};
    if (c.includeUsage)
        chunk.insert(u"usage"_s, kNull);
    return chunk;
}

QJsonObject chatChunk(const Context &c, const QJsonObject &delta, const QJsonValue &finish)
{
    QJsonObject chunk = chunkBase(c, "chat.completion.chunk");
    chunk.insert(u"choices"_s, QJsonArray{QJsonObject{{u"index"_s, 0},
                                                       {u"delta"_s, delta},
                                                       {u"logprobs"_s, kNull},
                                                       {u"finish_reason"_s, finish}}});
    return chunk;
}

QJsonObject usageChunk(const Context &c, const char *object, const QJsonObject &usage)
{
    QJsonObject chunk = chunkBase(c, object);
    chunk.insert(u"choices"_s, QJsonArray{});
    chunk.insert(u"usage"_s, usage);
    return chunk;
}

void chat(Context &c, MockReply &reply, quint64 seq)
{
    c.id = u"chatcmpl-mock%1"_s.arg(seq);
    qint64 bytes = 0;
    for (const QJsonValue &message : c.json.value(u"messages").toArray())
        bytes += textBytes(message.toObject().value(u"content"));
    const QJsonArray tools = c.json.value(u"tools").toArray();
    const bool toolCall = !tools.isEmpty();
    const QString toolName = toolCall
        ? tools.first().toObject().value(u"function").toObject().value(u"name").toString()
        : QString();
    const QString callId = u"call_mock%1"_s.arg(seq);
    c.tokens.prompt = int(bytes / 4 + 7);
    c.tokens.completion = toolCall ? int(kArgFragments.size()) : qMax(0, c.behaviour.chunks);
    c.tokens.cached = qBound(0, c.behaviour.cachedTokens, c.tokens.prompt);
    const QString finish = toolCall ? u"tool_calls"_s : u"stop"_s;

    if (!reply.stream) {
        QJsonObject message{{u"role"_s, u"assistant"_s}, {u"refusal"_s, kNull}};
        if (toolCall) {
            message.insert(u"content"_s, kNull);
            const QJsonObject function{{u"name"_s, toolName},
                                       {u"arguments"_s, kArgFragments.join(QString())}};
            message.insert(u"tool_calls"_s,
                           QJsonArray{QJsonObject{{u"id"_s, callId},
                                                  {u"type"_s, u"function"_s},
                                                  {u"function"_s, function}}});
        } else {
            message.insert(u"content"_s, replyText(c.behaviour.chunks));
        }
        const QJsonObject body{
            {u"id"_s, c.id},
            {u"object"_s, u"chat.completion"_s},
            {u"created"_s, c.created},
            {u"model"_s, c.model},
            {u"choices"_s, QJsonArray{QJsonObject{{u"index"_s, 0},
                                                   {u"message"_s, message},
                                                   {u"logprobs"_s, kNull},
                                                   {u"finish_reason"_s, finish}}}},
            {u"usage"_s, chatUsage(c.tokens)},
            {u"system_fingerprint"_s, u"fp_mock"_s}};
        reply.body = compact(body);
        return;
    }
    if (toolCall) {
        const QJsonObject first{
            {u"role"_s, u"assistant"_s},
            {u"content"_s, kNull},
            {u"tool_calls"_s,
             QJsonArray{QJsonObject{
                 {u"index"_s, 0},
                 {u"id"_s, callId},
                 {u"type"_s, u"function"_s},
                 {u"function"_s, QJsonObject{{u"name"_s, toolName}, {u"arguments"_s, u""_s}}}}}},
            {u"refusal"_s, kNull}};
        reply.events.append(sse(chatChunk(c, first, kNull)));
        for (const QString &fragment : kArgFragments) {
            const QJsonObject delta{
                {u"tool_calls"_s,
                 QJsonArray{QJsonObject{{u"index"_s, 0},
                                        {u"function"_s,
                                         QJsonObject{{u"arguments"_s, fragment}}}}}}};
            reply.events.append(sse(chatChunk(c, delta, kNull)));
        }
    } else {
        const QJsonObject first{{u"role"_s, u"assistant"_s},
                                {u"content"_s, u""_s},
                                {u"refusal"_s, kNull}};
        reply.events.append(sse(chatChunk(c, first, kNull)));
        for (int i = 0; i < c.behaviour.chunks; ++i) {
            const QJsonObject delta{{u"content"_s, kWords.at(i % kWords.size())}};
            reply.events.append(sse(chatChunk(c, delta, kNull)));
        }
    }
    reply.events.append(sse(chatChunk(c, QJsonObject{}, finish)));
    if (c.includeUsage)
        reply.events.append(sse(usageChunk(c, "chat.completion.chunk", chatUsage(c.tokens))));
    reply.events.append(QByteArrayLiteral("data: [DONE]\n\n"));
}

QJsonObject completionChoice(const QString &text, const QJsonValue &finish)
{
    return {{u"text"_s, text},
            {u"index"_s, 0},
            {u"logprobs"_s, kNull},
            {u"finish_reason"_s, finish}};
}

void completion(Context &c, MockReply &reply, quint64 seq)
{
    c.id = u"cmpl-mock%1"_s.arg(seq);
    c.tokens.prompt = int(textBytes(c.json.value(u"prompt")) / 4 + 7);
    c.tokens.completion = qMax(0, c.behaviour.chunks);
    const QJsonObject usage{{u"prompt_tokens"_s, c.tokens.prompt},
                            {u"completion_tokens"_s, c.tokens.completion},
                            {u"total_tokens"_s, c.tokens.prompt + c.tokens.completion}};
    if (!reply.stream) {
        QJsonObject body = chunkBase(c, "text_completion");
        body.insert(u"choices"_s,
                    QJsonArray{completionChoice(replyText(c.behaviour.chunks), u"stop"_s)});
        body.insert(u"usage"_s, usage);
        reply.body = compact(body);
        return;
    }
    for (int i = 0; i < c.behaviour.chunks; ++i) {
        QJsonObject chunk = chunkBase(c, "text_completion");
        chunk.insert(u"choices"_s,
                     QJsonArray{completionChoice(kWords.at(i % kWords.size()), kNull)});
        reply.events.append(sse(chunk));
    }
    QJsonObject last = chunkBase(c, "text_completion");
    last.insert(u"choices"_s, QJsonArray{completionChoice(QString(), u"stop"_s)});
    reply.events.append(sse(last));
    if (c.includeUsage)
        reply.events.append(sse(usageChunk(c, "text_completion", usage)));
    reply.events.append(QByteArrayLiteral("data: [DONE]\n\n"));
}

QJsonArray embeddingVector(const QString &input)
{
    const QByteArray hash = QCryptographicHash::hash(input.toUtf8(), QCryptographicHash::Sha256);
    QJsonArray vector;
    for (int i = 0; i < 8; ++i)
        vector.append((static_cast<quint8>(hash.at(i)) - 128) / 128.0);
    return vector;
}

void embeddings(Context &c, MockReply &reply)
{
    reply.stream = false;
    const QJsonValue input = c.json.value(u"input");
    QStringList inputs;
    if (input.isArray()) {
        for (const QJsonValue &item : input.toArray())
            inputs.append(item.toString());
    } else {
        inputs.append(input.toString());
    }
    QJsonArray data;
    for (int i = 0; i < inputs.size(); ++i) {
        data.append(QJsonObject{{u"object"_s, u"embedding"_s},
                                {u"index"_s, i},
                                {u"embedding"_s, embeddingVector(inputs.at(i))}});
    }
    const int tokens = int(textBytes(input) / 4 + 7);
    reply.body = compact(QJsonObject{
        {u"object"_s, u"list"_s},
        {u"data"_s, data},
        {u"model"_s, c.model},
        {u"usage"_s, QJsonObject{{u"prompt_tokens"_s, tokens}, {u"total_tokens"_s, tokens}}}});
}

QByteArray models()
{
    QJsonArray data;
    for (const QString &id : {u"mock-model"_s, u"mock-embedding"_s}) {
        data.append(QJsonObject{{u"id"_s, id},
                                {u"object"_s, u"model"_s},
                                {u"created"_s, 1700000000},
                                {u"owned_by"_s, u"mock"_s}});
    }
    return compact(QJsonObject{{u"object"_s, u"list"_s}, {u"data"_s, data}});
}

bool hasHeader(const MockHeaders &headers, QByteArrayView name)
{
    for (const auto &header : headers) {
        if (header.first.compare(name, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

} // namespace

bool wantsStream(const MockRequest &request)
{
    return request.json().value(u"stream").toBool();
}

QByteArray openAiError(int status)
{
    QString type = u"invalid_request_error"_s;
    QJsonValue code = kNull;
    QString message = u"Mock error (HTTP %1)."_s.arg(status);
    switch (status) {
    case 401: code = u"invalid_api_key"_s; message = u"Incorrect API key provided."_s; break;
    case 403: type = u"permission_error"_s; break;
    case 404: code = u"model_not_found"_s; message = u"The model does not exist."_s; break;
    case 429:
        type = u"requests"_s;
        code = u"rate_limit_exceeded"_s;
        message = u"Rate limit reached for requests."_s;
        break;
    default:
        if (status >= 500)
            type = u"server_error"_s;
        break;
    }
    return compact(QJsonObject{{u"error"_s, QJsonObject{{u"message"_s, message},
                                                         {u"type"_s, type},
                                                         {u"param"_s, kNull},
                                                         {u"code"_s, code}}}});
}

MockReply buildOpenAiReply(const MockRequest &request, const MockBehaviour &behaviour, quint64 seq)
{
    MockReply reply;
    reply.status = behaviour.status;
    reply.headers = behaviour.headers;
    Context c{request, behaviour, request.json(), {}, {}, QDateTime::currentSecsSinceEpoch(), false, {}};
    c.model = c.json.value(u"model").toString(u"mock-model"_s);
    c.includeUsage = c.json.value(u"stream_options").toObject().value(u"include_usage").toBool();
    reply.stream = c.json.value(u"stream").toBool();
    const bool error = behaviour.status < 200 || behaviour.status >= 300;
    const qsizetype query = request.path.indexOf('?');
    const QByteArray path = query < 0 ? request.path : request.path.left(query);

    if (!behaviour.rawEvents.isEmpty() && !error) {
        reply.stream = true;
        reply.events = behaviour.rawEvents;
    } else if (!behaviour.body.isEmpty() || error) {
        reply.stream = false;
        reply.body = behaviour.body.isEmpty() ? openAiError(behaviour.status) : behaviour.body;
    } else if (path.endsWith("/chat/completions")) {
        chat(c, reply, seq);
    } else if (path.endsWith("/completions")) {
        completion(c, reply, seq);
    } else if (path.endsWith("/embeddings")) {
        embeddings(c, reply);
    } else if (path.endsWith("/models") && request.method == "GET") {
        reply.stream = false;
        reply.body = models();
    } else {
        reply.status = 404;
        reply.stream = false;
        reply.body = openAiError(404);
    }
    if (!behaviour.eventSeparator.isEmpty() && behaviour.rawEvents.isEmpty()) {
        for (QByteArray &event : reply.events) {
            if (event.endsWith("\n\n")) {
                event.chop(2);
                event.append(behaviour.eventSeparator);
            }
        }
    }
    if (!hasHeader(reply.headers, "Content-Type")) {
        reply.headers.prepend({QByteArrayLiteral("Content-Type"),
                               reply.stream ? QByteArrayLiteral("text/event-stream; charset=utf-8")
                                            : QByteArrayLiteral("application/json")});
    }
    return reply;
}

} // namespace tarn::test::detail
