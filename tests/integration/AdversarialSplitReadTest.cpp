// SPDX-License-Identifier: GPL-3.0-or-later
// Split reads: each request of a recorded set must be answered the same — status line, body
// (ids and timestamps normalised) and usage rows — whether it arrives in one write, one byte at a
// time or cut at seeded random points with pauses, so the server really sees separate reads.
#include "tests/integration/GatewayHarness.h"
#include "tests/support/AdversarialKit.h"
#include "tests/support/GTestQtPrinters.h"
#include "tests/support/MockUpstream.h"
#include "tests/support/RawClient.h"
#include "tests/support/TestWatchdog.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <gtest/gtest.h>

using namespace tarn::test;

namespace {

const bool kWatchdog = (installTestWatchdog(120'000), true);

// The usage-row fields that must not depend on how the request was cut.
struct RowDigest
{
    int status = 0;
    QString model;
    qint64 prompt = 0;
    qint64 completion = 0;
    bool stream = false;
    bool operator==(const RowDigest &) const = default;
    QString text() const
    {
        return QStringLiteral("{%1 %2 p=%3 c=%4%5}").arg(status).arg(model).arg(prompt).arg(completion)
            .arg(stream ? QStringLiteral(" stream") : QString());
    }
};

struct Outcome
{
    QList<QByteArray> statusLines;
    QList<QByteArray> bodies;
    QList<RowDigest> rows;
    bool operator==(const Outcome &) const = default;
    QString text() const
    {
        QStringList parts;
        for (qsizetype i = 0; i < statusLines.size(); ++i)
            parts.append(QString::fromUtf8(statusLines.at(i) + " | " + bodies.value(i).left(300)));
        QStringList rowTexts;
        for (const RowDigest &row : rows)
            rowTexts.append(row.text());
        return QStringLiteral("[%1] rows [%2]").arg(parts.join(QStringLiteral(" || ")), rowTexts.join(u' '));
    }
};

struct SplitCase
{
    QByteArray name;
    QByteArray bytes;
    QList<int> statuses;        // final status of each response, in order (one write)
    int rows = -1;              // usage rows expected; -1: not pinned, only equal at every split
    QList<SplitPlan> extraPlans;
};

QByteArray chat(bool stream = false)
{
    return chatBody(QStringLiteral("gpt-x"), stream);
}

SplitCase splitCase(const QByteArray &name)
{
    const QByteArray path = "/v1/chat/completions";
    if (name == "ChatNonStream")
        return {name, rawPost(path, chat()), {200}, 1, {}};
    if (name == "ChatStream")
        return {name, rawPost(path, chat(true)), {200}, 1, {}};
    if (name == "Health")
        return {name, rawGet("/health"), {200}, 0, {}};
    if (name == "Models")
        return {name, rawGet("/v1/models"), {200}, 0, {}};
    if (name == "TwoPipelined")
        return {name, rawPost(path, chat()) + rawGet("/health"), {200, 200}, 1, {}};
    if (name == "ThreePipelined")
        return {name, rawGet("/health") + rawPost(path, chat(true)) + rawGet("/v1/models"), {200, 200, 200}, 1, {}};
    if (name == "ExpectContinue")
        return {name, rawPost(path, chat(), "Expect: 100-continue\r\n"), {200}, 1, {}};
    if (name == "BadJson")
        return {name, rawPost(path, R"({"model":"gpt-x","messages":[{"role":"user","content":"hi"}],)"), {400}, 1, {}};
    if (name == "UnknownModel")
        return {name, rawPost(path, chatBody(QStringLiteral("no-such-model"))), {404}, 1, {}};
    if (name == "BadFraming") // two different lengths: the message boundary is unknowable
        return {name, rawPost(path, chat(), "Content-Length: 7\r\n"), {400}, -1, {}};
    if (name == "ContentLengthOverLimit")
        return {name, "POST /v1/chat/completions HTTP/1.1\r\nHost: tarn\r\nContent-Type: application/json\r\n"
                      "Content-Length: 100000\r\n\r\n", {413}, -1, {}};
    if (name == "HeaderBlockOverLimit")
        return {name, "GET /health HTTP/1.1\r\nHost: tarn\r\nX-Filler: " + QByteArray(1100, 'f') + "\r\n\r\n", {431}, -1, {}};
    // Chunked request bodies (run isolated: a parser that spins on a partial chunk line pins a worker).
    const QByteArray body = chat();
    if (name == "ChunkedBody")
        return {name, rawChunkedPost(path, {body.left(23), body.mid(23)}), {200}, 1, {}};
    if (name == "ChunkedWithExtensions")
        return {name, rawChunkedPost(path, {body.left(40), body.mid(40, 9), body.mid(49)},
                                     {";ext=1", ";name=\"quoted;value\"", " ; a=b", ";last"}),
                {200}, 1, {}};
    if (name == "ChunkedBadSize")
        return {name, "POST /v1/chat/completions HTTP/1.1\r\nHost: tarn\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "zz\r\n" + body + "\r\n0\r\n\r\n", {400}, -1, {}};
    if (name == "ChunkedSplitInsideCrlf") {
        // The reported hang: the chunk's closing CRLF cut after its CR, then a pause.
        const QByteArray head = rawChunkedPost(path, {}).chopped(5); // drop the "0\r\n\r\n"
        const QByteArray first = head + QByteArray::number(body.size(), 16) + "\r\n" + body + "\r";
        return {name, first + "\n0\r\n\r\n", {200}, 1,
                {{QStringLiteral("cut after the chunk's CR, 300 ms pause"), {first, "\n0\r\n\r\n"}, 300}}};
    }
    if (name == "ChunkedHelloSplitInsideCrlf") {
        const QByteArray head = rawChunkedPost(path, {}).chopped(5);
        const QByteArray first = head + "5\r\nhello\r";
        return {name, first + "\n0\r\n\r\n", {400}, 1,
                {{QStringLiteral("cut after the chunk's CR, 300 ms pause"), {first, "\n0\r\n\r\n"}, 300}}};
    }
    return {name, {}, {}, -1, {}};
}

class SplitRig
{
public:
    SplitRig() : m_tarn(limits())
    {
        m_tarn.addChannel(QStringLiteral("main"), m_mock.baseUrl(), {QStringLiteral("gpt-x")});
        m_started = m_tarn.start();
    }

    static tarn::gateway::HttpLimits limits()
    {
        tarn::gateway::HttpLimits limits;
        limits.maxBodyBytes = 64 * 1024;
        limits.maxHeaderBytes = 1024; // keeps the over-limit header small enough to send byte by byte
        return limits;
    }

    bool started() const { return m_started; }
    quint16 port() const { return m_tarn.port(); }

    Outcome run(const SplitCase &c, const SplitPlan &plan)
    {
        const qsizetype before = m_tarn.usageRows().size();
        Outcome outcome;
        {
            RawClient client(m_tarn.port());
            client.sendPieces(plan.pieces, plan.pauseMs);
            const QList<RawResponse> responses = client.readResponses(int(c.statuses.size()), 10'000);
            for (const RawResponse &r : responses) {
                outcome.statusLines.append(r.statusLine);
                outcome.bodies.append(normalizeVolatile(r.body) + (r.complete ? "" : " <incomplete>"));
            }
        }
        const auto rows = m_tarn.usageRows();
        for (qsizetype i = before; i < rows.size(); ++i) {
            const auto &row = rows.at(i);
            outcome.rows.append({row.status, row.requestedModel, row.promptTokens, row.completionTokens, row.stream});
        }
        return outcome;
    }

    // Every plan of the case; returns the mismatches, each naming the seed and the cut points.
    QStringList check(const SplitCase &c, int randomRuns)
    {
        QStringList failures;
        const quint32 seed = caseSeed(c.name);
        std::mt19937 rng(seed);
        QList<SplitPlan> plans = splitPlans(c.bytes, rng, randomRuns);
        plans.append(c.extraPlans);
        const QString where = QStringLiteral("case %1 (seed %2)").arg(QString::fromLatin1(c.name)).arg(seed);
        setIsolatedStep(where + QStringLiteral(": one write"));
        const Outcome base = run(c, plans.first());
        QList<int> statuses;
        for (const QByteArray &line : base.statusLines)
            statuses.append(line.split(' ').value(1).toInt());
        if (statuses != c.statuses)
            failures.append(where + QStringLiteral(", one write: unexpected answer ") + base.text());
        if (c.rows >= 0 && base.rows.size() != c.rows)
            failures.append(where + QStringLiteral(", one write: expected %1 usage row(s), got ").arg(c.rows) + base.text());
        for (qsizetype i = 1; i < plans.size(); ++i) {
            setIsolatedStep(where + u": " + plans.at(i).name);
            const Outcome other = run(c, plans.at(i));
            if (other != base) {
                failures.append(where + u", " + plans.at(i).name + QStringLiteral(" differs from one write:\n  one write: ")
                                + base.text() + QStringLiteral("\n  split:     ") + other.text());
            }
            if (other.statusLines.size() < c.statuses.size()) {
                failures.append(where + QStringLiteral(": answer missing, the remaining plans are skipped"));
                break;
            }
        }
        setIsolatedStep(where + QStringLiteral(": health afterwards"));
        RawClient health(m_tarn.port());
        health.send(rawGet("/health"));
        const auto answer = health.readResponses(1, 10'000);
        if (answer.isEmpty() || answer.first().status != 200)
            failures.append(where + QStringLiteral(": GET /health afterwards did not answer 200"));
        const qint64 cpu = processCpuMsWhileSleeping(600);
        if (cpu > 300)
            failures.append(where + QStringLiteral(": the idle process used %1 ms of CPU in 600 ms (a pinned thread?)").arg(cpu));
        return failures;
    }

private:
    MockUpstream m_mock;
    GatewayHarness m_tarn;
    bool m_started = false;
};

std::string caseName(const ::testing::TestParamInfo<const char *> &info)
{
    return info.param;
}

// Runs in a child process; the rig is left to _Exit, since a pinned worker cannot be stopped.
QStringList checkInChild(const SplitCase &c)
{
    auto *rig = new SplitRig;
    if (!rig->started())
        return {QStringLiteral("the gateway did not start")};
    return rig->check(c, 3);
}

QStringList pauseInsideCrlfInChild()
{
    QStringList failures;
    auto *rig = new SplitRig;
    if (!rig->started())
        return {QStringLiteral("the gateway did not start")};
    const QList<QByteArray> pieces = splitCase("ChunkedHelloSplitInsideCrlf").extraPlans.first().pieces;
    RawClient client(rig->port());
    setIsolatedStep(QStringLiteral("pausing inside the chunk's CRLF"));
    client.send(pieces.at(0));
    const qint64 cpu = processCpuMsWhileSleeping(600);
    if (cpu > 300)
        failures.append(QStringLiteral("while the client paused inside the CRLF the process used %1 ms of CPU "
                                       "in 600 ms: a worker is spinning").arg(cpu));
    setIsolatedStep(QStringLiteral("waiting for the answer after the LF"));
    client.send(pieces.at(1));
    const QList<RawResponse> answer = client.readResponses(1, 10'000);
    if (answer.isEmpty()) {
        failures.append(QStringLiteral("no answer after the rest of the body"));
        return failures;
    }
    const QJsonObject error = QJsonDocument::fromJson(answer.first().body).object().value(u"error").toObject();
    if (answer.first().status != 400 || error.value(u"type").toString() != QStringLiteral("invalid_request_error")) {
        failures.append(QStringLiteral("expected 400 invalid_request_error for the body 'hello', got: ")
                        + QString::fromUtf8(answer.first().statusLine + ' ' + answer.first().body));
    }
    return failures;
}

} // namespace

class AdversarialSplitRead : public ::testing::TestWithParam<const char *>
{
};

TEST_P(AdversarialSplitRead, SameAnswerAtEverySplit)
{
    const SplitCase c = splitCase(GetParam());
    ASSERT_FALSE(c.bytes.isEmpty()) << "unknown case " << GetParam();
    SplitRig rig;
    ASSERT_TRUE(rig.started());
    const QStringList failures = rig.check(c, 3);
    EXPECT_TRUE(failures.isEmpty()) << "seed " << kAdversarialSeed << "\n" << failures.join(u'\n').toStdString();
}

INSTANTIATE_TEST_SUITE_P(Requests, AdversarialSplitRead,
                         ::testing::Values("ChatNonStream", "ChatStream", "Health", "Models", "TwoPipelined",
                                           "ThreePipelined", "ExpectContinue", "BadJson", "UnknownModel",
                                           "BadFraming", "ContentLengthOverLimit", "HeaderBlockOverLimit"),
                         caseName);

// Chunked bodies run in a child process with its own ceiling: before the fix a chunk line cut in
// two pinned the worker at 100% CPU for ever, and the harness cannot stop a pinned worker.
class AdversarialSplitReadChunked : public ::testing::TestWithParam<const char *>
{
};

TEST_P(AdversarialSplitReadChunked, SameAnswerAtEverySplit)
{
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    const SplitCase c = splitCase(GetParam());
    ASSERT_FALSE(c.bytes.isEmpty()) << "unknown case " << GetParam();
    EXPECT_EXIT(runIsolated(40'000, [&c] { return checkInChild(c); }), ::testing::ExitedWithCode(0), "")
        << "seed " << kAdversarialSeed << "; exit code 3 = the child hung (see its step above)";
}

INSTANTIATE_TEST_SUITE_P(Requests, AdversarialSplitReadChunked,
                         ::testing::Values("ChunkedBody", "ChunkedWithExtensions", "ChunkedBadSize",
                                           "ChunkedSplitInsideCrlf", "ChunkedHelloSplitInsideCrlf"),
                         caseName);

// The reported hang itself, watched from outside: while the client pauses inside the CRLF the
// process stays idle, and the rest of the body gets a normal answer in OpenAI's error shape.
TEST(AdversarialSplitReadChunkedCrlf, PauseInsideCrlfDoesNotPinAWorker)
{
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_EXIT(runIsolated(30'000, pauseInsideCrlfInChild), ::testing::ExitedWithCode(0), "");
}
