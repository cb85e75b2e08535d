// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/cli/CommandLine.h"

#include "gateway/cli/CliSupport.h"
#include "gateway/core/Paths.h"

#include <QRegularExpression>

namespace tarn::gateway {

namespace {

const QStringList kCommands = {QStringLiteral("channel"), QStringLiteral("pool"), QStringLiteral("routing"), QStringLiteral("key"),
                               QStringLiteral("usage"), QStringLiteral("export"), QStringLiteral("import"),
                               QStringLiteral("connect"), QStringLiteral("serve")};

Invocation errorInvocation(const QString &message)
{
    Invocation inv;
    inv.kind = Invocation::Kind::Error;
    inv.text = message;
    return inv;
}

Invocation helpInvocation(const QString &topic)
{
    const QString text = cli::helpText(topic);
    if (text.isEmpty())
        return errorInvocation(QStringLiteral("no help for '%1'; try 'tarn --help'").arg(topic));
    Invocation inv;
    inv.kind = Invocation::Kind::Help;
    inv.text = text;
    return inv;
}


} // namespace

Result<ListenAddress> parseListenAddress(const QString &text)
{
    const auto bad = [&](const QString &why) {
        return Error::invalid(QStringLiteral("bad --listen '%1': %2 (expected HOST:PORT or [IPv6]:PORT)").arg(text, why));
    };
    QString host;
    QString portText;
    if (text.startsWith(u'[')) {
        const qsizetype close = text.indexOf(u']');
        if (close < 0 || text.mid(close + 1, 1) != u":")
            return bad(QStringLiteral("no port"));
        host = text.mid(1, close - 1);
        portText = text.mid(close + 2);
        static const QRegularExpression ipv6(QStringLiteral("^[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*$"));
        if (!ipv6.match(host).hasMatch())
            return bad(QStringLiteral("'%1' is not an IPv6 address").arg(host));
    } else {
        const qsizetype colon = text.lastIndexOf(u':');
        if (colon < 0)
            return bad(QStringLiteral("no port"));
        host = text.left(colon);
        portText = text.mid(colon + 1);
        if (host.contains(u':'))
            return bad(QStringLiteral("write IPv6 addresses in brackets"));
        static const QRegularExpression hostName(QStringLiteral("^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$"));
        if (host.isEmpty() || !hostName.match(host).hasMatch())
            return bad(QStringLiteral("invalid host"));
    }
    bool ok = false;
    const uint port = portText.toUInt(&ok);
    if (!ok || port > 65535 || portText.startsWith(u'+'))
        return bad(QStringLiteral("port must be 0-65535"));
    return ListenAddress{host, static_cast<quint16>(port)};
}

Invocation parseInvocation(const QStringList &args)
{
    Invocation inv;
    QString dataDir;
    QStringList runOnlyFlags;
    qsizetype i = 0;
    for (; i < args.size(); ++i) {
        const QString &arg = args.at(i);
        if (!arg.startsWith(u'-'))
            break;
        const qsizetype eq = arg.indexOf(u'=');
        const QString flag = eq < 0 ? arg : arg.left(eq);
        const bool takesValue = flag == u"--data-dir" || flag == u"--listen" || flag == u"--workers"
                                || flag == u"--expose" || flag == u"--port" || flag == u"--admin-port";
        QString value;
        if (takesValue) {
            if (eq >= 0)
                value = arg.mid(eq + 1);
            else if (i + 1 < args.size())
                value = args.at(++i);
            else
                return errorInvocation(QStringLiteral("option '%1' needs a value").arg(flag));
        } else if (eq >= 0) {
            return errorInvocation(QStringLiteral("option '%1' takes no value").arg(flag));
        }
        if (flag == u"--help" || flag == u"-h")
            return helpInvocation({});
        if (flag == u"--version" || flag == u"-V") {
            inv.kind = Invocation::Kind::Version;
            inv.text = QStringLiteral("tarn " TARN_VERSION);
            return inv;
        }
        if (flag == u"--data-dir") {
            if (value.isEmpty())
                return errorInvocation(QStringLiteral("option '--data-dir' needs a directory"));
            dataDir = value;
        } else if (flag == u"--headless") {
            inv.run.headless = true;
            runOnlyFlags << flag;
        } else if (flag == u"--autostart") {
            // Written into the launch-at-login entry; the desktop reads it from its own arguments
            // so "start hidden" applies to a login start only.
            runOnlyFlags << flag;
        } else if (flag == u"--listen") {
            Result<ListenAddress> address = parseListenAddress(value);
            if (!address)
                return errorInvocation(address.error().message);
            inv.run.listen.append(*address);
            runOnlyFlags << flag;
        } else if (flag == u"--expose") {
            const std::optional<ExposeMode> mode = exposeModeFromString(value);
            if (!mode)
                return errorInvocation(QStringLiteral("bad --expose '%1' (expected loopback, tailscale or all)").arg(value));
            inv.run.expose = mode;
            runOnlyFlags << flag;
        } else if (flag == u"--port") {
            Result<int> port = cli::parseInt(QStringLiteral("--port"), value, 0);
            if (!port || *port > 65535)
                return errorInvocation(QStringLiteral("bad --port '%1' (expected 0 to 65535)").arg(value));
            inv.run.port = quint16(*port);
            runOnlyFlags << flag;
        } else if (flag == u"--admin-port") {
            Result<int> port = cli::parseInt(QStringLiteral("--admin-port"), value, 0);
            if (!port || *port > 65535)
                return errorInvocation(QStringLiteral("bad --admin-port '%1' (expected 0 to 65535)").arg(value));
            inv.run.adminPort = quint16(*port);
            runOnlyFlags << flag;
        } else if (flag == u"--no-admin") {
            inv.run.admin = false;
            runOnlyFlags << flag;
        } else if (flag == u"--workers") {
            Result<int> workers = cli::parseInt(QStringLiteral("--workers"), value, 0);
            if (!workers)
                return errorInvocation(workers.error().message);
            inv.run.workers = *workers;
            runOnlyFlags << flag;
        } else {
            return errorInvocation(QStringLiteral("unknown option '%1'; try 'tarn --help'").arg(flag));
        }
    }

    if (inv.run.port && !inv.run.expose)
        return errorInvocation(QStringLiteral("--port goes with --expose (with --listen, write HOST:PORT)"));
    if (inv.run.adminPort && !inv.run.admin)
        return errorInvocation(QStringLiteral("--admin-port and --no-admin contradict each other"));
    if (i == args.size()) {
        // No --listen: the gateway uses the addresses saved in Settings, else 127.0.0.1:8276.
        inv.run.dataDir = resolveDataDir(dataDir);
        return inv;
    }

    const QString command = args.at(i);
    if (command == u"help")
        return helpInvocation(args.value(i + 1));
    if (command == u"version") {
        inv.kind = Invocation::Kind::Version;
        inv.text = QStringLiteral("tarn " TARN_VERSION);
        return inv;
    }
    if (!kCommands.contains(command))
        return errorInvocation(QStringLiteral("unknown command '%1'; try 'tarn --help'").arg(command));
    if (!runOnlyFlags.isEmpty()) {
        return errorInvocation(QStringLiteral("'%1' only applies when running Tarn, not with 'tarn %2'")
                                   .arg(runOnlyFlags.first(), command));
    }

    // --data-dir is also accepted after the command ("tarn channel list --data-dir DIR").
    QStringList rest;
    for (qsizetype j = i; j < args.size(); ++j) {
        const QString &arg = args.at(j);
        if (arg == u"--data-dir") {
            if (j + 1 >= args.size())
                return errorInvocation(QStringLiteral("option '--data-dir' needs a value"));
            dataDir = args.at(++j);
        } else if (arg.startsWith(u"--data-dir=")) {
            dataDir = arg.mid(11);
        } else if (arg == u"--") {
            rest.append(args.mid(j));
            break;
        } else if (arg == u"--help" || arg == u"-h") {
            return helpInvocation(command);
        } else {
            rest.append(arg);
        }
    }
    inv.kind = Invocation::Kind::Command;
    inv.commandArgs = rest;
    inv.run.dataDir = resolveDataDir(dataDir);
    return inv;
}

int runCommand(const Invocation &inv, QTextStream &out, QTextStream &err)
{
    cli::Context ctx{inv.run.dataDir, out, err};
    int code = cli::ExitUsage;
    switch (inv.kind) {
    case Invocation::Kind::Help:
    case Invocation::Kind::Version:
        out << inv.text;
        if (!inv.text.endsWith(u'\n'))
            out << '\n';
        code = cli::ExitOk;
        break;
    case Invocation::Kind::Error:
        code = cli::usageError(ctx, inv.text);
        break;
    case Invocation::Kind::Run:
        code = cli::usageError(ctx, QStringLiteral("no command to run; try 'tarn --help'"));
        break;
    case Invocation::Kind::Command: {
        const QString group = inv.commandArgs.value(0);
        const QStringList args = inv.commandArgs.mid(1);
        if (group == u"channel")
            code = cli::runChannelCommand(ctx, args);
        else if (group == u"pool")
            code = cli::runPoolCommand(ctx, args);
        else if (group == u"routing")
            code = cli::runRoutingCommand(ctx, args);
        else if (group == u"key")
            code = cli::runKeyCommand(ctx, args);
        else if (group == u"usage")
            code = cli::runUsageCommand(ctx, args);
        else if (group == u"export")
            code = cli::runExportCommand(ctx, args);
        else if (group == u"import")
            code = cli::runImportCommand(ctx, args);
        else if (group == u"connect")
            code = cli::runConnectCommand(ctx, args);
        else if (group == u"serve")
            code = cli::runServeCommand(ctx, args);
        else
            code = cli::usageError(ctx, QStringLiteral("unknown command '%1'; try 'tarn --help'").arg(group));
        break;
    }
    }
    out.flush();
    err.flush();
    return code;
}

} // namespace tarn::gateway
