// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/net/TailscaleServe.h"

#include <QFileInfo>
#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QUrl>

namespace tarn::gateway {

namespace {

QString command(ServeReach reach)
{
    return reach == ServeReach::Tailnet ? QStringLiteral("serve") : QStringLiteral("funnel");
}

// The CLI's run, or why it failed: "tailscale serve … failed (exit 1): <what it said>".
Result<TailscaleRun> runChecked(const QStringList &args)
{
    Result<TailscaleRun> run = runTailscale(args);
    if (run && run->exitCode != 0) {
        const QString said = QString::fromLocal8Bit(run->err.isEmpty() ? run->out : run->err).trimmed();
        return Error{ErrorCode::Io, QStringLiteral("tailscale %1 failed (exit %2)%3")
                                        .arg(args.join(u' '))
                                        .arg(run->exitCode)
                                        .arg(said.isEmpty() ? QString() : QStringLiteral(": ") + said)};
    }
    return run;
}

} // namespace

QStringList serveArguments(ServeReach reach, quint16 port)
{
    return {command(reach), QStringLiteral("--yes"), QStringLiteral("--bg"), QStringLiteral("--https=443"),
            QStringLiteral("http://127.0.0.1:%1").arg(port)};
}

QStringList serveOffArguments(ServeReach reach)
{
    return {command(reach), QStringLiteral("--https=443"), QStringLiteral("off")};
}

QStringList serveStatusArguments()
{
    return {QStringLiteral("serve"), QStringLiteral("status"), QStringLiteral("--json")};
}

Result<QList<ServeEntry>> parseServeStatus(QByteArrayView json, quint16 port)
{
    QList<ServeEntry> entries;
    if (json.trimmed().isEmpty())
        return entries;
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json.toByteArray(), &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return Error::invalid(QStringLiteral("tailscale serve status: not a JSON object (%1)").arg(error.errorString()));
    const QJsonObject config = document.object();
    const QJsonObject web = config.value(u"Web").toObject();
    const QJsonObject funnels = config.value(u"AllowFunnel").toObject();
    for (auto it = web.begin(); it != web.end(); ++it) {
        const QString hostPort = it.key(); // "gateway.tail1234.ts.net:443"
        const QString proxy = it.value().toObject().value(u"Handlers").toObject().value(u"/").toObject().value(u"Proxy").toString();
        // The CLI writes a bare port as http://127.0.0.1:PORT; older ones wrote localhost.
        const QUrl target(proxy.contains(u"://") ? proxy : QStringLiteral("http://") + proxy);
        const bool local = target.host() == u"localhost" || QHostAddress(target.host()).isLoopback();
        if (!local || target.port() != int(port))
            continue;
        const qsizetype colon = hostPort.lastIndexOf(u':');
        const QString host = colon > 0 ? hostPort.left(colon) : hostPort;
        const QString httpsPort = colon > 0 ? hostPort.mid(colon + 1) : QStringLiteral("443");
        ServeEntry entry;
        entry.url = QStringLiteral("https://") + host + (httpsPort == u"443" ? QString() : u':' + httpsPort);
        entry.target = target.toString();
        entry.funnel = funnels.value(hostPort).toBool();
        entries.append(entry);
    }
    return entries;
}

Result<QList<ServeEntry>> servedEntries(quint16 port)
{
    const Result<TailscaleRun> status = runChecked(serveStatusArguments());
    if (!status)
        return status.error();
    return parseServeStatus(status->out, port);
}

Status setServed(ServeReach reach, quint16 port, bool on)
{
    const Result<TailscaleRun> run = runChecked(on ? serveArguments(reach, port) : serveOffArguments(reach));
    if (!run)
        return run.error();
    return {};
}

QString tailscaleProgram()
{
    // Looked at before any process starts: starting one that cannot run still forks the whole
    // process (and ThreadSanitizer's runtime dies in a child of a threaded process).
    const QString forced = qEnvironmentVariable("TARN_TAILSCALE");
    if (forced.isEmpty())
        return QStandardPaths::findExecutable(QStringLiteral("tailscale"));
    return QFileInfo(forced).isExecutable() ? forced : QString();
}

Result<TailscaleRun> runTailscale(const QStringList &args, int timeoutMs)
{
    const QString program = tailscaleProgram();
    if (program.isEmpty())
        return Error::notFound(QStringLiteral("the tailscale command is not installed (https://tailscale.com/download)"));
    QProcess process;
    process.start(program, args);
    if (!process.waitForStarted(5000))
        return Error{ErrorCode::Io, QStringLiteral("cannot run %1: %2").arg(program, process.errorString())};
    process.closeWriteChannel();
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished(2000);
        return Error{ErrorCode::UpstreamTimeout,
                     QStringLiteral("tailscale %1 did not finish within %2 s").arg(args.join(u' ')).arg(timeoutMs / 1000)};
    }
    TailscaleRun run;
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.out = process.readAllStandardOutput();
    run.err = process.readAllStandardError();
    return run;
}

} // namespace tarn::gateway
