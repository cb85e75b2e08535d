// SPDX-License-Identifier: GPL-3.0-or-later
// `tarn connect`: which coding agents on this machine use Tarn, and setting one up (or undoing it).
#include "gateway/cli/CliSupport.h"
#include "gateway/cli/CommandLine.h"
#include "gateway/cli/SavedListen.h"

#include "gateway/connect/AgentConfig.h"
#include "gateway/connect/ConfigWriter.h"
#include "gateway/connect/ConnectSetup.h"
#include "gateway/storage/ClientKeyRepository.h"
#include "gateway/storage/Database.h"

#include <QDir>

namespace tarn::gateway::cli {

namespace {

using Kind = FlagSpec::Kind;
using connect::AgentConfig;
using connect::ConnectTarget;

QString backupRoot(const Context &ctx)
{
    return QDir(ctx.dataDir).filePath(QStringLiteral("connect-backups"));
}

QString indent(const QString &text)
{
    QString out;
    for (const QString &line : text.split(u'\n')) {
        if (!line.isEmpty())
            out += QStringLiteral("    ") + line;
        out += u'\n';
    }
    while (out.endsWith(QStringLiteral("\n\n")))
        out.chop(1);
    return out;
}

int showStatus(Context &ctx, const connect::AgentHome &home, const QString &rootUrl, const QString &model)
{
    ctx.out << "Tarn at " << rootUrl << Qt::endl;
    const connect::ConfigWriter writer(backupRoot(ctx));
    for (const auto &agent : connect::createAgentConfigs(home)) {
        ctx.out << '\n' << agent->displayName() << " (" << agent->id() << "): " << connect::describeConnection(*agent, rootUrl) << '\n';
        ctx.out << "  files: " << agent->configFiles().join(QStringLiteral(", ")) << '\n';
        if (writer.canUndo(*agent))
            ctx.out << "  Tarn changed these files; 'tarn connect --undo " << agent->id() << "' puts them back\n";
        ctx.out << "  to set it up: tarn connect --apply " << agent->id() << " [--key-name NAME] [--model M]\n";
        ctx.out << "  or by hand, in\n" << indent(agent->snippet(ConnectTarget{rootUrl, {}, model}));
    }
    // Clients Tarn does not configure itself (and other devices): what to type where.
    for (const connect::ClientSnippet &client : connect::otherClientSnippets(rootUrl, {}))
        ctx.out << '\n' << client.name << ":\n" << indent(client.text) << '\n';
    ctx.out.flush();
    return ExitOk;
}

int applyConnection(Context &ctx, const AgentConfig &agent, const ConnectTarget &target, const QString &keyName)
{
    if (!keyName.isEmpty()) {
        if (Status s = validateName(QStringLiteral("key"), keyName); !s)
            return usageError(ctx, s.error().message);
    }
    auto db = openDatabase(ctx);
    if (!db)
        return runtimeError(ctx, db.error().message);
    const Result<connect::SetupOutcome> outcome = connect::setUpAgent(**db, agent, target, keyName, backupRoot(ctx));
    if (!outcome)
        return runtimeError(ctx, outcome.error().message);
    if (!outcome->createdKeyName.isEmpty())
        ctx.err << "Created client key '" << outcome->createdKeyName << "' for " << agent.displayName()
                << " (a running Tarn accepts it within about a second)." << Qt::endl;
    if (outcome->written.changedFiles.isEmpty()) {
        ctx.out << agent.displayName() << " already uses Tarn at " << target.rootUrl << "; nothing changed." << Qt::endl;
        return ExitOk;
    }
    ctx.out << agent.displayName() << " now uses Tarn at " << target.rootUrl << ". Wrote:" << Qt::endl;
    for (const QString &file : outcome->written.changedFiles)
        ctx.out << "  " << file << Qt::endl;
    ctx.out << "The originals are in " << outcome->written.backupDir << "; 'tarn connect --undo " << agent.id()
            << "' puts them back." << Qt::endl;
    for (const QString &note : agent.notes())
        ctx.out << note << Qt::endl;
    return ExitOk;
}

int undoConnection(Context &ctx, const AgentConfig &agent, bool force)
{
    const connect::ConfigWriter writer(backupRoot(ctx));
    const Result<connect::UndoOutcome> outcome = writer.undo(agent, force);
    if (!outcome) {
        QString message = outcome.error().message;
        if (outcome.error().code == ErrorCode::InvalidArgument)
            message.replace(QStringLiteral("force it"), QStringLiteral("--force"));
        return runtimeError(ctx, message);
    }
    ctx.out << "Put back " << agent.displayName() << "'s configuration as it was before Tarn changed it." << Qt::endl;
    for (const QString &file : outcome->restoredFiles)
        ctx.out << "  restored " << file << Qt::endl;
    for (const QString &file : outcome->removedFiles)
        ctx.out << "  removed " << file << " (Tarn had created it)" << Qt::endl;
    return ExitOk;
}

} // namespace

int runConnectCommand(Context &ctx, const QStringList &args)
{
    Result<ParsedFlags> flags = parseFlags(args, {{QStringLiteral("apply")}, {QStringLiteral("undo")},
                                                  {QStringLiteral("key-name")}, {QStringLiteral("model")},
                                                  {QStringLiteral("url")}, {QStringLiteral("home")},
                                                  {QStringLiteral("force"), Kind::Switch}});
    if (!flags)
        return usageError(ctx, flags.error().message);
    if (!flags->positionals.isEmpty())
        return usageError(ctx, QStringLiteral("unexpected argument '%1'").arg(flags->positionals.first()));
    const bool apply = flags->has(QStringLiteral("apply"));
    const bool undo = flags->has(QStringLiteral("undo"));
    if (apply && undo)
        return usageError(ctx, QStringLiteral("--apply and --undo do not go together"));
    if (!apply && (flags->has(QStringLiteral("key-name"))))
        return usageError(ctx, QStringLiteral("--key-name goes with --apply"));
    if (!undo && flags->has(QStringLiteral("force")))
        return usageError(ctx, QStringLiteral("--force goes with --undo"));
    if (undo && (flags->has(QStringLiteral("model")) || flags->has(QStringLiteral("url"))))
        return usageError(ctx, QStringLiteral("--undo takes no --model or --url: it restores the backup"));

    if (flags->has(QStringLiteral("home")) && flags->value(QStringLiteral("home")).isEmpty())
        return usageError(ctx, QStringLiteral("--home needs a directory"));
    const connect::AgentHome home = connect::agentHomeFromEnvironment(flags->value(QStringLiteral("home")));
    const QString agentId = flags->value(apply ? QStringLiteral("apply") : QStringLiteral("undo"));
    std::unique_ptr<AgentConfig> agent;
    if (apply || undo) {
        agent = connect::createAgentConfig(agentId, home);
        if (!agent) {
            return usageError(ctx, QStringLiteral("unknown agent '%1' (expected %2)")
                                       .arg(agentId, connect::agentIds().join(QStringLiteral(", "))));
        }
    }
    if (undo)
        return undoConnection(ctx, *agent, flags->has(QStringLiteral("force")));

    QString rootUrl;
    if (flags->has(QStringLiteral("url"))) {
        rootUrl = connect::normaliseRootUrl(flags->value(QStringLiteral("url")));
        if (Status s = connect::validateRootUrl(rootUrl); !s)
            return usageError(ctx, QStringLiteral("--url: %1").arg(s.error().message));
    } else {
        auto db = openDatabase(ctx);
        if (!db)
            return runtimeError(ctx, db.error().message);
        rootUrl = gateway::rootUrl(savedLocalAddress(**db));
    }
    const QString model = flags->value(QStringLiteral("model")).trimmed();
    if (flags->has(QStringLiteral("model")) && model.isEmpty())
        return usageError(ctx, QStringLiteral("--model needs a model name"));
    if (!apply)
        return showStatus(ctx, home, rootUrl, model);
    return applyConnection(ctx, *agent, ConnectTarget{rootUrl, {}, model}, flags->value(QStringLiteral("key-name")).trimmed());
}

} // namespace tarn::gateway::cli
