// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/Channel.h"
#include "gateway/upstream/UpstreamRequest.h"

#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QString>

namespace tarn::gateway {

class UpstreamClient;

// What one test request through one key of a channel showed.
struct ProbeResult
{
    QString keyId;      // see keyId() in Channel.h
    int status = 0;     // upstream HTTP status; 0 = no answer (connect failure, timeout)
    qint64 latencyMs = 0;
    bool passed = false; // a 2xx answer
    QString error;      // why it failed, redacted; empty when passed
};

// Sends one minimal real request ("ping", max_tokens 1) through one key of a channel, encoded in
// the channel's own wire format (OpenAI Chat Completions or Responses, Anthropic, Gemini), and
// reports whether the upstream accepted it: `tarn channel test`, the desktop's Test button, and
// the gateway's re-test of disabled keys.
class ChannelProbe final : public QObject, private UpstreamObserver
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ChannelProbe)

public:
    // client is the calling thread's UpstreamClient; it must outlive the probe.
    explicit ChannelProbe(UpstreamClient &client, QObject *parent = nullptr);
    ~ChannelProbe() override; // cancels a running request; finished is not emitted then

    // Connect 10 s, first byte 30 s, idle 30 s.
    static UpstreamTimeouts defaultTimeouts();
    // The model a probe asks for: model (alias resolved) if given, else the channel's test model,
    // else its first model (upstream name).
    static QString probeModel(const Channel &channel, const QString &model = {});
    // Whether probes can test this channel; the error says why not (every type has a codec now).
    static bool canProbe(const Channel &channel, QString *why = nullptr);

    // Starts the request; finished follows exactly once, from the event loop (never inside
    // start()), so a slot may delete the probe with deleteLater. One request per probe.
    void start(const Channel &channel, const QString &key, const QString &model = {},
               const UpstreamTimeouts &timeouts = defaultTimeouts());
    // Ends a running request now as failed with reason (finished is emitted, queued).
    void abort(const QString &reason);
    bool isRunning() const { return m_running; }

Q_SIGNALS:
    void finished(const tarn::gateway::ProbeResult &result);

private:
    void onUpstreamHead(const UpstreamResponseHead &head) override;
    void onUpstreamData(QByteArrayView data) override;
    void onUpstreamFinished(UpstreamFailure failure, const QString &detail) override;
    void finish(ProbeResult result);

    UpstreamClient &m_client;
    quint64 m_call = 0;
    bool m_running = false;
    ProbeResult m_result;
    UpstreamTimeouts m_timeouts;
    QStringList m_secrets; // the key and header values, never to appear in an error
    QByteArray m_body;     // the start of the answer, for the error text
    HeaderList m_headers;
    QElapsedTimer m_clock;
};

// Probes every key of channel (or only the key whose keyId is onlyKeyId) at once and waits for
// all of them in a local event loop: for the command line (needs a QCoreApplication, no running
// gateway). timeoutMs bounds the wait for each answer. Results in key order; empty when
// onlyKeyId names no key of the channel.
QList<ProbeResult> probeChannelBlocking(const Channel &channel, const QString &model, const QString &onlyKeyId,
                                        int timeoutMs);

} // namespace tarn::gateway
