// SPDX-License-Identifier: GPL-3.0-or-later
// tarn_router_bench: what routing costs per request, without the network. One Router over a pool of
// three channels (weights 30/40/30, one tier); each request is plan + next + recordAttempt (the
// router's whole part in a successful request), on 1 and 2 threads sharing the router.
//
//   tarn_router_bench [--requests N]   (default 400000 per case)
//
// Cases: "plain" (no conversation key), "sticky" (requests spread over 1000 conversations, the
// sticky table hit and refreshed), "failover" (the first channel answers 429 with Retry-After: 0,
// so every request takes a second next + recordAttempt; the key is never left cooling).
// CPU time is the threads' own (CLOCK_THREAD_CPUTIME_ID), summed and divided by the requests.
#include "gateway/config/RuntimeConfig.h"
#include "gateway/routing/Router.h"

#include <QString>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <thread>
#include <vector>

using namespace tarn::gateway;

namespace {

const QString kModel = QStringLiteral("bench-model");

double threadCpuSeconds()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

double wallSeconds()
{
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

RuntimeConfig makeConfig(bool failoverFirst)
{
    RuntimeConfig config;
    config.revision = 1;
    const double weights[] = {30, 40, 30};
    for (int i = 0; i < 3; ++i) {
        Channel c;
        c.id = i + 1;
        c.name = QStringLiteral("channel-%1").arg(i + 1);
        c.baseUrl = QStringLiteral("http://127.0.0.1:9/v1");
        c.keys = {QStringLiteral("sk-bench-key-%1-0123456789abcdef").arg(i + 1)};
        c.models = {kModel};
        c.weight = weights[i];
        // The failover case: channel 1 is tried first (its own tier) and always refuses.
        c.priority = failoverFirst && i == 0 ? 10 : 0;
        config.channels.append(c);
    }
    return config;
}

enum class Case { Plain, Sticky, Failover };

struct Outcome
{
    double cpuUsPerRequest = 0;
    double wallUsPerRequest = 0;
    long failures = 0;
};

void runRequests(Router &router, const RuntimeConfig &config, Case kind, long first, long count, std::atomic<long> &failures,
                 double &cpu)
{
    AttemptReport ok;
    ok.status = 200;
    ok.ttfbMs = 40;
    ok.tokens = 120;
    AttemptReport limited;
    limited.status = 429;
    limited.verdict.kind = VerdictKind::RateLimited;
    limited.verdict.retryAfterMs = 0;
    RouteRequest request;
    request.model = kModel;
    request.needs.promptTokens = 30;
    // Built up front: the keys' text is the client's, not routing's.
    std::vector<QString> conversations;
    if (kind == Case::Sticky) {
        for (int i = 0; i < 1000; ++i)
            conversations.push_back(QStringLiteral("0|bench-model|opening:%1").arg(quint64(i) * 2654435761u, 0, 16));
    }
    const double start = threadCpuSeconds();
    long failed = 0;
    for (long n = first; n < first + count; ++n) {
        if (kind == Case::Sticky)
            request.stickyKey = conversations[std::size_t(n % 1000)];
        Result<RoutePlan> plan = router.plan(config, request);
        if (!plan) {
            ++failed;
            continue;
        }
        bool served = false;
        while (const auto candidate = router.next(*plan)) {
            const bool refuses = kind == Case::Failover && candidate->channel->id == 1;
            if (!router.recordAttempt(*plan, *candidate, refuses ? limited : ok)) {
                served = !refuses;
                break;
            }
        }
        failed += served ? 0 : 1;
    }
    cpu += threadCpuSeconds() - start;
    failures += failed;
}

Outcome measure(Case kind, int threads, long requests)
{
    const RuntimeConfig config = makeConfig(kind == Case::Failover);
    Router router(RouterOptions{{}, 42});
    std::atomic<long> failures{0};
    std::vector<double> cpu(std::size_t(threads), 0.0);
    const double wall0 = wallSeconds();
    std::vector<std::thread> pool;
    const long each = requests / threads;
    for (int t = 0; t < threads; ++t)
        pool.emplace_back([&, t] { runRequests(router, config, kind, t * each, each, failures, cpu[std::size_t(t)]); });
    for (auto &t : pool)
        t.join();
    const double wall = wallSeconds() - wall0;
    double cpuTotal = 0;
    for (const double c : cpu)
        cpuTotal += c;
    const long done = each * threads;
    return {cpuTotal * 1e6 / double(done), wall * 1e6 / double(done), failures.load()};
}

const char *caseName(Case kind)
{
    switch (kind) {
    case Case::Plain: return "plain";
    case Case::Sticky: return "sticky";
    case Case::Failover: return "failover";
    }
    return "?";
}

} // namespace

int main(int argc, char **argv)
{
    long requests = 400'000;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--requests") == 0 && i + 1 < argc) {
            requests = std::max(1000L, std::atol(argv[++i]));
        } else {
            std::fprintf(stderr, "usage: %s [--requests N]\n", argv[0]);
            return 2;
        }
    }
    std::printf("| case | threads | CPU µs/request | wall µs/request | failed |\n|---|---|---|---|---|\n");
    bool ok = true;
    for (const Case kind : {Case::Plain, Case::Sticky, Case::Failover}) {
        measure(kind, 1, requests / 10); // warm-up
        for (const int threads : {1, 2}) {
            const Outcome o = measure(kind, threads, requests);
            std::printf("| %s | %d | %.2f | %.2f | %ld |\n", caseName(kind), threads, o.cpuUsPerRequest,
                        o.wallUsPerRequest, o.failures);
            ok = ok && o.failures == 0;
        }
    }
    std::fflush(stdout);
    return ok ? 0 : 1;
}
