// SPDX-License-Identifier: GPL-3.0-or-later
// `tarn routing show|set`: the gateway-wide failover limits (settings "routing.*"). A running
// gateway picks a change up within a second, like every other configuration change.
#include "gateway/cli/CliSupport.h"

#include "gateway/config/ConfigStore.h"
#include "gateway/storage/Database.h"
#include "gateway/storage/SettingsRepository.h"

#include <QJsonObject>

namespace tarn::gateway::cli {

namespace {

Result<RoutingSettings> currentSettings(Database &db)
{
    ConfigStore store(db);
    if (const Status s = store.reload(); !s)
        return s.error();
    return store.snapshot()->routing;
}

int showRouting(Context &ctx, const QStringList &args)
{
    Result<ParsedFlags> flags = parseFlags(args, {{QStringLiteral("json"), FlagSpec::Kind::Switch}});
    if (!flags)
        return usageError(ctx, flags.error().message);
    auto db = openDatabase(ctx);
    if (!db)
        return runtimeError(ctx, db.error().message);
    const Result<RoutingSettings> r = currentSettings(**db);
    if (!r)
        return runtimeError(ctx, r.error().message);
    if (flags->has(QStringLiteral("json"))) {
        ctx.out << toJsonText(QJsonObject{{QStringLiteral("max_attempts"), r->maxAttempts},
                                          {QStringLiteral("time_budget_ms"), r->timeBudgetMs},
                                          {QStringLiteral("retry_empty_answers"), r->retryEmptyAnswers},
                                          {QStringLiteral("retest_interval_s"), r->retestIntervalS}})
                << '\n';
        return ExitOk;
    }
    const QString attempts = r->maxAttempts ? QString::number(r->maxAttempts)
                                            : QStringLiteral("every candidate once (at most %1)").arg(RoutingSettings::kMaxAttemptsCap);
    ctx.out << formatTable({QStringLiteral("SETTING"), QStringLiteral("VALUE")},
                           {{QStringLiteral("max attempts"), attempts},
                            {QStringLiteral("time budget"), QStringLiteral("%1 ms").arg(r->timeBudgetMs)},
                            {QStringLiteral("retry empty answers"), r->retryEmptyAnswers ? QStringLiteral("on") : QStringLiteral("off")},
                            {QStringLiteral("re-test disabled keys"),
                             r->retestIntervalS ? QStringLiteral("every %1 s").arg(r->retestIntervalS) : QStringLiteral("never")}});
    return ExitOk;
}

int setRouting(Context &ctx, const QStringList &args)
{
    Result<ParsedFlags> flags = parseFlags(args, {{QStringLiteral("max-attempts")}, {QStringLiteral("time-budget-ms")},
                                                  {QStringLiteral("retry-empty")}, {QStringLiteral("retest-interval-s")}});
    if (!flags)
        return usageError(ctx, flags.error().message);
    QList<std::pair<const char *, QString>> changes;
    if (flags->has(QStringLiteral("max-attempts"))) {
        const Result<int> n = parseInt(QStringLiteral("--max-attempts"), flags->value(QStringLiteral("max-attempts")), 0);
        if (!n)
            return usageError(ctx, n.error().message);
        if (*n > RoutingSettings::kMaxAttemptsCap)
            return usageError(ctx, QStringLiteral("--max-attempts must be 0 (every candidate) to %1").arg(RoutingSettings::kMaxAttemptsCap));
        changes.append({SettingKeys::MaxAttempts, QString::number(*n)});
    }
    if (flags->has(QStringLiteral("time-budget-ms"))) {
        const Result<int> n = parseInt(QStringLiteral("--time-budget-ms"), flags->value(QStringLiteral("time-budget-ms")), 1);
        if (!n)
            return usageError(ctx, n.error().message);
        changes.append({SettingKeys::TimeBudgetMs, QString::number(*n)});
    }
    if (flags->has(QStringLiteral("retry-empty"))) {
        const QString v = flags->value(QStringLiteral("retry-empty")).trimmed().toLower();
        if (v != u"on" && v != u"off")
            return usageError(ctx, QStringLiteral("--retry-empty must be on or off, got '%1'").arg(v));
        changes.append({SettingKeys::RetryEmptyAnswers, v == u"on" ? QStringLiteral("true") : QStringLiteral("false")});
    }
    if (flags->has(QStringLiteral("retest-interval-s"))) {
        const Result<int> n = parseInt(QStringLiteral("--retest-interval-s"), flags->value(QStringLiteral("retest-interval-s")), 0);
        if (!n)
            return usageError(ctx, n.error().message);
        changes.append({SettingKeys::RetestIntervalS, QString::number(*n)});
    }
    if (changes.isEmpty())
        return usageError(ctx, QStringLiteral("'tarn routing set' needs --max-attempts, --time-budget-ms, --retry-empty or --retest-interval-s"));
    auto db = openDatabase(ctx);
    if (!db)
        return runtimeError(ctx, db.error().message);
    SettingsRepository settings(**db);
    for (const auto &[key, value] : changes) {
        if (const Status s = settings.setValue(QString::fromLatin1(key), value); !s)
            return runtimeError(ctx, s.error().message);
    }
    ctx.out << "Updated routing settings.\n";
    return ExitOk;
}

} // namespace

int runRoutingCommand(Context &ctx, const QStringList &args)
{
    const QString command = args.value(0);
    if (command == u"show")
        return showRouting(ctx, args.mid(1));
    if (command == u"set")
        return setRouting(ctx, args.mid(1));
    if (command.isEmpty())
        return usageError(ctx, QStringLiteral("'tarn routing' needs a subcommand (show, set)"));
    return usageError(ctx, QStringLiteral("unknown routing subcommand '%1' (expected show or set)").arg(command));
}

} // namespace tarn::gateway::cli
