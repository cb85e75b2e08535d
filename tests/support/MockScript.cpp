// SPDX-License-Identifier: GPL-3.0-or-later
#include "tests/support/MockScript.h"

#include "tests/support/HttpWire.h"
#include "tests/support/MockAnthropic.h"
#include "tests/support/MockGemini.h"
#include "tests/support/MockOpenAi.h"
#include "tests/support/MockResponses.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace tarn::test::detail {

using namespace Qt::StringLiterals;

const QJsonValue kNull = QJsonValue(QJsonValue::Null);

namespace {

const QStringList kWords = {u"Hello"_s, u" from"_s, u" the"_s, u" mock"_s, u" upstream"_s};
// The automatic tool call's arguments, streamed as these five fragments.
const QStringList kArgFragments = {u"{\""_s, u"query"_s, u"\":\""_s, u"mock"_s, u"\"}"_s};
constexpr qsizetype kDoneBytes = 200;

bool isContinuation(char c)
{
    return (static_cast<uchar>(c) & 0xC0) == 0x80;
}

// About three pieces, cut only between UTF-8 sequences, none empty.
QStringList splitArguments(const QByteArray &arguments)
{
    const qsizetype n = qMin<qsizetype>(3, arguments.size());
    QStringList out;
    qsizetype start = 0;
    for (qsizetype i = 1; i <= n; ++i) {
        qsizetype end = i == n ? arguments.size() : arguments.size() * i / n;
        while (end < arguments.size() && isContinuation(arguments.at(end)))
            ++end;
        if (end > start) {
            out.append(QString::fromUtf8(arguments.mid(start, end - start)));
            start = end;
        }
    }
    return out;
}

QByteArray leadingBytes(const QByteArray &text, qsizetype max)
{
    if (text.size() <= max)
        return text;
    qsizetype end = max;
    while (end > 0 && isContinuation(text.at(end)))
        --end;
    return text.left(end);
}

PlannedCall plannedCall(const QString &name, QByteArray arguments)
{
    if (arguments.isEmpty())
        arguments = "{}";
    return {name, arguments, splitArguments(arguments)};
}

} // namespace

MockTurn planTurn(const MockBehaviour &behaviour, const Conversation &conversation)
{
    MockTurn turn;
    turn.prompt = promptTokens(conversation.promptBytes);
    turn.cached = qBound(0, behaviour.cachedTokens, turn.prompt);
    turn.reasoning = qMax(0, behaviour.reasoningTokens);
    turn.thinking = wordPieces(QString::fromUtf8(behaviour.thinking));
    const bool toolsDeclared = !conversation.toolNames.isEmpty();
    if (behaviour.toolLoop && conversation.toolResult) {
        const QByteArray result = leadingBytes(conversation.toolResult->toUtf8(), kDoneBytes);
        turn.text = wordPieces(u"Done: "_s + QString::fromUtf8(result));
    } else if (!behaviour.toolCalls.isEmpty()) {
        for (const MockToolCall &call : behaviour.toolCalls)
            turn.calls.append(plannedCall(QString::fromUtf8(call.name), call.argumentsJson));
    } else if (behaviour.toolLoop && toolsDeclared) {
        turn.calls.append(plannedCall(conversation.toolNames.first(),
                                      QByteArrayLiteral(R"({"command":"echo tarn-e2e"})")));
    } else if (behaviour.toolCallWhenToolsDeclared && toolsDeclared) {
        turn.calls.append({conversation.toolNames.first(), kArgFragments.join(QString()).toUtf8(),
                           kArgFragments});
        turn.automaticCall = true;
    } else {
        for (int i = 0; i < behaviour.chunks; ++i)
            turn.text.append(kWords.at(i % kWords.size()));
    }
    if (turn.calls.isEmpty()) {
        turn.completion = int(turn.text.size());
    } else {
        for (const PlannedCall &call : turn.calls)
            turn.completion += int(call.fragments.size());
    }
    return turn;
}

int promptTokens(qint64 bytes)
{
    return int(bytes / 4 + 7);
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

QString contentText(const QJsonValue &value)
{
    if (value.isString())
        return value.toString();
    QString text;
    if (value.isArray()) {
        for (const QJsonValue &item : value.toArray())
            text += item.isObject() ? item.toObject().value(u"text").toString() : item.toString();
    }
    return text;
}

QStringList wordPieces(const QString &text)
{
    QStringList out;
    QString current;
    bool hasWord = false;
    for (const QChar ch : text) {
        if (ch == u' ' && hasWord) {
            out.append(current);
            current.clear();
            hasWord = false;
        }
        current += ch;
        hasWord = hasWord || ch != u' ';
    }
    if (!current.isEmpty())
        out.append(current);
    return out;
}

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QJsonValue RawJson::placeholder(const QByteArray &raw)
{
    QJsonParseError error;
    const QJsonDocument parsed = QJsonDocument::fromJson(raw, &error);
    if (error.error != QJsonParseError::NoError || !parsed.isObject())
        return QJsonObject{};
    if (raw.contains('\n') || raw.contains('\r'))
        return parsed.object();
    const QString key = u"@@mockraw%1@@"_s.arg(pieces.size());
    pieces.append({'"' + key.toUtf8() + '"', raw.trimmed()});
    return key;
}

QByteArray RawJson::splice(QByteArray json) const
{
    for (const auto &[key, raw] : pieces)
        json.replace(key, raw);
    return json;
}

QByteArray pathWithoutQuery(const QByteArray &path)
{
    const qsizetype query = path.indexOf('?');
    return query < 0 ? path : path.left(query);
}

QByteArray queryValue(const QByteArray &path, QByteArrayView name)
{
    const qsizetype query = path.indexOf('?');
    if (query < 0)
        return {};
    for (const QByteArray &pair : path.mid(query + 1).split('&')) {
        const qsizetype eq = pair.indexOf('=');
        if (QByteArrayView(pair).first(eq < 0 ? pair.size() : eq) == name)
            return eq < 0 ? QByteArray() : QByteArray::fromPercentEncoding(pair.mid(eq + 1));
    }
    return {};
}

bool hasHeader(const MockHeaders &headers, QByteArrayView name)
{
    for (const auto &header : headers) {
        if (header.first.compare(name, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

namespace {

// Generated events end with the behaviour's separator; a doubled line ending ("\r\n\r\n", "\r\r")
// also ends the lines inside an event ("event: …" before "data: …").
void applySeparator(QList<QByteArray> &events, const QByteArray &separator)
{
    const qsizetype half = separator.size() / 2;
    const bool doubled = separator.size() % 2 == 0 && separator.left(half) == separator.mid(half);
    for (QByteArray &event : events) {
        if (event.endsWith("\r\n\r\n"))
            event.chop(4);
        else if (event.endsWith("\n\n"))
            event.chop(2);
        else
            continue;
        if (doubled) {
            event.replace("\r\n", "\n");
            event.replace("\n", separator.left(half));
        }
        event.append(separator);
    }
}

QByteArray errorBody(const QByteArray &format, int status)
{
    if (format == "anthropic")
        return anthropicError(status);
    if (format == "gemini")
        return geminiError(status);
    return openAiError(status);
}

} // namespace

bool wantsStream(const MockRequest &request)
{
    if (request.format() == "gemini")
        return pathWithoutQuery(request.path).contains(":streamGenerateContent");
    return request.json().value(u"stream").toBool();
}

MockReply buildReply(const MockRequest &request, const MockBehaviour &behaviour, quint64 seq)
{
    MockReply reply;
    reply.status = behaviour.status;
    reply.headers = behaviour.headers;
    reply.stream = wantsStream(request);
    const QByteArray format = request.format();
    const bool error = behaviour.status < 200 || behaviour.status >= 300;
    const bool generated = !error && behaviour.body.isEmpty();
    const bool rejected = generated
        && (format == "anthropic" ? anthropicRejects(request, behaviour, reply)
                                  : format == "gemini" && geminiRejects(request, behaviour, reply));
    if (rejected) {
        reply.stream = false;
    } else if (!behaviour.rawEvents.isEmpty() && !error) {
        reply.stream = true;
        reply.events = behaviour.rawEvents;
    } else if (!behaviour.body.isEmpty() || error) {
        reply.stream = false;
        reply.body = behaviour.body.isEmpty() ? errorBody(format, behaviour.status) : behaviour.body;
    } else if (format == "anthropic") {
        anthropicAnswer(request, behaviour, seq, reply);
    } else if (format == "gemini") {
        geminiAnswer(request, behaviour, seq, reply);
    } else if (format == "responses") {
        responsesAnswer(request, behaviour, seq, reply);
    } else {
        openAiAnswer(request, behaviour, seq, reply);
    }
    if (!behaviour.eventSeparator.isEmpty() && behaviour.rawEvents.isEmpty())
        applySeparator(reply.events, behaviour.eventSeparator);
    if (!hasHeader(reply.headers, "Content-Type")) {
        QByteArray type = reply.contentType;
        if (type.isEmpty())
            type = reply.stream ? QByteArrayLiteral("text/event-stream; charset=utf-8")
                                : QByteArrayLiteral("application/json");
        reply.headers.prepend({QByteArrayLiteral("Content-Type"), type});
    }
    return reply;
}

} // namespace tarn::test::detail
