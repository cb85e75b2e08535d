// SPDX-License-Identifier: GPL-3.0-or-later
// `tarn channel test|reset-learned|enable-key`: what the gateway learned about a channel, and a
// real request to find out whether its keys work.
#include "gateway/cli/CliSupport.h"

#include "gateway/routing/ChannelProbe.h"
#include "gateway/storage/ChannelRepository.h"
#include "gateway/storage/Database.h"

#include <QJsonArray>

namespace tarn::gateway::cli {

namespace {

using Kind = FlagSpec::Kind;

// How long `channel test` waits for each answer.
constexpr int kTestTimeoutMs = 30'000;

QString keyIdList(const Channel &channel)
{
    QStringList ids;
    for (const QString &key : channel.keys)
        ids << keyId(key);
    return ids.isEmpty() ? QStringLiteral("none") : ids.join(QStringLiteral(", "));
}

bool hasKeyId(const Channel &channel, const QString &id)
{
    return std::any_of(channel.keys.cbegin(), channel.keys.cend(), [&](const QString &key) { return keyId(key) == id; });
}

QString maskedKey(const Channel &channel, const QString &id)
{
    for (const QString &key : channel.keys) {
        if (keyId(key) == id)
            return maskSecret(key);
    }
    return {};
}

} // namespace

int runChannelTest(Context &ctx, const QStringList &args)
{
    Result<ParsedFlags> flags = parseWithPositionals(args, {{QStringLiteral("model")}, {QStringLiteral("key")},
                                                            {QStringLiteral("json"), Kind::Switch}},
                                                     QStringLiteral("channel test"), {QStringLiteral("a channel name")});
    if (!flags)
        return usageError(ctx, flags.error().message);
    const QString onlyKey = flags->value(QStringLiteral("key")).trimmed();
    const QString model = flags->value(QStringLiteral("model")).trimmed();
    if (flags->has(QStringLiteral("model")) && model.isEmpty())
        return usageError(ctx, QStringLiteral("--model must not be empty"));
    auto db = openDatabase(ctx);
    if (!db)
        return runtimeError(ctx, db.error().message);
    ChannelRepository repo(**db);
    Result<Channel> channel = repo.findByName(flags->positionals.first());
    if (!channel)
        return runtimeError(ctx, channel.error().message);
    QString why;
    if (!ChannelProbe::canProbe(*channel, &why))
        return runtimeError(ctx, QStringLiteral("channel '%1': %2").arg(channel->name, why));
    if (channel->keys.isEmpty())
        return runtimeError(ctx, QStringLiteral("channel '%1' has no keys to test").arg(channel->name));
    if (!onlyKey.isEmpty() && !hasKeyId(*channel, onlyKey)) {
        return runtimeError(ctx, QStringLiteral("channel '%1' has no key '%2' (its keys: %3)")
                                     .arg(channel->name, onlyKey, keyIdList(*channel)));
    }
    const QString probeModel = ChannelProbe::probeModel(*channel, model);
    if (probeModel.isEmpty())
        return runtimeError(ctx, QStringLiteral("channel '%1' has no model to test with (give --model)").arg(channel->name));

    const QList<ProbeResult> results = probeChannelBlocking(*channel, model, onlyKey, kTestTimeoutMs);
    int passed = 0;
    QStringList reenabled;
    for (const ProbeResult &r : results) {
        if (!r.passed)
            continue;
        ++passed;
        if (channel->disabledKeys.contains(r.keyId)) {
            if (Status s = repo.clearKeyDisabled(channel->id, r.keyId); !s)
                return runtimeError(ctx, s.error().message);
            reenabled << r.keyId;
        }
    }

    if (flags->has(QStringLiteral("json"))) {
        QJsonArray array;
        for (const ProbeResult &r : results) {
            array.append(QJsonObject{{QStringLiteral("key"), maskedKey(*channel, r.keyId)},
                                     {QStringLiteral("key_id"), r.keyId},
                                     {QStringLiteral("status"), r.status},
                                     {QStringLiteral("latency_ms"), r.latencyMs},
                                     {QStringLiteral("passed"), r.passed},
                                     {QStringLiteral("error"), r.error},
                                     {QStringLiteral("reenabled"), reenabled.contains(r.keyId)}});
        }
        ctx.out << toJsonText(QJsonObject{{QStringLiteral("channel"), channel->name},
                                          {QStringLiteral("model"), probeModel},
                                          {QStringLiteral("passed"), passed > 0},
                                          {QStringLiteral("results"), array}});
    } else {
        ctx.out << "Testing channel '" << channel->name << "' with model " << probeModel << ":\n";
        QList<QStringList> rows;
        for (const ProbeResult &r : results) {
            rows.append({maskedKey(*channel, r.keyId), r.keyId, r.status ? QString::number(r.status) : QStringLiteral("-"),
                         QStringLiteral("%1 ms").arg(r.latencyMs), r.passed ? QStringLiteral("pass") : QStringLiteral("FAIL"),
                         r.error});
        }
        ctx.out << formatTable({QStringLiteral("KEY"), QStringLiteral("KEY-ID"), QStringLiteral("STATUS"),
                                QStringLiteral("LATENCY"), QStringLiteral("RESULT"), QStringLiteral("ERROR")},
                               rows, {2, 3});
        for (const QString &id : reenabled)
            ctx.out << "Re-enabled key " << id << ": it passed.\n";
    }
    ctx.out.flush();
    if (passed == 0) {
        return runtimeError(ctx, results.size() == 1 ? QStringLiteral("the key failed the test")
                                                     : QStringLiteral("every key failed the test"));
    }
    return ExitOk;
}

int runChannelResetLearned(Context &ctx, const QStringList &args)
{
    Result<ParsedFlags> flags = parseWithPositionals(args, {}, QStringLiteral("channel reset-learned"),
                                                     {QStringLiteral("a channel name")});
    if (!flags)
        return usageError(ctx, flags.error().message);
    auto db = openDatabase(ctx);
    if (!db)
        return runtimeError(ctx, db.error().message);
    ChannelRepository repo(**db);
    Result<Channel> channel = repo.findByName(flags->positionals.first());
    if (!channel)
        return runtimeError(ctx, channel.error().message);
    if (Status s = repo.clearLearned(channel->id); !s)
        return runtimeError(ctx, s.error().message);
    const qsizetype cleared = channel->learned.size();
    ctx.out << "Cleared " << cleared << (cleared == 1 ? " learned capability" : " learned capabilities")
            << " of channel '" << channel->name << "'." << Qt::endl;
    return ExitOk;
}

int runChannelEnableKey(Context &ctx, const QStringList &args)
{
    Result<ParsedFlags> flags = parseWithPositionals(args, {}, QStringLiteral("channel enable-key"),
                                                     {QStringLiteral("a channel name"), QStringLiteral("a key id (see 'tarn channel show')")});
    if (!flags)
        return usageError(ctx, flags.error().message);
    const QString id = flags->positionals.at(1).trimmed();
    auto db = openDatabase(ctx);
    if (!db)
        return runtimeError(ctx, db.error().message);
    ChannelRepository repo(**db);
    Result<Channel> channel = repo.findByName(flags->positionals.first());
    if (!channel)
        return runtimeError(ctx, channel.error().message);
    if (!hasKeyId(*channel, id))
        return runtimeError(ctx, QStringLiteral("channel '%1' has no key '%2' (its keys: %3)").arg(channel->name, id, keyIdList(*channel)));
    if (!channel->disabledKeys.contains(id)) {
        ctx.out << "Key " << id << " of channel '" << channel->name << "' is not disabled." << Qt::endl;
        return ExitOk;
    }
    if (Status s = repo.clearKeyDisabled(channel->id, id); !s)
        return runtimeError(ctx, s.error().message);
    ctx.out << "Re-enabled key " << id << " of channel '" << channel->name << "'." << Qt::endl;
    return ExitOk;
}

} // namespace tarn::gateway::cli
