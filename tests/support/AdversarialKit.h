// SPDX-License-Identifier: GPL-3.0-or-later
// Building blocks for the adversarial suites: raw request bytes, seeded ways to cut them into
// pieces, and normalisation of the volatile parts of answers (ids, timestamps) for comparisons.
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

#include <functional>
#include <random>

namespace tarn::test {

// The suites' fixed seed; every failure message prints it (with the cut positions).
inline constexpr quint32 kAdversarialSeed = 20261130;

// "POST path HTTP/1.1" with Host, Content-Type and Content-Length, plus extra raw header lines
// (each ending in CRLF), then the body.
QByteArray rawPost(QByteArrayView path, QByteArrayView body, QByteArrayView extraHeaders = {});
QByteArray rawGet(QByteArrayView path, QByteArrayView extraHeaders = {});
// POST with Transfer-Encoding: chunked; the body is framed as the given chunks, each chunk-size
// line followed by the matching entry of `extensions` (e.g. ";name=value"; may be shorter).
QByteArray rawChunkedPost(QByteArrayView path, const QList<QByteArray> &chunks,
                          const QList<QByteArray> &extensions = {});

// One way of writing a request: its pieces and the pause between them.
struct SplitPlan
{
    QString name;             // "one write", "byte at a time", "random #2 at 17,90,181"
    QList<QByteArray> pieces;
    int pauseMs = 0;
};

// One write, one byte at a time (1 ms apart, only when bytes.size() <= maxByteAtATime), and
// `randomRuns` splits at 1..8 random points drawn from rng (3 ms apart).
QList<SplitPlan> splitPlans(QByteArrayView bytes, std::mt19937 &rng, int randomRuns,
                            qsizetype maxByteAtATime = 1500);

// A seed per case, so cases do not shift each other's random cuts.
quint32 caseSeed(QByteArrayView caseName);

// An OpenAI chat stream of about `approxBytes`: a role event, ~4 KiB content events (numbered,
// so loss or reordering shows), a finish event, a usage event and [DONE]. `contentEvents` gets
// the number of content events (= completion_tokens in the usage event; prompt_tokens is 11).
QList<QByteArray> bigChatStream(qint64 approxBytes, int *contentEvents = nullptr);
QByteArray joined(const QList<QByteArray> &parts);

// Waits for `done` (spinning the caller's event loop, sleeping between checks) up to timeoutMs.
bool waitUntil(const std::function<bool()> &done, int timeoutMs);

// Replaces mock ids (chatcmpl-mock7, call_mock7) and "created" timestamps with fixed text.
QByteArray normalizeVolatile(QByteArray body);

} // namespace tarn::test
