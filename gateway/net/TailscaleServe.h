// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// `tailscale serve` and `tailscale funnel` for Tarn: HTTPS on this node's MagicDNS name, proxied by
// tailscaled to Tarn on loopback. No non-loopback bind and no firewall prompt; serve reaches the
// tailnet, funnel the whole internet. Either way the requests arrive from 127.0.0.1 with
// X-Forwarded-For, so Tarn asks them for a client key (isProxiedRequest).
#include "gateway/core/Result.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <functional>

class QObject;

namespace tarn::gateway {

enum class ServeReach { Tailnet, Internet }; // tailscale serve / tailscale funnel

// The CLI's arguments (Tailscale 1.52+ syntax) to start proxying https://<name>:443 to
// http://127.0.0.1:port in the background, or to stop it.
[[nodiscard]] QStringList serveArguments(ServeReach reach, quint16 port);
[[nodiscard]] QStringList serveOffArguments(ServeReach reach);
[[nodiscard]] QStringList serveStatusArguments();

// One HTTPS entry of `tailscale serve status --json` that proxies to Tarn.
struct ServeEntry
{
    QString url;      // "https://gateway.tail1234.ts.net" (":port" when not 443)
    QString target;   // "http://127.0.0.1:8276"
    bool funnel = false; // reachable from the internet
};
// The entries of a ServeConfig JSON ({"TCP", "Web": {"host:443": {"Handlers": {"/": {"Proxy"}}}},
// "AllowFunnel"}) whose root handler proxies to a loopback address on port. An empty config ({} or
// empty output, as the CLI prints when nothing is served) is no entries; garbage is an error.
[[nodiscard]] Result<QList<ServeEntry>> parseServeStatus(QByteArrayView json, quint16 port);

struct TailscaleRun
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};
// The tailscale CLI to run: $TARN_TAILSCALE when set (tests), else the one on PATH; empty when
// there is none, or the one named is no executable file.
[[nodiscard]] QString tailscaleProgram();

// Runs the tailscale CLI (the one on PATH, or $TARN_TAILSCALE) with args, at most timeoutMs.
// An error when it is not installed, does not start or does not finish.
[[nodiscard]] Result<TailscaleRun> runTailscale(const QStringList &args, int timeoutMs = 20000);

// runTailscale without blocking: the CLI runs as a QProcess child of context, and done gets the
// outcome on context's thread. Destroying context first kills the process, and done is not called.
void runTailscaleAsync(QObject *context, const QStringList &args, int timeoutMs,
                       std::function<void(Result<TailscaleRun>)> done);
// A run that exited non-zero as an error quoting what the CLI said ("tailscale serve … failed
// (exit 1): …"); other runs and errors as they are.
[[nodiscard]] Result<TailscaleRun> checkedRun(const QStringList &args, Result<TailscaleRun> run);

// What tailscale serves for Tarn on port now (`serve status --json`, read by parseServeStatus).
// Both run the CLI and block up to its timeout (the command line; a window uses
// runTailscaleAsync). Errors quote what the CLI said.
[[nodiscard]] Result<QList<ServeEntry>> servedEntries(quint16 port);
// Starts (on) or stops serving Tarn's port to the tailnet or, with funnel, the internet.
[[nodiscard]] Status setServed(ServeReach reach, quint16 port, bool on);

} // namespace tarn::gateway
