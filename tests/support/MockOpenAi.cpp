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

const QStringList kWords = {u"Hello"_s, u" from"_s, u" the"_s, u" mock"_s, u" upstream"_s};

QByteArray sse(const QJsonObject &object)
{
    return "data: " + compact(object) + "\n\n";
}

QJsonObject chatUsage(const MockTurn &t)
{
    const int completion = t.completion + t.reasoning;
    return {{u"prompt_tokens"_s, t.prompt},
            {u"completion_tokens"_s, completion},
            {u"total_tokens"_s, t.prompt + completion},
            {u"prompt_tokens_details"_s, QJsonObject{{u"cached_tokens"_s, t.cached},
                                                      {u"audio_tokens"_s, 0}}},
            {u"completion_tokens_details"_s,
             QJsonObject{{u"reasoning_tokens"_s, t.reasoning},
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

Conversation readChat(const QJsonObject &json)
{
    Conversation conversation;
    for (const QJsonValue &value : json.value(u"messages").toArray()) {
        const QJsonObject message = value.toObject();
        const QJsonValue content = message.value(u"content");
        conversation.promptBytes += textBytes(content);
        const QString role = message.value(u"role").toString();
        if (role == u"tool")
            conversation.toolResult = contentText(content);
        else if (role == u"user")
            conversation.toolResult.reset();
    }
    for (const QJsonValue &tool : json.value(u"tools").toArray()) {
        const QString name = tool.toObject().value(u"function").toObject().value(u"name").toString();
        if (!name.isEmpty())
            conversation.toolNames.append(name);
    }
    return conversation;
}

QString callId(const MockTurn &turn, quint64 seq, qsizetype i)
{
    return turn.automaticCall ? u"call_mock%1"_s.arg(seq) : u"call_mock%1_%2"_s.arg(seq).arg(i);
}

void chatStream(const Context &c, const MockTurn &turn, quint64 seq, MockReply &reply)
{
    const bool calls = !turn.calls.isEmpty();
    bool roleSent = false;
    if (!turn.thinking.isEmpty()) {
        reply.events.append(sse(chatChunk(c, QJsonObject{{u"role"_s, u"assistant"_s},
                                                         {u"content"_s, calls ? kNull : u""_s},
                                                         {u"refusal"_s, kNull}},
                                          kNull)));
        roleSent = true;
        for (const QString &piece : turn.thinking)
            reply.events.append(
                sse(chatChunk(c, QJsonObject{{u"reasoning_content"_s, piece}}, kNull)));
    }
    for (qsizetype i = 0; i < turn.calls.size(); ++i) {
        const PlannedCall &call = turn.calls.at(i);
        QJsonObject first{
            {u"tool_calls"_s,
             QJsonArray{QJsonObject{
                 {u"index"_s, int(i)},
                 {u"id"_s, callId(turn, seq, i)},
                 {u"type"_s, u"function"_s},
                 {u"function"_s, QJsonObject{{u"name"_s, call.name}, {u"arguments"_s, u""_s}}}}}}};
        if (!roleSent) {
            first.insert(u"role"_s, u"assistant"_s);
            first.insert(u"content"_s, kNull);
            first.insert(u"refusal"_s, kNull);
            roleSent = true;
        }
        reply.events.append(sse(chatChunk(c, first, kNull)));
        for (const QString &fragment : call.fragments) {
            const QJsonObject delta{
                {u"tool_calls"_s,
                 QJsonArray{QJsonObject{{u"index"_s, int(i)},
                                        {u"function"_s,
                                         QJsonObject{{u"arguments"_s, fragment}}}}}}};
            reply.events.append(sse(chatChunk(c, delta, kNull)));
        }
    }
    if (!calls) {
        if (!roleSent) {
            reply.events.append(sse(chatChunk(c, QJsonObject{{u"role"_s, u"assistant"_s},
                                                             {u"content"_s, u""_s},
                                                             {u"refusal"_s, kNull}},
                                              kNull)));
        }
        for (const QString &piece : turn.text)
            reply.events.append(sse(chatChunk(c, QJsonObject{{u"content"_s, piece}}, kNull)));
    }
    reply.events.append(sse(chatChunk(c, QJsonObject{}, calls ? u"tool_calls"_s : u"stop"_s)));
    if (c.includeUsage)
        reply.events.append(sse(usageChunk(c, "chat.completion.chunk", chatUsage(turn))));
    reply.events.append(QByteArrayLiteral("data: [DONE]\n\n"));
}

void chat(Context &c, MockReply &reply, quint64 seq)
{
    c.id = u"chatcmpl-mock%1"_s.arg(seq);
    const MockTurn turn = planTurn(c.behaviour, readChat(c.json));
    if (reply.stream) {
        chatStream(c, turn, seq, reply);
        return;
    }
    const bool calls = !turn.calls.isEmpty();
    QJsonObject message{{u"role"_s, u"assistant"_s}, {u"refusal"_s, kNull}};
    if (!turn.thinking.isEmpty())
        message.insert(u"reasoning_content"_s, turn.fullThinking());
    if (calls) {
        message.insert(u"content"_s, kNull);
        QJsonArray toolCalls;
        for (qsizetype i = 0; i < turn.calls.size(); ++i) {
            const PlannedCall &call = turn.calls.at(i);
            const QJsonObject function{{u"name"_s, call.name},
                                       {u"arguments"_s, QString::fromUtf8(call.arguments)}};
            toolCalls.append(QJsonObject{{u"id"_s, callId(turn, seq, i)},
                                         {u"type"_s, u"function"_s},
                                         {u"function"_s, function}});
        }
        message.insert(u"tool_calls"_s, toolCalls);
    } else {
        message.insert(u"content"_s, turn.fullText());
    }
    const QJsonObject body{
        {u"id"_s, c.id},
        {u"object"_s, u"chat.completion"_s},
        {u"created"_s, c.created},
        {u"model"_s, c.model},
        {u"choices"_s, QJsonArray{QJsonObject{{u"index"_s, 0},
                                               {u"message"_s, message},
                                               {u"logprobs"_s, kNull},
                                               {u"finish_reason"_s,
                                                calls ? u"tool_calls"_s : u"stop"_s}}}},
        {u"usage"_s, chatUsage(turn)},
        {u"system_fingerprint"_s, u"fp_mock"_s}};
    reply.body = compact(body);
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
    const int prompt = promptTokens(textBytes(c.json.value(u"prompt")));
    const int completion = qMax(0, c.behaviour.chunks);
    const QJsonObject usage{{u"prompt_tokens"_s, prompt},
                            {u"completion_tokens"_s, completion},
                            {u"total_tokens"_s, prompt + completion}};
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
    const int tokens = promptTokens(textBytes(input));
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

} // namespace

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

void openAiAnswer(const MockRequest &request, const MockBehaviour &behaviour, quint64 seq,
                  MockReply &reply)
{
    Context c{request, behaviour, request.json(), {}, {}, QDateTime::currentSecsSinceEpoch(), false};
    c.model = c.json.value(u"model").toString(u"mock-model"_s);
    c.includeUsage = c.json.value(u"stream_options").toObject().value(u"include_usage").toBool();
    const QByteArray path = pathWithoutQuery(request.path);
    if (path.endsWith("/chat/completions")) {
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
}

} // namespace tarn::test::detail
