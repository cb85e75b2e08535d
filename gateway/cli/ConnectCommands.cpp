// SPDX-License-Identifier: GPL-3.0-or-later
// `tarn connect`: which coding agents on this machine use Tarn, and setting one up (or undoing it).
#include "gateway/cli/CliSupport.h"
#include "gateway/cli/CommandLine.h"
#include "gateway/cli/SavedListen.h"

#include "gateway/connect/AgentConfig.h"
#include "gateway/connect/ConfigWriter.h"
#include "gateway/connect/ConnectSetup.h"
#include "gateway/connect/QrMatrix.h"
#include "gateway/core/SettingKeys.h"
#include "gateway/net/Tailnet.h"
#include "gateway/net/TailscaleServe.h"
#include "gateway/storage/ClientKeyRepository.h"
#include "gateway/storage/Database.h"
#include "gateway/storage/SettingsRepository.h"

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

// Where other devices reach Tarn, mode by mode, and the URL a new device should use: the HTTPS
// address tailscale serves (it needs no exposure), else the tailnet's (MagicDNS name first) when
// Tarn is saved to listen there, else loopback with a hint.
struct DeviceEndpoints
{
    QStringList loopback;
    QStringList tailnet;
    QList<ServeEntry> served; // what tailscale serves for Tarn (HTTPS)
    QStringList everyNetwork;
    QString chosen;
    QString hint;
};

DeviceEndpoints deviceEndpoints(Database &db, quint16 port)
{
    DeviceEndpoints endpoints;
    const auto url = [port](const QString &host) { return gateway::rootUrl({host, port}); };
    endpoints.loopback << url(QStringLiteral("127.0.0.1"));
    const QList<InterfaceAddress> interfaces = systemInterfaceAddresses();
    std::optional<TailscaleStatus> node;
    if (const Result<TailscaleRun> run = runTailscale({QStringLiteral("status"), QStringLiteral("--json")}, 5000);
        run && run->exitCode == 0) {
        if (Result<TailscaleStatus> parsed = parseTailscaleStatus(run->out); parsed && parsed->running())
            node = *parsed;
    }
    if (node && !node->dnsName.isEmpty())
        endpoints.tailnet << url(node->dnsName);
    for (const QHostAddress &address : findTailnetAddresses(interfaces).all())
        endpoints.tailnet << url(address.toString());
    if (!tailscaleProgram().isEmpty()) {
        if (const Result<QList<ServeEntry>> served = servedEntries(port); served) {
            endpoints.served = *served;
        }
    }
    for (const InterfaceAddress &entry : interfaces) {
        if (entry.up && entry.address.protocol() == QAbstractSocket::IPv4Protocol && !isLoopbackAddress(entry.address)
            && !isTailnetAddress(entry.address))
            endpoints.everyNetwork << url(entry.address.toString());
    }
    // Where a start without --listen or --expose listens: the saved exposure, else the saved addresses.
    const Result<QString> saved = SettingsRepository(db).value(QString::fromLatin1(SettingKeys::Expose));
    const std::optional<ExposeMode> mode = saved ? exposeModeFromString(*saved) : std::nullopt;
    bool wildcard = mode == ExposeMode::All;
    bool tailnetBound = mode == ExposeMode::Tailscale || wildcard;
    if (!mode) {
        for (const ListenAddress &address : savedListenAddresses(db)) {
            const bool any = address.host == u"0.0.0.0" || address.host == u"::" || address.host == u"*";
            wildcard = wildcard || any;
            tailnetBound = tailnetBound || any || isTailnetAddress(QHostAddress(address.host));
        }
    }
    if (!endpoints.served.isEmpty()) {
        endpoints.chosen = endpoints.served.first().url;
    } else if (tailnetBound && !endpoints.tailnet.isEmpty()) {
        endpoints.chosen = endpoints.tailnet.first();
    } else if (wildcard && !endpoints.everyNetwork.isEmpty()) {
        endpoints.chosen = endpoints.everyNetwork.first();
    } else {
        endpoints.chosen = endpoints.loopback.first();
        endpoints.hint = tailnetBound
            ? QStringLiteral("Tarn is set to listen on the tailnet, but this machine has no Tailscale address now: "
                             "start Tailscale ('tailscale up'), then run this again.")
            : QStringLiteral("Tarn is set to listen on this machine only, so this address works here alone: start it "
                             "with --expose tailscale (or choose \"This machine and my tailnet\" in Settings), or run "
                             "'tarn serve', then run this again.");
    }
    return endpoints;
}

// `tarn connect --client NAME`: another device's set-up, as the desktop's Connect window gives it.
int connectDevice(Context &ctx, const QString &client, const QString &keyName, const QString &givenUrl, const QString &model)
{
    // The other device's files, named from its home: not this machine's paths.
    const connect::AgentHome home{QStringLiteral("~"), {}, {}};
    const QString id = client == u"roo-code" ? QStringLiteral("cline") : client;
    std::unique_ptr<AgentConfig> agent = connect::createAgentConfig(id, home);
    QStringList others;
    for (const connect::ClientSnippet &snippet : connect::otherClientSnippets({}, {}))
        others << snippet.id;
    if (!agent && !others.contains(id)) {
        return usageError(ctx, QStringLiteral("unknown client '%1' (expected %2, roo-code)")
                                   .arg(client, (connect::agentIds() + others).join(QStringLiteral(", "))));
    }
    const QString name = keyName.isEmpty() ? id : keyName;
    if (Status s = validateName(QStringLiteral("key"), name); !s)
        return usageError(ctx, s.error().message);
    auto db = openDatabase(ctx);
    if (!db)
        return runtimeError(ctx, db.error().message);

    const DeviceEndpoints endpoints = deviceEndpoints(**db, savedLocalAddress(**db).port);
    QString rootUrl = givenUrl.isEmpty() ? endpoints.chosen : givenUrl;
    // Cursor calls from its own servers: the address the internet reaches, when funnel gives one.
    for (const ServeEntry &entry : endpoints.served) {
        if (givenUrl.isEmpty() && id == u"cursor" && entry.funnel) {
            rootUrl = entry.url;
            break;
        }
    }
    ctx.out << "Where your devices reach Tarn:" << Qt::endl;
    const auto line = [&](const char *mode, const QStringList &urls, const char *none) {
        ctx.out << "  " << mode << (urls.isEmpty() ? QString::fromLatin1(none) : urls.join(QStringLiteral(", "))) << Qt::endl;
    };
    line("this machine:       ", endpoints.loopback, "");
    line("your tailnet:       ", endpoints.tailnet, "no Tailscale address here");
    QStringList served;
    for (const ServeEntry &entry : endpoints.served)
        served << entry.url + (entry.funnel ? QStringLiteral(" (the internet)") : QStringLiteral(" (your tailnet)"));
    line("tailscale serve:    ", served, "not served ('tarn serve' starts it)");
    line("every network:      ", endpoints.everyNetwork, "no other address");
    ctx.out << "Using " << rootUrl << Qt::endl;
    if (givenUrl.isEmpty() && !endpoints.hint.isEmpty())
        ctx.out << endpoints.hint << Qt::endl;

    ClientKeyRepository keys(**db);
    ClientKey key;
    key.name = keyName.isEmpty() ? connect::freeKeyName(keys, id) : keyName;
    const Result<QString> plaintext = keys.create(key);
    if (!plaintext)
        return runtimeError(ctx, plaintext.error().message);
    ctx.out << "\nCreated client key '" << key.name << "' (shown this once; revoke it with 'tarn key revoke "
            << key.name << "'):\n  " << *plaintext << Qt::endl;

    ctx.out << '\n';
    if (agent) {
        ctx.out << agent->displayName() << " on the other device, in\n"
                << indent(agent->snippet(ConnectTarget{rootUrl, *plaintext, model}));
    } else {
        for (const connect::ClientSnippet &snippet : connect::otherClientSnippets(rootUrl, *plaintext)) {
            if (snippet.id == id)
                ctx.out << snippet.name << ":\n" << indent(snippet.text);
        }
    }
    ctx.out << "\nFor a phone: the address and key as a QR code (for a dark terminal background; the desktop's "
               "\"Connect a client\" window shows one too):\n"
            << connect::qrTerminalText(connect::qrMatrix(connect::connectionQrPayload(rootUrl, *plaintext)));
    ctx.out.flush();
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
                                                  {QStringLiteral("client")},
                                                  {QStringLiteral("force"), Kind::Switch}});
    if (!flags)
        return usageError(ctx, flags.error().message);
    if (!flags->positionals.isEmpty())
        return usageError(ctx, QStringLiteral("unexpected argument '%1'").arg(flags->positionals.first()));
    const bool apply = flags->has(QStringLiteral("apply"));
    const bool undo = flags->has(QStringLiteral("undo"));
    const bool device = flags->has(QStringLiteral("client"));
    if (int(apply) + int(undo) + int(device) > 1)
        return usageError(ctx, QStringLiteral("--apply, --undo and --client do not go together"));
    if (!apply && !device && (flags->has(QStringLiteral("key-name"))))
        return usageError(ctx, QStringLiteral("--key-name goes with --apply or --client"));
    if (device && (flags->has(QStringLiteral("home")) || flags->has(QStringLiteral("force"))))
        return usageError(ctx, QStringLiteral("--client sets up another device: it takes no --home or --force"));
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
    } else if (!device) { // another device's address is worked out there
        auto db = openDatabase(ctx);
        if (!db)
            return runtimeError(ctx, db.error().message);
        rootUrl = gateway::rootUrl(savedLocalAddress(**db));
    }
    const QString model = flags->value(QStringLiteral("model")).trimmed();
    if (flags->has(QStringLiteral("model")) && model.isEmpty())
        return usageError(ctx, QStringLiteral("--model needs a model name"));
    if (device) {
        return connectDevice(ctx, flags->value(QStringLiteral("client")).trimmed().toLower(),
                             flags->value(QStringLiteral("key-name")).trimmed(),
                             rootUrl, model);
    }
    if (!apply)
        return showStatus(ctx, home, rootUrl, model);
    return applyConnection(ctx, *agent, ConnectTarget{rootUrl, {}, model}, flags->value(QStringLiteral("key-name")).trimmed());
}

} // namespace tarn::gateway::cli
