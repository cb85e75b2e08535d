// SPDX-License-Identifier: GPL-3.0-or-later
// Shared pieces of the end-to-end translation tests: a gateway with one channel of each type in
// front of one mock upstream, and readers for the SSE event sequences clients receive.
#pragma once

#include "tests/integration/GatewayHarness.h"
#include "tests/support/HttpTestClient.h"
#include "tests/support/MockUpstream.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <gtest/gtest.h>

namespace tarn::test {

// One SSE event as a client sees it.
struct SseEvent
{
    QByteArray name;  // `event:` field, empty when none
    QByteArray data;  // joined data lines
    QJsonObject json() const { return QJsonDocument::fromJson(data).object(); }
};

// Splits a whole SSE body (LF, CRLF or CR line ends).
QList<SseEvent> sseEvents(const QByteArray &body);
// The `type` of each event's data (Anthropic), or the event name when the data has none.
QStringList eventTypes(const QList<SseEvent> &events);

// A gateway with channels "oa" (openai), "an" (anthropic) and "ge" (gemini), each serving the
// model name its test asks for, all backed by the same mock upstream.
class TranslationTest : public ::testing::Test
{
protected:
    // Adds a channel of `type` serving `model` (upstream name `upstreamModel`, default the same).
    gateway::Channel addChannel(gateway::ChannelType type, const QString &model, const QString &upstreamModel = {});
    void startGateway();

    HttpResult post(const QString &path, const QJsonObject &body, HttpHeaders headers = {});
    HttpStreamResult postStream(const QString &path, const QJsonObject &body, HttpHeaders headers = {});

    // An Anthropic Messages request (the shape Claude Code sends, trimmed).
    static QJsonObject anthropicRequest(const QString &model, bool stream, bool withTools);
    // An OpenAI Chat Completions request.
    static QJsonObject openAiRequest(const QString &model, bool stream, bool withTools);

    MockUpstream m_mock;
    GatewayHarness m_tarn;
    HttpTestClient m_client;
};

} // namespace tarn::test
