// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/net/TailscaleServe.h"

#include <QFileInfo>
#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTimer>
#include <QUrl>

namespace tarn::gateway {

namespace {

QString command(ServeReach reach)
{
    return reach == ServeReach::Tailnet ? QStringLiteral("serve") : QStringLiteral("funnel");
}

QString notInstalled()
{
    return QStringLiteral("the tailscale command is not installed (https://tailscale.com/download)");
}

QString timedOut(const QStringList &args, int timeoutMs)
{
    return QStringLiteral("tailscale %1 did not finish within %2 s").arg(args.join(u' ')).arg(timeoutMs / 1000);
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

Result<TailscaleRun> checkedRun(const QStringList &args, Result<TailscaleRun> run)
{
    if (run && run->exitCode != 0) {
        const QString said = QString::fromLocal8Bit(run->err.isEmpty() ? run->out : run->err).trimmed();
        return Error{ErrorCode::Io, QStringLiteral("tailscale %1 failed (exit %2)%3")
                                        .arg(args.join(u' '))
                                        .arg(run->exitCode)
                                        .arg(said.isEmpty() ? QString() : QStringLiteral(": ") + said)};
    }
    return run;
}

Result<QList<ServeEntry>> servedEntries(quint16 port)
{
    const Result<TailscaleRun> status = checkedRun(serveStatusArguments(), runTailscale(serveStatusArguments()));
    if (!status)
        return status.error();
    return parseServeStatus(status->out, port);
}

Status setServed(ServeReach reach, quint16 port, bool on)
{
    const QStringList args = on ? serveArguments(reach, port) : serveOffArguments(reach);
    const Result<TailscaleRun> run = checkedRun(args, runTailscale(args));
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
        return Error::notFound(notInstalled());
    QProcess process;
    process.start(program, args);
    if (!process.waitForStarted(5000))
        return Error{ErrorCode::Io, QStringLiteral("cannot run %1: %2").arg(program, process.errorString())};
    process.closeWriteChannel();
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished(2000);
        return Error{ErrorCode::UpstreamTimeout, timedOut(args, timeoutMs)};
    }
    TailscaleRun run;
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.out = process.readAllStandardOutput();
    run.err = process.readAllStandardError();
    return run;
}

void runTailscaleAsync(QObject *context, const QStringList &args, int timeoutMs, std::function<void(Result<TailscaleRun>)> done)
{
    const QString program = tailscaleProgram();
    if (program.isEmpty()) {
        QMetaObject::invokeMethod(context, [done] { done(Error::notFound(notInstalled())); }, Qt::QueuedConnection);
        return;
    }
    auto *process = new QProcess(context);
    auto *timer = new QTimer(process);
    timer->setSingleShot(true);
    QObject::connect(timer, &QTimer::timeout, process, [process] { process->kill(); });
    QObject::connect(process, &QProcess::finished, context,
                     [process, timer, args, timeoutMs, done](int exitCode, QProcess::ExitStatus status) {
                         process->deleteLater();
                         if (!timer->isActive() && status != QProcess::NormalExit) {
                             done(Error{ErrorCode::UpstreamTimeout, timedOut(args, timeoutMs)});
                             return;
                         }
                         TailscaleRun run;
                         run.exitCode = status == QProcess::NormalExit ? exitCode : -1;
                         run.out = process->readAllStandardOutput();
                         run.err = process->readAllStandardError();
                         done(std::move(run));
                     });
    QObject::connect(process, &QProcess::errorOccurred, context, [process, program, done](QProcess::ProcessError error) {
        if (error != QProcess::FailedToStart)
            return; // a crash or a kill ends in finished() as well
        process->deleteLater();
        done(Error{ErrorCode::Io, QStringLiteral("cannot run %1: %2").arg(program, process->errorString())});
    });
    timer->start(timeoutMs);
    process->start(program, args);
    process->closeWriteChannel();
}

} // namespace tarn::gateway
