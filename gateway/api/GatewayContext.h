// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/upstream/UpstreamRequest.h"

namespace tarn::gateway {

class Router;
class ConfigStore;
class ResponseStore;
class ClientKeyLimiter;
class UsageRecorder;

// The thread-safe, process-wide services every worker's request handler uses.
struct GatewayContext
{
    const ConfigStore *config = nullptr;
    Router *router = nullptr;
    UsageRecorder *usage = nullptr;
    ResponseStore *responses = nullptr; // previous_response_id; nullptr = none kept
    ClientKeyLimiter *limiter = nullptr; // client key limits; nullptr = none enforced
    UpstreamTimeouts timeouts;
    qint64 maxUpstreamBodyBytes = 64LL * 1024 * 1024; // non-streamed answers are held this far
};

} // namespace tarn::gateway
