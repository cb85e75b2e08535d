// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/net/TailscaleNodeWatch.h"

#include "gateway/net/TailscaleServe.h"

#include <QProcess>
#include <QTimer>

namespace tarn::gateway {

namespace {

bool sameNode(const std::optional<TailscaleStatus> &a, const std::optional<TailscaleStatus> &b)
{
    if (a.has_value() != b.has_value())
        return false;
    if (!a)
        return true;
    return a->backendState == b->backendState && a->addresses == b->addresses && a->dnsName == b->dnsName
        && a->magicDnsSuffix == b->magicDnsSuffix && a->online == b->online;
}

} // namespace

TailscaleNodeWatch::TailscaleNodeWatch(int timeoutMs, QObject *parent) : QObject(parent), m_timeoutMs(timeoutMs)
{
}

TailscaleNodeWatch::~TailscaleNodeWatch()
{
    if (m_process) {
        m_process->disconnect(this);
        m_process->kill();
        m_process->waitForFinished(1000);
    }
}

void TailscaleNodeWatch::refresh()
{
    if (m_process)
        return;
    const QString program = tailscaleProgram();
    if (program.isEmpty()) {
        finish(std::nullopt);
        return;
    }
    m_process = new QProcess(this);
    QProcess *process = m_process;
    connect(process, &QProcess::finished, this, [this, process](int exitCode, QProcess::ExitStatus status) {
        std::optional<TailscaleStatus> node;
        if (status == QProcess::NormalExit && exitCode == 0) {
            if (Result<TailscaleStatus> parsed = parseTailscaleStatus(process->readAllStandardOutput()))
                node = std::move(*parsed);
        }
        process->deleteLater();
        m_process = nullptr;
        finish(std::move(node));
    });
    connect(process, &QProcess::errorOccurred, this, [this, process](QProcess::ProcessError error) {
        if (error != QProcess::FailedToStart)
            return; // a crash or a kill ends in finished() as well
        process->deleteLater();
        m_process = nullptr;
        finish(std::nullopt);
    });
    // A CLI that hangs (tailscaled wedged) is killed; finished() then reports it.
    QTimer::singleShot(m_timeoutMs, process, [process] { process->kill(); });
    process->start(program, {QStringLiteral("status"), QStringLiteral("--json")});
    process->closeWriteChannel();
}

void TailscaleNodeWatch::finish(std::optional<TailscaleStatus> node)
{
    const bool differs = !sameNode(m_node, node);
    m_node = std::move(node);
    if (differs)
        Q_EMIT changed();
    Q_EMIT refreshed();
}

} // namespace tarn::gateway
