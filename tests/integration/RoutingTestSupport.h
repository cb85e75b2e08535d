// SPDX-License-Identifier: GPL-3.0-or-later
// The routing suite's fixture: a real gateway with an injected clock and seed, in front of mock
// upstreams that each have their own fault, plus the requests the tests send.
#pragma once

#include "tests/integration/GatewayHarness.h"
#include "tests/support/FakeClock.h"
#include "tests/support/GTestQtPrinters.h"
#include "tests/support/HttpTestClient.h"
#include "tests/support/MockUpstream.h"

#include "gateway/core/RouterStatus.h"

#include <QStringList>

#include <functional>
#include <memory>
#include <ostream>
#include <vector>

#include <gtest/gtest.h>

namespace tarn::gateway {
inline void PrintTo(HealthState state, std::ostream *os)
{
    *os << healthStateName(state).toStdString();
}
} // namespace tarn::gateway

namespace tarn::test::routing {

inline const QString kModel = QStringLiteral("gpt-pool");
inline constexpr quint64 kSeed = 20260310;
inline constexpr int kTimeoutMs = 30'000; // per request: generous, the suite also runs under sanitizers

// What a request carries beyond a chat message.
struct Ask
{
    bool stream = false;
    bool tools = false;
    bool image = false;
};

// A chat request for kModel whose opening is unique to n (so the conversation-opening stickiness
// never ties two requests together) and always the same size (so every answer costs the same tokens).
QByteArray chatRequest(int n, Ask ask = {});
// A mock answer with this status (an error status gets an OpenAI error body unless one is given).
MockBehaviour answering(int status, MockHeaders headers = {}, QByteArray body = {});
MockBehaviour delayed(int delayMs, MockBehaviour b = {});
QString describe(const HttpResult &r);
// Sends `total` requests from `inFlight` client threads at once; bodies from makeBody(i).
// Returns the responses' statuses by index.
QList<int> sendConcurrently(const QString &url, int total, int inFlight, const std::function<QByteArray(int)> &makeBody);

class Routing : public ::testing::Test
{
protected:
    void SetUp() override;
    void TearDown() override;

    // A mock upstream that outlives the gateway (mocks first, then the harness, in member order).
    MockUpstream &mock();
    // An OpenAI channel for kModel on the mock, key "sk-NAME-0123456789" unless tweak says otherwise.
    gateway::Channel add(const QString &name, const MockUpstream &upstream, int priority = 0, double weight = 1.0,
                         const std::function<void(gateway::Channel &)> &tweak = {});
    QString chatUrl() const;
    HttpResult post(const QByteArray &body, const HttpHeaders &headers = {});
    // The next request with a fresh opening.
    HttpResult ask(Ask what = {}, const HttpHeaders &headers = {});
    // Sends n fresh requests one after the other; every one must succeed.
    void askOk(int n, Ask what = {}, const HttpHeaders &headers = {});
    // The router's live state of a channel.
    gateway::ChannelStatus status(const QString &name);
    // Runs `tarn --data-dir <the gateway's> args…` in this process (as the user would, beside the
    // running gateway); expects success and returns what it printed.
    QString cli(const QStringList &args);

    std::vector<std::unique_ptr<MockUpstream>> m_mocks;
    FakeClock clock;
    GatewayHarness tarn;
    HttpTestClient client;
    int m_sent = 0;
};

} // namespace tarn::test::routing
