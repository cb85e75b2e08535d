// SPDX-License-Identifier: GPL-3.0-or-later
#include "tests/support/AdversarialKit.h"

#include "tests/support/RawClient.h"

#include <QRegularExpression>
#include <QTest>

#include <algorithm>

namespace tarn::test {

QByteArray rawPost(QByteArrayView path, QByteArrayView body, QByteArrayView extraHeaders)
{
    QByteArray out = "POST " + path.toByteArray() + " HTTP/1.1\r\nHost: tarn\r\n"
                     "Content-Type: application/json\r\nContent-Length: "
                     + QByteArray::number(body.size()) + "\r\n";
    out += extraHeaders;
    out += "\r\n";
    out += body;
    return out;
}

QByteArray rawGet(QByteArrayView path, QByteArrayView extraHeaders)
{
    QByteArray out = "GET " + path.toByteArray() + " HTTP/1.1\r\nHost: tarn\r\n";
    out += extraHeaders;
    out += "\r\n";
    return out;
}

QByteArray rawChunkedPost(QByteArrayView path, const QList<QByteArray> &chunks,
                          const QList<QByteArray> &extensions)
{
    QByteArray out = "POST " + path.toByteArray() + " HTTP/1.1\r\nHost: tarn\r\n"
                     "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (qsizetype i = 0; i < chunks.size(); ++i) {
        out += QByteArray::number(chunks.at(i).size(), 16) + extensions.value(i) + "\r\n";
        out += chunks.at(i) + "\r\n";
    }
    out += "0" + extensions.value(chunks.size()) + "\r\n\r\n";
    return out;
}

QList<SplitPlan> splitPlans(QByteArrayView bytes, std::mt19937 &rng, int randomRuns, qsizetype maxByteAtATime)
{
    QList<SplitPlan> plans;
    plans.append({QStringLiteral("one write"), {bytes.toByteArray()}, 0});
    if (bytes.size() <= maxByteAtATime) {
        SplitPlan single{QStringLiteral("byte at a time"), {}, 1};
        for (const char c : bytes)
            single.pieces.append(QByteArray(1, c));
        plans.append(single);
    }
    for (int run = 0; run < randomRuns && bytes.size() > 1; ++run) {
        std::uniform_int_distribution<int> count(1, 8);
        std::uniform_int_distribution<qsizetype> position(1, bytes.size() - 1);
        QList<qsizetype> cuts;
        for (int i = count(rng); i > 0; --i)
            cuts.append(position(rng));
        std::sort(cuts.begin(), cuts.end());
        QStringList where;
        for (const qsizetype cut : std::as_const(cuts))
            where.append(QString::number(cut));
        plans.append({QStringLiteral("random #%1 at %2").arg(run + 1).arg(where.join(u',')),
                      splitAt(bytes, cuts), 3});
    }
    return plans;
}

quint32 caseSeed(QByteArrayView caseName)
{
    quint32 h = kAdversarialSeed;
    for (const char c : caseName)
        h = h * 16777619u ^ quint8(c);
    return h;
}

QList<QByteArray> bigChatStream(qint64 approxBytes, int *contentEvents)
{
    const QByteArray prefix = R"(data: {"id":"chatcmpl-big","object":"chat.completion.chunk","created":1,"model":"gpt-x","choices":[{"index":0,)";
    QList<QByteArray> events;
    events.append(prefix + R"("delta":{"role":"assistant","content":""},"finish_reason":null}],"usage":null})" "\n\n");
    qint64 total = events.first().size();
    int count = 0;
    while (total < approxBytes) {
        QByteArray text = QByteArray::number(count).rightJustified(8, '0') + ' ';
        text = text.repeated(4096 / text.size());
        events.append(prefix + R"("delta":{"content":")" + text + R"("},"finish_reason":null}],"usage":null})" "\n\n");
        total += events.last().size();
        ++count;
    }
    events.append(prefix + R"("delta":{},"finish_reason":"stop"}],"usage":null})" "\n\n");
    events.append(R"(data: {"id":"chatcmpl-big","object":"chat.completion.chunk","created":1,"model":"gpt-x","choices":[],"usage":{"prompt_tokens":11,"completion_tokens":)"
                  + QByteArray::number(count) + R"(,"total_tokens":)" + QByteArray::number(count + 11) + "}}\n\n");
    events.append("data: [DONE]\n\n");
    if (contentEvents)
        *contentEvents = count;
    return events;
}

QByteArray joined(const QList<QByteArray> &parts)
{
    QByteArray all;
    for (const QByteArray &part : parts)
        all.append(part);
    return all;
}

bool waitUntil(const std::function<bool()> &done, int timeoutMs)
{
    return QTest::qWaitFor(done, timeoutMs);
}

QByteArray normalizeVolatile(QByteArray body)
{
    static const QRegularExpression ids(QStringLiteral("(chatcmpl-mock|cmpl-mock|call_mock)\\d+"));
    static const QRegularExpression created(QStringLiteral("\"created\":\\s*\\d+"));
    QString text = QString::fromUtf8(body);
    text.replace(ids, QStringLiteral("\\1N"));
    text.replace(created, QStringLiteral("\"created\":0"));
    return text.toUtf8();
}

} // namespace tarn::test
