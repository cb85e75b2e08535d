// SPDX-License-Identifier: GPL-3.0-or-later
// Checks on a successful OpenAI chat answer: a tool call written as text, an empty answer. Kept
// apart from the error classifier: they read a 2xx answer's content, not an error's shape.
#include "gateway/routing/AttemptVerdict.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QRegularExpression>

#include <initializer_list>

namespace tarn::gateway {

namespace {

constexpr qsizetype kMaxAnswerJson = 4 * 1024 * 1024;
constexpr qsizetype kMaxCallJson = 64 * 1024; // a tool call written as text is small

bool hasAny(const QString &text, std::initializer_list<const char16_t *> needles)
{
    for (const char16_t *needle : needles) {
        if (text.contains(QStringView(needle)))
            return true;
    }
    return false;
}

// The assistant messages of an OpenAI chat answer; empty when the body is not one.
QList<QJsonObject> assistantMessages(QByteArrayView body, QJsonObject *root = nullptr)
{
    QList<QJsonObject> messages;
    if (body.isEmpty() || body.size() > kMaxAnswerJson)
        return messages;
    const QJsonDocument doc = QJsonDocument::fromJson(body.toByteArray());
    if (!doc.isObject() || !doc.object().value(u"choices").isArray())
        return messages;
    if (root)
        *root = doc.object();
    for (const QJsonValue &choice : doc.object().value(u"choices").toArray()) {
        const QJsonObject c = choice.toObject();
        messages.append(c.contains(u"message") ? c.value(u"message").toObject() : c.value(u"delta").toObject());
    }
    return messages;
}

QString contentText(const QJsonObject &message)
{
    const QJsonValue content = message.value(u"content");
    if (content.isString())
        return content.toString();
    QString text;
    for (const QJsonValue &part : content.toArray())
        text += part.toObject().value(u"text").toString();
    return text;
}

bool hasToolCall(const QJsonObject &message)
{
    return !message.value(u"tool_calls").toArray().isEmpty() || message.value(u"function_call").isObject();
}

bool isToolCallObject(const QJsonObject &o)
{
    if (o.value(u"name").isString() && !o.value(u"name").toString().isEmpty()
        && (o.contains(u"arguments") || o.contains(u"parameters")))
        return true;
    if (o.value(u"function").isObject())
        return isToolCallObject(o.value(u"function").toObject());
    const QJsonArray calls = o.value(u"tool_calls").toArray();
    return !calls.isEmpty() && isToolCallObject(calls.first().toObject());
}

bool isToolCallJson(const QString &text)
{
    if (text.size() > kMaxCallJson)
        return false;
    const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8());
    if (doc.isObject())
        return isToolCallObject(doc.object());
    const QJsonArray array = doc.array();
    return !array.isEmpty() && isToolCallObject(array.first().toObject());
}

} // namespace

bool looksLikeTextualToolCall(QByteArrayView openAiChatBody)
{
    for (const QJsonObject &message : assistantMessages(openAiChatBody)) {
        if (hasToolCall(message))
            return false; // a real tool call: the textual look-alike is beside the point
        const QString content = contentText(message).trimmed();
        if (content.isEmpty())
            continue;
        // Chat-template markers the server should have turned into tool_calls (Qwen/Hermes, Kimi,
        // DeepSeek, Mistral, Llama, MiniMax, Qwen3-Coder XML).
        if (hasAny(content, {u"<tool_call>", u"<|tool_call|>", u"<tool_calls>", u"<function_call>",
                             u"<|tool_calls_section_begin|>", u"<|tool_call_begin|>", u"<\uff5ctool\u2581calls\u2581begin\uff5c>",
                             u"[TOOL_CALLS]", u"<|python_tag|>", u"<minimax:tool_call>", u"<invoke name=",
                             u"<function="}))
            return true;
        if (isToolCallJson(content))
            return true;
        // The whole answer is one fenced block holding a call.
        static const QRegularExpression fence(QStringLiteral("^```[A-Za-z]*\\s*\\n([\\s\\S]*?)\\n?```$"));
        if (const QRegularExpressionMatch m = fence.match(content); m.hasMatch() && isToolCallJson(m.captured(1)))
            return true;
    }
    return false;
}

bool isEmptyOpenAiAnswer(QByteArrayView openAiChatBody)
{
    QJsonObject root;
    const QList<QJsonObject> messages = assistantMessages(openAiChatBody, &root);
    if (root.isEmpty())
        return false; // not an OpenAI chat answer at all
    const QJsonValue completion = root.value(u"usage").toObject().value(u"completion_tokens");
    if (completion.isDouble() && completion.toDouble() != 0)
        return false;
    for (const QJsonObject &message : messages) {
        if (hasToolCall(message) || !contentText(message).trimmed().isEmpty()
            || !message.value(u"refusal").toString().trimmed().isEmpty())
            return false;
    }
    return true;
}

} // namespace tarn::gateway
