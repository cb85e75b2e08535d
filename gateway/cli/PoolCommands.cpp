// SPDX-License-Identifier: GPL-3.0-or-later
// `tarn pool list|set`: every model name clients can ask for, the channels serving it by priority
// tier, how traffic splits among them right now, and the pool's strategy.
#include "gateway/cli/ChannelState.h"
#include "gateway/cli/CliSupport.h"

#include "gateway/core/PoolSettings.h"
#include "gateway/storage/ChannelRepository.h"
#include "gateway/storage/Database.h"
#include "gateway/storage/PoolRepository.h"
#include "gateway/storage/RouterStateRepository.h"

#include <QJsonArray>

#include <map>

namespace tarn::gateway::cli {

namespace {

using Kind = FlagSpec::Kind;

struct PoolMember
{
    const Channel *channel = nullptr;
    ChannelStateView view;
    std::optional<double> share; // of the pool's traffic, 0..1; none for weight 0 or non-weighted pools
    bool lastResort = false;     // weight 0: only when nothing else is left
};

struct PoolTier
{
    int priority = 0;
    bool active = false; // the tier requests go to now; the others take failover only
    QList<PoolMember> members;
};

// Groups the enabled channels serving model by priority, highest first, and works out each
// channel's share: weighted pools split the first tier with an available channel by weight among
// its available channels; lower tiers only take failover.
QList<PoolTier> poolTiers(const QString &model, const PoolSettings &settings, const QList<Channel> &channels,
                          const RouterStatus &status)
{
    std::map<int, PoolTier, std::greater<int>> byPriority;
    for (const Channel &c : channels) {
        if (!c.enabled || !c.serves(model))
            continue;
        PoolTier &tier = byPriority[c.priority];
        tier.priority = c.priority;
        tier.members.append({&c, channelStateView(c, status), std::nullopt, c.weight <= 0});
    }
    QList<PoolTier> tiers;
    bool activeFound = false;
    // The gateway's effective weight (budgets and the upstream's own counters lower it) when it
    // published one, else the configured weight.
    const auto weightOf = [](const PoolMember &m) {
        return m.view.published ? std::min(m.view.effectiveWeight, m.channel->weight) : m.channel->weight;
    };
    for (auto &[priority, tier] : byPriority) {
        double total = 0;
        for (const PoolMember &m : tier.members) {
            if (m.view.available() && !m.lastResort)
                total += weightOf(m);
        }
        tier.active = !activeFound && total > 0;
        activeFound = activeFound || tier.active;
        if (settings.strategy == RoutingStrategy::Weighted) {
            for (PoolMember &m : tier.members) {
                if (!m.lastResort)
                    m.share = tier.active && m.view.available() ? weightOf(m) / total : 0.0;
            }
        }
        tiers.append(tier);
    }
    return tiers;
}

QStringList poolModels(const QList<Channel> &channels)
{
    QStringList models;
    for (const Channel &c : channels) {
        if (!c.enabled)
            continue;
        for (const QString &m : c.servedModels()) {
            if (!models.contains(m))
                models.append(m);
        }
    }
    models.sort();
    return models;
}

QString shareText(const PoolMember &m)
{
    if (m.lastResort)
        return QStringLiteral("last resort");
    if (!m.share)
        return QStringLiteral("-");
    return QString::number(*m.share * 100, 'f', 1) + QStringLiteral(" %");
}

int listPools(Context &ctx, const QStringList &args)
{
    Result<ParsedFlags> flags = parseWithPositionals(args, {{QStringLiteral("json"), Kind::Switch}}, QStringLiteral("pool list"), {});
    if (!flags)
        return usageError(ctx, flags.error().message);
    auto db = openDatabase(ctx);
    if (!db)
        return runtimeError(ctx, db.error().message);
    Result<QList<Channel>> channels = ChannelRepository(**db).list();
    Result<QHash<QString, PoolSettings>> settings = PoolRepository(**db).list();
    Result<RouterStatus> status = RouterStateRepository(**db).load();
    for (const Error *e : {channels ? nullptr : &channels.error(), settings ? nullptr : &settings.error(),
                           status ? nullptr : &status.error()}) {
        if (e)
            return runtimeError(ctx, e->message);
    }

    const QStringList models = poolModels(*channels);
    if (flags->has(QStringLiteral("json"))) {
        QJsonArray pools;
        for (const QString &model : models) {
            const PoolSettings pool = settings->value(model);
            QJsonArray tiers;
            for (const PoolTier &tier : poolTiers(model, pool, *channels, *status)) {
                QJsonArray members;
                for (const PoolMember &m : tier.members) {
                    members.append(QJsonObject{{QStringLiteral("name"), m.channel->name},
                                               {QStringLiteral("weight"), m.channel->weight},
                                               {QStringLiteral("share"), m.share ? QJsonValue(*m.share) : QJsonValue()},
                                               {QStringLiteral("last_resort"), m.lastResort},
                                               {QStringLiteral("state"), healthStateName(m.view.state)},
                                               {QStringLiteral("upstream_model"), m.channel->upstreamModel(model)}});
                }
                tiers.append(QJsonObject{{QStringLiteral("priority"), tier.priority},
                                         {QStringLiteral("active"), tier.active},
                                         {QStringLiteral("channels"), members}});
            }
            pools.append(QJsonObject{{QStringLiteral("model"), model},
                                     {QStringLiteral("strategy"), routingStrategyName(pool.strategy)},
                                     {QStringLiteral("sticky"), pool.sticky},
                                     {QStringLiteral("tiers"), tiers}});
        }
        ctx.out << toJsonText(pools);
        return ExitOk;
    }
    if (models.isEmpty()) {
        ctx.out << "No pools: no enabled channel serves a model. Add one with 'tarn channel add'." << Qt::endl;
        return ExitOk;
    }
    for (const QString &model : models) {
        const PoolSettings pool = settings->value(model);
        ctx.out << model << "  (" << routingStrategyName(pool.strategy) << (pool.sticky ? ", sticky" : ", not sticky")
                << ")\n";
        QList<QStringList> rows;
        for (const PoolTier &tier : poolTiers(model, pool, *channels, *status)) {
            for (const PoolMember &m : tier.members) {
                rows.append({QStringLiteral("  ") + QString::number(tier.priority) + (tier.active ? QString() : QStringLiteral(" (failover)")),
                             m.channel->name, QString::number(m.channel->weight), shareText(m),
                             describeState(m.view.state, m.view.cooldownUntil, m.view.reason)});
            }
        }
        ctx.out << formatTable({QStringLiteral("  PRIORITY"), QStringLiteral("CHANNEL"), QStringLiteral("WEIGHT"),
                                QStringLiteral("SHARE"), QStringLiteral("STATE")},
                               rows, {2, 3});
    }
    ctx.out.flush();
    return ExitOk;
}

int setPool(Context &ctx, const QStringList &args)
{
    Result<ParsedFlags> flags = parseWithPositionals(args, {{QStringLiteral("strategy")}, {QStringLiteral("sticky")}},
                                                     QStringLiteral("pool set"), {QStringLiteral("a model name")});
    if (!flags)
        return usageError(ctx, flags.error().message);
    if (!flags->has(QStringLiteral("strategy")) && !flags->has(QStringLiteral("sticky")))
        return usageError(ctx, QStringLiteral("'tarn pool set' needs --strategy or --sticky"));
    std::optional<RoutingStrategy> strategy;
    if (flags->has(QStringLiteral("strategy"))) {
        strategy = routingStrategyFromName(flags->value(QStringLiteral("strategy")));
        if (!strategy) {
            return usageError(ctx, QStringLiteral("--strategy must be weighted, latency or cheapest, got '%1'")
                                       .arg(flags->value(QStringLiteral("strategy"))));
        }
    }
    std::optional<bool> sticky;
    if (flags->has(QStringLiteral("sticky"))) {
        const QString value = flags->value(QStringLiteral("sticky")).trimmed().toLower();
        if (value == u"on")
            sticky = true;
        else if (value == u"off")
            sticky = false;
        else
            return usageError(ctx, QStringLiteral("--sticky must be on or off, got '%1'").arg(flags->value(QStringLiteral("sticky"))));
    }
    const QString model = flags->positionals.first();

    auto db = openDatabase(ctx);
    if (!db)
        return runtimeError(ctx, db.error().message);
    Result<QList<Channel>> channels = ChannelRepository(**db).list();
    if (!channels)
        return runtimeError(ctx, channels.error().message);
    if (std::none_of(channels->cbegin(), channels->cend(), [&](const Channel &c) { return c.serves(model); }))
        return runtimeError(ctx, QStringLiteral("no channel serves model '%1' (see 'tarn pool list')").arg(model));
    PoolRepository pools(**db);
    Result<QHash<QString, PoolSettings>> existing = pools.list();
    if (!existing)
        return runtimeError(ctx, existing.error().message);
    PoolSettings settings = existing->value(model);
    if (strategy)
        settings.strategy = *strategy;
    if (sticky)
        settings.sticky = *sticky;
    if (Status s = pools.set(model, settings); !s)
        return runtimeError(ctx, s.error().message);
    ctx.out << "Pool '" << model << "': " << routingStrategyName(settings.strategy)
            << (settings.sticky ? ", sticky." : ", not sticky.") << Qt::endl;
    return ExitOk;
}

} // namespace

int runPoolCommand(Context &ctx, const QStringList &args)
{
    const QString command = args.value(0);
    const QStringList rest = args.mid(1);
    if (command == u"list")
        return listPools(ctx, rest);
    if (command == u"set")
        return setPool(ctx, rest);
    if (command.isEmpty())
        return usageError(ctx, QStringLiteral("'tarn pool' needs a subcommand (list, set)"));
    return usageError(ctx, QStringLiteral("unknown pool subcommand '%1' (expected list or set)").arg(command));
}

} // namespace tarn::gateway::cli
