// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "gateway/core/ListenAddress.h"
#include "gateway/net/Tailnet.h"
#include "gateway/core/Result.h"

#include <QList>
#include <QString>
#include <QStringList>
#include <QTextStream>

#include <optional>

namespace tarn::gateway {

// How to run Tarn itself (no subcommand).
struct RunOptions
{
    QString dataDir;              // resolved: --data-dir or QStandardPaths::AppDataLocation
    bool headless = false;
    QList<ListenAddress> listen;  // empty: the gateway decides (GatewayOptions::listen)
    int workers = 0;              // --workers N, 0 = number of cores
    std::optional<ExposeMode> expose; // --expose loopback|tailscale|all (--listen overrides it)
    std::optional<quint16> port;      // --port N, with --expose (default 8276)
    bool admin = true;                // --no-admin: no management API
    std::optional<quint16> adminPort; // --admin-port N (0: any free port); default: the gateway's port + 1
};

// What the command line asks for.
struct Invocation
{
    enum class Kind { Run, Command, Help, Version, Error } kind = Kind::Run;
    RunOptions run;
    QStringList commandArgs;      // e.g. {"channel","add","--name",...}
    QString text;                 // help text, version line, or error message (without "tarn: ")
};

// "HOST:PORT" or "[IPv6]:PORT", as --listen takes it.
Result<ListenAddress> parseListenAddress(const QString &text);

// Pure: no QCoreApplication needed. args excludes argv[0].
Invocation parseInvocation(const QStringList &args);

// Executes a Command invocation (needs a QCoreApplication for the SQL driver) and returns the
// exit code: 0 success, 1 runtime failure, 2 usage error. Help and Version print text to out
// and return 0; Error prints "tarn: <text>" to err and returns 2; Run returns 2.
int runCommand(const Invocation &inv, QTextStream &out, QTextStream &err);

} // namespace tarn::gateway
