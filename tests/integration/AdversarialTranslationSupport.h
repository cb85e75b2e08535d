// SPDX-License-Identifier: GPL-3.0-or-later
// Shared pieces of the adversarial translation suites: a gateway with channels of every format in
// front of one mock, raw client requests in each format, upstream events written by hand in each
// format (to misbehave), and strict readers that turn what a client received into a digest and a
// list of everything in it a client of that format would choke on.
#pragma once

#include "tests/integration/GatewayHarness.h"
#include "tests/support/MockUpstream.h"
#include "tests/support/RawClient.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <utility>

namespace tarn::test {

inline QString s(const char *text)
{
    return QString::fromUtf8(text);
}

// `bytes` sent on a fresh connection, and the one response read back.
RawResponse exchange(quint16 port, const QByteArray &bytes, int timeoutMs = 20'000);

// The key every channel of the rig holds: it must never reach a client or a usage row.
inline constexpr const char kChannelSecret[] = "sk-upstream-secret-123";

enum class Wire { OpenAI, Anthropic, Gemini };
const char *wireName(Wire wire);
inline constexpr Wire kWires[] = {Wire::OpenAI, Wire::Anthropic, Wire::Gemini};

// A gateway whose channels all point at one mock and hold kChannelSecret.
struct TranslationRig
{
    explicit TranslationRig(gateway::HttpLimits limits = {}, gateway::UpstreamTimeouts timeouts = {});
    // A channel of `format` serving `model` as `upstreamModel` (default: "<format>-up").
    gateway::Channel addChannel(Wire format, const QString &model, const QString &upstreamModel = {});
    bool start() { return tarn.start(); }
    // Waits until `count` usage rows exist and returns them.
    QList<gateway::UsageRecord> rowsWhenAtLeast(int count, int timeoutMs = 15'000);

    MockUpstream mock;
    GatewayHarness tarn;
};

// A client request in a format: path (Gemini: the model and method are in it) and body.
struct ClientCall
{
    QByteArray path;
    QByteArray body;
    QByteArray headers; // extra raw header lines, each ending in CRLF
};
ClientCall clientCall(Wire client, const QString &model, bool stream,
                      const QString &text = QStringLiteral("List the files here"));
QByteArray rawRequest(const ClientCall &call);

// One SSE event as a client sees it.
struct WireEvent
{
    QByteArray name;
    QByteArray data;
};
QList<WireEvent> wireEvents(const QByteArray &body);

// A tool call as a client received it.
struct CallDigest
{
    QString id;
    QString name;
    QByteArray arguments; // JSON text as received (streams: fragments joined)
};

// What a client got, whatever its format, and what in it breaks the format's rules.
struct Digest
{
    QString text;
    QString thinking;
    QList<CallDigest> calls;
    QString stop;           // finish_reason / stop_reason / finishReason
    bool finished = false;  // ended properly ([DONE], message_stop, a finishReason chunk)
    bool errored = false;   // ended with the format's error event / is an error body
    QString errorType;      // OpenAI/Anthropic error.type, Gemini error.status
    int errorCode = 0;      // Gemini error.code
    qint64 inputTokens = -1;
    qint64 outputTokens = -1;
    QStringList problems;
    QString summary() const;
};

Digest digestStream(Wire client, const QByteArray &body);
Digest digestAnswer(Wire client, const QByteArray &body);

// Upstream stream pieces written by hand, one per element of MockBehaviour::rawEvents.
QByteArray openAiChunk(const QByteArray &json);                     // "data: …\n\n"
QByteArray anthropicEvent(const QByteArray &type, const QByteArray &json); // "event: …\ndata: …\n\n"
QByteArray geminiChunk(const QByteArray &json);                     // "data: …\r\n\r\n"
// A well-formed stream saying `words` in each format (usage prompt 11, output words.size()).
QList<QByteArray> openAiTextStream(const QStringList &words);
QList<QByteArray> anthropicTextStream(const QStringList &words);
QList<QByteArray> geminiTextStream(const QStringList &words);
QList<QByteArray> upstreamTextStream(Wire channel, const QStringList &words);

// The error type word each client format uses for a status (Gemini: error.status).
QString expectedErrorType(Wire client, int status);

// A rig with many channels of each format ("m-<format>-<i>"), each request on a fresh one: a
// failed attempt opens its channel's circuit, which must not decide the next case.
struct FreshChannelRig : TranslationRig
{
    FreshChannelRig();
    static constexpr int kChannels = 40;
    static QString model(Wire wire, int i);
    QString fresh(Wire wire);
    // A request from `client` to a fresh channel of format `channel` that answers as `behaviour`
    // (the mock's default, not queued: a request that never reaches it shifts nothing); the
    // response and the usage row it left.
    std::pair<RawResponse, gateway::UsageRecord> run(Wire channel, Wire client, bool stream, const MockBehaviour &behaviour);
    std::pair<RawResponse, gateway::UsageRecord> stream(Wire channel, Wire client, const QList<QByteArray> &events);
    std::pair<RawResponse, gateway::UsageRecord> answer(Wire channel, Wire client, const QByteArray &body);
    bool started = false;

private:
    int m_used[3] = {0, 0, 0};
};

// "what (channel → client)", for failure lists.
QString where(const char *what, Wire channel, Wire client);

} // namespace tarn::test
