// SPDX-License-Identifier: GPL-3.0-or-later
// The mock model's mind, shared by its three wire formats: what to answer (text, thinking, tool
// calls), the token counts, and the JSON helpers the format builders use.
#pragma once

#include "tests/support/MockUpstream.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QStringList>

#include <optional>

namespace tarn::test::detail {

struct MockReply
{
    int status = 200;
    MockHeaders headers;       // includes Content-Type (added by buildReply when missing)
    QByteArray body;           // non-stream body
    QList<QByteArray> events;  // stream pieces ("data: …\n\n"), written one per chunk
    bool stream = false;
    QByteArray contentType;    // the format's own, when it differs from the defaults
};

// What a format's builder reads off a request before the mock decides its turn.
struct Conversation
{
    qint64 promptBytes = 0;            // B of the prompt token rule
    QStringList toolNames;             // declared tools, in order
    std::optional<QString> toolResult; // the latest tool result not followed by a user message
};

struct PlannedCall
{
    QString name;
    QByteArray arguments;          // as sent (a JSON object text)
    QStringList fragments;         // arguments split for streaming (UTF-8 safe)
};

// One assistant turn, format-neutral.
struct MockTurn
{
    QStringList thinking;          // reasoning pieces, streamed one per delta (empty: none)
    QStringList text;              // answer pieces, one per delta (empty with calls)
    QList<PlannedCall> calls;      // non-empty: a tool-calling turn
    bool automaticCall = false;    // the legacy call made because tools were declared
    int prompt = 0;                // P
    int completion = 0;            // C: visible output (text pieces or argument fragments)
    int reasoning = 0;             // R
    int cached = 0;                // K
    QString fullText() const { return text.join(QString()); }
    QString fullThinking() const { return thinking.join(QString()); }
};

MockTurn planTurn(const MockBehaviour &behaviour, const Conversation &conversation);

int promptTokens(qint64 bytes);
// Bytes of a string, or of an array's strings and its objects' "text" members.
qint64 textBytes(const QJsonValue &value);
// The text of a tool result's content: a string, or an array's strings and "text" members joined.
QString contentText(const QJsonValue &value);
// Splits at spaces, each later piece keeping its leading space ("a b" → "a", " b").
QStringList wordPieces(const QString &text);

extern const QJsonValue kNull;
QByteArray compact(const QJsonObject &object);
// A placeholder string to put in a QJsonObject where `raw` JSON must go byte for byte; splice()
// swaps it for the raw text after compact(). Only for raw text that parses as a JSON object and
// holds no line break (else the placeholder stands for its compact re-serialisation).
struct RawJson
{
    QJsonValue placeholder(const QByteArray &raw);
    QByteArray splice(QByteArray json) const;
    QList<std::pair<QByteArray, QByteArray>> pieces;
};

QByteArray pathWithoutQuery(const QByteArray &path);
QByteArray queryValue(const QByteArray &path, QByteArrayView name);
bool hasHeader(const MockHeaders &headers, QByteArrayView name);

// The format dispatch: turns a request and a behaviour into the reply to write.
bool wantsStream(const MockRequest &request);
MockReply buildReply(const MockRequest &request, const MockBehaviour &behaviour, quint64 seq);

} // namespace tarn::test::detail
