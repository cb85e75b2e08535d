// SPDX-License-Identifier: GPL-3.0-or-later
// The strict readers of AdversarialTranslationSupport.h: what a client received, as a digest and
// the list of everything in it a client of that format would choke on.
#include "tests/integration/AdversarialTranslationSupport.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace tarn::test {

namespace {

void checkTokens(Digest &d)
{
    if (d.inputTokens < -1 || d.outputTokens < -1 || d.inputTokens > (qint64(1) << 53) || d.outputTokens > (qint64(1) << 53))
        d.problems << QStringLiteral("usage out of range: input %1 output %2").arg(d.inputTokens).arg(d.outputTokens);
}

void checkCallArguments(Digest &d)
{
    for (const CallDigest &call : std::as_const(d.calls)) {
        const QByteArray args = call.arguments.isEmpty() ? QByteArray("{}") : call.arguments;
        if (!QJsonDocument::fromJson(args).isObject())
            d.problems << QStringLiteral("call %1 (%2): arguments are not a JSON object: %3")
                              .arg(call.id, call.name, QString::fromUtf8(args.left(120)));
    }
}

void anthropicStream(const QList<WireEvent> &events, Digest &d)
{
    bool started = false, ended = false, messageDelta = false;
    int open = -1, next = 0;
    QString openType;
    for (const WireEvent &event : events) {
        const QJsonObject json = QJsonDocument::fromJson(event.data).object();
        const QString type = json.value(u"type").toString();
        if (ended) {
            d.problems << QStringLiteral("event after the end: ") + type;
            continue;
        }
        if (json.isEmpty()) {
            d.problems << QStringLiteral("event data is not a JSON object: ") + QString::fromUtf8(event.data.left(80));
            continue;
        }
        if (!event.name.isEmpty() && QString::fromUtf8(event.name) != type)
            d.problems << QStringLiteral("event name %1 but type %2").arg(QString::fromUtf8(event.name), type);
        if (type == u"ping")
            continue;
        if (type == u"error") {
            d.errored = ended = true;
            d.errorType = json.value(u"error").toObject().value(u"type").toString();
            if (json.value(u"error").toObject().value(u"message").toString().isEmpty())
                d.problems << QStringLiteral("error event without a message");
            continue;
        }
        if (!started && type != u"message_start")
            d.problems << QStringLiteral("first event is ") + type;
        const int index = json.value(u"index").toInt(-1);
        if (type == u"message_start") {
            if (started)
                d.problems << QStringLiteral("second message_start");
            started = true;
            d.inputTokens = json.value(u"message").toObject().value(u"usage").toObject().value(u"input_tokens").toInteger(-1);
        } else if (type == u"content_block_start") {
            const QJsonObject block = json.value(u"content_block").toObject();
            if (open >= 0)
                d.problems << QStringLiteral("block %1 starts while block %2 is open").arg(index).arg(open);
            if (index != next)
                d.problems << QStringLiteral("block index %1, expected %2").arg(index).arg(next);
            open = index;
            next = index + 1;
            openType = block.value(u"type").toString();
            if (openType == u"tool_use") {
                d.calls.append({block.value(u"id").toString(), block.value(u"name").toString(), {}});
                if (block.value(u"id").toString().isEmpty() || block.value(u"name").toString().isEmpty())
                    d.problems << QStringLiteral("tool_use without id or name");
            } else if (openType != u"text" && openType != u"thinking" && openType != u"redacted_thinking") {
                d.problems << QStringLiteral("unknown block type ") + openType;
            }
        } else if (type == u"content_block_delta") {
            const QJsonObject delta = json.value(u"delta").toObject();
            const QString deltaType = delta.value(u"type").toString();
            if (index != open || open < 0)
                d.problems << QStringLiteral("delta for block %1 while block %2 is open").arg(index).arg(open);
            const auto field = [&](const char16_t *name) { return delta.value(QStringView(name)).toString(); };
            if (deltaType == u"text_delta" && openType == u"text") {
                if (field(u"text").isEmpty())
                    d.problems << QStringLiteral("empty text_delta");
                d.text += field(u"text");
            } else if (deltaType == u"thinking_delta" && openType == u"thinking") {
                if (field(u"thinking").isEmpty())
                    d.problems << QStringLiteral("empty thinking_delta");
                d.thinking += field(u"thinking");
            } else if (deltaType == u"signature_delta" && openType == u"thinking") {
                if (field(u"signature").isEmpty())
                    d.problems << QStringLiteral("empty signature_delta");
            } else if (deltaType == u"input_json_delta" && openType == u"tool_use" && !d.calls.isEmpty()) {
                if (field(u"partial_json").isEmpty())
                    d.problems << QStringLiteral("empty input_json_delta");
                d.calls.last().arguments += field(u"partial_json").toUtf8();
            } else {
                d.problems << QStringLiteral("%1 in a %2 block").arg(deltaType, openType);
            }
        } else if (type == u"content_block_stop") {
            if (index != open || open < 0)
                d.problems << QStringLiteral("stop of block %1 while block %2 is open").arg(index).arg(open);
            open = -1;
        } else if (type == u"message_delta") {
            if (open >= 0)
                d.problems << QStringLiteral("message_delta while block %1 is open").arg(open);
            messageDelta = true;
            d.stop = json.value(u"delta").toObject().value(u"stop_reason").toString();
            d.outputTokens = json.value(u"usage").toObject().value(u"output_tokens").toInteger(-1);
            const qint64 input = json.value(u"usage").toObject().value(u"input_tokens").toInteger(-1);
            if (input >= 0)
                d.inputTokens = input;
        } else if (type == u"message_stop") {
            if (!messageDelta)
                d.problems << QStringLiteral("message_stop without message_delta");
            d.finished = ended = true;
        } else {
            d.problems << QStringLiteral("unknown event type ") + type;
        }
    }
    if (!ended)
        d.problems << QStringLiteral("the stream ended without message_stop or an error event");
}

void openAiStream(const QList<WireEvent> &events, Digest &d)
{
    bool ended = false, finishSeen = false, first = true;
    QMap<int, int> callAt; // OpenAI tool index → d.calls index
    for (const WireEvent &event : events) {
        if (ended) {
            d.problems << QStringLiteral("event after the end: ") + QString::fromUtf8(event.data.left(80));
            continue;
        }
        if (event.data == "[DONE]") {
            if (!finishSeen)
                d.problems << QStringLiteral("[DONE] before any finish_reason");
            d.finished = ended = true;
            continue;
        }
        const QJsonObject json = QJsonDocument::fromJson(event.data).object();
        if (json.isEmpty()) {
            d.problems << QStringLiteral("event data is not a JSON object: ") + QString::fromUtf8(event.data.left(80));
            continue;
        }
        if (json.contains(u"error")) {
            d.errored = ended = true;
            d.errorType = json.value(u"error").toObject().value(u"type").toString();
            if (json.value(u"error").toObject().value(u"message").toString().isEmpty())
                d.problems << QStringLiteral("error event without a message");
            continue;
        }
        if (json.value(u"object").toString() != u"chat.completion.chunk")
            d.problems << QStringLiteral("chunk object is ") + json.value(u"object").toString();
        const QJsonObject usage = json.value(u"usage").toObject();
        if (!usage.isEmpty()) {
            d.inputTokens = usage.value(u"prompt_tokens").toInteger(-1);
            d.outputTokens = usage.value(u"completion_tokens").toInteger(-1);
        }
        const QJsonArray choices = json.value(u"choices").toArray();
        if (choices.isEmpty())
            continue;
        const QJsonObject choice = choices.first().toObject();
        const QJsonObject delta = choice.value(u"delta").toObject();
        const bool roleChunk = delta.contains(u"role");
        if (roleChunk && !first)
            d.problems << QStringLiteral("role in a later chunk");
        first = false;
        if (finishSeen && !delta.isEmpty())
            d.problems << QStringLiteral("delta after finish_reason");
        if (delta.value(u"content").isString()) {
            const QString content = delta.value(u"content").toString();
            if (content.isEmpty() && !roleChunk)
                d.problems << QStringLiteral("empty content delta");
            d.text += content;
        }
        if (delta.contains(u"reasoning_content")) {
            if (delta.value(u"reasoning_content").toString().isEmpty())
                d.problems << QStringLiteral("empty reasoning_content delta");
            d.thinking += delta.value(u"reasoning_content").toString();
        }
        for (const QJsonValue value : delta.value(u"tool_calls").toArray()) {
            const QJsonObject call = value.toObject();
            const int index = call.value(u"index").toInt(-1);
            const QJsonObject function = call.value(u"function").toObject();
            if (!callAt.contains(index)) {
                if (call.value(u"id").toString().isEmpty() || function.value(u"name").toString().isEmpty())
                    d.problems << QStringLiteral("tool call %1 starts without id or name").arg(index);
                if (index != callAt.size())
                    d.problems << QStringLiteral("tool call index %1, expected %2").arg(index).arg(callAt.size());
                callAt.insert(index, int(d.calls.size()));
                d.calls.append({call.value(u"id").toString(), function.value(u"name").toString(), {}});
            } else if (function.value(u"arguments").toString().isEmpty()) {
                d.problems << QStringLiteral("empty arguments delta for call %1").arg(index);
            }
            d.calls[callAt.value(index)].arguments += function.value(u"arguments").toString().toUtf8();
        }
        if (!choice.value(u"finish_reason").isNull() && !choice.value(u"finish_reason").isUndefined()) {
            finishSeen = true;
            d.stop = choice.value(u"finish_reason").toString();
        }
    }
    if (!ended)
        d.problems << QStringLiteral("the stream ended without [DONE] or an error event");
}

void geminiParts(const QJsonArray &parts, bool finishChunk, Digest &d)
{
    for (const QJsonValue value : parts) {
        const QJsonObject part = value.toObject();
        if (part.contains(u"functionCall")) {
            const QJsonObject call = part.value(u"functionCall").toObject();
            if (call.value(u"name").toString().isEmpty())
                d.problems << QStringLiteral("functionCall without a name");
            if (!call.value(u"args").isObject() && call.contains(u"args"))
                d.problems << QStringLiteral("functionCall args is not an object");
            d.calls.append({call.value(u"id").toString(), call.value(u"name").toString(),
                            QJsonDocument(call.value(u"args").toObject()).toJson(QJsonDocument::Compact)});
        } else if (part.contains(u"text")) {
            const QString text = part.value(u"text").toString();
            if (text.isEmpty() && !finishChunk && !part.contains(u"thoughtSignature"))
                d.problems << QStringLiteral("empty text part");
            (part.value(u"thought").toBool() ? d.thinking : d.text) += text;
        }
    }
}

void geminiStream(const QList<WireEvent> &events, Digest &d)
{
    bool ended = false;
    for (const WireEvent &event : events) {
        if (ended) {
            d.problems << QStringLiteral("event after the end: ") + QString::fromUtf8(event.data.left(80));
            continue;
        }
        const QJsonObject json = QJsonDocument::fromJson(event.data).object();
        if (json.isEmpty()) {
            d.problems << QStringLiteral("event data is not a JSON object: ") + QString::fromUtf8(event.data.left(80));
            continue;
        }
        if (json.contains(u"error")) {
            d.errored = ended = true;
            d.errorType = json.value(u"error").toObject().value(u"status").toString();
            d.errorCode = json.value(u"error").toObject().value(u"code").toInt();
            continue;
        }
        const QJsonObject candidate = json.value(u"candidates").toArray().first().toObject();
        const bool finish = candidate.contains(u"finishReason");
        geminiParts(candidate.value(u"content").toObject().value(u"parts").toArray(), finish, d);
        const QJsonObject usage = json.value(u"usageMetadata").toObject();
        if (!usage.isEmpty()) {
            d.inputTokens = usage.value(u"promptTokenCount").toInteger(-1);
            d.outputTokens = usage.value(u"candidatesTokenCount").toInteger(0) + usage.value(u"thoughtsTokenCount").toInteger(0);
        }
        if (finish) {
            d.stop = candidate.value(u"finishReason").toString();
            d.finished = ended = true;
        }
    }
    if (!ended)
        d.problems << QStringLiteral("the stream ended without a finishReason or an error");
}

} // namespace

QString Digest::summary() const
{
    QStringList calls;
    for (const CallDigest &call : this->calls)
        calls << call.name + u'(' + QString::fromUtf8(call.arguments.left(60)) + u')';
    return QStringLiteral("text '%1' thinking '%2' calls [%3] stop '%4'%5%6 tokens %7/%8 problems [%9]")
        .arg(text.left(80), thinking.left(40), calls.join(u','), stop, finished ? QStringLiteral(" finished") : QString(),
             errored ? QStringLiteral(" error ") + errorType : QString())
        .arg(inputTokens)
        .arg(outputTokens)
        .arg(problems.join(QStringLiteral("; ")).left(600));
}

Digest digestStream(Wire client, const QByteArray &body)
{
    Digest d;
    const QList<WireEvent> events = wireEvents(body);
    switch (client) {
    case Wire::OpenAI: openAiStream(events, d); break;
    case Wire::Anthropic: anthropicStream(events, d); break;
    case Wire::Gemini: geminiStream(events, d); break;
    }
    checkTokens(d);
    checkCallArguments(d);
    return d;
}

Digest digestAnswer(Wire client, const QByteArray &body)
{
    Digest d;
    const QJsonObject json = QJsonDocument::fromJson(body).object();
    if (json.isEmpty()) {
        d.problems << QStringLiteral("the body is not a JSON object: ") + QString::fromUtf8(body.left(120));
        return d;
    }
    const QJsonObject error = json.value(u"error").toObject();
    if (!error.isEmpty()) {
        d.errored = true;
        d.errorType = error.value(client == Wire::Gemini ? u"status" : u"type").toString();
        d.errorCode = error.value(u"code").toInt();
        if (error.value(u"message").toString().isEmpty())
            d.problems << QStringLiteral("error without a message");
        if (client == Wire::Anthropic && json.value(u"type").toString() != u"error")
            d.problems << QStringLiteral("Anthropic error body without type 'error'");
        return d;
    }
    switch (client) {
    case Wire::OpenAI: {
        const QJsonObject choice = json.value(u"choices").toArray().first().toObject();
        const QJsonObject message = choice.value(u"message").toObject();
        d.text = message.value(u"content").toString();
        d.thinking = message.value(u"reasoning_content").toString();
        for (const QJsonValue value : message.value(u"tool_calls").toArray()) {
            const QJsonObject function = value.toObject().value(u"function").toObject();
            d.calls.append({value.toObject().value(u"id").toString(), function.value(u"name").toString(),
                            function.value(u"arguments").toString().toUtf8()});
        }
        d.stop = choice.value(u"finish_reason").toString();
        d.inputTokens = json.value(u"usage").toObject().value(u"prompt_tokens").toInteger(-1);
        d.outputTokens = json.value(u"usage").toObject().value(u"completion_tokens").toInteger(-1);
        if (json.value(u"object").toString() != u"chat.completion")
            d.problems << QStringLiteral("object is ") + json.value(u"object").toString();
        break;
    }
    case Wire::Anthropic:
        for (const QJsonValue value : json.value(u"content").toArray()) {
            const QJsonObject block = value.toObject();
            const QString type = block.value(u"type").toString();
            if (type == u"text")
                d.text += block.value(u"text").toString();
            else if (type == u"thinking")
                d.thinking += block.value(u"thinking").toString();
            else if (type == u"tool_use")
                d.calls.append({block.value(u"id").toString(), block.value(u"name").toString(),
                                QJsonDocument(block.value(u"input").toObject()).toJson(QJsonDocument::Compact)});
            if (type == u"tool_use" && !block.value(u"input").isObject())
                d.problems << QStringLiteral("tool_use input is not an object");
        }
        d.stop = json.value(u"stop_reason").toString();
        d.inputTokens = json.value(u"usage").toObject().value(u"input_tokens").toInteger(-1);
        d.outputTokens = json.value(u"usage").toObject().value(u"output_tokens").toInteger(-1);
        if (json.value(u"type").toString() != u"message")
            d.problems << QStringLiteral("type is ") + json.value(u"type").toString();
        break;
    case Wire::Gemini: {
        const QJsonObject candidate = json.value(u"candidates").toArray().first().toObject();
        geminiParts(candidate.value(u"content").toObject().value(u"parts").toArray(), true, d);
        d.stop = candidate.value(u"finishReason").toString();
        const QJsonObject usage = json.value(u"usageMetadata").toObject();
        d.inputTokens = usage.value(u"promptTokenCount").toInteger(-1);
        d.outputTokens = usage.value(u"candidatesTokenCount").toInteger(0) + usage.value(u"thoughtsTokenCount").toInteger(0);
        break;
    }
    }
    d.finished = true;
    checkTokens(d);
    checkCallArguments(d);
    return d;
}

} // namespace tarn::test
