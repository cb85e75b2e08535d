// SPDX-License-Identifier: GPL-3.0-or-later
// Shapes from OpenAI's API reference for the Responses API (the openai SDK's
// resources/responses/responses.d.ts): the Response object, its output items and usage, and the
// typed stream events, each carrying a sequence_number that counts from 0.
#include "tests/support/MockResponses.h"

#include "tests/support/MockOpenAi.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

namespace tarn::test::detail {

using namespace Qt::StringLiterals;

namespace {

// The reasoning item's opaque state, when the request asks for it (Codex CLI always does).
const QString kEncrypted = u"mockenc"_s;

bool isToolOutput(const QString &type)
{
    return type == u"function_call_output" || type == u"custom_tool_call_output";
}

// Instructions plus every input item's text: messages' string contents and their input_text /
// output_text parts, and tool outputs. Calls and reasoning items count 0, like the other formats'.
Conversation readResponses(const QJsonObject &json)
{
    Conversation conversation;
    conversation.promptBytes = textBytes(json.value(u"instructions"));
    const QJsonValue input = json.value(u"input");
    if (input.isString())
        conversation.promptBytes += textBytes(input);
    for (const QJsonValue &value : input.toArray()) {
        const QJsonObject item = value.toObject();
        const QString type = item.value(u"type").toString();
        if (isToolOutput(type)) {
            const QJsonValue output = item.value(u"output");
            conversation.promptBytes += textBytes(output);
            conversation.toolResult = contentText(output);
        } else if (type.isEmpty() || type == u"message") {
            conversation.promptBytes += textBytes(item.value(u"content"));
            if (item.value(u"role").toString() == u"user")
                conversation.toolResult.reset();
        }
    }
    for (const QJsonValue &value : json.value(u"tools").toArray()) {
        const QJsonObject tool = value.toObject();
        const QString name = tool.value(u"name").toString();
        if (tool.value(u"type").toString() == u"function" && !name.isEmpty())
            conversation.toolNames.append(name);
    }
    return conversation;
}

QJsonObject usage(const MockTurn &turn)
{
    const int output = turn.completion + turn.reasoning;
    return {{u"input_tokens"_s, turn.prompt},
            {u"input_tokens_details"_s, QJsonObject{{u"cached_tokens"_s, turn.cached}}},
            {u"output_tokens"_s, output},
            {u"output_tokens_details"_s, QJsonObject{{u"reasoning_tokens"_s, turn.reasoning}}},
            {u"total_tokens"_s, turn.prompt + output}};
}

struct Context
{
    QJsonObject json;
    MockTurn turn;
    quint64 seq = 0;
    QString model;
    qint64 created = 0;
    bool encrypted = false;
    QSet<QString> customTools; // declared {"type":"custom"} tools: their calls are custom_tool_call

    QString responseId() const { return u"resp_mock%1"_s.arg(seq); }
    QString messageId() const { return u"msg_mock%1"_s.arg(seq); }
    QString reasoningId() const { return u"rs_mock%1"_s.arg(seq); }
    QString callItemId(qsizetype i) const
    {
        return (isCustom(i) ? u"ctc_mock%1_%2"_s : u"fc_mock%1_%2"_s).arg(seq).arg(i);
    }
    bool isCustom(qsizetype i) const { return customTools.contains(turn.calls.at(i).name); }
    // As the Chat Completions mock names them, so a call id reads the same in either API.
    QString callId(qsizetype i) const
    {
        return turn.automaticCall ? u"call_mock%1"_s.arg(seq) : u"call_mock%1_%2"_s.arg(seq).arg(i);
    }
    QJsonValue echoed(QStringView key, const QJsonValue &fallback) const
    {
        return json.contains(key) ? json.value(key) : fallback;
    }
};

// The Response object; the request's settings echo back as the API does.
QJsonObject responseObject(const Context &c, const QString &status, const QJsonArray &output,
                           const QJsonValue &usage)
{
    return {{u"id"_s, c.responseId()},
            {u"object"_s, u"response"_s},
            {u"created_at"_s, c.created},
            {u"status"_s, status},
            {u"error"_s, kNull},
            {u"incomplete_details"_s, kNull},
            {u"instructions"_s, c.echoed(u"instructions", kNull)},
            {u"max_output_tokens"_s, c.echoed(u"max_output_tokens", kNull)},
            {u"model"_s, c.model},
            {u"output"_s, output},
            {u"parallel_tool_calls"_s, c.echoed(u"parallel_tool_calls", true)},
            {u"previous_response_id"_s, c.echoed(u"previous_response_id", kNull)},
            {u"reasoning"_s, c.echoed(u"reasoning", QJsonObject{{u"effort"_s, kNull},
                                                                {u"summary"_s, kNull}})},
            {u"store"_s, c.echoed(u"store", true)},
            {u"temperature"_s, c.echoed(u"temperature", 1.0)},
            {u"text"_s, c.echoed(u"text", QJsonObject{{u"format"_s,
                                                       QJsonObject{{u"type"_s, u"text"_s}}}})},
            {u"tool_choice"_s, c.echoed(u"tool_choice", u"auto"_s)},
            {u"tools"_s, c.echoed(u"tools", QJsonArray{})},
            {u"top_p"_s, c.echoed(u"top_p", 1.0)},
            {u"truncation"_s, c.echoed(u"truncation", u"disabled"_s)},
            {u"usage"_s, usage},
            {u"metadata"_s, c.echoed(u"metadata", QJsonObject{})}};
}

QJsonObject summaryPart(const QString &text)
{
    return {{u"type"_s, u"summary_text"_s}, {u"text"_s, text}};
}

QJsonObject reasoningItem(const Context &c, bool done)
{
    QJsonObject item{{u"id"_s, c.reasoningId()},
                     {u"type"_s, u"reasoning"_s},
                     {u"summary"_s, done ? QJsonArray{summaryPart(c.turn.fullThinking())}
                                         : QJsonArray{}}};
    if (done && c.encrypted)
        item.insert(u"encrypted_content"_s, kEncrypted);
    return item;
}

QJsonObject textPart(const QString &text)
{
    return {{u"type"_s, u"output_text"_s}, {u"text"_s, text}, {u"annotations"_s, QJsonArray{}}};
}

QJsonObject messageItem(const Context &c, bool done)
{
    return {{u"id"_s, c.messageId()},
            {u"type"_s, u"message"_s},
            {u"status"_s, done ? u"completed"_s : u"in_progress"_s},
            {u"role"_s, u"assistant"_s},
            {u"content"_s, done ? QJsonArray{textPart(c.turn.fullText())} : QJsonArray{}}};
}

// A custom tool's raw input: the scripted arguments' "input" string ({"input":"…"}, as Tarn
// carries a custom call), else the arguments text itself.
QString customInput(const PlannedCall &call)
{
    const QJsonValue input = QJsonDocument::fromJson(call.arguments).object().value(u"input");
    return input.isString() ? input.toString() : QString::fromUtf8(call.arguments);
}

// The input in about three pieces for the stream, never splitting a surrogate pair.
QStringList inputPieces(const QString &input)
{
    const qsizetype n = qMin<qsizetype>(3, input.size());
    QStringList pieces;
    qsizetype start = 0;
    for (qsizetype i = 1; i <= n; ++i) {
        qsizetype end = i == n ? input.size() : input.size() * i / n;
        if (end < input.size() && input.at(end).isLowSurrogate())
            ++end;
        if (end > start) {
            pieces.append(input.mid(start, end - start));
            start = end;
        }
    }
    return pieces;
}

QJsonObject callItem(const Context &c, qsizetype i, bool done)
{
    const PlannedCall &call = c.turn.calls.at(i);
    if (c.isCustom(i)) {
        return {{u"type"_s, u"custom_tool_call"_s},
                {u"id"_s, c.callItemId(i)},
                {u"call_id"_s, c.callId(i)},
                {u"name"_s, call.name},
                {u"input"_s, done ? customInput(call) : QString()}};
    }
    return {{u"type"_s, u"function_call"_s},
            {u"id"_s, c.callItemId(i)},
            {u"call_id"_s, c.callId(i)},
            {u"name"_s, call.name},
            {u"arguments"_s, done ? QString::fromUtf8(call.arguments) : QString()},
            {u"status"_s, done ? u"completed"_s : u"in_progress"_s}};
}

// Every output item, whole: reasoning first, then the message or the calls.
QJsonArray output(const Context &c)
{
    QJsonArray items;
    if (!c.turn.thinking.isEmpty())
        items.append(reasoningItem(c, true));
    if (!c.turn.text.isEmpty())
        items.append(messageItem(c, true));
    for (qsizetype i = 0; i < c.turn.calls.size(); ++i)
        items.append(callItem(c, i, true));
    return items;
}

// The stream's events as the API sends them: "event: <type>" then the data, which carries the
// same type and a sequence_number.
class EventWriter
{
public:
    explicit EventWriter(QList<QByteArray> &events) : m_events(events) {}

    void send(const char *type, QJsonObject data)
    {
        data.insert(u"type"_s, QString::fromLatin1(type));
        data.insert(u"sequence_number"_s, m_sequence++);
        m_events.append(QByteArrayLiteral("event: ") + type + "\ndata: " + compact(data) + "\n\n");
    }

private:
    QList<QByteArray> &m_events;
    int m_sequence = 0;
};

void reasoningEvents(const Context &c, int index, EventWriter &w)
{
    const QString id = c.reasoningId();
    w.send("response.output_item.added",
           {{u"output_index"_s, index}, {u"item"_s, reasoningItem(c, false)}});
    const QJsonObject where{{u"item_id"_s, id}, {u"output_index"_s, index}, {u"summary_index"_s, 0}};
    QJsonObject added = where;
    added.insert(u"part"_s, summaryPart(QString()));
    w.send("response.reasoning_summary_part.added", added);
    for (const QString &piece : c.turn.thinking) {
        QJsonObject delta = where;
        delta.insert(u"delta"_s, piece);
        w.send("response.reasoning_summary_text.delta", delta);
    }
    QJsonObject textDone = where;
    textDone.insert(u"text"_s, c.turn.fullThinking());
    w.send("response.reasoning_summary_text.done", textDone);
    QJsonObject partDone = where;
    partDone.insert(u"part"_s, summaryPart(c.turn.fullThinking()));
    w.send("response.reasoning_summary_part.done", partDone);
    w.send("response.output_item.done",
           {{u"output_index"_s, index}, {u"item"_s, reasoningItem(c, true)}});
}

void messageEvents(const Context &c, int index, EventWriter &w)
{
    w.send("response.output_item.added",
           {{u"output_index"_s, index}, {u"item"_s, messageItem(c, false)}});
    const QJsonObject where{
        {u"item_id"_s, c.messageId()}, {u"output_index"_s, index}, {u"content_index"_s, 0}};
    QJsonObject added = where;
    added.insert(u"part"_s, textPart(QString()));
    w.send("response.content_part.added", added);
    for (const QString &piece : c.turn.text) {
        QJsonObject delta = where;
        delta.insert(u"delta"_s, piece);
        delta.insert(u"logprobs"_s, QJsonArray{});
        w.send("response.output_text.delta", delta);
    }
    QJsonObject textDone = where;
    textDone.insert(u"text"_s, c.turn.fullText());
    textDone.insert(u"logprobs"_s, QJsonArray{});
    w.send("response.output_text.done", textDone);
    QJsonObject partDone = where;
    partDone.insert(u"part"_s, textPart(c.turn.fullText()));
    w.send("response.content_part.done", partDone);
    w.send("response.output_item.done",
           {{u"output_index"_s, index}, {u"item"_s, messageItem(c, true)}});
}

void callEvents(const Context &c, qsizetype i, int index, EventWriter &w)
{
    const PlannedCall &call = c.turn.calls.at(i);
    w.send("response.output_item.added",
           {{u"output_index"_s, index}, {u"item"_s, callItem(c, i, false)}});
    if (c.isCustom(i)) {
        const QString input = customInput(call);
        for (const QString &piece : inputPieces(input)) {
            w.send("response.custom_tool_call_input.delta", {{u"item_id"_s, c.callItemId(i)},
                                                             {u"output_index"_s, index},
                                                             {u"delta"_s, piece}});
        }
        w.send("response.custom_tool_call_input.done",
               {{u"item_id"_s, c.callItemId(i)}, {u"output_index"_s, index}, {u"input"_s, input}});
        w.send("response.output_item.done",
               {{u"output_index"_s, index}, {u"item"_s, callItem(c, i, true)}});
        return;
    }
    for (const QString &fragment : call.fragments) {
        w.send("response.function_call_arguments.delta", {{u"item_id"_s, c.callItemId(i)},
                                                          {u"output_index"_s, index},
                                                          {u"delta"_s, fragment}});
    }
    w.send("response.function_call_arguments.done",
           {{u"item_id"_s, c.callItemId(i)},
            {u"output_index"_s, index},
            {u"name"_s, call.name},
            {u"arguments"_s, QString::fromUtf8(call.arguments)}});
    w.send("response.output_item.done",
           {{u"output_index"_s, index}, {u"item"_s, callItem(c, i, true)}});
}

void stream(const Context &c, MockReply &reply)
{
    EventWriter w(reply.events);
    const QJsonObject opening = responseObject(c, u"in_progress"_s, QJsonArray{}, kNull);
    w.send("response.created", {{u"response"_s, opening}});
    w.send("response.in_progress", {{u"response"_s, opening}});
    int index = 0;
    if (!c.turn.thinking.isEmpty())
        reasoningEvents(c, index++, w);
    if (!c.turn.text.isEmpty())
        messageEvents(c, index++, w);
    for (qsizetype i = 0; i < c.turn.calls.size(); ++i)
        callEvents(c, i, index++, w);
    w.send("response.completed",
           {{u"response"_s, responseObject(c, u"completed"_s, output(c), usage(c.turn))}});
}

} // namespace

void responsesAnswer(const MockRequest &request, const MockBehaviour &behaviour, quint64 seq,
                     MockReply &reply)
{
    if (request.method != "POST" || !pathWithoutQuery(request.path).endsWith("/responses")) {
        reply.status = 404;
        reply.stream = false;
        reply.body = openAiError(404);
        return;
    }
    Context c;
    c.json = request.json();
    c.turn = planTurn(behaviour, readResponses(c.json));
    c.seq = seq;
    c.model = c.json.value(u"model").toString(u"mock-model"_s);
    c.created = QDateTime::currentSecsSinceEpoch();
    c.encrypted = c.json.value(u"include").toArray().contains(u"reasoning.encrypted_content"_s);
    for (const QJsonValue &value : c.json.value(u"tools").toArray()) {
        const QJsonObject tool = value.toObject();
        if (tool.value(u"type").toString() == u"custom")
            c.customTools.insert(tool.value(u"name").toString());
    }
    if (reply.stream) {
        stream(c, reply);
        return;
    }
    reply.body = compact(responseObject(c, u"completed"_s, output(c), usage(c.turn)));
}

} // namespace tarn::test::detail
