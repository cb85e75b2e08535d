// SPDX-License-Identifier: GPL-3.0-or-later
// `tarn serve`: HTTPS on this node's Tailscale name through `tailscale serve` (the tailnet) or, asked
// for explicitly, `tailscale funnel` (the internet), proxied to Tarn on loopback.
#include "gateway/cli/CliSupport.h"
#include "gateway/cli/CommandLine.h"
#include "gateway/cli/SavedListen.h"

#include "gateway/net/TailscaleServe.h"
#include "gateway/storage/ClientKeyRepository.h"
#include "gateway/storage/Database.h"

namespace tarn::gateway::cli {

namespace {

using Kind = FlagSpec::Kind;

int showServed(Context &ctx, quint16 port)
{
    const Result<QList<ServeEntry>> entries = servedEntries(port);
    if (!entries)
        return runtimeError(ctx, entries.error().message);
    if (entries->isEmpty()) {
        ctx.out << "Tailscale does not serve Tarn (port " << port << ")." << Qt::endl;
        return ExitOk;
    }
    for (const ServeEntry &entry : *entries) {
        ctx.out << entry.url << "/v1  ->  " << entry.target << "  ("
                << (entry.funnel ? "funnel: the whole internet" : "serve: your tailnet") << ")" << Qt::endl;
    }
    return ExitOk;
}

} // namespace

int runServeCommand(Context &ctx, const QStringList &args)
{
    Result<ParsedFlags> flags = parseFlags(args, {{QStringLiteral("funnel"), Kind::Switch}, {QStringLiteral("off"), Kind::Switch},
                                                  {QStringLiteral("status"), Kind::Switch}, {QStringLiteral("port")}});
    if (!flags)
        return usageError(ctx, flags.error().message);
    if (!flags->positionals.isEmpty())
        return usageError(ctx, QStringLiteral("unexpected argument '%1'").arg(flags->positionals.first()));
    const bool off = flags->has(QStringLiteral("off"));
    const bool status = flags->has(QStringLiteral("status"));
    if (off && status)
        return usageError(ctx, QStringLiteral("--off and --status do not go together"));
    auto db = openDatabase(ctx);
    if (!db)
        return runtimeError(ctx, db.error().message);
    quint16 port = savedLocalAddress(**db).port;
    if (flags->has(QStringLiteral("port"))) {
        const Result<int> given = parseInt(QStringLiteral("--port"), flags->value(QStringLiteral("port")), 1);
        if (!given || *given > 65535)
            return usageError(ctx, QStringLiteral("bad --port '%1' (expected 1 to 65535)").arg(flags->value(QStringLiteral("port"))));
        port = quint16(*given);
    }
    if (status)
        return showServed(ctx, port);

    const ServeReach reach = flags->has(QStringLiteral("funnel")) ? ServeReach::Internet : ServeReach::Tailnet;
    if (!off && reach == ServeReach::Internet) {
        // The internet at large: nothing gets in without a key, and there must be one to get in with.
        const Result<bool> anyActive = ClientKeyRepository(**db).hasActive(QDateTime::currentDateTimeUtc());
        if (!anyActive)
            return runtimeError(ctx, anyActive.error().message);
        if (!*anyActive) {
            return runtimeError(ctx, QStringLiteral("funnel puts Tarn on the internet, where every request needs a client "
                                                    "key: create one first ('tarn key create --name cloud')"));
        }
        ctx.err << "Warning: funnel makes Tarn reachable from the whole internet (Cursor's servers, say). Every request "
                   "must carry a client key; keep them secret and revoke any you stop using."
                << Qt::endl;
    }
    if (const Status done = setServed(reach, port, !off); !done)
        return runtimeError(ctx, done.error().message);
    if (off) {
        ctx.out << "Tailscale " << (reach == ServeReach::Internet ? "funnel" : "serve") << " is off." << Qt::endl;
        return ExitOk;
    }
    return showServed(ctx, port);
}

} // namespace tarn::gateway::cli
