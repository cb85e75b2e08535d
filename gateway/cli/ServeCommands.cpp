// SPDX-License-Identifier: GPL-3.0-or-later
// `tarn serve`: HTTPS on this node's Tailscale name through `tailscale serve` (the tailnet) or, asked
// for explicitly, `tailscale funnel` (the internet), proxied to Tarn on loopback.
#include "gateway/cli/CliSupport.h"
#include "gateway/cli/CommandLine.h"
#include "gateway/cli/SavedListen.h"

#include "gateway/net/TailscaleServe.h"
#include "gateway/storage/ClientKeyRepository.h"
#include "gateway/storage/Database.h"

#include <algorithm>

namespace tarn::gateway::cli {

namespace {

using Kind = FlagSpec::Kind;

int tailscaleFailed(Context &ctx, const QStringList &args, const TailscaleRun &run)
{
    const QString said = QString::fromLocal8Bit(run.err.isEmpty() ? run.out : run.err).trimmed();
    return runtimeError(ctx, QStringLiteral("tailscale %1 failed (exit %2)%3").arg(args.join(u' ')).arg(run.exitCode)
                                 .arg(said.isEmpty() ? QString() : QStringLiteral(": ") + said));
}

int showServed(Context &ctx, quint16 port)
{
    const Result<TailscaleRun> status = runTailscale(serveStatusArguments());
    if (!status)
        return runtimeError(ctx, status.error().message);
    if (status->exitCode != 0)
        return tailscaleFailed(ctx, serveStatusArguments(), *status);
    const Result<QList<ServeEntry>> entries = parseServeStatus(status->out, port);
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
        const Result<QList<ClientKey>> keys = ClientKeyRepository(**db).list();
        if (!keys)
            return runtimeError(ctx, keys.error().message);
        const bool anyActive = std::any_of(keys->cbegin(), keys->cend(), [](const ClientKey &k) {
            return !k.revoked && !k.isExpired(QDateTime::currentDateTimeUtc());
        });
        if (!anyActive) {
            return runtimeError(ctx, QStringLiteral("funnel puts Tarn on the internet, where every request needs a client "
                                                    "key: create one first ('tarn key create --name cloud')"));
        }
        ctx.err << "Warning: funnel makes Tarn reachable from the whole internet (Cursor's servers, say). Every request "
                   "must carry a client key; keep them secret and revoke any you stop using."
                << Qt::endl;
    }
    const QStringList command = off ? serveOffArguments(reach) : serveArguments(reach, port);
    const Result<TailscaleRun> run = runTailscale(command);
    if (!run)
        return runtimeError(ctx, run.error().message);
    if (run->exitCode != 0)
        return tailscaleFailed(ctx, command, *run);
    if (off) {
        ctx.out << "Tailscale " << (reach == ServeReach::Internet ? "funnel" : "serve") << " is off." << Qt::endl;
        return ExitOk;
    }
    return showServed(ctx, port);
}

} // namespace tarn::gateway::cli
