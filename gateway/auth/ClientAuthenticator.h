// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/config/RuntimeConfig.h"
#include "gateway/core/Result.h"
#include "gateway/http/HttpRequest.h"

namespace tarn::gateway {

// Who is calling: the client key a request presents, checked against the stored hashes.
// Loopback callers may omit a key (setting, default on); anything else must present one; a key
// that is presented must be valid wherever the request comes from.
struct ClientIdentity
{
    const ClientKey *key = nullptr; // nullptr: anonymous loopback caller
    // Set when the key matched its stored pre-salting SHA-256: the salted hash to store instead
    // (ClientKeyRepository::upgradeHashes, off the request path).
    QByteArray saltedHash;
};

// One salted hash per request (one hash map lookup); only a key still stored unsalted costs a
// second, plain SHA-256 lookup, until its upgrade reaches the snapshot.
Result<ClientIdentity> authenticateClient(const HttpRequest &request, const RuntimeConfig &config);

// The request came through a proxy on this machine: it carries X-Forwarded-For or Forwarded (any
// reverse proxy, tailscale serve and funnel among them) or Tailscale's identity or funnel headers.
// Its loopback peer is the proxy's, so it is not let in without a key.
bool isProxiedRequest(const HttpRequest &request);

// The key a request presents: `Authorization: Bearer …`, `x-api-key` (Anthropic clients),
// `x-goog-api-key` or a `key` query parameter (Gemini clients).
QByteArray presentedKey(const HttpRequest &request);

} // namespace tarn::gateway
