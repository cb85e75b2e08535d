// SPDX-License-Identifier: GPL-3.0-or-later
#include "gateway/net/TailscaleNodeWatch.h"

#include "gateway/net/TailscaleServe.h"

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

TailscaleNodeWatch::~TailscaleNodeWatch() = default; // a CLI still running is killed with its QProcess

void TailscaleNodeWatch::refresh()
{
    if (m_asking)
        return;
    m_asking = true;
    runTailscaleAsync(this, {QStringLiteral("status"), QStringLiteral("--json")}, m_timeoutMs, [this](Result<TailscaleRun> run) {
        m_asking = false;
        std::optional<TailscaleStatus> node;
        if (run && run->exitCode == 0) {
            if (Result<TailscaleStatus> parsed = parseTailscaleStatus(run->out))
                node = std::move(*parsed);
        }
        finish(std::move(node));
    });
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
